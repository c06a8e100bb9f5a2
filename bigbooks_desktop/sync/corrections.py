"""Corrections of a sent invoice: a credit note for what came off, a supplementary invoice for what was added.

A sent invoice may already be in a filed tax period, so it is never rewritten or deleted (only drafts are).
When its order changes in BigCommerce (an edit, or a cancellation), the difference between what is now
invoiced (the invoice, plus earlier supplements, less earlier correction credit notes) and what the order now
says is written as new documents dated on the day of the change:

- lines that add money go on a supplementary invoice numbered `<invoice number>-2`, `-3`...;
- lines that take money off go on a credit note (a cancellation credits every line), applied to the invoice
  for whatever of it is still unpaid.

Their taxes are fitted (`mapping.tax_fit`) so that, together with what was invoiced before, FreshBooks' tax per
name equals BigCommerce's for the order as it now is. Each document carries `[BigBooks correction:ORDER:KEY]`,
KEY naming the order's new content, so a correction whose answer was lost is found again, not written twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import partial

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping import freshbooks_math
from bigbooks_desktop.mapping.invoice import local_date
from bigbooks_desktop.mapping.tax_fit import Piece, TaxFitError, fit
from bigbooks_desktop.store.intents import IntentKind
from bigbooks_desktop.store.links import link_credit
from bigbooks_desktop.sync.context import SyncContext
from bigbooks_desktop.sync.exactly_once import create_once

__all__ = ["correct_sent_invoice"]

_Signature = tuple[str, Decimal, tuple[tuple[str, Decimal], ...]]


def _signature(line: fb.Line | fb.LineDraft) -> _Signature:
    return (line.name, Decimal(line.unit_cost).normalize(), freshbooks_math.line_slots(line))


def _count(into: dict[_Signature, Decimal], lines: Sequence[fb.Line | fb.LineDraft], sign: int) -> None:
    for line in lines:
        key = _signature(line)
        into[key] = into.get(key, Decimal(0)) + sign * Decimal(line.qty)


def _add_taxes(into: dict[str, Decimal], taxes: dict[str, Decimal], sign: int) -> None:
    for name, amount in taxes.items():
        into[name] = into.get(name, Decimal(0)) + sign * amount


async def _supplements(ctx: SyncContext, number: str) -> list[fb.Invoice]:
    found: list[fb.Invoice] = []
    for suffix in range(2, 100):
        invoice = await ctx.freshbooks.find_invoice_by_number(f"{number}-{suffix}")
        if invoice is None:
            break
        found.append(await ctx.freshbooks.get_invoice(invoice.id))
    return found


def _pieces(deltas: dict[_Signature, Decimal], *, adding: bool) -> list[Piece]:
    """Lines whose quantity changed by `delta`: adding money (more of a line, or less of a discount) or
    taking it off, as positive amounts on the document that carries them."""
    pieces = []
    for (name, unit, slots), delta in deltas.items():
        money = delta * unit
        if money == 0 or (money > 0) != adding:
            continue
        label = f"{name} (taken back)" if adding and unit < 0 else name      # a discount removed
        pieces.append(Piece(name=label, description="", qty=abs(delta), amount=abs(money), slots=slots,
                            kind="correction"))
    return pieces


async def correct_sent_invoice(ctx: SyncContext, *, order: bc.Order, invoice: fb.Invoice,
                               wanted: Sequence[fb.LineDraft], wanted_taxes: dict[str, Decimal],
                               key: str, cancelled: bool = False) -> int:
    """Write the supplementary invoice and/or credit note that bring `invoice` to `wanted` (no lines for a
    cancellation); returns how many documents were written. DataError when the difference cannot carry
    BigCommerce's taxes exactly."""
    currency, rule, number = invoice.currency_code, ctx.tax_rule, invoice.invoice_number
    marker = f"[BigBooks correction:{order.id}:{key}]"
    supplements = await _supplements(ctx, number)
    notes = [n for n in await ctx.freshbooks.list_credit_notes(invoice.customerid)
             if f"[BigBooks correction:{order.id}:" in n.notes and n.vis_state == 0]
    # documents of this very correction already written (a run stopped between them) are not written again,
    # and the difference is worked out as it was before them
    supplement_done = any(marker in s.notes for s in supplements)
    credit_done = any(marker in n.notes for n in notes)
    supplements = [s for s in supplements if marker not in s.notes]
    notes = [n for n in notes if marker not in n.notes]
    have: dict[_Signature, Decimal] = {}
    taxes: dict[str, Decimal] = {}
    documents: list[tuple[fb.Invoice | fb.CreditNote, int]] = [(invoice, 1), *((s, 1) for s in supplements),
                                                              *((n, -1) for n in notes)]
    for document, sign in documents:
        _count(have, document.lines, sign)
        _add_taxes(taxes, freshbooks_math.tax_by_name(document.lines, currency, rule), sign)
    want: dict[_Signature, Decimal] = {}
    _count(want, wanted, 1)
    deltas = {k: want.get(k, Decimal(0)) - have.get(k, Decimal(0)) for k in set(want) | set(have)}
    added, removed = _pieces(deltas, adding=True), _pieces(deltas, adding=False)
    change = {n: wanted_taxes.get(n, Decimal(0)) - taxes.get(n, Decimal(0))
              for n in set(wanted_taxes) | set(taxes)}
    try:
        if removed:
            natural = freshbooks_math.tax_by_name([p.line() for p in added], currency, rule)
            removed = fit(removed, {n: natural.get(n, Decimal(0)) - change.get(n, Decimal(0))
                                    for n in set(natural) | set(change)}, currency, rule)
        elif added:
            added = fit(added, change, currency, rule)
    except TaxFitError as exc:
        raise DataError(f"Order {order.id} changed after invoice {number} was sent, and no correction document "
                        f"carries BigCommerce's tax exactly ({exc}). Correct it by hand in FreshBooks (a credit "
                        "note or a new invoice), then ignore this problem.", field="tax") from exc
    day = local_date(order.date_modified, ctx.store_timezone, what=f"order {order.id} change")
    why = "cancelled" if cancelled else "changed"
    written = 0
    if added and not supplement_done:
        await _supplement(ctx, order=order, invoice=invoice, suffix=len(supplements) + 2, day=day,
                          lines=[p.line() for p in added], note=f"BigCommerce order {order.id} {why} on {day}: "
                          f"added to invoice {number} {marker}")
        written += 1
    if removed and not credit_done:
        await _credit(ctx, order=order, invoice=invoice, day=day, key=key, lines=[p.line() for p in removed],
                      note=f"BigCommerce order {order.id} {why} on {day}: taken off invoice {number} {marker}")
        written += 1
    return written


