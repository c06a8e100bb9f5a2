"""Small parts of the mapping editor page: the undo step every edit pushes, the two field trees' common set-up
and a button with its keyboard shortcut and accessible description."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QAbstractItemView, QMessageBox, QPushButton, QTreeView, QWidget

from bigbooks_desktop.core.mapping_editor_views import EditorProfileView
from bigbooks_desktop.gui.a11y import describe
from bigbooks_desktop.gui.models.mapping_sources import SourceFieldModel
from bigbooks_desktop.gui.models.mapping_targets import TargetFieldModel

if TYPE_CHECKING:
    from bigbooks_desktop.gui.pages.mapping_editor import MappingEditorPage

__all__ = ["DraftCommand", "DraftShower", "UnsavedGuard", "button", "editor_pictures", "field_tree"]


class DraftShower(Protocol):
    def show_draft(self, draft: EditorProfileView) -> None: ...


class DraftCommand(QUndoCommand):
    """One edit: the draft before and after. Edits sharing a `merge_key` (typing in one rule) merge into one."""

    def __init__(self, page: DraftShower, before: EditorProfileView, after: EditorProfileView, text: str,
                 merge_key: str | None = None) -> None:
        super().__init__(text)
        self.page, self.before, self.after, self.merge_key = page, before, after, merge_key

    def redo(self) -> None:
        self.page.show_draft(self.after)

    def undo(self) -> None:
        self.page.show_draft(self.before)

    def id(self) -> int:
        return 1 if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, DraftCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        return True


class UnsavedGuard:
    """The page's guard for unsaved edits: `confirm_leave()` asks (Save, Discard or Cancel) before a draft with
    unsaved edits is left, and closing the page asks the same. Mixed into the page, before QWidget."""

    draft: EditorProfileView | None
    undo_stack: QUndoStack
    ask_unsaved: Callable[[], QMessageBox.StandardButton]

    def save(self, *, activate: bool = False) -> object:
        raise NotImplementedError

    def _ask_unsaved(self) -> QMessageBox.StandardButton:
        return QMessageBox.question(
            self if isinstance(self, QWidget) else None, "Unsaved mapping changes",
            "The mapping profile has changes that are not saved. Save them?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save)

    def confirm_leave(self) -> bool:
        """True when the draft may be left: saved already, saved now, or discarded by the user."""
        if self.draft is None or self.undo_stack.isClean():
            return True
        answer = self.ask_unsaved()
        if answer == QMessageBox.StandardButton.Save:
            if not self.draft.valid:
                return False        # it could not be saved: stay, with the problems shown in place
            self.save()
            return True
        return answer == QMessageBox.StandardButton.Discard

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.confirm_leave():
            event.accept()
        else:
            event.ignore()



def field_tree(model: SourceFieldModel | TargetFieldModel, name: str, description: str) -> QTreeView:
    view = describe(QTreeView(), name, description)
    view.setModel(model)
    view.setUniformRowHeights(True)
    view.setAlternatingRowColors(True)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.header().setStretchLastSection(True)
    return view


def button(owner: QWidget, text: str, name: str, description: str, slot: Callable[[], object],
           shortcut: str | None = None) -> QPushButton:
    """A push button named for screen readers; with `shortcut`, a key that works anywhere in `owner`."""
    made = describe(QPushButton(text), name, description + (f" ({shortcut})" if shortcut else ""), tooltip=True)
    made.clicked.connect(slot)
    if shortcut:
        action = QAction(name, owner)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        owner.addAction(action)
    return made


async def editor_pictures(page: MappingEditorPage, shoot: Callable[[str], object]) -> None:
    """`mapping-editor` (a line field's source and steps) and `mapping-preview` (an invoice previewed)."""
    await page.refresh()
    page.tabs.setCurrentIndex(0)
    page.select_target("line.name")
    page.select_source("line.name")
    page.select_target("line.name")
    page.details.steps.setCurrentRow(1)
    await asyncio.sleep(0.05)          # widgets added to a shown layout appear on the next event round
    shoot("mapping-editor")
    page.select_target("invoice.po_number")
    preview = page.update_preview()
    if preview is not None:
        await preview
    await asyncio.sleep(0.05)
    shoot("mapping-preview")
