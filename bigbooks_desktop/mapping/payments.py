"""BigCommerce transactions, store credit and gift certificates -> FreshBooks payments; refunds -> credits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.mapping.invoice import local_date
from bigbooks_desktop.mapping.order_taxes import plain
from bigbooks_desktop.mapping.profile import MappingProfile

__all__ = ["CAPTURE_EVENTS", "CreditPlan", "PaymentPlan", "credit_from_refund", "payments_from_order"]

CAPTURE_EVENTS = frozenset({"purchase", "capture", "settled"})


@dataclass(frozen=True)
class PaymentPlan:
    """One FreshBooks payment to record; `key` names it across runs ("txn:{id}", "storecredit:{order}")."""

    key: str
    draft: fb.PaymentDraft
    source: str                  # "transaction", "store_credit" or "gift_certificate"
    capped: bool = False         # True when the amount was cut so the invoice is not overpaid


@dataclass(frozen=True)
class CreditPlan:
    """What a BigCommerce refund becomes: a credit note, or a negative line to add to the invoice."""

    key: str                                       # "refund:{id}"
    kind: Literal["credit_note", "negative_adjustment"]
    amount: Decimal                                # refund total, tax included, in the invoice currency
    credit_note: fb.CreditNoteDraft | None = None  # kind == "credit_note"
    adjustment_line: fb.LineDraft | None = None    # kind == "negative_adjustment": append to the invoice


def _payment_type(profile: MappingProfile, *keys: str) -> str:
    for key in keys:
        found = profile.payment_types.get(key.strip().lower())
        if found:
            return found
    return profile.default_payment_type


def payments_from_order(detail: bc.OrderDetail, profile: MappingProfile, *, invoice_id: int,
                        store_timezone: str = "UTC") -> list[PaymentPlan]:
    """One payment per captured transaction (status ok; purchase, capture or settled), then store credit and
    gift certificate amounts not already covered by a transaction, oldest first; the running sum never
    exceeds the order total (what the invoice comes to). Failed, test (unless the profile says otherwise),
    authorization-only and refund events are not payments."""
    order = detail.order
    currency = order.transaction_currency
    remaining = quantize(order.total_inc_tax, currency)
    plans: list[PaymentPlan] = []

    def add(key: str, amount: Decimal, when: datetime, kind: str, note: str, source: str) -> None:
        nonlocal remaining
        amount = quantize(amount, currency)
        if amount <= 0 or remaining <= 0:
            return
        capped = amount > remaining
        amount = min(amount, remaining)
        if capped:
            note = f"{note} (capped at the invoice balance)"
        day = local_date(when, store_timezone, what=f"payment {key}")
        plans.append(PaymentPlan(key=key, source=source, capped=capped, draft=fb.PaymentDraft(
            invoiceid=invoice_id, amount=amount, date=day, type=kind, note=note[:500])))
        remaining -= amount

    methods_seen: set[str] = set()
    captured = [t for t in detail.transactions
                if t.status.lower() == "ok" and t.event.lower() in CAPTURE_EVENTS
                and (profile.record_test_payments or not t.test)]
    for txn in sorted(captured, key=lambda t: (t.date_created, t.id)):
        if txn.currency and currency and txn.currency.upper() != currency.upper():
            raise DataError(f"Order {order.id}: transaction {txn.id} is in {txn.currency}, the invoice in "
                            f"{currency}. Record this payment by hand in FreshBooks.", field="currency")
        methods_seen.add(txn.method.lower())
        label = txn.payment_method_display or txn.gateway or txn.method
        note = f"BigCommerce {label} ({txn.event}), gateway {txn.gateway or '-'}"
        if txn.gateway_transaction_id:
            note += f", transaction {txn.gateway_transaction_id}"
        add(f"txn:{txn.id}", txn.amount, txn.date_created, _payment_type(profile, txn.gateway, txn.method),
            note, "transaction")
    extras = (("store_credit", "storecredit", order.store_credit_amount, "Store credit"),
              ("gift_certificate", "giftcert", order.gift_certificate_amount, "Gift certificate"))
    for method, prefix, amount, label in extras:
        if amount > 0 and method not in methods_seen:
            add(f"{prefix}:{order.id}", amount, order.date_created, _payment_type(profile, method),
                f"{label} applied in BigCommerce order {order.id}", method)
    return plans


def _refund_description(refund: bc.Refund, detail: bc.OrderDetail) -> str:
    products = {p.id: p for p in detail.products}
    parts: list[str] = []
    for item in refund.items:
        kind = item.item_type.upper()
        if kind == "PRODUCT" and item.item_id in products:
            parts.append(f"{item.quantity or 1} x {products[item.item_id].name}")
        elif kind == "PRODUCT":
            parts.append(f"{item.quantity or 1} x product line {item.item_id}")
        else:
            parts.append(kind.replace("_", " ").capitalize())
        if item.reason:
            parts[-1] += f" ({item.reason})"
    lines = [f"Refund {refund.id} of BigCommerce order {detail.order.id}"]
    if refund.reason.strip():
        lines.append(f"Reason: {refund.reason.strip()}")
    if parts:
        lines.append("Refunded: " + "; ".join(parts))
    if refund.total_tax:
        lines.append(f"Includes tax of {plain(refund.total_tax)}")
    return "\n".join(lines)


def credit_from_refund(refund: bc.Refund, detail: bc.OrderDetail, profile: MappingProfile, *,
                       client_id: int, store_timezone: str = "UTC") -> CreditPlan:
    """The FreshBooks side of one refund, per `profile.refund_policy`. One untaxed line for the refund's
    total (tax included, the tax named in the description); DataError for a refund of nothing."""
    order = detail.order
    currency = order.transaction_currency
    amount = quantize(refund.total_amount, currency)
    if amount <= 0:
        raise DataError(f"Refund {refund.id} of order {order.id} is for {plain(refund.total_amount)}; "
                        "only positive refunds can be credited.", field="refund")
    if amount > quantize(order.total_inc_tax, currency):
        raise DataError(f"Refund {refund.id} ({plain(amount)}) is more than order {order.id}'s total "
                        f"({plain(order.total_inc_tax)}). Record it by hand in FreshBooks.", field="refund")
    description = _refund_description(refund, detail)
    line = fb.LineDraft(name=f"Refund {refund.id}", description=description, qty=Decimal(1),
                        unit_cost=amount if profile.refund_policy == "credit_note" else -amount,
                        kind="refund")
    key = f"refund:{refund.id}"
    if profile.refund_policy == "negative_adjustment":
        return CreditPlan(key=key, kind="negative_adjustment", amount=amount, adjustment_line=line)
    day = local_date(refund.created, store_timezone, what=f"refund {refund.id}")
    note = f"BigCommerce order {order.id}, refund {refund.id}"
    draft = fb.CreditNoteDraft(clientid=client_id, create_date=day, currency_code=currency, notes=note,
                               lines=(line,))
    return CreditPlan(key=key, kind="credit_note", amount=amount, credit_note=draft)
