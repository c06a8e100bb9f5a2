"""An order split into invoiceable parts, each with the net amount and the tax per rate BigCommerce charged.

BigCommerce's rules (`../shared/reference/bigcommerce/TAX-FACTS.md`, with real order 519 as the proof):
a line's tax is computed once per line on the *discounted* amount (`orders.v2.oas2.yml`, order product
`total_tax`: "(price_ex_tax - discount)*tax_rate"); discounts sit in the product's `applied_discounts` and do not
reduce its `total_ex_tax`/`total_inc_tax`; the taxes rows hold the discounted tax per line and per rate. So each
part's numbers are:

- tax-exclusive prices: net = total_ex_tax - discounts; tax = total_tax (per rate from the taxes rows);
- tax-inclusive prices: net = total_inc_tax - discounts - total_tax (519: 2500 - 100 - 125.12 = 2274.88).

Discounts not found in any product's `applied_discounts` (a shipping coupon) come off shipping; when no product
lists any applied discount (older orders), the discounts are spread over the products by amount. The parts
must add up to the order total to the cent, or the order is refused with the exact difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import ROUND_FLOOR, ROUND_UP, Decimal

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.core.money import currency_exponent, quantize
from bigbooks_desktop.mapping.order_taxes import TaxCombo, component_combo, plain
from bigbooks_desktop.mapping.profile import MappingProfile
from bigbooks_desktop.mapping.profile_fields import line_fields

__all__ = ["GIFT_CERTIFICATE", "OrderComponent", "components", "spread"]

_MANUAL_DISCOUNT_ID = "manual-discount"
_SHIPPING_COUPONS = (3, 4)
GIFT_CERTIFICATE = "gift_certificate"
_ITEM_TYPES = {"shipping": ("shipping",), "handling": ("handling",),
               "wrapping": ("gift-wrapping", "gift_wrapping", "wrapping"), "fee": ("fee",)}


@dataclass(frozen=True)
class OrderComponent:
    """One future invoice line in BigCommerce's numbers: what the customer was charged for it, before tax."""

    kind: str                       # item / shipping / handling / wrapping / fee / gift_certificate
    name: str
    description: str
    qty: Decimal
    gross: Decimal                  # ex-tax amount before discounts, as BigCommerce states it (may be 4 dp)
    exact: Decimal                  # the entered-price amount before discounts (inc tax when prices include it)
    net: Decimal                    # ex-tax amount after discounts, in the minor unit
    taxes: tuple[tuple[str, Decimal, Decimal], ...]   # (BigCommerce tax name, rate, discounted tax amount)
    sku: str = ""
    discounts: dict[str, Decimal] = field(default_factory=dict)   # "coupon"/"manual" -> amount taken off
    source_id: int | None = None    # the order product id (items), the fee id (fees)

    @property
    def combo(self) -> TaxCombo:
        return tuple((name, rate) for name, rate, _amount in self.taxes)

    @property
    def tax(self) -> Decimal:
        return sum((amount for _n, _r, amount in self.taxes), Decimal(0))

    @property
    def discount(self) -> Decimal:
        return sum(self.discounts.values(), Decimal(0))


def spread(amount: Decimal, weights: list[Decimal], currency: str) -> list[Decimal]:
    """`amount` split by weight in the minor unit, largest remainder first, summing exactly (zero weights
    get nothing; all-zero weights put everything on the first)."""
    unit = Decimal(1).scaleb(-currency_exponent(currency))
    whole = sum(weights, Decimal(0))
    if not weights:
        return []
    if whole == 0:
        return [amount] + [Decimal(0)] * (len(weights) - 1)
    shares = [(amount * w / whole).quantize(unit, rounding=ROUND_FLOOR) for w in weights]
    left = int((amount - sum(shares, Decimal(0))) / unit)
    order = sorted(range(len(weights)), key=lambda i: (amount * weights[i] / whole) - shares[i], reverse=True)
    for i in order[:left]:
        shares[i] += unit
    return shares


