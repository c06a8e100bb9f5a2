"""Order-level discounts (coupons, manual discounts) and how they spread over the order's lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.core.money import currency_exponent, quantize
from bigbooks_desktop.mapping.order_checks import OrderComponent
from bigbooks_desktop.mapping.profile import MappingProfile

__all__ = ["DiscountSource", "allocate", "discount_sources"]

_TOLERANCE = Decimal("0.01")


@dataclass(frozen=True)
class DiscountSource:
    """One discount taken off the order: a coupon or the manual discount, on the store's exact side."""

    label: str
    amount: Decimal
    kind: str          # "coupon" or "manual"
    currency: str


def discount_sources(detail: bc.OrderDetail, profile: MappingProfile) -> list[DiscountSource]:
    """Coupons (one per coupon row when the rows add up to coupon_discount) and the manual discount."""
    order = detail.order
    currency = order.transaction_currency
    sources: list[DiscountSource] = []
    if order.coupon_discount > 0:
        rows = [c for c in detail.coupons if c.discount > 0]
        if rows and abs(sum((c.discount for c in rows), Decimal(0)) - order.coupon_discount) <= _TOLERANCE:
            sources += [DiscountSource(_label(profile, c.code), c.discount, "coupon", currency) for c in rows]
        else:
            codes = ", ".join(c.code for c in detail.coupons if c.code)
            sources.append(DiscountSource(_label(profile, codes), order.coupon_discount, "coupon", currency))
    if order.discount_amount > 0:
        sources.append(DiscountSource(profile.manual_discount_line_name, order.discount_amount, "manual",
                                      currency))
    return sources


def _label(profile: MappingProfile, code: str) -> str:
    try:
        return profile.coupon_line_name.format(code=code).strip() or "Coupon"
    except (KeyError, IndexError, ValueError) as exc:
        raise DataError(f"The coupon line name {profile.coupon_line_name!r} is not valid "
                        "(placeholder: {code}).", field="profile") from exc


def allocate(source: DiscountSource, comps: Sequence[OrderComponent]) -> dict[int, Decimal]:
    """Split a discount over components (index -> share, exact side, summing to the discount at the cent).

    Weights: the products' applied_discounts of the same kind when there are any, else the products'
    exact-side totals, else every component's. Largest remainder, so the shares add up exactly.
    """
    weights = {i: c.applied.get(source.kind, Decimal(0)) for i, c in enumerate(comps) if c.kind == "item"}
    if sum(weights.values(), Decimal(0)) <= 0:
        weights = {i: c.exact_total for i, c in enumerate(comps) if c.kind == "item"}
    if sum(weights.values(), Decimal(0)) <= 0:
        weights = {i: c.exact_total for i, c in enumerate(comps)}
    weights = {i: w for i, w in weights.items() if w > 0}
    whole = sum(weights.values(), Decimal(0))
    if whole <= 0:
        raise DataError(f"{source.label}: a discount of {source.amount} on an order with nothing to "
                        "discount. Check the order in BigCommerce.", field="discount")
    total = quantize(source.amount, source.currency)
    unit = Decimal(1).scaleb(-currency_exponent(source.currency))
    shares = {i: (total * w / whole).quantize(unit, rounding=ROUND_FLOOR) for i, w in weights.items()}
    remainder = int((total - sum(shares.values(), Decimal(0))) / unit)
    by_fraction = sorted(weights, key=lambda i: (total * weights[i] / whole) - shares[i], reverse=True)
    for i in by_fraction[:remainder]:
        shares[i] += unit
    return {i: s for i, s in shares.items() if s}
