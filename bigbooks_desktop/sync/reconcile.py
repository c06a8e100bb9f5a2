"""Reconciliation: per order, BigCommerce totals, payments and refunds against the FreshBooks invoice.

Reads in batches so it stays cheap on thousands of orders: BigCommerce orders 250 a page and refunds
store-wide (one paged list), transactions per invoiced order; FreshBooks active invoices with their lines
once (100 a page), payments of an invoice only when its `paid` does not agree or the order has refunds,
credit notes once per client with refunds. Nothing is written.

Every difference is a `Finding` with a reason; "explained" ones are known and recorded (the labelled rounding
line, an order waiting in the inbox, an invoice removed by undo or voided after a cancellation), the rest are
"unexplained" and are what the user must look at.
"""

from __future__ import annotations

import asyncio
import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import BigBooksError, NotFoundError
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.mapping.eligibility import is_invoiceable
from bigbooks_desktop.mapping.payments import payments_from_order
from bigbooks_desktop.mapping.profile import MappingProfile, default_profile
from bigbooks_desktop.store import error_queue, links

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
_CREDIT_TYPE = "credit"     # FreshBooks payment type of a credit-note application


class FindingCode(StrEnum):
    MISSING_INVOICE = "missing_invoice"            # eligible order, no invoice
    UNLINKED_INVOICE = "unlinked_invoice"          # the order's invoice number exists, unlinked
    INVOICE_DELETED = "invoice_deleted"            # linked invoice deleted (or gone) in FreshBooks
    DUPLICATE_INVOICE = "duplicate_invoice"        # more than one active invoice for the order
    CURRENCY_DIFFERS = "currency_differs"
    TOTAL_DIFFERS = "total_differs"
    PAID_DIFFERS = "paid_differs"
    REFUND_NOT_CREDITED = "refund_not_credited"
    CREDIT_DIFFERS = "credit_differs"
    PAYMENTS_UNREADABLE = "payments_unreadable"    # the order's payments cannot be mapped (DataError)
    ROUNDING_LINE = "rounding_line"                # explained: the labelled, recorded rounding line
    IN_INBOX = "in_inbox"                          # explained: the order waits in the inbox with a reason
    UNDONE = "undone"                              # explained: removed by "undo a sync run"
    NO_LONGER_ELIGIBLE = "no_longer_eligible"      # explained: invoiced, then cancelled/disputed/voided


class OrderState(StrEnum):
    OK = "ok"                    # everything agrees (a recorded rounding line is fine)
    EXPLAINED = "explained"      # differences, all of them with a known reason
    UNEXPLAINED = "unexplained"  # at least one difference nobody accounted for
    SKIPPED = "skipped"          # not eligible and never invoiced


@dataclass(frozen=True, slots=True)
class Finding:
    code: FindingCode
    message: str
    difference: Decimal | None = None     # FreshBooks minus BigCommerce, when a number
    explained: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code.value, "message": self.message, "difference": self.difference,
                "explained": self.explained}


@dataclass(frozen=True, slots=True)
class OrderReconciliation:
    order_id: int
    status_id: int
    eligible: bool
    currency: str
    bc_total: Decimal
    bc_captured: Decimal | None          # what the engine would record as payments (None: not read)
    bc_refunded: Decimal
    invoice_id: int | None = None
    invoice_number: str | None = None
    fb_amount: Decimal | None = None
    fb_paid: Decimal | None = None       # payments other than credit applications
    fb_credited: Decimal | None = None   # credit notes (or refund lines) for this order's refunds
    rounding: Decimal = _ZERO            # the recorded rounding line on the invoice
    findings: tuple[Finding, ...] = ()

    @property
    def state(self) -> OrderState:
        if any(not f.explained for f in self.findings):
            return OrderState.UNEXPLAINED
        if any(f.code is not FindingCode.ROUNDING_LINE for f in self.findings):
            return OrderState.EXPLAINED
        if not self.eligible and self.invoice_id is None:
            return OrderState.SKIPPED
        return OrderState.OK

    @property
    def unexplained(self) -> int:
        return sum(1 for f in self.findings if not f.explained)

    def to_json(self) -> dict[str, Any]:
        return {"order_id": self.order_id, "status_id": self.status_id, "eligible": self.eligible,
                "state": self.state.value, "currency": self.currency, "bc_total": self.bc_total,
                "bc_captured": self.bc_captured, "bc_refunded": self.bc_refunded,
                "invoice_id": self.invoice_id, "invoice_number": self.invoice_number,
                "fb_amount": self.fb_amount, "fb_paid": self.fb_paid, "fb_credited": self.fb_credited,
                "rounding": self.rounding, "findings": [f.to_json() for f in self.findings]}


