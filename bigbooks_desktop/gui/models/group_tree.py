"""A two-level tree model: groups at the top level and their rows below, the common ground of the mapping editor's
field trees and the inbox's cause groups. A group row's internal id is 0, a row's is its group's row + 1."""

from __future__ import annotations

from typing import TypeAlias

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

__all__ = ["GroupTreeModel", "Index"]

Index: TypeAlias = QModelIndex | QPersistentModelIndex
_GROUP = 0          # internalId of a group row; a child row's is its group's row + 1


class GroupTreeModel(QAbstractItemModel):
    """Groups, then their rows. Subclasses give `HEADERS`, `group_count()`, `child_count(group_row)` and `data`."""

    HEADERS: tuple[str, ...] = ()

    def group_count(self) -> int:
        raise NotImplementedError

    def child_count(self, group_row: int) -> int:
        raise NotImplementedError

    @staticmethod
    def is_group(index: Index) -> bool:
        """A valid index on a group row."""
        return index.isValid() and index.internalId() == _GROUP

    @staticmethod
    def group_row(index: Index) -> int:
        """The row of a valid index's group (its own row on a group row)."""
        return index.row() if index.internalId() == _GROUP else index.internalId() - 1

    def child_index(self, group_row: int, row: int, column: int = 0) -> QModelIndex:
        return self.createIndex(row, column, group_row + 1)

    # -- Qt's model ----------------------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _GROUP)
        if parent.internalId() == _GROUP:
            return self.child_index(parent.row(), row, column)
        return QModelIndex()

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == _GROUP:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, _GROUP)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        if not parent.isValid():
            return self.group_count()
        if parent.internalId() == _GROUP and parent.column() == 0 and parent.row() < self.group_count():
            return self.child_count(parent.row())
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        del parent
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
