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


@pytest.mark.sockets
def test_json_outputs_keep_their_field_names(capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """`--json` is for scripts: the typed views keep the field names the verbs printed before them."""
    from bigbooks_desktop import accounts
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread

    def run(*argv: str) -> object:
        accounts.forget_shared_auth()
        assert main(list(argv)) == 0
        return json.loads(capsys.readouterr().out)

    monkeypatch.setenv("BIGBOOKS_ALLOW_FILE_SECRETS", "1")
    with SandboxThread(SandboxConfig(orders=40, seed=7, time_scale=1000)) as sandbox:   # order 106: no email
        assert main(["connect", "sandbox", sandbox.info["admin_url"]]) == 0
        capsys.readouterr()
        summary = run("sync", "--once", "--since", "2000-01-01", "--json")
        status = run("status", "--json")
        runs = run("runs", "--json")
        inbox = run("inbox", "list", "--json")
    assert isinstance(summary, dict) and list(summary) == [
        "run_id", "mode", "status", "dry_run", "started_at", "finished_at", "counts", "results", "failed",
        "inbox_active", "cursor", "problem", "problem_kind", "note", "api_calls", "planned", "planned_totals",
        "skipped", "first_run", "inbox_records"]
    assert summary["counts"]["invoices_created"] > 0 and "taxes_created" in summary["counts"]   # extras inline
    assert summary["started_at"].endswith("+00:00") or summary["started_at"][-6] in "+-"
    assert isinstance(status, dict) and list(status) == [
        "bigcommerce", "freshbooks", "keychain", "keychain_available", "insecure_file_store", "data_dir",
        "freshbooks_tax_rounding"]
    assert list(status["freshbooks"]) == [
        "service", "connected", "account_name", "account_id", "user_email", "plan", "method", "base_url",
        "token_expires_at", "last_refresh_at", "refresh_interrupted", "problem"]
    assert status["freshbooks_tax_rounding"] == {"rule": "line-half-up", "learned": status[
        "freshbooks_tax_rounding"]["learned"]}
    assert isinstance(runs, list) and list(runs[0])[:7] == [
        "id", "mode", "status", "started_at", "finished_at", "counts", "error"]
    assert len(runs[0]["orders_created"]) == runs[0]["counts"]["invoices_created"]
    assert isinstance(inbox, list) and inbox and list(inbox[0]) == [
        "id", "order_id", "stage", "kind", "title", "message", "status", "attempts", "next_retry_at", "edits",
        "created_at", "updated_at", "subject"]
