"""The sync engine when orders change after sync: edits, refunds, captures, cancellations, refund policies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from sync_harness import Rig, check_books, rig

from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.mapping.order_taxes import plain
from bigbooks_desktop.mapping.profile import default_profile
from bigbooks_desktop.store.error_queue import ACTIVE_STATUSES, list_errors
from bigbooks_desktop.store.links import OrderLinkStatus, credit_links_for_order, get_order_link
from bigbooks_desktop.sync.reconcile import OrderState

pytestmark = pytest.mark.asyncio

AWAITING_PAYMENT = 7


def _money(value: Any) -> Decimal:
    return Decimal(str(value["amount"] if isinstance(value, dict) else value))


def _order(r: Rig, order_id: int) -> dict[str, Any]:
    return next(o for o in r.state()["bigcommerce"]["orders"] if o["id"] == order_id)


def _unrefunded(r: Rig, status_id: int) -> dict[str, Any]:
    orders = r.state()["bigcommerce"]["orders"]
    return next(o for o in orders if o["status_id"] == status_id and not o["refunds"])


def _invoice(r: Rig, order_id: int) -> dict[str, Any]:
    return next(i for i in r.state()["freshbooks"]["invoices"] if i["invoice_number"] == f"BC-{order_id}")


def _payments(r: Rig, invoice_id: int) -> list[dict[str, Any]]:
    payments = r.state()["freshbooks"]["payments"]
    return [p for p in payments if p["invoiceid"] == invoice_id and p["vis_state"] != 1]


def _invoicing_awaiting_payment(r: Rig, **changes: Any) -> None:
    """A profile that also invoices Awaiting Payment orders (bank deposit, cheque): invoices start unpaid."""
    ids = (*default_profile().invoice_status_ids, AWAITING_PAYMENT)
    r.profile = default_profile().model_copy(update={"invoice_status_ids": ids, **changes})


async def _unpaid_synced_order(r: Rig) -> dict[str, Any]:
    order = await r.admin("POST", "/orders", {"status_id": AWAITING_PAYMENT})
    await r.sync()
    invoice = _invoice(r, order["id"])
    assert _money(invoice["paid"]) == 0 and _payments(r, invoice["id"]) == []
    r.tick()
    return order


def _reconciled(report: Any, order_id: int) -> Any:
    row = next(row for row in report.orders if row.order_id == order_id)
    assert row.state is not OrderState.UNEXPLAINED, row.to_json()
    return row


async def test_refund_after_full_payment_leaves_the_credit_note_standing_and_reconciles() -> None:
    async with rig(orders=30) as r:
        await r.sync()
        paid = _unrefunded(r, 10)
        invoice = _invoice(r, paid["id"])
        r.tick()
        await r.admin("POST", f"/orders/{paid['id']}/refunds", {"amount": "3.50", "reason": "scuffed"})
        summary = await r.sync()
        assert summary.counts["credits_created"] == 1 and summary.counts.get("credits_applied", 0) == 0
        notes = [n for n in r.state()["freshbooks"]["credit_notes"] if n["clientid"] == invoice["customerid"]
                 and f"order {paid['id']}" in n["notes"]]
        assert [_money(n["amount"]) for n in notes] == [Decimal("3.50")]
        after = _invoice(r, paid["id"])                    # still paid in full by the money captured
        assert _money(after["paid"]) == _money(after["amount"]) and _money(after["outstanding"]) == 0
        assert not [p for p in _payments(r, invoice["id"]) if p.get("creditid")]
        row = _reconciled(await r.reconcile(), paid["id"])
        assert row.fb_credited == row.bc_refunded == Decimal("3.50") and row.fb_paid == row.bc_captured


async def test_refunded_order_whose_capture_fell_short_has_the_credit_applied_once() -> None:
    async with rig(orders=10) as r:
        order = await r.admin("POST", "/orders", {"status_id": AWAITING_PAYMENT})
        total = _money(order["total_inc_tax"])
        part = quantize(total * Decimal("0.4"), "USD")
        await r.admin("POST", f"/orders/{order['id']}/transactions", {"amount": str(part)})
        await r.admin("POST", f"/orders/{order['id']}/refunds", {"reason": "returned"})   # all: Refunded
        assert _order(r, order["id"])["status_id"] == 4
        inner, lost = r.transport, []

        class LoseCreditApplication(httpx.AsyncBaseTransport):   # the server applies it; the answer is lost
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                response = await inner.handle_async_request(request)
                if request.method == "POST" and b"creditid" in request.content and not lost:
                    lost.append(request)
                    raise httpx.ReadError("connection reset", request=request)
                return response

        summary = await r.sync(transport=LoseCreditApplication())
        assert lost and summary.counts["credits_applied"] == 1
        invoice = _invoice(r, order["id"])
        applied = [p for p in _payments(r, invoice["id"]) if p.get("creditid")]
        assert len(applied) == 1 and _money(applied[0]["amount"]) == part and applied[0]["type"] == "Credit"
        assert _money(invoice["paid"]) == 2 * part
        assert _money(invoice["outstanding"]) == total - 2 * part
        apply_link = [c for c in credit_links_for_order(order["id"]) if c.refund_id.startswith("apply:")]
        assert [c.payment_id for c in apply_link] == [applied[0]["id"]]
        r.tick()
        await r.admin("PATCH", f"/orders/{order['id']}", {"staff_notes": "checked"})
        again = await r.sync()
        assert again.counts.get("credits_applied", 0) == 0
        assert len([p for p in _payments(r, invoice["id"]) if p.get("creditid")]) == 1
        row = _reconciled(await r.reconcile(), order["id"])
        assert row.fb_paid == row.bc_captured == part and row.fb_credited == row.bc_refunded == part


async def test_partial_refund_of_a_synced_order_is_one_credit_note_for_its_amount() -> None:
    async with rig(orders=30) as r:
        await r.sync()
        order = _unrefunded(r, 2)
        r.tick()
        await r.admin("POST", f"/orders/{order['id']}/refunds", {"amount": "1.25", "reason": "late"})
        await r.admin("POST", f"/orders/{order['id']}/refunds", {"amount": "2.00", "reason": "later"})
        summary = await r.sync()
        assert summary.counts["credits_created"] == 2
        amounts = sorted(c.amount for c in credit_links_for_order(order["id"]))
        assert amounts == [Decimal("1.25"), Decimal("2.00")]
        assert (await r.sync()).counts.get("credits_created", 0) == 0
        assert _reconciled(await r.reconcile(), order["id"]).fb_credited == Decimal("3.25")


async def test_edit_of_an_unpaid_synced_order_replaces_the_invoice_lines() -> None:
    async with rig(orders=10) as r:
        _invoicing_awaiting_payment(r)
        order = await _unpaid_synced_order(r)
        line = dict(r.sandbox.bigcommerce.store.orders[-1]["products"][0])     # a copy: the store edits it
        assert r.sandbox.bigcommerce.store.orders[-1]["order"]["id"] == order["id"]
        await r.admin("PATCH", f"/orders/{order['id']}",
                      {"products": [{"id": line["id"], "quantity": line["quantity"] + 2}]})
        new_total = _money(_order(r, order["id"])["total_inc_tax"])
        assert new_total != _money(order["total_inc_tax"])
        summary = await r.sync()
        assert summary.counts["invoices_updated"] == 1 and summary.counts.get("invoices_created", 0) == 0
        invoice = _invoice(r, order["id"])
        assert _money(invoice["amount"]) == new_total
        assert any(_money(x["qty"]) == line["quantity"] + 2 for x in invoice["lines"])
        assert len([i for i in r.state()["freshbooks"]["invoices"]
                    if i["invoice_number"] == f"BC-{order['id']}"]) == 1


async def test_edit_of_a_paid_synced_order_goes_to_the_inbox_with_the_exact_difference() -> None:
    async with rig(orders=30) as r:
        await r.sync()
        order = _unrefunded(r, 10)
        before = _money(_invoice(r, order["id"])["amount"])
        record = next(x for x in r.sandbox.bigcommerce.store.orders if x["order"]["id"] == order["id"])
        line = dict(record["products"][0])
        r.tick()
        await r.admin("PATCH", f"/orders/{order['id']}",
                      {"products": [{"id": line["id"], "quantity": line["quantity"] + 1}]})
        after = _money(_order(r, order["id"])["total_inc_tax"])
        summary = await r.sync()
        assert summary.results.get("drift") == 1
        assert _money(_invoice(r, order["id"])["amount"]) == before          # left as it was
        rows = [e for e in list_errors(status=ACTIVE_STATUSES) if e.order_id == order["id"]]
        assert len(rows) == 1 and rows[0].stage.value == "update"
        assert f"difference {plain(after - before)}" in rows[0].message
        added = f"+ in the order, not on the invoice: {line['name']} x {line['quantity'] + 1}"
        assert added in rows[0].message
        assert get_order_link(order["id"]).status is OrderLinkStatus.DRIFT


async def test_negative_adjustment_policy_puts_refunds_on_the_invoice_and_reconciles() -> None:
    async with rig(orders=40) as r:
        r.profile = default_profile().model_copy(update={"refund_policy": "negative_adjustment"})
        await r.sync()
        state = r.state()
        assert state["freshbooks"]["credit_notes"] == []
        refunded = [o for o in state["bigcommerce"]["orders"] if o["refunds"] and o["status_id"] in (4, 14)]
        assert refunded
        for order in refunded:
            invoice = _invoice(r, order["id"])
            refund_lines = [x for x in invoice["lines"] if x["name"].startswith("Refund ")]
            assert len(refund_lines) == len(order["refunds"])
            refunds = sum((_money(x["total_amount"]) for x in order["refunds"]), Decimal(0))
            assert _money(invoice["amount"]) == _money(order["total_inc_tax"]) - refunds
        report = await r.reconcile()
        assert report.summary()["unexplained_differences"] == 0, [m.to_json() for m in report.mismatches()]


async def test_cancellation_with_the_void_policy_deletes_the_unpaid_invoice() -> None:
    async with rig(orders=10) as r:
        _invoicing_awaiting_payment(r, cancellation_policy="void")
        order = await _unpaid_synced_order(r)
        await r.admin("PATCH", f"/orders/{order['id']}", {"status_id": 5})
        summary = await r.sync()
        assert summary.results.get("voided") == 1 and summary.counts["invoices_voided"] == 1
        assert _invoice(r, order["id"])["vis_state"] == 1
        assert get_order_link(order["id"]).status is OrderLinkStatus.VOIDED
        assert not [e for e in list_errors(status=ACTIVE_STATUSES) if e.order_id == order["id"]]


async def test_cancellation_with_the_flag_policy_keeps_the_invoice_and_asks_the_user() -> None:
    async with rig(orders=10) as r:
        _invoicing_awaiting_payment(r, cancellation_policy="flag")
        order = await _unpaid_synced_order(r)
        await r.admin("PATCH", f"/orders/{order['id']}", {"status_id": 5})
        summary = await r.sync()
        assert summary.results.get("flagged") == 1
        assert _invoice(r, order["id"])["vis_state"] == 0
        rows = [e for e in list_errors(status=ACTIVE_STATUSES) if e.order_id == order["id"]]
        assert len(rows) == 1 and rows[0].stage.value == "void" and "cancelled" in rows[0].message


async def test_each_capture_after_sync_adds_exactly_one_payment() -> None:
    async with rig(orders=10) as r:
        _invoicing_awaiting_payment(r)
        order = await _unpaid_synced_order(r)
        total = _money(order["total_inc_tax"])
        first = quantize(total / 3, "USD")
        await r.admin("POST", f"/orders/{order['id']}/transactions", {"amount": str(first)})
        assert (await r.sync()).counts["payments_created"] == 1
        r.tick()
        await r.admin("POST", f"/orders/{order['id']}/transactions", {"amount": str(total - first)})
        assert (await r.sync()).counts["payments_created"] == 1
        invoice = _invoice(r, order["id"])
        amounts = sorted(_money(p["amount"]) for p in _payments(r, invoice["id"]))
        assert amounts == sorted([first, total - first])
        assert _money(invoice["outstanding"]) == 0
        assert (await r.sync()).counts.get("payments_created", 0) == 0
        assert check_books(r.state())["duplicates"] == {}


async def test_first_run_without_a_start_says_it_synced_nothing_and_how_to_backfill() -> None:
    async with rig(orders=10) as r:
        first = await r.sync(since=None)
        assert first.note is not None and first.note.startswith("First run: nothing synced")
        assert "--since DATE" in first.note and first.counts.get("invoices_created", 0) == 0
        assert first.to_json()["note"] == first.note
        assert (await r.sync(since=None)).note is None           # the cursor is set: an ordinary run
