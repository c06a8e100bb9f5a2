"""Reconciliation: per order, BigCommerce against FreshBooks as an accountant checks them (`reconcile_checks`).

Reads so it stays cheap on thousands of orders, and writes nothing:

- BigCommerce: orders 250 a page and refunds store-wide (one paged list); per invoiced order its transactions,
  its products (only for the gift certificates sold, under the "client_credit" policy) and its taxes rows
  (only when it charged tax).
- FreshBooks: active invoices with their lines once (100 a page; supplementary invoices come with them); per
  order the payments of its invoice(s), unless neither side shows anything paid; a client's credit notes (with
  lines) once, only for a client with a refunded, Refunded, corrected or overpaid order, or an invoice whose
  amount does not agree. The payments are read per invoice because a duplicate on a settled invoice is
  invisible on the invoice itself: FreshBooks records it as 0.00 plus an overpayment credit.

Every difference is a `Finding` with a code, the exact amounts and what to do; "explained" ones have a
legitimate reason (an order waiting in the inbox, an invoice removed by undo, an order cancelled after sync),
the rest are "unexplained" and are what the user must look at.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import BigBooksError, NotFoundError
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.mapping.eligibility import is_invoiceable
from bigbooks_desktop.mapping.freshbooks_math import TaxRounding
from bigbooks_desktop.mapping.payments import payments_from_order
from bigbooks_desktop.mapping.profile import MappingProfile, default_profile
from bigbooks_desktop.mapping.profile_fields import invoice_number
from bigbooks_desktop.store import error_queue, links
from bigbooks_desktop.sync.reconcile_checks import (
    InvoiceRecords,
    OrderRecords,
    compare,
    correction_marker,
    is_gift_certificate,
    settlement_marker,
)
from bigbooks_desktop.sync.reconcile_report import (
    CSV_COLUMNS,
    Finding,
    FindingCode,
    OrderReconciliation,
    OrderState,
    ReconciliationReport,
)
from bigbooks_desktop.sync.tax_rounding import account_rule

__all__ = [
    "CSV_COLUMNS",
    "Finding",
    "FindingCode",
    "OrderReconciliation",
    "OrderState",
    "ReconciliationReport",
    "reconcile",
]

_ZERO = Decimal(0)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, _ZERO)


@dataclass
class _Books:
    """What FreshBooks holds, read once, and the credit notes of the clients that needed them."""

    by_id: dict[int, fb.Invoice]
    by_number: dict[str, fb.Invoice]
    for_order: dict[str, list[fb.Invoice]] = field(default_factory=dict)   # number or PO number -> invoices
    credit_notes: dict[int, tuple[fb.CreditNote, ...]] = field(default_factory=dict)
    client_locks: dict[int, asyncio.Lock] = field(default_factory=dict)

    def _carrying(self, number: str, order_id: int, invoice_id: int) -> list[fb.Invoice]:
        found = {i.id: i for key in (number, f"po:{order_id}") for i in self.for_order.get(key, [])}
        found.pop(invoice_id, None)
        return sorted(found.values(), key=lambda i: i.id)

    def supplements_for(self, number: str, order_id: int, invoice_id: int) -> list[fb.Invoice]:
        """The order's supplementary invoices (`sync.corrections`), written when its sent invoice grew."""
        return [i for i in self._carrying(number, order_id, invoice_id) if correction_marker(order_id) in i.notes]

    def others_for(self, number: str, order_id: int, invoice_id: int) -> list[fb.Invoice]:
        """Active invoices other than `invoice_id` and its supplements carrying the order's number or its id
        as PO number."""
        return [i for i in self._carrying(number, order_id, invoice_id)
                if correction_marker(order_id) not in i.notes]

    async def client_credit_notes(self, freshbooks: FreshBooksClient, client_id: int) -> tuple[fb.CreditNote, ...]:
        """The client's live credit notes with their lines, read once per client."""
        lock = self.client_locks.setdefault(client_id, asyncio.Lock())
        async with lock:
            if client_id not in self.credit_notes:
                notes = await freshbooks.list_credit_notes(client_id)
                self.credit_notes[client_id] = tuple(n for n in notes if n.vis_state == 0)
        return self.credit_notes[client_id]


async def _read_invoices(freshbooks: FreshBooksClient) -> _Books:
    by_id: dict[int, fb.Invoice] = {}
    by_number: dict[str, fb.Invoice] = {}
    for_order: dict[str, list[fb.Invoice]] = {}
    async for invoice in freshbooks.iter_invoices(vis_state=0):
        if invoice.vis_state != 0:
            continue
        by_id[invoice.id] = invoice
        by_number.setdefault(invoice.invoice_number, invoice)
        for_order.setdefault(invoice.invoice_number, []).append(invoice)
        if invoice.po_number.strip().isdigit():
            for_order.setdefault(f"po:{int(invoice.po_number)}", []).append(invoice)
    return _Books(by_id=by_id, by_number=by_number, for_order=for_order)


