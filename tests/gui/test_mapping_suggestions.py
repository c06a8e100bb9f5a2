"""The mapping editor's Suggest dialog and its rules list, driven the way a user drives them, on the qasync loop
against a sandbox over real loopback sockets: a few mappings taken away, Suggest pressed, the dialog shows a
target, a source and a confidence on each row; one row selected and accepted, then all accepted; the draft
holds the accepted mappings and one undo takes back one accept. A rule's name and condition edited in place in
the rules list (the view's own editor, typed into) and its enabled box toggled, each reaching the draft."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mapping_helpers import draft, preview_settled, source_of, wait_until
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QStyle, QStyleOptionViewItem, QTableView

from bigbooks_desktop.gui.models.mapping_rules import RuleColumn
from bigbooks_desktop.gui.pages.mapping_editor import MappingEditorPage
from bigbooks_desktop.gui.pages.mapping_suggestions import SuggestionsDialog

pytestmark = [pytest.mark.gui]

_REMOVED = ("client.organization", "client.p_city", "invoice.currency_code")

















@pytest.fixture
def page(mapping_page: MappingEditorPage) -> MappingEditorPage:
    return mapping_page


def _open_suggestions(page: MappingEditorPage, qloop: asyncio.AbstractEventLoop) -> SuggestionsDialog:
    """Press Suggest and wait until the dialog shows what the service found."""
    page.suggest_button.click()
    dialog = page.suggestions_dialog
    assert isinstance(dialog, SuggestionsDialog)
    wait_until(qloop, lambda: dialog.model.rowCount() > 0 and page.suggest_button.isEnabled())
    assert dialog.isVisible()
    return dialog


def _cells(dialog: SuggestionsDialog, row: int) -> list[str]:
    return [str(dialog.model.index(row, c).data()) for c in range(dialog.model.columnCount())]


def _click_row(view: QTableView, row: int) -> None:
    index = view.model().index(row, 0)
    view.scrollTo(index)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     view.visualRect(index).center())


def test_suggestions_are_shown_accepted_one_then_all_and_undone(
        page: MappingEditorPage, qloop: asyncio.AbstractEventLoop,
        save_screenshot: Callable[[Any, str], Path]) -> None:
    for target in _REMOVED:
        page.apply(page.service.editor_unmap(draft(page), target), f"Unmap {target}")
    assert all(source_of(page, t) is None for t in _REMOVED)
    steps = page.undo_stack.count()

    dialog = _open_suggestions(page, qloop)
    headers = [dialog.model.headerData(c, Qt.Orientation.Horizontal) for c in range(dialog.model.columnCount())]
    assert headers[:4] == ["FreshBooks field", "Rank", "Suggested source", "Confidence"]
    rows = [dialog.model.row(r).suggestion for r in range(dialog.model.rowCount())]
    assert {t for t in _REMOVED} <= {s.target for s in rows}
    assert not {s.target for s in rows} & {m.target for m in draft(page).field_mappings}   # unmapped only
    for row, suggestion in enumerate(rows):
        target, rank, source, confidence, why = _cells(dialog, row)
        assert target == suggestion.target_label and target
        assert int(rank) == 1 + sum(s.target == suggestion.target for s in rows[:row])   # best first per field
        assert source and suggestion.source.replace("\n", " ⏎ ") in source
        assert confidence == f"{suggestion.confidence:.0%}"
        assert why
    assert not dialog.accept_selected.isEnabled()                        # nothing selected yet
    assert str(len(rows)) in dialog.state.text()

    # one, as a user: click its row (its reasons show below), press "Accept selected"
    city = next(r for r, s in enumerate(rows) if s.target == "client.p_city")
    _click_row(dialog.table, city)
    assert [i.row() for i in dialog.table.selectionModel().selectedRows()] == [city]
    assert all(reason in dialog.why.text() for reason in rows[city].reasons)
    save_screenshot(dialog, "mapping-suggestions")
    QTest.mouseClick(dialog.accept_selected, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert source_of(page, "client.p_city") == rows[city].source == "billing_address.city"
    assert page.undo_stack.count() == steps + 1
    assert page.undo_stack.undoText() == "Accept 1 suggestion(s)"
    assert source_of(page, "client.organization") is None

    # then all: each field not mapped gets its best suggestion, in one step
    dialog = _open_suggestions(page, qloop)
    rows = [dialog.model.row(r).suggestion for r in range(dialog.model.rowCount())]
    assert "client.p_city" not in {s.target for s in rows}
    best: dict[str, str] = {}
    for suggestion in rows:
        best.setdefault(suggestion.target, suggestion.source)
    QTest.mouseClick(dialog.accept_all, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert page.undo_stack.count() == steps + 2
    for target, source in best.items():
        assert source_of(page, target) == source, target
    assert source_of(page, "client.organization") == "billing_address.company"
    assert source_of(page, "invoice.currency_code") == "order.currency_code"
    assert source_of(page, "client.p_city") == "billing_address.city"

    # one undo takes back the last accept (all of it), the next the one before
    page.undo_button.click()
    assert all(source_of(page, t) is None for t in best)
    assert source_of(page, "client.p_city") == "billing_address.city"
    page.undo_button.click()
    assert source_of(page, "client.p_city") is None
    assert page.undo_stack.count() == steps + 2 and page.undo_stack.index() == steps


def test_closing_the_dialog_maps_nothing(page: MappingEditorPage, qloop: asyncio.AbstractEventLoop) -> None:
    page.apply(page.service.editor_unmap(draft(page), "client.p_city"), "Unmap client.p_city")
    before = draft(page)
    dialog = _open_suggestions(page, qloop)
    assert not dialog.accept_selected.isEnabled()                           # nothing selected: nothing to do
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and draft(page) == before
    wait_until(qloop, preview_settled(page))    # the unmap's preview: done before the sandbox stops


def _edit_in_place(view: QTableView, index: QModelIndex, text: str) -> None:
    """Open the view's own editor on `index` (as a double-click or F2 does), type `text` over what it holds,
    press Enter."""
    view.setCurrentIndex(index)
    view.edit(index)
    editors = [w for w in view.viewport().findChildren(QLineEdit) if w.isVisible()]
    assert len(editors) == 1, editors
    editor = editors[0]
    assert editor.text() == index.data()
    editor.selectAll()
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()         # the delegate commits and closes its editor in a queued call
    assert view.state() is not QTableView.State.EditingState


def _check_rect_centre(view: QTableView, index: QModelIndex) -> Any:
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(index)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    return view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, view).center()


def test_a_rule_is_renamed_and_its_condition_edited_in_place_and_switched_off(
        page: MappingEditorPage, qloop: asyncio.AbstractEventLoop) -> None:
    page.tabs.setCurrentWidget(page.rules)
    page.rules.add.click()
    view, model = page.rules.table, page.rules.model
    assert len(draft(page).rules) == 1 and draft(page).rules[0].enabled
    steps = page.undo_stack.count()

    _edit_in_place(view, model.index(0, RuleColumn.NAME), "Big orders")
    assert draft(page).rules[0].name == "Big orders"
    assert model.index(0, RuleColumn.NAME).data() == "Big orders"
    assert page.rules.name.text() == "Big orders"                       # the form below follows

    _edit_in_place(view, model.index(0, RuleColumn.WHEN), "order.total_inc_tax > 250 and not customer.is_guest")
    assert draft(page).rules[0].when == "order.total_inc_tax > 250 and not customer.is_guest"
    assert page.rules.when.text() == draft(page).rules[0].when
    assert not model.issues(0) and draft(page).valid

    _edit_in_place(view, model.index(0, RuleColumn.WHEN), "order.totl > 5")  # a field that does not exist
    assert draft(page).rules[0].when == "order.totl > 5"
    assert model.issues(0) and model.index(0, RuleColumn.PROBLEM).data()      # marked where it is
    assert page.rules.when_issues.isVisible()

    on = model.index(0, RuleColumn.ON)
    view.scrollTo(on)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     _check_rect_centre(view, on))
    assert not draft(page).rules[0].enabled
    assert on.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert "off" in str(model.index(0, RuleColumn.NAME).data(Qt.ItemDataRole.AccessibleTextRole))
    view.setCurrentIndex(on)
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Space)                                   # and from the keyboard
    assert draft(page).rules[0].enabled

    # typing in one rule is one step on the undo stack: undo gives back the new rule as added
    assert page.undo_stack.count() == steps + 1
    page.undo_button.click()
    rule = draft(page).rules[0]
    assert (rule.name, rule.when, rule.enabled) == ("Rule 1", "order.total_inc_tax > 1000", True)
