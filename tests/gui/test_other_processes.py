"""The window beside other real processes on the same profile: it shows what the CLI did without being asked,
waits (and says for whom) while a CLI sync holds the profile, and a second launch of the app brings the first
window to the front instead of opening another.

Every process here is real: `python -m bigbooks_desktop ...` with the test's data folder, file secrets opted in
and no keychain; the window runs in this process on the qasync loop over loopback sockets."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))   # the concurrency tests' helpers

from test_kill9 import (  # noqa: F401 - the fixtures are used by name
    SINCE,
    _bigbooks,
    _check_exactly_once,
    _unexplained_differences,
    env,
    sandbox,
)

from bigbooks_desktop.core import views as v
from bigbooks_desktop.gui.main_window import MainWindow
from bigbooks_desktop.gui.ops import ErrorPresenter
from bigbooks_desktop.gui.window_pages import Screen
from bigbooks_desktop.service.coordination import SyncState, SyncStatusView

pytestmark = [
    pytest.mark.gui,
    pytest.mark.sockets,
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="the helpers stop processes with POSIX signals"),
]

ROOT = Path(__file__).resolve().parents[2]


class RecordingPresenter(ErrorPresenter):
    def show(self, error: Any) -> None:
        self.shown.append(error)


async def _until(condition: Any, within: float = 90.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def _run(argv: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A CLI process, waited for without blocking the window's loop."""
    proc = subprocess.Popen(argv, env=environment, stdout=subprocess.PIPE,  # noqa: S603, ASYNC220 - polled
                            stderr=subprocess.PIPE, text=True)
    await _until(lambda: proc.poll() is not None, within=180)
    out, err = proc.communicate()
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


