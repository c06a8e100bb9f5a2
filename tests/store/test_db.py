"""Opening the database: pragmas, migrations, backups, newer-version refusal, crash consistency."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from peewee import SqliteDatabase

from bigbooks_desktop.core.errors import ConfigurationError
from bigbooks_desktop.core.paths import database_path
from bigbooks_desktop.store import migrations
from bigbooks_desktop.store.cursors import get_cursor, set_cursor
from bigbooks_desktop.store.db import close_database, open_database
from bigbooks_desktop.store.intents import IntentKind, begin_intent, pending_intents


def test_opens_default_path_with_wal_and_pragmas(db: SqliteDatabase) -> None:
    assert Path(db.database) == database_path()
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert migrations.schema_version(db) == migrations.SCHEMA_VERSION
    assert {"order_link", "intent", "error", "sync_run"} <= set(db.get_tables())


def test_fresh_file_takes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    open_database(path)
    close_database()
    assert not list(tmp_path.glob("*.bak-v*"))


def test_old_version_migrates_after_backup(tmp_path: Path) -> None:
    path = tmp_path / "bigbooks.sqlite3"
    current = migrations.SCHEMA_VERSION
    open_database(path)
    set_cursor("orders", "2025-01-01")
    db = open_database(path)  # reopen: still at the current version, no backup
    assert not list(tmp_path.glob("*.bak-v*"))

    def step_next(database: SqliteDatabase) -> None:
        database.execute_sql('ALTER TABLE "cursor" ADD COLUMN "note" TEXT')

    backup = migrations.migrate(db, path=path, steps={**migrations.MIGRATION_STEPS, current + 1: step_next},
                                target=current + 1)
    assert backup == tmp_path / f"bigbooks.sqlite3.bak-v{current}"
    assert backup.exists()
    assert migrations.schema_version(db) == current + 1
    assert "note" in {c.name for c in db.get_columns("cursor")}
    assert get_cursor("orders") == "2025-01-01"
    with sqlite3.connect(backup) as copy:  # the backup is a complete database, WAL content included
        assert copy.execute("PRAGMA user_version").fetchone()[0] == current
        assert copy.execute('SELECT value FROM "cursor"').fetchall() == [("2025-01-01",)]
    close_database()


def test_a_version_1_database_gains_the_order_copy_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "bigbooks.sqlite3"
    db = open_database(path)
    close_database()
    with sqlite3.connect(path) as raw:                    # as version 1 left it: no order copy table
        raw.execute('DROP TABLE "order_copy"')
        raw.execute('INSERT INTO "cursor" ("stream", "value", "updated_at") '
                    "VALUES ('orders', 'x', '2025-01-01T00:00:00+00:00')")
        raw.execute("PRAGMA user_version = 1")
    db = open_database(path)
    assert migrations.schema_version(db) == migrations.SCHEMA_VERSION >= 2
    assert "order_copy" in db.get_tables() and get_cursor("orders") == "x"
    assert (tmp_path / "bigbooks.sqlite3.bak-v1").exists()
    close_database()


def test_failed_step_rolls_back_whole_version(tmp_path: Path) -> None:
    path = tmp_path / "bigbooks.sqlite3"
    db = open_database(path)
    current = migrations.SCHEMA_VERSION

    def broken_step(database: SqliteDatabase) -> None:
        database.execute_sql('CREATE TABLE "half_done" (x INTEGER)')
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        migrations.migrate(db, path=path, steps={**migrations.MIGRATION_STEPS, current + 1: broken_step},
                           target=current + 1)
    assert migrations.schema_version(db) == current
    assert "half_done" not in db.get_tables()
    close_database()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bigbooks.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {migrations.SCHEMA_VERSION + 1}")
    with pytest.raises(ConfigurationError, match="newer"):
        open_database(path)


def test_garbage_file_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "bigbooks.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(ConfigurationError, match="cannot be opened"):
        open_database(path)


def test_pending_intent_survives_unclean_close(tmp_path: Path) -> None:
    path = tmp_path / "bigbooks.sqlite3"
    open_database(path)
    first = begin_intent(IntentKind.INVOICE, "invoice:BC-100", order_id=100, run_id=1, payload={"n": 1})
    close_database()  # the process "dies" before complete_intent
    open_database(path)
    [left] = pending_intents()
    assert left.id == first.id and left.natural_key == "invoice:BC-100"
    again = begin_intent(IntentKind.INVOICE, "invoice:BC-100", order_id=100, run_id=2)
    assert again.id == first.id and again.resumed and again.run_id == 1
    close_database()
