"""Reconciliation against the in-process sandbox after a real sync: clean books, then books tampered with
through the FreshBooks API (or the sandbox's admin API), each tampering found with its code and exact amount."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sync_harness import NO_WAIT, Rig, rig

from bigbooks_desktop.commands.reconcile import print_report
from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.jsonwire import dumps
from bigbooks_desktop.core.money import json_loads, quantize
from bigbooks_desktop.mapping.freshbooks_math import line_slots, tax_by_name
from bigbooks_desktop.mapping.order_taxes import plain
from bigbooks_desktop.mapping.payments import refund_cash
from bigbooks_desktop.mapping.profile import MappingProfile, default_profile
from bigbooks_desktop.store import links
from bigbooks_desktop.sync.engine import SyncOptions
from bigbooks_desktop.sync.reconcile import (
    CSV_COLUMNS,
    Finding,
    FindingCode,
    OrderReconciliation,
    OrderState,
    ReconciliationReport,
    reconcile,
)

pytestmark = pytest.mark.asyncio

REFUNDED = 4
AWAITING_PAYMENT = 7


@asynccontextmanager
async def synced_books(
    *, orders: int = 60, seed: int = 3, profile: MappingProfile | None = None
) -> AsyncIterator[tuple[Rig, BigCommerceClient, FreshBooksClient]]:
    """A sandbox (rate-limit window shrunk) fully synced once by the real engine; clients left open.
    Seed 3 with 60 orders has refunds to the gateway (full and partial) and to store credit, gift
    certificates sold and redeemed, and two tax names on some lines."""
    async with rig(orders=orders, seed=seed, time_scale=200) as r:
        r.profile = profile or default_profile()
        r.options = SyncOptions(concurrency=4, retry_policy=NO_WAIT)
        await r.sync()
        async with r.clients() as (bigcommerce, freshbooks):
            yield r, bigcommerce, freshbooks


async def _report(r: Rig, bigcommerce: BigCommerceClient, freshbooks: FreshBooksClient) -> ReconciliationReport:
    return await reconcile(bigcommerce=bigcommerce, freshbooks=freshbooks, profile=r.profile)


def _unexplained(row: OrderReconciliation) -> dict[FindingCode, list[Finding]]:
    found: dict[FindingCode, list[Finding]] = {}
    for finding in row.findings:
        if not finding.explained:
            found.setdefault(finding.code, []).append(finding)
    return found


def _pick(report: ReconciliationReport, taken: set[int], wanted: Callable[[OrderReconciliation], bool],
          what: str) -> OrderReconciliation:
    """A clean, invoiced order not used by another tampering of the same test, matching `wanted`."""
    for row in report.orders:
        if row.state is OrderState.OK and row.invoice_id is not None and row.order_id not in taken and wanted(row):
            taken.add(row.order_id)
            return row
    raise AssertionError(f"the synced store has no order that is {what}")


def _line_draft(line: fb.Line, **changes: Any) -> fb.LineDraft:
    draft = fb.LineDraft(name=line.name, description=line.description, qty=line.qty, unit_cost=line.unit_cost,
                         tax_name1=line.tax_name1 or "", tax_amount1=line.tax_amount1 if line.tax_name1 else None,
                         tax_name2=line.tax_name2 or "", tax_amount2=line.tax_amount2 if line.tax_name2 else None)
    return draft.model_copy(update=changes)


def _invoice_draft(invoice: fb.Invoice, lines: list[fb.LineDraft]) -> fb.InvoiceDraft:
    return fb.InvoiceDraft(customerid=invoice.customerid, invoice_number=invoice.invoice_number,
                           create_date=invoice.create_date, currency_code=invoice.currency_code,
                           po_number=invoice.po_number, notes=invoice.notes, terms=invoice.terms,
                           lines=tuple(lines), mark_as_sent=False)


def _note_like(note: fb.CreditNote, lines: list[fb.LineDraft]) -> fb.CreditNoteDraft:
    """A new credit note with `note`'s client, date, currency and notes (its BigBooks marker too)."""
    assert note.create_date is not None
    return fb.CreditNoteDraft(clientid=note.clientid, create_date=note.create_date, currency_code=note.currency_code,
                              notes=note.notes, lines=tuple(lines))


