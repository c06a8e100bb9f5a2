"""Payments (one per captured transaction) and refunds (credit notes) of a synced invoice, each written once.

Each FreshBooks record carries a reference marker in its note, `[BigBooks txn:123]` or
`[BigBooks refund:45]`, so a record whose create response was lost is found again by invoice (payments) or
client (credit notes), amount and marker instead of being written twice.

How a refund is credited (refund policy "credit_note"):

- every BigCommerce refund becomes one credit note for its amount (tax included), linked to the order and the
  refund (`refund:{id}`) and naming both in its notes. The credit note is the record of the refund.
- the invoice keeps the order's total, and its money payments stay the gross amounts BigCommerce captured:
  what the customer still owes on the invoice (`outstanding`) must equal what the store still expects to
  collect, `order total - captured`. A refund gives back money that was captured, so it does not change what
  is still to collect; applying its credit to the invoice would understate the balance (and the invoice
  would be overpaid once the store captures the rest).
- so a credit note is applied to the invoice (a payment with `creditid`, type "Credit") only for the part of
  the invoice's outstanding balance the store will never collect: `min(credit amount, invoice outstanding -
  store balance due)`, where the store's balance due is 0 once the order is Refunded (status 4, nothing more
  will be captured) and `total - captured` otherwise. The usual case, an order paid in full and then
  refunded, leaves nothing outstanding: the credit note stands alone as the client's credit, linked to the
  order (the usual bookkeeping for a refund after payment). A Refunded order whose capture fell short of its
  total has its uncollected balance cleared by the credit.
- an application is written once: intent `payment:apply:refund:{id}`, found again by the invoice's payment
  carrying that credit note's id, and linked as credit link `apply:refund:{id}` (credit note id and the
  applying payment id, which is what undo removes first).

Reconciliation compares `paid` without credit applications against what BigCommerce captured, and the
order's credit notes against what it refunded, so both outcomes balance.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.mapping.invoice import local_date
from bigbooks_desktop.mapping.payments import PaymentPlan, credit_from_refund, payments_from_order
from bigbooks_desktop.store.intents import IntentKind
from bigbooks_desktop.store.links import find_credit_link, find_payment_link, link_credit, link_payment
from bigbooks_desktop.sync.context import SyncContext
from bigbooks_desktop.sync.exactly_once import create_once

__all__ = ["adjustment_lines", "apply_credits", "marker", "pending_credits", "pending_payments",
           "store_balance_due", "write_credits", "write_payments"]


def marker(key: str) -> str:
    """The reference put in a FreshBooks note: `[BigBooks txn:123]`."""
    return f"[BigBooks {key}]"


def pending_payments(ctx: SyncContext, detail: bc.OrderDetail, *, invoice_id: int) -> list[PaymentPlan]:
    """The order's payments not yet written (no stored link)."""
    plans = payments_from_order(detail, ctx.profile, invoice_id=invoice_id, store_timezone=ctx.store_timezone)
    return [plan for plan in plans if find_payment_link(plan.key) is None]


def pending_credits(detail: bc.OrderDetail) -> list[bc.Refund]:
    return [refund for refund in detail.refunds if find_credit_link(f"refund:{refund.id}") is None]


async def write_payments(ctx: SyncContext, detail: bc.OrderDetail, *, invoice_id: int) -> int:
    """Create each missing payment once; returns how many were written."""
    written = 0
    order_id = detail.order.id
    for plan in pending_payments(ctx, detail, invoice_id=invoice_id):
        tag = marker(plan.key)
        draft = plan.draft.model_copy(update={"note": f"{plan.draft.note} {tag}".strip()})

        async def lookup(amount: Decimal = draft.amount, tag: str = tag) -> fb.Payment | None:
            payments = await ctx.freshbooks.list_payments(invoice_id)
            return next((p for p in payments if tag in p.note and p.amount == amount), None)

        def confirm(payment: fb.Payment, key: str = plan.key, amount: Decimal = draft.amount) -> None:
            link_payment(key, payment.id, order_id=order_id, amount=amount)

        await create_once(ctx, kind=IntentKind.PAYMENT, key=f"payment:{plan.key}", order_id=order_id,
                          lookup=lookup, create=partial(ctx.freshbooks.create_payment, draft),
                          object_id=lambda p: p.id, confirm=confirm)
        ctx.count("payments_created")
        written += 1
    return written


