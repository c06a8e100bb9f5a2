"""User preferences: defaults, round trip, unknown keys kept, corrupt file gives defaults and a problem."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from bigbooks_desktop.core.errors import ConfigurationError
from bigbooks_desktop.core.paths import preferences_path
from bigbooks_desktop.core.preferences import (
    InvoiceMode,
    Preferences,
    load_preferences,
    read_preferences,
    save_preferences,
)


def test_defaults_when_missing() -> None:
    loaded = read_preferences()
    assert loaded.problem is None
    prefs = loaded.preferences
    assert prefs.poll_interval_seconds == 300 and prefs.concurrency == 4 and prefs.max_automatic_retries == 5
    assert prefs.invoice_mode is InvoiceMode.SENT and prefs.plaintext_credentials_opt_in is False
    assert prefs.backfill_start is None and prefs.close_to_tray is False


def test_round_trip_keeps_unknown_keys(bigbooks_home: Path) -> None:
    path = preferences_path()
    path.write_text(json.dumps({"from_a_newer_app": [1, 2], "concurrency": 2}), encoding="utf-8")
    prefs = load_preferences()
    assert prefs.concurrency == 2
    changed = prefs.model_copy(update={"backfill_start": date(2024, 1, 1), "invoice_mode": InvoiceMode.DRAFT})
    save_preferences(changed)
    assert load_preferences() == changed
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk["from_a_newer_app"] == [1, 2] and on_disk["backfill_start"] == "2024-01-01"
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".preferences-")] == []


def test_corrupt_file_gives_defaults_and_a_problem() -> None:
    path = preferences_path()
    path.write_text("{not json", encoding="utf-8")
    loaded = read_preferences()
    assert loaded.preferences == Preferences()
    assert isinstance(loaded.problem, ConfigurationError) and "not valid JSON" in loaded.problem.message
    path.write_text(json.dumps({"concurrency": "lots"}), encoding="utf-8")
    invalid = read_preferences()
    assert invalid.problem is not None and "concurrency" in invalid.problem.message
    save_preferences(Preferences())  # saving replaces the bad file
    assert read_preferences().problem is None
