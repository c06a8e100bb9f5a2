"""Orders read from one list call with their lines, shipping addresses and fees: `GET /v2/orders?include=
consignments.line_items,fees&consignment_structure=object` (orders.v2.oas2.yml `order_includes`,
`consignment_structure`, `orderConsignment_Get`), parsed with `wire`'s parsers.

What a consignment holds (see `sandbox.bigcommerce.consignments` for the evidence): `shipping[]` is an order
address (the /shipping_addresses fields without `order_id`, costs as JSON numbers) with its physical lines;
`downloads[]` and `email.gift_certificates[]` hold digital and gift certificate lines; `pickups[]` lines picked
up in store. With `consignments.line_items` each consignment's `line_items` are the /products rows.

The list is trusted only when it is whole. A public report (bigcommerce/dev-docs#2052, "API Import discrepancy",
2023) says `include=consignments.line_items` returned no line items for some orders whose /products had them.
So the lines are kept only when their quantities add up to the order's `items_total`, and the shipping
consignments only when there are `shipping_address_count` of them; otherwise that part is None and read per
order as before. The spec's examples send all four consignment kinds (empty ones as `[]`); BigCommerce's BOPIS
guide and a public fixture (aligent/aligent-graphql-mesh order-consignment-data.ts) show only the kinds an
order has, so a missing kind reads as empty.

Order of lines: consignments group lines by how they are fulfilled, so the list order of /products is lost;
lines are given in id order (the order they were added to the order).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from bigbooks_desktop.connectors.bigcommerce import wire
from bigbooks_desktop.core import bc_listing
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import BugError, UnreadableDataError

__all__ = [
    "LIST_PARAMS",
    "NO_MONEY_PAYMENT_STATUSES",
    "coupons_from_lines",
    "money_may_have_moved",
    "parse_listed_order",
    "refunds_by_order",
]

LIST_PARAMS: dict[str, str] = {"include": "consignments.line_items,fees", "consignment_structure": "object"}

# Order `payment_status` values (orders.v2.oas2.yml order_RespOnly `payment_status`; SUMMARY.md §4) that say no
# money was taken: "" (incomplete checkout), "pending" (awaiting payment), "declined", "void". Every other value
# (authorized, captured, capture pending, held for review, paid, partially refunded, refunded, void pending, or
# anything new) reads the transactions.
NO_MONEY_PAYMENT_STATUSES = frozenset({"", "pending", "declined", "void"})


def money_may_have_moved(order: bc.Order) -> bool:
    """Whether the order's transactions are worth a request: False only when its `payment_status` says no money
    was ever taken (the engine records only `ok` purchase/capture/settled transactions as payments and refund
    transactions against them, so such an order's transactions never become a payment)."""
    if order.gift_certificate_amount > 0 or order.store_credit_amount > 0:
        # a redemption is keyed by its transaction when the transactions are read and by the order otherwise
        # (mapping/payments.py): read them always, so the key never changes between two reads of the order
        return True
    return order.payment_status.strip().lower() not in NO_MONEY_PAYMENT_STATUSES


def coupons_from_lines(order: bc.Order, products: Iterable[bc.OrderProduct]) -> tuple[bc.Coupon, ...] | None:
    """The order's coupons rebuilt from its lines' `applied_discounts`, when they account for all of them; None
    when they cannot (then `/coupons` is read).

    Each applied discount with a coupon code is that coupon's share of the line (orders.v2.oas2.yml
    `orderProductAppliedDiscounts`: `code` "Coupon Code. There is no code when creating a manual discount.",
    `amount` "Amount of the discount"). When the coded shares add up to the header's `coupon_discount` exactly,
    every coupon took its discount off the products and none off shipping (a shipping coupon is in no line's
    `applied_discounts`: pricing of the sandbox, `mapping/order_checks.py`), so the coupons are one per code
    with the sum of its shares: all the mapping reads of a coupon row (`code`, `discount`; `type` matters only
    for shipping coupons, which these are not). Any gap (a shipping coupon, a share BigCommerce rounded away,
    a coupon without a code) gives None, and the rows are read as before."""
    if order.coupon_discount == 0:
        return ()
    shares: dict[str, Decimal] = {}
    ids: dict[str, int | None] = {}
    for line in products:
        for discount in line.applied_discounts:
            if not discount.code or str(discount.id) == "manual-discount":
                continue
            shares[discount.code] = shares.get(discount.code, Decimal(0)) + discount.amount
            ids.setdefault(discount.code, int(discount.id) if str(discount.id).isdigit() else None)
    if not shares or sum(shares.values(), Decimal(0)) != order.coupon_discount:
        return None
    return tuple(bc.Coupon(id=0, coupon_id=ids[code], code=code, type=0, amount=Decimal(0), discount=amount)
                 for code, amount in shares.items())


def refunds_by_order(refunds: Iterable[bc.Refund]) -> dict[int, tuple[bc.Refund, ...]]:
    """A store-wide refund list grouped by order, each order's refunds by id (as the per-order list sorts)."""
    grouped: dict[int, list[bc.Refund]] = defaultdict(list)
    for refund in refunds:
        grouped[refund.order_id].append(refund)
    return {order_id: tuple(sorted(rows, key=lambda r: r.id)) for order_id, rows in grouped.items()}


def parse_listed_order(raw: Any) -> bc_listing.ListedItem:
    """One order of the list, or an `UnreadableOrder` carrying the payload and what could not be read: never
    raises for a bad order."""
    try:
        order = wire.parse_order(raw)
        consignments = raw.get("consignments")
        if not isinstance(consignments, dict) or "url" in consignments:
            return bc_listing.ListedOrder(order=order, products=None, shipping_addresses=None)
        return bc_listing.ListedOrder(order=order, products=_products(consignments, order),
                                      shipping_addresses=_addresses(consignments, order))
    except (UnreadableDataError, BugError, TypeError, ValueError, AttributeError, KeyError) as exc:
        return bc_listing.UnreadableOrder(order_id=_order_id(raw), payload=raw, message=str(exc), error=exc)


def _order_id(raw: Any) -> int | None:
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _kind(consignments: dict[str, Any], key: str) -> list[Any]:
    value = consignments.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise wire.unreadable(f"{key!r} is not a list", resource="order consignments", field=key)
    return value


def _groups(consignments: dict[str, Any]) -> list[Any]:
    email = consignments.get("email") or {}
    if not isinstance(email, dict):
        raise wire.unreadable("'email' is not an object", resource="order consignments", field="email")
    return [*_kind(consignments, "pickups"), *_kind(consignments, "shipping"), *_kind(consignments, "downloads"),
            *_kind(email, "gift_certificates")]


def _products(consignments: dict[str, Any], order: bc.Order) -> tuple[bc.OrderProduct, ...] | None:
    rows: dict[int, bc.OrderProduct] = {}
    for group in _groups(consignments):
        items = group.get("line_items") if isinstance(group, dict) else None
        if isinstance(items, dict):          # the spec's digital / gift certificate examples: one object
            items = [items]
        for item in items or []:
            if isinstance(item, dict) and "url" in item and "name" not in item:
                return None                  # links, not lines: consignments.line_items was not honoured
            line = wire.parse_order_product(item)
            rows.setdefault(line.id, line)
    lines = tuple(sorted(rows.values(), key=lambda line: line.id))
    if sum(line.quantity for line in lines) != order.items_total:
        return None
    return lines


def _addresses(consignments: dict[str, Any], order: bc.Order) -> tuple[bc.ShippingAddress, ...] | None:
    shipping = _kind(consignments, "shipping")
    if order.shipping_address_count is not None and len(shipping) != order.shipping_address_count:
        return None
    addresses = []
    for group in shipping:
        if not isinstance(group, dict):
            raise wire.unreadable("not a JSON object", resource="shipping consignment", data=group)
        fields = {k: v for k, v in group.items() if k not in ("line_items", "shipping_quotes")}
        fields.setdefault("order_id", order.id)    # a consignment sits inside its order and does not repeat it
        addresses.append(wire.parse_shipping_address(fields))
    return tuple(addresses)
