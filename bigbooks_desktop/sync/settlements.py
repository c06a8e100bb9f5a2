"""The money side of a synced invoice, each record written once: payments, refunds, credits and write-offs.

How the books end up (the README's "How your books look in FreshBooks" shows worked examples):

- **Payments.** One FreshBooks payment per captured BigCommerce transaction, in full, dated at capture. A
  capture above the invoice's balance is FreshBooks' to turn into client credit (API-FACTS Q6).
- **Refunds.** Every refund is one credit note carrying the refund's items, tax and total
  (`mapping.payments.credit_from_refund`): it reverses the sale and its tax on the refund's date.
  Money paid back through a gateway is recorded the way FreshBooks' help centre prescribes for refunds made
  outside FreshBooks Payments (support article 115011722588, "How do I refund a payment?": reduce the payment
  to what was kept, with a note, and credit the invoice): the payment it came from is lowered to
  `captured - refunded` with a note naming each refund, and the refund's credit note is applied to the invoice
  for the money returned. So after a full refund the invoice is settled, the client has no open credit, and
  the payments add up to the cash the store kept. A refund to store credit is not money: its credit note stays
  open as the client's credit, as the store credit stays open in BigCommerce.
- **Gift certificates and store credit** spent on an order pay it from the client's open FreshBooks credit
  (a payment of type Credit from a credit note) instead of new money; where the client has none that covers
  it, the order waits in the inbox saying so.
- **Uncollected balances.** A Refunded order whose invoice still shows a balance (the store captured less than
  its total and will collect nothing more) gets a labelled "Uncollected balance written off" credit note,
  applied to the invoice: its own step, never folded into a refund.

Each record carries a marker in its note (`[BigBooks txn:123]`, `[BigBooks refund:45]`,
`[BigBooks apply:refund:45]`, `[BigBooks writeoff:7]`) so a record whose create response was lost is found
again instead of written twice. Payment reductions are idempotent by construction: the target amount is
recomputed from BigCommerce's figures and written only where the payment differs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.mapping.invoice import local_date
from bigbooks_desktop.mapping.order_taxes import plain
from bigbooks_desktop.mapping.payments import (
    CAPTURE_EVENTS,
    CreditPlan,
    PaymentPlan,
    credit_from_refund,
    is_credit_method,
    payments_from_order,
    refund_cash,
)
from bigbooks_desktop.store.intents import IntentKind, find_pending_intent, intent_keys_for_order
from bigbooks_desktop.store.links import (
    credit_links_for_order,
    find_credit_link,
    find_payment_link,
    get_order_link,
    link_credit,
    link_payment,
    payment_links_for_order,
    set_payment_amount,
)
from bigbooks_desktop.sync.context import SyncContext
from bigbooks_desktop.sync.exactly_once import create_once, settle_if_pending

__all__ = ["apply_refund_credits", "marker", "pending_credits", "pending_payments", "reduce_refunded_payments",
           "write_credits", "write_off_uncollected", "write_payments", "write_redemptions"]


def marker(key: str) -> str:
    """The reference put in a FreshBooks note: `[BigBooks txn:123]`."""
    return f"[BigBooks {key}]"


def _plans(ctx: SyncContext, detail: bc.OrderDetail, invoice_id: int) -> list[PaymentPlan]:
    return payments_from_order(detail, ctx.profile, invoice_id=invoice_id, store_timezone=ctx.store_timezone)


def pending_payments(ctx: SyncContext, detail: bc.OrderDetail, *, invoice_id: int) -> list[PaymentPlan]:
    """The order's payments not yet written (no stored link)."""
    return [plan for plan in _plans(ctx, detail, invoice_id) if find_payment_link(plan.key) is None]


def pending_credits(detail: bc.OrderDetail) -> list[bc.Refund]:
    return [refund for refund in detail.refunds if find_credit_link(f"refund:{refund.id}") is None]


@dataclass(frozen=True)
class _PaymentWrite:
    """One FreshBooks payment named by its marker: created at most once (`create_once`), or, before a step
    reads the balance it changes, settled first when a killed run left it pending (`settle_if_pending`)."""
    key: str
    order_id: int
    lookup: Callable[[], Awaitable[fb.Payment | None]]
    create: Callable[[], Awaitable[fb.Payment]]
    confirm: Callable[[fb.Payment], object]

    async def write(self, ctx: SyncContext) -> fb.Payment:
        made: fb.Payment
        made, _ = await create_once(ctx, kind=IntentKind.PAYMENT, key=f"payment:{self.key}",
                                    order_id=self.order_id, lookup=self.lookup, create=self.create,
                                    object_id=lambda p: p.id, confirm=self.confirm)
        return made

    async def settle_pending(self, ctx: SyncContext) -> fb.Payment | None:
        return await settle_if_pending(ctx, kind=IntentKind.PAYMENT, key=f"payment:{self.key}",
                                       order_id=self.order_id, lookup=self.lookup, object_id=lambda p: p.id,
                                       confirm=self.confirm)


