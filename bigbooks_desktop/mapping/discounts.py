"""Order-level discounts (coupons, manual discounts) and the labels their invoice lines carry."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.profile import MappingProfile

__all__ = ["DiscountSource", "discount_sources"]

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
