"""Where the first sync starts, with a dry-run preview of what it would create (counts and totals), before
anything is written to FreshBooks."""

from __future__ import annotations

import asyncio
import html
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop.core.views import OrderResult, SyncProgressView, SyncSummaryView
from bigbooks_desktop.gui.a11y import describe
from bigbooks_desktop.gui.ops import run_op
from bigbooks_desktop.gui.wizard.common import InlineErrors, MessageLine, hint, make_button

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["BackfillChooser", "amount_rows", "preview_rows"]


def preview_rows(summary: SyncSummaryView) -> list[tuple[str, str]]:
    """What the first sync would create, as (what, how many) rows a merchant reads."""
    totals = summary.planned_totals
    return [
        ("Invoices", str(totals.invoices_to_create)),
        ("Clients", str(totals.clients_to_create)),
        ("Items", str(len(totals.items_to_create))),
        ("Taxes", str(len(totals.taxes_to_create))),
        ("Payments", str(totals.payments_to_create)),
        ("Credit notes", str(totals.credits_to_create)),
    ]


def amount_rows(summary: SyncSummaryView) -> list[tuple[str, str, str, str]]:
    """(currency, invoiced, paid, credited) per currency, money as written in the books."""
    return [(currency, f"{a.invoices:,.2f}", f"{a.payments:,.2f}", f"{a.credits:,.2f}")
            for currency, a in sorted(summary.planned_totals.amounts.items())]


def _left_alone(summary: SyncSummaryView) -> str:
    seen = summary.counts.orders_seen
    skipped = sum(n for result, n in summary.results.items()
                  if result in (OrderResult.INELIGIBLE, OrderResult.SKIPPED, OrderResult.UNCHANGED))
    failed = len(summary.failed)
    parts = [f"{seen} order(s) found."]
    if skipped:
        parts.append(f"{skipped} are left alone (not paid yet, cancelled or declined).")
    if failed:
        parts.append(f"{failed} need your attention first: the sync puts them in the error inbox with the reason.")
    if summary.problem:
        parts.append(summary.problem)
    return " ".join(parts)


def _bold(text: str) -> QLabel:
    return QLabel(f"<b>{html.escape(text)}</b>")


class BackfillChooser(QWidget):
    """A start date (or "from now on") and the preview. `previewed` carries the dry run's summary."""

    previewed = Signal(object)      # SyncSummaryView

    def __init__(self, service: BigBooksService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.pending: asyncio.Future[SyncSummaryView] | None = None
        self.summary: SyncSummaryView | None = None

        self.from_now = QRadioButton("From &now on: only orders placed or changed after the first sync")
        self.from_now.setToolTip("Nothing older is copied to FreshBooks")
        self.from_date = QRadioButton("Orders &from:")
        self.from_date.setToolTip("Orders placed or changed since this date get invoices in the first sync")
        group = QButtonGroup(self)
        group.addButton(self.from_now)
        group.addButton(self.from_date)
        self.start = QDateEdit()
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("yyyy-MM-dd")
        self.start.setMaximumDate(QDate.currentDate())
        describe(self.start, "Orders from", "The first day whose orders are synced", tooltip=True)
        self.preview_button = make_button("&Preview", "Count what the first sync would create, without writing "
                                          "anything", shortcut="Ctrl+P")
        self.preview_button.clicked.connect(self.preview)
        self.progress = QProgressBar()
        self.progress.hide()
        self.message = MessageLine()
        self.errors = InlineErrors(self.message)
        self.figures = QGridLayout()
        self.figures.setColumnStretch(4, 1)
        self.figures.setHorizontalSpacing(28)
        self.figures.setVerticalSpacing(6)
        self.found = QLabel()
        self.found.setWordWrap(True)

        self.from_date.toggled.connect(self._changed)
        self.start.dateChanged.connect(self._changed)
        when = QHBoxLayout()
        when.addWidget(self.from_date)
        when.addWidget(self.start)
        when.addWidget(self.preview_button)
        when.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint("The first sync can copy your past orders to FreshBooks, or start from now. Leave "
                              "out months your bookkeeper already entered by hand: orders whose invoice is "
                              "already in FreshBooks are linked, not created again, but the preview counts them."))
        layout.addWidget(self.from_now)
        layout.addLayout(when)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(self.figures)
        layout.addWidget(self.found)
        layout.addStretch(1)

    def set_start(self, start: date | None) -> None:
        default = start or date(date.today().year, 1, 1)
        self.start.setDate(QDate(default.year, default.month, default.day))
        (self.from_date if start is not None else self.from_now).setChecked(True)
        self._changed()

    def chosen_start(self) -> date | None:
        if not self.from_date.isChecked():
            return None
        picked = self.start.date()
        return date(picked.year(), picked.month(), picked.day())

    def _changed(self) -> None:
        self.start.setEnabled(self.from_date.isChecked())
        self.preview_button.setEnabled(self.from_date.isChecked() and not self.busy())
        self._clear_figures()
        self.summary = None
        if self.from_date.isChecked():
            self.message.show_info("Press Preview to see what the first sync would create from this date.")
        else:
            self.message.show_info("The first sync invoices nothing older; from then on every new paid order "
                                   "gets its invoice.")

    def busy(self) -> bool:
        return self.pending is not None and not self.pending.done()

    def preview(self) -> asyncio.Future[SyncSummaryView] | None:
        start = self.chosen_start()
        if start is None or self.busy():
            return self.pending
        self._clear_figures()
        self.progress.setRange(0, 0)
        self.progress.setFormat("Reading orders...")
        self.progress.show()
        self.message.show_info(f"Reading the orders since {start.isoformat()}; nothing is written to FreshBooks.")
        self.pending = run_op(self, self.service.preview_first_sync(start, progress=self._on_progress),
                              on_success=self._show, presenter=self.errors,
                              busy=[self.preview_button, self.start, self.from_now, self.from_date])
        self.pending.add_done_callback(lambda _f: self.progress.hide())
        return self.pending

    def cancel(self) -> None:
        if self.busy():
            assert self.pending is not None
            self.pending.cancel()
            self.message.show_info("Preview stopped.")

    def _on_progress(self, progress: SyncProgressView) -> None:
        if progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
            self.progress.setFormat(f"Checked {progress.done} of {progress.total} orders")

    def _show(self, summary: SyncSummaryView) -> None:
        self.summary = summary
        start = self.chosen_start()
        since = start.isoformat() if start else "now"
        self.message.show_ok(f"The first sync from <b>{since}</b> would create, in FreshBooks:")
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        counts = preview_rows(summary)
        for index, (what, value) in enumerate(counts):          # two columns of counts
            row, col = index % 3, (index // 3) * 2
            self.figures.addWidget(QLabel(what), row, col)
            self.figures.addWidget(_bold(value), row, col + 1, right)
        amounts = amount_rows(summary)
        if amounts:
            top = len(counts) // 2 + 1
            self.figures.setRowMinimumHeight(top - 1, 8)
            for col, title in enumerate(("Amounts", "Invoiced", "Paid", "Credited")):
                self.figures.addWidget(_bold(title), top, col, Qt.AlignmentFlag.AlignLeft if col == 0 else right)
            for offset, cells in enumerate(amounts, 1):
                for col, text in enumerate(cells):
                    self.figures.addWidget(QLabel(html.escape(text)), top + offset, col,
                                           Qt.AlignmentFlag.AlignLeft if col == 0 else right)
        self.found.setText(_left_alone(summary))
        self.previewed.emit(summary)

    def _clear_figures(self) -> None:
        while self.figures.count():
            item = self.figures.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.found.clear()