def _payment(ctx: SyncContext, order_id: int, key: str, draft: fb.PaymentDraft, *,
             link_found_amount: bool = False) -> _PaymentWrite:
    """The write of a payment for `key`; its link records the amount sent (FreshBooks may answer less, Q6),
    or with `link_found_amount` the amount of the payment found (a recovery whose draft amount is unknown)."""
    tag = marker(key)
    draft = draft.model_copy(update={"note": f"{draft.note} {tag}".strip()})
    invoice_id = draft.invoiceid

    async def lookup() -> fb.Payment | None:
        # by marker alone: FreshBooks answers the part applied to the invoice, not the amount sent (Q6)
        payments = await ctx.freshbooks.list_payments(invoice_id)
        return next((p for p in payments if tag in p.note and p.vis_state == 0), None)

    def confirm(payment: fb.Payment) -> None:
        link_payment(key, payment.id, order_id=order_id,
                     amount=payment.amount if link_found_amount else draft.amount)

    return _PaymentWrite(key, order_id, lookup, partial(ctx.freshbooks.create_payment, draft), confirm)


async def write_payments(ctx: SyncContext, detail: bc.OrderDetail, *, invoice_id: int) -> int:
    """Create each missing money payment once (captures in full); returns how many were written. A capture
    that overpays the invoice (the order grew after it was sent) pays its supplementary invoices from the
    overpayment credit FreshBooks made of it."""
    written = 0
    for plan in pending_payments(ctx, detail, invoice_id=invoice_id):
        if plan.from_credit:
            continue
        payment = await _payment(ctx, detail.order.id, plan.key, plan.draft).write(ctx)
        ctx.count("payments_created")
        written += 1
        if payment.overpaymentid and _may_have_supplements(detail.order.id):
            await _pay_supplements(ctx, detail, invoice_id=invoice_id, credit_id=payment.overpaymentid,
                                   day=plan.draft.date)
    return written


def _may_have_supplements(order_id: int) -> bool:
    """Whether the order may have supplementary invoices (`<number>-2`...) to pay from an overpayment: every
    one is created through an intent (`sync.corrections`), so an order with no invoice intent but its main
    invoice's has none, and FreshBooks need not be asked (a capture that overpays is common: a gift
    certificate sold on the order). Unsure (no link), it may."""
    link = get_order_link(order_id)
    if link is None:
        return True
    main = f"invoice:{link.invoice_number}"
    return any(key != main for key in intent_keys_for_order(IntentKind.INVOICE, order_id))


async def _pay_supplements(ctx: SyncContext, detail: bc.OrderDetail, *, invoice_id: int, credit_id: int,
                           day: date) -> None:
    invoice = await ctx.freshbooks.get_invoice(invoice_id)
    left: Decimal | None = None
    for suffix in range(2, 100):
        supplement = await ctx.freshbooks.find_invoice_by_number(f"{invoice.invoice_number}-{suffix}")
        if supplement is None:
            break
        note = f"Paid from the overpayment of invoice {invoice.invoice_number}"
        key = f"apply:overpay:{credit_id}:{supplement.id}"
        if await _apply(ctx, detail, invoice_id=supplement.id, key=key, credit_id=credit_id,
                        amount=supplement.outstanding, when_day=day, note=note).settle_pending(ctx) is not None:
            left = None                            # a killed run's payment, found: the credit's balance moved
            continue
        if left is None:
            credit = await ctx.freshbooks.get_credit_note(credit_id)
            left = credit.amount - credit.paid
        if left <= 0:
            break
        amount = min(left, supplement.outstanding)
        if amount <= 0:
            continue
        made = await _apply(ctx, detail, invoice_id=supplement.id, key=key, credit_id=credit_id, amount=amount,
                            when_day=day, note=note).write(ctx)
        left -= made.amount
        ctx.count("credits_applied")