async def _refund_note(freshbooks: FreshBooksClient, client_id: int, refund_id: int) -> fb.CreditNote:
    notes = await freshbooks.list_credit_notes(client_id)
    found = [n for n in notes if f"[BigBooks refund:{refund_id}]" in n.notes]
    assert len(found) == 1, found
    return found[0]


async def test_clean_sync_reconciles_with_zero_unexplained_differences(tmp_path: Path) -> None:
    async with synced_books() as (r, bigcommerce, freshbooks):
        report = await _report(r, bigcommerce, freshbooks)
        customers = {i.id: i.customerid async for i in freshbooks.iter_invoices(vis_state=0)}
    summary = report.summary()
    assert summary["unexplained_differences"] == 0, [r.to_json() for r in report.mismatches()]
    assert summary["orders"] == 60 and summary["invoiced"] > 30
    assert summary["ok"] + summary["explained"] + summary["skipped"] == 60
    checked = summary["checked"]
    assert checked["invoices"] == summary["invoiced"] and checked["cash"] == summary["invoiced"]
    assert checked["tax_names"] > summary["invoiced"] / 2 and checked["refunds"] >= 4
    ok_rows = [row for row in report.orders if row.state is OrderState.OK and row.invoice_id is not None]
    for row in ok_rows:
        assert row.fb_amount == row.bc_expected_amount and row.fb_tax == row.bc_tax
        assert row.fb_cash == row.bc_cash and row.fb_redeemed == row.bc_redeemed and row.rounding == 0
        if row.bc_refunded:
            assert row.fb_credited == row.bc_refunded and row.fb_credit_tax == row.bc_refund_tax
            assert row.fb_credit_applied == row.bc_refunded_cash
    # the cases the books must get right, present in this store and reconciled
    assert any(len(row.bc_tax or {}) >= 2 for row in ok_rows), "an order with two tax names"
    sold = [row for row in ok_rows if row.bc_gift_certificates]
    assert sold and all(row.fb_amount == row.bc_total - row.bc_gift_certificates for row in sold)
    full = [row for row in ok_rows if row.status_id == REFUNDED and row.bc_refunded_cash == row.bc_total]
    assert full and all(row.fb_cash == 0 and row.fb_credit_applied == row.bc_total for row in full)
    to_credit = [row for row in ok_rows if row.bc_refunded and row.bc_refunded_cash == 0]
    assert to_credit and all(row.fb_credit_applied == 0 for row in to_credit), "store credit stays open"
    # every eligible order without an invoice is explained by its inbox row
    for row in report.orders:
        if row.eligible and row.invoice_id is None:
            assert row.findings[0].code is FindingCode.MISSING_INVOICE and row.findings[0].explained
            assert "in the inbox" in row.findings[0].message
    # cost: per invoiced order 3 BigCommerce reads and its payments; credit notes once per client that needs them
    invoiced = summary["invoiced"]
    assert report.requests["bigcommerce"] <= 2 + 3 * invoiced
    needing = {customers[row.invoice_id] for row in ok_rows if row.bc_refunded or row.bc_gift_certificates}
    assert report.requests["freshbooks"] <= 1 + invoiced + len(needing)

    out = tmp_path / "rec.csv"
    assert report.write_csv(out) == 60
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 60
    by_id = {int(r["order_id"]): r for r in rows}
    for row in ok_rows:
        line = by_id[row.order_id]
        assert Decimal(line["bc_total"]) == row.bc_total and Decimal(line["fb_cash"]) == row.fb_cash  # exact
        taxes = dict(part.split("=") for part in line["fb_tax"].split(";") if part)
        assert {name: Decimal(amount) for name, amount in taxes.items()} == row.fb_tax
    decoded = json_loads(dumps(report.to_json()))           # JSON keeps money as exact numbers
    assert decoded["summary"]["unexplained_differences"] == 0
    assert isinstance(decoded["orders"][0]["bc_total"], Decimal | int)