CSV_COLUMNS = ("order_id", "status_id", "eligible", "state", "currency", "bc_total", "bc_captured",
               "bc_refunded", "invoice_number", "invoice_id", "fb_amount", "fb_paid", "fb_credited",
               "rounding", "unexplained", "reasons")


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


@dataclass(frozen=True)
class ReconciliationReport:
    orders: tuple[OrderReconciliation, ...]
    generated_at: datetime
    requests: dict[str, int] = field(default_factory=dict)   # API calls made, per service

    @property
    def unexplained_differences(self) -> int:
        return sum(row.unexplained for row in self.orders)

    def summary(self) -> dict[str, Any]:
        states = Counter(row.state.value for row in self.orders)
        codes = Counter(f.code.value for row in self.orders for f in row.findings)
        return {"orders": len(self.orders), "eligible": sum(1 for r in self.orders if r.eligible),
                "invoiced": sum(1 for r in self.orders if r.invoice_id is not None),
                "ok": states.get("ok", 0), "explained": states.get("explained", 0),
                "unexplained_orders": states.get("unexplained", 0), "skipped": states.get("skipped", 0),
                "unexplained_differences": self.unexplained_differences,
                "rounding_lines": codes.get(FindingCode.ROUNDING_LINE.value, 0),
                "findings": dict(sorted(codes.items())), "requests": dict(self.requests)}

    def mismatches(self) -> list[OrderReconciliation]:
        """Orders with any finding other than a recorded rounding line."""
        return [r for r in self.orders if r.state in (OrderState.EXPLAINED, OrderState.UNEXPLAINED)]

    def to_json(self) -> dict[str, Any]:
        return {"generated_at": self.generated_at.isoformat(), "summary": self.summary(),
                "orders": [row.to_json() for row in self.orders]}

    def csv_rows(self) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        for r in self.orders:
            out.append({"order_id": str(r.order_id), "status_id": str(r.status_id),
                        "eligible": "yes" if r.eligible else "no", "state": r.state.value,
                        "currency": r.currency, "bc_total": _plain(r.bc_total),
                        "bc_captured": _plain(r.bc_captured), "bc_refunded": _plain(r.bc_refunded),
                        "invoice_number": r.invoice_number or "",
                        "invoice_id": "" if r.invoice_id is None else str(r.invoice_id),
                        "fb_amount": _plain(r.fb_amount), "fb_paid": _plain(r.fb_paid),
                        "fb_credited": _plain(r.fb_credited), "rounding": _plain(r.rounding),
                        "unexplained": str(r.unexplained),
                        "reasons": "; ".join(f"{'' if f.explained else 'UNEXPLAINED '}{f.message}"
                                             for f in r.findings)})
        return out

    def write_csv(self, path: Path) -> int:
        """One row per order, money as exact decimals; returns the rows written."""
        rows = self.csv_rows()
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        return len(rows)


# --------------------------------------------------------------------------------------------- the reading


@dataclass
class _Books:
    """What FreshBooks holds, read once."""

    by_id: dict[int, fb.Invoice]
    by_number: dict[str, fb.Invoice]
    for_order: dict[str, list[fb.Invoice]] = field(default_factory=dict)   # number or PO number -> invoices
    credit_notes: dict[int, list[fb.CreditNote]] = field(default_factory=dict)

    def others_for(self, number: str, order_id: int, invoice_id: int) -> list[fb.Invoice]:
        """Active invoices other than `invoice_id` carrying the order's number or its id as PO number."""
        found = {i.id: i for key in (number, f"po:{order_id}") for i in self.for_order.get(key, [])}
        found.pop(invoice_id, None)
        return sorted(found.values(), key=lambda i: i.id)


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