async def write_redemptions(ctx: SyncContext, detail: bc.OrderDetail, *, invoice_id: int,
                            client_id: int) -> int:
    """Gift certificates and store credit spent on the order, before its money payments (they were applied
    at checkout): each pays the invoice from the client's open FreshBooks credits, oldest first, up to what
    the invoice still owes (a certificate spent on another certificate stays credit). DataError (the inbox)
    when the client's credit does not cover it."""
    waiting = [p for p in pending_payments(ctx, detail, invoice_id=invoice_id) if p.from_credit]
    if not waiting:
        return 0
    currency = detail.order.transaction_currency
    notes = await _open_notes(ctx, client_id, currency)
    recovered = False
    for plan in waiting:                # what a killed run paid already is in the balances read below
        for note in notes:
            draft = plan.draft.model_copy(update={"creditid": note.id, "type": "Credit"})
            found = await _payment(ctx, detail.order.id, f"{plan.key}:credit:{note.id}", draft,
                                   link_found_amount=True).settle_pending(ctx)
            recovered = recovered or found is not None
    if recovered:
        notes = await _open_notes(ctx, client_id, currency)
    open_credit = {n.id: n.amount - n.paid for n in notes}
    owed = (await ctx.freshbooks.get_invoice(invoice_id)).outstanding
    written = 0
    for plan in waiting:
        what = "gift certificate" if plan.source == "gift_certificate" else "store credit"
        order_links = [link for link in payment_links_for_order(detail.order.id)
                       if link.transaction_id.startswith(f"{plan.key}:credit:")]
        need = min(plan.draft.amount - sum((link.amount for link in order_links), Decimal(0)), owed)
        have = sum((v for v in open_credit.values() if v > 0), Decimal(0))
        if need > have:
            raise DataError(
                f"Order {detail.order.id} was paid {plain(plan.draft.amount)} {currency} with {what}, but the "
                f"client has {'only ' + plain(have) if have else 'no'} open credit in FreshBooks that covers it. "
                f"A {what} is money the store already holds for a customer: its sale (or the refund that "
                "gave it) must be in FreshBooks as this client's credit. If it was bought by someone else, "
                "move the credit in FreshBooks: lower the buyer's open credit by this amount and add it to "
                "this client (a credit note), then retry. If it was bought before BigBooks synced it, add the "
                "credit for this client, then retry. Or set the profile's gift certificate policy to "
                "\"revenue_line\".",
                field="payment")
        last: fb.Payment | None = None
        for note in notes:
            take = min(need, open_credit[note.id])
            if take <= 0:
                continue
            draft = plan.draft.model_copy(update={
                "creditid": note.id, "type": "Credit", "amount": take,
                "note": f"{plan.draft.note}, from credit {note.credit_number or note.id}"})
            last = await _payment(ctx, detail.order.id, f"{plan.key}:credit:{note.id}", draft).write(ctx)
            open_credit[note.id] -= take
            need -= take
            owed -= take
            written += 1
            ctx.count("payments_created")
        # the redemption as a whole is done (what the invoice did not need stays the client's credit)
        link_payment(plan.key, last.id if last is not None else 0, order_id=detail.order.id,
                     amount=plan.draft.amount)
    return written


async def _open_notes(ctx: SyncContext, client_id: int, currency: str) -> list[fb.CreditNote]:
    """The client's credit notes in the order's currency, oldest first."""
    return sorted((n for n in await ctx.freshbooks.list_credit_notes(client_id)
                   if n.vis_state == 0 and (not n.currency_code or n.currency_code == currency)),
                  key=lambda n: (n.create_date or date.min, n.id))


async def write_credits(ctx: SyncContext, detail: bc.OrderDetail, *, client_id: int) -> list[CreditPlan]:
    """A credit note per refund not yet written; returns the plans written."""
    order_id = detail.order.id
    written: list[CreditPlan] = []
    for refund in pending_credits(detail):
        if await _matches_a_correction(ctx, detail, refund):
            continue
        plan = credit_from_refund(refund, detail, ctx.profile, client_id=client_id,
                                  store_timezone=ctx.store_timezone, freshbooks_taxes=ctx.taxes,
                                  rule=ctx.tax_rule)
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
        written.append(plan)
    return written


