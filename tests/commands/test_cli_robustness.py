"""Issue 11, robustness of the command line: mistyped verbs exit 2 with argparse's message, a network failure
while the first run looks for hand-entered invoices exits 4 (not 3, "not signed in"), and a damaged database
or preferences file gives a clear message saying what happened, which file and what to do."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bigbooks_desktop.cli import main
from bigbooks_desktop.commands.service_runner import EXIT_AUTH, EXIT_CONFIG, EXIT_FAILED, EXIT_NETWORK
from bigbooks_desktop.commands.sync import exit_code
from bigbooks_desktop.core import views as v

# -- mistyped verbs -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["synk"], ["inbox", "lsit"], ["mapping", "lsit"], ["disconnect", "lsit"], ["connect", "lsit"],
])
def test_a_mistyped_verb_is_an_invalid_choice(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert f"invalid choice: '{argv[-1]}'" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["runs", "lsit"], ["reconcile", "lsit"], ["sandbox", "lsit"], ["demo", "lsit"], ["status", "lsit"],
    ["sync", "lsit"], ["gui", "lsit"], ["undo", "lsit"], ["inbox", "retry", "lsit"],
])
def test_a_word_after_a_verb_without_sub_verbs_is_refused(argv: list[str],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: lsit" in err or "invalid int value: 'lsit'" in err


@pytest.mark.parametrize("service", ["bigcommerce", "freshbooks"])
def test_connect_refuses_a_stray_word_instead_of_ignoring_it(service: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """`bigbooks connect freshbooks sandbox` used to start a FreshBooks sign-in, the word silently dropped."""
    with pytest.raises(SystemExit) as exited:
        main(["connect", service, "sandbx"])
    assert exited.value.code == 2
    assert "argument admin_url: unexpected 'sandbx'" in capsys.readouterr().err


def test_demo_refuses_a_bad_fault_spec_without_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["demo", "--headless", "--faults", "503"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "argument --faults: fault rule '503'" in err and "Traceback" not in err


# -- sync exit codes ----------------------------------------------------------------------------------------


def _summary(problem: str | None, *, paused: int = 0, kind: str | None = None) -> v.SyncSummaryView:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    return v.SyncSummaryView(run_id=1, mode=v.RunMode.ONCE, status=v.RunStatus.FAILED if problem else
                             v.RunStatus.FINISHED, dry_run=False, started_at=now, finished_at=now,
                             counts=v.CountsView(), results={v.OrderResult.PAUSED: paused} if paused else {},
                             failed=(), inbox_active=0, cursor=None, problem=problem,
                             problem_kind=kind)


def test_sync_exit_codes_follow_the_kind_of_problem() -> None:
    assert exit_code(_summary(None)) == 0
    assert exit_code(_summary("Sign-in expired: FreshBooks no longer accepts the saved sign-in.", paused=3)) \
        == EXIT_AUTH
    assert exit_code(_summary("Could not look for invoices entered by hand in FreshBooks, so nothing was synced "
                              "(the next run tries again): FreshBooks refused the saved sign-in (x). Sign in "
                              "to FreshBooks again.", kind="auth")) == EXIT_AUTH
    assert exit_code(_summary("Could not look for invoices entered by hand in FreshBooks, so nothing was synced "
                              "(the next run tries again): FreshBooks had a server problem (HTTP 503: x). It "
                              "will be tried again later.", kind="transient")) == EXIT_NETWORK
    assert exit_code(_summary("Could not look for invoices entered by hand in FreshBooks, so nothing was synced "
                              "(the next run tries again): FreshBooks refused GET x. Retrying will not help.",
                              kind="permanent")) == EXIT_FAILED
    assert exit_code(_summary("Stopped.", kind=None)) == EXIT_FAILED


@pytest.mark.sockets
def test_a_network_failure_during_first_run_matching_exits_4_not_3(tmp_path: Path) -> None:
    """The real `bigbooks` in a subprocess against a sandbox whose FreshBooks invoice list drops every
    connection (sandbox.faults `reset=1`): the run cannot look for hand-entered invoices, so it stops, and says
    a service could not be reached (4) rather than "not signed in" (3)."""
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread

    env = {**os.environ, "BIGBOOKS_HOME": str(tmp_path / "home"), "BIGBOOKS_ALLOW_FILE_SECRETS": "1"}

    def bigbooks(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bigbooks_desktop", *argv], env=env, capture_output=True,  # noqa: S603
                              text=True, timeout=240, check=False)

    with SandboxThread(SandboxConfig(orders=20, seed=7, time_scale=1000)) as sandbox:
        admin = sandbox.info["admin_url"]
        assert bigbooks("connect", "sandbox", admin).returncode == 0
        spec = "GET /freshbooks/api/accounting/account/*/invoices/invoices:reset=1"
        assert httpx.put(f"{admin}/faults", json={"spec": spec}).status_code == 200
        done = bigbooks("sync", "--once", "--since", "2000-01-01")
    assert done.returncode == EXIT_NETWORK, (done.returncode, done.stderr[-2000:])
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: Could not look for invoices entered by hand in FreshBooks")
    assert "internet connection" in last


# -- damaged files at start-up ------------------------------------------------------------------------------


def _made_database(home: Path) -> Path:
    assert main(["runs"]) == 0            # creates and migrates the database
    from bigbooks_desktop.store.db import close_database

    close_database()
    return home / "bigbooks.sqlite3"


@pytest.mark.parametrize("damage", ["random", "truncated", "newer", "bad page"])
def test_a_damaged_database_gives_a_clear_message_and_exit_5(damage: str, bigbooks_home: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = _made_database(bigbooks_home)
    data = path.read_bytes()
    if damage == "random":
        path.write_bytes(os.urandom(5000))
    elif damage == "truncated":
        path.write_bytes(data[:len(data) // 3])
    elif damage == "newer":
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA user_version = 99")
    else:                                   # a damaged page that opening does not read; a later query does
        with sqlite3.connect(path) as db:
            (root,) = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'mapping_profile_version'"
                                 ).fetchone()
            (size,) = db.execute("PRAGMA page_size").fetchone()
        at = (root - 1) * size
        path.write_bytes(data[:at] + b"\x0d" + os.urandom(size - 1) + data[at + size:])
    capsys.readouterr()
    code = main(["mapping", "list"] if damage == "bad page" else ["runs"])
    err = capsys.readouterr().err
    assert code == EXIT_CONFIG, err
    assert "Traceback" not in err and str(path) in err
    if damage == "newer":
        assert "newer BigBooks Desktop" in err and "Update the app" in err
    else:
        assert "cannot be opened: it is damaged" in err and "restore" in err and "move it away" in err


def test_a_damaged_preferences_file_is_set_aside_and_said_once(bigbooks_home: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    prefs = bigbooks_home / "preferences.json"
    prefs.write_bytes(b"\xff\xfe{ not json")
    assert main(["runs"]) == 0
    err = capsys.readouterr().err
    kept = list(bigbooks_home.glob("preferences.json.damaged-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == b"\xff\xfe{ not json" and not prefs.exists()
    assert err.startswith("note: Preferences reset to defaults: ") and str(prefs) in err and str(kept[0]) in err
    assert main(["runs"]) == 0
    assert "Preferences" not in capsys.readouterr().err           # said once
