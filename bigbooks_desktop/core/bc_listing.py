"""Orders as one page of `GET /v2/orders?include=consignments.line_items,fees&consignment_structure=object`
carries them: the header with its lines, shipping addresses and fees, or the raw payload of an order that could
not be read (so one bad order never spoils its page).

Read as `from bigbooks_desktop.core import bc_listing`. Built by `connectors.bigcommerce.consignments`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bigbooks_desktop.core import bigcommerce as bc

__all__ = ["ListedItem", "ListedOrder", "UnreadableOrder"]


@dataclass(frozen=True)
class ListedOrder:
    """An order from the list. `products` / `shipping_addresses` are None when the list did not carry them
    whole (no consignments, line items given as links, or their quantities not adding up to `items_total`):
    then they are read per order, as before."""

    order: bc.Order
    products: tuple[bc.OrderProduct, ...] | None
    shipping_addresses: tuple[bc.ShippingAddress, ...] | None

    @property
    def id(self) -> int:
        return self.order.id

    @property
    def complete(self) -> bool:
        """True when the list carried the lines and the addresses (and so no per-order read of either)."""
        return self.products is not None and self.shipping_addresses is not None


@dataclass(frozen=True)
class UnreadableOrder:
    """An order of the list whose payload this version cannot read: `payload` as sent, `message` saying what
    could not be read, `error` the exception the parser raised (an `UnreadableDataError` naming the field, for
    the inbox); `order_id` when the payload had a whole-number id."""

    order_id: int | None
    payload: Any
    message: str
    error: Exception = field(compare=False, repr=False)


ListedItem = ListedOrder | UnreadableOrder
