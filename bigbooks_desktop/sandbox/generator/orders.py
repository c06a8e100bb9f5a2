"""One generated order record: customer, addresses, lines, gift certificates, fees, shipping and discounts."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bigbooks_desktop.sandbox.bigcommerce.credit import GiftCertificate
from bigbooks_desktop.sandbox.bigcommerce.pricing import TAX_ZONES, reprice
from bigbooks_desktop.sandbox.generator.order_lines import add_discounts, fee, gift_certificate_line, product_line
from bigbooks_desktop.sandbox.generator.order_payments import KEEPS_PAYMENT, pay_order
from bigbooks_desktop.sandbox.generator.store import ZERO, GeneratedStore, cents
from bigbooks_desktop.sandbox.generator.vocabulary import (
    CITIES,
    CURRENCIES,
    MESSAGES,
    NOTES,
    SHIPPED,
    STATUS_NAMES,
    ZONE_WEIGHTS,
    person,
    street,
)

__all__ = ["build_order"]


def build_order(
    rng: random.Random,
    store: GeneratedStore,
    *,
    order_id: int,
    created: datetime,
    status_id: int,
    big: bool = False,
    customer_id: int | None = None,
    live: bool = False,
) -> dict[str, Any]:
    """One order record with money, payments and refunds consistent with `status_id`.

    `live` orders (made by the admin API) are modified, paid and refunded at `created` itself.
    """
    redeem = None
    if customer_id is None and not live and status_id in KEEPS_PAYMENT and rng.random() < 0.07:
        candidates = store.ledger.redeemable(created)
        redeem = rng.choice(candidates) if candidates else None
    customer, zone = _customer_and_zone(rng, store, customer_id, redeem)
    currency, currency_id, rate = CURRENCIES[zone]
    city, state, iso2, country, postcode = CITIES[zone]
    first, last = (customer["first_name"], customer["last_name"]) if customer else person(rng)
    email = customer["email"] if customer else ("" if rng.random() < 0.08 else f"guest{order_id}@example.org")
    billing: dict[str, Any] = {
        "first_name": first,
        "last_name": last,
        "company": customer["company"] if customer else "",
        "street_1": street(rng),
        "street_2": "",
        "city": city,
        "state": state,
        "zip": postcode,
        "country": country,
        "country_iso2": iso2,
        "phone": "" if rng.random() < 0.2 else "555-0199",
        "email": email,
        # custom checkout fields on about one order in seven
        "form_fields": [{"name": "Delivery Instructions", "value": "Leave with the neighbour at no. 12"}]
        if order_id % 7 == 3 else [],
    }
    n_lines = rng.randint(100, 150) if big else min(1 + int(rng.expovariate(0.6)), 12)
    picks = []
    for _ in range(n_lines):
        product = rng.choice(store.products)
        variant = rng.choice(product["variants"])
        picks.append((product, variant, rng.randint(1, 3) if rng.random() < 0.8 else rng.randint(4, 12)))
    digital = all(p["type"] == "digital" for p, _, _ in picks)
    modified = created if live else created + timedelta(hours=rng.randint(0, 72), minutes=rng.randint(0, 59))
    shipped = status_id in SHIPPED and not digital
    order: dict[str, Any] = {
        "id": order_id,
        "customer_id": customer["id"] if customer else 0,
        "date_created": created,
        "date_modified": modified,
        "date_shipped": modified if shipped else "",
        "status_id": status_id,
        "status": STATUS_NAMES[status_id],
        "base_shipping_cost": ZERO
        if digital
        else cents(
            rng.choice([ZERO, Decimal("4.99"), Decimal("7.50"), Decimal("12.00"), Decimal("19.95")]) * rate
        ),
        "shipping_cost_tax_class_id": 0,
        "base_handling_cost": Decimal("2.50") if rng.random() < 0.1 and not digital else ZERO,
        "handling_cost_tax_class_id": 0,
        "wrapping_cost_tax_class_id": 0,
        "is_tax_inclusive_pricing": TAX_ZONES[zone]["inclusive"],
        "items_shipped": 0,
        "payment_method": "",
        "payment_provider_id": "",
        "payment_status": "",
        "refunded_amount": ZERO,
        "order_is_digital": digital,
        "store_credit_amount": ZERO,
        "gift_certificate_amount": ZERO,
        "ip_address": "203.0.113.7",
        "ip_address_v6": "",
        "geoip_country": country,
        "geoip_country_iso2": iso2,
        "currency_id": currency_id,
        "currency_code": currency,
        "currency_exchange_rate": f"{rate:.10f}",
        "default_currency_id": currency_id,
        "default_currency_code": currency,
        "store_default_currency_code": "USD",
        "store_default_to_transactional_exchange_rate": f"{rate:.10f}",
        "staff_notes": rng.choice(NOTES) if rng.random() < 0.1 else "",
        "customer_message": rng.choice(MESSAGES) if rng.random() < 0.15 else "",
        "discount_amount": ZERO,
        "coupon_discount": ZERO,
        "shipping_address_count": 0 if digital else 1,
        "is_deleted": False,
        "ebay_order_id": "0",
        "cart_id": f"00000000-0000-4000-8000-{order_id:012d}",
        "billing_address": billing,
        "is_email_opt_in": False,
        "credit_card_type": None,
        "order_source": "www",
        "channel_id": 1,
        "external_source": None,
        "external_id": None,
        "external_merchant_id": None,
        "tax_provider_id": "BasicTaxProvider",
        "customer_locale": "en",
        "external_order_id": "",
        "custom_status": STATUS_NAMES[status_id],
    }
    record: dict[str, Any] = {
        "order": order,
        "zone": zone,
        "products": [],
        "shipping_addresses": [],
        "coupons": [],
        "taxes": [],
        "fees": [],
        "transactions": [],
        "refunds": [],
        "line_tax_class": {},
    }
    if not digital:
        record["shipping_addresses"].append(
            {
                "id": store.next_id("address"),
                "order_id": order_id,
                "first_name": first,
                "last_name": last,
                "company": billing["company"],
                "street_1": street(rng),
                "street_2": "",
                "city": city,
                "zip": postcode,
                "country": country,
                "country_iso2": iso2,
                "state": state,
                "email": email,
                "phone": billing["phone"],
                "items_total": 0,
                "items_shipped": 0,
                "shipping_method": rng.choice(["Flat Rate", "UPS Ground", "DHL"]),
                "cost_tax_class_id": 0,
                "handling_cost_tax_class_id": 0,
                "shipping_zone_id": 1,
                "shipping_zone_name": country,
                "form_fields": [],
            }
        )
    address_id = record["shipping_addresses"][0]["id"] if not digital else 0
    wrap_line = rng.randrange(n_lines) if rng.random() < 0.05 and not digital else -1
    for position, (product, variant, qty) in enumerate(picks):
        line = product_line(
            store,
            order_id=order_id,
            address_id=address_id,
            product=product,
            variant=variant,
            quantity=qty,
            rate=rate,
            wrapped=position == wrap_line,
            shipped=shipped,
        )
        record["line_tax_class"][line["id"]] = product["tax_class_id"]
        record["products"].append(line)
    sold = None
    if not live and status_id in KEEPS_PAYMENT and rng.random() < 0.03:
        gift, code = gift_certificate_line(rng, store, order_id=order_id, shipped=shipped)
        record["line_tax_class"][gift["id"]] = None
        record["products"].insert(rng.randrange(len(record["products"]) + 1), gift)
        sold = (gift, code)
    if status_id == 3 and record["products"]:
        record["products"][-1]["quantity_shipped"] = 0
    order["items_shipped"] = sum(line["quantity_shipped"] for line in record["products"])
    if rng.random() < 0.05:
        record["fees"].append(fee(rng, store, rate))
    add_discounts(rng, store, record, rate)
    reprice(record, store.next_id)
    pay_order(rng, store, record, modified, live=live, redeem=redeem)
    if sold is not None:
        gift, code = sold
        store.ledger.sell(
            GiftCertificate(
                id=gift["gift_certificate_id"],
                code=code,
                amount=gift["base_price"],
                currency=currency,
                buyer_id=order["customer_id"],
                order_id=order_id,
                order_product_id=gift["id"],
                sold=modified,
            )
        )
    return record


def _customer_and_zone(
    rng: random.Random, store: GeneratedStore, customer_id: int | None, redeem: GiftCertificate | None
) -> tuple[dict[str, Any] | None, str]:
    """Who places the order and where. An order redeeming a gift certificate is placed by its buyer (three
    in four, when the buyer is registered) or by someone else paying in the certificate's currency."""
    zones, weights = list(ZONE_WEIGHTS), list(ZONE_WEIGHTS.values())
    if redeem is not None:
        if redeem.buyer_id and rng.random() < 0.75:
            buyer = next(c for c in store.customers if c["id"] == redeem.buyer_id)
            return buyer, str(buyer["_zone"])
        others = [
            c
            for c in store.customers
            if c["id"] != redeem.buyer_id and CURRENCIES[c["_zone"]][0] == redeem.currency
        ]
        if others and rng.random() < 0.7:
            other = rng.choice(others)
            return other, str(other["_zone"])
        zones = [z for z in zones if CURRENCIES[z][0] == redeem.currency]
        weights = [ZONE_WEIGHTS[z] for z in zones]
        return None, rng.choices(zones, weights=weights)[0]
    customer = None
    if customer_id is None:
        customer = rng.choice(store.customers) if rng.random() < 0.75 and store.customers else None
    elif customer_id:
        customer = next(c for c in store.customers if c["id"] == customer_id)
    return customer, (str(customer["_zone"]) if customer else rng.choices(zones, weights=weights)[0])