def _applied(product: bc.OrderProduct) -> dict[str, Decimal]:
    result: dict[str, Decimal] = {}
    for discount in product.applied_discounts:
        kind = "manual" if str(discount.id) == _MANUAL_DISCOUNT_ID else "coupon"
        result[kind] = result.get(kind, Decimal(0)) + discount.amount
    return result


def _taxes(detail: bc.OrderDetail, *, kind: str, label: str, charged: Decimal, currency: str,
           order_product_id: int | None = None) -> tuple[tuple[str, Decimal, Decimal], ...]:
    """The discounted tax per rate of one part: its taxes rows when they add up to what it was charged, else
    the charged tax spread over its rates in proportion."""
    combo = component_combo(detail, kind="item" if kind == GIFT_CERTIFICATE else kind, label=label,
                            charged_tax=charged, order_product_id=order_product_id)
    if not combo:
        return ()
    if kind in ("item", GIFT_CERTIFICATE):
        rows = [r for r in detail.taxes if r.order_product_id == order_product_id
                and r.line_item_type in ("item", "")]
    else:
        rows = [r for r in detail.taxes if r.line_item_type in _ITEM_TYPES.get(kind, (kind,))]
    by_pair = {pair: Decimal(0) for pair in combo}
    for row in rows:
        pair = next((p for p in combo if p[0] == (row.name.strip() or "Tax") and p[1] == row.rate.quantize(
            p[1], rounding=ROUND_UP)), None)
        if pair is not None:
            by_pair[pair] += row.line_amount
    amounts = [quantize(v, currency) for v in by_pair.values()]
    if sum(amounts, Decimal(0)) != quantize(charged, currency):
        amounts = spread(quantize(charged, currency), [rate for _n, rate in combo], currency)
    return tuple((name, rate, amount) for (name, rate), amount in zip(combo, amounts, strict=True))


def _net(*, inclusive: bool, exact: Decimal, tax: Decimal, discount: Decimal, currency: str) -> Decimal:
    """Unrounded: `_whole_units` rounds every part's net together (prices may carry 4 decimals)."""
    del currency
    return exact - discount - (tax if inclusive else Decimal(0))


def _whole_units(comps: list[OrderComponent], currency: str) -> list[OrderComponent]:
    """Each net in the minor unit, rounded together so they add up to the rounded sum (largest remainder):
    parts priced to 4 decimals (35.035) still sum to what the order charged."""
    if all(quantize(c.net, currency) == c.net for c in comps):
        return comps
    unit = Decimal(1).scaleb(-currency_exponent(currency))
    floors = [c.net.quantize(unit, rounding=ROUND_FLOOR) for c in comps]
    left = int((quantize(sum((c.net for c in comps), Decimal(0)), currency) - sum(floors, Decimal(0))) / unit)
    by_fraction = sorted(range(len(comps)), key=lambda i: comps[i].net - floors[i], reverse=True)
    for i in by_fraction[:left]:
        floors[i] += unit
    return [replace(c, net=net) for c, net in zip(comps, floors, strict=True)]


