"""First run: link invoices the merchant already entered by hand in FreshBooks to their orders, instead of
creating duplicates.

Matching, for eligible orders without a link, against active FreshBooks invoices without a link:
1. by number: the invoice number is the one the profile gives the order (default `BC-<order id>`), or the
   invoice's PO number is the order id (`123` or `#123`);
2. else by client e-mail + date + total: the invoice's client has the order's billing e-mail
   (case-insensitive), its date is the order's creation date in the store's timezone, and its amount and
   currency are the order's total.
A match found exactly one way both sides (one invoice for the order, one order for the invoice) is linked;
otherwise the order goes to the inbox (stage `validate`, waiting for the user) naming the candidates, and is
not linked. Matched invoices keep their own number and lines: the link's fingerprint is
`FIRST_RUN_FINGERPRINT`, which tells the engine to leave the hand-entered invoice as it is (while still
recording the order's payments and refunds); the link carries no order modification time, so the next sync
visits the order. Payments already on a matched invoice are linked to the order's captured transactions of
the same amount, so the engine does not record them twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import BigBooksError, ErrorKind
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.mapping.eligibility import is_invoiceable
from bigbooks_desktop.mapping.invoice import local_date
from bigbooks_desktop.mapping.payments import payments_from_order
from bigbooks_desktop.mapping.profile import MappingProfile, default_profile
from bigbooks_desktop.mapping.profile_fields import invoice_number
from bigbooks_desktop.store import error_queue, links
from bigbooks_desktop.sync.ports import BooksTarget, OrderSource

__all__ = [
    "FIRST_RUN_FINGERPRINT",
    "FirstRunAmbiguity",
    "FirstRunMatch",
    "FirstRunReport",
    "is_first_run",
    "match_existing_invoices",
]

FIRST_RUN_FINGERPRINT = "first-run:hand-entered"


@dataclass(frozen=True, slots=True)
class FirstRunMatch:
    order_id: int
    invoice_id: int
    invoice_number: str
    method: str  # "invoice_number", "po_number" or "client_date_total"
    payments_linked: int = 0
    note: str = ""  # e.g. the amounts differ (a number match links anyway; reconcile shows it)

    def to_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "invoice_id": self.invoice_id,
            "invoice_number": self.invoice_number,
            "method": self.method,
            "payments_linked": self.payments_linked,
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class FirstRunAmbiguity:
    order_id: int
    candidates: tuple[int, ...]  # FreshBooks invoice ids
    message: str
    error_id: int | None = None  # the inbox row

    def to_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "candidates": list(self.candidates),
            "message": self.message,
            "error_id": self.error_id,
        }


@dataclass(frozen=True)
class FirstRunReport:
    matched: tuple[FirstRunMatch, ...] = ()
    ambiguous: tuple[FirstRunAmbiguity, ...] = ()
    orders_checked: int = 0
    invoices_checked: int = 0
    problems: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "matched": [m.to_json() for m in self.matched],
            "ambiguous": [a.to_json() for a in self.ambiguous],
            "orders_checked": self.orders_checked,
            "invoices_checked": self.invoices_checked,
            "problems": list(self.problems),
        }


def is_first_run() -> bool:
    """True while no order has ever been linked (the store database must be open)."""
    return not links.list_order_links(limit=1)


def _po_order_id(po_number: str) -> int | None:
    text = po_number.strip().lstrip("#").strip()
    return int(text) if text.isdigit() else None


async def match_existing_invoices(
    *,
    bigcommerce: OrderSource,
    freshbooks: BooksTarget,
    profile: MappingProfile | None = None,
    modified_since: datetime | None = None,
    store_timezone: str | None = None,
    run_id: int | None = None,
) -> FirstRunReport:
    """Find and link hand-entered invoices (module rules). Writes links and inbox rows; nothing in FreshBooks.

    Reads: the BigCommerce orders (250 a page), the active FreshBooks invoices (100 a page), a client per
    distinct customer among invoices whose date and total fit some order, and the transactions and payments
    of matched invoices that are already paid.
    """
    rules = profile or default_profile()
    timezone = store_timezone or (await bigcommerce.get_store()).timezone_name or "UTC"
    orders = [
        o async for o in bigcommerce.iter_orders(modified_since=modified_since) if is_invoiceable(o, rules)
    ]
    linked_orders = links.get_order_links(o.id for o in orders)
    orders = [o for o in orders if o.id not in linked_orders]
    invoices = [inv async for inv in freshbooks.iter_invoices(vis_state=0) if inv.vis_state == 0]
    invoices = [inv for inv in invoices if links.find_order_link_by_invoice(inv.id) is None]

    by_number: dict[str, list[fb.Invoice]] = defaultdict(list)
    by_po: dict[int, list[fb.Invoice]] = defaultdict(list)
    for inv in invoices:
        by_number[inv.invoice_number].append(inv)
        po = _po_order_id(inv.po_number)
        if po is not None:
            by_po[po].append(inv)

    candidates: dict[int, list[tuple[fb.Invoice, str]]] = {}
    for order in orders:
        number = invoice_number(rules, order, timezone=timezone)
        found = [(inv, "invoice_number") for inv in by_number.get(number, [])]
        found += [(inv, "po_number") for inv in by_po.get(order.id, []) if inv.invoice_number != number]
        if found:
            candidates[order.id] = found

    problems: list[str] = []
    # by client e-mail + date + total, for orders nothing matched by number
    rest = [o for o in orders if o.id not in candidates]
    by_key: dict[tuple[date, Decimal, str], list[fb.Invoice]] = defaultdict(list)
    numbered = {inv.id for found in candidates.values() for inv, _ in found}
    for inv in invoices:
        if inv.id not in numbered:
            by_key[(inv.create_date, inv.amount, inv.currency_code.upper())].append(inv)
    emails: dict[int, str] = {}
    for order in rest:
        email = order.billing_address.email.strip().casefold()
        if not email:
            continue
        currency = order.transaction_currency
        try:
            key = (
                local_date(order.date_created, timezone, what=f"order {order.id}"),
                quantize(order.total_inc_tax, currency),
                currency.upper(),
            )
        except BigBooksError:
            continue
        fitting: list[tuple[fb.Invoice, str]] = []
        for inv in by_key.get(key, []):
            if inv.customerid not in emails:
                try:
                    emails[inv.customerid] = (
                        (await freshbooks.get_client(inv.customerid)).email.strip().casefold()
                    )
                except BigBooksError as exc:
                    emails[inv.customerid] = ""
                    problems.append(f"Client {inv.customerid} could not be read: {exc.message}")
            if emails[inv.customerid] == email:
                fitting.append((inv, "client_date_total"))
        if fitting:
            candidates[order.id] = fitting

    claimed: dict[int, set[int]] = defaultdict(set)  # invoice id -> orders wanting it
    for order_id, found in candidates.items():
        for inv, _ in found:
            claimed[inv.id].add(order_id)
    order_by_id = {o.id: o for o in orders}
    matched: list[FirstRunMatch] = []
    ambiguous: list[FirstRunAmbiguity] = []
    for order_id, found in sorted(candidates.items()):
        order = order_by_id[order_id]
        invoice_ids = tuple(sorted({inv.id for inv, _ in found}))
        contested = sorted({other for i in invoice_ids for other in claimed[i]} - {order_id})
        if len(invoice_ids) == 1 and not contested:
            inv, method = found[0]
            matched.append(
                await _link(
                    order,
                    inv,
                    method,
                    rules,
                    bigcommerce=bigcommerce,
                    freshbooks=freshbooks,
                    timezone=timezone,
                    run_id=run_id,
                    problems=problems,
                )
            )
            continue
        numbers = ", ".join(f"{inv.invoice_number} (id {inv.id})" for inv, _ in found)
        message = (
            f"Order {order_id} may already be in FreshBooks, entered by hand: {numbers}"
            + (f", also matching order(s) {', '.join(map(str, contested))}" if contested else "")
            + ". Link the right invoice, or delete the extra ones in FreshBooks, then retry; "
            "BigBooks did not create an invoice so as not to duplicate one."
        )
        entry = error_queue.record_error(
            order_id,
            error_queue.ErrorStage.VALIDATE,
            error_queue.ErrorDetails(
                kind=ErrorKind.VALIDATION, title="Possible hand-entered invoice", message=message,
                cause={"code": "ambiguous_invoice", "invoice_ids": list(invoice_ids)},
            ),
            payload={"candidate_invoice_ids": list(invoice_ids), "other_orders": contested},
            run_id=run_id,
            transient=False,
        )
        ambiguous.append(FirstRunAmbiguity(order_id, invoice_ids, message, entry.id))
    return FirstRunReport(
        matched=tuple(matched),
        ambiguous=tuple(ambiguous),
        orders_checked=len(orders),
        invoices_checked=len(invoices),
        problems=tuple(problems),
    )


async def _link(
    order: bc.Order,
    invoice: fb.Invoice,
    method: str,
    rules: MappingProfile,
    *,
    bigcommerce: OrderSource,
    freshbooks: BooksTarget,
    timezone: str,
    run_id: int | None,
    problems: list[str],
) -> FirstRunMatch:
    links.save_order_link(
        order_id=order.id,
        invoice_id=invoice.id,
        invoice_number=invoice.invoice_number,
        account_id=freshbooks.account_id,
        fingerprint=FIRST_RUN_FINGERPRINT,
        order_date_modified=None,  # so the next sync visits the order once and records its payments
        run_id=run_id,
    )
    try:
        key = links.customer_key(customer_id=order.customer_id, email=order.billing_address.email)
    except ValueError:
        key = None
    if key is not None and links.find_client_link(key) is None:
        links.link_client(key, invoice.customerid, fingerprint=FIRST_RUN_FINGERPRINT)
    total = quantize(order.total_inc_tax, order.transaction_currency)
    note = (
        ""
        if invoice.amount == total
        else (
            f"invoice amount {invoice.amount} differs from the order total {total}; reconciliation lists it"
        )
    )
    linked = 0
    if invoice.paid > 0:
        try:
            linked = await _link_payments(
                order, invoice, rules, bigcommerce=bigcommerce, freshbooks=freshbooks, timezone=timezone
            )
        except BigBooksError as exc:
            problems.append(f"Payments of invoice {invoice.invoice_number} not matched: {exc.message}")
    return FirstRunMatch(order.id, invoice.id, invoice.invoice_number, method, linked, note)


async def _link_payments(
    order: bc.Order,
    invoice: fb.Invoice,
    rules: MappingProfile,
    *,
    bigcommerce: OrderSource,
    freshbooks: BooksTarget,
    timezone: str,
) -> int:
    """Pair the order's payments (as the engine would key them) with existing payments of the same amount."""
    transactions = await bigcommerce.get_order_transactions(order.id)
    detail = bc.OrderDetail(order=order, transactions=tuple(transactions))
    plans = payments_from_order(detail, rules, invoice_id=invoice.id, store_timezone=timezone)
    existing = await freshbooks.list_payments(invoice.id)
    free = [p for p in existing if p.type.strip().lower() != "credit"]
    linked = 0
    for plan in plans:
        if links.find_payment_link(plan.key) is not None:
            continue
        same = next((p for p in free if p.amount == plan.draft.amount), None)
        if same is None:
            continue
        free.remove(same)
        links.link_payment(plan.key, same.id, order_id=order.id, amount=same.amount)
        linked += 1
    return linked
