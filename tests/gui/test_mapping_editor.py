"""The mapping editor on the qasync loop against a sandbox over real loopback sockets: its models through the
model tester; a source dropped on a target through the models and through the views (synthetic drag events on
the target view's viewport) maps it, and undo brings the old mapping back; Map/Unmap from the keyboard; a rule's
problem shown in place as it is typed; save, put in use; the live preview following an edit; the unsaved-edits
guard; the pictures."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from mapping_helpers import preview_settled, settle, source_of, wait_until
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from bigbooks_desktop.core.mapping_editor_views import SourceKind
from bigbooks_desktop.gui.models.mapping_rules import RuleColumn
from bigbooks_desktop.gui.models.mapping_sources import SOURCE_MIME
from bigbooks_desktop.gui.models.mapping_targets import TargetColumn
from bigbooks_desktop.gui.pages.mapping_editor import MappingEditorPage
from bigbooks_desktop.gui.pages.mapping_links import Link, link_pairs

pytestmark = [pytest.mark.gui]














@pytest.fixture
def page(mapping_page: MappingEditorPage) -> MappingEditorPage:
    return mapping_page


def test_the_models_pass_the_model_tester(page: MappingEditorPage, qtmodeltester: Any) -> None:
    qtmodeltester.check(page.sources)
    qtmodeltester.check(page.targets)
    page.rules.add.click()
    page.rules.add.click()
    assert page.rules.model.rowCount() == 2
    qtmodeltester.check(page.rules.model)


def test_a_source_dropped_through_the_models_maps_and_undo_restores(page: MappingEditorPage) -> None:
    assert source_of(page, "client.note") == "customer.is_guest"
    data = page.sources.mimeData([page.sources.index_of("order.staff_notes")])
    assert data is not None and data.hasFormat(SOURCE_MIME)
    target = page.targets.index_of("client.note")
    assert page.targets.canDropMimeData(data, Qt.DropAction.CopyAction, -1, 0, target)
    line_field = page.sources.mimeData([page.sources.index_of("line.sku")])
    assert line_field is not None
    assert not page.targets.canDropMimeData(line_field, Qt.DropAction.CopyAction, -1, 0, target)  # a line field
    assert page.targets.dropMimeData(data, Qt.DropAction.CopyAction, -1, 0, target)
    assert source_of(page, "client.note") == "order.staff_notes"
    assert page.targets.index_of("client.note", TargetColumn.SOURCE).data().startswith("order.staff_notes")
    assert not page.undo_stack.isClean()
    page.undo_button.click()
    assert source_of(page, "client.note") == "customer.is_guest"
    assert page.undo_stack.isClean()
    page.redo_button.click()
    assert source_of(page, "client.note") == "order.staff_notes"


def _drop_on_view(page: MappingEditorPage, path: str, target: str) -> QDropEvent:
    view = page.target_view
    index = page.targets.index_of(target)
    view.scrollTo(index)
    point = view.visualRect(index).center()
    data = QMimeData()
    data.setData(SOURCE_MIME, path.encode())
    copy, left, none = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point, copy, data, left, none)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(point, copy, data, left, none)
    QApplication.sendEvent(view.viewport(), move)
    assert move.isAccepted()
    drop = QDropEvent(point.toPointF(), copy, data, left, none)
    QApplication.sendEvent(view.viewport(), drop)
    return drop


def test_a_source_dropped_on_the_target_view_maps_and_undo_restores(page: MappingEditorPage) -> None:
    assert source_of(page, "client.organization") == "billing_address.company"
    drop = _drop_on_view(page, "shipping_address.company", "client.organization")
    assert drop.isAccepted()
    assert source_of(page, "client.organization") == "shipping_address.company"
    assert page.current_target() == "client.organization"
    assert page.sources.linked == {"shipping_address.company"}         # its source marked in the tree
    mapping = page.draft.mapping("client.organization") if page.draft else None
    assert mapping is not None and [t.name for t in mapping.transforms] == ["default_if_empty", "trim"]  # kept
    page.undo_stack.undo()
    assert source_of(page, "client.organization") == "billing_address.company"
    _drop_on_view(page, "order.nope", "invoice.terms")                # not a field the app can read
    assert source_of(page, "invoice.terms") == "order.nope"             # mapped, and marked in place
    assert page.targets.index_of("invoice.terms", TargetColumn.PROBLEM).data()


def _link(page: MappingEditorPage, source: str, target: str) -> Link | None:
    return next((k for k in page.links.links() if (k.source, k.target) == (source, target)), None)


def test_lines_join_each_mapped_pair_and_follow_the_trees(page: MappingEditorPage, qtbot: Any,
                                                          save_screenshot: Callable[[Any, str], Path]) -> None:
    assert page.draft is not None
    assert set(link_pairs(page.draft)) == {(k.source, k.target) for k in page.links.links()}
    # a template's placeholders each get a line
    template = next(m for m in page.draft.field_mappings if m.source_kind is SourceKind.TEMPLATE)
    assert sum(k.target == template.target for k in page.links.links()) >= 1
    page.map_field("invoice.terms", "order.staff_notes")
    page.select_source("order.staff_notes")
    page.target_view.scrollTo(page.targets.index_of("invoice.terms"))
    qtbot.wait(20)
    line = _link(page, "order.staff_notes", "invoice.terms")
    assert line is not None and line.source_shown and line.target_shown and line.selected
    # each end sits on its row: the row's centre, mapped into the strip
    for view, index, y in ((page.source_view, page.sources.index_of("order.staff_notes"), line.source_y),
                           (page.target_view, page.targets.index_of("invoice.terms"), line.target_y)):
        centre = view.viewport().mapToGlobal(view.visualRect(index).center())
        assert abs(page.links.mapFromGlobal(centre).y() - y) <= 1
    save_screenshot(page, "mapping-lines")
    # scrolled out of sight: the end goes to the tree's edge (drawn dashed)
    page.source_view.scrollToBottom()
    qtbot.wait(20)
    line = _link(page, "order.staff_notes", "invoice.terms")
    top = page.links.mapFromGlobal(page.source_view.viewport().mapToGlobal(QPoint(0, 0))).y()
    assert line is not None and not line.source_shown and line.source_y == top
    # a collapsed group: its fields' lines end at its edge too
    page.source_view.collapseAll()
    line = _link(page, "order.staff_notes", "invoice.terms")
    assert line is not None and not line.source_shown
    page.source_view.expandAll()
    page.select_target("invoice.terms")
    page.unmap_selected()
    assert _link(page, "order.staff_notes", "invoice.terms") is None
    page.undo_stack.undo()
    assert _link(page, "order.staff_notes", "invoice.terms") is not None


def test_map_and_unmap_from_the_keyboard(page: MappingEditorPage, qtbot: Any) -> None:
    page.activateWindow()
    page.select_source("order.staff_notes")
    page.select_target("invoice.terms")
    assert source_of(page, "invoice.terms") is None
    page.target_view.setFocus()
    QTest.keyClick(page.target_view, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert source_of(page, "invoice.terms") == "order.staff_notes"
    assert page.details.title.text().startswith("Terms")
    QTest.keyClick(page.target_view, Qt.Key.Key_M,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert source_of(page, "invoice.terms") is None
    QTest.keyClick(page.target_view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert source_of(page, "invoice.terms") == "order.staff_notes"
    page.map_button.click()          # the button does the same
    assert source_of(page, "invoice.terms") == "order.staff_notes"


def test_transforms_are_added_edited_and_reordered_in_the_side_panel(page: MappingEditorPage) -> None:
    page.select_target("client.fname")
    assert [page.details.steps.item(i).text() for i in range(page.details.steps.count())] == ["1. Trim spaces"]
    page.details.choice.setCurrentIndex(page.details.choice.findData("truncate"))
    page.details.add.click()
    assert page.details.steps.count() == 2 and page.details.steps.currentRow() == 1
    length = dict(page.details._param_edits)["length"]
    length.setText("0")
    length.editingFinished.emit()
    assert page.details.issues.isVisible()
    assert "transform 2" in page.details.issues.text.text()
    length = dict(page.details._param_edits)["length"]
    length.setText("20")
    length.editingFinished.emit()
    assert not page.details.issues.isVisible()
    page.details.up.click()
    mapping = page.draft.mapping("client.fname") if page.draft else None
    assert mapping is not None and [t.name for t in mapping.transforms] == ["truncate", "trim"]
    assert mapping.transforms[0].params[0] == ("length", "20")
    for _ in range(4):
        page.undo_stack.undo()
    mapping = page.draft.mapping("client.fname") if page.draft else None
    assert mapping is not None and [t.name for t in mapping.transforms] == ["trim"]
    page.select_target("invoice.terms")                 # not mapped: give it fixed text
    page.details.kind.setCurrentIndex(page.details.kind.findText("Fixed text"))
    page.details.source.setPlainText("Net 30")
    page.details.apply_source.click()
    assert source_of(page, "invoice.terms") == "Net 30"
    assert page.targets.index_of("invoice.terms", TargetColumn.SOURCE).data() == "“Net 30”"


def test_an_invalid_rule_is_marked_where_it_is_as_it_is_typed(page: MappingEditorPage,
                                                              qloop: asyncio.AbstractEventLoop) -> None:
    page.tabs.setCurrentWidget(page.rules)
    page.rules.add.click()
    assert page.rules.row() == 0 and page.draft is not None and page.draft.valid
    page.rules.when.setFocus()
    page.rules.when.end(False)
    QTest.keyClicks(page.rules.when, " and")           # "order.total_inc_tax > 1000 and": unfinished
    wait_until(qloop, lambda: bool(page.rules.model.issues(0)))
    assert page.rules.when_issues.isVisible()
    assert "when" in page.rules.when_issues.text.text()
    problem = page.rules.model.index(0, RuleColumn.PROBLEM)
    assert problem.data() and problem.data(Qt.ItemDataRole.DecorationRole) is not None
    assert page.rules.when.text() == "order.total_inc_tax > 1000 and"     # the text stays as typed
    QTest.keyClicks(page.rules.when, " customer.is_guest")
    wait_until(qloop, lambda: not page.rules.model.issues(0))
    assert not page.rules.when_issues.isVisible()
    assert page.undo_stack.count() == 2               # add, then the typing merged into one edit


def test_save_creates_a_version_and_put_in_use_makes_it_live(page: MappingEditorPage, sandbox_service: Any,
                                                             qloop: asyncio.AbstractEventLoop) -> None:
    page.select_source("order.staff_notes")
    page.select_target("invoice.terms")
    page.map_selected()
    page.note.setText("terms from staff notes")
    saved = settle(qloop, page.save())
    assert (saved.version, saved.created, saved.active) == (1, True, False)
    assert page.undo_stack.isClean() and "Saved as version 1" in page.status.text()
    history = qloop.run_until_complete(sandbox_service.profile_history(saved.name))
    assert [(v.version, v.note) for v in history] == [(1, "terms from staff notes")]
    page.activate_button.click()
    assert page.save_button.isEnabled() is False
    wait_until(qloop, page.save_button.isEnabled)
    active = qloop.run_until_complete(sandbox_service.active_profile())
    assert active.version == 1
    assert any(m.target == "invoice.terms" for m in active.profile.field_mappings)
    assert "now in use" in page.status.text()


def test_the_preview_follows_an_edit(page: MappingEditorPage, qloop: asyncio.AbstractEventLoop) -> None:
    page.select_target("invoice.po_number")
    page.unmap_selected()
    wait_until(qloop, preview_settled(page))
    order = page.preview.current_order()
    assert order is not None and order.po_number == "" and len(page.preview.preview.orders) == 5  # type: ignore[union-attr]
    page.select_source("order.id")
    page.map_selected()
    wait_until(qloop, lambda: (o := page.preview.current_order()) is not None and bool(o.po_number)
               and preview_settled(page)())
    order = page.preview.current_order()
    assert order is not None and order.po_number == str(order.order_id)
    assert f"PO number{order.order_id}" in page.preview.invoice.toPlainText().replace("\n", "").replace("\t", "")


def test_unsaved_edits_are_guarded(page: MappingEditorPage) -> None:
    assert page.confirm_leave()                       # nothing to lose
    page.select_target("invoice.po_number")
    page.unmap_selected()
    answers = [QMessageBox.StandardButton.Cancel]
    page.ask_unsaved = lambda: answers[-1]
    assert not page.confirm_leave()
    page.close()
    assert page.isVisible()                           # closing was refused
    answers.append(QMessageBox.StandardButton.Discard)
    assert page.confirm_leave()


def test_the_pictures(page: MappingEditorPage, qloop: asyncio.AbstractEventLoop,
                      save_screenshot: Callable[[Any, str], Path]) -> None:
    shot: list[str] = []

    def shoot(name: str) -> None:
        shot.append(name)
        save_screenshot(page, name)
        if name == "mapping-editor":
            assert page.current_target() == "line.name" and page.details.steps.count() == 3
        else:
            assert page.preview.current_order() is not None

    qloop.run_until_complete(page.pictures(shoot))
    assert shot == ["mapping-editor", "mapping-preview"]
    page.tabs.setCurrentWidget(page.rules)
    page.rules.add.click()
    page.rules.when.setText("order.totl > 5")
    page.rules._send_form()
    save_screenshot(page, "mapping-rules")
    assert page.rules.when_issues.isVisible()