def _product_components(detail: bc.OrderDetail, profile: MappingProfile, *, timezone: str,
                        customer: bc.Customer | None) -> list[OrderComponent]:
    """Top-level products, plus bundle children that carry their own price; free children are left out (the
    profile's line description lists them in their parent's: "Includes: 1 x Able Brewing System"). Names and
    descriptions come from the profile's line mappings."""
    order = detail.order
    inclusive, currency = order.is_tax_inclusive_pricing, order.transaction_currency
    by_id = {p.id: p for p in detail.products}
    kept: list[bc.OrderProduct] = []
    for product in detail.products:
        if product.quantity <= 0:
            raise DataError(f"Order {order.id}: the line {product.name!r} has quantity "
                            f"{product.quantity}. Fix the order in BigCommerce.", field="quantity")
        parent = product.parent_order_product_id
        free = product.total_inc_tax == 0 and product.total_ex_tax == 0
        if parent is None or parent not in by_id or not free:
            kept.append(product)
    result = []
    for product in kept:
        name, description = line_fields(profile, detail, product, timezone=timezone, customer=customer)
        kind = GIFT_CERTIFICATE if product.type.replace("_", "").lower() == "giftcertificate" else "item"
        applied = _applied(product)
        taxes = _taxes(detail, kind=kind, label=repr(product.name), charged=product.total_tax,
                       currency=currency, order_product_id=product.id)
        exact = product.total_inc_tax if inclusive else product.total_ex_tax
        result.append(OrderComponent(
            kind=kind, name=name, description=description, qty=Decimal(product.quantity),
            gross=product.total_ex_tax, exact=exact,
            net=_net(inclusive=inclusive, exact=exact, tax=product.total_tax,
                     discount=sum(applied.values(), Decimal(0)), currency=currency),
            taxes=taxes, sku=product.sku.strip(), discounts=applied, source_id=product.id))
    return result


def _charges(detail: bc.OrderDetail, profile: MappingProfile) -> list[OrderComponent]:
    order = detail.order
    inclusive, currency = order.is_tax_inclusive_pricing, order.transaction_currency
    methods = ", ".join(dict.fromkeys(a.shipping_method for a in detail.shipping_addresses
                                      if a.shipping_method and a.shipping_method != "None"))
    charges = [("shipping", profile.shipping_line_name, methods, order.shipping_cost_ex_tax,
                order.shipping_cost_inc_tax, order.shipping_cost_tax),
               ("handling", profile.handling_line_name, "", order.handling_cost_ex_tax,
                order.handling_cost_inc_tax, order.handling_cost_tax),
               ("wrapping", profile.wrapping_line_name, "", order.wrapping_cost_ex_tax,
                order.wrapping_cost_inc_tax, order.wrapping_cost_tax)]
    charges += [("fee", fee.name or "Fee", "", fee.cost_ex_tax, fee.cost_inc_tax, fee.cost_tax)
                for fee in detail.fees]
    ids = [None, None, None] + [fee.id for fee in detail.fees]
    result = []
    for (kind, name, description, ex, inc, tax), source_id in zip(charges, ids, strict=True):
        if ex == 0 and inc == 0:
            continue
        taxes = _taxes(detail, kind=kind, label=name.lower(), charged=tax, currency=currency)
        exact = inc if inclusive else ex
        result.append(OrderComponent(kind=kind, name=name, description=description, qty=Decimal(1), gross=ex,
                                     exact=exact, net=_net(inclusive=inclusive, exact=exact, tax=tax,
                                                           discount=Decimal(0), currency=currency),
                                     taxes=taxes, source_id=source_id))
    return result


def _with_discount(comp: OrderComponent, kind: str, amount: Decimal, *, inclusive: bool,
                   currency: str) -> OrderComponent:
    discounts = dict(comp.discounts)
    discounts[kind] = discounts.get(kind, Decimal(0)) + amount
    net = _net(inclusive=inclusive, exact=comp.exact, tax=comp.tax, discount=sum(discounts.values(), Decimal(0)),
               currency=currency)
    return replace(comp, net=net, discounts=discounts)


