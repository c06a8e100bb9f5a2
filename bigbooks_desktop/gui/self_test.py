"""The window's part of `bigbooks --self-test` (commands/self_test.py prepares the data folder, the keychain
and the sandbox, then calls `start_qt` and `check_window`), and `bigbooks --startup-time`.

What it checks and prints: commands/self_test.py's docstring. Here: Qt started (offscreen unless `--display`),
the main window built and every main screen shown before and after signing in, the sandbox synced through the
window's own Sync now and its invoices checked, `--screenshot PATH` saved.

`bigbooks --startup-time` opens the real window (the same start-up path as `bigbooks gui`) on a fresh temporary
profile, prints `startup-time: shown_at=<epoch seconds> since_process_start=<seconds>` when the window is first
exposed, and quits; benchmarks/start_time.py launches it to measure launch-to-window cold and warm.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from bigbooks_desktop.gui.main_window import MainWindow

__all__ = ["SelfTestError", "check_window", "quiet_offscreen_notes", "start_qt", "startup_time_main"]

T = TypeVar("T")
Store = tuple[str, Callable[[], int]]     # a served store: its admin URL, and how many invoices its books hold
STEP_SECONDS = 120.0        # no one step (a sign-in, the sync, a screen's load) may take longer


class SelfTestError(Exception):
    """A check failed; the message says which and why."""


async def _step(what: str, awaitable: Awaitable[T], within: float = STEP_SECONDS) -> T:
    try:
        return await asyncio.wait_for(awaitable, timeout=within)
    except TimeoutError:
        raise SelfTestError(f"{what} did not finish within {within:.0f} s") from None


async def _settle(seconds: float = 0.2) -> None:
    # The loop runs Qt's events while it sleeps (never QApplication.processEvents inside a coroutine).
    await asyncio.sleep(seconds)


def _check_screens(window: MainWindow, when: str, say: Callable[[str], None]) -> Callable[[], Awaitable[None]]:
    async def check() -> None:
        from bigbooks_desktop.gui.window_pages import TITLES, Screen

        tabs = window.tabs
        for screen in Screen:
            tabs.show_screen(screen)
            await _settle(0.1)
            page = tabs.pages()[screen]
            await _step(f"loading the {TITLES[screen]} screen ({when})", page.refresh())
            await _settle(0.05)
            if tabs.currentIndex() != screen or not page.isVisible():
                raise SelfTestError(f"the {TITLES[screen]} screen is not shown ({when})")
            if page.width() < 200 or page.height() < 100:
                raise SelfTestError(f"the {TITLES[screen]} screen is only {page.width()}x{page.height()} ({when})")
        tabs.show_screen(Screen.DASHBOARD)
        say(f"every main screen built and shown {when}: "
            + ", ".join(TITLES[s].replace("&&", "&") for s in Screen))

    return check


async def _window_and_sync(say: Callable[[str], None], *, admin_url: str, file_store: bool,
                           screenshot: Path | None, invoices_in_books: Callable[[], int]) -> None:
    from bigbooks_desktop.core.errors import BigBooksError
    from bigbooks_desktop.core.views import RunStatus
    from bigbooks_desktop.gui.main_window import MainWindow
    from bigbooks_desktop.gui.ops import ErrorPresenter
    from bigbooks_desktop.service import BigBooksService

    class Collect(ErrorPresenter):
        """Errors the window would show as dialogs are collected and fail the test."""

        def show(self, error: BigBooksError) -> None:
            self.shown.append(error)

    service = BigBooksService(allow_file_store=file_store)
    presenter = Collect()
    window = MainWindow(service, presenter=presenter, tray_available=False)
    signed_in = False
    try:
        window.resize(1280, 800)
        window.show()
        await _step("the first load of the window", window.refresh())
        say(f"main window shown ({window.width()}x{window.height()}, platform "
            f"{_qt_platform_name()})")
        await _check_screens(window, "before sign-in", say)()
        await _step("signing in to the sandbox", service.connect_sandbox(admin_url))
        signed_in = True
        await _step("reloading after sign-in", window.refresh())
        if not window.connected:
            raise SelfTestError("the window does not show the sandbox store as connected after sign-in")
        say("signed in to the sandbox's BigCommerce store and FreshBooks account")
        summary = await _step("the sync", window.sync_now())
        if summary.status is not RunStatus.FINISHED:
            raise SelfTestError(f"the sync ended {summary.status.value}: {summary.problem or 'no reason'}")
        created = summary.counts.invoices_created
        books = invoices_in_books()
        if created <= 0 or books < created:
            raise SelfTestError(f"the sync reported {created} invoices created; the sandbox's books hold "
                                f"{books}")
        runs = await _step("reading the run history", service.list_runs(limit=5))
        if not any(run.id == summary.run_id for run in runs):
            raise SelfTestError(f"run {summary.run_id} is not in the run history")
        say(f"sync run {summary.run_id} {summary.status.value}: {summary.counts.orders_seen} orders seen, "
            f"{created} invoices written (the sandbox's books hold {books}), "
            f"{summary.inbox_active} in the error inbox")
        await _step("reloading after the sync", window.refresh())
        await _check_screens(window, "after the sync", say)()
        if screenshot is not None:
            await _settle(0.5)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(screenshot)):
                raise SelfTestError(f"could not save the screenshot to {screenshot}")
            say(f"screenshot of the main window saved to {screenshot}")
        if presenter.shown:
            raise SelfTestError("the window showed errors: " + "; ".join(
                f"{e.title}: {e.message}" for e in presenter.shown))
    finally:
        window.close()
        with contextlib.suppress(Exception):
            await _step("stopping the sync", service.close_sync(), within=30)
        if signed_in:      # tokens written to a real keychain are not left behind
            with contextlib.suppress(Exception):
                await _step("signing out", service.sign_out(None), within=30)
        await service.aclose()
        window.deleteLater()
        await _settle(0.05)


def _qt_platform_name() -> str:
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.platformName()


def _run_on_qasync(coro_factory: Callable[[], Awaitable[None]]) -> None:
    os.environ.setdefault("QT_API", "pyside6")      # before qasync is imported: it picks its binding from this
    import qasync

    from bigbooks_desktop.gui.app import make_application

    app = make_application()
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)       # as run_gui: the loop outlives the window (closing awaits the sync)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(coro_factory())
    finally:
        loop.run_until_complete(asyncio.sleep(0))
        asyncio.set_event_loop(None)
        loop.close()
        app.setQuitOnLastWindowClosed(quit_on_close)


def start_qt(say: Callable[[str], None]) -> None:
    """Make the application (on the platform the environment names) and say which Qt runs."""
    from PySide6 import __version__ as pyside_version

    from bigbooks_desktop.gui.app import make_application

    make_application()
    say(f"Qt started (PySide6 {pyside_version}, platform {_qt_platform_name()})")


def check_window(say: Callable[[str], None], *, serve: Callable[[], AbstractContextManager[Store]],
                 file_store: bool, screenshot: Path | None) -> None:
    """The window's checks on the qasync loop against the store `serve()` serves while they run (it stops before
    the loop does, so no connection is left open); SelfTestError on a failure."""
    async def checks() -> None:
        with serve() as (admin_url, invoices_in_books):
            await _window_and_sync(say, admin_url=admin_url, file_store=file_store, screenshot=screenshot,
                                   invoices_in_books=invoices_in_books)

    _run_on_qasync(checks)


def quiet_offscreen_notes() -> Callable[[], None]:
    """Qt's offscreen platform says "does not support propagateSizeHints" for every window: not a problem.
    Returns the function that puts the previous message handler back."""
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if "does not support propagateSizeHints" not in message:
            print(message, file=sys.stderr, flush=True)

    previous = qInstallMessageHandler(handler)

    def restore() -> None:
        qInstallMessageHandler(previous)

    return restore


def _process_start_epoch() -> float | None:
    """When this process started (Linux: /proc), to count the time before Python ran too; None elsewhere."""
    try:
        stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
        return boot + int(stat[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration, AttributeError):
        return None


def startup_time_main(argv: Sequence[str] = ()) -> int:
    """Open the real window on a fresh temporary profile; print when it is first exposed; quit."""
    parser = argparse.ArgumentParser(prog="bigbooks --startup-time",
                                     description="Print the time from launch to the main window shown, then quit.")
    parser.parse_args(list(argv))
    home = Path(tempfile.mkdtemp(prefix="bigbooks-startup-"))
    os.environ["BIGBOOKS_HOME"] = str(home)
    os.environ.setdefault("QT_API", "pyside6")
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtGui import QWindow

    from bigbooks_desktop.gui.app import make_application, run_gui
    from bigbooks_desktop.gui.main_window import MainWindow

    quiet_offscreen_notes()
    app = make_application()
    reported: list[float] = []

    class FirstExpose(QObject):
        """The main window's native window is exposed (mapped, about to be painted) for the first time."""

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if reported or event.type() != QEvent.Type.Expose or not isinstance(watched, QWindow) \
                    or not watched.isExposed():
                return False
            window = next((w for w in app.topLevelWidgets()
                           if isinstance(w, MainWindow) and w.windowHandle() is watched), None)
            if window is None:
                return False
            reported.append(time.time())
            started = _process_start_epoch()
            since = f"{reported[0] - started:.3f}" if started is not None else "unknown"
            print(f"startup-time: shown_at={reported[0]:.3f} since_process_start={since} "
                  f"platform={_qt_platform_name()}", flush=True)
            QTimer.singleShot(300, window.quit_app)
            return False

    watcher = FirstExpose()
    app.installEventFilter(watcher)
    try:
        code = run_gui()
    finally:
        app.removeEventFilter(watcher)
        shutil.rmtree(home, ignore_errors=True)
    return code if reported else 1