@dataclass(frozen=True)
class _Run:
    """What every order's reconciliation shares."""

    bigcommerce: BigCommerceClient
    freshbooks: FreshBooksClient
    profile: MappingProfile
    rule: TaxRounding
    books: _Books


async def reconcile(*, bigcommerce: BigCommerceClient, freshbooks: FreshBooksClient,
                    profile: MappingProfile | None = None, modified_since: datetime | None = None,
                    concurrency: int = 8, now: datetime | None = None) -> ReconciliationReport:
    """Compare every BigCommerce order (modified since `modified_since`, default all) with FreshBooks.

    Needs the store database open (links, the inbox and the account's tax rounding rule). Raises
    BigBooksError only when a batch read fails (the report would be incomplete); per-order read failures
    become findings.
    """
    from bigbooks_desktop.store.fields import utc_now

    bc_before, fb_before = bigcommerce.stats.total, freshbooks.stats.total
    orders = [order async for order in bigcommerce.iter_orders(modified_since=modified_since)]
    refunds: dict[int, list[bc.Refund]] = {}
    async for refund in bigcommerce.iter_refunds():
        refunds.setdefault(refund.order_id, []).append(refund)
    run = _Run(bigcommerce=bigcommerce, freshbooks=freshbooks, profile=profile or default_profile(),
               rule=account_rule(freshbooks.account_id), books=await _read_invoices(freshbooks))
    order_links = links.get_order_links(o.id for o in orders)
    inbox: dict[int, error_queue.ErrorEntry] = {}
    for entry in error_queue.list_errors(status=error_queue.ACTIVE_STATUSES, limit=1_000_000):
        if entry.order_id is not None:
            inbox.setdefault(entry.order_id, entry)
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(order: bc.Order) -> OrderReconciliation:
        async with gate:
            return await _reconcile_order(order, run, link=order_links.get(order.id),
                                          refunds=tuple(refunds.get(order.id, ())), inbox=inbox.get(order.id))

    rows = await asyncio.gather(*(one(order) for order in orders))
    rows.sort(key=lambda r: r.order_id)
    requests = {"bigcommerce": int(bigcommerce.stats.total) - bc_before,
                "freshbooks": int(freshbooks.stats.total) - fb_before}
    return ReconciliationReport(orders=tuple(rows), generated_at=now or utc_now(), requests=requests)


async def _reconcile_order(order: bc.Order, run: _Run, *, link: links.OrderLink | None,
                           refunds: tuple[bc.Refund, ...], inbox: error_queue.ErrorEntry | None
                           ) -> OrderReconciliation:
    rules, books = run.profile, run.books
    currency = order.transaction_currency
    eligible = is_invoiceable(order, rules)
    base: dict[str, Any] = {"order_id": order.id, "status_id": order.status_id, "eligible": eligible,
                            "currency": currency, "bc_total": quantize(order.total_inc_tax, currency),
                            "bc_refunded": quantize(_sum(r.total_amount for r in refunds), currency)}
    in_inbox = f"in the inbox ({inbox.stage.value}: {inbox.message})" if inbox is not None else None

    if link is not None and link.status is links.OrderLinkStatus.UNDONE:
        return OrderReconciliation(**base, invoice_number=link.invoice_number, findings=(
            Finding(FindingCode.UNDONE, f"Invoice {link.invoice_number} was removed by undoing sync run "
                    f"{link.created_run}; the order is not synced again until you ask.", explained=True),))
    invoice = await _linked_invoice(link, books, run.freshbooks)
    number = invoice_number(rules, order)
    if not eligible:
        if invoice is None and (link is None or link.status is links.OrderLinkStatus.VOIDED):
            return OrderReconciliation(**base)
        if invoice is not None:
            return OrderReconciliation(**base, invoice_id=invoice.id, invoice_number=invoice.invoice_number,
                                       fb_amount=invoice.amount, findings=(Finding(
                                           FindingCode.NO_LONGER_ELIGIBLE,
                                           f"Order is now status {order.status_id} ({order.status}); its invoice "
                                           f"{invoice.invoice_number} stays (cancellation policy: "
                                           f"{rules.cancellation_policy}).", explained=True),))
    if invoice is None:
        return OrderReconciliation(**base, invoice_number=link.invoice_number if link else None,
                                   findings=(_missing(order, link, books, number, in_inbox),))

    findings: list[Finding] = []
    others = books.others_for(number, order.id, invoice.id)
    if others:
        listed = ", ".join(f"{i.invoice_number} (id {i.id})" for i in others)
        findings.append(Finding(FindingCode.DUPLICATE_INVOICE, f"Other FreshBooks invoices for this order: "
                                f"{listed}; the linked one is {invoice.invoice_number}.",
                                _sum(i.amount for i in others)))
    if invoice.currency_code.upper() != currency.upper():
        findings.append(Finding(FindingCode.CURRENCY_DIFFERS, f"Invoice is in {invoice.currency_code}, the "
                                f"order in {currency}."))
    figures: dict[str, Any] = {}
    try:
        records = await _order_records(order, refunds, run, findings)
        found = await _invoice_records(records, invoice, run,
                                       supplements=tuple(books.supplements_for(number, order.id, invoice.id)))
    except BigBooksError as exc:
        findings.append(Finding(FindingCode.NOT_COMPARED, f"Not compared, a read failed: {exc.message}"))
    else:
        figures, checked = compare(records, found, rules, run.rule)
        findings += checked
    if in_inbox:
        findings = [f if f.explained else Finding(f.code, f"{f.message} Known: {in_inbox}.", f.difference,
                                                  explained=True) for f in findings]
    figures.setdefault("fb_amount", invoice.amount)
    return OrderReconciliation(**base, **figures, invoice_id=invoice.id, invoice_number=invoice.invoice_number,
                               findings=tuple(findings))


