"""The main window: who is connected, Sync now with live progress, the last run, recent runs and the inbox."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
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
from bigbooks_desktop.gui.ops import ErrorPresenter, run_op
from bigbooks_desktop.gui.record_model import Column, RecordTableModel, field_of

__all__ = ["MainWindow"]

RUN_COLUMNS = [
    Column("Run", lambda r: field_of(r, "id") or field_of(r, "run_id"), align_right=True),
    Column("Mode", lambda r: field_of(r, "mode")),
    Column("Status", lambda r: field_of(r, "status")),
    Column("Started", lambda r: _short_time(field_of(r, "started_at"))),
    Column("Orders synced", lambda r: _count(r, "orders_synced"), align_right=True),
    Column("Invoices created", lambda r: _count(r, "invoices_created"), align_right=True),
    Column("Payments", lambda r: _count(r, "payments_created"), align_right=True),
    Column("Failed", lambda r: _count(r, "orders_failed"), align_right=True),
]

INBOX_COLUMNS = [
    Column("#", lambda e: field_of(e, "id"), align_right=True),
    Column("Order", lambda e: field_of(e, "order_id"), align_right=True),
    Column("Stage", lambda e: field_of(e, "stage")),
    Column("Problem", lambda e: field_of(e, "title")),
    Column("What to do", lambda e: field_of(e, "message")),
    Column("Status", lambda e: field_of(e, "status")),
    Column("Attempts", lambda e: field_of(e, "attempts"), align_right=True),
]


def _short_time(value: Any) -> str:
    text = str(value or "")
    return text.replace("T", " ")[:19]


def _count(record: Any, key: str) -> Any:
    counts = field_of(record, "counts") or {}
    return field_of(counts, key) if not isinstance(counts, dict) else counts.get(key, 0)


class _ConnectionCard(QFrame):
    """One service's sign-in at a glance: a coloured dot, the account name and its id."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.setObjectName("card")
        self.service = service
        self.dot = QLabel("●")
        self.title = QLabel(f"<b>{service}</b>")
        self.detail = QLabel("Checking...")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QGridLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.dot, 0, 0)
        layout.addWidget(self.title, 0, 1)
        layout.addWidget(self.detail, 1, 1)
        layout.setColumnStretch(1, 1)

    def show_status(self, status: Any) -> None:
        connected = bool(field_of(status, "connected"))
        self.dot.setStyleSheet(f"color: {'#2e7d32' if connected else '#c62828'}; font-size: 16px;")
        if connected:
            name = field_of(status, "account_name") or "(unnamed)"
            ident = field_of(status, "account_id") or ""
            extra = field_of(status, "plan") or field_of(status, "user_email") or ""
            self.detail.setText(" · ".join(x for x in (name, ident, extra) if x))
        else:
            problem = field_of(status, "problem") or "Not signed in."
            self.detail.setText(problem)


class MainWindow(QMainWindow):
    """Calls only the service facade; every call runs on the qasync loop through `run_op`."""

    def __init__(self, service: Any, *, presenter: ErrorPresenter | None = None) -> None:
        super().__init__()
        self.service = service
        self.presenter = presenter or ErrorPresenter(self)
        self.setWindowTitle(APP_NAME)
        self.resize(1100, 680)

        self.bigcommerce_card = _ConnectionCard("BigCommerce")
        self.freshbooks_card = _ConnectionCard("FreshBooks")
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

        self.runs_model = RecordTableModel(RUN_COLUMNS, self)
        self.inbox_model = RecordTableModel(INBOX_COLUMNS, self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._table(self.runs_model, stretch_column=3,
                                     empty="No sync has run yet. Press Sync now to start."), "Recent runs")
        self.tabs.addTab(self._table(self.inbox_model, stretch_column=4,
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

    def _table(self, model: RecordTableModel, *, stretch_column: int, empty: str) -> QStackedWidget:
        """The table, or a sentence saying why it is empty (an empty grid tells a merchant nothing)."""
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(model)
        view = QTableView()
        view.setModel(proxy)
        view.setSortingEnabled(True)
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
    def refresh(self) -> Any:
        """Reload connections, runs and the inbox; returns the future (tests await it)."""
        return run_op(self, self._load(), presenter=self.presenter)

    async def _load(self) -> None:
        status = await self.service.status()
        self.bigcommerce_card.show_status(field_of(status, "bigcommerce"))
        self.freshbooks_card.show_status(field_of(status, "freshbooks"))
        self.runs_model.set_records(await self.service.list_runs())
        inbox = await self.service.list_inbox()
        self.inbox_model.set_records(inbox)
        self.tabs.setTabText(1, f"Error inbox ({len(inbox)})" if inbox else "Error inbox")

    def sync_now(self) -> Any:
        self.progress.setRange(0, 0)
        self.progress.setFormat("Starting...")
        self.statusBar().showMessage("Syncing...")
        return run_op(self, self._sync(), presenter=self.presenter, busy=[self.sync_button])

    async def _sync(self) -> None:
        try:
            summary = await self.service.sync_once(progress=self._on_progress)
        finally:
            self.progress.setRange(0, 100)
        self.progress.setValue(100)
        self.progress.setFormat("Done")
        self.summary.setText(describe_summary(summary))
        self.statusBar().showMessage("Sync finished")
        await self._load()

    def _on_progress(self, progress: Any) -> None:
        done, total = int(field_of(progress, "done") or 0), int(field_of(progress, "total") or 0)
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.setFormat(f"{done} of {total} orders · {field_of(progress, 'stage')}")
        else:
            self.progress.setFormat(str(field_of(progress, "stage") or "Working..."))


def describe_summary(summary: Any) -> str:
    """One sentence a merchant can read: what the last run did and what waits for them."""
    counts = field_of(summary, "counts") or {}
    created = counts.get("invoices_created", 0)
    updated = counts.get("invoices_updated", 0)
    payments = counts.get("payments_created", 0)
    credits = counts.get("credits_created", 0)
    inbox = field_of(summary, "inbox_active") or 0
    text = (f"Last sync: {created} invoices created, {updated} updated, {payments} payments and "
            f"{credits} credit notes recorded.")
    if inbox:
        text += f" {inbox} order(s) need attention in the error inbox."
    problem = field_of(summary, "problem")
    if problem:
        text += f" Problem: {problem}"
    return text
