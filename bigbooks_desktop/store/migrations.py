"""The schema's version history: `SCHEMA_VERSION`, one atomic step per version, a backup before migrating.

The version lives in SQLite's `PRAGMA user_version`, which is written inside each step's transaction, so a
process killed mid-migration leaves the file at the previous version with none of the step's changes.
Steps after version 1 must use explicit SQL (or playhouse.migrate), never today's Row classes, because a
step has to build the schema as it was at its own version.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path

from peewee import SqliteDatabase

from bigbooks_desktop.core.errors import ConfigurationError
from bigbooks_desktop.store.rows import ALL_ROWS

__all__ = [
    "MIGRATION_STEPS",
    "SCHEMA_VERSION",
    "MigrationStep",
    "backup_path_for",
    "migrate",
    "schema_version",
]

MigrationStep = Callable[[SqliteDatabase], None]

SCHEMA_VERSION = 6


def _step_1_initial_schema(db: SqliteDatabase) -> None:
    """Version 1: every table of sync state, and the partial unique indexes peewee cannot declare."""
    later = ("OrderCopyRow", "ErrorFixRow",                   # later steps' tables
             "MappingProfileVersionRow", "MappingProfileActivationRow", "EntityStateRow")
    version_1 = tuple(row for row in ALL_ROWS if row.__name__ not in later)
    with db.bind_ctx(version_1):
        db.create_tables(version_1)
    _execute(db,
        'CREATE UNIQUE INDEX IF NOT EXISTS "intent_pending_key" ON "intent" ("kind", "natural_key") '
        "WHERE \"state\" = 'pending'")
    _execute(db, 'CREATE INDEX IF NOT EXISTS "intent_state" ON "intent" ("state")')
    _execute(db,
        'CREATE UNIQUE INDEX IF NOT EXISTS "error_active_order_stage" ON "error" ("order_id", "stage") '
        "WHERE \"status\" IN ('open', 'retrying', 'waiting')")
    _execute(db, 'CREATE INDEX IF NOT EXISTS "error_next_retry_at" ON "error" ("next_retry_at")')


def _step_2_order_copy(db: SqliteDatabase) -> None:
    """Version 2: the local copy of each order beside its invoice (store.order_copies)."""
    _execute(db, 'CREATE TABLE IF NOT EXISTS "order_copy" ('
                 '"order_id" INTEGER NOT NULL PRIMARY KEY, "date_created" TEXT NOT NULL, '
                 '"date_modified" TEXT NOT NULL, "status_id" INTEGER NOT NULL, "status" TEXT NOT NULL, '
                 '"customer" TEXT NOT NULL, "email" TEXT NOT NULL, "currency" TEXT NOT NULL, '
                 '"total" TEXT NOT NULL, "tax" TEXT NOT NULL, "refunded" TEXT NOT NULL, '
                 '"invoice_id" INTEGER, "invoice_number" TEXT, "invoice_amount" TEXT, "invoice_tax" TEXT, '
                 '"state" TEXT NOT NULL, "note" TEXT NOT NULL, "updated_at" TEXT NOT NULL)')
    _execute(db, 'CREATE INDEX IF NOT EXISTS "order_copy_date_created" ON "order_copy" ("date_created")')
    _execute(db, 'CREATE INDEX IF NOT EXISTS "order_copy_state" ON "order_copy" ("state")')


def _step_3_inbox_causes_and_fixes(db: SqliteDatabase) -> None:
    """Version 3: each inbox row's cause as data (`error.cause`), and the history of what was done about it
    (`error_fix`: fixes, retries, ignores with their reasons)."""
    columns = {str(row[1]) for row in _execute(db, 'PRAGMA table_info("error")').fetchall()}
    if "cause" not in columns:     # step 1 builds today's ErrorRow, which already has it
        _execute(db, """ALTER TABLE "error" ADD COLUMN "cause" TEXT NOT NULL DEFAULT '{}'""")
    _execute(db, 'CREATE TABLE IF NOT EXISTS "error_fix" ('
                 '"id" INTEGER NOT NULL PRIMARY KEY, "error_id" INTEGER NOT NULL, "order_id" INTEGER, '
                 '"at" TEXT NOT NULL, "actor" TEXT NOT NULL, "action" TEXT NOT NULL, "text" TEXT NOT NULL, '
                 '"details" TEXT NOT NULL)')
    _execute(db, 'CREATE INDEX IF NOT EXISTS "error_fix_error_id" ON "error_fix" ("error_id")')
    _execute(db, 'CREATE INDEX IF NOT EXISTS "error_fix_order_id" ON "error_fix" ("order_id")')


def _step_4_order_copy_detail(db: SqliteDatabase) -> None:
    """Version 4: each order copy keeps both records line by line (`detail`, JSON) and the pipeline's result
    word (`outcome`); indexes so the orders tables sort 100,000 copies by any column in SQL. Money is stored
    as text, so its indexes are on the numeric value (`CAST(... AS REAL)`, only an ordering, never an
    amount shown); the queries in store.order_copies use the very same expressions."""
    _execute(db, 'ALTER TABLE "order_copy" ADD COLUMN "outcome" TEXT NOT NULL DEFAULT \'\'')
    _execute(db, 'ALTER TABLE "order_copy" ADD COLUMN "detail" TEXT NOT NULL DEFAULT \'{}\'')
    for name, expression in (("customer", '"customer" COLLATE NOCASE'), ("email", '"email" COLLATE NOCASE'),
                             ("currency", '"currency"'), ("status", '"status" COLLATE NOCASE'),
                             ("total", 'CAST("total" AS REAL)'), ("refunded", 'CAST("refunded" AS REAL)'),
                             ("invoice_amount", 'CAST("invoice_amount" AS REAL)'),
                             ("invoice_number", 'length("invoice_number"), "invoice_number"'),
                             ("invoice_id", '"invoice_id"')):
        _execute(db, f'CREATE INDEX IF NOT EXISTS "order_copy_sort_{name}" ON "order_copy" ({expression})')


def _step_5_mapping_profiles(db: SqliteDatabase) -> None:
    """Version 5: mapping profiles stored with their version history (`mapping_profile_version`), which version
    is in use and when it was put in use (`mapping_profile_activation`, newest row wins), and the version that
    wrote each invoice (`order_link.profile_version`, empty for invoices written before)."""
    columns = {str(row[1]) for row in _execute(db, 'PRAGMA table_info("order_link")').fetchall()}
    if "profile_version" not in columns:     # step 1 builds today's OrderLinkRow, which already has it
        _execute(db, 'ALTER TABLE "order_link" ADD COLUMN "profile_version" INTEGER')
    _execute(db, 'CREATE TABLE IF NOT EXISTS "mapping_profile_version" ('
                 '"id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT NOT NULL, "version" INTEGER NOT NULL, '
                 '"json" TEXT NOT NULL, "created_at" TEXT NOT NULL, "note" TEXT NOT NULL, '
                 '"created_by" TEXT NOT NULL)')
    _execute(db, 'CREATE UNIQUE INDEX IF NOT EXISTS "mapping_profile_version_name_version" '
                 'ON "mapping_profile_version" ("name", "version")')
    _execute(db, 'CREATE TABLE IF NOT EXISTS "mapping_profile_activation" ('
                 '"id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT NOT NULL, "version" INTEGER NOT NULL, '
                 '"at" TEXT NOT NULL, "created_by" TEXT NOT NULL, "note" TEXT NOT NULL)')


def _step_6_entity_state(db: SqliteDatabase) -> None:
    """Version 6: catalog and customer sync's baseline per FreshBooks item and client (`entity_state`), and inbox
    rows about an item or a client rather than an order (`error.subject`, e.g. "item:SKU-1")."""
    _execute(db, 'CREATE TABLE IF NOT EXISTS "entity_state" ('
                 '"id" INTEGER NOT NULL PRIMARY KEY, "kind" TEXT NOT NULL, "key" TEXT NOT NULL, '
                 '"object_id" INTEGER NOT NULL, "source_id" INTEGER NOT NULL, "values" TEXT NOT NULL, '
                 '"source_modified" TEXT, "state" TEXT NOT NULL, "synced_at" TEXT NOT NULL)')
    _execute(db, 'CREATE UNIQUE INDEX IF NOT EXISTS "entity_state_kind_key" ON "entity_state" ("kind", "key")')
    columns = {str(row[1]) for row in _execute(db, 'PRAGMA table_info("error")').fetchall()}
    if "subject" not in columns:          # step 1 builds today's ErrorRow, which already has it
        _execute(db, 'ALTER TABLE "error" ADD COLUMN "subject" TEXT')
    _execute(db, 'CREATE INDEX IF NOT EXISTS "error_subject" ON "error" ("subject")')


# Key: the version the step brings the database to.
MIGRATION_STEPS: Mapping[int, MigrationStep] = {
    1: _step_1_initial_schema,
    2: _step_2_order_copy,
    3: _step_3_inbox_causes_and_fixes,
    4: _step_4_order_copy_detail,
    5: _step_5_mapping_profiles,
    6: _step_6_entity_state,
}


def schema_version(db: SqliteDatabase) -> int:
    """The version the database file is at (0 for a new, empty file)."""
    row = _execute(db, "PRAGMA user_version").fetchone()
    return int(row[0]) if row else 0


def backup_path_for(path: Path, version: int) -> Path:
    """Where the copy taken before migrating from `version` goes: `bigbooks.sqlite3.bak-v{version}`."""
    return path.with_name(f"{path.name}.bak-v{version}")


def migrate(db: SqliteDatabase, *, path: Path | None, steps: Mapping[int, MigrationStep] = MIGRATION_STEPS,
            target: int = SCHEMA_VERSION) -> Path | None:
    """Bring `db` to `target`, one atomic step per version. Returns the backup file written, if any.

    A file that already holds data is copied (SQLite's online backup, so WAL content is included) to
    `backup_path_for(path, old_version)` before the first step runs.
    """
    version = schema_version(db)
    if version > target:
        raise ConfigurationError(
            f"The database {path or ''} was written by a newer BigBooks Desktop (schema {version}, "
            f"this version knows {target}). Update the app, or restore a backup of the file.",
            title="Database is from a newer version")
    if version == target:
        return None
    missing = [v for v in range(version + 1, target + 1) if v not in steps]
    if missing:
        raise ConfigurationError(f"No migration step for schema version(s) {missing}.",
                                 title="Database cannot be upgraded")
    backup: Path | None = None
    if path is not None and _holds_data(db):
        backup = backup_path_for(path, version)
        _copy_database(db, backup)
    for next_version in range(version + 1, target + 1):
        # IMMEDIATE: take the write lock first, then re-read the version, so two processes opening the same
        # file at once cannot both run a step.
        with db.atomic("IMMEDIATE"):
            if schema_version(db) >= next_version:
                continue
            steps[next_version](db)
            _execute(db, f"PRAGMA user_version = {int(next_version)}")
    return backup


def _execute(db: SqliteDatabase, sql: str) -> sqlite3.Cursor:
    cursor: sqlite3.Cursor = db.execute_sql(sql)  # type: ignore[no-untyped-call]  # stubs leave it untyped
    return cursor


def _holds_data(db: SqliteDatabase) -> bool:
    return bool(db.get_tables())


def _copy_database(db: SqliteDatabase, destination: Path) -> None:
    source: sqlite3.Connection = db.connection()  # type: ignore[no-untyped-call]  # stubs leave it untyped
    target = sqlite3.connect(str(destination))
    try:
        source.backup(target)
    finally:
        target.close()