async def test_invoice_tampering_tax_on_another_name_and_a_rounding_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    async with synced_books() as (r, bigcommerce, freshbooks):
        clean = await _report(r, bigcommerce, freshbooks)
        taken: set[int] = set()
        moved = _pick(clean, taken, lambda row: not row.bc_refunded and bool(row.bc_tax), "taxed")
        invoice = await freshbooks.get_invoice(moved.invoice_id)
        line = next(x for x in invoice.lines if len(line_slots(x)) == 1 and x.amount > 0)
        name, rate = line_slots(line)[0]
        tax = tax_by_name([line], invoice.currency_code)[name]
        assert tax > 0
        lines = [_line_draft(x, tax_name1="Tampered Tax") if x is line else _line_draft(x) for x in invoice.lines]
        await freshbooks.update_invoice(invoice.id, _invoice_draft(invoice, lines))  # same rate, another name

        rounded = _pick(clean, taken, lambda row: not row.bc_refunded, "not refunded")
        invoice = await freshbooks.get_invoice(rounded.invoice_id)
        lines = [_line_draft(x) for x in invoice.lines]
        lines.append(fb.LineDraft(name=r.profile.rounding_line_name, qty=Decimal(1), unit_cost=Decimal("0.01")))
        await freshbooks.update_invoice(invoice.id, _invoice_draft(invoice, lines))  # what older versions wrote
        report = await _report(r, bigcommerce, freshbooks)

    rows = {row.order_id: row for row in report.orders}
    found = _unexplained(rows[moved.order_id])
    assert set(found) == {FindingCode.TAX_DIFFERS}
    label = name.removesuffix(f" {plain(rate)}%")
    by_difference = {f.difference: f for f in found[FindingCode.TAX_DIFFERS]}
    assert set(by_difference) == {-tax, tax}                       # one finding per name, exact amounts
    assert by_difference[-tax].message.startswith(f"Tax {label}: FreshBooks ")
    assert by_difference[tax].message.startswith(f"Tax Tampered Tax: FreshBooks {tax}, BigCommerce charged 0.00")
    expected = dict(moved.bc_tax or {})
    expected[label] -= tax
    assert rows[moved.order_id].fb_tax == {**{k: v for k, v in expected.items() if v}, "Tampered Tax": tax}

    found = _unexplained(rows[rounded.order_id])
    assert set(found) == {FindingCode.ROUNDING_LINE, FindingCode.TOTAL_DIFFERS}    # a finding, not an excuse
    assert found[FindingCode.ROUNDING_LINE][0].difference == Decimal("0.01") == rows[rounded.order_id].rounding
    assert found[FindingCode.TOTAL_DIFFERS][0].difference == Decimal("0.01")
    assert report.unexplained_differences == 4
    assert report.summary()["unexplained_findings"] == {"rounding_line": 1, "tax_differs": 2, "total_differs": 1}

    print_report(report)
    text = capsys.readouterr().out
    assert "UNEXPLAINED [tax_differs] Tax Tampered Tax" in text and "UNEXPLAINED [rounding_line]" in text
    assert text.count("what to do:") == sum(len(row.findings) for row in report.mismatches())
    assert "Unexplained differences: 4" in text


