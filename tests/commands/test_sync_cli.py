"""The sync, inbox and runs verbs: JSON shapes and exit codes."""

from __future__ import annotations

import json

import pytest

from bigbooks_desktop.cli import main


def test_sync_without_sign_in_exits_non_zero_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sync", "--once", "--json"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3
    assert err[-1].startswith("error: ") and "BigCommerce" in err[-1]


def test_inbox_list_and_runs_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inbox", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["runs", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_inbox_retry_needs_an_id_or_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inbox", "retry"]) == 2
