"""The window driven by the sync coordinator, on the qasync loop against a sandbox over real loopback sockets:
auto-sync on its interval with the back-off shown, tabs that never claim "nothing needs attention" mid-sync,
a failed sync that leaves nothing "Starting...", the tray's menu and notifications, closing to the tray, the
system's dark theme, and a shortcut and tooltip on every action."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from bigbooks_desktop.core import views as v
from bigbooks_desktop.gui import optional_dialogs
from bigbooks_desktop.gui.main_window import MainWindow
from bigbooks_desktop.gui.ops import ErrorPresenter
from bigbooks_desktop.gui.optional_dialogs import DialogKind
from bigbooks_desktop.gui.sync_text import NoticeKind
from bigbooks_desktop.gui.theme import dark_palette
from bigbooks_desktop.gui.tray import TrayController
from bigbooks_desktop.gui.window_pages import Screen
from bigbooks_desktop.service.coordination import SyncState, SyncStatusView

pytestmark = [pytest.mark.gui]


class RecordingPresenter(ErrorPresenter):
    def show(self, error: Any) -> None:
        self.shown.append(error)


class QuickAutoSync(MainWindow):
    """Auto-sync on a test-sized interval (the preference's floor is 30 s)."""

    interval = 0.6

    def auto_sync_interval(self) -> float | None:
        return self.interval if self.preferences.background_polling else None


async def _until(condition: Any, within: float = 60.0) -> None:
    """Poll on the qasync loop (never qtbot.waitUntil inside the loop: it hangs)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


def _set_faults(admin_url: str, spec: str) -> None:
    import httpx

    httpx.put(f"{admin_url}/faults", json={"spec": spec}, timeout=10).raise_for_status()


@pytest.fixture
def auto_sync_on(qloop: asyncio.AbstractEventLoop, sandbox_service: Any) -> Any:
    from dataclasses import replace

    preferences = sandbox_service.preferences()
    qloop.run_until_complete(
        sandbox_service.save_preferences(replace(preferences, background_polling=True, problem=None)))
    sandbox_service.sync_min_interval = 0.2
    return sandbox_service


@pytest.mark.sockets
def test_auto_sync_fires_on_its_interval_and_shows_the_back_off(
        qtbot: Any, qloop: asyncio.AbstractEventLoop, auto_sync_on: Any, save_screenshot: Any) -> None:
    service = auto_sync_on
    window = QuickAutoSync(service, presenter=RecordingPresenter())
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    seen: list[SyncStatusView] = []
    service.subscribe(seen.append)

    async def scenario() -> None:
        await window.refresh()                          # connected + preference on: auto-sync starts by itself
        assert service.sync_status().auto_sync_seconds == pytest.approx(0.6)
        await _until(lambda: window.status.runs >= 3 and not window.status.busy)
        await window.refresh()
        runs = [window.runs_model.row(i) for i in range(window.runs_model.rowCount())]
        assert len(runs) >= 3 and all(r.mode is v.RunMode.WATCH for r in runs)     # nobody pressed anything
        assert window.auto_sync_action.text() == "&Pause auto-sync"
        assert window.sync_line.text().startswith("Auto-sync every")
        assert "Next sync:" in window.tray.next_line.text()
        save_screenshot(window, "main-auto-sync")

        admin = service.sandbox_info["admin_url"]
        await asyncio.to_thread(_set_faults, admin, "GET /stores/*:503=1")       # BigCommerce down
        runs_before = window.status.runs
        await _until(lambda: window.status.runs >= runs_before + 2 and window.status.backoff_seconds is not None
                     and not window.status.busy)
        assert "after failed syncs" in window.sync_line.text()
        assert window.progress.format().startswith("Could not finish")
        assert window.notice_bar.isVisible() and window.notice_bar.notice is not None
        assert window.notice_bar.notice.kind is NoticeKind.PROBLEM
        save_screenshot(window, "main-auto-sync-backing-off")
        await asyncio.to_thread(_set_faults, admin, "")

        window.auto_sync_action.trigger()               # pause by hand
        await _until(lambda: window.status.auto_sync_seconds is None)
        assert window.auto_sync_action.text() == "&Resume auto-sync"
        assert window.tray.next_line.text() == "Auto-sync is off"
        window.close()                                  # while the loop runs: the schedule stops cleanly
        await service.close_sync()

    qloop.run_until_complete(scenario())
    assert window.presenter.shown == []                 # scheduled runs never pop dialogs
    assert any(s.state is SyncState.SYNCING and s.auto_sync_seconds for s in seen)


@pytest.mark.sockets
def test_during_a_sync_the_inbox_never_claims_nothing_needs_attention(
        qtbot: Any, qloop: asyncio.AbstractEventLoop, sandbox_service: Any, save_screenshot: Any) -> None:
    window = MainWindow(sandbox_service, presenter=RecordingPresenter())
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    assert window.tabs.inbox.empty.text() == "Loading..."
    qloop.run_until_complete(window.refresh())
    assert window.tabs.inbox.empty.text().startswith("Nothing needs your attention")
    during: list[tuple[str, bool, str]] = []
    shot: list[bool] = []

    def watch(status: SyncStatusView) -> None:
        if status.state is SyncState.SYNCING:
            during.append((window.tabs.inbox.empty.text(), window.tabs.inbox.left.currentIndex() == 1,
                           window.progress.format()))
            progress = status.progress
            if not shot and progress is not None and progress.total and progress.done >= progress.total // 2:
                shot.append(True)
                save_screenshot(window, "main-syncing-runs")
                window.tabs.show_screen(Screen.INBOX)
                save_screenshot(window, "main-syncing-inbox")
                window.tabs.show_screen(Screen.DASHBOARD)

    sandbox_service.subscribe(watch)
    summary = qloop.run_until_complete(window.sync_now())
    assert during and shot
    for placeholder, table, _progress in during:
        assert table or "Nothing needs your attention" not in placeholder, placeholder
    assert any(" of " in progress for _p, _t, progress in during)
    assert window.progress.format().startswith("Done")
    assert window.statusBar().currentMessage() != "Syncing..."
    inbox = window.tabs.inbox_count
    assert inbox == summary.inbox_active
    if not inbox:
        assert window.tabs.inbox.empty.text().startswith("Nothing needs your attention")


def test_a_sync_that_cannot_run_leaves_nothing_starting_and_offers_the_way_out(
        qtbot: Any, qloop: asyncio.AbstractEventLoop) -> None:
    from bigbooks_desktop.service import BigBooksService

    service = BigBooksService()                         # nobody signed in
    window = MainWindow(service, presenter=RecordingPresenter())
    qtbot.addWidget(window)
    window.show()
    qloop.run_until_complete(window.refresh())
    assert window.welcome.isVisible() and "not connected yet" in window.welcome_text.text()
    assert window.tabs.inbox.empty.text().startswith("Nothing to show yet: connect")
    future = window.sync_now()
    assert window.progress.format() == "Starting..."
    with pytest.raises(Exception):  # noqa: B017 - checked through the presenter and the status below
        qloop.run_until_complete(future)
    assert window.progress.format().startswith("Paused: sign-in needed")
    assert "Syncing" not in window.statusBar().currentMessage()
    assert window.sync_action.isEnabled() and not window.cancel_action.isEnabled()
    assert window.status.state is SyncState.PAUSED
    notice = window.notice_bar.notice
    assert notice is not None and notice.kind is NoticeKind.SIGN_IN and window.notice_bar.isVisible()
    assert [n.kind for n in window.tray.notifications] == [NoticeKind.SIGN_IN]
    if optional_dialogs.available(DialogKind.SETTINGS):                  # the button opens a screen that exists
        assert window.notice_bar.action_button.text() == "Settings"
        dialog = window.open_settings()
        assert dialog is not None and dialog.isVisible()
        dialog.close()
    else:                                                                # ... or there is no button, and
        assert not window.notice_bar.action_button.isVisibleTo(window)   # Settings says plainly it is missing
        assert window.open_settings() is None
        assert window.presenter.shown[-1].title == "Settings not available"
    qloop.run_until_complete(service.aclose())


@pytest.fixture
def failing_store(qloop: asyncio.AbstractEventLoop) -> Iterator[Any]:
    """A store where some orders cannot sync (seed 7 has orders without an email)."""
    from bigbooks_desktop.core.preferences import load_preferences, save_preferences
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread
    from bigbooks_desktop.service import BigBooksService

    save_preferences(load_preferences().model_copy(update={"backfill_start": date(2000, 1, 1)}))
    with SandboxThread(SandboxConfig(orders=60, seed=7, time_scale=500)) as sandbox:
        service = BigBooksService(allow_file_store=True)
        qloop.run_until_complete(service.connect_sandbox(sandbox.info["admin_url"]))
        yield service
        qloop.run_until_complete(service.aclose())


@pytest.mark.sockets
def test_new_failures_raise_a_notification_and_the_tray_menu_says_last_and_next(
        qtbot: Any, qloop: asyncio.AbstractEventLoop, failing_store: Any, save_screenshot: Any) -> None:
    window = MainWindow(failing_store, presenter=RecordingPresenter())
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    assert not window.tray.available and window.tray.icon is None      # offscreen: no tray, the window notifies
    qloop.run_until_complete(window.refresh())
    summary = qloop.run_until_complete(window.sync_now())
    assert summary.failed
    kinds = [n.kind for n in window.tray.notifications]
    assert kinds == [NoticeKind.FAILURES]
    assert window.notice_bar.isVisible() and window.notice_bar.action_button.text() == "Error inbox"
    assert window.tabs.tabText(Screen.INBOX) == f"Error inbox ({summary.inbox_active})"
    menu = [a.text() for a in window.tray.menu.actions() if not a.isSeparator()]
    assert menu[0] == "&Open BigBooks" and menu[-1] == "&Quit"
    assert window.tray.last_line.text().startswith("Last sync: ") and "invoices created" in \
        window.tray.last_line.text()
    assert window.tray.next_line.text() == "Auto-sync is off"
    save_screenshot(window, "main-after-sync-with-failures")
    window.notice_bar.action_button.click()                          # "Error inbox": the tab, the notice gone
    assert window.tabs.currentIndex() == Screen.INBOX and not window.notice_bar.isVisible()
    save_screenshot(window, "main-inbox")
    save_screenshot(window.tray.menu, "tray-menu")
    window.tray.menu.actions()[-1].trigger()                          # Quit from the tray closes for good
    assert not window.isVisible()


def test_closing_goes_to_the_tray_when_the_preference_is_on_and_a_tray_exists(
        qtbot: Any, qloop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from bigbooks_desktop.service import BigBooksService

    service = BigBooksService()
    qloop.run_until_complete(service.save_preferences(replace(service.preferences(), close_to_tray=True,
                                                              problem=None)))
    window = MainWindow(service, presenter=RecordingPresenter())
    qtbot.addWidget(window)
    window.show()
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))
    window.close()                                  # no tray here: closing quits, whatever the preference
    assert closed == [True]

    window = MainWindow(service, presenter=RecordingPresenter())
    qtbot.addWidget(window)
    window.closed.connect(lambda: closed.append(True))
    monkeypatch.setattr(TrayController, "visible", property(lambda _self: True))   # a desktop with a tray
    window.show()
    window.close()
    assert not window.isVisible() and closed == [True]              # hidden to the tray, still running
    assert window.tray.notifications[-1].title.endswith("is still running")
    window.open_action.trigger()                                    # the tray's "Open BigBooks"
    assert window.isVisible()
    window.quit_action.trigger()                                    # Quit really quits
    assert not window.isVisible() and closed == [True, True]
    qloop.run_until_complete(service.aclose())


def test_every_action_has_a_shortcut_and_a_tooltip_and_every_button_a_tooltip(
        qtbot: Any, qloop: asyncio.AbstractEventLoop) -> None:
    from bigbooks_desktop.service import BigBooksService

    service = BigBooksService()
    window = MainWindow(service, presenter=RecordingPresenter())
    qtbot.addWidget(window)
    actions = window.actions()
    assert len(actions) >= 10
    shortcuts = [a.shortcut().toString() for a in actions]
    assert all(shortcuts), [a.text() for a in actions if not a.shortcut().toString()]
    assert len(set(shortcuts)) == len(shortcuts)                   # no two actions on one key
    assert all(a.toolTip() and a.toolTip() != a.text().replace("&", "") for a in actions)
    assert all(a.shortcut().toString() in a.toolTip() or a.shortcut().toString(
        a.shortcut().SequenceFormat.NativeText) in a.toolTip() for a in actions)
    for button in window.findChildren(QAbstractButton):
        if button.isVisibleTo(window) and button.parent() is not window.tabs.tabBar():
            assert button.toolTip(), button.text()
    qloop.run_until_complete(service.aclose())


@pytest.mark.sockets
def test_the_window_follows_the_systems_dark_theme(qtbot: Any, qloop: asyncio.AbstractEventLoop,
                                                   sandbox_service: Any, save_screenshot: Any) -> None:
    """Every colour comes from the palette: no style sheet names a colour, and when the system hands Qt a dark
    palette (as a desktop does when it switches to dark mode) the cards, text and notices follow."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window = MainWindow(sandbox_service, presenter=RecordingPresenter())
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qloop.run_until_complete(window.refresh())
    qloop.run_until_complete(window.sync_now())
    assert all("#" not in w.styleSheet() and "rgb" not in w.styleSheet() for w in [window, *window.findChildren(
        QWidget)])
    light = window.bigcommerce_card.palette().color(QPalette.ColorRole.Base)
    previous = app.palette()
    app.setPalette(dark_palette())
    try:
        QApplication.processEvents()
        dark = window.bigcommerce_card.palette().color(QPalette.ColorRole.Base)
        text = window.summary.palette().color(QPalette.ColorRole.WindowText)
        assert dark.lightness() < light.lightness() and text.lightness() > dark.lightness()
        assert window.tabs.runs.history.view.palette().color(QPalette.ColorRole.Base) == QColor("#1e1f22")
        save_screenshot(window, "main-dark-theme")
    finally:
        app.setPalette(previous)
        QApplication.processEvents()


def test_a_runs_end_reloads_the_screen_shown_and_the_inbox_and_the_others_when_shown(
        qtbot: Any, qloop: asyncio.AbstractEventLoop, sandbox_service: Any) -> None:
    window = MainWindow(sandbox_service, presenter=RecordingPresenter())
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qloop.run_until_complete(window.refresh())
    window.tabs.show_screen(Screen.DASHBOARD)
    assert window.runs_model.rowCount() == 0
    summary = qloop.run_until_complete(window.sync_now())
    assert summary.counts.invoices_created > 0
    assert window.tabs.dashboard.board is not None and window.tabs.dashboard.board.last_run_text   # shown: now
    assert window.tabs.inbox_count == summary.inbox_active                           # the tab's count: now
    assert window.runs_model.rowCount() == 0                                         # not shown: not yet
    window.tabs.show_screen(Screen.RUNS)
    qloop.run_until_complete(_until(lambda: window.runs_model.rowCount() == 1, within=30))
    qloop.run_until_complete(window.refresh())                  # a full reload (View > Reload, F5)
    assert window.runs_model.rowCount() == 1 and window.presenter.shown == []
