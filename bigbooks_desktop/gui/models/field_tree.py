"""A two-level tree of mapping fields (a group such as "Billing address", then its fields), the common ground of
the mapping editor's source and target models. Columns are declared by subclasses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeAlias

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QFont

from bigbooks_desktop.core.profile_views import MappingFieldView
from bigbooks_desktop.gui.models.group_tree import GroupTreeModel, Index

__all__ = ["FIELD_ROLE", "PATH_ROLE", "FieldGroup", "FieldTreeModel", "Index", "group_fields"]

FIELD_ROLE = Qt.ItemDataRole.UserRole + 1      # the MappingFieldView of a field row (None on a group row)
PATH_ROLE = Qt.ItemDataRole.UserRole + 3       # the field's path ("" on a group row)
FieldGroup: TypeAlias = tuple[str, tuple[MappingFieldView, ...]]


def group_fields(fields: Iterable[MappingFieldView], side: str,
                 titles: Sequence[tuple[str, str]]) -> list[FieldGroup]:
    """The fields of one `side` ("source" or "target") grouped by their path's first part: one group a
    `(prefix, title)` of `titles`, in that order."""
    chosen = [f for f in fields if f.side == side]
    return [(title, tuple(f for f in chosen if f.path.split(".", 1)[0] == prefix)) for prefix, title in titles]


class FieldTreeModel(GroupTreeModel):
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
        if not index.isValid() or self.is_group(index):
            return None
        group = self._groups[self.group_row(index)]
        return group[1][index.row()] if index.row() < len(group[1]) else None

    def index_of(self, path: str, column: int = 0) -> QModelIndex:
        """The row of the field at `path` (invalid when there is none)."""
        for group_row, (_, fields) in enumerate(self._groups):
            for row, found in enumerate(fields):
                if found.path == path:
                    return self.child_index(group_row, row, column)
        return QModelIndex()

    def paths(self) -> list[str]:
        return [f.path for _, fields in self._groups for f in fields]

    def field_data(self, field: MappingFieldView, column: int, role: int) -> object:
        del field, column, role
        return None

    # -- Qt's model ----------------------------------------------------------------------------------------

    def group_count(self) -> int:
        return len(self._groups)

    def child_count(self, group_row: int) -> int:
        return len(self._groups[group_row][1])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if self.is_group(index):
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
