"""Whether a BigCommerce order should become a FreshBooks invoice, and why not."""

from __future__ import annotations

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.mapping.profile import MappingProfile

__all__ = ["ineligibility_reason", "is_invoiceable"]


def ineligibility_reason(order: bc.Order, profile: MappingProfile) -> str | None:
    """None when the order should be invoiced; otherwise a sentence saying why it is skipped."""
    if order.is_deleted:
        return f"Order {order.id} is archived in BigCommerce."
    if order.status_id not in profile.invoice_status_ids:
        try:
            label = bc.OrderStatus(order.status_id).name.replace("_", " ").title()
        except ValueError:
            label = "unknown"
        shown = order.custom_status or order.status or label
        return (f"Order {order.id} has status {order.status_id} ({shown}), which the mapping profile "
                "does not invoice.")
    return None


def is_invoiceable(order: bc.Order, profile: MappingProfile) -> bool:
    """True when the profile says this order's status creates an invoice."""
    return ineligibility_reason(order, profile) is None
