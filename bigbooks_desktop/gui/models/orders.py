"""The side-by-side screen's Qt models: orders and invoices paged lazily from the service's local copy
(`canFetchMore`/`fetchMore`, 200 rows a page read off the GUI thread), sorted server-side, and the detail
pane's record lines and checks; plus each order state's colour and icon, taken from the palette.

Sorting is server-side: a header click calls `sort()`, which asks the service for the first page in the new
order (SQL ORDER BY on native values: numbers as numbers, times as times). A proxy would only sort the rows
already fetched, which is wrong while more are to come; `SORT_ROLE` still answers native values.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

from bigbooks_desktop.core.errors import BigBooksError, BugError
from bigbooks_desktop.core.order_views import (
    ORDER_STATE_MEANINGS,
    OrderCheckView,
    OrderQuery,
    OrderSort,
    OrderState,
    RecordLineView,
    StatedOrderPageView,
    StatedOrderView,
)
from bigbooks_desktop.gui.formatting import local_time
from bigbooks_desktop.gui.models.table import ROW_ROLE, SORT_ROLE, Column, SortValue, ViewTableModel

__all__ = [
    "CHECK_COLUMNS",
    "INVOICE_COLUMNS",
    "LINE_COLUMNS",
    "ORDER_COLUMNS",
    "ChecksModel",
    "OrderColumn",
    "PageFetcher",
    "PagedOrdersModel",
    "money",
    "state_colour",
    "state_icon",
]

PageFetcher = Callable[[OrderQuery, int, int, bool], Awaitable[StatedOrderPageView]]
Index = QModelIndex | QPersistentModelIndex

_HUES: dict[OrderState, tuple[int, int]] = {       # hue, saturation (0-255); skipped is grey
    OrderState.SYNCED: (130, 150), OrderState.WAITING: (210, 170), OrderState.FAILED: (2, 190),
    OrderState.SKIPPED: (0, 0), OrderState.DRIFT: (32, 200), OrderState.UNDONE: (280, 120)}
_GLYPHS = {OrderState.SYNCED: "✓", OrderState.WAITING: "↻", OrderState.FAILED: "!", OrderState.SKIPPED: "–",
           OrderState.DRIFT: "≠", OrderState.UNDONE: "↶"}
_icons: dict[tuple[OrderState, bool], QIcon] = {}


def _dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def state_colour(state: OrderState, palette: QPalette | None = None) -> QColor:
    """The state's colour, readable on the palette's base colour: darker on a light theme, lighter on a dark one."""
    palette = palette or QApplication.palette()
    hue, saturation = _HUES[state]
    return QColor.fromHsl(hue, saturation, 175 if _dark(palette) else 85)


def state_icon(state: OrderState, palette: QPalette | None = None) -> QIcon:
    """A filled disc in the state's colour with its sign (so the state is not told by colour alone)."""
    palette = palette or QApplication.palette()
    key = (state, _dark(palette))
    if key not in _icons:
        pixmap = QPixmap(32, 32)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(state_colour(state, palette))
        painter.drawEllipse(QPointF(16, 16), 15, 15)
        font = QFont(painter.font())
        font.setPixelSize(22)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.Base))
        painter.drawText(QRectF(0, 0, 32, 32), int(Qt.AlignmentFlag.AlignCenter), _GLYPHS[state])
        painter.end()
        _icons[key] = QIcon(pixmap)
    return _icons[key]


def money(amount: Decimal | None, currency: str) -> str:
    return "" if amount is None else f"{amount:,f} {currency}"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderColumn:
    """A column of the orders or invoices table: its header, the service's sort key, the native value and text."""

    header: str
    sort: OrderSort
    value: Callable[[StatedOrderView], SortValue]
    text: Callable[[StatedOrderView], str]
    numeric: bool = False
    tip: str = ""


