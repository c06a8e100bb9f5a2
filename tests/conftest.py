"""Shared fixtures: offscreen Qt, an in-memory keychain and a fresh data folder for every test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
_LOCAL_REFERENCE = Path(__file__).resolve().parent / "reference"


def reference_dir() -> Path:
    """The API reference folder (tests/reference in the repo; ../shared/reference in a workspace)."""
    return _LOCAL_REFERENCE if _LOCAL_REFERENCE.is_dir() else REFERENCE


@pytest.fixture(autouse=True)
def bigbooks_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own data folder, so no test sees another's database or settings."""
    home = tmp_path / "bigbooks-home"
    home.mkdir()
    monkeypatch.setenv("BIGBOOKS_HOME", str(home))
    yield home


class InMemoryKeyring:
    """Stand-in keychain for tests (built lazily so importing conftest does not import keyring)."""

    @staticmethod
    def make() -> object:
        import keyring.backend
        import keyring.errors

        class _Backend(keyring.backend.KeyringBackend):
            priority = 1  # type: ignore[assignment]  # only ever installed explicitly

            def __init__(self) -> None:
                super().__init__()
                self.entries: dict[tuple[str, str], str] = {}

            def get_password(self, service: str, username: str) -> str | None:
                return self.entries.get((service, username))

            def set_password(self, service: str, username: str, password: str) -> None:
                self.entries[(service, username)] = password

            def delete_password(self, service: str, username: str) -> None:
                if self.entries.pop((service, username), None) is None:
                    raise keyring.errors.PasswordDeleteError(username)

        return _Backend()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[object]:
    """Every test gets an empty in-memory keychain; no test touches a real one."""
    import keyring

    previous = keyring.get_keyring()
    backend = InMemoryKeyring.make()
    keyring.set_keyring(backend)  # type: ignore[arg-type]
    yield backend
    keyring.set_keyring(previous)
