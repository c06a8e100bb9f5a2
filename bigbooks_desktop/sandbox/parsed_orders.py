"""The generated store's orders as the app reads them: each order the sandbox serves, parsed by the BigCommerce
connector's own wire functions (as `BigCommerceClient.get_order_detail` does), with the customer record of each
registered shopper. For tests and benchmarks that need real `OrderDetail`s without a server."""

from __future__ import annotations

from functools import lru_cache

from bigbooks_desktop.connectors.bigcommerce import wire
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.jsonwire import dumps
from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.sandbox.bigcommerce import BigCommerceSandbox
from bigbooks_desktop.sandbox.config import SandboxConfig

__all__ = ["parsed_orders"]


@lru_cache(maxsize=4)
def parsed_orders(orders: int = 60, seed: int = 3) -> tuple[tuple[bc.OrderDetail, bc.Customer | None], ...]:
    """`generate_store(orders, seed)` as the sandbox API serves it, parsed as the connector parses it."""
    sandbox = BigCommerceSandbox(SandboxConfig(orders=orders, seed=seed))
    customers = {c["id"]: wire.parse_customer(json_loads(dumps(c))) for c in sandbox.store.customers}
    result = []
    for raw in sandbox.dump()["orders"]:
        order = wire.parse_order(raw)
        detail = bc.OrderDetail(
            order=order, products=tuple(wire.parse_order_product(p) for p in raw["products"]),
            shipping_addresses=tuple(wire.parse_shipping_address(a) for a in raw["shipping_addresses"]),
            coupons=tuple(wire.parse_coupon(c) for c in raw["coupons"]),
            taxes=tuple(wire.parse_tax(t) for t in raw["taxes"]),
            transactions=tuple(wire.parse_transaction(t) for t in raw["transactions"]),
            refunds=tuple(wire.parse_refund(r) for r in raw["refunds"]),
            fees=order.fees or ())
        result.append((detail, customers.get(order.customer_id)))
    return tuple(result)
