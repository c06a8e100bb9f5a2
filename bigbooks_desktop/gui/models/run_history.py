"""The runs screen's history table: the main window's run columns plus what each run created, in words."""

from __future__ import annotations

from PySide6.QtCore import QObject

from bigbooks_desktop.core.run_words import records_phrase
from bigbooks_desktop.core.views import RunMode, RunStatus, RunView
from bigbooks_desktop.gui.models.runs import RUN_COLUMNS
from bigbooks_desktop.gui.models.table import Column, ViewTableModel

__all__ = ["HISTORY_COLUMNS", "HistoryColumn", "RunHistoryModel", "created_text"]


class HistoryColumn:
    """Column numbers of HISTORY_COLUMNS (the first ten are RUN_COLUMNS')."""

    RUN, MODE, STATUS, STARTED, SYNCED, INVOICES, PAYMENTS, CREDITS, FAILED, FINISHED, CREATED = range(11)


def _plural(count: int, what: str) -> str:
    return f"{count} {what}{'' if count == 1 else 's'}"


def created_text(run: RunView) -> str:
    """`29 invoices, 16 clients, 9 items, 24 payments, 3 credit notes` (what the run wrote to FreshBooks)."""
    if run.mode is RunMode.DRY_RUN:
        return "nothing (a dry run only looks)"
    if run.status is RunStatus.RUNNING:
        return "still running..."
    c = run.counts
    if run.mode is RunMode.UNDO:
        gone = [_plural(n, w) for n, w in ((c.invoices_created, "invoice"), (c.payments_created, "payment"),
                                            (c.credits_created, "credit note"), (c.clients_created, "client"),
                                            (c.items_created, "item")) if n]
        return "removed " + (", ".join(gone) if gone else "nothing")
    parts = [_plural(n, w) for n, w in ((c.invoices_created, "invoice"), (c.clients_created, "client"),
                                         (c.items_created, "item"), (c.payments_created, "payment"),
                                         (c.credits_created, "credit note"), (c.invoices_updated, "update"))
             if n]
    records = records_phrase(c)           # catalog and customer sync, when the run kept their counts
    if records:
        return f"{', '.join(parts)}; {records}" if parts else records
    return ", ".join(parts) if parts else "nothing new"


def _created_tip(run: RunView) -> str:
    if not run.orders_created:
        return created_text(run)
    shown = ", ".join(str(order) for order in run.orders_created[:30])
    more = f" and {len(run.orders_created) - 30} more" if len(run.orders_created) > 30 else ""
    return f"{created_text(run)}. Invoices for order(s) {shown}{more}."


HISTORY_COLUMNS: tuple[Column[RunView], ...] = (
    *RUN_COLUMNS,
    Column(header="What it created", value=created_text, tooltip=_created_tip),
)


class RunHistoryModel(ViewTableModel[RunView]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(HISTORY_COLUMNS, parent)
