"""Starting the desktop app: QApplication, the qasync event loop, the main window, and error routing."""

from __future__ import annotations

import asyncio
import sys
from types import TracebackType
from typing import TYPE_CHECKING

import qasync
from PySide6.QtWidgets import QApplication

from bigbooks_desktop import APP_NAME, __version__
from bigbooks_desktop.core.errors import BigBooksError, BugError
from bigbooks_desktop.gui.garbage import MainThreadGarbageCollector
from bigbooks_desktop.gui.main_window import MainWindow
from bigbooks_desktop.gui.ops import ErrorPresenter, run_op

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["install_excepthook", "make_application", "run_gui", "start_demo"]


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


async def start_demo(window: MainWindow, admin_url: str) -> asyncio.Future[None]:
    """The demo in a window: sign in to the sandbox through the real connect path, show who is connected,
    and start its main job (Sync now). Returns the sync's future."""
    window.statusBar().showMessage("Signing in to the demo store...")
    await run_op(window, window.service.connect_sandbox(admin_url), presenter=window.presenter)
    await window.refresh()
    return window.sync_now()


async def _finish_stopped_sync(window: MainWindow, *, wait: float = 30.0) -> None:
    """After the window closed: let a sync it stopped record its run as interrupted, with its counts."""
    stopped = window.stop_sync()
    if stopped is not None:
        await asyncio.wait([stopped], timeout=wait)


def run_gui(*, demo_admin_url: str | None = None, service: BigBooksService | None = None) -> int:
    """Open the main window on the qasync loop and run until it closes."""
    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    owned = service is None
    if service is None:
        from bigbooks_desktop.service import BigBooksService

        service = BigBooksService()
    window = MainWindow(service)
    install_excepthook(window.presenter)
    if demo_admin_url:
        window.setWindowTitle(f"{APP_NAME} — demo store")
    window.show()
    # The loop must outlive the window by a moment: a sync the closing stopped still records its run. So the
    # app does not quit by itself when the window closes; `main` returns once that is done.
    app.setQuitOnLastWindowClosed(False)
    closing = asyncio.Event()
    window.closed.connect(closing.set)
    app.aboutToQuit.connect(closing.set)

    async def main() -> None:
        if demo_admin_url:
            await start_demo(window, demo_admin_url)
        else:
            await window.refresh()
        await closing.wait()
        await _finish_stopped_sync(window)
        if owned:
            await window.service.aclose()

    collector = MainThreadGarbageCollector(app)
    try:
        with loop:
            loop.run_until_complete(main())
    finally:
        collector.stop()
    return 0
