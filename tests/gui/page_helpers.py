"""Helpers shared by the GUI tests on the qasync loop: wait for a future or a condition, show a widget at a size,
and open a page as the window shows a screen (shown, then loaded once)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

__all__ = ["open_page", "settle", "shown", "wait_done", "wait_until"]


class _Widget(Protocol):
    def resize(self, width: int, height: int, /) -> None: ...

    def show(self) -> None: ...


class _Page(_Widget, Protocol):
    def refresh(self) -> asyncio.Future[None]: ...


W = TypeVar("W", bound=_Widget)
P = TypeVar("P", bound=_Page)


def wait_done(loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any] | None) -> None:
    """Run the loop until `future` is done (at most 90 s), without reading it: a failed operation's error is the
    presenter's to show.

    Only for the last operation of a chain: qasync's run_until_complete ends with one more pass of Qt events in
    which no event loop counts as running, and a task that an operation's completion starts would take its
    first step there (httpx then finds no event loop). Wait for the chain's end with `wait_until` instead."""
    assert future is not None
    loop.run_until_complete(asyncio.wait([future], timeout=90))
    assert future.done()


def settle(loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any] | None) -> Any:
    """Run the loop until `future` is done (at most 90 s); its result (or its error, raised)."""
    wait_done(loop, future)
    assert future is not None
    return future.result()


def wait_until(loop: asyncio.AbstractEventLoop, condition: Callable[[], bool], timeout: float = 60) -> None:
    """Run the loop until `condition()` holds, polling it without blocking the loop."""
    async def poll() -> None:
        while not condition():  # noqa: ASYNC110 - a widget's state, which no event announces
            await asyncio.sleep(0.02)

    loop.run_until_complete(asyncio.wait_for(poll(), timeout))


def shown(qtbot: Any, widget: W, size: tuple[int, int] = (1280, 720)) -> W:
    """`widget` kept by qtbot (closed after the test), resized to `size` and shown."""
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    return widget


def open_page(qtbot: Any, loop: asyncio.AbstractEventLoop, page: P, size: tuple[int, int] = (1280, 720)) -> P:
    """`page` (a page or the main window) shown at `size` and loaded once: its `refresh()` settled."""
    settle(loop, shown(qtbot, page, size).refresh())
    return page
