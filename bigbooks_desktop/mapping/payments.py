"""BigCommerce transactions -> FreshBooks payments; refunds -> taxed credit notes; what each refund returned.

- Every captured transaction is recorded in full, on its capture date. FreshBooks turns a payment above the
  invoice's balance into client credit by itself (API-FACTS Q6, a live capture in FreshBooks' Postman
  collection), so nothing is cut to fit.
- Gift certificates and store credit are liabilities, not cash (profile `gift_certificate_policy`, default
  "client_credit"): redeeming one pays the invoice from the client's FreshBooks credit (`from_credit`), never
  as new money. With "revenue_line" they are recorded as payments of type Other, as plain payment methods.
- A refund becomes one credit note built from the refund's items at the order's own net prices and tax
  rates: its tax equals the refund's `total_tax`, its total the refund's `total_amount` (BigCommerce v3
  refunds; an ORDER-level refund is untaxed, as BigCommerce treats it, `orders.v3.yml` "Tax Exempt (Order
  Level)"). `cash` is the part paid back through a gateway; the rest went to store credit or back to a gift
  certificate and stays the client's credit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.mapping.freshbooks_math import DEFAULT_RULE, TaxRounding
from bigbooks_desktop.mapping.invoice import local_date
from bigbooks_desktop.mapping.order_checks import OrderComponent, components, spread
from bigbooks_desktop.mapping.order_taxes import TaxSlotResolver, plain
from bigbooks_desktop.mapping.profile import MappingProfile
from bigbooks_desktop.mapping.tax_fit import Piece, TaxFitError, fit, price_points

__all__ = ["CAPTURE_EVENTS", "CREDIT_PROVIDERS", "CreditPlan", "PaymentPlan", "credit_from_refund",
           "is_credit_method", "payments_from_order", "refund_cash"]

CAPTURE_EVENTS = frozenset({"purchase", "capture", "settled"})
# refund payment providers that are not money paid back (BigCommerce's refund example: "storecredit")
CREDIT_PROVIDERS = frozenset({"storecredit", "store_credit", "giftcertificate", "gift_certificate"})
_CREDIT_METHODS = frozenset({"store_credit", "gift_certificate", "storecredit", "giftcertificate"})
_REFUND_KINDS = {"SHIPPING": "shipping", "HANDLING": "handling", "GIFT_WRAPPING": "wrapping", "FEE": "fee"}


@dataclass(frozen=True)
class PaymentPlan:
    """One FreshBooks payment to record; `key` names it across runs ("txn:{id}", "storecredit:{order}")."""

    key: str
    draft: fb.PaymentDraft
    source: str                  # "transaction", "store_credit" or "gift_certificate"
    from_credit: bool = False    # paid from the client's FreshBooks credit, not new money


@dataclass(frozen=True)
class CreditPlan:
    """What a BigCommerce refund becomes: a taxed credit note, and how much of it went back as money."""

    key: str                                       # "refund:{id}"
    amount: Decimal                                # refund total, tax included, in the invoice currency
    tax: Decimal                                   # the refund's total_tax
    cash: Decimal                                  # paid back through a gateway (the rest is store credit)
    credit_note: fb.CreditNoteDraft


def is_credit_method(txn: bc.Transaction) -> bool:
    """A gift certificate or store credit redemption (not money)."""
    return txn.method.lower() in _CREDIT_METHODS or txn.gateway.lower() in _CREDIT_METHODS


def _payment_type(profile: MappingProfile, *keys: str) -> str:
    for key in keys:
        found = profile.payment_types.get(key.strip().lower())
        if found:
            return found
    return profile.default_payment_type


def payments_from_order(detail: bc.OrderDetail, profile: MappingProfile, *, invoice_id: int,
                        store_timezone: str = "UTC") -> list[PaymentPlan]:
    """One payment per captured transaction (status ok; purchase, capture or settled), in full, oldest first;
    then store credit and gift certificate amounts no transaction covers. Failed, test (unless the profile
    says otherwise), authorization-only and refund events are not payments."""
    order = detail.order
    currency = order.transaction_currency
    liabilities = profile.gift_certificate_policy == "client_credit"
    plans: list[PaymentPlan] = []

    def add(key: str, amount: Decimal, when: datetime, kind: str, note: str, source: str) -> None:
        amount = quantize(amount, currency)
        if amount <= 0:
            return
        from_credit = liabilities and source != "transaction"
        day = local_date(when, store_timezone, what=f"payment {key}")
        plans.append(PaymentPlan(key=key, source=source, from_credit=from_credit, draft=fb.PaymentDraft(
            invoiceid=invoice_id, amount=amount, date=day, type="Credit" if from_credit else kind,
            note=note[:500])))

    methods_seen: set[str] = set()
    captured = [t for t in detail.transactions
                if t.status.lower() == "ok" and t.event.lower() in CAPTURE_EVENTS
                and (profile.record_test_payments or not t.test)]
    for txn in sorted(captured, key=lambda t: (t.date_created, t.id)):
        if txn.currency and currency and txn.currency.upper() != currency.upper():
            raise DataError(f"Order {order.id}: transaction {txn.id} is in {txn.currency}, the invoice in "
                            f"{currency}. Record this payment by hand in FreshBooks.", field="currency")
        method = txn.method.lower()
        methods_seen.add(method)
        label = txn.payment_method_display or txn.gateway or txn.method
        note = f"BigCommerce {label} ({txn.event}), gateway {txn.gateway or '-'}"
        if txn.gateway_transaction_id:
            note += f", transaction {txn.gateway_transaction_id}"
        source = "transaction"
        if is_credit_method(txn):
            source = "gift_certificate" if "gift" in method or "gift" in txn.gateway.lower() else "store_credit"
            methods_seen.add(source)
        add(f"txn:{txn.id}", txn.amount, txn.date_created, _payment_type(profile, txn.gateway, txn.method),
            note, source)
    extras = (("store_credit", "storecredit", order.store_credit_amount, "Store credit"),
              ("gift_certificate", "giftcert", order.gift_certificate_amount, "Gift certificate"))
    for method, prefix, amount, label in extras:
        if amount > 0 and method not in methods_seen:
            add(f"{prefix}:{order.id}", amount, order.date_created, _payment_type(profile, method),
                f"{label} applied in BigCommerce order {order.id}", method)
    return plans


def refund_cash(refund: bc.Refund) -> Decimal:
    """What a refund paid back as money: its payments to gateways (not store credit, not declined)."""
    return sum((p.amount for p in refund.payments
                if p.provider_id.strip().lower() not in CREDIT_PROVIDERS and not p.is_declined), Decimal(0))


@dataclass
class _Portion:
    """Part of one order component given back by a refund: net and tax per BigCommerce rate."""

    comp: OrderComponent | None      # None: an order-level (untaxed) amount
    qty: Decimal
    net: Decimal
    taxes: list[Decimal]
    reason: str = ""


def _portion(comp: OrderComponent, *, share: Decimal, qty: Decimal, currency: str, reason: str) -> _Portion:
    """`share` (0..1] of a component, or `qty` of its units: tax per rate rounded on its own."""
    if share == 1:
        return _Portion(comp, qty, comp.net, [amount for _n, _r, amount in comp.taxes], reason)
    taxes = [quantize(amount * share, currency) for _n, _r, amount in comp.taxes]
    return _Portion(comp, qty, quantize(comp.net * share, currency), taxes, reason)


def _portions(refund: bc.Refund, comps: Sequence[OrderComponent], currency: str,
              order_total: Decimal) -> list[_Portion]:
    portions: list[_Portion] = []
    for item in refund.items:
        kind = item.item_type.upper()
        amount = quantize(item.requested_amount or Decimal(0), currency)
        if kind == "PRODUCT":
            comp = next((c for c in comps if c.kind != "fee" and c.source_id == item.item_id), None)
            qty = Decimal(item.quantity or 0)
            if comp is not None and 0 < qty <= comp.qty:
                portions.append(_portion(comp, share=qty / comp.qty, qty=qty, currency=currency,
                                         reason=item.reason))
                continue
            if comp is not None and amount > 0 and comp.net + comp.tax > 0:
                portions.append(_portion(comp, share=min(Decimal(1), amount / (comp.net + comp.tax)),
                                         qty=Decimal(1), currency=currency, reason=item.reason))
                continue
        elif kind in _REFUND_KINDS:
            comp = next((c for c in comps if c.kind == _REFUND_KINDS[kind]
                         and (kind != "FEE" or c.source_id in (None, item.item_id))), None)
            if comp is not None and comp.net + comp.tax > 0 and amount > 0:
                portions.append(_portion(comp, share=min(Decimal(1), amount / (comp.net + comp.tax)),
                                         qty=Decimal(1), currency=currency, reason=item.reason))
                continue
        if amount > 0:
            portions.append(_Portion(None, Decimal(1), amount, [], item.reason))
    if not portions and refund.total_tax > 0 and order_total > 0:
        share = min(Decimal(1), refund.total_amount / order_total)          # no items: the whole order in part
        portions = [_portion(c, share=share, qty=Decimal(1), currency=currency, reason="") for c in comps]
    return portions


def _balance(portions: list[_Portion], refund: bc.Refund, currency: str) -> None:
    """Make the portions carry exactly the refund's tax and total (BigCommerce's figures win a stray cent)."""
    total, tax = quantize(refund.total_amount, currency), quantize(refund.total_tax, currency)
    taxed = [p for p in portions if p.taxes]
    have_tax = sum((sum(p.taxes, Decimal(0)) for p in portions), Decimal(0))
    if tax != have_tax and taxed:
        biggest = max(taxed, key=lambda p: p.net)
        rates = [rate for _n, rate, _a in biggest.comp.taxes] if biggest.comp else []
        for index, extra in enumerate(spread(tax - have_tax, rates, currency)):
            biggest.taxes[index] += extra
    have = sum((p.net + sum(p.taxes, Decimal(0)) for p in portions), Decimal(0))
    if total != have:
        if portions:
            max(portions, key=lambda p: p.net).net += total - have
        else:
            portions.append(_Portion(None, Decimal(1), total, []))


def credit_from_refund(refund: bc.Refund, detail: bc.OrderDetail, profile: MappingProfile, *, client_id: int,
                       store_timezone: str = "UTC", freshbooks_taxes: Sequence[fb.Tax] = (),
                       rule: TaxRounding = DEFAULT_RULE) -> CreditPlan:
    """The credit note for one refund (see the module rules); DataError for a refund that cannot be one."""
    order = detail.order
    currency = order.transaction_currency
    amount = quantize(refund.total_amount, currency)
    if amount <= 0:
        raise DataError(f"Refund {refund.id} of order {order.id} is for {plain(refund.total_amount)}; "
                        "only positive refunds can be credited.", field="refund")
    order_total = quantize(order.total_inc_tax, currency)
    captured = sum((t.amount for t in detail.transactions
                    if t.status.lower() == "ok" and t.event.lower() in CAPTURE_EVENTS), Decimal(0))
    if amount > max(order_total, quantize(captured, currency)):      # an edit may have lowered the total
        raise DataError(f"Refund {refund.id} ({plain(amount)}) is more than order {order.id}'s total "
                        f"({plain(order_total)}) and than what was captured. Record it by hand in FreshBooks.",
                        field="refund")
    comps = components(detail, profile)
    portions = _portions(refund, comps, currency, order_total)
    _balance(portions, refund, currency)
    resolver = TaxSlotResolver(profile=profile, freshbooks_taxes=freshbooks_taxes, order_id=order.id)
    pieces: list[Piece] = []
    targets: dict[str, Decimal] = {}
    for portion in portions:
        comp = portion.comp
        if comp is None:
            pieces.append(Piece(name=f"Refund {refund.id}", description=portion.reason or refund.reason.strip(),
                                qty=Decimal(1), amount=portion.net, slots=(), kind="refund"))
            continue
        slots = resolver.slots(comp.combo)
        for (fb_name, _rate), tax in zip(slots, portion.taxes, strict=True):
            targets[fb_name] = targets.get(fb_name, Decimal(0)) + tax
        description = "\n".join(filter(None, [f"Refunded: {comp.description.splitlines()[0]}"
                                              if comp.description else "Refunded", portion.reason]))
        pieces += price_points(name=comp.name, description=description, qty=portion.qty, amount=portion.net,
                               slots=slots[:2], kind="refund", currency=currency)
        for extra in slots[2:]:
            pieces.append(Piece(name=f"{extra[0]} on {comp.name}", description="Carries this tax on the line "
                                "above", qty=Decimal(1), amount=portion.net, slots=(extra, slots[1]),
                                kind="tax_base"))
            pieces.append(Piece(name=f"{extra[0]} on {comp.name} (offset)", description="", qty=Decimal(1),
                                amount=-portion.net, slots=(slots[1],), kind="tax_base"))
    try:
        pieces = fit(pieces, targets, currency, rule)
    except TaxFitError as exc:
        raise DataError(f"Refund {refund.id} of order {order.id}: no set of taxed credit note lines makes "
                        f"FreshBooks' tax equal the refund's tax ({exc}). Record this refund by hand in "
                        "FreshBooks, then ignore it here.", field="refund") from exc
    lines = [piece.line() for piece in pieces]
    day = local_date(refund.created, store_timezone, what=f"refund {refund.id}")
    notes = [f"Refund {refund.id} of BigCommerce order {order.id}"]
    if refund.reason.strip():
        notes.append(f"Reason: {refund.reason.strip()}")
    cash = quantize(refund_cash(refund), currency)
    if cash < amount:
        notes.append(f"{plain(amount - cash)} was given as store credit" if cash else
                     "Given as store credit, not money")
    draft = fb.CreditNoteDraft(clientid=client_id, create_date=day, currency_code=currency,
                               notes="\n".join(notes), lines=tuple(lines))
    return CreditPlan(key=f"refund:{refund.id}", amount=amount, tax=quantize(refund.total_tax, currency),
                      cash=min(cash, amount), credit_note=draft)
