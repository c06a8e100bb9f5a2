"""The orders page's detail pane: one order and its FreshBooks invoice line by line, the checks comparing them
(a difference bold, with why), and buttons opening each record in BigCommerce and in FreshBooks."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop.core.order_views import OrderDetailView, RecordLineView
from bigbooks_desktop.gui.models.orders import LINE_COLUMNS, ChecksModel
from bigbooks_desktop.gui.models.table import ViewTableModel

__all__ = ["OrderDetailPane", "record_table"]


def record_table(model: QAbstractItemModel, name: str, description: str) -> QTableView:
    """A read-only table of records: whole rows selected one at a time, named for screen readers."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.setWordWrap(False)
    view.setAccessibleName(name)
    view.setAccessibleDescription(description)
    view.setToolTip(description)
    return view


class OrderDetailPane(QWidget):
    """Both records of the selected order, compared; `show_detail()` fills it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Order detail")
        self.detail: OrderDetailView | None = None
        self.title = QLabel("Select an order or an invoice to compare both records line by line.")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.open_bigcommerce = QPushButton("Open in BigCommerce")
        self.open_freshbooks = QPushButton("Open in FreshBooks")
        self.open_bigcommerce.setToolTip("Open the order in the BigCommerce control panel")
        self.open_freshbooks.setToolTip("Open the invoice in FreshBooks")
        self.open_bigcommerce.clicked.connect(
            lambda: self._open(self.detail.bigcommerce_url if self.detail else None))
        self.open_freshbooks.clicked.connect(lambda: self._open(self.detail.freshbooks_url if self.detail else None))
        for button in (self.open_bigcommerce, self.open_freshbooks):
            button.setEnabled(False)
        self.order_lines: ViewTableModel[RecordLineView] = ViewTableModel(LINE_COLUMNS, self)
        self.invoice_lines: ViewTableModel[RecordLineView] = ViewTableModel(LINE_COLUMNS, self)
        self.checks = ChecksModel(self)
        self.order_lines_view = record_table(self.order_lines, "Order lines", "The BigCommerce order line by line")
        self.invoice_lines_view = record_table(self.invoice_lines, "Invoice lines",
                                               "The FreshBooks invoice line by line, with its payments and credits")
        self.checks_view = record_table(self.checks, "Checks",
                                        "Both records compared; a difference is bold, with why")
        for view in (self.order_lines_view, self.invoice_lines_view, self.checks_view):
            header = view.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.checks_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.checks_view.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        # one line a check (the whole "why" in its tooltip; a difference's why is also said above the tables)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.open_bigcommerce)
        top.addWidget(self.open_freshbooks)
        tables = QSplitter(Qt.Orientation.Horizontal)
        for title, view in (("Order", self.order_lines_view), ("Invoice", self.invoice_lines_view),
                            ("Compared", self.checks_view)):
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(QLabel(f"<b>{title}</b>"))
            column.addWidget(view)
            tables.addWidget(box)
        tables.setStretchFactor(0, 3)
        tables.setStretchFactor(1, 3)
        tables.setStretchFactor(2, 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(tables, 1)

    def show_detail(self, detail: OrderDetailView) -> None:
        """Show the order, its invoice and the checks (the open buttons follow what the detail links to)."""
        self.detail = detail
        row = detail.order.row
        invoice = f" · invoice {row.invoice_number}" if row.invoice_number else " · no invoice"
        self.title.setText(f"<b>Order #{row.order_id}</b> · {row.customer or row.email}{invoice}")
        differences = " ".join(f"{c.what}: {c.explanation}" for c in detail.checks if c.difference)
        self.summary.setText(" ".join(part for part in (detail.summary, differences, detail.links_note) if part))
        self.order_lines.set_rows(detail.order_lines)
        self.invoice_lines.set_rows(detail.invoice_lines)
        self.checks.set_rows(detail.checks)
        self.open_bigcommerce.setEnabled(detail.bigcommerce_url is not None)
        self.open_freshbooks.setEnabled(detail.freshbooks_url is not None)
        self.open_bigcommerce.setToolTip(detail.bigcommerce_url or detail.links_note or "No address")
        self.open_freshbooks.setToolTip(detail.freshbooks_url or detail.links_note or "No invoice to open")

    def _open(self, url: str | None) -> None:
        if url:
            QDesktopServices.openUrl(QUrl(url))
