"""Client identity and the FreshBooks client drafted from an order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.clients import client_from_order, client_key
from bigbooks_desktop.mapping.profile import MappingProfile, default_profile

from .order_factory import Line, Spec, build


def _detail(**kwargs: object) -> bc.OrderDetail:
    return build(Spec(lines=[Line(price=Decimal("10"), qty=1)], **kwargs))  # type: ignore[arg-type]


def test_client_key_registered_and_guest() -> None:
    assert client_key(_detail(customer_id=42)) == "customer:42"
    assert client_key(_detail(customer_id=0, email=" Shopper@Example.COM ")) == "guest:shopper@example.com"


def test_client_from_guest_order_uses_billing_and_shipping_addresses() -> None:
    detail = _detail(currency="EUR")
    client = client_from_order(detail, None, default_profile())
    assert client.email == "Shopper@Example.com"
    assert (client.fname, client.lname) == ("Jane", "Doe")
    assert (client.p_street, client.p_city, client.p_province, client.p_code, client.p_country) == (
        "1 Main St", "Austin", "Texas", "78701", "United States")
    assert (client.s_street, client.s_city, client.s_code) == ("2 Ship Rd", "Dallas", "75001")
    assert client.currency_code == "EUR"
    assert client.bus_phone == "555-0100"


def test_registered_customer_record_wins_for_name_and_email() -> None:
    detail = _detail(customer_id=7)
    customer = bc.Customer(id=7, email="real@example.com", first_name="Janet", last_name="Doe-Smith",
                           company="Acme")
    client = client_from_order(detail, customer, default_profile())
    assert (client.email, client.fname, client.lname, client.organization) == (
        "real@example.com", "Janet", "Doe-Smith", "Acme")


def test_missing_email_goes_to_the_inbox_or_uses_the_fallback() -> None:
    detail = _detail(email="", order_id=555)
    with pytest.raises(DataError) as caught:
        client_from_order(detail, None, default_profile())
    assert caught.value.field == "email"
    assert "email" in caught.value.message
    assert client_key(detail) == "guest:order-555"
    fallback = "orders+{order_id}@example.invalid"
    profile = MappingProfile.model_validate({"schema_version": 1, "missing_email_template": fallback})
    assert client_from_order(detail, None, profile).email == "orders+555@example.invalid"
