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
