"""The orders and invoices side by side, on a real service after a real sync with the loopback sandbox."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt

from bigbooks_desktop.core.order_views import OrderQuery, OrderSort, OrderState, RecordLineKind, StatedOrderView
from bigbooks_desktop.gui.models.orders import INVOICE_COLUMNS, ORDER_COLUMNS, PagedOrdersModel
from bigbooks_desktop.gui.models.table import ROW_ROLE, SORT_ROLE
from bigbooks_desktop.gui.pages.orders import OrdersPage


async def _until(condition: Any) -> None:
    for _ in range(500):                            # up to 10 s
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


@pytest.fixture
def page(qtbot: Any, qloop: asyncio.AbstractEventLoop, sandbox_service: Any) -> Any:
    qloop.run_until_complete(sandbox_service.sync_once(since=date(2000, 1, 1)))
    widget = OrdersPage(sandbox_service)
    qtbot.addWidget(widget)
    widget.resize(1280, 760)
    widget.show()
    qloop.run_until_complete(widget.refresh())
    qloop.run_until_complete(_until(lambda: widget.orders.loaded and widget.invoices.loaded))
    yield widget
    widget.close()


def test_linked_selection_both_ways_and_the_refund_in_the_detail(page: OrdersPage, qloop: Any,
                                                                 save_screenshot: Any) -> None:
    save_screenshot(page, "orders-invoices")
    refunded = next(r for r in page.orders.rows if r.row.refunded and r.row.invoice_id is not None)
    page.orders_view.selectRow(page.orders.row_of(refunded.order_id) or 0)
    qloop.run_until_complete(_until(lambda: page.detail is not None
                                    and page.detail.order.order_id == refunded.order_id))
    current = page.invoices_view.currentIndex().data(ROW_ROLE)
    assert isinstance(current, StatedOrderView) and current.order_id == refunded.order_id
    credits = [line for line in page.detail.invoice_lines if line.kind is RecordLineKind.CREDIT]
    assert sum((c.amount for c in credits), Decimal(0)) == refunded.row.refunded
    texts = [page.invoice_lines.index(r, 0).data() for r in range(page.invoice_lines.rowCount())]
    assert any(t.startswith("Credit note") for t in texts)
    assert "sandbox" in page.detail_summary.text() and not page.open_bigcommerce.isEnabled()
    save_screenshot(page, "order-detail")
    # the other way round: an invoice selects its order
    other = next(r for r in page.invoices.rows if r.order_id != refunded.order_id)
    page.invoices_view.selectRow(page.invoices.row_of(other.order_id) or 0)
    qloop.run_until_complete(_until(lambda: page.orders_view.currentIndex().data(ROW_ROLE) is not None
                                    and page.orders_view.currentIndex().data(ROW_ROLE).order_id == other.order_id))


def test_filters_search_and_empty_states(page: OrdersPage, qloop: Any, qtbot: Any) -> None:
    total = page.orders.total
    page.state_filter.setCurrentIndex(page.state_filter.findData(OrderState.SKIPPED.value))
    qloop.run_until_complete(_until(lambda: page.orders.loaded))
    assert 0 < page.orders.total < total and all(r.state is OrderState.SKIPPED for r in page.orders.rows)
    page.clear_filters()
    qloop.run_until_complete(_until(lambda: page.orders.loaded and page.orders.total == total))
    code = page.currency_filter.itemData(1)
    page.currency_filter.setCurrentIndex(1)
    qloop.run_until_complete(_until(lambda: page.orders.loaded))
    assert all(r.row.currency == code for r in page.orders.rows)
    page.clear_filters()
    qloop.run_until_complete(_until(lambda: page.orders.loaded and page.orders.total == total))
    someone = next(r for r in page.orders.rows if r.row.email)
    qtbot.keyClicks(page.search_edit, someone.row.email[:6])
    assert page.orders.query.search == ""                      # debounced: nothing asked yet
    qloop.run_until_complete(_until(lambda: page.orders.query.search and page.orders.loaded))
    assert someone.order_id in {r.order_id for r in page.orders.rows}
    page.search_edit.setText("no such customer anywhere")
    qloop.run_until_complete(_until(lambda: page.orders.query.search.startswith("no such") and page.orders.loaded))
    assert page.orders.rowCount() == 0 and "No order matches these filters" in page.orders_box.message.text()
    assert page.orders_box.currentWidget() is page.orders_box.message


def test_lazy_paging_sorting_and_qtmodeltester(page: OrdersPage, qloop: Any, qtmodeltester: Any) -> None:
    model = PagedOrdersModel(page._page, ORDER_COLUMNS, page_size=7, parent=page)
    qloop.run_until_complete(model.set_query(OrderQuery(sort=OrderSort.TOTAL, descending=False)))
    assert model.rowCount() == 7 and model.canFetchMore()
    model.fetchMore()
    qloop.run_until_complete(_until(lambda: model.rowCount() == 14))
    qloop.run_until_complete(model.fetch_until(model.total - 1))
    assert model.rowCount() == model.total == 30 and not model.canFetchMore()
    totals = [model.index(r, 6).data(SORT_ROLE) for r in range(model.rowCount())]
    assert totals == sorted(totals) and isinstance(totals[0], Decimal)          # numeric, not text
    model.sort(6, Qt.SortOrder.DescendingOrder)                                  # server-side, from page one
    qloop.run_until_complete(_until(lambda: model.loaded and model.rowCount() == 7))
    assert [model.index(r, 6).data(SORT_ROLE) for r in range(7)] == sorted(totals, reverse=True)[:7]
    qtmodeltester.check(model)
    invoices = PagedOrdersModel(page._page, INVOICE_COLUMNS, query=OrderQuery(invoiced_only=True), parent=page)
    qloop.run_until_complete(invoices.set_query(invoices.query))
    qtmodeltester.check(invoices)
    qtmodeltester.check(page.orders)
    qtmodeltester.check(page.invoices)
    refunded = next(r for r in page.orders.rows if r.row.refunded and r.row.invoice_id is not None)
    qloop.run_until_complete(page.show_order(refunded.order_id))
    for detail_model in (page.order_lines, page.invoice_lines, page.checks):
        assert detail_model.rowCount()
        qtmodeltester.check(detail_model)
