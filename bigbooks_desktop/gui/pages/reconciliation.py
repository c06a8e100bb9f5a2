"""The reconciliation report as a table: every order beside its FreshBooks invoice, filtered by finding, state,
currency and order date, exported as CSV (the same format as `bigbooks reconcile --csv`)."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop.core.dashboard_views import ReconciliationFilter, ReconciliationReportView
from bigbooks_desktop.core.reconciliation_views import ReconcileState
from bigbooks_desktop.gui.formatting import local_time
from bigbooks_desktop.gui.models.reconciliation_rows import (
    STATE_WORDS,
    ReconciliationColumn,
    ReconciliationModel,
    finding_word,
)
from bigbooks_desktop.gui.ops import ErrorPresenter, run_op
from bigbooks_desktop.gui.table_page import TablePage

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["ReconciliationPanel"]

_EMPTY = ("No report yet. Reconcile now compares every order in BigCommerce with its invoice, payments and credit "
          "notes in FreshBooks (it only reads; nothing is changed).")


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class ReconciliationPanel(QWidget):
    """`reconcile()` reads both sides (a future); the filters work on the report in memory; `export_csv(path)`
    writes what the filters show (the "Export CSV..." button asks where first)."""

    def __init__(self, service: BigBooksService, *, presenter: ErrorPresenter | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.presenter = presenter or ErrorPresenter(self)
        self.report: ReconciliationReportView | None = None
        self.pending: asyncio.Future[object] | None = None
        self.setAccessibleName("Reconciliation report")

        self.reconcile_button = QPushButton("Reconcile &now")
        self.reconcile_button.setToolTip("Compare every order with its FreshBooks invoice, payments and credit "
                                         "notes (reads only)")
        self.reconcile_button.clicked.connect(self.reconcile)
        self.export_button = QPushButton("&Export CSV...")
        self.export_button.setToolTip("Save the rows shown (with the filters applied) as a CSV file")
        self.export_button.clicked.connect(self._ask_export)
        self.export_button.setEnabled(False)

        self.finding = QComboBox()
        self.finding.setToolTip("Show only orders with this kind of finding")
        self.finding.setAccessibleName("Finding kind")
        self.state = QComboBox()
        self.state.setToolTip("Show only orders in this state")
        self.state.setAccessibleName("State")
        self.state.addItem("All states", None)
        for state in ReconcileState:
            self.state.addItem(STATE_WORDS[state], state)
        self.currency = QComboBox()
        self.currency.setToolTip("Show only orders in this currency")
        self.currency.setAccessibleName("Currency")
        self.by_date = QCheckBox("Ordered from")
        self.by_date.setToolTip("Show only orders placed between these days (your local time)")
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit, name in ((self.date_from, "Ordered from"), (self.date_to, "Ordered until")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setToolTip(f"{name} (inclusive)")
            edit.setEnabled(False)
            edit.dateChanged.connect(self.apply_filters)
        self.date_from.setDate(QDate.currentDate().addDays(-30))
        self.date_to.setDate(QDate.currentDate())
        self.by_date.toggled.connect(self._dates_toggled)
        for combo in (self.finding, self.state, self.currency):
            combo.currentIndexChanged.connect(self.apply_filters)
        self._fill_choices()

        filters = QHBoxLayout()
        for caption, combo in (("Finding:", self.finding), ("State:", self.state), ("Currency:", self.currency)):
            buddy = QLabel(caption)
            buddy.setBuddy(combo)        # what a reader says the combo box is (its only label on Linux)
            filters.addWidget(buddy)
            filters.addWidget(combo)
        filters.addSpacing(12)
        filters.addWidget(self.by_date)
        filters.addWidget(self.date_from)
        to = QLabel("to")
        to.setBuddy(self.date_to)
        filters.addWidget(to)
        filters.addWidget(self.date_to)
        filters.addStretch(1)
        filters.addWidget(self.reconcile_button)
        filters.addWidget(self.export_button)

        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Reconciliation summary")
        self.model = ReconciliationModel(self)
        self.table = TablePage(self.model, stretch_column=ReconciliationColumn.FINDINGS,
                               sort_column=ReconciliationColumn.ORDER, placeholder=_EMPTY)
        self.table.view.setWordWrap(False)
        self.table.view.setAccessibleName("Orders beside their invoices")
        self.table.view.setAccessibleDescription("One order a row: both amounts and what differs; the tooltip of "
                                                 "the findings says what to do")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    # -- the report ------------------------------------------------------------------------------------------

    def reconcile(self) -> asyncio.Future[object]:
        self.summary.setText("Reading both sides...")
        self.pending = run_op(self, self._reconcile(), presenter=self.presenter,
                              busy=[self.reconcile_button, self.export_button])
        return self.pending

    async def _reconcile(self) -> object:
        self.show_report(await self.service.reconciliation_report())
        return self.report

    def show_report(self, report: ReconciliationReportView) -> None:
        self.report = report
        self._fill_choices()
        self.apply_filters()

    def _fill_choices(self) -> None:
        codes = self.report.codes if self.report is not None else ()
        currencies = self.report.currencies if self.report is not None else ()
        for combo, first, values in ((self.finding, "Any finding", codes), (self.currency, "All currencies",
                                                                             currencies)):
            wanted = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, None)
            for value in values:
                combo.addItem(finding_word(value) if combo is self.finding else value, value)
            index = combo.findData(wanted) if wanted is not None else 0
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.apply_filters()

    def current_filter(self) -> ReconciliationFilter:
        dated = self.by_date.isChecked()
        return ReconciliationFilter(code=self.finding.currentData(), state=self.state.currentData(),
                                    currency=self.currency.currentData(),
                                    date_from=_pydate(self.date_from.date()) if dated else None,
                                    date_to=_pydate(self.date_to.date()) if dated else None)

    def set_filter(self, wanted: ReconciliationFilter) -> None:
        """Put the filter widgets in `wanted`'s state (keyboard users and tests go through the same widgets)."""
        for combo, value in ((self.finding, wanted.code), (self.state, wanted.state),
                             (self.currency, wanted.currency)):
            combo.setCurrentIndex(max(0, combo.findData(value)) if value is not None else 0)
        if wanted.date_from is not None:
            self.date_from.setDate(_qdate(wanted.date_from))
        if wanted.date_to is not None:
            self.date_to.setDate(_qdate(wanted.date_to))
        self.by_date.setChecked(wanted.date_from is not None or wanted.date_to is not None)
        self.apply_filters()

    def apply_filters(self) -> None:
        if self.report is None:
            self.export_button.setEnabled(False)
            return
        rows = self.report.filtered(self.current_filter())
        self.model.set_rows(rows)
        s = self.report.summary
        self.summary.setText(
            f"{len(rows)} of {s.orders} orders shown. Report of {local_time(self.report.generated_at)}: {s.ok} "
            f"agree, {s.explained} differ for a known reason, {s.unexplained_orders} need a look "
            f"({s.unexplained_differences} unexplained difference{'s' if s.unexplained_differences != 1 else ''}), "
            f"{s.skipped} not invoiced.")
        if not rows:
            self.table.set_placeholder("No order matches these filters. Choose \"Any finding\", \"All states\" "
                                       "and \"All currencies\", or widen the dates.")
        self.export_button.setEnabled(bool(rows))

    # -- export ----------------------------------------------------------------------------------------------

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the reconciliation report", "reconciliation.csv",
                                              "CSV files (*.csv)")
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> asyncio.Future[int]:
        """Write the rows the filters show to `path`; the summary line says how many."""
        async def work() -> int:
            written = await self.service.export_reconciliation_csv(path, wanted=self.current_filter())
            self.summary.setText(f"{written} row{'s' if written != 1 else ''} saved to {path}.")
            return written

        return run_op(self, work(), presenter=self.presenter, busy=[self.export_button])