def _place_unlisted_discounts(detail: bc.OrderDetail, comps: list[OrderComponent]) -> list[OrderComponent]:
    """Discounts the products do not list: off shipping when some products list theirs (a shipping coupon),
    else spread over the products by amount (orders whose products carry no applied_discounts)."""
    order = detail.order
    currency, inclusive = order.transaction_currency, order.is_tax_inclusive_pricing
    listed = {kind: sum((c.discounts.get(kind, Decimal(0)) for c in comps), Decimal(0))
              for kind in ("coupon", "manual")}
    shipping = next((i for i, c in enumerate(comps) if c.kind == "shipping"), None)
    # coupon types 3 (shipping discount) and 4 (free shipping) take their discount off shipping
    # (orders.v2.oas2.yml, order coupon `type`)
    off_shipping = quantize(sum((c.discount for c in detail.coupons if c.type in _SHIPPING_COUPONS),
                                Decimal(0)), currency) if shipping is not None else Decimal(0)
    off_shipping = min(off_shipping, quantize(order.coupon_discount - listed["coupon"], currency))
    if off_shipping > 0 and shipping is not None:
        comps[shipping] = _with_discount(comps[shipping], "coupon", off_shipping, inclusive=inclusive,
                                         currency=currency)
    missing = {"coupon": quantize(order.coupon_discount - listed["coupon"] - off_shipping, currency),
               "manual": quantize(order.discount_amount - listed["manual"], currency)}
    anything_listed = any(listed.values())
    for kind, amount in missing.items():
        if amount <= 0:
            continue
        if anything_listed and shipping is not None:
            comps[shipping] = _with_discount(comps[shipping], kind, amount, inclusive=inclusive,
                                             currency=currency)
            continue
        targets = [i for i, c in enumerate(comps) if c.kind == "item"] or list(range(len(comps)))
        if not targets:
            raise DataError(f"Order {order.id}: a discount of {plain(amount)} on an order with nothing to "
                            "discount. Check the order in BigCommerce.", field="discount")
        weights = [comps[i].exact for i in targets]
        for i, share in zip(targets, spread(amount, weights, currency), strict=True):
            if share:
                comps[i] = _with_discount(comps[i], kind, share, inclusive=inclusive, currency=currency)
    return comps


def _fail(order: bc.Order, what: str) -> DataError:
    return DataError(f"Order {order.id}: {what}. The order's amounts do not add up; check it in BigCommerce.",
                     field="total")


def components(detail: bc.OrderDetail, profile: MappingProfile, *, timezone: str = "UTC",
               customer: bc.Customer | None = None) -> list[OrderComponent]:
    """Products, then shipping, handling, gift wrapping and fees that cost something, each with its net and
    taxes. Raises DataError when the order's own numbers disagree (naming the exact difference). `timezone`
    and `customer` are what the line mappings read (dates in the store's timezone, the customer record)."""
    order = detail.order
    currency = order.transaction_currency
    money = {"total_inc_tax": order.total_inc_tax, "total_ex_tax": order.total_ex_tax,
             "coupon_discount": order.coupon_discount, "discount_amount": order.discount_amount,
             "shipping_cost_inc_tax": order.shipping_cost_inc_tax, "total_tax": order.total_tax}
    for name, value in money.items():
        if value < 0:
            raise _fail(order, f"{name} is negative ({plain(value)})")
    products = _product_components(detail, profile, timezone=timezone, customer=customer)
    comps = _place_unlisted_discounts(detail, products + _charges(detail, profile))
    comps = _whole_units(comps, currency)
    for comp in comps:
        if comp.gross < 0 or comp.tax < 0 or comp.net < 0:
            raise _fail(order, f"{comp.name!r} comes to a negative amount ({plain(comp.net)} before tax)")
    if abs(order.total_ex_tax + order.total_tax - order.total_inc_tax) > Decimal("0.01"):
        raise _fail(order, f"total ex tax {plain(order.total_ex_tax)} + tax {plain(order.total_tax)} is not "
                           f"the total {plain(order.total_inc_tax)}")
    charged = sum((c.net + c.tax for c in comps), Decimal(0))
    total = quantize(order.total_inc_tax, currency)
    if charged != total:
        raise _fail(order, f"its lines, charges, discounts and taxes come to {plain(charged)} but its total "
                           f"is {plain(total)} {currency} (difference {plain(total - charged)})")
    return comps
