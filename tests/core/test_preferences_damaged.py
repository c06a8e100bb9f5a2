"""core.preferences: a damaged preferences file is kept aside as `<name>.damaged-<time>`, defaults used."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bigbooks_desktop.core.preferences import Preferences, read_preferences, set_damaged_preferences_aside


@pytest.mark.parametrize(("content", "reason"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not text"),
    (b"{\"poll_interval_seconds\": ", "not valid JSON"),
    (b"[1, 2]", "does not hold a JSON object"),
    (b"{\"concurrency\": 0}", "invalid: concurrency"),
    (b"[" * 100_000, "nested too deeply"),
])
def test_damaged_files_are_set_aside_with_a_message(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "preferences.json"
    path.write_bytes(content)
    assert read_preferences(path).preferences == Preferences()          # never a raw exception
    problem = set_damaged_preferences_aside(path, now=datetime(2026, 11, 29, 22, 30, 5))
    assert problem is not None and reason in problem.message
    aside = tmp_path / "preferences.json.damaged-20261129-223005"
    assert aside.read_bytes() == content and not path.exists()
    assert str(path) in problem.message and str(aside) in problem.message
    assert set_damaged_preferences_aside(path) is None                  # said once


def test_a_good_or_missing_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "preferences.json"
    assert set_damaged_preferences_aside(path) is None
    path.write_text('{"concurrency": 3}', encoding="utf-8")
    assert set_damaged_preferences_aside(path) is None and path.exists()