async def test_money_tampering_duplicate_payment_removed_payment_and_removed_redemption() -> None:
    async with synced_books() as (r, bigcommerce, freshbooks):
        clean = await _report(r, bigcommerce, freshbooks)
        taken: set[int] = set()
        doubled = _pick(clean, taken, lambda row: not row.bc_refunded and not row.bc_redeemed
                        and bool(row.bc_captured), "paid in money")
        payment = next(p for p in await freshbooks.list_payments(doubled.invoice_id) if p.creditid is None)
        again = await freshbooks.create_payment(fb.PaymentDraft(invoiceid=payment.invoiceid, amount=payment.amount,
                                                                date=payment.date, type=payment.type,
                                                                note=payment.note))  # same marker, typed twice
        assert again.amount == 0 and again.overpaymentid is not None    # FreshBooks: 0.00 + overpayment credit

        removed = _pick(clean, taken, lambda row: not row.bc_refunded and not row.bc_redeemed
                        and bool(row.bc_captured), "paid in money")
        for p in await freshbooks.list_payments(removed.invoice_id):
            await freshbooks.delete_payment(p.id)

        redeemed = _pick(clean, taken, lambda row: bool(row.bc_redeemed), "paid with a gift certificate")
        redemption = next(p for p in await freshbooks.list_payments(redeemed.invoice_id) if p.creditid)
        await freshbooks.delete_payment(redemption.id)
        report = await _report(r, bigcommerce, freshbooks)

    rows = {row.order_id: row for row in report.orders}
    found = _unexplained(rows[doubled.order_id])
    assert set(found) == {FindingCode.DUPLICATE_PAYMENT, FindingCode.CASH_DIFFERS}
    marker = payment.note[payment.note.index("[BigBooks "):]
    assert found[FindingCode.DUPLICATE_PAYMENT][0].difference == payment.amount
    assert f"2 live payments carry {marker}" in found[FindingCode.DUPLICATE_PAYMENT][0].message
    assert found[FindingCode.CASH_DIFFERS][0].difference == payment.amount
    assert rows[doubled.order_id].fb_cash == doubled.bc_cash + payment.amount   # the overpayment is cash too

    found = _unexplained(rows[removed.order_id])
    assert set(found) == {FindingCode.CASH_DIFFERS}
    assert found[FindingCode.CASH_DIFFERS][0].difference == -removed.bc_captured  # type: ignore[operator]
    assert rows[removed.order_id].fb_cash == 0

    found = _unexplained(rows[redeemed.order_id])
    assert set(found) == {FindingCode.REDEMPTION_DIFFERS}
    assert found[FindingCode.REDEMPTION_DIFFERS][0].difference == -redemption.amount
    assert report.unexplained_differences == 4


async def test_refund_tampering_missing_unapplied_untaxed_and_duplicate_credit_notes() -> None:
    async with synced_books() as (r, bigcommerce, freshbooks):
        clean = await _report(r, bigcommerce, freshbooks)
        customers = {i.id: i.customerid async for i in freshbooks.iter_invoices(vis_state=0)}
        taken: set[int] = set()

        def gateway(row: OrderReconciliation) -> bool:
            return bool(row.bc_refunded) and row.bc_refunded_cash == row.bc_refunded

        unapplied = _pick(clean, taken, lambda row: gateway(row) and row.status_id == REFUNDED
                          and row.bc_refunded == row.bc_total, "fully refunded to the gateway")
        refund = (await bigcommerce.get_order_refunds(unapplied.order_id))[0]
        note = await _refund_note(freshbooks, customers[unapplied.invoice_id], refund.id)
        application = next(p for p in await freshbooks.list_payments(unapplied.invoice_id) if p.creditid == note.id)
        await freshbooks.delete_payment(application.id)              # the credit is left open

        deleted = _pick(clean, taken, gateway, "refunded to the gateway")
        gone = (await bigcommerce.get_order_refunds(deleted.order_id))[0]
        await freshbooks.delete_credit_note((await _refund_note(freshbooks, customers[deleted.invoice_id],
                                                                gone.id)).id)

        doubled = _pick(clean, taken, gateway, "refunded to the gateway")
        twice = (await bigcommerce.get_order_refunds(doubled.order_id))[0]
        original = await _refund_note(freshbooks, customers[doubled.invoice_id], twice.id)
        copy = await freshbooks.create_credit_note(_note_like(original, [_line_draft(x) for x in original.lines]))

        untaxed = _pick(clean, taken, lambda row: bool(row.bc_refunded) and row.bc_refunded_cash == 0
                        and bool(row.bc_refund_tax), "refunded to store credit with tax")
        old = (await bigcommerce.get_order_refunds(untaxed.order_id))[0]
        assert refund_cash(old) == 0
        before = await _refund_note(freshbooks, customers[untaxed.invoice_id], old.id)
        await freshbooks.delete_credit_note(before.id)
        short = quantize(old.total_amount, before.currency_code) - Decimal("1.00")
        await freshbooks.create_credit_note(_note_like(      # one untaxed line, as older versions wrote, 1.00 short
            before, [fb.LineDraft(name=f"Refund {old.id}", qty=Decimal(1), unit_cost=short)]))
        report = await _report(r, bigcommerce, freshbooks)

    rows = {row.order_id: row for row in report.orders}
    found = _unexplained(rows[unapplied.order_id])
    assert set(found) == {FindingCode.OPEN_CREDIT}, rows[unapplied.order_id].to_json()
    open_credit = found[FindingCode.OPEN_CREDIT][0]
    assert open_credit.difference == -unapplied.bc_total
    assert "stays open as client credit although the order is fully refunded" in open_credit.message
    assert rows[unapplied.order_id].fb_credit_applied == 0

    found = _unexplained(rows[deleted.order_id])
    assert set(found) == {FindingCode.REFUND_NOT_CREDITED}
    assert found[FindingCode.REFUND_NOT_CREDITED][0].difference == -quantize(gone.total_amount, deleted.currency)
    assert "it was deleted in FreshBooks" in found[FindingCode.REFUND_NOT_CREDITED][0].message

    found = _unexplained(rows[doubled.order_id])
    assert set(found) == {FindingCode.DUPLICATE_CREDIT_NOTE}
    assert found[FindingCode.DUPLICATE_CREDIT_NOTE][0].difference == copy.amount == original.amount
    assert f"Refund {twice.id} has 2 credit notes" in found[FindingCode.DUPLICATE_CREDIT_NOTE][0].message

    found = _unexplained(rows[untaxed.order_id])
    assert set(found) == {FindingCode.REFUND_TAX_DIFFERS, FindingCode.REFUND_TOTAL_DIFFERS}
    tax = quantize(old.total_tax, untaxed.currency)
    assert found[FindingCode.REFUND_TAX_DIFFERS][0].difference == -tax
    assert f"carries tax 0.00, the refund gave back {tax}" in found[FindingCode.REFUND_TAX_DIFFERS][0].message
    assert found[FindingCode.REFUND_TOTAL_DIFFERS][0].difference == Decimal("-1.00")
    assert report.unexplained_differences == 5


