"""Opening and closing the sync-state database: pragmas (WAL, busy timeout), the proxy binding, migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from peewee import DatabaseError, SqliteDatabase

from bigbooks_desktop.core.errors import ConfigurationError
from bigbooks_desktop.core.paths import database_path
from bigbooks_desktop.store.migrations import migrate
from bigbooks_desktop.store.rows import database_proxy

__all__ = ["PRAGMAS", "close_database", "current_database", "open_database", "transaction"]

PRAGMAS: dict[str, object] = {
    "journal_mode": "wal",      # readers never block the writer; a killed writer leaves a consistent file
    "synchronous": "normal",    # safe with WAL; a power cut may lose the last commit, never corrupt
    "foreign_keys": 1,
    "busy_timeout": 5000,       # ms to wait for another process's write lock before failing
}


def open_database(path: Path | None = None) -> SqliteDatabase:
    """Open (creating if needed) and migrate the database at `path` (default `core.paths.database_path()`).

    Binds every Row class to it. A database already open in this process is closed first.
    Raises ConfigurationError when the file is not a usable SQLite database or is from a newer app.
    """
    target = path if path is not None else database_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    close_database()
    # lock_type IMMEDIATE: every write transaction takes the write lock at BEGIN, so concurrent processes
    # wait on busy_timeout instead of failing with "database is locked" when a read upgrades to a write.
    db = SqliteDatabase(str(target), pragmas=PRAGMAS, lock_type="IMMEDIATE")
    try:
        db.connect()
        database_proxy.initialize(db)
        migrate(db, path=target)
    except DatabaseError as exc:
        _discard(db)
        raise ConfigurationError(
            f"The sync database {target} cannot be opened ({exc}). Restore a backup of it, or move it "
            "away to start with an empty sync state.", title="Database unusable") from exc
    except BaseException:
        _discard(db)
        raise
    return db


def close_database() -> None:
    """Close the open database, if any (all of this thread's connection)."""
    db = database_proxy.obj
    if db is not None:
        _discard(db)


def current_database() -> SqliteDatabase:
    """The open database; raises ConfigurationError when `open_database()` was not called."""
    db = database_proxy.obj
    if db is None:
        raise ConfigurationError("The sync database is not open.", title="Database not open")
    assert isinstance(db, SqliteDatabase)
    return db


@contextmanager
def transaction() -> Iterator[None]:
    """Group several store calls into one atomic write (nested use becomes a savepoint)."""
    with current_database().atomic():
        yield


def _discard(db: SqliteDatabase) -> None:
    if not db.is_closed():
        db.close()
    if database_proxy.obj is db:
        database_proxy.initialize(None)
