"""The inbox grouped by cause: a two-level tree (cause groups with their counts, then one order, item or client a
row: "Order 123", "Item MUG-111", "Client of customer 42"), and
the FreshBooks items table of the SKU picker."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QFont

from bigbooks_desktop.core.inbox_views import FreshBooksItemView, InboxCauseView, InboxGroupsView, row_label
from bigbooks_desktop.core.views import InboxStatus, InboxView
from bigbooks_desktop.gui.formatting import cell_text
from bigbooks_desktop.gui.models.group_tree import GroupTreeModel, Index
from bigbooks_desktop.gui.models.table import ROW_ROLE, SORT_ROLE, Column, ViewTableModel

__all__ = ["FRESHBOOKS_ITEM_COLUMNS", "FreshBooksItemsModel", "GroupColumn", "InboxGroupsModel", "status_words"]


class GroupColumn:
    """Column numbers of InboxGroupsModel."""

    PROBLEM, STATUS, ATTEMPTS, UPDATED = range(4)


def status_words(item: InboxView) -> str:
    """An inbox row's status as a merchant reads it."""
    if item.status is InboxStatus.RETRYING and item.next_retry_at is not None:
        return f"retries at {cell_text(item.next_retry_at)}"
    return {InboxStatus.OPEN: "due now", InboxStatus.WAITING: "waits for you", InboxStatus.RETRYING: "retrying",
            InboxStatus.RESOLVED: "fixed", InboxStatus.IGNORED: "ignored"}[item.status]


class InboxGroupsModel(GroupTreeModel):
    """Top level: one `InboxCauseView` a row ("12 orders: no email"); below each, its `InboxView`s.
    `ROW_ROLE` gives the view object; `SORT_ROLE` native values."""

    HEADERS = ("Problem", "Status", "Tries", "Updated")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: tuple[InboxCauseView, ...] = ()
        self._bold = QFont()
        self._bold.setBold(True)

    # -- data in -----------------------------------------------------------------------------------------

    def set_groups(self, view: InboxGroupsView) -> None:
        self.beginResetModel()
        self._groups = view.groups
        self.endResetModel()

    @property
    def groups(self) -> tuple[InboxCauseView, ...]:
        return self._groups

    def group_index(self, key: str) -> QModelIndex:
        for row, group in enumerate(self._groups):
            if group.key == key:
                return self.index(row, 0)
        return QModelIndex()

    def item_index(self, item_id: int) -> QModelIndex:
        for row, group in enumerate(self._groups):
            for child, item in enumerate(group.items):
                if item.id == item_id:
                    return self.index(child, 0, self.index(row, 0))
        return QModelIndex()

    def group_of(self, index: Index) -> InboxCauseView | None:
        if not index.isValid():
            return None
        group_row = self.group_row(index)
        return self._groups[group_row] if 0 <= group_row < len(self._groups) else None

    def item_of(self, index: Index) -> InboxView | None:
        if not index.isValid() or self.is_group(index):
            return None
        group = self.group_of(index)
        return group.items[index.row()] if group is not None and index.row() < len(group.items) else None

    # -- the tree ----------------------------------------------------------------------------------------

    def group_count(self) -> int:
        return len(self._groups)

    def child_count(self, group_row: int) -> int:
        return len(self._groups[group_row].items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        item = self.item_of(index)
        group = self.group_of(index)
        if group is None:
            return None
        if role == ROW_ROLE:
            return item if item is not None else group
        if item is None:
            return self._group_data(group, index.column(), role)
        return self._item_data(item, index.column(), role)

    def _group_data(self, group: InboxCauseView, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        newest = max((i.updated_at for i in group.items), default=None)
        if role == SORT_ROLE:
            return (group.summary, None, group.count, newest)[column]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == GroupColumn.PROBLEM:
                return group.summary
            if column == GroupColumn.UPDATED and newest is not None:
                return cell_text(newest)
            return None
        if role == Qt.ItemDataRole.AccessibleTextRole and column == GroupColumn.PROBLEM:
            return f"Group: {group.summary}"
        return None

    def _item_data(self, item: InboxView, column: int, role: int) -> object:
        if role == SORT_ROLE:
            return (item.order_id if item.order_id is not None else row_label(None, item.subject, item.id),
                    item.status.value, item.attempts, item.updated_at)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == GroupColumn.ATTEMPTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == GroupColumn.PROBLEM:
            return item.message
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == GroupColumn.PROBLEM:
                return row_label(item.order_id, item.subject, item.id) + (" (fix saved)" if item.edits else "")
            if column == GroupColumn.STATUS:
                return status_words(item)
            if column == GroupColumn.ATTEMPTS:
                return str(item.attempts)
            return cell_text(item.updated_at)
        return None


FRESHBOOKS_ITEM_COLUMNS: tuple[Column[FreshBooksItemView], ...] = (
    Column(header="Item", value=lambda i: i.name),
    Column(header="SKU", value=lambda i: i.sku),
    Column(header="Price", value=lambda i: i.price, text=lambda i: f"{i.price:,.2f} {i.currency}".strip(),
           numeric=True),
)


class FreshBooksItemsModel(ViewTableModel[FreshBooksItemView]):
    """The FreshBooks catalogue for the SKU picker (filtered by a proxy)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(FRESHBOOKS_ITEM_COLUMNS, parent)
