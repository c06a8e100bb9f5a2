"""Stored mapping profiles: versions per name, identical saves, what is in use, restore, and migration step 5."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from peewee import IntegrityError, SqliteDatabase

from bigbooks_desktop.core.profile_views import ProfileAuthor
from bigbooks_desktop.store import links, migrations
from bigbooks_desktop.store import profiles as stored
from bigbooks_desktop.store.db import close_database, open_database

from .conftest import NOW

WINDOW, CLI = ProfileAuthor.WINDOW, ProfileAuthor.CLI


def test_versions_count_per_name_and_an_identical_save_adds_none(db: SqliteDatabase) -> None:
    first, written = stored.save_profile_version(name="Retail", json='{"a": 1}', note="first", created_by=WINDOW)
    assert (first.version, written) == (1, True)
    again, written = stored.save_profile_version(name="Retail", json='{"a": 1}', note="again", created_by=CLI)
    assert (again.version, again.note, written) == (1, "first", False)
    second, written = stored.save_profile_version(name="Retail", json='{"a": 2}', note="", created_by=CLI)
    assert (second.version, second.created_by, written) == (2, CLI, True)
    back, written = stored.save_profile_version(name="Retail", json='{"a": 1}', note="", created_by=CLI)
    assert (back.version, written) == (3, True)          # same as v1 but not as the newest: a new version
    other, _ = stored.save_profile_version(name="Wholesale", json='{"a": 1}', note="", created_by=WINDOW)
    assert other.version == 1
    assert [v.version for v in stored.list_profile_versions("Retail")] == [3, 2, 1]
    assert [(s.name, s.latest_version, s.versions) for s in stored.list_profiles()] == [
        ("Retail", 3, 3), ("Wholesale", 1, 1)]
    assert stored.get_profile_version("Retail", 2) == second
    assert stored.get_profile_version("Retail") == back
    assert stored.get_profile_version("Retail", 9) is None and stored.get_profile_version("Nope") is None


def test_one_version_in_use_and_each_activation_recorded(db: SqliteDatabase) -> None:
    assert stored.active_profile_version() is None and stored.active_activation() is None
    stored.save_profile_version(name="Retail", json="{}", note="", created_by=WINDOW)
    stored.save_profile_version(name="Retail", json='{"b": 1}', note="", created_by=WINDOW)
    stored.activate_profile_version("Retail", 1, created_by=WINDOW, now=NOW)
    assert stored.active_profile_version() == stored.get_profile_version("Retail", 1)
    stored.activate_profile_version("Retail", 1, created_by=CLI)          # already in use: not recorded again
    stored.activate_profile_version("Retail", 2, created_by=CLI, note="try it")
    assert [(a.version, a.created_by, a.note) for a in stored.list_activations()] == [
        (2, CLI, "try it"), (1, WINDOW, "")]
    with pytest.raises(LookupError):
        stored.activate_profile_version("Retail", 7, created_by=CLI)
    active = stored.active_activation()
    assert active is not None and active.version == 2


def test_restore_adds_a_version_with_the_old_json_and_puts_it_in_use(db: SqliteDatabase) -> None:
    stored.save_profile_version(name="Retail", json='{"v": 1}', note="", created_by=WINDOW)
    stored.save_profile_version(name="Retail", json='{"v": 2}', note="", created_by=WINDOW)
    stored.activate_profile_version("Retail", 2, created_by=WINDOW)
    restored = stored.restore_profile_version("Retail", 1, created_by=CLI)
    assert (restored.version, restored.json, restored.note) == (3, '{"v": 1}', "restored from v1")
    assert stored.active_profile_version() == restored
    assert stored.list_activations()[0].note == "restored from v1"
    again = stored.restore_profile_version("Retail", 1, created_by=CLI)     # v3 has that JSON already
    assert again.version == 3 and len(stored.list_profile_versions("Retail")) == 3
    with pytest.raises(LookupError):
        stored.restore_profile_version("Retail", 8, created_by=CLI)


def test_order_links_keep_the_version_that_wrote_them(db: SqliteDatabase) -> None:
    def save(version: int | None) -> links.OrderLink:
        return links.save_order_link(order_id=5, invoice_id=9, invoice_number="BC-5", account_id="acc",
                                     fingerprint="f", order_date_modified=NOW, profile_version=version)

    assert save(None).profile_version is None
    assert save(2).profile_version == 2
    assert save(None).profile_version == 2           # a later save that does not know keeps it
    assert save(3).profile_version == 3
    assert links.get_order_links([5])[5].profile_version == 3


def test_a_version_4_database_gains_stored_profiles_keeping_its_links(tmp_path: Path) -> None:
    path = tmp_path / "bigbooks.sqlite3"
    open_database(path)
    close_database()
    with sqlite3.connect(path) as raw:                   # as version 4 left it
        raw.execute('DROP TABLE "mapping_profile_version"')
        raw.execute('DROP TABLE "mapping_profile_activation"')
        raw.execute('ALTER TABLE "order_link" DROP COLUMN "profile_version"')
        raw.execute('INSERT INTO "order_link" ("order_id", "invoice_id", "invoice_number", "account_id", '
                    '"fingerprint", "status", "created_at", "updated_at") VALUES (7, 70, \'BC-7\', \'acc\', '
                    "'f', 'synced', '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00')")
        raw.execute("PRAGMA user_version = 4")
    db = open_database(path)
    try:
        assert migrations.schema_version(db) == migrations.SCHEMA_VERSION >= 5
        assert {"mapping_profile_version", "mapping_profile_activation"} <= set(db.get_tables())
        kept = links.get_order_link(7)
        assert kept is not None and kept.invoice_number == "BC-7" and kept.profile_version is None
        assert (tmp_path / "bigbooks.sqlite3.bak-v4").exists()
        saved, _ = stored.save_profile_version(name="Retail", json="{}", note="", created_by=WINDOW)
        assert saved.version == 1
        with pytest.raises(IntegrityError, match="UNIQUE"):       # one row per (name, version), in SQL too
            db.execute_sql('INSERT INTO "mapping_profile_version" ("name", "version", "json", "created_at", '
                           "\"note\", \"created_by\") VALUES ('Retail', 1, '{}', 'x', '', 'cli')")
    finally:
        close_database()
