"""An order split into invoiceable parts (products, shipping, handling, wrapping), and its sanity checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.order_taxes import TaxCombo, component_combo, plain
from bigbooks_desktop.mapping.profile import MappingProfile
from bigbooks_desktop.mapping.templates import fill_lines

__all__ = ["OrderComponent", "check_order", "components"]

_CENT = Decimal("0.01")
_MANUAL_DISCOUNT_ID = "manual-discount"


@dataclass(frozen=True)
class OrderComponent:
    """One future invoice line, in BigCommerce's numbers (exact side = inc-tax for tax-inclusive stores)."""

    kind: str                       # item / shipping / handling / wrapping
    name: str
    description: str
    qty: Decimal
    exact_total: Decimal
    ex_total: Decimal
    inc_total: Decimal
    tax: Decimal
    combo: TaxCombo
    sku: str = ""
    applied: dict[str, Decimal] = field(default_factory=dict)    # discount kind -> applied_discounts amount


def _options(product: bc.OrderProduct) -> str:
    return ", ".join(f"{o.display_name}: {o.display_value}" for o in product.product_options
                     if o.display_name or o.display_value)


def _applied(product: bc.OrderProduct) -> dict[str, Decimal]:
    result: dict[str, Decimal] = {}
    for discount in product.applied_discounts:
        kind = "manual" if str(discount.id) == _MANUAL_DISCOUNT_ID else "coupon"
        result[kind] = result.get(kind, Decimal(0)) + discount.amount
    return result


def _product_components(detail: bc.OrderDetail, profile: MappingProfile) -> list[OrderComponent]:
    """Top-level products, plus bundle children that carry their own price; free children are listed in
    their parent's description ("Includes: 1 x Able Brewing System")."""
    inclusive = detail.order.is_tax_inclusive_pricing
    by_id = {p.id: p for p in detail.products}
    folded: dict[int, list[str]] = {}
    kept: list[bc.OrderProduct] = []
    for product in detail.products:
        if product.quantity <= 0:
            raise DataError(f"Order {detail.order.id}: the line {product.name!r} has quantity "
                            f"{product.quantity}. Fix the order in BigCommerce.", field="quantity")
        parent = product.parent_order_product_id
        free = product.total_inc_tax == 0 and product.total_ex_tax == 0
        if parent is not None and parent in by_id and free:
            folded.setdefault(parent, []).append(f"{product.quantity} x {product.name}")
        else:
            kept.append(product)
    result = []
    for product in kept:
        bundle = ""
        if product.id in folded:
            bundle = "Includes: " + ", ".join(folded[product.id])
        elif product.parent_order_product_id in by_id:
            bundle = f"Part of: {by_id[product.parent_order_product_id].name}"
        description = fill_lines(profile.line_description_template, options=_options(product),
                                 sku=product.sku.strip(), bundle=bundle)
        combo = component_combo(detail, kind="item", label=repr(product.name), charged_tax=product.total_tax,
                                 order_product_id=product.id)
        result.append(OrderComponent(
            kind="item", name=product.name.strip() or product.sku or f"Product {product.product_id}",
            description=description, qty=Decimal(product.quantity),
            exact_total=product.total_inc_tax if inclusive else product.total_ex_tax,
            ex_total=product.total_ex_tax, inc_total=product.total_inc_tax, tax=product.total_tax,
            combo=combo, sku=product.sku.strip(), applied=_applied(product)))
    return result


def components(detail: bc.OrderDetail, profile: MappingProfile) -> list[OrderComponent]:
    """Products, then shipping, handling and gift wrapping when they cost something."""
    order = detail.order
    inclusive = order.is_tax_inclusive_pricing
    result = _product_components(detail, profile)
    methods = ", ".join(dict.fromkeys(a.shipping_method for a in detail.shipping_addresses
                                      if a.shipping_method and a.shipping_method != "None"))
    charges = (("shipping", profile.shipping_line_name, methods, order.shipping_cost_ex_tax,
                order.shipping_cost_inc_tax, order.shipping_cost_tax),
               ("handling", profile.handling_line_name, "", order.handling_cost_ex_tax,
                order.handling_cost_inc_tax, order.handling_cost_tax),
               ("wrapping", profile.wrapping_line_name, "", order.wrapping_cost_ex_tax,
                order.wrapping_cost_inc_tax, order.wrapping_cost_tax))
    for kind, name, description, ex, inc, tax in charges:
        exact = inc if inclusive else ex
        if exact == 0 and ex == 0 and inc == 0:
            continue
        combo = component_combo(detail, kind=kind, label=name.lower(), charged_tax=tax)
        result.append(OrderComponent(kind=kind, name=name, description=description, qty=Decimal(1),
                                     exact_total=exact, ex_total=ex, inc_total=inc, tax=tax, combo=combo))
    return result


def _fail(order: bc.Order, what: str) -> DataError:
    return DataError(f"Order {order.id}: {what}. The order's amounts do not add up; check it in BigCommerce.",
                     field="total")


def check_order(detail: bc.OrderDetail, comps: list[OrderComponent]) -> bool:
    """Raise DataError when the order's own numbers disagree; return whether its discounts reduced its tax."""
    order = detail.order
    money = {"total_inc_tax": order.total_inc_tax, "total_ex_tax": order.total_ex_tax,
             "coupon_discount": order.coupon_discount, "discount_amount": order.discount_amount,
             "shipping_cost_inc_tax": order.shipping_cost_inc_tax, "total_tax": order.total_tax}
    for name, value in money.items():
        if value < 0:
            raise _fail(order, f"{name} is negative ({plain(value)})")
    for comp in comps:
        if comp.ex_total < 0 or comp.inc_total < 0 or comp.tax < 0:
            raise _fail(order, f"{comp.name!r} has a negative amount")
        if abs(comp.ex_total + comp.tax - comp.inc_total) > _CENT:
            raise _fail(order, f"{comp.name!r}: {plain(comp.ex_total)} + tax {plain(comp.tax)} is not "
                               f"{plain(comp.inc_total)}")
    if abs(order.total_ex_tax + order.total_tax - order.total_inc_tax) > _CENT:
        raise _fail(order, f"total ex tax {plain(order.total_ex_tax)} + tax {plain(order.total_tax)} is not "
                           f"the total {plain(order.total_inc_tax)}")
    discounts = order.coupon_discount + order.discount_amount
    tolerance = _CENT * (len(comps) + 1)
    inc_side = sum((c.inc_total for c in comps), Decimal(0)) - discounts
    ex_side = sum((c.ex_total for c in comps), Decimal(0)) - discounts
    if abs(inc_side - order.total_inc_tax) > tolerance and abs(ex_side - order.total_ex_tax) > tolerance:
        raise _fail(order, f"its lines, shipping and discounts come to {plain(inc_side)} but its total is "
                           f"{plain(order.total_inc_tax)}")
    reduction = sum((c.tax for c in comps), Decimal(0)) - order.total_tax
    return discounts > 0 and reduction > Decimal("0.005")
