"""Reconciliation against the in-process sandbox after a real sync: clean books, then books that disagree."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from sync_harness import NO_WAIT, rig

from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.jsonwire import dumps
from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.mapping.profile import MappingProfile, default_profile
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.store import links
from bigbooks_desktop.sync.engine import SyncOptions
from bigbooks_desktop.sync.reconcile import CSV_COLUMNS, FindingCode, OrderState, reconcile

pytestmark = pytest.mark.asyncio

@asynccontextmanager
async def synced_books(
    *, orders: int = 30, seed: int = 3, profile: MappingProfile | None = None
) -> AsyncIterator[tuple[Sandbox, BigCommerceClient, FreshBooksClient]]:
    """A sandbox (rate-limit window shrunk) fully synced once by the real engine; clients left open."""
    async with rig(orders=orders, seed=seed, time_scale=200) as r:
        r.profile = profile or default_profile()
        r.options = SyncOptions(concurrency=4, retry_policy=NO_WAIT)
        await r.sync()
        async with r.clients() as (bigcommerce, freshbooks):
            yield r.sandbox, bigcommerce, freshbooks


async def test_clean_sync_reconciles_with_only_explained_differences(tmp_path: Path) -> None:
    async with synced_books() as (_sandbox, bigcommerce, freshbooks):
        report = await reconcile(bigcommerce=bigcommerce, freshbooks=freshbooks)
    summary = report.summary()
    assert summary["unexplained_differences"] == 0, [r.to_json() for r in report.mismatches()]
    assert summary["orders"] == 30 and summary["invoiced"] > 0
    assert summary["ok"] + summary["explained"] + summary["skipped"] == 30
    ok_rows = [r for r in report.orders if r.state is OrderState.OK]
    for row in ok_rows:
        assert row.fb_amount == row.bc_total and row.fb_paid == row.bc_captured
        assert row.fb_credited == row.bc_refunded
    # a rounding line is a recorded, explained difference: the order still reconciles as ok
    rounded = [r for r in report.orders if r.rounding]
    assert all(r.state is OrderState.OK for r in rounded)
    assert summary["rounding_lines"] == len(rounded)
    # every eligible order without an invoice is explained by its inbox row
    for row in report.orders:
        if row.eligible and row.invoice_id is None:
            assert row.findings[0].code is FindingCode.MISSING_INVOICE and row.findings[0].explained
            assert "in the inbox" in row.findings[0].message
    # cost: one BigCommerce page + transactions per invoiced order; FreshBooks by pages, not per order
    invoiced = summary["invoiced"]
    assert report.requests["bigcommerce"] <= invoiced + 4
    assert report.requests["freshbooks"] <= 2 + sum(1 for r in report.orders if r.bc_refunded) * 2

    out = tmp_path / "rec.csv"
    assert report.write_csv(out) == 30
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 30
    by_id = {int(r["order_id"]): r for r in rows}
    for row in ok_rows:
        assert Decimal(by_id[row.order_id]["bc_total"]) == row.bc_total  # exact decimals, no float
    # JSON keeps money as exact numbers
    decoded = json_loads(dumps(report.to_json()))
    assert decoded["summary"]["unexplained_differences"] == 0
    assert isinstance(decoded["orders"][0]["bc_total"], Decimal | int)


async def test_disagreements_are_listed_with_their_reasons() -> None:
    async with synced_books() as (sandbox, bigcommerce, freshbooks):
        paid = [link for link in links.list_order_links(limit=100) if link.invoice_id]
        deleted, unpaid, refunded, doubled = paid[0], paid[1], paid[2], paid[3]
        original = await freshbooks.get_invoice(doubled.invoice_id)  # someone types the order in again
        twin = await freshbooks.create_invoice(
            fb.InvoiceDraft(
                customerid=original.customerid,
                invoice_number="DUP-1",
                create_date=original.create_date,
                currency_code=original.currency_code,
                po_number=str(doubled.order_id),
                lines=(fb.LineDraft(name="Same order again", qty=Decimal(1), unit_cost=original.amount),),
            )
        )
        await freshbooks.delete_invoice(deleted.invoice_id)  # deleted by someone in FreshBooks
        for payment in await freshbooks.list_payments(unpaid.invoice_id):
            await freshbooks.delete_payment(payment.id)  # a payment removed by hand
        order = await bigcommerce.get_order(refunded.order_id)
        sandbox.bigcommerce.add_refund(refunded.order_id, Decimal("1.00"), reason="test")  # not synced yet
        new = sandbox.bigcommerce.add_order({"status_id": 11})  # eligible, never synced
        report = await reconcile(bigcommerce=bigcommerce, freshbooks=freshbooks)

    rows = {r.order_id: r for r in report.orders}
    codes = {oid: {f.code for f in rows[oid].findings if not f.explained} for oid in rows}
    assert codes[deleted.order_id] == {FindingCode.INVOICE_DELETED}
    assert FindingCode.PAID_DIFFERS in codes[unpaid.order_id]
    paid_finding = next(f for f in rows[unpaid.order_id].findings if f.code is FindingCode.PAID_DIFFERS)
    assert paid_finding.difference == -rows[unpaid.order_id].bc_captured
    assert codes[refunded.order_id] & {FindingCode.REFUND_NOT_CREDITED, FindingCode.CREDIT_DIFFERS}
    assert order.total_inc_tax == rows[refunded.order_id].bc_total
    assert codes[int(new["id"])] == {FindingCode.MISSING_INVOICE}
    assert codes[doubled.order_id] == {FindingCode.DUPLICATE_INVOICE}
    duplicate = next(f for f in rows[doubled.order_id].findings if f.code is FindingCode.DUPLICATE_INVOICE)
    assert f"DUP-1 (id {twin.id})" in duplicate.message and duplicate.difference == twin.amount
    summary = report.summary()
    assert summary["unexplained_differences"] >= 5
    assert summary["unexplained_orders"] == len(
        [r for r in report.orders if r.state is OrderState.UNEXPLAINED]
    )
    csv_row = next(r for r in report.csv_rows() if r["order_id"] == str(deleted.order_id))
    assert "UNEXPLAINED" in csv_row["reasons"] and "deleted in FreshBooks" in csv_row["reasons"]


async def test_refunds_as_negative_invoice_lines_reconcile() -> None:
    profile = default_profile().model_copy(update={"refund_policy": "negative_adjustment"})
    async with synced_books(orders=40, seed=4, profile=profile) as (_sandbox, bigcommerce, freshbooks):
        report = await reconcile(bigcommerce=bigcommerce, freshbooks=freshbooks, profile=profile)
    assert report.unexplained_differences == 0, [r.to_json() for r in report.mismatches()]
    refunded = [r for r in report.orders if r.bc_refunded and r.invoice_id is not None]
    assert refunded, "the generated store should have refunded orders"
    for row in refunded:
        assert row.fb_credited == row.bc_refunded
        assert row.fb_amount == row.bc_total - row.bc_refunded
