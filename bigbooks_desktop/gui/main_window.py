"""The main window: who is connected, Sync now with live progress, the last run, recent runs and the inbox."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop import APP_NAME
from bigbooks_desktop.core.views import ConnectionView, ServiceName, SyncProgressView, SyncStage, SyncSummaryView
from bigbooks_desktop.gui.formatting import label, local_time
from bigbooks_desktop.gui.models.inbox import InboxColumn, InboxModel
from bigbooks_desktop.gui.models.runs import RunColumn, RunsModel
from bigbooks_desktop.gui.models.sort_proxy import SortProxyModel
from bigbooks_desktop.gui.models.table import ViewTableModel
from bigbooks_desktop.gui.ops import ErrorPresenter, run_op

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["MainWindow", "describe_summary"]

Row = TypeVar("Row")


class _ConnectionCard(QFrame):
    """One service's sign-in at a glance: a coloured dot, the account name and its id."""

    def __init__(self, service: ServiceName) -> None:
        super().__init__()
        self.setObjectName("card")
        self.service = service
        self.dot = QLabel("●")
        self.title = QLabel(f"<b>{'BigCommerce' if service is ServiceName.BIGCOMMERCE else 'FreshBooks'}</b>")
        self.detail = QLabel("Checking...")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QGridLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.dot, 0, 0)
        layout.addWidget(self.title, 0, 1)
        layout.addWidget(self.detail, 1, 1)
        layout.setColumnStretch(1, 1)

    def show_status(self, status: ConnectionView) -> None:
        self.dot.setStyleSheet(f"color: {'#2e7d32' if status.connected else '#c62828'}; font-size: 16px;")
        if not status.connected:
            self.detail.setText(status.problem or "Not signed in.")
            self.detail.setToolTip("")
            return
        extra = status.plan or status.user_email
        parts = (status.account_name or "(unnamed)", status.account_id, extra)
        self.detail.setText(" · ".join(part for part in parts if part))
        tips = []
        if status.token_expires_at is not None:
            tips.append(f"Access token expires {local_time(status.token_expires_at)}")
        if status.last_refresh_at is not None:
            tips.append(f"last refreshed {local_time(status.last_refresh_at)}")
        if status.problem:
            tips.append(status.problem)
        self.detail.setToolTip("; ".join(tips))


