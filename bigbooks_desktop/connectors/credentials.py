"""The credential vault: tokens in the OS keychain (one JSON entry per service); a 0600 file only on opt-in.

Entries live under the keychain service name "BigBooks Desktop" for the default data folder, and
"BigBooks Desktop [<profile id>]" when `BIGBOOKS_HOME` points elsewhere, so profiles never share tokens.
Each entry is a single JSON document written with one `set_password` call, so a pair of tokens is
replaced as a whole or not at all.

With no secure backend (keyring's `fail` backend, or `NoKeyringError` on use) the vault raises
`KeychainUnavailableError`. It never falls back to plaintext by itself: the file store is used only when
the caller opts in (`allow_file_store=True`, the CLI's `--insecure-file-store`, env
`BIGBOOKS_ALLOW_FILE_SECRETS=1`; `accounts.make_vault` adds the `plaintext_credentials_opt_in` preference
and the remembered choice in `connections.json`).

Keyring calls block (D-Bus, Keychain Services), so async code uses the `a*` methods, which run in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import keyring
import keyring.errors

from bigbooks_desktop.core import paths
from bigbooks_desktop.core.errors import KeychainUnavailableError

__all__ = [
    "ALLOW_FILE_SECRETS_ENV",
    "SERVICE_NAME",
    "CredentialVault",
    "FileSecretStore",
    "file_store_opt_in_from_env",
    "keychain_service_name",
]

SERVICE_NAME = "BigBooks Desktop"
ALLOW_FILE_SECRETS_ENV = "BIGBOOKS_ALLOW_FILE_SECRETS"
SECRETS_FILE_NAME = "secrets.json"

_NO_KEYCHAIN_MESSAGE = (
    "This computer has no secure password store (keychain) that BigBooks Desktop can use, so it cannot "
    "keep your sign-in tokens safely. Start a desktop session with a keychain (GNOME Keyring, KWallet, "
    "macOS Keychain, Windows Credential Manager), or, if you accept tokens in a plain file readable only "
    "by your user account, run the command again with --insecure-file-store "
    f"(or set {ALLOW_FILE_SECRETS_ENV}=1)."
)


def file_store_opt_in_from_env() -> bool:
    return os.environ.get(ALLOW_FILE_SECRETS_ENV, "").strip().lower() in {"1", "true", "yes"}


def keychain_service_name() -> str:
    """The keychain service for this profile: plain for the default data folder, tagged for others."""
    if not os.environ.get("BIGBOOKS_HOME"):
        return SERVICE_NAME
    profile = hashlib.sha256(str(paths.data_dir().resolve()).encode()).hexdigest()[:12]
    return f"{SERVICE_NAME} [{profile}]"


def _keychain_usable() -> bool:
    backend = keyring.get_keyring()
    module = type(backend).__module__
    if module.startswith("keyring.backends.fail"):
        return False
    # The chainer with nothing behind it is as good as no keychain.
    if module.startswith("keyring.backends.chainer") and not getattr(backend, "backends", None):
        return False
    return True


class FileSecretStore:
    """Opt-in plaintext store: one JSON file, mode 0600, replaced atomically on every write."""

    def __init__(self, *, path: Path | None = None) -> None:
        self.path = path or paths.data_dir() / SECRETS_FILE_NAME
        self._lock = threading.Lock()

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _write(self, data: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".secrets-", dir=self.path.parent)
        try:
            os.chmod(tmp, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        os.chmod(self.path, 0o600)

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._read().get(key)

    def set(self, key: str, value: str) -> None:
        with self._lock:
            data = self._read()
            data[key] = value
            self._write(data)

    def delete(self, key: str) -> None:
        with self._lock:
            data = self._read()
            if data.pop(key, None) is not None:
                if data:
                    self._write(data)
                else:
                    self.path.unlink(missing_ok=True)


class CredentialVault:
    """Reads and writes one JSON secret entry per key ("bigcommerce", "freshbooks")."""

    def __init__(self, *, allow_file_store: bool = False, service_name: str | None = None) -> None:
        self.service_name = service_name or keychain_service_name()
        self.allow_file_store = allow_file_store or file_store_opt_in_from_env()
        self._file: FileSecretStore | None = None

    def __repr__(self) -> str:
        return f"CredentialVault(backend={self.backend_description()!r})"

    # -- backend choice ------------------------------------------------------------------------------
    @staticmethod
    def keychain_available() -> bool:
        return _keychain_usable()

    @property
    def uses_file_store(self) -> bool:
        return not _keychain_usable() and self.allow_file_store

    def backend_description(self) -> str:
        if _keychain_usable():
            backend = keyring.get_keyring()
            return f"OS keychain ({type(backend).__module__}.{type(backend).__name__})"
        if self.allow_file_store:
            return "INSECURE file store (opted in)"
        return "none (no keychain)"

    def _file_store(self) -> FileSecretStore:
        if self._file is None:
            self._file = FileSecretStore()
        return self._file

    def _unavailable(self) -> KeychainUnavailableError:
        return KeychainUnavailableError(_NO_KEYCHAIN_MESSAGE)

    # -- raw strings ---------------------------------------------------------------------------------
    def get(self, key: str) -> str | None:
        if not _keychain_usable():
            if self.allow_file_store:
                return self._file_store().get(key)
            raise self._unavailable()
        try:
            value: str | None = keyring.get_password(self.service_name, key)
        except keyring.errors.NoKeyringError as exc:
            raise self._unavailable() from exc
        except keyring.errors.KeyringError as exc:
            raise KeychainUnavailableError(
                f"The keychain refused to read the {key} sign-in ({type(exc).__name__}). "
                "Unlock the keychain and try again."
            ) from exc
        return value

    def set(self, key: str, value: str) -> None:
        if not _keychain_usable():
            if self.allow_file_store:
                self._file_store().set(key, value)
                return
            raise self._unavailable()
        try:
            keyring.set_password(self.service_name, key, value)
        except keyring.errors.NoKeyringError as exc:
            raise self._unavailable() from exc
        except keyring.errors.KeyringError as exc:
            raise KeychainUnavailableError(
                f"The keychain refused to save the {key} sign-in ({type(exc).__name__}). "
                "Unlock the keychain and try again."
            ) from exc

    def delete(self, key: str) -> None:
        """Remove an entry from wherever it is (keychain and opt-in file); missing is fine."""
        if _keychain_usable():
            try:
                keyring.delete_password(self.service_name, key)
            except keyring.errors.PasswordDeleteError:
                pass
            except keyring.errors.NoKeyringError as exc:
                raise self._unavailable() from exc
        elif not self.allow_file_store:
            raise self._unavailable()
        store = self._file_store()
        if store.path.exists():
            store.delete(key)

    # -- JSON entries --------------------------------------------------------------------------------
    def get_json(self, key: str) -> dict[str, Any] | None:
        raw = self.get(key)
        if not raw:
            return None
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            return None  # unreadable entry: treated as not signed in (the text is never echoed)
        return data if isinstance(data, dict) else None

    def set_json(self, key: str, data: dict[str, Any]) -> None:
        self.set(key, json.dumps(data, separators=(",", ":")))

    # -- async wrappers (keyring blocks) -------------------------------------------------------------
    async def aget_json(self, key: str) -> dict[str, Any] | None:
        return await asyncio.to_thread(self.get_json, key)

    async def aset_json(self, key: str, data: dict[str, Any]) -> None:
        await asyncio.to_thread(self.set_json, key, data)

    async def adelete(self, key: str) -> None:
        await asyncio.to_thread(self.delete, key)
