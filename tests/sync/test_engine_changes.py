"""The sync engine when orders change after sync: edits, refunds, captures, cancellations, write-offs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from sync_harness import Rig, bigcommerce_tax_by_name, check_books, invoice_tax_by_name, rig

from bigbooks_desktop.core.money import quantize
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


def _credit_notes(r: Rig, order_id: int, marker: str = "refund:") -> list[dict[str, Any]]:
    return [n for n in r.state()["freshbooks"]["credit_notes"]
            if f"order {order_id}" in n["notes"] and f"[BigBooks {marker}" in n["notes"] and n["vis_state"] == 0]


def _cash(payments: list[dict[str, Any]]) -> Decimal:
    return sum((_money(p["amount"]) for p in payments if not p.get("creditid")), Decimal(0))


async def test_refund_after_full_payment_lowers_the_payment_and_settles_the_invoice_with_its_credit() -> None:
    async with rig(orders=30) as r:
        await r.sync()
        paid = _unrefunded(r, 10)
        invoice = _invoice(r, paid["id"])
        cash_before = _cash(_payments(r, invoice["id"]))
        r.tick()
        await r.admin("POST", f"/orders/{paid['id']}/refunds", {"amount": "3.50", "reason": "scuffed"})
        summary = await r.sync()
        assert summary.counts["credits_created"] == 1 and summary.counts["credits_applied"] == 1
        assert summary.counts["payments_reduced"] == 1
        (note,) = _credit_notes(r, paid["id"])
        assert _money(note["amount"]) == Decimal("3.50") and _money(note["paid"]) == Decimal("3.50")  # used up
        payments = _payments(r, invoice["id"])
        assert _cash(payments) == cash_before - Decimal("3.50")          # the money kept
        assert any("Refunded to the customer" in p["note"] for p in payments if not p.get("creditid"))
        after = _invoice(r, paid["id"])
        assert _money(after["outstanding"]) == 0 and _money(after["amount"]) == _money(invoice["amount"])
        assert (await r.sync()).counts.get("payments_reduced", 0) == 0   # written once
        _reconciled(await r.reconcile(), paid["id"])


async def test_refunded_order_whose_capture_fell_short_is_settled_and_the_rest_written_off_once() -> None:
    async with rig(orders=10) as r:
        order = await r.admin("POST", "/orders", {"status_id": AWAITING_PAYMENT})
        total = _money(order["total_inc_tax"])
        part = quantize(total * Decimal("0.4"), "USD")
        await r.admin("POST", f"/orders/{order['id']}/transactions", {"amount": str(part)})
        await r.admin("POST", f"/orders/{order['id']}/refunds", {"amount": str(part), "reason": "returned"})
        await r.admin("PATCH", f"/orders/{order['id']}", {"status_id": 4})
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
        assert lost and summary.counts["recovered_lost_responses"] >= 1 and summary.counts["balances_written_off"] >= 1
        invoice = _invoice(r, order["id"])
        payments = _payments(r, invoice["id"])
        assert _cash(payments) == 0                                         # captured part, all refunded
        applied = [p for p in payments if p.get("creditid")]
        assert sorted(_money(p["amount"]) for p in applied) == sorted([part, total - part])
        assert _money(invoice["outstanding"]) == 0
        (writeoff,) = _credit_notes(r, order["id"], "writeoff:")
        assert writeoff["lines"][0]["name"] == "Uncollected balance written off"
        r.tick()
        await r.admin("PATCH", f"/orders/{order['id']}", {"staff_notes": "checked"})
        again = await r.sync()
        assert again.counts.get("credits_applied", 0) == 0 and again.counts.get("balances_written_off", 0) == 0
        assert len([p for p in _payments(r, invoice["id"]) if p.get("creditid")]) == 2
        _reconciled(await r.reconcile(), order["id"])


async def test_partial_refunds_are_one_credit_note_each_for_their_amount() -> None:
    async with rig(orders=30) as r:
        await r.sync()
        order = _unrefunded(r, 2)
        r.tick()
        await r.admin("POST", f"/orders/{order['id']}/refunds", {"amount": "1.25", "reason": "late"})
        await r.admin("POST", f"/orders/{order['id']}/refunds", {"amount": "2.00", "reason": "later"})
        summary = await r.sync()
        assert summary.counts["credits_created"] == 2
        amounts = sorted(c.amount for c in credit_links_for_order(order["id"]) if c.refund_id.startswith("refund:"))
        assert amounts == [Decimal("1.25"), Decimal("2.00")]
        assert (await r.sync()).counts.get("credits_created", 0) == 0


async def test_a_refund_of_items_credits_their_tax_and_a_store_credit_refund_stays_open() -> None:
    async with rig(orders=30) as r:
        await r.sync()
        order = next(o for o in r.state()["bigcommerce"]["orders"] if o["status_id"] == 10 and not o["refunds"]
                     and o["customer_id"] and any(_money(t["line_amount"]) > 0 for t in o["taxes"]
                                                  if t["line_item_type"] == "item"))
        line = next(p for p in order["products"] if _money(p["total_tax"]) > 0)
        r.tick()
        refund = await r.admin("POST", f"/orders/{order['id']}/refunds", {
            "items": [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1}], "to": "store_credit"})
        await r.sync()
        (note,) = _credit_notes(r, order["id"])
        have = invoice_tax_by_name(note["lines"])
        assert sum(have.values(), Decimal(0)) == _money(refund["total_tax"]) > 0
        assert _money(note["amount"]) == _money(refund["total_amount"])
        assert _money(note["paid"]) == 0                 # store credit: the client's credit, not applied


async def test_edit_of_a_draft_invoice_rewrites_it_in_place() -> None:
    async with rig(orders=10) as r:
        _invoicing_awaiting_payment(r, invoice_mode="draft")
        order = await _unpaid_synced_order(r)
        line = dict(r.sandbox.bigcommerce.store.orders[-1]["products"][0])     # a copy: the store edits it
        await r.admin("PATCH", f"/orders/{order['id']}",
                      {"products": [{"id": line["id"], "quantity": line["quantity"] + 2}]})
        new_total = _money(_order(r, order["id"])["total_inc_tax"])
        assert new_total != _money(order["total_inc_tax"])
        summary = await r.sync()
        assert summary.counts["invoices_updated"] == 1 and summary.counts.get("invoices_created", 0) == 0
        invoice = _invoice(r, order["id"])
        assert _money(invoice["amount"]) == new_total and invoice["status"] == 1
        assert sum((_money(x["qty"]) for x in invoice["lines"] if x["name"] == line["name"]),
                   Decimal(0)) == line["quantity"] + 2


async def test_edit_of_a_sent_invoice_adds_a_supplementary_invoice_and_never_rewrites_it() -> None:
    async with rig(orders=30) as r:
        await r.sync()
        order = _unrefunded(r, 10)
        before = _invoice(r, order["id"])
        record = next(x for x in r.sandbox.bigcommerce.store.orders if x["order"]["id"] == order["id"])
        line = dict(record["products"][0])
        r.tick()
        await r.admin("PATCH", f"/orders/{order['id']}",
                      {"products": [{"id": line["id"], "quantity": line["quantity"] + 1}]})
        edited = _order(r, order["id"])
        await r.sync()
        after = _invoice(r, order["id"])
        assert after["lines"] == before["lines"] and after["amount"] == before["amount"]      # untouched
        supplement = next(i for i in r.state()["freshbooks"]["invoices"]
                          if i["invoice_number"] == f"BC-{order['id']}-2")
        assert _money(supplement["amount"]) == _money(edited["total_inc_tax"]) - _money(before["amount"])
        assert [x["name"] for x in supplement["lines"]] == [line["name"]]
        taxes = invoice_tax_by_name(before["lines"])
        for name, amount in invoice_tax_by_name(supplement["lines"]).items():
            taxes[name] = taxes.get(name, Decimal(0)) + amount
        assert taxes == bigcommerce_tax_by_name(edited["taxes"], "USD")
        assert not [e for e in list_errors(status=ACTIVE_STATUSES) if e.order_id == order["id"]]
        # the store captured the difference: FreshBooks made it an overpayment credit on the first invoice,
        # which pays the supplementary invoice, so nothing is left owing and no credit stays open
        assert _money(supplement["outstanding"]) == 0
        overpayments = [n for n in r.state()["freshbooks"]["credit_notes"] if n["credit_type"] == "overpayment"
                        and n["clientid"] == before["customerid"] and n["vis_state"] == 0]
        assert all(_money(n["paid"]) == _money(n["amount"]) for n in overpayments)
        again = await r.sync()
        assert again.counts.get("supplementary_invoices", 0) == 0


async def test_a_paid_order_lowered_and_refunded_the_difference_is_credited_once() -> None:
    """BigCommerce refunds the difference when a paid order is edited down: the correction credit note
    takes the sale back once, and the refund (money only) returns the cash through it, not a second note."""
    async with rig(orders=30) as r:
        await r.sync()
        order = next(o for o in r.state()["bigcommerce"]["orders"] if o["status_id"] == 10 and not o["refunds"]
                     and any(p["quantity"] > 1 for p in o["products"]))
        before = _invoice(r, order["id"])
        line = next(p for p in order["products"] if p["quantity"] > 1)
        r.tick()
        await r.admin("PATCH", f"/orders/{order['id']}",
                      {"products": [{"id": line["id"], "quantity": line["quantity"] - 1}]})
        edited = _order(r, order["id"])
        assert len(edited["refunds"]) == 1                              # the store gave the difference back
        summary = await r.sync()
        assert summary.counts.get("refunds_matched_to_corrections") == 1
        assert _credit_notes(r, order["id"]) == []                      # no second credit for the same sale
        (correction,) = _credit_notes(r, order["id"], "correction:")
        after = _invoice(r, order["id"])
        assert _money(after["amount"]) - _money(correction["amount"]) == _money(edited["total_inc_tax"])
        assert _money(correction["paid"]) == _money(correction["amount"])       # no open credit
        assert _money(after["outstanding"]) == 0
        assert _cash(_payments(r, after["id"])) == _money(edited["total_inc_tax"])   # cash kept
        assert after["lines"] == before["lines"]
        _reconciled(await r.reconcile(), order["id"])


async def test_cancellation_with_the_void_policy_credits_a_sent_invoice_and_deletes_a_draft() -> None:
    async with rig(orders=10) as r:
        _invoicing_awaiting_payment(r, cancellation_policy="void")
        order = await _unpaid_synced_order(r)
        invoice = _invoice(r, order["id"])
        await r.admin("PATCH", f"/orders/{order['id']}", {"status_id": 5})
        summary = await r.sync()
        assert summary.results.get("voided") == 1 and summary.counts["invoices_voided"] == 1
        kept = _invoice(r, order["id"])
        assert kept["vis_state"] == 0 and kept["lines"] == invoice["lines"]     # sent: kept as it was
        (note,) = _credit_notes(r, order["id"], "correction:")
        assert _money(note["amount"]) == _money(invoice["amount"])
        assert invoice_tax_by_name(note["lines"]) == invoice_tax_by_name(invoice["lines"])
        assert _money(kept["outstanding"]) == 0                                # credited in full
        assert get_order_link(order["id"]).status is OrderLinkStatus.VOIDED
        r.profile = r.profile.model_copy(update={"invoice_mode": "draft"})
        draft_order = await _unpaid_synced_order(r)
        await r.admin("PATCH", f"/orders/{draft_order['id']}", {"status_id": 5})
        await r.sync()
        assert _invoice(r, draft_order["id"])["vis_state"] == 1                 # a draft nobody saw: deleted


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


async def test_a_dispute_after_sync_waits_in_the_inbox_with_what_to_do_and_changes_nothing() -> None:
    async with rig(orders=30) as r:
        await r.sync()
        order = _unrefunded(r, 10)
        books_before = r.state()["freshbooks"]
        r.tick()
        await r.admin("PATCH", f"/orders/{order['id']}", {"status_id": 13})
        summary = await r.sync()
        assert summary.results.get("flagged") == 1
        rows = [e for e in list_errors(status=ACTIVE_STATUSES) if e.order_id == order["id"]]
        assert len(rows) == 1 and rows[0].stage.value == "payment"
        assert "disputed" in rows[0].message and "refund the order in BigCommerce" in rows[0].message
        assert r.state()["freshbooks"] == books_before          # nothing written for a dispute
        again = await r.sync()                                   # not flagged twice
        assert again.results.get("flagged", 0) == 0
        assert len([e for e in list_errors(status=ACTIVE_STATUSES) if e.order_id == order["id"]]) == 1


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