def _missing(order: bc.Order, link: links.OrderLink | None, books: _Books, number: str,
             in_inbox: str | None) -> Finding:
    if link is not None and link.invoice_id is not None:
        return Finding(FindingCode.INVOICE_DELETED, f"Invoice {link.invoice_number} (id {link.invoice_id}) was "
                       "deleted in FreshBooks after it was synced.")
    if number in books.by_number:
        return Finding(FindingCode.UNLINKED_INVOICE, f"Invoice {number} (id {books.by_number[number].id}) exists "
                       "in FreshBooks but is not linked to the order; the next sync links it.")
    why = f": {in_inbox}." if in_inbox else "."
    return Finding(FindingCode.MISSING_INVOICE, f"No FreshBooks invoice for this order{why}",
                   explained=in_inbox is not None)


async def _order_records(order: bc.Order, refunds: tuple[bc.Refund, ...], run: _Run,
                         findings: list[Finding]) -> OrderRecords:
    """BigCommerce's side: transactions always, products for gift certificates sold, taxes rows when taxed."""
    bigcommerce = run.bigcommerce
    transactions = tuple(await bigcommerce.get_order_transactions(order.id))
    products: tuple[bc.OrderProduct, ...] = ()
    if run.profile.gift_certificate_policy == "client_credit":
        products = tuple(await bigcommerce.get_order_products(order.id))
    taxes = tuple(await bigcommerce.get_order_taxes(order.id)) if order.total_tax else ()
    detail = bc.OrderDetail(order=order, transactions=transactions, refunds=refunds)
    try:
        plans = tuple(payments_from_order(detail, run.profile, invoice_id=0))
    except BigBooksError as exc:           # a DataError: the order's payments cannot be mapped
        findings.append(Finding(FindingCode.NOT_COMPARED, f"Payments not compared: {exc.message}"))
        return OrderRecords(order=order, refunds=refunds, products=products, taxes=taxes)
    return OrderRecords(order=order, refunds=refunds, products=products, taxes=taxes, plans=plans)


async def _invoice_records(records: OrderRecords, invoice: fb.Invoice, run: _Run, *,
                           supplements: tuple[fb.Invoice, ...]) -> InvoiceRecords:
    """FreshBooks' side: the payments of the order's invoices unless nothing is paid on either side, and the
    client's credit notes when a refund, write-off, correction or overpayment can hang off the invoice."""
    order, freshbooks = records.order, run.freshbooks
    documents = (invoice, *supplements)
    nothing_paid = not records.refunds and records.plans == () and \
        all(d.paid == 0 and d.outstanding > 0 for d in documents)
    payments: list[fb.Payment] = []
    if not nothing_paid:
        for document in documents:
            payments += [p for p in await freshbooks.list_payments(document.id) if p.vis_state == 0]
    sold = _sum(p.total_inc_tax for p in records.products if is_gift_certificate(p))
    expected = quantize(order.total_inc_tax - sold, order.transaction_currency)
    needs_notes = (bool(records.refunds) or bool(supplements) or order.status_id == bc.OrderStatus.REFUNDED
                   or _sum(d.amount for d in documents) != expected
                   or any(p.overpaymentid is not None or settlement_marker(p) for p in payments))
    notes = await run.books.client_credit_notes(freshbooks, invoice.customerid) if needs_notes else None
    linked: dict[str, int] = {}
    if records.refunds:
        linked = {c.refund_id: c.credit_note_id for c in links.credit_links_for_order(order.id)
                  if c.credit_note_id is not None}
    return InvoiceRecords(invoice=invoice, supplements=supplements, payments=tuple(payments), credit_notes=notes,
                          linked_credits=linked)


async def _linked_invoice(link: links.OrderLink | None, books: _Books,
                          freshbooks: FreshBooksClient) -> fb.Invoice | None:
    """The order's active invoice: by its link (one GET only when the batch did not hold it), else None."""
    if link is None or link.invoice_id is None:
        return None
    if link.invoice_id in books.by_id:
        return books.by_id[link.invoice_id]
    try:
        invoice = await freshbooks.get_invoice(link.invoice_id)
    except NotFoundError:
        return None
    return invoice if invoice.vis_state == 0 else None
