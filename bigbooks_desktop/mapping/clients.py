"""Which FreshBooks client an order belongs to, and the client record made from the order."""

from __future__ import annotations

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.mapping.profile import MappingProfile
from bigbooks_desktop.mapping.profile_fields import order_fields
from bigbooks_desktop.mapping.rules import RuleOutcome

__all__ = ["client_email", "client_from_order", "client_key"]


def client_key(detail: bc.OrderDetail) -> str:
    """"customer:{id}" for a registered shopper, "guest:{billing email, lower case}" for a guest."""
    order = detail.order
    if order.customer_id:
        return f"customer:{order.customer_id}"
    email = order.billing_address.email.strip().lower()
    if not email:
        return f"guest:order-{order.id}"          # no email: the order stands alone (inbox or fallback email)
    return f"guest:{email}"


def client_email(detail: bc.OrderDetail, customer: bc.Customer | None, profile: MappingProfile, *,
                 timezone: str = "UTC") -> str:
    """The client's email as the profile's `client.email` mapping gives it (by default the customer's email,
    else the billing email, else the profile's fallback); DataError (cause `missing_email`) when empty."""
    return str(order_fields(profile, detail, "client", timezone=timezone, customer=customer)["client.email"])


def client_from_order(detail: bc.OrderDetail, customer: bc.Customer | None, profile: MappingProfile, *,
                      timezone: str = "UTC", rules: RuleOutcome | None = None) -> fb.ClientDraft:
    """The FreshBooks client for an order, from the profile's client field mappings (by default names and
    email from the customer record when there is one, billing address as the primary (p_*) address, first
    shipping address as s_*, the invoice currency), with what the profile's rules set. DataError (cause
    `missing_email`) when the email comes out empty."""
    values = order_fields(profile, detail, "client", timezone=timezone, customer=customer, rules=rules)
    fields = {target.removeprefix("client."): value for target, value in values.items()}
    return fb.ClientDraft(**{name: "" if value is None else value for name, value in fields.items()
                             if name in fb.ClientDraft.model_fields})
