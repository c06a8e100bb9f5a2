"""A two-level tree of mapping fields (a group such as "Billing address", then its fields), the common ground of
the mapping editor's source and target models. Columns are declared by subclasses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeAlias

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont

from bigbooks_desktop.core.profile_views import MappingFieldView

__all__ = ["FIELD_ROLE", "PATH_ROLE", "FieldGroup", "FieldTreeModel"]

FIELD_ROLE = Qt.ItemDataRole.UserRole + 1      # the MappingFieldView of a field row (None on a group row)
PATH_ROLE = Qt.ItemDataRole.UserRole + 3       # the field's path ("" on a group row)
Index: TypeAlias = QModelIndex | QPersistentModelIndex
FieldGroup: TypeAlias = tuple[str, tuple[MappingFieldView, ...]]
_GROUP = 0          # internalId of a group row; a field row's is its group's row + 1


class FieldTreeModel(QAbstractItemModel):
    """Groups of fields. Subclasses give `HEADERS` and `field_data(field, column, role)`."""

    HEADERS: tuple[str, ...] = ("Field",)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: list[FieldGroup] = []
        self._linked: frozenset[str] = frozenset()
        self._linked_brush: QBrush | None = None

    def set_groups(self, groups: Sequence[FieldGroup]) -> None:
        self.beginResetModel()
        self._groups = list(groups)
        self.endResetModel()

    def set_linked(self, paths: Iterable[str], brush: QBrush | None = None) -> None:
        """Mark the fields at `paths` (bold, in `brush`): those joined to what is selected in the other tree."""
        before = self._linked
        self._linked = frozenset(paths)
        self._linked_brush = brush
        for path in before | self._linked:
            first = self.index_of(path, 0)
            if first.isValid():
                self.dataChanged.emit(first, self.index_of(path, len(self.HEADERS) - 1))

    @property
    def linked(self) -> frozenset[str]:
        return self._linked

    # -- reading -------------------------------------------------------------------------------------------

    def field_at(self, index: Index) -> MappingFieldView | None:
        if not index.isValid() or index.internalId() == _GROUP:
            return None
        group = self._groups[index.internalId() - 1]
        return group[1][index.row()] if index.row() < len(group[1]) else None

    def index_of(self, path: str, column: int = 0) -> QModelIndex:
        """The row of the field at `path` (invalid when there is none)."""
        for group_row, (_, fields) in enumerate(self._groups):
            for row, found in enumerate(fields):
                if found.path == path:
                    return self.createIndex(row, column, group_row + 1)
        return QModelIndex()

    def paths(self) -> list[str]:
        return [f.path for _, fields in self._groups for f in fields]

    def field_data(self, field: MappingFieldView, column: int, role: int) -> object:
        del field, column, role
        return None

    # -- Qt's model ----------------------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _GROUP)
        if parent.internalId() == _GROUP:
            return self.createIndex(row, column, parent.row() + 1)
        return QModelIndex()

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == _GROUP:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, _GROUP)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == _GROUP and parent.column() == 0 and parent.row() < len(self._groups):
            return len(self._groups[parent.row()][1])
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

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if index.internalId() == _GROUP:
            if index.row() >= len(self._groups):
                return None
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return self._groups[index.row()][0]
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == PATH_ROLE:
                return ""
            return None
        found = self.field_at(index)
        if found is None:
            return None
        if role == FIELD_ROLE:
            return found
        if role == PATH_ROLE:
            return found.path
        if found.path in self._linked and role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if found.path in self._linked and role == Qt.ItemDataRole.ForegroundRole and self._linked_brush is not None:
            return self._linked_brush
        return self.field_data(found, index.column(), role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
