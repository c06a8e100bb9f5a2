"""Payments (one per captured transaction) and refunds (credit notes) of a synced invoice, each written once.

Each FreshBooks record carries a reference marker in its note, `[BigBooks txn:123]` or
`[BigBooks refund:45]`, so a record whose create response was lost is found again by invoice (payments) or
client (credit notes), amount and marker instead of being written twice.
"""

from __future__ import annotations

from decimal import Decimal

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.mapping.payments import PaymentPlan, credit_from_refund, payments_from_order
from bigbooks_desktop.store.intents import IntentKind
from bigbooks_desktop.store.links import find_credit_link, find_payment_link, link_credit, link_payment
from bigbooks_desktop.sync.context import SyncContext
from bigbooks_desktop.sync.exactly_once import create_once

__all__ = ["adjustment_lines", "marker", "pending_credits", "pending_payments", "write_credits",
           "write_payments"]


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
                          lookup=lookup, create=lambda d=draft: ctx.freshbooks.create_payment(d),
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
                          lookup=lookup, create=lambda d=draft: ctx.freshbooks.create_credit_note(d),
                          object_id=lambda n: n.id, confirm=confirm)
        ctx.count("credits_created")
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


