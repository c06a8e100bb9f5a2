"""Which credential vault this profile uses: the keychain, or the 0600 file store on explicit opt-in."""

from __future__ import annotations

from datetime import UTC, datetime

from bigbooks_desktop.accounts.connections import load_connections, update_connections
from bigbooks_desktop.connectors.credentials import CredentialVault, file_store_opt_in_from_env
from bigbooks_desktop.core.preferences import read_preferences

__all__ = ["file_store_opted_in", "make_vault", "now", "remember_store_choice"]


def file_store_opted_in(*, allow_file_store: bool = False) -> bool:
    """The user's opt-in to the file store: the flag, the env variable, the preference or a remembered choice.

    A corrupt preferences file counts as "not opted in" (its defaults), never as consent.
    """
    return (
        allow_file_store
        or file_store_opt_in_from_env()
        or read_preferences().preferences.plaintext_credentials_opt_in
        or bool(load_connections().get("insecure_file_store"))
    )


def make_vault(*, allow_file_store: bool = False) -> CredentialVault:
    """The vault for this profile; it falls back to the file store only when `file_store_opted_in`."""
    return CredentialVault(allow_file_store=file_store_opted_in(allow_file_store=allow_file_store))


def remember_store_choice(vault: CredentialVault) -> None:
    """Remember that tokens went to the file store, so later runs find them without the flag."""
    if vault.uses_file_store:
        update_connections(insecure_file_store=True)


def now() -> datetime:
    return datetime.now(UTC)
