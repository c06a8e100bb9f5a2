"""The runs screen: the history of sync runs with what each created; "Undo run..." with a preview of what will
be removed and what cannot be (and why), then the undo's report; "Dry run" with what the next sync would write
(counts and totals per currency) before syncing; and the reconciliation report (pages.reconciliation)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop.core.dashboard_views import UndoPreviewView
from bigbooks_desktop.core.views import RunMode, RunStatus, RunView, SyncSummaryView, UndoView
from bigbooks_desktop.gui.a11y import describe
from bigbooks_desktop.gui.formatting import local_time
from bigbooks_desktop.gui.models.planned_orders import (
    CurrencyTotal,
    PlannedColumn,
    PlannedOrderModel,
    PlannedTotalsModel,
    TotalsColumn,
)
from bigbooks_desktop.gui.models.run_history import HistoryColumn, RunHistoryModel
from bigbooks_desktop.gui.models.sort_proxy import SortProxyModel
from bigbooks_desktop.gui.models.table import ROW_ROLE
from bigbooks_desktop.gui.models.undo_outcomes import OutcomeColumn, UndoOutcomeModel
from bigbooks_desktop.gui.ops import ErrorPresenter, Reload, run_op
from bigbooks_desktop.gui.pages.reconciliation import ReconciliationPanel
from bigbooks_desktop.gui.table_page import RESIZE_PRECISION, TablePage

if TYPE_CHECKING:
    from PySide6.QtCore import QAbstractItemModel

    from bigbooks_desktop.service import BigBooksService

__all__ = ["DryRunDialog", "RunsPage", "UndoDialog"]

_NOT_UNDOABLE = frozenset({RunMode.UNDO, RunMode.DRY_RUN})


def _table(model: QAbstractItemModel, name: str, stretch: int, description: str) -> QTableView:
    proxy = SortProxyModel(model)
    proxy.setSourceModel(model)
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setResizeContentsPrecision(RESIZE_PRECISION)
    view.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)     # the service's order until a header is clicked
    view.setWordWrap(False)
    return describe(view, name, description)


def _heading(text: str) -> QLabel:
    heading = QLabel(text)
    font = heading.font()
    font.setBold(True)
    heading.setFont(font)
    return heading


class UndoDialog(QDialog):
    """Preview first (what will go, what stays and why); "Undo run" does it and the dialog shows the report."""

    def __init__(self, service: BigBooksService, run: RunView, *, presenter: ErrorPresenter,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.run = run
        self.presenter = presenter
        self.preview: UndoPreviewView | None = None
        self.report: UndoView | None = None
        self.setWindowTitle(f"Undo run {run.id}")
        self.setMinimumSize(880, 560)
        self.intro = QLabel(f"Reading what run {run.id} created in FreshBooks...")
        self.intro.setWordWrap(True)
        self.removed_label = _heading("Will be removed")
        self.removed = UndoOutcomeModel(self)
        self.kept_label = _heading("Cannot be removed")
        self.kept = UndoOutcomeModel(self)
        self.removed_view = _table(self.removed, "Will be removed from FreshBooks", OutcomeColumn.WHY,
                                   "The invoices, payments and clients this run created that undo deletes")
        self.kept_view = _table(self.kept, "Cannot be removed, and why", OutcomeColumn.WHY,
                                "What undo leaves in FreshBooks (changed since, or paid), each with why")
        self.buttons = QDialogButtonBox()
        self.undo_button = self.buttons.addButton("&Undo run", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.undo_button.setToolTip("Delete what is listed under \"Will be removed\" from FreshBooks")
        self.undo_button.setEnabled(False)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button.setToolTip("Leave FreshBooks as it is")
        self.undo_button.clicked.connect(self.confirm)
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.removed_label)
        layout.addWidget(self.removed_view, 3)
        layout.addWidget(self.kept_label)
        layout.addWidget(self.kept_view, 2)
        layout.addWidget(self.buttons)
        self.pending: asyncio.Future[object] = run_op(self, self._load(), presenter=presenter)

    async def _load(self) -> object:
        self.show_preview(await self.service.preview_undo(self.run.id))
        return self.preview

    def show_preview(self, preview: UndoPreviewView) -> None:
        self.preview = preview
        self.removed.set_rows(preview.will_remove)
        self.kept.set_rows(preview.cannot_remove)
        self.removed_label.setText(f"Will be removed ({len(preview.will_remove)})")
        self.kept_label.setText(f"Cannot be removed ({len(preview.cannot_remove)})")
        orders = len(preview.orders)
        if preview.nothing_to_do:
            self.intro.setText(f"Run {self.run.id} created nothing in FreshBooks, so there is nothing to undo.")
        else:
            self.intro.setText(
                f"Undoing run {self.run.id} (started {local_time(self.run.started_at)}) deletes "
                f"{len(preview.will_remove)} object(s) it created in FreshBooks, including the invoices of "
                f"{orders} order(s). Those orders are not synced again until you ask for it. What cannot be "
                "removed stays, and the list says why. Nothing has been changed yet.")
        self.undo_button.setEnabled(bool(preview.will_remove))

    def confirm(self) -> asyncio.Future[object]:
        self.intro.setText(f"Undoing run {self.run.id}...")
        self.pending = run_op(self, self._undo(), presenter=self.presenter, busy=[self.undo_button])
        return self.pending

    async def _undo(self) -> object:
        self.show_report(await self.service.undo_run(self.run.id))
        return self.report

    def show_report(self, report: UndoView) -> None:
        self.report = report
        gone = [o for o in report.outcomes if o.action.value in ("deleted", "already_gone")]
        stayed = [o for o in report.outcomes if o not in gone]
        self.removed.set_rows(gone)
        self.kept.set_rows(stayed)
        self.removed_label.setText(f"Removed ({len(gone)})")
        self.kept_label.setText(f"Not removed ({len(stayed)})")
        self.intro.setText(f"Run {self.run.id} is undone: {report.undone} object(s) removed from FreshBooks, "
                           f"{report.not_undone} kept (see why below). The invoices of {len(report.orders_undone)} "
                           "order(s) are gone; those orders wait until you sync them again.")
        self.setWindowTitle(f"Run {self.run.id} undone")
        self.undo_button.hide()
        self.close_button.setText("Close")


class DryRunDialog(QDialog):
    """What the next sync would write, read without writing; "Sync now" goes ahead."""

    def __init__(self, service: BigBooksService, *, presenter: ErrorPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.presenter = presenter
        self.preview: SyncSummaryView | None = None
        self.synced: SyncSummaryView | None = None
        self.setWindowTitle("Dry run: what the next sync would do")
        self.setMinimumSize(900, 560)
        self.intro = QLabel("Reading your orders and FreshBooks (nothing is written)...")
        self.intro.setWordWrap(True)
        self.totals = PlannedTotalsModel(self)
        self.orders = PlannedOrderModel(self)
        self.totals_view = _table(self.totals, "Totals per currency", TotalsColumn.CURRENCY,
                                  "What the sync would invoice and record as paid, per currency")
        self.totals_view.setMaximumHeight(150)
        self.orders_view = _table(self.orders, "What the sync would do per order", PlannedColumn.NEW_ITEMS,
                                  "Each order the next sync would write, with its invoice, payments and new items")
        self.buttons = QDialogButtonBox()
        self.sync_button = self.buttons.addButton("&Sync now", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sync_button.setToolTip("Run the sync for real: it writes what is listed here")
        self.sync_button.setEnabled(False)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setToolTip("Close without syncing (nothing was written)")
        self.sync_button.clicked.connect(self.sync_now)
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(_heading("Totals per currency"))
        layout.addWidget(self.totals_view)
        layout.addWidget(_heading("Orders"))
        layout.addWidget(self.orders_view, 1)
        layout.addWidget(self.buttons)
        self.pending: asyncio.Future[object] = run_op(self, self._load(), presenter=presenter)

    async def _load(self) -> object:
        self.show_preview(await self.service.preview_sync())
        return self.preview

    def show_preview(self, preview: SyncSummaryView) -> None:
        self.preview = preview
        t = preview.planned_totals
        per_currency: dict[str, int] = {}
        for plan in preview.planned:
            if plan.action.value == "create":
                per_currency[plan.currency] = per_currency.get(plan.currency, 0) + 1
        self.totals.set_rows([CurrencyTotal(currency=c, invoices=per_currency.get(c, 0), amounts=a)
                              for c, a in sorted(t.amounts.items())])
        self.orders.set_rows(preview.planned)
        if not preview.planned:
            self.intro.setText("The next sync has nothing to write: FreshBooks is up to date." +
                               (f" {preview.note}" if preview.note else ""))
        else:
            self.intro.setText(
                f"The next sync would create {t.invoices_to_create} invoice(s), {t.clients_to_create} client(s), "
                f"{len(t.items_to_create)} item(s), {len(t.taxes_to_create)} tax(es), {t.payments_to_create} "
                f"payment(s) and {t.credits_to_create} credit note(s); {len(preview.skipped)} order(s) would be "
                "left alone. Nothing has been written.")
        self.sync_button.setEnabled(True)

    def sync_now(self) -> asyncio.Future[object]:
        async def work() -> object:
            self.intro.setText("Syncing...")
            self.synced = await self.service.sync_now()
            c = self.synced.counts
            self.intro.setText(f"Synced: {c.invoices_created} invoice(s), {c.clients_created} client(s), "
                               f"{c.items_created} item(s), {c.payments_created} payment(s) and {c.credits_created} "
                               "credit note(s) created.")
            self.sync_button.hide()
            return self.synced

        self.pending = run_op(self, work(), presenter=self.presenter, busy=[self.sync_button])
        return self.pending


class RunsPage(QWidget):
    """History and reconciliation tabs. `open_undo(run)` and `open_dry_run()` return their dialogs (tests drive
    them); `refresh()` reloads the history."""

    def __init__(self, service: BigBooksService, *, presenter: ErrorPresenter | None = None,
                 follow_runs: bool = True, parent: QWidget | None = None) -> None:
        """`follow_runs`: reload by itself when a run ends (off inside the main window, which reloads every
        screen then: one reload, not two, in the moment a big run ends)."""
        super().__init__(parent)
        self.service = service
        self._follow_runs = follow_runs
        self.presenter = presenter or ErrorPresenter(self)
        self._reload = Reload(self, self._load, self.presenter)
        self.dialog: QDialog | None = None
        self.setAccessibleName("Runs")

        self.model = RunHistoryModel(self)
        self.history = TablePage(self.model, stretch_column=HistoryColumn.CREATED, sort_column=HistoryColumn.RUN,
                                 placeholder="No sync has run yet. Each sync, dry run and undo is listed here with "
                                             "what it created.")
        self.history.view.setWordWrap(False)
        self.history.view.setAccessibleName("Sync runs")
        self.history.view.setAccessibleDescription("Every run, newest first, with what it created in FreshBooks")
        self.history.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.history.view.doubleClicked.connect(lambda _index: self.undo_selected())
        self.undo_button = QPushButton("&Undo run...")
        self.undo_button.setToolTip("See what undoing the selected run would remove from FreshBooks, then decide")
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self.undo_selected)
        self.dry_run_button = QPushButton("&Dry run...")
        self.dry_run_button.setToolTip("See what the next sync would write (counts and totals per currency) "
                                       "before it writes anything")
        self.dry_run_button.clicked.connect(self.open_dry_run)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setToolTip("Read the run history again")
        self.refresh_button.clicked.connect(self.refresh)
        for button in (self.undo_button, self.dry_run_button, self.refresh_button):
            button.setAccessibleDescription(button.toolTip())
        buttons = QHBoxLayout()
        buttons.addWidget(self.dry_run_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        history = QWidget()
        history_layout = QVBoxLayout(history)
        history_layout.setContentsMargins(0, 6, 0, 0)
        history_layout.addLayout(buttons)
        history_layout.addWidget(self.history, 1)

        self.reconciliation = ReconciliationPanel(service, presenter=self.presenter)
        self.tabs = QTabWidget()
        self.tabs.addTab(history, "&History")
        self.tabs.addTab(self.reconciliation, "Re&conciliation")
        self.tabs.setTabToolTip(0, "Sync runs, undo and dry run")
        self.tabs.setTabToolTip(1, "Orders against their FreshBooks invoices, with filters and CSV export")
        describe(self.tabs, "Runs views", "The run history, or the reconciliation of orders against invoices")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        unsubscribe = service.subscribe(self._status_changed)
        self._runs_seen = service.sync_status().runs
        self.destroyed.connect(lambda *_: unsubscribe())     # no reference to self: it is being destroyed

    # -- history ---------------------------------------------------------------------------------------------

    def refresh(self) -> asyncio.Future[None]:
        return self._reload.request()

    async def _load(self) -> None:
        history = await self.service.read_history(runs=200, inbox=1)
        self.model.set_rows(history.runs)
        self._selection_changed()

    def _status_changed(self, status: object) -> None:
        runs = getattr(status, "runs", 0)
        if runs > self._runs_seen:
            self._runs_seen = runs
            if self._follow_runs:
                self.refresh()

    def selected_run(self) -> RunView | None:
        rows = self.history.view.selectionModel().selectedRows()
        if not rows:
            return None
        run = rows[0].data(ROW_ROLE)
        return run if isinstance(run, RunView) else None

    def select_run(self, run_id: int) -> None:
        proxy = self.history.proxy
        for row in range(proxy.rowCount()):
            index = proxy.index(row, 0)
            if index.data(ROW_ROLE).id == run_id:
                self.history.view.selectRow(row)
                return

    def _selection_changed(self, *_args: object) -> None:
        run = self.selected_run()
        can = run is not None and run.mode not in _NOT_UNDOABLE and run.status is not RunStatus.RUNNING
        self.undo_button.setEnabled(can)
        self.undo_button.setToolTip("See what undoing the selected run would remove from FreshBooks, then decide"
                                    if can or run is None else
                                    "Dry runs and undos created nothing to undo; a running sync must finish first")

    # -- actions ---------------------------------------------------------------------------------------------

    def undo_selected(self) -> UndoDialog | None:
        run = self.selected_run()
        if run is None or run.mode in _NOT_UNDOABLE or run.status is RunStatus.RUNNING:
            return None
        return self.open_undo(run)

    def open_undo(self, run: RunView) -> UndoDialog:
        dialog = UndoDialog(self.service, run, presenter=self.presenter, parent=self)
        dialog.finished.connect(lambda _code: self.refresh())
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_dry_run(self) -> DryRunDialog:
        dialog = DryRunDialog(self.service, presenter=self.presenter, parent=self)
        dialog.finished.connect(lambda _code: self.refresh())
        self.dialog = dialog
        dialog.open()
        return dialog

    # -- pictures --------------------------------------------------------------------------------------------

    async def pictures(self, shoot: Callable[[str], object]) -> None:
        self.tabs.setCurrentIndex(0)
        await self.refresh()
        shoot("runs")
        undoable = [self.model.row(i) for i in range(self.model.rowCount())
                    if self.model.row(i).mode not in _NOT_UNDOABLE and self.model.row(i).status is RunStatus.FINISHED]
        if undoable:
            self.select_run(undoable[0].id)
            undo = self.open_undo(undoable[0])
            await undo.pending
            shoot("runs-undo-preview")
            undo.reject()
        dry = self.open_dry_run()
        await dry.pending
        shoot("runs-dry-run")
        dry.reject()
        self.tabs.setCurrentIndex(1)
        await self.reconciliation.reconcile()
        shoot("reconciliation")
        self.tabs.setCurrentIndex(0)
