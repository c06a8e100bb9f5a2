"""The mapping editor's Profile menu, driven through its menu entries on a real service and sandbox: a new profile
from a template, export then import of a profile file (and a file that is not one), Save as, and the version
history's open, put in use and restore. Each is what `bigbooks mapping new | export | import | history |
activate | restore` does, checked against the stored versions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mapping_helpers import preview_settled, settle, source_of, wait_until
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from bigbooks_desktop.core.errors import ValidationError
from bigbooks_desktop.gui.pages.mapping_editor import MappingEditorPage

pytestmark = [pytest.mark.gui]


@pytest.fixture
def page(mapping_page: MappingEditorPage) -> MappingEditorPage:
    return mapping_page


def entry(page: MappingEditorPage, text: str) -> QAction:
    """A Profile menu entry (or a template in its submenu) by its text, as the user sees it."""
    menus = [page.profile_menu.menu]
    while menus:
        menu = menus.pop()
        for action in menu.actions():
            if action.text() == text:
                return action
            submenu = action.menu()
            if isinstance(submenu, QMenu):
                menus.append(submenu)
    raise AssertionError(f"no entry {text!r}")


def names(loop: asyncio.AbstractEventLoop, page: MappingEditorPage) -> dict[str, int]:
    return {p.name: p.latest_version for p in loop.run_until_complete(page.service.profiles())}


def test_a_new_profile_from_a_template_is_unsaved_until_saved(page: MappingEditorPage,
                                                              qloop: asyncio.AbstractEventLoop) -> None:
    page.profile_menu.ask_name = lambda title, default: "Wholesale"
    template = next(t for t in page.service.profile_templates() if t.key == "b2b")
    entry(page, template.label).trigger()
    assert page.draft is not None and page.draft.name == "Wholesale" and page.draft.version is None
    assert not page.undo_stack.isClean() and "not saved yet" in page.status.text()
    wait_until(qloop, lambda: page.profile_box.currentText() == "Wholesale")     # listed while not stored yet
    settle(qloop, page.save())
    assert names(qloop, page)["Wholesale"] == 1
    assert page.undo_stack.isClean()


def test_export_then_import_round_trips_and_a_bad_file_is_refused(page: MappingEditorPage, tmp_path: Path,
                                                                   qloop: asyncio.AbstractEventLoop) -> None:
    page.map_field("invoice.terms", "order.staff_notes")
    file = tmp_path / "profile.json"
    page.profile_menu.ask_save_file = lambda suggested: str(file)
    entry(page, "Export to file…").trigger()
    assert f"Exported to {file}" in page.status.text()
    check = qloop.run_until_complete(page.service.check_profile(file.read_text()))
    assert check.valid and check.name == "Standard invoices"
    page.undo_stack.undo()                       # back to the saved draft: nothing to ask about
    assert source_of(page, "invoice.terms") is None
    page.profile_menu.ask_open_file = lambda: str(file)
    entry(page, "Import from file…").trigger()
    assert source_of(page, "invoice.terms") == "order.staff_notes"
    assert not page.undo_stack.isClean() and "Imported from profile.json" in page.status.text()
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    page.profile_menu.ask_open_file = lambda: str(bad)
    entry(page, "Import from file…").trigger()
    shown = page.presenter.shown[-1]
    assert isinstance(shown, ValidationError) and shown.title == "Not a mapping profile"
    page.profile_menu.ask_open_file = lambda: str(tmp_path / "missing.json")
    entry(page, "Import from file…").trigger()
    assert "could not be read" in page.presenter.shown[-1].message


def test_save_as_starts_a_new_name(page: MappingEditorPage, qloop: asyncio.AbstractEventLoop) -> None:
    page.map_field("invoice.terms", "order.staff_notes")
    page.profile_menu.ask_name = lambda title, default: "  Copy for review "
    future = page.profile_menu.save_as()
    settle(qloop, future)
    assert names(qloop, page)["Copy for review"] == 1
    assert page.draft is not None and page.draft.name == "Copy for review" and page.draft.version == 1
    page.profile_menu.ask_name = lambda title, default: ""
    assert page.profile_menu.save_as() is None
    assert page.presenter.shown[-1].title == "Name not usable"


def test_the_version_history_opens_puts_in_use_and_restores(page: MappingEditorPage, qtbot: Any,
                                                            qloop: asyncio.AbstractEventLoop,
                                                            save_screenshot: Callable[[Any, str], Path]) -> None:
    settle(qloop, page.save(activate=True))                     # version 1, in use
    page.map_field("invoice.terms", "order.staff_notes")
    settle(qloop, page.save())                                  # version 2, not in use
    entry(page, "Version history…").trigger()
    dialog = page.profile_menu.history_dialog
    assert dialog is not None
    settle(qloop, dialog.loading)
    assert [v.version for v in dialog.versions] == [2, 1]
    in_use = dialog.table.item(1, 4)
    assert in_use is not None and in_use.text() == "yes"          # version 1 is in use
    assert dialog.use_button.isEnabled()                          # version 2, selected first, is not
    save_screenshot(dialog, "mapping-history")
    dialog.table.selectRow(0)
    settle(qloop, dialog.use_one())
    active = qloop.run_until_complete(page.service.active_profile())
    assert active.version == 2
    dialog.table.selectRow(1)
    settle(qloop, dialog.restore_one())                          # version 1 back as version 3, in use
    wait_until(qloop, lambda: page.draft is not None and page.draft.version == 3)
    assert qloop.run_until_complete(page.service.active_profile()).version == 3
    assert source_of(page, "invoice.terms") is None
    settle(qloop, dialog.loading if dialog.loading.done() else dialog.reload())
    wait_until(qloop, lambda: [v.version for v in dialog.versions] == [3, 2, 1])
    dialog.table.selectRow(1)                                    # version 2
    settle(qloop, dialog.open_one())
    assert page.draft is not None and page.draft.version == 2
    assert source_of(page, "invoice.terms") == "order.staff_notes"
    wait_until(qloop, preview_settled(page))
