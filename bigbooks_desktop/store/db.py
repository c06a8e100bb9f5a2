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

__all__ = ["PRAGMAS", "close_database", "current_database", "damaged_database_error", "open_database",
           "transaction"]

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
        raise damaged_database_error(exc, target) from exc
    except BaseException:
        _discard(db)
        raise
    return db


def damaged_database_error(exc: BaseException, path: Path | None = None) -> ConfigurationError:
    """The clear error for a sync database SQLite cannot read (random bytes, a truncated file, a damaged page
    met by a later query): what happened, which file, and what to do. `path`: the open database's file when
    not given."""
    if path is None:
        db = database_proxy.obj
        path = Path(db.database) if isinstance(db, SqliteDatabase) else database_path()
    backups = sorted(path.parent.glob(f"{path.name}.bak-v*"))
    restore = (f"restore the newest backup ({backups[-1]}: copy it over {path.name})" if backups
               else "restore a backup of it")
    return ConfigurationError(
        f"The sync database {path} cannot be opened: it is damaged ({exc}). Quit BigBooks, then {restore}, or "
        f"move it away (e.g. rename it to {path.name}.damaged) to start with an empty sync state (a sync "
        "from a date then links the invoices already in FreshBooks to their orders instead of creating them "
        "again).",
        title="Database unusable")


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
