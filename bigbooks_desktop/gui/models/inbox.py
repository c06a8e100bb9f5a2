"""The error inbox table: one `InboxView` a row (an order that needs attention, and what to do)."""

from __future__ import annotations

from PySide6.QtCore import QObject

from bigbooks_desktop.core.views import InboxView
from bigbooks_desktop.gui.models.table import Column, ViewTableModel

__all__ = ["INBOX_COLUMNS", "InboxColumn", "InboxModel"]


class InboxColumn:
    """Column numbers of INBOX_COLUMNS."""

    ID, ORDER, STAGE, PROBLEM, WHAT_TO_DO, STATUS, ATTEMPTS, NEXT_RETRY, UPDATED = range(9)


INBOX_COLUMNS: tuple[Column[InboxView], ...] = (
    Column(header="#", value=lambda e: e.id, numeric=True),
    Column(header="Order", value=lambda e: e.order_id, numeric=True),
    Column(header="Stage", value=lambda e: e.stage),
    Column(header="Problem", value=lambda e: e.title),
    Column(header="What to do", value=lambda e: e.message.splitlines()[0] if e.message else "",
           tooltip=lambda e: e.message),
    Column(header="Status", value=lambda e: e.status),
    Column(header="Attempts", value=lambda e: e.attempts, numeric=True),
    Column(header="Next retry", value=lambda e: e.next_retry_at),
    Column(header="Updated", value=lambda e: e.updated_at),
)


class InboxModel(ViewTableModel[InboxView]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(INBOX_COLUMNS, parent)