async def _matches_a_correction(ctx: SyncContext, detail: bc.OrderDetail, refund: bc.Refund) -> bool:
    """A refund of money only (order-level, untaxed) on an order whose sent invoice was lowered by an edit:
    the correction credit note already took the sale back, so the refund is linked to it (and applied for the
    money returned) instead of crediting the same sale twice. True when linked."""
    if refund.total_tax or any(item.item_type.upper() != "ORDER" for item in refund.items):
        return False
    order_id = detail.order.id
    amount = quantize(refund.total_amount, detail.order.transaction_currency)
    for link in credit_links_for_order(order_id):
        if not link.refund_id.startswith(f"correction:{order_id}:") or link.credit_note_id is None:
            continue
        note = await ctx.freshbooks.get_credit_note(link.credit_note_id)
        taken = sum((other.amount for other in credit_links_for_order(order_id)
                     if other.refund_id.startswith("refund:") and other.credit_note_id == note.id), Decimal(0))
        if note.amount - note.paid - taken >= amount:
            link_credit(f"refund:{refund.id}", order_id=order_id, amount=amount, credit_note_id=note.id)
            ctx.count("refunds_matched_to_corrections")
            return True
    return False


def _kept_by_capture(detail: bc.OrderDetail) -> dict[int, Decimal]:
    """Each money capture's amount minus the money refunded from it: refund transactions name their capture
    (`reference_transaction_id`); money refunded without one comes off the newest captures first."""
    order = detail.order
    currency = order.transaction_currency
    captures = sorted((t for t in detail.transactions if t.status.lower() == "ok"
                       and t.event.lower() in CAPTURE_EVENTS and not is_credit_method(t)),
                      key=lambda t: (t.date_created, t.id))
    kept = {t.id: quantize(t.amount, currency) for t in captures}
    cash = quantize(sum((refund_cash(r) for r in detail.refunds), Decimal(0)), currency)
    for txn in detail.transactions:
        if txn.event.lower() == "refund" and txn.status.lower() == "ok" and txn.reference_transaction_id in kept:
            take = min(quantize(txn.amount, currency), kept[txn.reference_transaction_id], cash)
            kept[txn.reference_transaction_id] -= take
            cash -= take
    for capture in reversed(captures):
        take = min(cash, kept[capture.id])
        kept[capture.id] -= take
        cash -= take
    return kept


async def reduce_refunded_payments(ctx: SyncContext, detail: bc.OrderDetail, *, invoice_id: int) -> int:
    """Lower each payment money was refunded from to what the store kept (help centre 115011722588); returns
    how many payments changed. Reads the invoice's payments only when a stored amount is out of date."""
    kept = _kept_by_capture(detail)
    stale = {f"txn:{txn_id}": amount for txn_id, amount in kept.items()
             if (link := find_payment_link(f"txn:{txn_id}")) is not None and link.amount != amount}
    if not stale:
        return 0
    refunds = "; ".join(f"refund {r.id} on {local_date(r.created, ctx.store_timezone, what='refund')}: "
                        f"{plain(refund_cash(r))}" for r in detail.refunds if refund_cash(r) > 0)
    payments = {p.id: p for p in await ctx.freshbooks.list_payments(invoice_id)}
    changed = 0
    for key, amount in stale.items():
        link = find_payment_link(key)
        assert link is not None
        current = payments.get(link.payment_id)
        if current is not None and current.amount != amount:
            original = current.note.split(" | Refunded", 1)[0]
            await ctx.freshbooks.update_payment(link.payment_id, amount=amount,
                                                note=f"{original} | Refunded to the customer ({refunds})")
            changed += 1
            ctx.count("payments_reduced")
        set_payment_amount(key, amount)
    return changed


def _apply(ctx: SyncContext, detail: bc.OrderDetail, *, invoice_id: int, key: str, credit_id: int,
           amount: Decimal, note: str, when_day: date) -> _PaymentWrite:
    """The write applying credit note `credit_id` to an invoice (a payment of type Credit), linked as `key`."""
    tag = marker(key)
    draft = fb.PaymentDraft(invoiceid=invoice_id, amount=amount, date=when_day, type="Credit",
                            note=f"{note} {tag}", creditid=credit_id)
    order_id = detail.order.id

    async def lookup() -> fb.Payment | None:
        payments = await ctx.freshbooks.list_payments(invoice_id)
        return next((p for p in payments if p.creditid == credit_id and tag in p.note and p.vis_state == 0),
                    None)

    def confirm(payment: fb.Payment) -> None:
        link_credit(key, order_id=order_id, amount=payment.amount, credit_note_id=credit_id,
                    payment_id=payment.id)

    return _PaymentWrite(key, order_id, lookup, partial(ctx.freshbooks.create_payment, draft), confirm)