async def test_refunded_order_whose_write_off_is_removed_shows_its_balance() -> None:
    async with synced_books(orders=10) as (r, bigcommerce, freshbooks):
        order = await r.admin("POST", "/orders", {"status_id": AWAITING_PAYMENT})
        total = Decimal(str(order["total_inc_tax"]))
        part = quantize(total * Decimal("0.4"), "USD")
        await r.admin("POST", f"/orders/{order['id']}/transactions", {"amount": str(part)})
        await r.admin("POST", f"/orders/{order['id']}/refunds", {"reason": "returned"})   # Refunded
        await r.sync()
        clean = {row.order_id: row for row in (await _report(r, bigcommerce, freshbooks)).orders}
        assert clean[order["id"]].state is OrderState.OK and clean[order["id"]].status_id == REFUNDED
        link = links.get_order_link(order["id"])
        assert link is not None and link.invoice_id is not None
        payments = await freshbooks.list_payments(link.invoice_id)
        writeoff = next(p for p in payments if "[BigBooks writeoff:" in p.note)
        await freshbooks.delete_payment(writeoff.id)
        assert writeoff.creditid is not None
        await freshbooks.delete_credit_note(writeoff.creditid)
        report = await _report(r, bigcommerce, freshbooks)

    row = next(row for row in report.orders if row.order_id == order["id"])
    found = _unexplained(row)
    assert set(found) == {FindingCode.BALANCE_NOT_WRITTEN_OFF}
    assert found[FindingCode.BALANCE_NOT_WRITTEN_OFF][0].difference == writeoff.amount == total - part


