"""The sync runs table: one `RunView` a row, newest first by default."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from bigbooks_desktop.core.views import RunStatus, RunView
from bigbooks_desktop.gui.formatting import local_time
from bigbooks_desktop.gui.models.table import Column, ViewTableModel

__all__ = ["RUN_COLUMNS", "RunColumn", "RunsModel"]


class RunColumn:
    """Column numbers of RUN_COLUMNS."""

    RUN, MODE, STATUS, STARTED, SYNCED, INVOICES, PAYMENTS, CREDITS, FAILED, FINISHED = range(10)


def _status_tip(run: RunView) -> str | None:
    if run.status is RunStatus.INTERRUPTED:
        how = (" These counts come from what it recorded creating in FreshBooks before it stopped."
               if run.counts_rebuilt else "")
        return f"The run stopped before it finished (the window was closed, or the app was stopped).{how}"
    return run.error


def _invoices_tip(run: RunView) -> str | None:
    if not run.orders_created:
        return None
    shown = ", ".join(str(order) for order in run.orders_created[:20])
    more = f" and {len(run.orders_created) - 20} more" if len(run.orders_created) > 20 else ""
    return f"Invoices created for order(s) {shown}{more}"


def _count(value: Callable[[RunView], int]) -> Callable[[RunView], str]:
    """A count's text: "..." while the run is still going (its counts are saved when it ends)."""
    return lambda r: "..." if r.status is RunStatus.RUNNING else str(value(r))


RUN_COLUMNS: tuple[Column[RunView], ...] = (
    Column(header="Run", value=lambda r: r.id, numeric=True),
    Column(header="Mode", value=lambda r: r.mode),
    Column(header="Status", value=lambda r: r.status, tooltip=_status_tip),
    Column(header="Started", value=lambda r: r.started_at),
    Column(header="Orders synced", value=lambda r: r.counts.orders_synced, numeric=True,
           text=_count(lambda r: r.counts.orders_synced)),
    Column(header="Invoices created", value=lambda r: r.counts.invoices_created, numeric=True,
           text=_count(lambda r: r.counts.invoices_created), tooltip=_invoices_tip),
    Column(header="Payments", value=lambda r: r.counts.payments_created, numeric=True,
           text=_count(lambda r: r.counts.payments_created)),
    Column(header="Credit notes", value=lambda r: r.counts.credits_created, numeric=True,
           text=_count(lambda r: r.counts.credits_created)),
    Column(header="Failed", value=lambda r: r.counts.orders_failed, numeric=True,
           text=_count(lambda r: r.counts.orders_failed)),
    Column(header="Finished", value=lambda r: r.finished_at,
           text=lambda r: local_time(r.finished_at) if r.finished_at is not None else "still running"
           if r.status is RunStatus.RUNNING else ""),
)


class RunsModel(ViewTableModel[RunView]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(RUN_COLUMNS, parent)
