"""Deterministic BigCommerce store for the sandbox: catalog, customers and orders from (orders, seed)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bigbooks_desktop.sandbox.bigcommerce.payments import GATEWAYS, make_transaction, record_refund
from bigbooks_desktop.sandbox.bigcommerce.pricing import TAX_ZONES, reprice

__all__ = ["BASE_DATE", "GeneratedStore", "build_order", "generate_store"]

BASE_DATE = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)  # generated history ends here, whatever today is
CENT = Decimal("0.01")
ZERO = Decimal("0")

FIRST = [
    "Jane",
    "José",
    "Zoë",
    "Søren",
    "Anna",
    "Liam",
    "Chloé",
    "Björn",
    "Mei",
    "Олег",
    "Nguyễn Văn",
    "Aoife",
    "Łukasz",
    "Fatima",
    "O'Neil",
    "Hana",
    "Émile",
    "Ingrid",
    "Raj",
    "Ana-María",
]
LAST = [
    "Doe",
    "García",
    "Müller",
    "Ødegaard",
    "Smith",
    "Kowalski",
    "李",
    "Иванова",
    "Dubois",
    "O'Brien",
    "Tanaka",
    "Nuñez",
    "Fitzgerald-Smythe",
    "Þórsdóttir",
    "Nakamura",
    "Brown",
    "Rossi",
    "Ng",
    "Çelik",
    "Schäfer",
]
COMPANIES = [
    "",
    "",
    "",
    "Acme Pty Ltd",
    "Café Crème SARL",
    "Nørd Design ApS",
    "Blue Finch LLC",
    "株式会社テスト",
]
CITIES = {
    "US-TX": ("Austin", "Texas", "US", "United States", "78701"),
    "US-OR": ("Portland", "Oregon", "US", "United States", "97201"),
    "CA-ON": ("Toronto", "Ontario", "CA", "Canada", "M5V 2T6"),
    "EU-DE": ("München", "Bayern", "DE", "Germany", "80331"),
}
CURRENCIES = {
    "US-TX": ("USD", 1, Decimal("1")),
    "US-OR": ("USD", 1, Decimal("1")),
    "CA-ON": ("CAD", 2, Decimal("1.36")),
    "EU-DE": ("EUR", 3, Decimal("0.92")),
}
NOUNS = [
    "Mug",
    "Scarf",
    "Tea Set",
    "Notebook",
    "Candle",
    "Backpack",
    "Jar",
    "Lamp",
    "Blanket",
    "Poster",
    "Water Bottle",
    "Apron",
    "Chopping Board",
    "Headphones",
    "Plant Pot",
]
ADJECTIVES = [
    "Café Crème",
    "Ærø Wool",
    "東京",
    "Smörgåsbord",
    "Classic",
    "Nordic",
    "Rustic",
    "Deluxe",
    "Mini",
    "Organic",
    "Señorita",
    "Vintage",
]
OPTIONS = {"Color": ["Black", "Beige", "Grey", "Crème Brûlée Orange"], "Size": ["S", "M", "L", "XL"]}
MESSAGES = [
    "Please leave at the door — thanks! 🙏",
    "Gift for my mum, no invoice in the box please.",
    "Bitte beim Nachbarn abgeben.",
    "Livraison après 17h SVP.",
    "Call before delivery: 555-0100",
]
NOTES = [
    "VIP customer; check stock manually.",
    "Replacement for order lost in transit.",
    "Customer asked for split shipment.",
    "Fraud check passed by phone ✔",
]
STATUS_WEIGHTS = {
    10: 30,
    11: 20,
    2: 12,
    9: 5,
    3: 3,
    8: 2,
    7: 5,
    1: 3,
    0: 4,
    5: 4,
    6: 2,
    4: 4,
    14: 4,
    12: 1,
    13: 1,
}
STATUS_NAMES = {
    0: "Incomplete",
    1: "Pending",
    2: "Shipped",
    3: "Partially Shipped",
    4: "Refunded",
    5: "Cancelled",
    6: "Declined",
    7: "Awaiting Payment",
    8: "Awaiting Pickup",
    9: "Awaiting Shipment",
    10: "Completed",
    11: "Awaiting Fulfillment",
    12: "Manual Verification Required",
    13: "Disputed",
    14: "Partially Refunded",
}
SHIPPED = {2, 3, 10}
ONLINE_GATEWAYS = ["stripe", "stripe", "braintree", "square", "paypalexpress", "authorizenet"]


@dataclass
class GeneratedStore:
    """Everything the sandbox serves, as wire-shaped dicts holding Decimal money and aware datetimes."""

    products: list[dict[str, Any]]
    customers: list[dict[str, Any]]
    orders: list[dict[str, Any]]  # order records: order, products, ..., transactions, refunds
    books_skus: list[str]  # variant SKUs FreshBooks already knows as items
    counters: dict[str, int] = field(default_factory=dict)

    def next_id(self, kind: str) -> int:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    """A price in cents between low and high whole units, ending like shop prices do."""
    return Decimal(rng.randint(low, high)) + rng.choice(
        [Decimal("0.99"), Decimal("0.95"), Decimal("0.50"), ZERO]
    )


def _catalog(rng: random.Random, store: GeneratedStore) -> None:
    store.counters.update(product=110, variant=340, option_value=170, sku=300)
    for index in range(60):
        product_id = store.next_id("product")
        digital = index % 12 == 5
        name = (
            "E-book: " if digital else ""
        ) + f"{ADJECTIVES[index % len(ADJECTIVES)]} {NOUNS[index % len(NOUNS)]}"
        if index >= len(ADJECTIVES) * 2:
            name += f" No. {index}"
        sku = f"{NOUNS[index % len(NOUNS)][:3].upper()}-{product_id}"
        price = _money(rng, 4, 240)
        created = BASE_DATE - timedelta(days=500 - index)
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
                    "cost_price": _cents(variant_price * Decimal("0.4")),
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
                "cost_price": _cents(price * Decimal("0.4")),
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


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST), rng.choice(LAST)


def _street(rng: random.Random) -> str:
    if rng.random() < 0.06:  # long address lines, up to the 255 characters BigCommerce allows
        return (
            f"{rng.randint(1, 9999)} Avenue of the Extraordinarily Long Street Names and Remarkable Places, "
            "Building C, Floor 17, Suite 1701, Attention: Receiving Dock Department — Rear Entrance"
        )[:255]
    return f"{rng.randint(1, 999)} {rng.choice(['Main St', 'Königstraße', 'Rue de la Paix', 'Queen St W'])}"


def _customers(rng: random.Random, store: GeneratedStore, count: int) -> None:
    for customer_id in range(1, count + 1):
        first, last = _person(rng)
        zone = rng.choice(list(CITIES))
        city, state, iso2, country, postcode = CITIES[zone]
        created = BASE_DATE - timedelta(days=420 - customer_id * 400 // count, hours=rng.randint(0, 23))
        addresses = [
            {
                "id": customer_id * 10 + n,
                "customer_id": customer_id,
                "first_name": first,
                "last_name": last,
                "company": "",
                "address1": _street(rng),
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
    first, last = (customer["first_name"], customer["last_name"]) if customer else _person(rng)
    email = customer["email"] if customer else ("" if rng.random() < 0.08 else f"guest{order_id}@example.org")
    billing = {
        "first_name": first,
        "last_name": last,
        "company": customer["company"] if customer else "",
        "street_1": _street(rng),
        "street_2": "",
        "city": city,
        "state": state,
        "zip": postcode,
        "country": country,
        "country_iso2": iso2,
        "phone": "" if rng.random() < 0.2 else "555-0199",
        "email": email,
        "form_fields": [],
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
        else _cents(
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
                "street_1": _street(rng),
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
                "base_price": _cents(variant["price"] * rate),
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
                "base_wrapping_cost": _cents(Decimal("3.95") * rate) if position == wrap_line else ZERO,
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
        discount = _cents(
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
        order["discount_amount"] = _cents(subtotal * Decimal("0.05"))
    reprice(record, store.next_id)
    _pay(rng, store, record, modified, live=live)
    return record


def _pay(
    rng: random.Random, store: GeneratedStore, record: dict[str, Any], when: datetime, *, live: bool = False
) -> None:
    """Transactions (and refunds) that match the order status."""
    order = record["order"]
    status, total, currency, oid = (
        order["status_id"],
        order["total_inc_tax"],
        order["currency_code"],
        order["id"],
    )

    def tx(event: str, amount: Decimal, gateway: str, **kw: Any) -> dict[str, Any]:
        t = make_transaction(
            tx_id=store.next_id("transaction"),
            order_id=oid,
            event=event,
            amount=amount,
            currency=currency,
            gateway=gateway,
            when=when,
            card_last4=f"{oid % 10000:04d}",
            **kw,
        )
        record["transactions"].append(t)
        return t

    gateway = (
        rng.choice(ONLINE_GATEWAYS) if rng.random() < 0.88 else rng.choice(["bankdeposit", "cheque", "cod"])
    )
    order["payment_method"] = GATEWAYS[gateway][1]
    if status in (0, 1, 7):
        order["payment_status"] = "" if status == 0 else "pending"
        if status == 7:
            order["payment_method"] = "Bank Deposit"
        return
    if status == 5:
        order["payment_status"] = "void"
        auth = tx("authorization", total, gateway)
        tx("void", total, gateway, reference=auth["id"])
        return
    if status == 6:
        order["payment_status"] = "declined"
        tx("purchase", total, gateway, status="error")
        return
    if status == 12:
        order["payment_status"] = "held for review"
        tx("authorization", total, gateway, fraud_review=True)
        return
    pattern = rng.random()
    card_part = total
    if pattern < 0.07 and total > 10:  # part store credit
        credit = _cents(total * Decimal("0.3"))
        order["store_credit_amount"] = credit
        tx("purchase", credit, "storecredit")
        card_part = total - credit
    elif pattern < 0.12 and total > 10:  # part gift certificate
        gift = min(Decimal(25), _cents(total / 2))
        order["gift_certificate_amount"] = gift
        tx("purchase", gift, "giftcertificate")
        card_part = total - gift
    if card_part > 0:
        if 0.12 <= pattern < 0.22 and GATEWAYS[gateway][0] != "offline":
            auth = tx("authorization", card_part, gateway)
            tx("capture", card_part, gateway, reference=auth["id"])
        elif 0.22 <= pattern < 0.30 and GATEWAYS[gateway][0] != "offline" and card_part > 1:
            auth = tx("authorization", card_part, gateway)
            first = _cents(card_part * Decimal("0.6"))
            tx("capture", first, gateway, reference=auth["id"])
            tx("capture", card_part - first, gateway, reference=auth["id"])
        else:
            tx("purchase", card_part, gateway)
    order["payment_status"] = "paid" if GATEWAYS[gateway][3] else "captured"
    later = when if live else when + timedelta(days=rng.randint(1, 20))
    if status == 4:
        record_refund(
            record,
            total,
            reason="Customer returned everything.",
            when=later,
            next_id=store.next_id,
            total_tax=order["total_tax"],
        )
        for line in record["products"]:
            line.update(is_refunded=True, quantity_refunded=line["quantity"])
        order["payment_status"] = "refunded"
    elif status == 14:
        line = record["products"][0]
        if line["price_inc_tax"] < total and rng.random() < 0.6:
            items = [
                {
                    "item_type": "PRODUCT",
                    "item_id": line["id"],
                    "quantity": 1,
                    "reason": "Damaged in transit",
                }
            ]
            line.update(quantity_refunded=1, is_refunded=line["quantity"] == 1)
            record_refund(
                record,
                line["price_inc_tax"],
                reason="Damaged in transit",
                when=later,
                next_id=store.next_id,
                items=items,
                total_tax=line["price_tax"],
            )
        else:
            amount = max(CENT, _cents(total * Decimal(rng.randint(10, 40)) / 100))
            record_refund(record, amount, reason="Goodwill partial refund", when=later, next_id=store.next_id)
            if rng.random() < 0.3 and total - amount > 2:
                record_refund(
                    record,
                    CENT * 100,
                    reason="Second goodwill refund",
                    when=later if live else later + timedelta(days=2),
                    next_id=store.next_id,
                )
        order["payment_status"] = "partially refunded"
    if record["refunds"]:
        order["date_modified"] = max(order["date_modified"], max(r["created"] for r in record["refunds"]))


def generate_store(*, orders: int, seed: int) -> GeneratedStore:
    """The whole store; the same (orders, seed) always gives the same store."""
    rng = random.Random(seed)
    store = GeneratedStore(products=[], customers=[], orders=[], books_skus=[])
    _catalog(rng, store)
    _customers(rng, store, max(10, orders // 4))
    store.counters.update(order_product=1000, address=500, transaction=90000, refund=0, tax=0)
    statuses = [
        rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0] for _ in range(orders)
    ]
    cover = list(range(15))
    rng.shuffle(cover)
    statuses[: min(15, orders)] = cover[: min(15, orders)]
    span = timedelta(days=365)
    for index in range(orders):
        created = BASE_DATE - span + span * index / max(orders, 1) + timedelta(minutes=rng.randint(0, 50))
        created = created.replace(microsecond=0)
        big = index % 200 == 7
        store.orders.append(
            build_order(rng, store, order_id=100 + index, created=created, status_id=statuses[index], big=big)
        )
    books = random.Random(f"books-{seed}")
    store.books_skus = [v["sku"] for p in store.products for v in p["variants"] if books.random() < 0.75]
    return store