async def reconcile(*, bigcommerce: BigCommerceClient, freshbooks: FreshBooksClient,
                    profile: MappingProfile | None = None, modified_since: datetime | None = None,
                    concurrency: int = 8, now: datetime | None = None) -> ReconciliationReport:
    """Compare every BigCommerce order (modified since `modified_since`, default all) with FreshBooks.

    Needs the store database open (links and the inbox explain differences). Raises BigBooksError only when
    a batch read fails (the report would be incomplete); per-order read failures become findings.
    """
    from bigbooks_desktop.store.fields import utc_now

    rules = profile or default_profile()
    bc_before, fb_before = bigcommerce.stats.total, freshbooks.stats.total
    orders = [order async for order in bigcommerce.iter_orders(modified_since=modified_since)]
    refunds: dict[int, list[bc.Refund]] = {}
    async for refund in bigcommerce.iter_refunds():
        refunds.setdefault(refund.order_id, []).append(refund)
    books = await _read_invoices(freshbooks)
    order_links = links.get_order_links(o.id for o in orders)
    inbox: dict[int, error_queue.ErrorEntry] = {}
    for entry in error_queue.list_errors(status=error_queue.ACTIVE_STATUSES, limit=1_000_000):
        if entry.order_id is not None:
            inbox.setdefault(entry.order_id, entry)
    gate = asyncio.Semaphore(max(1, concurrency))
    client_locks: dict[int, asyncio.Lock] = {}

    async def one(order: bc.Order) -> OrderReconciliation:
        async with gate:
            return await _reconcile_order(order, rules, bigcommerce=bigcommerce, freshbooks=freshbooks,
                                          books=books, link=order_links.get(order.id),
                                          refunds=refunds.get(order.id, []), inbox=inbox.get(order.id),
                                          client_locks=client_locks)

    rows = await asyncio.gather(*(one(order) for order in orders))
    rows.sort(key=lambda r: r.order_id)
    requests = {"bigcommerce": _requests(bigcommerce) - bc_before,
                "freshbooks": _requests(freshbooks) - fb_before}
    return ReconciliationReport(orders=tuple(rows), generated_at=now or utc_now(), requests=requests)


def _requests(client: BigCommerceClient | FreshBooksClient) -> int:
    return int(client.stats.total)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, _ZERO)


async def _reconcile_order(order: bc.Order, rules: MappingProfile, *, bigcommerce: BigCommerceClient,
                           freshbooks: FreshBooksClient, books: _Books, link: links.OrderLink | None,
                           refunds: list[bc.Refund], inbox: error_queue.ErrorEntry | None,
                           client_locks: dict[int, asyncio.Lock]) -> OrderReconciliation:
    currency = order.transaction_currency
    total = quantize(order.total_inc_tax, currency)
    refunded = quantize(_sum(r.total_amount for r in refunds), currency)
    eligible = is_invoiceable(order, rules)
    findings: list[Finding] = []
    base: dict[str, Any] = {"order_id": order.id, "status_id": order.status_id, "eligible": eligible,
                            "currency": currency, "bc_total": total, "bc_refunded": refunded}
    in_inbox = (f"in the inbox ({inbox.stage.value}: {inbox.message})" if inbox is not None else None)

    if link is not None and link.status is links.OrderLinkStatus.UNDONE:
        findings.append(Finding(FindingCode.UNDONE, f"Invoice {link.invoice_number} was removed by undoing "
                                f"sync run {link.created_run}; the order is not synced again until you ask.",
                                explained=True))
        return OrderReconciliation(**base, bc_captured=None, invoice_number=link.invoice_number,
                                   findings=tuple(findings))
    invoice = await _linked_invoice(link, books, freshbooks)
    number = rules.invoice_number_template.format(order_id=order.id)
    if not eligible:
        if invoice is None and (link is None or link.status is links.OrderLinkStatus.VOIDED):
            return OrderReconciliation(**base, bc_captured=None, findings=())
        if invoice is not None:
            findings.append(Finding(FindingCode.NO_LONGER_ELIGIBLE,
                                    f"Order is now status {order.status_id} ({order.status}); its invoice "
                                    f"{invoice.invoice_number} stays (cancellation policy: "
                                    f"{rules.cancellation_policy}).", explained=True))
            return _row(base, invoice, None, findings)
    if invoice is None:
        if link is not None and link.invoice_id is not None:
            findings.append(Finding(FindingCode.INVOICE_DELETED,
                                    f"Invoice {link.invoice_number} (id {link.invoice_id}) was deleted in "
                                    "FreshBooks after it was synced.", explained=False))
        elif number in books.by_number:
            found = books.by_number[number]
            findings.append(Finding(FindingCode.UNLINKED_INVOICE,
                                    f"Invoice {number} (id {found.id}) exists in FreshBooks but is not "
                                    "linked to the order; the next sync links it.", explained=False))
        else:
            why = f": {in_inbox}." if in_inbox else "."
            findings.append(Finding(FindingCode.MISSING_INVOICE, f"No FreshBooks invoice for this order{why}",
                                    explained=in_inbox is not None))
        return OrderReconciliation(**base, bc_captured=None,
                                   invoice_number=link.invoice_number if link else None,
                                   findings=tuple(findings))

    # --- the order has its invoice: no other invoice for it, then compare the numbers
    others = books.others_for(number, order.id, invoice.id)
    if others:
        listed = ", ".join(f"{i.invoice_number} (id {i.id})" for i in others)
        findings.append(Finding(FindingCode.DUPLICATE_INVOICE, f"Other FreshBooks invoices for this order: "
                                f"{listed}; the linked one is {invoice.invoice_number}.",
                                _sum(i.amount for i in others)))
    try:
        transactions = await bigcommerce.get_order_transactions(order.id)
        detail = bc.OrderDetail(order=order, transactions=tuple(transactions), refunds=tuple(refunds))
        plans = payments_from_order(detail, rules, invoice_id=0)
        captured: Decimal | None = _sum(p.draft.amount for p in plans)
    except BigBooksError as exc:
        captured = None
        findings.append(Finding(FindingCode.PAYMENTS_UNREADABLE, f"Payments not compared: {exc.message}",
                                explained=in_inbox is not None))
    if invoice.currency_code.upper() != currency.upper():
        findings.append(Finding(FindingCode.CURRENCY_DIFFERS, f"Invoice is in {invoice.currency_code}, the "
                                f"order in {currency}."))
    rounding = _sum(line.amount for line in invoice.lines if line.name == rules.rounding_line_name)
    refund_names = {f"Refund {r.id}" for r in refunds}
    refund_lines = -_sum(line.amount for line in invoice.lines if line.name in refund_names)
    expected_amount = total - (refund_lines if rules.refund_policy == "negative_adjustment" else _ZERO)
    if invoice.amount != expected_amount:
        diff = invoice.amount - expected_amount
        findings.append(Finding(FindingCode.TOTAL_DIFFERS, f"Invoice amount {_plain(invoice.amount)} differs "
                                f"from the order total {_plain(expected_amount)} by {_plain(diff)}.", diff))
    if rounding:
        findings.append(Finding(FindingCode.ROUNDING_LINE, f"Rounding line of {_plain(rounding)} (recorded: "
                                "BigCommerce's tax rounding vs FreshBooks' per-line percentages).", rounding,
                                explained=True))
    paid = invoice.paid
    if refunds or captured is None or invoice.paid != captured:
        try:
            payments = await freshbooks.list_payments(invoice.id)
            paid = _sum(p.amount for p in payments if p.type.strip().lower() != _CREDIT_TYPE)
        except BigBooksError as exc:
            findings.append(Finding(FindingCode.PAYMENTS_UNREADABLE,
                                    f"FreshBooks payments not read: {exc.message}"))
    if captured is not None and paid != captured:
        diff = paid - captured
        findings.append(Finding(FindingCode.PAID_DIFFERS, f"FreshBooks shows {_plain(paid)} paid, "
                                f"BigCommerce captured {_plain(captured)} (difference {_plain(diff)}).",
                                diff))
    credited: Decimal = refund_lines
    if refunds and rules.refund_policy == "credit_note":
        credited = await _credited(order.id, invoice.customerid, books, freshbooks, client_locks)
    if refunded and not credited:
        findings.append(Finding(FindingCode.REFUND_NOT_CREDITED, f"BigCommerce refunded {_plain(refunded)}; "
                                "FreshBooks has no credit for it.", -refunded))
    elif credited != refunded:
        diff = credited - refunded
        findings.append(Finding(FindingCode.CREDIT_DIFFERS, f"FreshBooks credits {_plain(credited)}, "
                                f"BigCommerce refunded {_plain(refunded)} (difference {_plain(diff)}).",
                                diff))
    if in_inbox:
        findings = [f if f.explained else Finding(f.code, f"{f.message} Known: {in_inbox}.", f.difference,
                                                  explained=True) for f in findings]
    return _row(base, invoice, captured, findings, paid=paid, credited=credited, rounding=rounding)


