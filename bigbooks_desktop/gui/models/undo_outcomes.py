"""What an undo removes or keeps: one `UndoOutcomeView` a row (the preview's and the report's tables)."""

from __future__ import annotations

from PySide6.QtCore import QObject

from bigbooks_desktop.core.views import ObjectKind, UndoAction, UndoOutcomeView
from bigbooks_desktop.gui.models.table import Column, ViewTableModel

__all__ = ["OUTCOME_COLUMNS", "OutcomeColumn", "UndoOutcomeModel", "kind_word"]

_KINDS = {ObjectKind.CREDIT: "Credit note", ObjectKind.UPDATE: "Invoice update", ObjectKind.VOID: "Void"}
_ACTIONS = {UndoAction.DELETED: "Removed", UndoAction.ALREADY_GONE: "Already gone", UndoAction.KEPT: "Kept",
            UndoAction.FAILED: "Could not remove"}


class OutcomeColumn:
    WHAT, FRESHBOOKS_ID, ORDER, OUTCOME, WHY = range(5)


def kind_word(kind: ObjectKind) -> str:
    return _KINDS.get(kind, kind.value.capitalize())


OUTCOME_COLUMNS: tuple[Column[UndoOutcomeView], ...] = (
    Column(header="What", value=lambda o: kind_word(o.kind)),
    Column(header="FreshBooks id", value=lambda o: o.object_id, numeric=True),
    Column(header="Order", value=lambda o: o.order_id, numeric=True),
    Column(header="Outcome", value=lambda o: _ACTIONS[o.action]),
    Column(header="Why", value=lambda o: o.reason, tooltip=lambda o: o.reason or None),
)


class UndoOutcomeModel(ViewTableModel[UndoOutcomeView]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(OUTCOME_COLUMNS, parent)
