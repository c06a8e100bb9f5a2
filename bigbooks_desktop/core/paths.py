"""Where the app keeps its files: the data folder (`BIGBOOKS_HOME` overrides platformdirs) and what lives in it."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from bigbooks_desktop import APP_NAME

__all__ = ["data_dir", "database_path", "log_dir", "preferences_path"]


def data_dir() -> Path:
    """The profile's data folder, created on first use. `BIGBOOKS_HOME` selects another profile."""
    override = os.environ.get("BIGBOOKS_HOME")
    path = Path(override).expanduser() if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path() -> Path:
    """The SQLite file holding sync state (links, cursors, intents, error queue, runs)."""
    return data_dir() / "bigbooks.sqlite3"


def preferences_path() -> Path:
    """User preferences (JSON), kept apart from sync state so either can be reset alone."""
    return data_dir() / "preferences.json"


def log_dir() -> Path:
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path
