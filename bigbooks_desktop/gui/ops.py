"""The one way a widget runs a service coroutine: busy state and error routing, on the qasync loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import shiboken6
from PySide6.QtWidgets import QMessageBox, QWidget

from bigbooks_desktop.core.errors import BigBooksError, BugError

__all__ = ["ErrorPresenter", "Reload", "run_op"]

T = TypeVar("T")
log = logging.getLogger(__name__)


class ErrorPresenter:
    """Shows a core error as a dialog: its title and its what-to-do message. Tests read `shown`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent
        self.shown: list[BigBooksError] = []

    def show(self, error: BigBooksError) -> None:
        self.shown.append(error)
        box = QMessageBox(self.parent)
        box.setIcon(QMessageBox.Icon.Warning if error.kind != "bug" else QMessageBox.Icon.Critical)
        box.setWindowTitle(error.title)
        box.setText(error.title)
        box.setInformativeText(error.message)
        box.open()


def run_op(widget: QWidget, coro: Awaitable[T], *, on_success: Callable[[T], object] | None = None,
           presenter: ErrorPresenter | None = None, busy: list[QWidget] | None = None) -> asyncio.Future[T]:
    """Schedule `coro` on the running qasync loop; disable `busy` widgets until it ends; route errors.

    Never blocks the GUI thread: the coroutine is awaited by the event loop, and the returned future can be
    awaited by tests.
    """
    for w in busy or []:
        w.setEnabled(False)
    future: asyncio.Future[T] = asyncio.ensure_future(coro)

    def done(fut: asyncio.Future[T]) -> None:
        for w in busy or []:
            if shiboken6.isValid(w):      # the window may have been closed and deleted meanwhile
                w.setEnabled(True)
        if fut.cancelled():
            return
        exc = fut.exception()
        if exc is None:
            if on_success is not None:
                on_success(fut.result())
            return
        error = exc if isinstance(exc, BigBooksError) else BugError(f"{type(exc).__name__}: {exc}")
        log.warning("operation failed: %s", error)
        (presenter or ErrorPresenter(widget)).show(error)

    future.add_done_callback(done)
    return future


class Reload:
    """A screen's reload: `request()` runs `load` through `run_op`; asked for again while one runs, it runs once
    more when that ends (what it read may be older than the change that asked). Returns the future (tests await
    it)."""

    def __init__(self, widget: QWidget, load: Callable[[], Awaitable[None]], presenter: ErrorPresenter) -> None:
        self._widget = widget
        self._load = load
        self._presenter = presenter
        self._future: asyncio.Future[None] | None = None
        self._again = False

    def request(self) -> asyncio.Future[None]:
        if self._future is not None and not self._future.done():
            self._again = True
            return self._future
        self._future = run_op(self._widget, self._until_current(), presenter=self._presenter)
        return self._future

    async def _until_current(self) -> None:
        while True:
            self._again = False
            await self._load()
            if not self._again:
                return