@pytest.fixture
def no_keychain(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process sees the profile as the CLI processes do: no keychain, the opted-in file store."""
    import keyring
    from keyring.backends import fail

    monkeypatch.setenv("BIGBOOKS_ALLOW_FILE_SECRETS", "1")
    keyring.set_keyring(fail.Keyring())
    yield


def test_the_window_shows_what_the_cli_did_without_a_click(
        qtbot: Any, qloop: asyncio.AbstractEventLoop, env: dict[str, str], no_keychain: None,  # noqa: F811
        save_screenshot: Any) -> None:
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread
    from bigbooks_desktop.service import BigBooksService

    with SandboxThread(SandboxConfig(orders=40, seed=7, time_scale=500)) as served:
        service = BigBooksService(allow_file_store=True)
        window = MainWindow(service, presenter=RecordingPresenter())
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()

        async def scenario() -> None:
            await window.refresh()
            assert not window.connected and window.runs_model.rowCount() == 0
            connected = await _run(_bigbooks("connect", "sandbox", served.info["admin_url"]), env)
            assert connected.returncode == 0, connected.stderr
            await _until(lambda: window.connected, within=20)            # connections.json changed: reloaded
            assert "sbx" in window.bigcommerce_card.detail.text() and not window.welcome.isVisible()

            synced = await _run(_bigbooks("sync", "--once", "--since", SINCE), env)
            assert synced.returncode == 0, synced.stderr
            await _until(lambda: window.runs_model.rowCount() == 1 and window.tabs.inbox_count > 0
                         and window.runs_model.row(0).status is v.RunStatus.FINISHED,
                         within=20)          # the database changed (mid-run, then at its end): reloaded each time
            run = window.runs_model.row(0)
            assert run.mode is v.RunMode.BACKFILL and run.status is v.RunStatus.FINISHED
            assert run.counts.invoices_created > 0
            assert window.tabs.tabText(Screen.INBOX) == f"Error inbox ({window.tabs.inbox_count})"
            save_screenshot(window, "main-after-a-cli-sync")

        qloop.run_until_complete(scenario())
        assert window.presenter.shown == []
        window.close()
        qloop.run_until_complete(service.aclose())


def test_the_window_waits_for_a_cli_sync_says_who_holds_the_profile_and_the_books_stay_exactly_once(
        qtbot: Any, qloop: asyncio.AbstractEventLoop, env: dict[str, str], sandbox: dict[str, Any],  # noqa: F811
        bigbooks_home: Path, no_keychain: None, save_screenshot: Any) -> None:
    from bigbooks_desktop.service import BigBooksService

    connected = subprocess.run(_bigbooks("connect", "sandbox", sandbox["admin_url"]),  # noqa: S603
                               env=env, capture_output=True, text=True, timeout=60, check=False)
    assert connected.returncode == 0, connected.stderr
    service = BigBooksService(allow_file_store=True)
    window = MainWindow(service, presenter=RecordingPresenter())
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    seen: list[SyncStatusView] = []
    service.subscribe(seen.append)
    lock_info = bigbooks_home / "sync.lock.json"

    async def scenario() -> None:
        await window.refresh()
        cli = subprocess.Popen(_bigbooks("sync", "--once", "--since", SINCE), env=env,  # noqa: S603, ASYNC220
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        await _until(lambda: lock_info.exists() and json.loads(lock_info.read_text())["pid"] == cli.pid)
        ours = asyncio.ensure_future(service.sync_now(since=date(2000, 1, 1)))   # all of it, again, at once
        await _until(lambda: window.status.state is SyncState.WAITING, within=20)
        assert window.sync_line.text().startswith(f"Waiting for bigbooks sync (process {cli.pid}")
        assert window.progress.format() == "Waiting for another sync of this profile to finish"
        assert window.cancel_action.isEnabled() and not window.sync_action.isEnabled()
        await _until(lambda: window.runs_model.rowCount() >= 1)     # the CLI's run under way, shown while waiting
        save_screenshot(window, "main-waiting-for-another-process")
        await _until(lambda: cli.poll() is not None, within=240)
        assert cli.returncode == 0, cli.stderr.read() if cli.stderr else ""
        summary = await ours
        assert summary.status is v.RunStatus.FINISHED
        assert summary.counts.invoices_created == 0 and summary.counts.payments_created == 0   # nothing twice
        await window.refresh()
        assert window.runs_model.rowCount() == 2 and window.progress.format().startswith("Done")
        if cli.stderr is not None:
            cli.stderr.close()

    qloop.run_until_complete(scenario())
    assert [s.state for s in seen].count(SyncState.WAITING) >= 1
    assert window.presenter.shown == []
    window.close()
    qloop.run_until_complete(service.aclose())

    import httpx

    state = httpx.get(f"{sandbox['admin_url']}/state", timeout=30).json()
    _check_exactly_once(state, bigbooks_home)
    assert asyncio.run(_unexplained_differences()) == []
    asyncio.set_event_loop(qloop)                  # asyncio.run cleared it; the fixture closes this loop


def _launch(environment: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bigbooks_desktop", "gui"], cwd=ROOT,
                            env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_log(log: Path, text: str, count: int = 1, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if log.exists() and log.read_text(encoding="utf-8").count(text) >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"{text!r} x{count} not in {log}: {log.read_text() if log.exists() else '(no log)'}")


def test_a_second_launch_on_the_profile_brings_the_first_window_forward_and_exits(
        env: dict[str, str], bigbooks_home: Path, tmp_path: Path) -> None:  # noqa: F811 - the fixture
    environment = {**env, "QT_QPA_PLATFORM": "offscreen"}
    log = bigbooks_home / "logs" / "bigbooks.log"
    first = _launch(environment)
    try:
        _wait_for_log(log, "opens in process")
        second = subprocess.run([sys.executable, "-m", "bigbooks_desktop", "gui"], cwd=ROOT,
                                env=environment, capture_output=True, text=True, timeout=60, check=False)
        assert second.returncode == 0, second.stderr
        assert "already open for this profile" in second.stderr and "brought to the front" in second.stderr
        _wait_for_log(log, "asked for the window")
        assert first.poll() is None                                   # the first window goes on

        other_home = tmp_path / "other-profile"                       # another profile: its own window
        other = _launch({**environment, "BIGBOOKS_HOME": str(other_home)})
        try:
            _wait_for_log(other_home / "logs" / "bigbooks.log", "opens in process")
            assert other.poll() is None
        finally:
            other.send_signal(signal.SIGTERM)
            other.communicate(timeout=30)
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=30)

    third = _launch(environment)                 # the first is gone (killed): its lock is stale, not in the way
    try:
        _wait_for_log(log, "opens in process", count=2)
        assert third.poll() is None
    finally:
        third.send_signal(signal.SIGTERM)
        third.communicate(timeout=30)
