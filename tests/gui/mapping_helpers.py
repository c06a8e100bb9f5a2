"""Helpers shared by the mapping editor's GUI tests: wait for a future or a condition on the qasync loop, read a
draft's mapping, and tell when the live preview has settled. The page fixture itself is `mapping_page` in
conftest.py."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bigbooks_desktop.core.mapping_editor_views import EditorProfileView
from bigbooks_desktop.gui.pages.mapping_editor import MappingEditorPage


def settle(loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any] | None) -> Any:
    assert future is not None
    loop.run_until_complete(asyncio.wait([future], timeout=90))
    assert future.done()
    return future.result()


def wait_until(loop: asyncio.AbstractEventLoop, condition: Callable[[], bool], timeout: float = 60) -> None:
    async def poll() -> None:
        while not condition():  # noqa: ASYNC110 - a widget's state, which no event announces
            await asyncio.sleep(0.02)

    loop.run_until_complete(asyncio.wait_for(poll(), timeout))


def draft(page: MappingEditorPage) -> EditorProfileView:
    assert page.draft is not None
    return page.draft


def source_of(page: MappingEditorPage, target: str) -> str | None:
    found = draft(page).mapping(target)
    return found.source_text if found is not None else None


def preview_settled(page: MappingEditorPage) -> Callable[[], bool]:
    return lambda: page.preview.preview is not None and not page._preview_timer.isActive() \
        and page.preview_future is not None and page.preview_future.done()
