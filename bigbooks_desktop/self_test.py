"""`bigbooks --self-test`: is this installation whole? Also `bigbooks --startup-time`: how long the window takes.

The self-test is what a packaged (frozen) app runs after it is built, and what support asks a merchant to run:

- Qt starts on its offscreen platform (`--display`: on the real screen instead; a QT_QPA_PLATFORM already set
  is kept, e.g. `xcb` under Xvfb);
- a temporary data folder (BIGBOOKS_HOME) holds the test's database, preferences and log, so the merchant's own
  profile is never read or written; it is removed afterwards (`--keep` keeps it);
- the keyring backend is resolved and named; with no usable keychain the opt-in token file is used for this
  test only (inside the temporary folder); tokens written to a real keychain are removed at the end;
- the main window is built and every main screen shown, before and after signing in;
- a small in-process sandbox store (BigCommerce + FreshBooks over loopback) is synced through the window's
  own Sync now, and the invoices are checked in the sandbox's books and in the run history;
- `--screenshot PATH` saves the main window (1280x800, the dashboard after the sync) as a PNG.

It prints one `ok:` line per check and `self-test passed` (exit 0), or `self-test FAILED: <reason>` (exit 1).

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
import traceback
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bigbooks_desktop import APP_NAME, __version__

if TYPE_CHECKING:
    from bigbooks_desktop.gui.main_window import MainWindow

__all__ = ["SelfTestError", "main", "run_self_test", "startup_time_main"]

T = TypeVar("T")
STEP_SECONDS = 120.0        # no one step (a sign-in, the sync, a screen's load) may take longer
SANDBOX_ORDERS = 12         # a small store: the sync takes a few seconds


class SelfTestError(Exception):
    """A check failed; the message says which and why."""


@contextlib.contextmanager
def _environment(**values: str | None) -> Iterator[None]:
    """Set (or, with None, remove) environment variables for the test and put the old values back after."""
    old = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


async def _step(what: str, awaitable: Awaitable[T], within: float = STEP_SECONDS) -> T:
    try:
        return await asyncio.wait_for(awaitable, timeout=within)
    except TimeoutError:
        raise SelfTestError(f"{what} did not finish within {within:.0f} s") from None


def _platform(display: bool) -> str | None:
    """The QT_QPA_PLATFORM to use: the one set, else offscreen unless the real display was asked for."""
    chosen = os.environ.get("QT_QPA_PLATFORM")
    if chosen:
        return chosen
    return None if display else "offscreen"


def _keyring_backend() -> tuple[str, bool]:
    """(the backend keyring resolved, with the others it could use; whether it is a usable keychain)."""
    import keyring
    import keyring.backend

    from bigbooks_desktop.connectors.credentials import CredentialVault

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    viable = sorted({f"{type(b).__module__}.{type(b).__name__}" for b in keyring.backend.get_all_keyring()})
    usable = CredentialVault.keychain_available()
    return f"{name} (viable: {', '.join(viable) or 'none'})", usable


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


async def _window_and_sync(say: Callable[[str], None], *, file_store: bool, orders: int,
                           screenshot: Path | None) -> None:
    from bigbooks_desktop.core.errors import BigBooksError
    from bigbooks_desktop.core.preferences import load_preferences, save_preferences
    from bigbooks_desktop.core.views import RunStatus
    from bigbooks_desktop.gui.main_window import MainWindow
    from bigbooks_desktop.gui.ops import ErrorPresenter
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread
    from bigbooks_desktop.service import BigBooksService

    class Collect(ErrorPresenter):
        """Errors the window would show as dialogs are collected and fail the test."""

        def show(self, error: BigBooksError) -> None:
            self.shown.append(error)

    # the sandbox's orders go back years: sync from the beginning, as the test fixtures do
    save_preferences(load_preferences().model_copy(update={"backfill_start": date(2000, 1, 1)}))
    with SandboxThread(SandboxConfig(orders=orders, seed=13, time_scale=200)) as sandbox:
        say(f"sandbox store served on {sandbox.base_url} ({orders} orders)")
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
            await _step("signing in to the sandbox", service.connect_sandbox(sandbox.info["admin_url"]))
            signed_in = True
            await _step("reloading after sign-in", window.refresh())
            if not window.connected:
                raise SelfTestError("the window does not show the sandbox store as connected after sign-in")
            say("signed in to the sandbox's BigCommerce store and FreshBooks account")
            summary = await _step("the sync", window.sync_now())
            if summary.status is not RunStatus.FINISHED:
                raise SelfTestError(f"the sync ended {summary.status.value}: {summary.problem or 'no reason'}")
            created = summary.counts.invoices_created
            books = sandbox.sandbox.freshbooks.dump().get("invoices", [])
            if created <= 0 or len(books) < created:
                raise SelfTestError(f"the sync reported {created} invoices created; the sandbox's books hold "
                                    f"{len(books)}")
            runs = await _step("reading the run history", service.list_runs(limit=5))
            if not any(run.id == summary.run_id for run in runs):
                raise SelfTestError(f"run {summary.run_id} is not in the run history")
            say(f"sync run {summary.run_id} {summary.status.value}: {summary.counts.orders_seen} orders seen, "
                f"{created} invoices written (the sandbox's books hold {len(books)}), "
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


def run_self_test(*, display: bool = False, keep: bool = False, orders: int = SANDBOX_ORDERS,
                  screenshot: Path | None = None, say: Callable[[str], None] = print) -> None:
    """Every check in turn; SelfTestError (or the exception met) on the first failure."""
    started = time.perf_counter()
    say(f"{APP_NAME} {__version__} self-test ({'frozen' if getattr(sys, 'frozen', False) else 'from source'}, "
        f"Python {sys.version.split()[0]}, {sys.platform})")
    home = Path(tempfile.mkdtemp(prefix="bigbooks-self-test-"))
    try:
        platform = _platform(display)
        with _environment(BIGBOOKS_HOME=str(home), QT_QPA_PLATFORM=platform,
                          BIGBOOKS_ALLOW_FILE_SECRETS=None):
            say(f"temporary data folder {home}")
            backend, usable = _keyring_backend()
            if usable:
                say(f"keyring backend: {backend}; the test's tokens go to this keychain and are removed after")
            else:
                say(f"keyring backend: {backend}: no usable keychain, so the test's tokens go to the opt-in "
                    "file store in the temporary folder (this test only)")
            from PySide6 import __version__ as pyside_version

            from bigbooks_desktop.gui.app import make_application

            make_application()
            say(f"Qt started (PySide6 {pyside_version}, platform {_qt_platform_name()})")
            _run_on_qasync(lambda: _window_and_sync(say, file_store=not usable, orders=orders,
                                                    screenshot=screenshot))
    finally:
        _close_log_files(home)
        if keep:
            say(f"kept the temporary data folder {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    say(f"all checks passed in {time.perf_counter() - started:.1f} s")


def _close_log_files(home: Path) -> None:
    """Log handlers writing into the temporary folder are closed before it is removed (Windows locks them)."""
    import logging

    for logger in [logging.getLogger(), *[logging.getLogger(n) for n in logging.root.manager.loggerDict]]:
        for handler in list(getattr(logger, "handlers", [])):
            target = getattr(handler, "baseFilename", "")
            if target and Path(target).is_relative_to(home):
                logger.removeHandler(handler)
                handler.close()


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(
        prog="bigbooks --self-test",
        description=f"Check that this installation of {APP_NAME} works: start Qt, build every main screen, "
                    "sign in to a built-in sandbox store and sync it, in a temporary data folder.")
    parser.add_argument("--display", action="store_true",
                        help="use the real display instead of Qt's offscreen platform")
    parser.add_argument("--screenshot", type=Path, metavar="PATH", help="save the main window as a PNG")
    parser.add_argument("--orders", type=int, default=SANDBOX_ORDERS, help="orders in the sandbox store")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    args = parser.parse_args(list(argv))

    def say(line: str) -> None:
        print(f"ok: {line}" if not line.startswith(APP_NAME) else line, flush=True)

    restore = _quiet_offscreen_notes()
    try:
        run_self_test(display=args.display, keep=args.keep, orders=args.orders, screenshot=args.screenshot,
                      say=say)
    except SelfTestError as exc:
        print(f"self-test FAILED: {exc}", file=sys.stderr, flush=True)
        return 1
    except Exception as exc:
        traceback.print_exc()
        print(f"self-test FAILED: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        restore()
    print("self-test passed", flush=True)
    return 0


def _quiet_offscreen_notes() -> Callable[[], None]:
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

    _quiet_offscreen_notes()
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
