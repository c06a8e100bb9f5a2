"""The generated catalog (products with variants, options and SKUs) and the registered customers."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from bigbooks_desktop.sandbox.generator.store import BASE_DATE, ZERO, GeneratedStore, cents
from bigbooks_desktop.sandbox.generator.vocabulary import (
    ADJECTIVES,
    CITIES,
    COMPANIES,
    NOUNS,
    OPTIONS,
    ZONE_WEIGHTS,
    person,
    shop_price,
    street,
)

__all__ = ["DEFAULT_PRODUCTS", "add_catalog", "add_customers"]


DEFAULT_PRODUCTS = 60


def add_catalog(rng: random.Random, store: GeneratedStore, count: int = DEFAULT_PRODUCTS) -> None:
    """`count` products (60 by default), about a third without options and the rest with 2 to 4 variants
    (Size, Color...): the same draws for the first products whatever `count` is."""
    store.counters.update(product=110, variant=340, option_value=170, sku=300)
    for index in range(count):
        product_id = store.next_id("product")
        digital = index % 12 == 5
        name = (
            "E-book: " if digital else ""
        ) + f"{ADJECTIVES[index % len(ADJECTIVES)]} {NOUNS[index % len(NOUNS)]}"
        if index >= len(ADJECTIVES) * 2:
            name += f" No. {index}"
        sku = f"{NOUNS[index % len(NOUNS)][:3].upper()}-{product_id}"
        price = shop_price(rng, 4, 240)
        # the first 400 products a day apart (as ever), any after them a second apart: every date in the past
        created = BASE_DATE - timedelta(days=500 - min(index, 400)) + timedelta(seconds=max(index - 400, 0))
        option = None if digital or index % 3 == 0 else rng.choice(list(OPTIONS))
        values = OPTIONS[option][: rng.randint(2, 4)] if option else [None]
        variants = []
        for position, value in enumerate(values):
            variant_price = price + (Decimal(position * 2) if option == "Size" else ZERO)
            variants.append(
                {
                    "id": store.next_id("variant"),
                    "product_id": product_id,
                    "sku": sku if value is None else f"{sku}-{value[:3].upper()}{position}",
                    "sku_id": store.next_id("sku"),
                    "price": variant_price,
                    "calculated_price": variant_price,
                    "sale_price": ZERO,
                    "retail_price": variant_price,
                    "cost_price": cents(variant_price * Decimal("0.4")),
                    "weight": Decimal("1.5"),
                    "width": ZERO,
                    "height": ZERO,
                    "depth": ZERO,
                    "is_free_shipping": False,
                    "fixed_cost_shipping_price": ZERO,
                    "purchasing_disabled": False,
                    "purchasing_disabled_message": "",
                    "upc": "",
                    "mpn": "",
                    "gtin": "",
                    "inventory_level": rng.randint(0, 400),
                    "inventory_warning_level": 5,
                    "bin_picking_number": "",
                    "option_values": []
                    if value is None
                    else [
                        {
                            "id": store.next_id("option_value"),
                            "label": value,
                            "option_id": 220 + index,
                            "option_display_name": option,
                        }
                    ],
                }
            )
        store.products.append(
            {
                "id": product_id,
                "name": name,
                "type": "digital" if digital else "physical",
                "sku": sku,
                "description": f"<p>{name}</p>",
                "weight": ZERO if digital else Decimal("1.5"),
                "width": ZERO,
                "depth": ZERO,
                "height": ZERO,
                "price": price,
                "cost_price": cents(price * Decimal("0.4")),
                "retail_price": price,
                "sale_price": ZERO,
                "map_price": ZERO,
                "tax_class_id": 1 if index % 4 == 1 else 0,
                "product_tax_code": "",
                "calculated_price": price,
                "categories": [20 + index % 5],
                "brand_id": 30 + index % 4,
                "inventory_level": 0,
                "inventory_warning_level": 0,
                "inventory_tracking": "variant" if option else "none",
                "fixed_cost_shipping_price": ZERO,
                "is_free_shipping": False,
                "is_visible": True,
                "is_featured": False,
                "availability": "available",
                "condition": "New",
                "date_created": created,
                "date_modified": created + timedelta(days=30),
                "base_variant_id": variants[0]["id"],
                "custom_url": {"url": f"/products/{product_id}/", "is_customized": False},
                "variants": variants,
            }
        )


def add_customers(rng: random.Random, store: GeneratedStore, count: int) -> None:
    for customer_id in range(1, count + 1):
        first, last = person(rng)
        zone = rng.choices(list(ZONE_WEIGHTS), weights=list(ZONE_WEIGHTS.values()))[0]
        city, state, iso2, country, postcode = CITIES[zone]
        created = BASE_DATE - timedelta(days=420 - customer_id * 400 // count, hours=rng.randint(0, 23))
        addresses = [
            {
                "id": customer_id * 10 + n,
                "customer_id": customer_id,
                "first_name": first,
                "last_name": last,
                "company": "",
                "address1": street(rng),
                "address2": "" if n == 0 else "Apt 4",
                "city": city,
                "state_or_province": state,
                "postal_code": postcode,
                "country_code": iso2,
                "country": country,
                "phone": f"555-01{customer_id % 100:02d}",
                "address_type": "residential",
            }
            for n in range(rng.randint(1, 2))
        ]
        store.customers.append(
            {
                "id": customer_id,
                "email": f"customer{customer_id}@example.com",
                "first_name": first,
                "last_name": last,
                "company": rng.choice(COMPANIES),
                "phone": f"555-01{customer_id % 100:02d}",
                "registration_ip_address": "",
                "notes": "",
                "tax_exempt_category": "",
                "customer_group_id": 0,
                "date_created": created,
                "date_modified": created + timedelta(days=rng.randint(0, 60)),
                "address_count": len(addresses),
                "attribute_count": 0,
                "authentication": {"force_password_reset": False},
                "addresses": addresses,
                "store_credit_amounts": [{"amount": ZERO}],
                "accepts_product_review_abandoned_cart_emails": False,
                "origin_channel_id": 1,
                "channel_ids": [1],
                "_zone": zone,
            }
        )