ORDER_COLUMNS: tuple[OrderColumn, ...] = (
    OrderColumn(header="State", sort=OrderSort.STATE, value=lambda o: o.state,
                text=lambda o: o.state.value.capitalize(), tip="What BigBooks did with the order"),
    OrderColumn(header="Order", sort=OrderSort.ORDER_ID, value=lambda o: o.row.order_id,
                text=lambda o: f"#{o.row.order_id}", numeric=True, tip="BigCommerce order number"),
    OrderColumn(header="Placed", sort=OrderSort.DATE, value=lambda o: o.row.date_created,
                text=lambda o: local_time(o.row.date_created), tip="When the order was placed (your time zone)"),
    OrderColumn(header="Customer", sort=OrderSort.CUSTOMER, value=lambda o: o.row.customer,
                text=lambda o: o.row.customer, tip="Billing name"),
    OrderColumn(header="Email", sort=OrderSort.EMAIL, value=lambda o: o.row.email, text=lambda o: o.row.email),
    OrderColumn(header="Status", sort=OrderSort.STATUS, value=lambda o: o.row.status, text=lambda o: o.row.status,
                tip="The order's status in BigCommerce"),
    OrderColumn(header="Total", sort=OrderSort.TOTAL, value=lambda o: o.row.total,
                text=lambda o: money(o.row.total, o.row.currency), numeric=True, tip="Order total with tax"),
    OrderColumn(header="Refunded", sort=OrderSort.REFUNDED, value=lambda o: o.row.refunded,
                text=lambda o: money(o.row.refunded, o.row.currency) if o.row.refunded else "", numeric=True),
)

INVOICE_COLUMNS: tuple[OrderColumn, ...] = (
    OrderColumn(header="State", sort=OrderSort.STATE, value=lambda o: o.state,
                text=lambda o: o.state.value.capitalize(), tip="What BigBooks did with the order"),
    OrderColumn(header="Invoice", sort=OrderSort.INVOICE_NUMBER, value=lambda o: o.row.invoice_number,
                text=lambda o: o.row.invoice_number or "", tip="FreshBooks invoice number"),
    OrderColumn(header="Order", sort=OrderSort.ORDER_ID, value=lambda o: o.row.order_id,
                text=lambda o: f"#{o.row.order_id}", numeric=True),
    OrderColumn(header="Client", sort=OrderSort.CUSTOMER, value=lambda o: o.row.customer,
                text=lambda o: o.row.customer),
    OrderColumn(header="Amount", sort=OrderSort.INVOICE_AMOUNT, value=lambda o: o.row.invoice_amount,
                text=lambda o: money(o.row.invoice_amount, o.row.currency), numeric=True,
                tip="Invoice amount with tax, as FreshBooks computes it"),
    OrderColumn(header="Difference", sort=OrderSort.DIFFERENCE, value=lambda o: o.row.difference,
                text=lambda o: money(o.row.difference, o.row.currency) if o.row.difference else "", numeric=True,
                tip="Invoice amount minus order total; open the order for the reason"),
)