async def _supplement(ctx: SyncContext, *, order: bc.Order, invoice: fb.Invoice, suffix: int, day: date,
                      lines: list[fb.LineDraft], note: str) -> None:
    number = f"{invoice.invoice_number}-{suffix}"
    draft = fb.InvoiceDraft(customerid=invoice.customerid, invoice_number=number, create_date=day,
                            currency_code=invoice.currency_code, po_number=str(order.id), notes=note,
                            lines=tuple(lines), mark_as_sent=ctx.profile.invoice_mode == "sent")
    made: fb.Invoice
    made, _ = await create_once(ctx, kind=IntentKind.INVOICE, key=f"invoice:{number}", order_id=order.id,
                                lookup=partial(ctx.freshbooks.find_invoice_by_number, number),
                                create=partial(ctx.freshbooks.create_invoice, draft), object_id=lambda i: i.id,
                                confirm=lambda _i: None)
    if draft.mark_as_sent and made.status <= 1:
        await ctx.freshbooks.mark_invoice_sent(made.id)
    ctx.count("supplementary_invoices")


async def _credit(ctx: SyncContext, *, order: bc.Order, invoice: fb.Invoice, day: date, key: str,
                  lines: list[fb.LineDraft], note: str) -> None:
    marker = note[note.index("[BigBooks"):]
    draft = fb.CreditNoteDraft(clientid=invoice.customerid, create_date=day, currency_code=invoice.currency_code,
                               notes=note, lines=tuple(lines))
    link_key = f"correction:{order.id}:{key}"

    async def lookup() -> fb.CreditNote | None:
        return next((n for n in await ctx.freshbooks.list_credit_notes(invoice.customerid) if marker in n.notes),
                    None)

    amount = freshbooks_math.total(lines, invoice.currency_code, ctx.tax_rule)
    note_made: fb.CreditNote
    note_made, _ = await create_once(ctx, kind=IntentKind.CREDIT, key=f"credit:{link_key}", order_id=order.id,
                                     lookup=lookup, create=partial(ctx.freshbooks.create_credit_note, draft),
                                     object_id=lambda n: n.id,
                                     confirm=lambda n: link_credit(link_key, order_id=order.id, amount=amount,
                                                                   credit_note_id=n.id))
    ctx.count("correction_credit_notes")
    current = await ctx.freshbooks.get_invoice(invoice.id)
    apply = min(amount, current.outstanding)
    if apply <= 0:
        return
    tag = f"[BigBooks apply:{link_key}]"
    payment = fb.PaymentDraft(invoiceid=invoice.id, amount=apply, date=day, type="Credit", creditid=note_made.id,
                              note=f"Correction of BigCommerce order {order.id} {tag}")

    async def applied() -> fb.Payment | None:
        return next((p for p in await ctx.freshbooks.list_payments(invoice.id) if tag in p.note), None)

    await create_once(ctx, kind=IntentKind.PAYMENT, key=f"payment:apply:{link_key}", order_id=order.id,
                      lookup=applied, create=partial(ctx.freshbooks.create_payment, payment),
                      object_id=lambda p: p.id,
                      confirm=lambda p: link_credit(f"apply:{link_key}", order_id=order.id, amount=p.amount,
                                                    credit_note_id=note_made.id, payment_id=p.id))
    ctx.count("credits_applied")