async def write_credits(ctx: SyncContext, detail: bc.OrderDetail, *, client_id: int) -> int:
    """A credit note per refund not yet written (refund policy "credit_note"); returns how many."""
    written = 0
    order_id = detail.order.id
    for refund in pending_credits(detail):
        plan = credit_from_refund(refund, detail, ctx.profile, client_id=client_id,
                                  store_timezone=ctx.store_timezone)
        if plan.kind != "credit_note" or plan.credit_note is None:
            continue          # negative adjustments travel on the invoice lines
        tag = marker(plan.key)
        draft = plan.credit_note.model_copy(update={"notes": f"{plan.credit_note.notes} {tag}".strip()})

        async def lookup(tag: str = tag) -> fb.CreditNote | None:
            notes = await ctx.freshbooks.list_credit_notes(client_id)
            return next((n for n in notes if tag in n.notes), None)

        def confirm(note: fb.CreditNote, key: str = plan.key, amount: Decimal = plan.amount) -> None:
            link_credit(key, order_id=order_id, amount=amount, credit_note_id=note.id)

        await create_once(ctx, kind=IntentKind.CREDIT, key=f"credit:{plan.key}", order_id=order_id,
                          lookup=lookup, create=partial(ctx.freshbooks.create_credit_note, draft),
                          object_id=lambda n: n.id, confirm=confirm)
        ctx.count("credits_created")
        written += 1
    return written


def _captured(ctx: SyncContext, detail: bc.OrderDetail) -> Decimal:
    plans = payments_from_order(detail, ctx.profile, invoice_id=0, store_timezone=ctx.store_timezone)
    return sum((p.draft.amount for p in plans), Decimal(0))


def store_balance_due(ctx: SyncContext, detail: bc.OrderDetail) -> Decimal:
    """What BigCommerce still expects to collect: 0 once the order is Refunded, else total - captured."""
    order = detail.order
    if order.status_id == bc.OrderStatus.REFUNDED:
        return Decimal(0)
    total = quantize(order.total_inc_tax, order.transaction_currency)
    return max(Decimal(0), total - _captured(ctx, detail))


async def apply_credits(ctx: SyncContext, detail: bc.OrderDetail, *, invoice_id: int) -> int:
    """Apply the order's refund credit notes to its invoice for the balance the store will not collect
    (see the module docstring); returns how many applications were written. Reads the invoice only when
    the store's numbers say some of its balance is uncollectable."""
    order = detail.order
    waiting = []
    for refund in sorted(detail.refunds, key=lambda r: (r.created, r.id)):
        note = find_credit_link(f"refund:{refund.id}")
        if note is not None and note.credit_note_id is not None and \
                find_credit_link(f"apply:refund:{refund.id}") is None:
            waiting.append((refund, note.credit_note_id, note.amount))
    if not waiting:
        return 0
    due = store_balance_due(ctx, detail)
    total = quantize(order.total_inc_tax, order.transaction_currency)
    if due >= total - _captured(ctx, detail):
        return 0          # the usual case: the invoice holds nothing beyond what the store still collects
    invoice = await ctx.freshbooks.get_invoice(invoice_id)
    uncollectable = invoice.outstanding - due
    written = 0
    for refund, credit_id, credit_amount in waiting:
        amount = min(credit_amount, uncollectable)
        if amount <= 0:
            break
        key = f"apply:refund:{refund.id}"
        tag = marker(key)
        day = local_date(refund.created, ctx.store_timezone, what=f"refund {refund.id}")
        draft = fb.PaymentDraft(invoiceid=invoice_id, amount=amount, date=day, type="Credit",
                                note=f"Credit for refund {refund.id} of BigCommerce order {order.id} {tag}",
                                creditid=credit_id)

        async def lookup(credit_id: int = credit_id) -> fb.Payment | None:
            payments = await ctx.freshbooks.list_payments(invoice_id)
            return next((p for p in payments if p.creditid == credit_id and p.vis_state == 0), None)

        def confirm(payment: fb.Payment, key: str = key, credit_id: int = credit_id) -> None:
            link_credit(key, order_id=order.id, amount=payment.amount, credit_note_id=credit_id,
                        payment_id=payment.id)

        made, _ = await create_once(ctx, kind=IntentKind.PAYMENT, key=f"payment:{key}", order_id=order.id,
                                    lookup=lookup, create=partial(ctx.freshbooks.create_payment, draft),
                                    object_id=lambda p: p.id, confirm=confirm)
        uncollectable -= made.amount
        ctx.count("credits_applied")
        written += 1
    return written


def adjustment_lines(ctx: SyncContext, detail: bc.OrderDetail, draft: fb.InvoiceDraft) -> fb.InvoiceDraft:
    """Refund policy "negative_adjustment": every refund as a negative line on the invoice itself."""
    if ctx.profile.refund_policy != "negative_adjustment" or not detail.refunds:
        return draft
    extra = []
    for refund in detail.refunds:
        plan = credit_from_refund(refund, detail, ctx.profile, client_id=draft.customerid,
                                  store_timezone=ctx.store_timezone)
        if plan.adjustment_line is not None:
            extra.append(plan.adjustment_line)
    return draft.model_copy(update={"lines": (*draft.lines, *extra)})


