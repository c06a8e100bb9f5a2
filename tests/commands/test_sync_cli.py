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


@pytest.mark.sockets
def test_sync_text_output_is_short_and_names_the_orders_that_need_attention(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread

    monkeypatch.setenv("BIGBOOKS_ALLOW_FILE_SECRETS", "1")
    with SandboxThread(SandboxConfig(orders=60, seed=7, time_scale=1000)) as sandbox:
        assert main(["connect", "sandbox", sandbox.info["admin_url"]]) == 0
        capsys.readouterr()
        assert main(["sync", "--once", "--since", "2000-01-01"]) == 0
    out = capsys.readouterr()
    progress = [line for line in out.err.splitlines() if line.strip().startswith("syncing:")]
    assert 0 < len(progress) <= 12, "progress is throttled to a line per 10 % when stderr is not a terminal"
    assert out.out.startswith("Run 1 finished:")
    failures = [line for line in out.err.splitlines() if line.strip().startswith("order ")]
    assert failures and all("email" in line for line in failures), out.err   # seed 7 has orders without email
