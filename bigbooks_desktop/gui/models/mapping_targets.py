"""The mapping editor's target tree: the FreshBooks invoice, line and client fields, each with the source that
fills it in the draft, a marker when mapped, required fields starred, and the draft's problems in place (an
icon, a tooltip and the text). A source dropped on a field (`SOURCE_MIME`) asks the page to map it:
`map_requested(target, path)`, so the change goes through the page's undo stack and the service."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QMimeData, QObject, Qt, Signal
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from bigbooks_desktop.core.mapping_editor_views import EditorIssueView, EditorProfileView, FieldMappingView, SourceKind
from bigbooks_desktop.core.profile_views import IssueSeverity, MappingFieldView
from bigbooks_desktop.gui.models.field_tree import FieldGroup, FieldTreeModel, Index, group_fields
from bigbooks_desktop.gui.models.mapping_sources import SOURCE_MIME

__all__ = ["TargetColumn", "TargetFieldModel", "source_text", "target_groups"]

_GROUPS = (("invoice", "FreshBooks invoice"), ("line", "Invoice line (each product)"), ("client", "FreshBooks client"))


class TargetColumn:
    """Column numbers of TargetFieldModel."""

    FIELD, SOURCE, PROBLEM = range(3)


def target_groups(fields: Iterable[MappingFieldView]) -> list[FieldGroup]:
    return group_fields(fields, "target", _GROUPS)


def source_text(mapping: FieldMappingView) -> str:
    """A mapping's source on one line: the path, “fixed text”, or the template; then its steps."""
    text = mapping.source_text.replace("\n", " ⏎ ")
    if mapping.source_kind is SourceKind.CONSTANT:
        text = f"“{text}”"
    elif mapping.source_kind is SourceKind.TEMPLATE:
        text = f"template: {text}"
    steps = len(mapping.transforms)
    return text + (f"  (+{steps} step{'s' if steps > 1 else ''})" if steps else "")


def _icon(pixmap: QStyle.StandardPixmap) -> QIcon:
    return QApplication.style().standardIcon(pixmap)


class TargetFieldModel(FieldTreeModel):
    """The writable fields and what fills each in the draft (`set_draft`)."""

    HEADERS = ("FreshBooks field", "Filled from", "Problem")
    map_requested = Signal(str, str)        # target, source path: a source was dropped on a target

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._draft: EditorProfileView | None = None

    def set_draft(self, draft: EditorProfileView) -> None:
        self._draft = draft
        for group_row in range(self.rowCount()):
            parent = self.index(group_row, 0)
            rows = self.rowCount(parent)
            if rows:
                self.dataChanged.emit(self.index(0, 0, parent), self.index(rows - 1, len(self.HEADERS) - 1, parent))

    def mapping(self, field: MappingFieldView) -> FieldMappingView | None:
        return self._draft.mapping(field.path) if self._draft is not None else None

    def issues(self, field: MappingFieldView) -> tuple[EditorIssueView, ...]:
        return self._draft.mapping_issues(field.path) if self._draft is not None else ()

    def field_data(self, field: MappingFieldView, column: int, role: int) -> object:
        mapping = self.mapping(field)
        issues = self.issues(field)
        errors = [i for i in issues if i.severity is IssueSeverity.ERROR]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == TargetColumn.FIELD:
                return field.label + (" *" if field.required else "")
            if column == TargetColumn.SOURCE:
                return source_text(mapping) if mapping is not None else "not mapped"
            return "; ".join(f"{i.part}: {i.message}" for i in issues)
        if role == Qt.ItemDataRole.DecorationRole:
            if column == TargetColumn.FIELD and mapping is not None and not issues:
                return _icon(QStyle.StandardPixmap.SP_DialogApplyButton)
            if column in (TargetColumn.FIELD, TargetColumn.PROBLEM) and issues:     # seen even when scrolled
                return _icon(QStyle.StandardPixmap.SP_MessageBoxCritical if errors
                             else QStyle.StandardPixmap.SP_MessageBoxWarning)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"{field.path}: {field.description}" if field.description else field.path]
            lines.append("Required" if field.required else "Optional")
            lines.append(f"Filled from {source_text(mapping)}" if mapping is not None else "Not mapped")
            lines += [f"{i.severity.value.title()} ({i.part}): {i.message}" for i in issues]
            return "\n".join(lines)
        if role == Qt.ItemDataRole.AccessibleTextRole and column == TargetColumn.FIELD:
            state = f"filled from {source_text(mapping)}" if mapping is not None else "not mapped"
            need = ", required" if field.required else ""
            problems = f", {len(issues)} problem(s)" if issues else ""
            return f"{field.label}{need}, {state}{problems}"
        if role == Qt.ItemDataRole.FontRole and column == TargetColumn.SOURCE and mapping is None:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    # -- dropping a source ---------------------------------------------------------------------------------

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if self.field_at(index) is not None:
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        return flags

    def mimeTypes(self) -> list[str]:
        return [SOURCE_MIME]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def _drop_target(self, data: QMimeData, row: int, parent: Index) -> tuple[str, str] | None:
        """(target, path) when `data` is a source dropped on a target field, else None."""
        if not data.hasFormat(SOURCE_MIME):
            return None
        target = self.field_at(parent) if row < 0 else self.field_at(self.index(row, 0, parent))
        path = bytes(data.data(SOURCE_MIME).data()).decode()
        if target is None or not path:
            return None
        if path.startswith("line.") and not target.path.startswith("line."):
            return None         # only an invoice line's fields can read a product line
        return target.path, path

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: Index) -> bool:
        del column
        return action in (Qt.DropAction.CopyAction, Qt.DropAction.MoveAction) \
            and self._drop_target(data, row, parent) is not None

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: Index) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        found = self._drop_target(data, row, parent)
        assert found is not None
        self.map_requested.emit(*found)
        return True
