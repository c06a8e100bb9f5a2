"""A read-only table model over frozen view objects, with columns declared once.

Roles: the display text (times in local time with the zone), a tooltip, right alignment for numbers,
`SORT_ROLE` (the column's native value: an int, a Decimal, an aware datetime, text) for `SortProxyModel`,
and `ROW_ROLE` (the view object itself). A row whose cell cannot be computed shows as a disabled
"(unreadable)" row instead of raising inside paint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Generic, TypeAlias, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from bigbooks_desktop.gui.formatting import cell_text

__all__ = ["ROW_ROLE", "SORT_ROLE", "Column", "SortValue", "ViewTableModel"]

ROW_ROLE = Qt.ItemDataRole.UserRole + 1      # the row's view object
SORT_ROLE = Qt.ItemDataRole.UserRole + 2     # the cell's native value, for sorting

Row = TypeVar("Row")
SortValue: TypeAlias = int | Decimal | datetime | str | Enum | None
Index: TypeAlias = QModelIndex | QPersistentModelIndex
_UNREADABLE = "(unreadable)"


@dataclass(frozen=True, slots=True, kw_only=True)
class Column(Generic[Row]):
    """One column: its header, the native value of a row's cell, and optionally its own text and tooltip."""

    header: str
    value: Callable[[Row], SortValue]
    text: Callable[[Row], str] | None = None          # default: the value written by `cell_text`
    tooltip: Callable[[Row], str | None] | None = None
    numeric: bool = False                             # right-aligned


class ViewTableModel(QAbstractTableModel, Generic[Row]):
    """Rows are the service's view objects of one type; `set_rows` replaces them all."""

    def __init__(self, columns: Sequence[Column[Row]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns: tuple[Column[Row], ...] = tuple(columns)
        self._rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, index: int) -> Row:
        return self._rows[index]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def _cell(self, index: Index) -> tuple[SortValue, str] | None:
        """The cell's native value and text; None when the row cannot be read (a bug, shown, not raised)."""
        column, row = self.columns[index.column()], self._rows[index.row()]
        try:
            value = column.value(row)
            return value, column.text(row) if column.text is not None else cell_text(value)
        except Exception:  # a malformed row renders as a disabled row, never an exception in paint
            return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        column = self.columns[index.column()]
        if role == ROW_ROLE:
            return self._rows[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter) if column.numeric else None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, SORT_ROLE):
            return None
        cell = self._cell(index)
        if role == SORT_ROLE:
            return None if cell is None else cell[0]
        if cell is None:
            return _UNREADABLE
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            try:
                return column.tooltip(self._rows[index.row()]) or cell[1]
            except Exception:  # as above: a tooltip never raises inside Qt
                return cell[1]
        return cell[1]

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid() or self._cell(index) is None:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.columns):
            return self.columns[section].header
        return None
