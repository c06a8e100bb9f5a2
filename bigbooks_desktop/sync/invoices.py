"""The invoice of one order: created once (as a draft, sent once its amount is checked), rewritten in place
only while it is a draft, corrected by new documents once sent (sync.corrections): nothing sent is rewritten."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import DataError, ValidationError
from bigbooks_desktop.mapping.order_taxes import plain
from bigbooks_desktop.store.intents import IntentKind
from bigbooks_desktop.store.links import OrderLink, OrderLinkStatus, save_order_link
from bigbooks_desktop.sync.context import SyncContext
from bigbooks_desktop.sync.corrections import correct_sent_invoice
from bigbooks_desktop.sync.exactly_once import create_once
from bigbooks_desktop.sync.first_run import FIRST_RUN_FINGERPRINT

__all__ = ["InvoiceResult", "describe_drift", "ensure_invoice", "send_when_checked"]


@dataclass(frozen=True, slots=True)
class InvoiceResult:
    invoice_id: int
    action: str              # "created", "recovered", "updated" (a draft), "corrected" (sent), "unchanged"
    drift: str = ""          # what changed, when action == "corrected"
    invoice: fb.Invoice | None = None   # as FreshBooks answered a create or an update (its computed amount)


def _line_key(line: fb.Line | fb.LineDraft) -> tuple[str, Decimal, Decimal]:
    return (line.name, Decimal(line.qty).normalize(), Decimal(line.unit_cost).normalize())


def describe_drift(invoice: fb.Invoice, draft: fb.InvoiceDraft, expected_total: Decimal) -> str:
    """What changed between the FreshBooks invoice and what the order now says, line by line."""
    have = [_line_key(line) for line in invoice.lines]
    want = [_line_key(line) for line in draft.lines]
    removed = [k for k in have if k not in want]
    added = [k for k in want if k not in have]
    change = plain(expected_total - invoice.amount)
    parts = [f"Invoice {invoice.invoice_number} total {plain(invoice.amount)} {invoice.currency_code}; the "
             f"order now comes to {plain(expected_total)} (difference {change})."]
    for name, qty, cost in removed:
        parts.append(f"- on the invoice, not in the order: {name} x {plain(qty)} at {plain(cost)}")
    for name, qty, cost in added:
        parts.append(f"+ in the order, not on the invoice: {name} x {plain(qty)} at {plain(cost)}")
    return "\n".join(parts)


async def ensure_invoice(ctx: SyncContext, *, order: bc.Order, draft: fb.InvoiceDraft, fingerprint: str,
                         expected_total: Decimal, taxes: dict[str, Decimal],
                         link: OrderLink | None) -> InvoiceResult:
    """Create, update or leave the order's invoice so it matches `draft` (see module docstring)."""
    live = (OrderLinkStatus.SYNCED, OrderLinkStatus.DRIFT)
    if link is not None and link.invoice_id is not None and link.status in live:
        if link.fingerprint in (fingerprint, FIRST_RUN_FINGERPRINT):   # hand-entered: never rewritten
            return InvoiceResult(link.invoice_id, "unchanged")
        current = await ctx.freshbooks.get_invoice(link.invoice_id)
        if current.status <= 1 and current.paid == 0:     # a draft: nobody has seen it, it may be rewritten
            updated = await ctx.freshbooks.update_invoice(link.invoice_id, draft)
            save_order_link(order_id=order.id, invoice_id=link.invoice_id,
                            invoice_number=draft.invoice_number,
                            account_id=ctx.account_id, fingerprint=fingerprint, order_date_modified=None,
                            run_id=ctx.run_id, profile_version=ctx.profile_version)
            ctx.count("invoices_updated")
            return InvoiceResult(link.invoice_id, "updated", invoice=updated)
        written = await correct_sent_invoice(ctx, order=order, invoice=current, wanted=draft.lines,
                                             wanted_taxes=taxes, key=fingerprint[:12])
        save_order_link(order_id=order.id, invoice_id=link.invoice_id, invoice_number=link.invoice_number,
                        account_id=ctx.account_id, fingerprint=fingerprint, order_date_modified=None,
                        run_id=ctx.run_id, profile_version=ctx.profile_version if written else None)
        return InvoiceResult(link.invoice_id, "corrected" if written else "unchanged",
                             drift=describe_drift(current, draft, expected_total))
    return await _create(ctx, order=order, draft=draft, fingerprint=fingerprint)


async def send_when_checked(ctx: SyncContext, result: InvoiceResult, draft: fb.InvoiceDraft) -> None:
    """Mark a created or rewritten invoice sent (profile mode "sent") once its amount has been checked."""
    if not draft.mark_as_sent or result.invoice is None or result.invoice.status > 1:
        return
    await ctx.freshbooks.mark_invoice_sent(result.invoice_id)


async def _create(ctx: SyncContext, *, order: bc.Order, draft: fb.InvoiceDraft,
                  fingerprint: str) -> InvoiceResult:
    number = draft.invoice_number

    async def lookup() -> fb.Invoice | None:
        found: fb.Invoice | None = await ctx.freshbooks.find_invoice_by_number(number)
        if found is not None and found.po_number not in ("", str(order.id)):
            raise DataError(f"FreshBooks invoice {number} already exists for another order "
                            f"(PO {found.po_number}). Change the invoice number template in the mapping "
                            "profile, or renumber that invoice.", field="invoice_number")
        return found

    def confirm(invoice: fb.Invoice) -> None:
        save_order_link(order_id=order.id, invoice_id=invoice.id, invoice_number=number,
                        account_id=ctx.account_id, fingerprint=fingerprint, order_date_modified=None,
                        run_id=ctx.run_id, profile_version=ctx.profile_version)

    try:
        invoice, recovered = await create_once(
            ctx, kind=IntentKind.INVOICE, key=f"invoice:{number}", order_id=order.id, lookup=lookup,
            create=lambda: ctx.freshbooks.create_invoice(draft), object_id=lambda i: i.id, confirm=confirm)
    except ValidationError as exc:
        if exc.field != "invoice_number" or isinstance(exc, DataError):
            raise
        found = await lookup()          # the number is taken: ours from a run whose records were lost?
        if found is None:
            raise
        confirm(found)
        invoice, recovered = found, True
    ctx.count("invoices_created")
    return InvoiceResult(invoice.id, "recovered" if recovered else "created", invoice=invoice)
