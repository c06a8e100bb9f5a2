"""Helpers shared by the mapping editor's GUI tests: read a draft's mapping and tell when the live preview has
settled; `settle` and `wait_until` (waits on the qasync loop) come from page_helpers. The page fixture itself is
`mapping_page` in conftest.py."""

from __future__ import annotations

from collections.abc import Callable

from page_helpers import settle as settle
from page_helpers import wait_until as wait_until

from bigbooks_desktop.core.mapping_editor_views import EditorProfileView
from bigbooks_desktop.gui.pages.mapping_editor import MappingEditorPage


def draft(page: MappingEditorPage) -> EditorProfileView:
    assert page.draft is not None
    return page.draft


def source_of(page: MappingEditorPage, target: str) -> str | None:
    found = draft(page).mapping(target)
    return found.source_text if found is not None else None


def preview_settled(page: MappingEditorPage) -> Callable[[], bool]:
    return lambda: page.preview.preview is not None and not page._preview_timer.isActive() \
        and page.preview_future is not None and page.preview_future.done()
