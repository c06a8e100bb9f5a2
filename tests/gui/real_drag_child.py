"""The window side of `test_real_drag.py`, run as its own process on an X display (Xvfb): the mapping editor
on a sandbox, the screen positions of an order field and a FreshBooks field printed as one JSON line, then it
waits for the real mouse gesture (made by xdotool from the test) to map them, and prints what it saw.

    python tests/gui/real_drag_child.py SOURCE_PATH TARGET_FIELD
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import date

import qasync
from PySide6.QtWidgets import QApplication, QMessageBox  # qasync's binding: QT_API=pyside6 (set by the test)

from bigbooks_desktop.core.preferences import load_preferences, save_preferences
from bigbooks_desktop.gui.ops import ErrorPresenter
from bigbooks_desktop.gui.pages.mapping_editor import MappingEditorPage
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.server import SandboxThread
from bigbooks_desktop.service import BigBooksService

WAIT_FOR_GESTURE = 60.0


def say(**what: object) -> None:
    print(json.dumps(what), flush=True)


async def main(page_holder: list[MappingEditorPage], source: str, target: str, admin_url: str) -> int:
    service = BigBooksService(allow_file_store=True)
    try:
        await service.connect_sandbox(admin_url)
        page = MappingEditorPage(service, presenter=ErrorPresenter())
        page_holder.append(page)
        page.ask_unsaved = lambda: QMessageBox.StandardButton.Discard
        page.move(0, 0)
        page.resize(1280, 760)
        page.show()
        page.raise_()
        page.activateWindow()
        await page.refresh()
        assert page.draft is not None
        before = page.draft.mapping(target)
        source_index, target_index = page.sources.index_of(source), page.targets.index_of(target)
        page.source_view.scrollTo(source_index)
        page.target_view.scrollTo(target_index)
        await asyncio.sleep(1.0)                # mapped, laid out and painted on the X server
        start = page.source_view.viewport().mapToGlobal(page.source_view.visualRect(source_index).center())
        end = page.target_view.viewport().mapToGlobal(page.target_view.visualRect(target_index).center())
        say(ready=True, start=[start.x(), start.y()], end=[end.x(), end.y()],
            before=before.source_text if before is not None else None)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_FOR_GESTURE
        while loop.time() < deadline:
            now = page.draft.mapping(target) if page.draft is not None else None
            if now is not None and now.source_text == source:
                break
            await asyncio.sleep(0.05)
        now = page.draft.mapping(target) if page.draft is not None else None
        after = now.source_text if now is not None else None
        undo_text = page.undo_stack.undoText()
        page.undo_stack.undo()
        undone = page.draft.mapping(target) if page.draft is not None else None
        say(after=after, undo_text=undo_text, current_target=page.current_target(),
            undone=undone.source_text if undone is not None else None)
        page.close()
        return 0 if after == source else 1
    finally:
        await service.aclose()


def run() -> int:
    source, target = sys.argv[1], sys.argv[2]
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    save_preferences(load_preferences().model_copy(update={"backfill_start": date(2000, 1, 1)}))
    holder: list[MappingEditorPage] = []
    with SandboxThread(SandboxConfig(orders=12, seed=3, time_scale=200)) as sandbox:
        with loop:
            return loop.run_until_complete(main(holder, source, target, sandbox.info["admin_url"]))


if __name__ == "__main__":
    sys.exit(run())
