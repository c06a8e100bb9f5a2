"""The mapping editor's source tree: BigCommerce's order fields by entity (order, billing and shipping address,
customer, product line, checkout fields) with their type and a sample value. A field is dragged out as
`SOURCE_MIME` carrying its path, for the target tree to drop."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, Qt

from bigbooks_desktop.core.profile_views import MappingFieldView
from bigbooks_desktop.gui.models.field_tree import FieldGroup, FieldTreeModel, Index, group_fields

__all__ = ["SOURCE_MIME", "WILDCARD", "SourceColumn", "SourceFieldModel", "path_of", "source_groups"]

SOURCE_MIME = "application/x-bigbooks-source-path"
WILDCARD = "custom_fields.*"
_GROUPS = (("order", "Order"), ("billing_address", "Billing address"), ("shipping_address", "Shipping address"),
           ("customer", "Customer"), ("line", "Product line"), ("custom_fields", "Checkout fields"))


class SourceColumn:
    """Column numbers of SourceFieldModel."""

    FIELD, TYPE, SAMPLE = range(3)


def source_groups(fields: Iterable[MappingFieldView]) -> list[FieldGroup]:
    """The source fields of `mapping_fields()` grouped by entity, in the order a merchant thinks of them."""
    return group_fields(fields, "source", _GROUPS)


class SourceFieldModel(FieldTreeModel):
    """The readable fields; `set_linked` marks the fields the selected target reads."""

    HEADERS = ("Order field", "Type", "Sample")

    def field_data(self, field: MappingFieldView, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == SourceColumn.FIELD:
                return field.label
            if column == SourceColumn.TYPE:
                return field.type
            return field.sample.replace("\n", " ⏎ ")
        if role == Qt.ItemDataRole.ToolTipRole:
            drag = ("Type custom_fields.<short name> as the source of a target (e.g. custom_fields.po_number)"
                    if field.path == WILDCARD else "Drag onto a FreshBooks field, or select both and press Map")
            return f"{field.path}\n{field.description}\nSample: {field.sample or '(empty)'}\n{drag}"
        if role == Qt.ItemDataRole.AccessibleTextRole and column == SourceColumn.FIELD:
            linked = ", read by the selected FreshBooks field" if field.path in self._linked else ""
            return f"{field.label} ({field.path}), {field.type}{linked}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        found = self.field_at(index)
        if found is not None and found.path != WILDCARD:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def mimeTypes(self) -> list[str]:
        return [SOURCE_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData | None:  # type: ignore[override]
        paths = [f.path for i in indexes if (f := self.field_at(i)) is not None and f.path != WILDCARD]
        if not paths:
            return None
        data = QMimeData()
        data.setData(SOURCE_MIME, paths[0].encode())
        data.setText(paths[0])
        return data

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction


def path_of(index: QModelIndex | QPersistentModelIndex, model: SourceFieldModel) -> str | None:
    found = model.field_at(index)
    return found.path if found is not None and found.path != WILDCARD else None
