"""The activity log table: one `ActivityView` a row, newest first."""

from __future__ import annotations

from PySide6.QtCore import QObject

from bigbooks_desktop.core.dashboard_views import ActivityView
from bigbooks_desktop.gui.models.table import Column, ViewTableModel

__all__ = ["ACTIVITY_COLUMNS", "ActivityColumn", "ActivityModel"]


class ActivityColumn:
    TIME, LEVEL, RUN, ORDER, MESSAGE = range(5)


ACTIVITY_COLUMNS: tuple[Column[ActivityView], ...] = (
    Column(header="Time", value=lambda a: a.at),
    Column(header="Level", value=lambda a: a.level),
    Column(header="Run", value=lambda a: a.run_id, numeric=True),
    Column(header="Order", value=lambda a: a.order_id, numeric=True),
    Column(header="What happened", value=lambda a: a.message, tooltip=lambda a: a.message),
)


class ActivityModel(ViewTableModel[ActivityView]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(ACTIVITY_COLUMNS, parent)