class MainWindow(QMainWindow):
    """Calls only the service facade; every call runs on the qasync loop through `run_op`."""

    closed = Signal()   # the user closed the window (a running sync was asked to stop)

    def __init__(self, service: BigBooksService, *, presenter: ErrorPresenter | None = None) -> None:
        super().__init__()
        self.service = service
        self.presenter = presenter or ErrorPresenter(self)
        self._running_sync: asyncio.Future[None] | None = None
        self.setWindowTitle(APP_NAME)
        self.resize(1100, 680)

        self.bigcommerce_card = _ConnectionCard(ServiceName.BIGCOMMERCE)
        self.freshbooks_card = _ConnectionCard(ServiceName.FRESHBOOKS)
        self.sync_button = QPushButton("Sync now")
        self.sync_button.setMinimumHeight(36)
        self.sync_button.setDefault(True)
        self.sync_button.clicked.connect(self.sync_now)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("Idle")
        self.progress.setValue(0)
        self.summary = QLabel("No sync has run yet in this session.")
        self.summary.setWordWrap(True)

        self.runs_model = RunsModel(self)
        self.inbox_model = InboxModel(self)
        self.runs_proxy = SortProxyModel(self)
        self.inbox_proxy = SortProxyModel(self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._table(self.runs_model, self.runs_proxy, stretch_column=RunColumn.STARTED,
                                     sort_column=RunColumn.RUN,
                                     empty="No sync has run yet. Press Sync now to start."), "Recent runs")
        self.tabs.addTab(self._table(self.inbox_model, self.inbox_proxy, stretch_column=InboxColumn.WHAT_TO_DO,
                                     sort_column=InboxColumn.UPDATED,
                                     empty="Nothing needs your attention: every order synced or was skipped "
                                           "on purpose."), "Error inbox")

        header = QHBoxLayout()
        title = QLabel(f"<span style='font-size:18px; font-weight:600'>{APP_NAME}</span>")
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.sync_button)
        cards = QHBoxLayout()
        cards.addWidget(self.bigcommerce_card, 1)
        cards.addWidget(self.freshbooks_card, 1)

        root = QWidget()
        layout = QVBoxLayout(root)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addLayout(cards)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(root)
        self.setStyleSheet("#card { border: 1px solid #d0d4da; border-radius: 6px; background: #fafbfc; }")
        self.statusBar().showMessage("Ready")

    def _table(self, model: ViewTableModel[Row], proxy: SortProxyModel, *, stretch_column: int,
               sort_column: int, empty: str) -> QStackedWidget:
        """The table, sorted newest first, or a sentence saying why it is empty (an empty grid tells a merchant
        nothing)."""
        proxy.setSourceModel(model)
        view = QTableView()
        view.setModel(proxy)
        view.setSortingEnabled(True)
        view.sortByColumn(sort_column, Qt.SortOrder.DescendingOrder)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setAlternatingRowColors(True)
        view.verticalHeader().setVisible(False)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
        placeholder = QLabel(empty)
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        placeholder.setWordWrap(True)
        placeholder.setStyleSheet("color: #5f6b7a; font-size: 14px;")
        stack = QStackedWidget()
        stack.addWidget(placeholder)
        stack.addWidget(view)
        model.modelReset.connect(lambda: stack.setCurrentIndex(1 if model.rowCount() else 0))
        return stack

    # -- operations ----------------------------------------------------------------------------------
    def refresh(self) -> asyncio.Future[None]:
        """Reload connections, runs and the inbox; returns the future (tests await it)."""
        return run_op(self, self._load(), presenter=self.presenter)

    async def _load(self) -> None:
        status = await self.service.status()
        self.bigcommerce_card.show_status(status.bigcommerce)
        self.freshbooks_card.show_status(status.freshbooks)
        self.runs_model.set_rows(await self.service.list_runs())
        inbox = await self.service.list_inbox()
        self.inbox_model.set_rows(inbox)
        self.tabs.setTabText(1, f"Error inbox ({len(inbox)})" if inbox else "Error inbox")

    def sync_now(self) -> asyncio.Future[None]:
        self.progress.setRange(0, 0)
        self.progress.setFormat("Starting...")
        self.statusBar().showMessage("Syncing...")
        self._running_sync = run_op(self, self._sync(), presenter=self.presenter, busy=[self.sync_button])
        return self._running_sync

    def running_sync(self) -> asyncio.Future[None] | None:
        """The sync started by Sync now, until it ends (cancelled included)."""
        running = self._running_sync
        return running if running is not None and not running.done() else None

    def stop_sync(self) -> asyncio.Future[None] | None:
        """Cancel a running sync (the engine records the run as interrupted, with what it did so far); returns
        its future to await, or None when no sync runs."""
        running = self.running_sync()
        if running is not None:
            running.cancel()
        return running

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window stops a running sync cleanly, so its run shows what it did."""
        self.stop_sync()
        super().closeEvent(event)
        self.closed.emit()

    async def _sync(self) -> None:
        try:
            summary = await self.service.sync_once(progress=self._on_progress)
        except asyncio.CancelledError:
            self.progress.setRange(0, 100)
            self.progress.setFormat("Stopped")
            self.statusBar().showMessage("Sync stopped")
            raise
        finally:
            self.progress.setRange(0, 100)
        self.progress.setValue(100)
        self.progress.setFormat("Done")
        self.summary.setText(describe_summary(summary))
        self.statusBar().showMessage("Sync finished")
        await self._load()

    def _on_progress(self, progress: SyncProgressView) -> None:
        what = label(progress.result) if progress.result is not None else label(progress.stage)
        if progress.stage is SyncStage.WAITING:
            self.progress.setFormat(progress.message or what)
        elif progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
            self.progress.setFormat(f"{progress.done} of {progress.total} orders · {what}")
        else:
            self.progress.setFormat(f"{what}..." if not progress.message else f"{what}: {progress.message}")


def describe_summary(summary: SyncSummaryView) -> str:
    """One sentence a merchant can read: what the last run did and what waits for them."""
    counts = summary.counts
    text = (f"Last sync: {counts.invoices_created} invoices created, {counts.invoices_updated} updated, "
            f"{counts.payments_created} payments and {counts.credits_created} credit notes recorded.")
    if summary.inbox_active:
        text += f" {summary.inbox_active} order(s) need attention in the error inbox."
    if summary.problem:
        text += f" Problem: {summary.problem}"
    if summary.note:
        text += f" {summary.note}"
    return text
