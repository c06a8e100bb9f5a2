"""Which FreshBooks client an order belongs to, and the client record made from the order."""

from __future__ import annotations

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.profile import MappingProfile

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


def client_email(detail: bc.OrderDetail, customer: bc.Customer | None, profile: MappingProfile) -> str:
    """The customer's email, else the billing email, else the profile's fallback; DataError when none."""
    order = detail.order
    for candidate in ((customer.email if customer else ""), order.billing_address.email):
        if candidate.strip():
            return candidate.strip()
    if profile.missing_email_template is not None:
        try:
            return profile.missing_email_template.format(order_id=order.id)
        except (KeyError, IndexError, ValueError) as exc:
            raise DataError(f"The fallback email template {profile.missing_email_template!r} is not valid; "
                            "fix it in the mapping profile (placeholder: {order_id}).",
                            field="email") from exc
    raise DataError(f"Order {order.id} has no email address. Add one to the order's billing address in "
                    "BigCommerce, or set a fallback email in the mapping profile.", field="email",
                    details={"cause": {"code": "missing_email"}})


def _shipping_fields(detail: bc.OrderDetail) -> dict[str, str]:
    if not detail.shipping_addresses:
        return {}
    ship = detail.shipping_addresses[0]
    return {"s_street": ship.street_1, "s_street2": ship.street_2, "s_city": ship.city,
            "s_province": ship.state, "s_code": ship.zip, "s_country": ship.country or ship.country_iso2}


def client_from_order(detail: bc.OrderDetail, customer: bc.Customer | None,
                      profile: MappingProfile) -> fb.ClientDraft:
    """The FreshBooks client for an order: names and email from the customer record when there is one,
    billing address as the primary (p_*) address, first shipping address as s_*, invoice currency."""
    order = detail.order
    billing = order.billing_address
    fname = (customer.first_name if customer else "") or billing.first_name
    lname = (customer.last_name if customer else "") or billing.last_name
    organization = billing.company or (customer.company if customer else "")
    phone = billing.phone or (customer.phone if customer else "")
    note = "" if order.customer_id else "Guest checkout in BigCommerce"
    return fb.ClientDraft(
        email=client_email(detail, customer, profile), fname=fname.strip(), lname=lname.strip(),
        organization=organization.strip(), bus_phone=phone.strip(),
        p_street=billing.street_1, p_street2=billing.street_2, p_city=billing.city, p_province=billing.state,
        p_code=billing.zip, p_country=billing.country or billing.country_iso2,
        currency_code=order.transaction_currency, note=note, **_shipping_fields(detail))