def _row(base: dict[str, Any], invoice: fb.Invoice, captured: Decimal | None, findings: list[Finding], *,
         paid: Decimal | None = None, credited: Decimal | None = None,
         rounding: Decimal = _ZERO) -> OrderReconciliation:
    return OrderReconciliation(**base, bc_captured=captured, invoice_id=invoice.id,
                               invoice_number=invoice.invoice_number, fb_amount=invoice.amount,
                               fb_paid=invoice.paid if paid is None else paid, fb_credited=credited,
                               rounding=rounding, findings=tuple(findings))


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


async def _credited(order_id: int, client_id: int, books: _Books, freshbooks: FreshBooksClient,
                    client_locks: dict[int, asyncio.Lock]) -> Decimal:
    """Credit notes for this order's refunds: linked in the store, or naming the order in their notes."""
    lock = client_locks.setdefault(client_id, asyncio.Lock())
    async with lock:
        if client_id not in books.credit_notes:
            books.credit_notes[client_id] = await freshbooks.list_credit_notes(client_id)
    linked = {c.credit_note_id for c in links.credit_links_for_order(order_id)
              if c.credit_note_id is not None}
    marker = f"BigCommerce order {order_id}, refund "
    return _sum(note.amount for note in books.credit_notes[client_id]
                if note.vis_state == 0 and (note.id in linked or marker in note.notes))