async def test_sent_invoices_corrected_by_a_supplement_or_a_credit_note_reconcile_with_them() -> None:
    async with synced_books() as (r, bigcommerce, freshbooks):
        clean = await _report(r, bigcommerce, freshbooks)
        taken: set[int] = set()
        records = {x["order"]["id"]: x for x in r.sandbox.bigcommerce.store.orders}

        def editable(row: OrderReconciliation) -> bool:
            return not row.bc_refunded and not row.bc_gift_certificates and bool(row.bc_tax) and any(
                p["quantity"] > 1 and p["type"] != "giftcertificate" for p in records[row.order_id]["products"])

        grown, shrunk = _pick(clean, taken, editable, "editable"), _pick(clean, taken, editable, "editable")
        r.tick()
        for row, step in ((grown, 1), (shrunk, -1)):
            line = next(p for p in records[row.order_id]["products"] if p["quantity"] > 1)
            await r.admin("PATCH", f"/orders/{row.order_id}",
                          {"products": [{"id": line["id"], "quantity": line["quantity"] + step}]})
        await r.sync()
        corrected = {row.order_id: row for row in (await _report(r, bigcommerce, freshbooks)).orders}
        for row in (grown, shrunk):                          # sent invoices are never rewritten
            assert (await freshbooks.get_invoice(row.invoice_id)).amount == row.fb_amount
        supplement = await freshbooks.find_invoice_by_number(f"BC-{grown.order_id}-2")
        assert supplement is not None
        await freshbooks.delete_invoice(supplement.id)     # someone removes the supplementary invoice
        report = await _report(r, bigcommerce, freshbooks)

    assert corrected[grown.order_id].state is OrderState.OK, corrected[grown.order_id].to_json()
    for row in (corrected[grown.order_id], corrected[shrunk.order_id]):   # invoice + supplement - credit note
        assert row.fb_amount == row.bc_total and row.fb_tax == row.bc_tax
        assert not {FindingCode.TOTAL_DIFFERS, FindingCode.TAX_DIFFERS, FindingCode.DUPLICATE_INVOICE} & set(
            f.code for f in row.findings)
    assert corrected[grown.order_id].bc_total > grown.bc_total
    assert corrected[shrunk.order_id].bc_total < shrunk.bc_total
    row = next(row for row in report.orders if row.order_id == grown.order_id)
    found = _unexplained(row)
    assert set(found) == {FindingCode.TOTAL_DIFFERS, FindingCode.TAX_DIFFERS}
    assert found[FindingCode.TOTAL_DIFFERS][0].difference == -supplement.amount
    assert sum((f.difference or Decimal(0) for f in found[FindingCode.TAX_DIFFERS]), Decimal(0)) == -sum(
        tax_by_name(supplement.lines, supplement.currency_code).values(), Decimal(0))


async def test_disagreements_are_listed_with_their_reasons() -> None:
    async with synced_books(orders=30) as (r, bigcommerce, freshbooks):
        sandbox = r.sandbox
        paid = [link for link in links.list_order_links(limit=100) if link.invoice_id]
        deleted, refunded, doubled = paid[0], paid[2], paid[3]
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
        order = await bigcommerce.get_order(refunded.order_id)
        sandbox.bigcommerce.add_refund(refunded.order_id, Decimal("1.00"), reason="test")  # not synced yet
        new = sandbox.bigcommerce.add_order({"status_id": 11})  # eligible, never synced
        report = await _report(r, bigcommerce, freshbooks)

    rows = {r.order_id: r for r in report.orders}
    codes = {oid: set(_unexplained(rows[oid])) for oid in rows}
    assert codes[deleted.order_id] == {FindingCode.INVOICE_DELETED}
    assert FindingCode.REFUND_NOT_CREDITED in codes[refunded.order_id]
    assert order.total_inc_tax == rows[refunded.order_id].bc_total
    assert codes[int(new["id"])] == {FindingCode.MISSING_INVOICE}
    assert codes[doubled.order_id] == {FindingCode.DUPLICATE_INVOICE}
    duplicate = next(f for f in rows[doubled.order_id].findings if f.code is FindingCode.DUPLICATE_INVOICE)
    assert f"DUP-1 (id {twin.id})" in duplicate.message and duplicate.difference == twin.amount
    summary = report.summary()
    assert summary["unexplained_differences"] >= 4
    assert summary["unexplained_orders"] == len(
        [r for r in report.orders if r.state is OrderState.UNEXPLAINED]
    )
    csv_row = next(r for r in report.csv_rows() if r["order_id"] == str(deleted.order_id))
    assert "UNEXPLAINED" in csv_row["reasons"] and "deleted in FreshBooks" in csv_row["reasons"]
    assert csv_row["codes"] == "invoice_deleted"
