"""One generated order record: customer, addresses, lines with options, shipping, coupons and discounts."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bigbooks_desktop.sandbox.bigcommerce.pricing import TAX_ZONES, reprice
from bigbooks_desktop.sandbox.generator.order_payments import pay_order
from bigbooks_desktop.sandbox.generator.store import ZERO, GeneratedStore, cents
from bigbooks_desktop.sandbox.generator.vocabulary import (
    CITIES,
    CURRENCIES,
    MESSAGES,
    NOTES,
    SHIPPED,
    STATUS_NAMES,
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
    customer = None
    if customer_id is None:
        customer = rng.choice(store.customers) if rng.random() < 0.75 and store.customers else None
    elif customer_id:
        customer = next(c for c in store.customers if c["id"] == customer_id)
    zone = (
        customer["_zone"]
        if customer
        else rng.choice(["US-TX"] * 11 + ["US-OR"] * 2 + ["CA-ON"] * 3 + ["EU-DE"] * 4)
    )
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
        # custom checkout fields on about one order in seven, chosen by id so the random sequence (and so
        # every other generated value) stays what it was
        "form_fields": [{"name": "Delivery Instructions", "value": "Leave with the neighbour at no. 12"}]
        if order_id % 7 == 3 else [],
    }
    n_lines = rng.randint(100, 150) if big else min(1 + int(rng.expovariate(0.6)), 12)
    lines = []
    for _ in range(n_lines):
        product = rng.choice(store.products)
        variant = rng.choice(product["variants"])
        lines.append((product, variant, rng.randint(1, 3) if rng.random() < 0.8 else rng.randint(4, 12)))
    digital = all(p["type"] == "digital" for p, _, _ in lines)
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
        "base_handling_cost": Decimal("2.50") if rng.random() < 0.1 else ZERO,
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
    wrap_line = rng.randrange(n_lines) if rng.random() < 0.05 and not digital else -1
    for position, (product, variant, qty) in enumerate(lines):
        line_id = store.next_id("order_product")
        record["line_tax_class"][line_id] = product["tax_class_id"]
        record["products"].append(
            {
                "id": line_id,
                "order_id": order_id,
                "product_id": product["id"],
                "variant_id": variant["id"],
                "order_address_id": record["shipping_addresses"][0]["id"] if not digital else 0,
                "name": product["name"],
                "name_customer": product["name"],
                "name_merchant": product["name"],
                "sku": variant["sku"],
                "upc": "",
                "type": product["type"],
                "base_price": cents(variant["price"] * rate),
                "quantity": qty,
                "base_cost_price": variant["cost_price"],
                "cost_price_inc_tax": variant["cost_price"],
                "cost_price_ex_tax": variant["cost_price"],
                "cost_price_tax": ZERO,
                "weight": Decimal("1.5"),
                "width": ZERO,
                "height": ZERO,
                "depth": ZERO,
                "is_refunded": False,
                "quantity_refunded": 0,
                "refund_amount": ZERO,
                "return_id": 0,
                "wrapping_id": 1 if position == wrap_line else 0,
                "wrapping_name": "Gift Wrap" if position == wrap_line else "",
                "base_wrapping_cost": cents(Decimal("3.95") * rate) if position == wrap_line else ZERO,
                "wrapping_message": "Happy birthday! 🎂" if position == wrap_line else "",
                "quantity_shipped": qty if shipped else 0,
                "event_name": None,
                "event_date": None,
                "fixed_shipping_cost": ZERO,
                "ebay_item_id": "",
                "ebay_transaction_id": "",
                "option_set_id": None,
                "parent_order_product_id": None,
                "is_bundled_product": False,
                "bin_picking_number": "",
                "external_id": None,
                "brand": "",
                "gift_certificate_id": None,
                "configurable_fields": [],
                "applied_discounts": [],
                "product_options": [
                    {
                        "id": store.next_id("order_option"),
                        "option_id": value["option_id"],
                        "order_product_id": line_id,
                        "product_option_id": value["option_id"] + 1000,
                        "display_name": value["option_display_name"],
                        "display_name_customer": value["option_display_name"],
                        "display_name_merchant": value["option_display_name"],
                        "display_value": value["label"],
                        "display_value_customer": value["label"],
                        "display_value_merchant": value["label"],
                        "value": str(value["id"]),
                        "type": "Multiple choice",
                        "name": value["option_display_name"],
                        "display_style": "Rectangle",
                    }
                    for value in variant["option_values"]
                ],
            }
        )
    order["items_shipped"] = sum(line["quantity_shipped"] for line in record["products"])
    if status_id == 3 and record["products"]:
        record["products"][-1]["quantity_shipped"] = 0
        order["items_shipped"] = sum(line["quantity_shipped"] for line in record["products"])
    reprice(record, store.next_id)
    subtotal = order["subtotal_inc_tax"]
    if rng.random() < 0.2 and subtotal > 20:
        percent = rng.random() < 0.5
        discount = cents(
            subtotal * Decimal("0.10") if percent else min(Decimal(rng.choice([5, 10])), subtotal / 4)
        )
        record["coupons"].append(
            {
                "id": store.next_id("order_coupon"),
                "coupon_id": 1 + rng.randrange(4),
                "order_id": order_id,
                "code": rng.choice(["WELCOME10", "SOMMER-25", "FREESHIP5"]),
                "amount": Decimal(10) if percent else discount,
                "type": 1 if percent else 2,
                "discount": discount,
            }
        )
    if rng.random() < 0.08 and subtotal > 10:
        order["discount_amount"] = cents(subtotal * Decimal("0.05"))
    reprice(record, store.next_id)
    pay_order(rng, store, record, modified, live=live)
    return record