class PagedOrdersModel(QAbstractTableModel):
    """Rows of the local copy under `query`, fetched a page at a time as the view scrolls."""

    page_arrived = Signal()               # a page was added (or the first page of a new query, maybe empty)
    page_failed = Signal(object)          # a BigBooksError

    def __init__(self, fetch: PageFetcher, columns: Sequence[OrderColumn], *, query: OrderQuery | None = None,
                 page_size: int = 200, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self.columns = tuple(columns)
        self.query = query or OrderQuery()
        self.page_size = page_size
        self.rows: list[StatedOrderView] = []
        self._where: dict[int, int] = {}          # order id -> row
        self.total = -1                           # unknown until the first page arrives
        self._generation = 0
        self._pending: asyncio.Future[None] | None = None

    # -- loading ------------------------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        """True once the first page of the current query arrived."""
        return self.total >= 0

    def set_query(self, query: OrderQuery) -> asyncio.Future[None]:
        """Start over with `query`: rows cleared, the first page (and the count) fetched."""
        self._generation += 1
        self.beginResetModel()
        self.query = query
        old = self.rows
        self.rows, self._where, self.total, self._pending = [], {}, -1, None
        self.endResetModel()
        self._release(old)
        return self._fetch_page(with_total=True)

    def _release(self, rows: list[StatedOrderView]) -> None:
        """Free a long list of old rows a slice per event-loop turn: dropping 100,000 at once stalls the GUI."""
        if len(rows) <= 2000:
            return
        del rows[-2000:]
        QTimer.singleShot(0, lambda: self._release(rows))

    def _fetch_page(self, *, with_total: bool = False) -> asyncio.Future[None]:
        if self._pending is not None and not self._pending.done():
            return self._pending
        generation = self._generation
        done: asyncio.Future[None] = asyncio.get_event_loop().create_future()
        self._pending = done
        task = asyncio.ensure_future(self._fetch(self.query, len(self.rows), self.page_size, with_total))

        def arrived(fut: asyncio.Future[StatedOrderPageView]) -> None:
            if not done.done():
                done.set_result(None)
            if generation != self._generation or fut.cancelled():
                return
            self._pending = None
            exc = fut.exception()
            if exc is not None:
                error = exc if isinstance(exc, BigBooksError) else BugError(f"{type(exc).__name__}: {exc}")
                self.page_failed.emit(error)
                return
            self._add(fut.result())

        task.add_done_callback(arrived)
        return done

    def _add(self, page: StatedOrderPageView) -> None:
        if page.total >= 0:
            self.total = page.total
        rows = [r for r in page.rows if r.order_id not in self._where]
        if rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            for offset, row in enumerate(rows):
                self._where[row.order_id] = first + offset
            self.rows.extend(rows)
            self.endInsertRows()
        if len(page.rows) < self.page_size:       # the end: whatever the count said, nothing more is there
            self.total = len(self.rows)
        self.page_arrived.emit()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 (Qt's signature)
        return not parent.isValid() and self.loaded and len(self.rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._fetch_page()

    async def fetch_until(self, row: int) -> bool:
        """Fetch pages until `row` is loaded; False when the list ends before it."""
        while len(self.rows) <= row:
            if not self.loaded or self._pending is not None:
                await (self._pending or asyncio.sleep(0.01))
                continue
            if not self.canFetchMore():
                return False
            await self._fetch_page()
        return True

    def row_of(self, order_id: int) -> int | None:
        return self._where.get(order_id)

    # -- Qt -----------------------------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(self.columns):
            wanted = replace(self.query, sort=self.columns[column].sort,
                             descending=order == Qt.SortOrder.DescendingOrder)
            if wanted != self.query:
                self.set_query(wanted)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row, column = self.rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == SORT_ROLE:
            return column.value(row)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int((Qt.AlignmentFlag.AlignRight if column.numeric else Qt.AlignmentFlag.AlignLeft)
                       | Qt.AlignmentFlag.AlignVCenter)
        if column.sort is OrderSort.STATE:
            if role == Qt.ItemDataRole.DecorationRole:
                return state_icon(row.state)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(state_colour(row.state))
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{row.state.value.capitalize()}: {row.row.note or ORDER_STATE_MEANINGS[row.state]}"
        if role == Qt.ItemDataRole.ToolTipRole:
            text = column.text(row)
            return text or None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        if role == Qt.ItemDataRole.ToolTipRole:
            return (self.columns[section].tip or self.columns[section].header) + " (click to sort)"
        return None


# -- the detail pane --------------------------------------------------------------------------------------

def _amount_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,f}"


LINE_COLUMNS: tuple[Column[RecordLineView], ...] = (
    Column(header="Line", value=lambda line: line.label,
           tooltip=lambda line: " · ".join(filter(None, [line.label, line.detail]))),
    Column(header="Qty", value=lambda line: line.quantity, numeric=True,
           text=lambda line: "" if line.quantity is None else f"{line.quantity:f}"),
    Column(header="Amount", value=lambda line: line.amount, numeric=True, text=lambda line: _amount_text(line.amount),
           tooltip=lambda line: "Before tax" if line.tax is not None else None),
    Column(header="Tax", value=lambda line: line.tax, numeric=True, text=lambda line: _amount_text(line.tax)),
)

CHECK_COLUMNS: tuple[Column[OrderCheckView], ...] = (
    Column(header="Check", value=lambda c: c.what),
    Column(header="Order", value=lambda c: c.order_amount, numeric=True, text=lambda c: _amount_text(c.order_amount)),
    Column(header="Invoice", value=lambda c: c.invoice_amount, numeric=True,
           text=lambda c: _amount_text(c.invoice_amount)),
    Column(header="Difference", value=lambda c: c.difference, numeric=True,
           text=lambda c: _amount_text(c.difference) if c.differs else ""),
    Column(header="Why", value=lambda c: c.explanation, tooltip=lambda c: c.explanation),
)


class ChecksModel(ViewTableModel[OrderCheckView]):
    """The comparisons of the two records; a row that differs is bold on a tinted background."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(CHECK_COLUMNS, parent)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if index.isValid() and index.row() < self.rowCount() and self.row(index.row()).differs:
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.BackgroundRole:
                colour = state_colour(OrderState.DRIFT)
                colour.setAlpha(60)
                return QBrush(colour)
        return super().data(index, role)
