"""Starting the desktop app: QApplication, one window per profile, the qasync event loop, the main window,
error routing, and stopping cleanly (a running sync records its run before the app exits)."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import qasync
from PySide6.QtWidgets import QApplication

from bigbooks_desktop import APP_NAME, __version__
from bigbooks_desktop.core.errors import BigBooksError, BugError
from bigbooks_desktop.core.paths import data_dir
from bigbooks_desktop.core.views import SyncSummaryView
from bigbooks_desktop.gui.garbage import MainThreadGarbageCollector
from bigbooks_desktop.gui.main_window import MainWindow
from bigbooks_desktop.gui.ops import ErrorPresenter, run_op
from bigbooks_desktop.gui.single_instance import SingleInstance

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["claim_profile", "install_excepthook", "keep_the_gui_thread_responsive", "make_application", "run_gui",
           "start_demo"]

log = logging.getLogger(__name__)

STOP_WAIT_SECONDS = 30.0      # how long quitting waits for a stopped sync to record its run


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    return app


def install_excepthook(presenter: ErrorPresenter) -> None:
    """qasync sends exceptions escaping slots to sys.excepthook: show them instead of losing them."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        error = exc if isinstance(exc, BigBooksError) else BugError(f"{kind.__name__}: {exc}")
        presenter.show(error)
        sys.__excepthook__(kind, exc, tb)

    sys.excepthook = hook


async def start_demo(window: MainWindow, admin_url: str) -> asyncio.Future[SyncSummaryView]:
    """The demo in a window: sign in to the sandbox through the real connect path, show who is connected
    (which starts auto-sync when the preferences have it on), and sync now. Returns the sync's future."""
    window.statusBar().showMessage("Signing in to the demo store...")
    await run_op(window, window.service.connect_sandbox(admin_url), presenter=window.presenter)
    await window.refresh()
    return window.sync_now()


GIL_SWITCH_SECONDS = 0.0002


def keep_the_gui_thread_responsive() -> None:
    """Hand the GIL to the GUI thread within 0.2 ms instead of Python's 5: while a sync's worker thread computes
    (matching 10,000 orders at its start) or makes many short SQLite calls (each releasing and at once retaking
    the GIL), the GUI thread, which needs the GIL for every Qt callback, only gets it after the switch interval,
    again and again. Measured on a 10,000-order sync's first seconds: the longest stall 60-65 ms instead of
    90-330 ms with 1 ms, and more with the default 5 ms."""
    sys.setswitchinterval(GIL_SWITCH_SECONDS)


async def _settle_leftover_tasks() -> None:
    """Cancel what is still under way (a dialog's load, a reload) and let it finish, as `asyncio.run` does: a task
    left pending would be stepped after the loop stopped, or destroyed pending."""
    current = asyncio.current_task()
    leftovers = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
    for task in leftovers:
        task.cancel()
    await asyncio.gather(*leftovers, return_exceptions=True)


def claim_profile(folder: Path | None = None) -> SingleInstance | None:
    """Own the profile's window, or ask the window that owns it to come to the front (then None)."""
    make_application()
    instance = SingleInstance(folder or data_dir())
    if instance.claim():
        log.info("the window of profile %s opens in process %d", instance.folder, os.getpid())
        return instance
    print(f"{APP_NAME} is already open for this profile ({instance.folder}): its window was brought to the "
          "front.", file=sys.stderr)
    return None


def run_gui(*, demo_admin_url: str | None = None, service: BigBooksService | None = None,
            instance: SingleInstance | None = None) -> int:
    """Open the main window on the qasync loop and run until it is closed for good (or quit from the tray).

    Without a `service`, this launch first claims the profile's window (`claim_profile`): a second launch on
    the same profile brings the first window to the front and returns 0 at once."""
    app = make_application()
    if instance is None and service is None:
        instance = claim_profile()
        if instance is None:
            return 0
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    keep_the_gui_thread_responsive()
    owned = service is None
    if service is None:
        from bigbooks_desktop.gui.startup_errors import EXIT_CONFIG, start_service
        from bigbooks_desktop.service import BigBooksService

        service = start_service(BigBooksService)
        if service is None:                  # explained in a message box: damaged or newer database
            return EXIT_CONFIG
    window = MainWindow(service)
    install_excepthook(window.presenter)
    if instance is not None:
        instance.raise_requested.connect(window.show_and_raise)
    if demo_admin_url:
        window.setWindowTitle(f"{APP_NAME} — demo store")
    window.show()
    # The loop must outlive the window by a moment: a sync the closing stopped still records its run; and a
    # window closed to the tray keeps the app running. So the app does not quit by itself when its window
    # closes; `main` returns once the window is closed for good and the sync has stopped.
    app.setQuitOnLastWindowClosed(False)
    closing = asyncio.Event()
    window.closed.connect(closing.set)
    app.aboutToQuit.connect(closing.set)

    async def main() -> None:
        if demo_admin_url:
            # As a new user meets the app: the set-up wizard, offering "Try the demo store" (without a wizard
            # in this build, the window signs in to the demo store by itself).
            service.offer_demo_store(demo_admin_url)
            await window.refresh()
            if window.offer_setup() is None and not window.connected:
                await start_demo(window, demo_admin_url)
        else:
            await window.refresh()
            window.offer_setup()                 # nothing connected yet: the set-up wizard, at once
        await closing.wait()
        try:
            await asyncio.wait_for(window.service.close_sync(), timeout=STOP_WAIT_SECONDS)
        except TimeoutError:
            log.warning("the stopped sync did not finish within %s s; its run is marked interrupted at the "
                        "next start", STOP_WAIT_SECONDS)
        await _settle_leftover_tasks()
        if owned:
            await window.service.aclose()

    collector = MainThreadGarbageCollector(app, sync_status=lambda: window.status)
    collector.freeze_startup()
    try:
        with loop:
            loop.run_until_complete(main())
    finally:
        collector.stop()
        if instance is not None:
            instance.release()
    return 0
