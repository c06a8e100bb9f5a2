"""The credential vault: keychain entries per profile, no-keychain refusal, the opt-in 0600 file store."""

from __future__ import annotations

import stat
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from bigbooks_desktop.connectors.credentials import (
    SERVICE_NAME,
    CredentialVault,
    FileSecretStore,
    keychain_service_name,
)
from bigbooks_desktop.core.errors import KeychainUnavailableError


@pytest.fixture
def no_keychain() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # restored by conftest's memory_keyring


def test_json_entry_round_trip_lands_in_the_keychain(memory_keyring: object) -> None:
    vault = CredentialVault()
    vault.set_json("freshbooks", {"access_token": "tok-abcdef", "n": 1})
    assert vault.get_json("freshbooks") == {"access_token": "tok-abcdef", "n": 1}
    assert (vault.service_name, "freshbooks") in memory_keyring.entries  # type: ignore[attr-defined]
    vault.delete("freshbooks")
    assert vault.get_json("freshbooks") is None
    vault.delete("freshbooks")  # deleting twice is fine


def test_profiles_use_separate_service_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    first = keychain_service_name()
    monkeypatch.setenv("BIGBOOKS_HOME", str(tmp_path / "other"))
    second = keychain_service_name()
    assert first != second and first.startswith(SERVICE_NAME) and second.startswith(SERVICE_NAME)
    monkeypatch.delenv("BIGBOOKS_HOME")
    assert keychain_service_name() == SERVICE_NAME


@pytest.mark.usefixtures("no_keychain")
def test_no_keychain_refuses_plainly_and_writes_no_file(bigbooks_home: Path) -> None:
    vault = CredentialVault()
    with pytest.raises(KeychainUnavailableError) as caught:
        vault.set_json("bigcommerce", {"access_token": "secret-token-123"})
    assert "no secure password store" in caught.value.message
    assert "--insecure-file-store" in caught.value.message
    assert "secret-token-123" not in str(caught.value)
    with pytest.raises(KeychainUnavailableError):
        vault.get_json("bigcommerce")
    assert not any(bigbooks_home.rglob("secrets*"))


@pytest.mark.usefixtures("no_keychain")
def test_opt_in_file_store_is_0600_and_sign_out_removes_it(bigbooks_home: Path) -> None:
    vault = CredentialVault(allow_file_store=True)
    assert vault.uses_file_store
    vault.set_json("bigcommerce", {"access_token": "secret-token-123"})
    path = bigbooks_home / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert vault.get_json("bigcommerce") == {"access_token": "secret-token-123"}
    vault.delete("bigcommerce")
    assert not path.exists()


@pytest.mark.usefixtures("no_keychain")
def test_env_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIGBOOKS_ALLOW_FILE_SECRETS", "1")
    vault = CredentialVault()
    vault.set("k", "v")
    assert vault.get("k") == "v"
    assert "INSECURE" in vault.backend_description()


def test_file_store_replaces_atomically(tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    store = FileSecretStore(path=folder / "s.json")
    store.set("a", "1")
    store.set("b", "2")
    assert store.get("a") == "1" and store.get("b") == "2"
    assert [p.name for p in folder.iterdir()] == ["s.json"]  # no temp files left behind


def test_repr_shows_no_secret() -> None:
    vault = CredentialVault()
    vault.set("freshbooks", "very-secret-value")
    assert "very-secret-value" not in repr(vault)


@pytest.mark.asyncio
async def test_async_wrappers() -> None:
    vault = CredentialVault()
    await vault.aset_json("x", {"a": 1})
    assert await vault.aget_json("x") == {"a": 1}
    await vault.adelete("x")
    assert await vault.aget_json("x") is None
