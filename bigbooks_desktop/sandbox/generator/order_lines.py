"""What a generated order sells and takes off: product lines, gift certificate lines, fees and discounts."""

from __future__ import annotations

import random
import string
from decimal import Decimal
from typing import Any

from bigbooks_desktop.sandbox.generator.store import ZERO, GeneratedStore, cents

__all__ = ["add_discounts", "fee", "gift_certificate_line", "product_line"]

GIFT_CERTIFICATE_AMOUNTS = (Decimal(25), Decimal(50), Decimal(100))  # in the order's currency


def _line(store: GeneratedStore, order_id: int, address_id: int) -> dict[str, Any]:
    """The fields every order product line has, with nothing sold yet."""
    return {
        "id": store.next_id("order_product"),
        "order_id": order_id,
        "product_id": 0,
        "variant_id": 0,
        "order_address_id": address_id,
        "upc": "",
        "base_cost_price": ZERO,
        "cost_price_inc_tax": ZERO,
        "cost_price_ex_tax": ZERO,
        "cost_price_tax": ZERO,
        "weight": ZERO,
        "width": ZERO,
        "height": ZERO,
        "depth": ZERO,
        "is_refunded": False,
        "quantity_refunded": 0,
        "refund_amount": ZERO,
        "return_id": 0,
        "wrapping_id": 0,
        "wrapping_name": "",
        "base_wrapping_cost": ZERO,
        "wrapping_message": "",
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
        "product_options": [],
    }


def product_line(
    store: GeneratedStore,
    *,
    order_id: int,
    address_id: int,
    product: dict[str, Any],
    variant: dict[str, Any],
    quantity: int,
    rate: Decimal,
    wrapped: bool,
    shipped: bool,
) -> dict[str, Any]:
    """A catalog product line, priced in the order currency."""
    line = _line(store, order_id, address_id)
    line.update(
        product_id=product["id"],
        variant_id=variant["id"],
        name=product["name"],
        name_customer=product["name"],
        name_merchant=product["name"],
        sku=variant["sku"],
        type=product["type"],
        base_price=cents(variant["price"] * rate),
        quantity=quantity,
        base_cost_price=variant["cost_price"],
        cost_price_inc_tax=variant["cost_price"],
        cost_price_ex_tax=variant["cost_price"],
        weight=Decimal("1.5"),
        quantity_shipped=quantity if shipped else 0,
    )
    if wrapped:
        line.update(
            wrapping_id=1,
            wrapping_name="Gift Wrap",
            base_wrapping_cost=cents(Decimal("3.95") * rate),
            wrapping_message="Happy birthday! 🎂",
        )
    line["product_options"] = [
        {
            "id": store.next_id("order_option"),
            "option_id": value["option_id"],
            "order_product_id": line["id"],
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
    ]
    return line


def gift_certificate_line(
    rng: random.Random, store: GeneratedStore, *, order_id: int, shipped: bool
) -> tuple[dict[str, Any], str]:
    """(a gift certificate sold as an order line: untaxed, no SKU, quantity 1, emailed; its code)."""
    amount = rng.choice(GIFT_CERTIFICATE_AMOUNTS)
    code = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(10))
    line = _line(store, order_id, 0)
    name = f"{amount} Gift Certificate"
    line.update(
        name=name,
        name_customer=name,
        name_merchant=name,
        sku="",
        type="giftcertificate",
        base_price=amount,
        quantity=1,
        quantity_shipped=1 if shipped else 0,
        gift_certificate_id=store.next_id("gift_certificate"),
    )
    return line, code


def fee(rng: random.Random, store: GeneratedStore, rate: Decimal) -> dict[str, Any]:
    """An order fee (v2 `fees`); its cost_* figures are filled in by `pricing.reprice`."""
    name, cost, tax_class = rng.choice(
        [("Eco fee", Decimal("1.50"), 0), ("Payment surcharge", Decimal("2.95"), None)]
    )
    return {
        "id": store.next_id("fee"),
        "type": "custom_fee",
        "display_name_customer": name,
        "display_name_merchant": name,
        "source": "v2",
        "base_cost": cents(cost * rate),
        "cost_ex_tax": ZERO,
        "cost_inc_tax": ZERO,
        "cost_tax": ZERO,
        "tax_class_id": tax_class,  # None: the store's default tax class for fees (class 0 here)
    }


def add_discounts(rng: random.Random, store: GeneratedStore, record: dict[str, Any], rate: Decimal) -> None:
    """Maybe a coupon (an order discount or a shipping one) and a manual discount, sized from the lines."""
    order = record["order"]
    subtotal = sum(
        (ln["base_price"] * ln["quantity"] for ln in record["products"] if ln["type"] != "giftcertificate"), ZERO
    )
    shipping = order["base_shipping_cost"]
    if rng.random() < 0.22 and subtotal > 20:
        code = rng.choice(["WELCOME10", "SOMMER-25", "FREESHIP5"])
        if code == "FREESHIP5" and shipping:
            free = rng.random() < 0.5
            discount = shipping if free else min(cents(Decimal(5) * rate), shipping)
            kind, amount = (4, ZERO) if free else (3, cents(Decimal(5) * rate))
        elif code == "SOMMER-25":
            discount = cents(min(Decimal(rng.choice([5, 10])) * rate, subtotal / 4))
            kind, amount = 2, discount
        else:
            code, kind, amount, discount = "WELCOME10", 1, Decimal(10), cents(subtotal * Decimal("0.10"))
        record["coupons"].append(
            {
                "id": store.next_id("order_coupon"),
                "coupon_id": {"WELCOME10": 1, "SOMMER-25": 2, "FREESHIP5": 3}[code],
                "order_id": order["id"],
                "code": code,
                "amount": amount,
                "type": kind,
                "discount": discount,
            }
        )
    if rng.random() < 0.08 and subtotal > 10:
        order["discount_amount"] = cents(subtotal * Decimal("0.05"))
