"""A fresh sync database per test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from bigbooks_desktop.store.db import close_database, open_database

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(bigbooks_home: Path) -> Iterator[SqliteDatabase]:
    database = open_database()
    yield database
    close_database()
