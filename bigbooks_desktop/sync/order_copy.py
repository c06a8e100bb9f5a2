"""An order's local copy (store.order_copies) from what the pipeline read and did, after every order: the
list columns, and both records line by line (`detail`) so the window's detail pane works offline.

`detail` is JSON with money as exact decimal strings:
  {"order":   {"lines": [line...], "taxes": [{"name", "rate", "amount"}], "payments": [...], "refunds": [...],
               "subtotal", "tax", "total", "gift_certificates_redeemed", "store_credit"},
   "invoice": {"number", "lines": [line...], "taxes": [{"name", "amount"}], "subtotal", "tax", "amount",
               "gift_certificates_sold"} or None (nothing written yet)}
where a line is {"kind", "label", "detail", "quantity", "amount" (before tax), "tax", "taxes": [names]}.
The invoice's payments and credits are the engine's payment and credit links, read when the pane opens.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.mapping.payments import CAPTURE_EVENTS
from bigbooks_desktop.store.order_copies import OrderCopy, OrderCopyState

if TYPE_CHECKING:
    from bigbooks_desktop.sync.order_pipeline import OrderOutcome

__all__ = ["InvoiceFacts", "invoice_record", "order_copy", "order_record"]

_STATES = {"synced": OrderCopyState.SYNCED, "unchanged": OrderCopyState.SYNCED,
           "ineligible": OrderCopyState.NOT_INVOICED, "skipped": OrderCopyState.HELD,
           "voided": OrderCopyState.VOIDED}
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    """The invoice BigBooks wrote or kept for the order: id, number, amount and tax (FreshBooks' figures), and
    when known the draft as sent, its tax per FreshBooks name and the gift certificates left off it."""

    invoice_id: int
    number: str | None
    amount: Decimal
    tax: Decimal
    draft: fb.InvoiceDraft | None = None
    taxes: dict[str, Decimal] | None = None
    gift_certificates_sold: Decimal = _ZERO


def _text(value: Decimal) -> str:
    return format(value, "f")


def _line(kind: str, label: str, amount: Decimal, *, detail: str = "", quantity: Decimal | int | None = None,
          tax: Decimal | None = None, taxes: list[str] | None = None) -> dict[str, Any]:
    return {"kind": kind, "label": label, "detail": detail,
            "quantity": None if quantity is None else str(quantity), "amount": _text(amount),
            "tax": None if tax is None else _text(tax), "taxes": taxes or []}


def order_record(detail: bc.OrderDetail) -> dict[str, Any]:
    """The BigCommerce side, line by line: products, shipping, handling, wrapping, fees, discounts, taxes per
    rate, captured payments and refunds."""
    order = detail.order
    currency = order.transaction_currency
    lines: list[dict[str, Any]] = []
    for product in detail.products:
        options = ", ".join(f"{o.display_name}: {o.display_value}" for o in product.product_options)
        label = product.name + (" (gift certificate)" if product.type == "giftcertificate" else "")
        lines.append(_line("item", label, quantize(product.total_ex_tax, currency),
                           detail=" · ".join(filter(None, [product.sku, options])), quantity=product.quantity,
                           tax=quantize(product.total_tax, currency)))
        for discount in product.applied_discounts:
            lines.append(_line("discount", f"{discount.name or discount.code or 'Discount'} on {product.name}",
                               -quantize(discount.amount, currency)))
    for kind, ex_tax, tax in (("shipping", order.shipping_cost_ex_tax, order.shipping_cost_tax),
                              ("handling", order.handling_cost_ex_tax, order.handling_cost_tax),
                              ("wrapping", order.wrapping_cost_ex_tax, order.wrapping_cost_tax)):
        if ex_tax or tax:
            method = ", ".join(a.shipping_method for a in detail.shipping_addresses if a.shipping_method)
            lines.append(_line(kind, kind.capitalize(), quantize(ex_tax, currency),
                               detail=method if kind == "shipping" else "", tax=quantize(tax, currency)))
    for fee in detail.fees:
        lines.append(_line("fee", fee.name, quantize(fee.cost_ex_tax, currency), tax=quantize(fee.cost_tax,
                                                                                                currency)))
    taxes: dict[tuple[str, Decimal], Decimal] = defaultdict(Decimal)
    for order_tax in detail.taxes:
        taxes[(order_tax.name, order_tax.rate.normalize())] += order_tax.line_amount
    payments = [{"label": " ".join(filter(None, [t.payment_method_display or t.method or t.gateway, t.event])),
                 "amount": _text(quantize(t.amount, currency)), "date": t.date_created.isoformat()}
                for t in detail.transactions
                if t.status.lower() == "ok" and t.event.lower() in CAPTURE_EVENTS]
    refunds = [{"label": f"Refund {r.id}" + (f": {r.reason}" if r.reason else ""),
                "amount": _text(quantize(r.total_amount, currency)), "tax": _text(quantize(r.total_tax, currency)),
                "date": r.created.isoformat()} for r in detail.refunds]
    return {"lines": lines,
            "taxes": [{"name": name, "rate": _text(rate), "amount": _text(quantize(amount, currency))}
                      for (name, rate), amount in taxes.items()],
            "payments": payments, "refunds": refunds,
            "subtotal": _text(quantize(order.total_ex_tax, currency)),
            "tax": _text(quantize(order.total_tax, currency)),
            "total": _text(quantize(order.total_inc_tax, currency)),
            "gift_certificates_redeemed": _text(quantize(order.gift_certificate_amount, currency)),
            "store_credit": _text(quantize(order.store_credit_amount, currency))}


def invoice_record(invoice: InvoiceFacts, currency: str) -> dict[str, Any]:
    """The FreshBooks side as the engine built and sent it."""
    lines: list[dict[str, Any]] = []
    for line in invoice.draft.lines if invoice.draft is not None else ():
        names = [n for n in (line.tax_name1, line.tax_name2) if n]
        rates = [f"{n} {a.normalize():f}%" for n, a in ((line.tax_name1, line.tax_amount1),
                                                         (line.tax_name2, line.tax_amount2)) if n and a is not None]
        lines.append(_line(line.kind, line.name, quantize(line.qty * line.unit_cost, currency),
                           detail=" · ".join(filter(None, [line.description, ", ".join(rates)])),
                           quantity=line.qty.normalize(), taxes=names))
    taxes = invoice.taxes or {}
    return {"number": invoice.number, "lines": lines,
            "taxes": [{"name": name, "amount": _text(quantize(amount, currency))} for name, amount in taxes.items()],
            "subtotal": _text(quantize(invoice.amount - invoice.tax, currency)),
            "tax": _text(quantize(invoice.tax, currency)), "amount": _text(quantize(invoice.amount, currency)),
            "gift_certificates_sold": _text(quantize(invoice.gift_certificates_sold, currency)),
            "complete": invoice.draft is not None}


def order_copy(detail: bc.OrderDetail, outcome: OrderOutcome, invoice: InvoiceFacts | None) -> OrderCopy:
    order = detail.order
    currency = order.transaction_currency
    address = order.billing_address
    customer = " ".join(filter(None, [address.first_name.strip(), address.last_name.strip()]))
    state = _STATES.get(outcome.result, OrderCopyState.NEEDS_ATTENTION)
    record: dict[str, Any] = {"order": order_record(detail) if detail.products or detail.transactions
                              or detail.taxes or detail.refunds else {},
                              "invoice": invoice_record(invoice, currency) if invoice is not None else None}
    return OrderCopy(
        order_id=order.id, date_created=order.date_created, date_modified=order.date_modified,
        status_id=order.status_id, status=order.custom_status or order.status, customer=customer or
        address.company.strip(), email=address.email.strip(), currency=currency,
        total=quantize(order.total_inc_tax, currency), tax=quantize(order.total_tax, currency),
        refunded=quantize(sum((r.total_amount for r in detail.refunds), Decimal(0)), currency),
        invoice_id=invoice.invoice_id if invoice else None, invoice_number=invoice.number if invoice else None,
        invoice_amount=invoice.amount if invoice else None, invoice_tax=invoice.tax if invoice else None,
        state=state, note="" if state is OrderCopyState.SYNCED else outcome.message, outcome=outcome.result,
        detail=record)
