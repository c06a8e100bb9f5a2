"""The sort proxy every table uses: it compares the cells' native values (`SORT_ROLE`), so 2 sorts before 10,
times sort as times whatever their zone, and empty cells go last."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel

from bigbooks_desktop.gui.models.table import SORT_ROLE

__all__ = ["SortProxyModel"]


class SortProxyModel(QSortFilterProxyModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)

    def lessThan(self, left: QModelIndex | QPersistentModelIndex,
                 right: QModelIndex | QPersistentModelIndex) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:
            return a is not None          # an empty cell sorts after every value
        try:
            return bool(a < b)
        except TypeError:                 # values of different kinds in one column: compare their text
            return str(a) < str(b)
