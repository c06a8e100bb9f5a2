"""Orders and invoices side by side: orders on the left, their invoices on the right, paged lazily from the local
copy; a filter bar (state, dates, currency, debounced search); a state legend; selecting a row on one side
selects its partner on the other; a detail pane with both records line by line and any difference explained."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop.core.order_views import (
    ORDER_STATE_MEANINGS,
    OrderDetailView,
    OrderQuery,
    OrderSort,
    OrderState,
    StatedOrderPageView,
    StatedOrderView,
)
from bigbooks_desktop.gui.models.orders import INVOICE_COLUMNS, ORDER_COLUMNS, PagedOrdersModel, state_icon
from bigbooks_desktop.gui.models.table import ROW_ROLE
from bigbooks_desktop.gui.ops import ErrorPresenter, run_op
from bigbooks_desktop.gui.pages.order_detail import OrderDetailPane, record_table
from bigbooks_desktop.service import BigBooksService

__all__ = ["OrdersPage"]

_ANY_DATE = QDate(2000, 1, 1)


class _TableWithEmptyState(QStackedWidget):
    """A table, or a sentence saying why it is empty (no sync yet, or nothing matches the filters)."""

    def __init__(self, view: QTableView) -> None:
        super().__init__()
        self.view = view
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setMargin(16)
        self.message.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.addWidget(self.message)
        self.addWidget(view)

    def show_table(self, text: str | None) -> None:
        if text is None:
            self.setCurrentWidget(self.view)
        else:
            self.message.setText(text)
            self.setCurrentWidget(self.message)


class OrdersPage(QWidget):
    """Construct with the service; `refresh()` reloads both sides from the local copy."""

    count_changed = Signal(int)         # how many orders match the filters

    def __init__(self, service: BigBooksService, *, presenter: ErrorPresenter | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.presenter = presenter or ErrorPresenter(self)
        self._linking = False
        self._refreshing: asyncio.Future[None] | None = None
        self._again = False
        self._detail_for: int | None = None

        self.orders = PagedOrdersModel(self._page, ORDER_COLUMNS, parent=self)
        self.invoices = PagedOrdersModel(self._page, INVOICE_COLUMNS, query=OrderQuery(invoiced_only=True),
                                         parent=self)
        self.orders_view = record_table(self.orders, "Orders", "BigCommerce orders from the local copy. Select "
                                        "one to see its invoice and compare both records below.")
        self.invoices_view = record_table(self.invoices, "Invoices", "FreshBooks invoices BigBooks wrote. "
                                          "Select one to see its order.")
        for view, model in ((self.orders_view, self.orders), (self.invoices_view, self.invoices)):
            view.setSortingEnabled(True)
            view.horizontalHeader().setSortIndicator(2 if model is self.orders else 1,
                                                     Qt.SortOrder.DescendingOrder)
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            view.horizontalHeader().setStretchLastSection(True)
            model.page_arrived.connect(self._update_empty_states)
            model.page_failed.connect(self.presenter.show)
        self._size_columns()
        self.orders_view.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._selected(self.orders_view, current))
        self.invoices_view.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._selected(self.invoices_view, current))

        self._build_filters()
        self.detail_pane = OrderDetailPane()
        pane = self.detail_pane          # its parts, under the names the page has always had
        self.detail_title, self.detail_summary = pane.title, pane.summary
        self.open_bigcommerce, self.open_freshbooks = pane.open_bigcommerce, pane.open_freshbooks
        self.order_lines, self.invoice_lines, self.checks = pane.order_lines, pane.invoice_lines, pane.checks
        self.orders_box = _TableWithEmptyState(self.orders_view)
        self.invoices_box = _TableWithEmptyState(self.invoices_view)
        self.orders_title = QLabel("<b>Orders</b> (BigCommerce)")
        self.invoices_title = QLabel("<b>Invoices</b> (FreshBooks)")
        sides = QSplitter(Qt.Orientation.Horizontal)
        for title, box in ((self.orders_title, self.orders_box), (self.invoices_title, self.invoices_box)):
            side = QWidget()
            column = QVBoxLayout(side)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(title)
            column.addWidget(box)
            sides.addWidget(side)
        sides.setStretchFactor(0, 55)
        sides.setStretchFactor(1, 45)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(sides)
        split.addWidget(self.detail_pane)
        split.setStretchFactor(0, 5)
        split.setStretchFactor(1, 4)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(self.filter_bar)
        layout.addLayout(self.legend)
        layout.addWidget(split, 1)
        self._update_empty_states()

    # -- building -----------------------------------------------------------------------------------------

    def _size_columns(self) -> None:
        widths = {"State": 96, "Order": 72, "Placed": 150, "Customer": 130, "Email": 170, "Status": 120,
                  "Total": 110, "Refunded": 90, "Invoice": 90, "Client": 130, "Amount": 110, "Difference": 90}
        for view, columns in ((self.orders_view, ORDER_COLUMNS), (self.invoices_view, INVOICE_COLUMNS)):
            for number, column in enumerate(columns):
                view.setColumnWidth(number, widths.get(column.header, 100))

    def _build_filters(self) -> None:
        self.state_filter = QComboBox()
        self.state_filter.addItem("All states", None)
        for state in OrderState:
            self.state_filter.addItem(state_icon(state), state.value.capitalize(), state.value)
        self.currency_filter = QComboBox()
        self.currency_filter.addItem("All currencies", "")
        self.since_edit, self.until_edit = QDateEdit(), QDateEdit()
        for edit, what in ((self.since_edit, "From"), (self.until_edit, "To")):
            edit.setCalendarPopup(True)
            edit.setMinimumDate(_ANY_DATE)
            edit.setSpecialValueText("any date")
            edit.setDate(_ANY_DATE)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(f"Placed {what.lower()}")
            edit.setToolTip(f"Orders placed {'on or after' if what == 'From' else 'on or before'} this day "
                            "(your time zone); the earliest date means any")
            edit.dateChanged.connect(self._filters_changed)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search order or invoice number, customer, email")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search orders")
        self.search_edit.setToolTip("Order number, invoice number, customer name or email; matches as you type")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self._filters_changed)
        self.search_edit.textChanged.connect(lambda _text: self._debounce.start())
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.setToolTip("Show every order again")
        self.clear_button.clicked.connect(self.clear_filters)
        for combo, name, tip in ((self.state_filter, "State filter", "Show orders in one state only"),
                                 (self.currency_filter, "Currency filter", "Show orders in one currency only")):
            combo.setAccessibleName(name)
            combo.setToolTip(tip)
            combo.currentIndexChanged.connect(self._filters_changed)
        bar = QHBoxLayout()
        for caption, field in (("State:", self.state_filter), ("Currency:", self.currency_filter),
                               ("Placed from", self.since_edit), ("to", self.until_edit)):
            buddy = QLabel(caption)
            buddy.setBuddy(field)        # what a reader says the field is (a combo box's only label on Linux)
            bar.addWidget(buddy)
            bar.addWidget(field)
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.clear_button)
        self.filter_bar = bar
        legend = QHBoxLayout()
        legend.addWidget(QLabel("States:"))
        self.legend_labels: list[QLabel] = []
        for state in OrderState:
            icon = QLabel()
            icon.setPixmap(state_icon(state).pixmap(14, 14))
            text = QLabel(state.value.capitalize())
            for label in (icon, text):
                label.setToolTip(ORDER_STATE_MEANINGS[state])
            text.setAccessibleDescription(ORDER_STATE_MEANINGS[state])
            legend.addWidget(icon)
            legend.addWidget(text)
            legend.addSpacing(10)
            self.legend_labels.append(text)
        legend.addStretch(1)
        self.count_label = QLabel()
        legend.addWidget(self.count_label)
        self.legend = legend

    # -- data ---------------------------------------------------------------------------------------------

    @property
    def detail(self) -> OrderDetailView | None:
        """The order shown in the detail pane, if any."""
        return self.detail_pane.detail

    async def _page(self, query: OrderQuery, offset: int, limit: int, with_total: bool) -> StatedOrderPageView:
        return await self.service.order_page(query, offset=offset, limit=limit, with_total=with_total)

    def query(self) -> OrderQuery:
        """The filters as the bar shows them (sorting is each table's own)."""
        state = self.state_filter.currentData()
        since = self.since_edit.date()
        until = self.until_edit.date()

        def moment(day: QDate) -> datetime:
            return datetime.combine(date(day.year(), day.month(), day.day()), time.min).astimezone()

        return OrderQuery(states=frozenset({OrderState(state)}) if state else frozenset(),
                          since=moment(since) if since != _ANY_DATE else None,
                          until=moment(until.addDays(1)) if until != _ANY_DATE else None,
                          currency=str(self.currency_filter.currentData() or ""), search=self.search_edit.text())

    def _with_filters(self, model: PagedOrdersModel) -> OrderQuery:
        base = self.query()
        return replace(base, sort=model.query.sort, descending=model.query.descending,
                       invoiced_only=model.query.invoiced_only)

    def _filters_changed(self, *_args: object) -> None:
        self._debounce.stop()
        self.orders.set_query(self._with_filters(self.orders))
        self.invoices.set_query(self._with_filters(self.invoices))

    def clear_filters(self) -> None:
        for widget in (self.state_filter, self.currency_filter, self.since_edit, self.until_edit, self.search_edit):
            widget.blockSignals(True)
        self.state_filter.setCurrentIndex(0)
        self.currency_filter.setCurrentIndex(0)
        self.since_edit.setDate(_ANY_DATE)
        self.until_edit.setDate(_ANY_DATE)
        self.search_edit.clear()
        for widget in (self.state_filter, self.currency_filter, self.since_edit, self.until_edit, self.search_edit):
            widget.blockSignals(False)
        self._filters_changed()

    def refresh(self) -> asyncio.Future[None]:
        """Reload both sides and the currencies from the local copy (once more afterwards when asked meanwhile)."""
        if self._refreshing is not None and not self._refreshing.done():
            self._again = True
            return self._refreshing

        async def reload() -> None:
            while True:
                self._again = False
                currencies = await self.service.order_currencies()
                self._set_currencies(currencies)
                await asyncio.gather(self.orders.set_query(self._with_filters(self.orders)),
                                     self.invoices.set_query(self._with_filters(self.invoices)))
                if self._detail_for is not None:
                    await self._load_detail(self._detail_for)
                if not self._again:
                    return

        self._refreshing = run_op(self, reload(), presenter=self.presenter)
        return self._refreshing

    def _set_currencies(self, currencies: tuple[str, ...]) -> None:
        current = self.currency_filter.currentData()
        self.currency_filter.blockSignals(True)
        while self.currency_filter.count() > 1:
            self.currency_filter.removeItem(1)
        for code in currencies:
            self.currency_filter.addItem(code, code)
        found = self.currency_filter.findData(current)
        self.currency_filter.setCurrentIndex(max(0, found))
        self.currency_filter.blockSignals(False)

    def _update_empty_states(self) -> None:
        filtered = self.query().filtered
        for model, box, noun in ((self.orders, self.orders_box, "order"), (self.invoices, self.invoices_box,
                                                                           "invoice")):
            if not model.loaded:
                box.show_table("Loading…" if model.rowCount() == 0 else None)
            elif model.rowCount():
                box.show_table(None)
            elif filtered:
                box.show_table(f"No {noun} matches these filters. Change them, or press Clear filters to see "
                               "every one.")
            elif noun == "order":
                box.show_table("No orders yet. BigBooks keeps a copy of every order it reads here, so this "
                               "list fills with the first sync: press Sync now once both accounts are connected.")
            else:
                box.show_table("No invoices yet. Each order BigBooks invoices in FreshBooks appears here after "
                               "a sync.")
        if self.orders.loaded:
            self.count_label.setText(f"{self.orders.total:,} orders · {max(self.invoices.total, 0):,} invoices")
            self.count_changed.emit(self.orders.total)

    # -- linked selection and detail ---------------------------------------------------------------------

    def _selected(self, view: QTableView, current: QModelIndex) -> None:
        if self._linking or not current.isValid():
            return
        row = current.data(ROW_ROLE)
        if not isinstance(row, StatedOrderView):
            return
        other = self.invoices_view if view is self.orders_view else self.orders_view
        self._detail_for = row.order_id
        run_op(self, self._follow(other, row), presenter=self.presenter)

    async def _follow(self, other: QTableView, row: StatedOrderView) -> None:
        await asyncio.gather(self._select_in(other, row.order_id, clear=True), self._load_detail(row.order_id))

    async def _select_in(self, view: QTableView, order_id: int, *, clear: bool = False) -> bool:
        """Select the order's row in `view` (fetching pages down to it); False when the filters leave it out."""
        model = view.model()
        assert isinstance(model, PagedOrdersModel)
        row = model.row_of(order_id)
        if row is None:
            if model is self.invoices and not self._has_invoice(order_id):
                position = None
            else:
                position = await self.service.locate_order(model.query, order_id)
            if position is not None and await model.fetch_until(position):
                row = model.row_of(order_id)
        self._linking = True
        try:
            if row is None:
                if clear:
                    view.clearSelection()
                return False
            index = model.index(row, 0)
            view.selectionModel().setCurrentIndex(index, view.selectionModel().SelectionFlag.ClearAndSelect
                                                  | view.selectionModel().SelectionFlag.Rows)
            view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
            return True
        finally:
            self._linking = False

    def _has_invoice(self, order_id: int) -> bool:
        row = self.orders.row_of(order_id)
        return row is None or self.orders.rows[row].row.invoice_id is not None

    async def show_order(self, order_id: int) -> None:
        """Select the order on both sides and show its detail (for other pages and the pictures)."""
        self._detail_for = order_id
        await self._select_in(self.orders_view, order_id)
        await self._select_in(self.invoices_view, order_id, clear=True)
        await self._load_detail(order_id)

    async def _load_detail(self, order_id: int) -> None:
        detail = await self.service.order_detail(order_id)
        if self._detail_for != order_id:
            return
        self.detail_pane.show_detail(detail)

    # -- pictures -----------------------------------------------------------------------------------------

    async def _settled(self) -> None:
        await self.refresh()
        for _ in range(200):
            if self.orders.loaded and self.invoices.loaded:
                return
            await asyncio.sleep(0.02)

    async def pictures(self, shoot: Callable[[str], object]) -> None:
        await self._settled()
        shoot("orders-invoices")
        pick = await self.service.order_page(replace(OrderQuery(), sort=OrderSort.REFUNDED),
                                             limit=1)
        if not pick.rows or not pick.rows[0].row.refunded:
            pick = await self.service.order_page(OrderQuery(), limit=1)
        if pick.rows:
            await self.show_order(pick.rows[0].order_id)
            await asyncio.sleep(0.05)
        shoot("order-detail")
