"""The side-by-side screen's data from the local copy: states, filters, SQL sorting, positions, the detail."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bigbooks_desktop.core.order_views import OrderQuery, OrderSort, OrderState, RecordLineKind
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.service import BigBooksService
from bigbooks_desktop.service.order_detail import bigcommerce_order_url, freshbooks_invoice_url


@pytest.mark.asyncio
async def test_pages_filter_sort_and_detail_from_the_local_copy_only() -> None:
    sandbox = Sandbox(SandboxConfig(orders=60, seed=3, time_scale=1000.0))
    service = BigBooksService(transport=sandbox.transport())
    try:
        await service.connect_sandbox("http://sandbox.test/_sandbox")
        await service.sync_once(since=date(2000, 1, 1))
        before = dict(sandbox.state()["requests"])
        everything = await service.order_page(OrderQuery(), limit=1000)
        assert everything.total == 60 == len(everything.rows)
        states = {r.state for r in everything.rows}
        assert OrderState.SYNCED in states and OrderState.SKIPPED in states
        assert all(r.row.invoice_id is not None for r in everything.rows if r.state is OrderState.SYNCED)
        # sorting by total is numeric, in SQL, and pages agree with it
        by_total = await service.order_page(OrderQuery(sort=OrderSort.TOTAL, descending=False), limit=1000)
        totals = [r.row.total for r in by_total.rows]
        assert totals == sorted(totals)
        second = await service.order_page(OrderQuery(sort=OrderSort.TOTAL, descending=False), offset=20, limit=20,
                                          with_total=False)
        assert [r.order_id for r in second.rows] == [r.order_id for r in by_total.rows[20:40]]
        some = by_total.rows[33]
        assert await service.locate_order(OrderQuery(sort=OrderSort.TOTAL, descending=False), some.order_id) == 33
        # filters: state, currency, dates, search by number / customer / email
        skipped = await service.order_page(OrderQuery(states=frozenset({OrderState.SKIPPED})), limit=1000)
        assert skipped.total == sum(1 for r in everything.rows if r.state is OrderState.SKIPPED)
        currencies = await service.order_currencies()
        assert len(currencies) >= 2
        euros = await service.order_page(OrderQuery(currency=currencies[0]), limit=1000)
        assert euros.rows and all(r.row.currency == currencies[0] for r in euros.rows)
        middle = sorted(r.row.date_created for r in everything.rows)[30]
        later = await service.order_page(OrderQuery(since=middle), limit=1000)
        assert later.total == sum(1 for r in everything.rows if r.row.date_created >= middle)
        day = await service.order_page(OrderQuery(since=middle, until=middle + timedelta(microseconds=1)))
        assert [r.row.date_created for r in day.rows] == [middle]
        invoiced = next(r for r in everything.rows if r.row.invoice_number and r.row.email)
        for text in (str(invoiced.order_id), invoiced.row.invoice_number or "", invoiced.row.email.upper(),
                     invoiced.row.customer.split()[-1]):
            found = await service.order_page(OrderQuery(search=text), limit=1000)
            assert invoiced.order_id in {r.order_id for r in found.rows}, text
        invoices = await service.order_page(OrderQuery(invoiced_only=True, sort=OrderSort.INVOICE_AMOUNT), limit=999)
        amounts = [r.row.invoice_amount for r in invoices.rows]
        assert None not in amounts and amounts == sorted(amounts, reverse=True)  # type: ignore[type-var]
        # the detail of a refunded order: both records line by line, the credits, and the checks
        refunded = next(r for r in everything.rows if r.row.refunded and r.state is OrderState.SYNCED)
        detail = await service.order_detail(refunded.order_id)
        kinds = {line.kind for line in detail.order_lines}
        assert {RecordLineKind.ITEM, RecordLineKind.TAX, RecordLineKind.PAYMENT, RecordLineKind.REFUND} <= kinds
        credits = [line for line in detail.invoice_lines if line.kind is RecordLineKind.CREDIT]
        assert sum((c.amount for c in credits), Decimal(0)) == refunded.row.refunded
        checks = {c.what: c for c in detail.checks}
        assert not checks["Total"].differs and not checks["Refunds and credits"].differs
        assert all(c.explanation for c in detail.checks)
        assert detail.bigcommerce_url is None and "sandbox" in detail.links_note       # no control panel there
        assert dict(sandbox.state()["requests"]) == before                              # no API call at all
    finally:
        await service.aclose()


def test_addresses_of_the_order_and_the_invoice() -> None:
    assert bigcommerce_order_url("abc123", 101) == "https://store-abc123.mybigcommerce.com/manage/orders/101"
    assert freshbooks_invoice_url("xZ9k", 31007) == "https://my.freshbooks.com/#/invoice/xZ9k-31007"


@pytest.mark.asyncio
async def test_undone_and_failed_show_from_the_engine_records_at_once() -> None:
    from bigbooks_desktop.store.links import OrderLinkStatus, set_order_link_status

    sandbox = Sandbox(SandboxConfig(orders=20, seed=5, time_scale=1000.0))
    service = BigBooksService(transport=sandbox.transport())
    try:
        await service.connect_sandbox("http://sandbox.test/_sandbox")
        await service.sync_once(since=date(2000, 1, 1))
        synced = (await service.order_page(OrderQuery(states=frozenset({OrderState.SYNCED})))).rows[0]
        set_order_link_status(synced.order_id, OrderLinkStatus.UNDONE)
        undone = await service.order_page(OrderQuery(states=frozenset({OrderState.UNDONE})))
        assert [r.order_id for r in undone.rows] == [synced.order_id]
    finally:
        await service.aclose()
