"""Both services at once: who is signed in where (`status`, local state only) and signing out."""

from __future__ import annotations

import asyncio
from typing import Any

from bigbooks_desktop.accounts.clients import drop_shared_auth, live_freshbooks_auth
from bigbooks_desktop.accounts.connections import (
    AccountsStatus,
    bigcommerce_status,
    freshbooks_status,
    load_connections,
    update_connections,
)
from bigbooks_desktop.accounts.vault import make_vault
from bigbooks_desktop.core import paths
from bigbooks_desktop.core.errors import KeychainUnavailableError, ValidationError

__all__ = ["SERVICES", "sign_out", "status"]

SERVICES = ("bigcommerce", "freshbooks")


async def sign_out(service: str, *, allow_file_store: bool = False) -> None:
    """Forget a service's tokens (keychain and opt-in file) and its connection settings; "all" for both."""
    targets = SERVICES if service == "all" else (service,)
    if any(t not in SERVICES for t in targets):
        raise ValidationError(
            f"Unknown service {service!r}; use bigcommerce, freshbooks or all.", field="service"
        )
    vault = make_vault(allow_file_store=allow_file_store)
    for target in targets:
        await vault.adelete(target)
        update_connections(**{target: None})
    drop_shared_auth(vault)
    if service == "all":
        update_connections(sandbox=None)


async def status(*, allow_file_store: bool = False) -> AccountsStatus:
    """Who is signed in where and the token health, from local state only (no network)."""
    conn = load_connections()
    vault = make_vault(allow_file_store=allow_file_store)
    entries: dict[str, dict[str, Any] | None] = {}
    problem = ""
    for service in SERVICES:
        try:
            entries[service] = await vault.aget_json(service)
        except KeychainUnavailableError as exc:
            entries[service], problem = None, exc.message
    auth = live_freshbooks_auth(vault)
    fb_entry = entries["freshbooks"]
    if auth is not None and fb_entry is not None:  # the live pair may be newer than what we just read
        fb_entry = {**fb_entry, "expires_at": auth.expires_at.isoformat()}
    # Probing the keyring backend can block (D-Bus), so it runs off the event loop too.
    keychain, available, file_store = await asyncio.to_thread(
        lambda: (vault.backend_description(), vault.keychain_available(), vault.uses_file_store)
    )
    return AccountsStatus(
        bigcommerce=bigcommerce_status(conn, entries["bigcommerce"], problem),
        freshbooks=freshbooks_status(conn, fb_entry, problem),
        keychain=keychain,
        keychain_available=available,
        insecure_file_store=file_store,
        data_dir=str(paths.data_dir()),
    )