async def apply_refund_credits(ctx: SyncContext, detail: bc.OrderDetail, *, invoice_id: int) -> int:
    """Apply each refund's credit note to the invoice for the money the refund paid back (a store-credit
    refund stays the client's credit). Reads the invoice once, only when something is waiting."""
    order = detail.order
    currency = order.transaction_currency
    waiting: list[tuple[bc.Refund, int, Decimal]] = []
    for refund in sorted(detail.refunds, key=lambda r: (r.created, r.id)):
        note = find_credit_link(f"refund:{refund.id}")
        cash = quantize(refund_cash(refund), currency)
        if note is not None and note.credit_note_id is not None and cash > 0 and \
                find_credit_link(f"apply:refund:{refund.id}") is None:
            waiting.append((refund, note.credit_note_id, min(cash, note.amount)))
    if not waiting:
        return 0

    def application(refund: bc.Refund, credit_id: int, cash: Decimal, amount: Decimal) -> _PaymentWrite:
        return _apply(ctx, detail, invoice_id=invoice_id, key=f"apply:refund:{refund.id}", credit_id=credit_id,
                      amount=amount,
                      note=f"Refund {refund.id} of BigCommerce order {order.id}: {plain(cash)} paid back",
                      when_day=local_date(refund.created, ctx.store_timezone, what=f"refund {refund.id}"))

    # a killed run's applications first: the invoice's balance read next already counts them
    waiting = [(refund, credit_id, cash) for refund, credit_id, cash in waiting
               if await application(refund, credit_id, cash, cash).settle_pending(ctx) is None]
    if not waiting:
        return 0
    outstanding = (await ctx.freshbooks.get_invoice(invoice_id)).outstanding
    written = 0
    for refund, credit_id, cash in waiting:
        amount = min(cash, outstanding)
        if amount <= 0:
            break
        made = await application(refund, credit_id, cash, amount).write(ctx)
        outstanding -= made.amount
        ctx.count("credits_applied")
        written += 1
    return written


async def write_off_uncollected(ctx: SyncContext, detail: bc.OrderDetail, *, invoice_id: int,
                                client_id: int) -> bool:
    """A Refunded order whose invoice still has a balance: the store will collect nothing more, so the
    balance is written off by its own labelled credit note, applied to the invoice. Once per order."""
    order = detail.order
    key = f"writeoff:{order.id}"
    if order.status_id != bc.OrderStatus.REFUNDED or find_credit_link(key) is not None:
        return False
    day = local_date(order.date_modified, ctx.store_timezone, what=f"order {order.id}")
    tag = marker(key)
    if find_pending_intent(IntentKind.PAYMENT, f"payment:{key}") is not None:
        # a killed run applied the write-off's credit note (or was about to): settle that before the balance,
        # which would read 0 and leave the application unlinked and its intent pending for good
        made = next((n for n in await ctx.freshbooks.list_credit_notes(client_id) if tag in n.notes), None)
        if made is not None and await _apply(ctx, detail, invoice_id=invoice_id, key=key, credit_id=made.id,
                                             amount=made.amount, note="", when_day=day
                                             ).settle_pending(ctx) is not None:
            return True
    invoice = await ctx.freshbooks.get_invoice(invoice_id)
    if invoice.outstanding <= 0:
        return False
    draft = fb.CreditNoteDraft(
        clientid=client_id, create_date=day, currency_code=invoice.currency_code,
        notes=f"BigCommerce order {order.id} is Refunded with {plain(invoice.outstanding)} never collected "
              f"{tag}",
        lines=(fb.LineDraft(name="Uncollected balance written off", description=f"Invoice {invoice.invoice_number}",
                            qty=Decimal(1), unit_cost=invoice.outstanding, kind="writeoff"),))

    async def lookup() -> fb.CreditNote | None:
        notes = await ctx.freshbooks.list_credit_notes(client_id)
        return next((n for n in notes if tag in n.notes), None)

    note, _ = await create_once(ctx, kind=IntentKind.CREDIT, key=f"credit:{key}", order_id=order.id,
                                lookup=lookup, create=partial(ctx.freshbooks.create_credit_note, draft),
                                object_id=lambda n: n.id, confirm=lambda _n: None)
    await _apply(ctx, detail, invoice_id=invoice_id, key=key, credit_id=note.id, amount=invoice.outstanding,
                 note=f"Uncollected balance of BigCommerce order {order.id} written off", when_day=day).write(ctx)
    ctx.count("balances_written_off")
    return True
