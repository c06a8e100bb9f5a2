"""What the generated store draws from: names, places, currencies, words, order statuses, and the draws."""

from __future__ import annotations

import random
from decimal import Decimal

from bigbooks_desktop.sandbox.generator.store import ZERO

__all__ = [
    "ADJECTIVES",
    "CITIES",
    "COMPANIES",
    "CURRENCIES",
    "FIRST",
    "LAST",
    "MESSAGES",
    "NOTES",
    "NOUNS",
    "ONLINE_GATEWAYS",
    "OPTIONS",
    "SHIPPED",
    "STATUS_NAMES",
    "STATUS_WEIGHTS",
    "ZONE_WEIGHTS",
    "person",
    "shop_price",
    "street",
]

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
    "US-NY": ("New York", "New York", "US", "United States", "10001"),
    "US-CO": ("Denver", "Colorado", "US", "United States", "80202"),
    "CA-ON": ("Toronto", "Ontario", "CA", "Canada", "M5V 2T6"),
    "EU-DE": ("München", "Bayern", "DE", "Germany", "80331"),
}
CURRENCIES = {
    "US-TX": ("USD", 1, Decimal("1")),
    "US-OR": ("USD", 1, Decimal("1")),
    "US-NY": ("USD", 1, Decimal("1")),
    "US-CO": ("USD", 1, Decimal("1")),
    "CA-ON": ("CAD", 2, Decimal("1.36")),
    "EU-DE": ("EUR", 3, Decimal("0.92")),
}
# How likely a customer or guest is to live in each zone: most orders stay in Texas.
ZONE_WEIGHTS = {"US-TX": 10, "US-OR": 2, "US-NY": 2, "US-CO": 1, "CA-ON": 3, "EU-DE": 4}
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


def shop_price(rng: random.Random, low: int, high: int) -> Decimal:
    """A price in cents between low and high whole units, ending like shop prices do."""
    return Decimal(rng.randint(low, high)) + rng.choice(
        [Decimal("0.99"), Decimal("0.95"), Decimal("0.50"), ZERO]
    )


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST), rng.choice(LAST)


def street(rng: random.Random) -> str:
    if rng.random() < 0.06:  # long address lines, up to the 255 characters BigCommerce allows
        return (
            f"{rng.randint(1, 9999)} Avenue of the Extraordinarily Long Street Names and Remarkable Places, "
            "Building C, Floor 17, Suite 1701, Attention: Receiving Dock Department — Rear Entrance"
        )[:255]
    return f"{rng.randint(1, 999)} {rng.choice(['Main St', 'Königstraße', 'Rue de la Paix', 'Queen St W'])}"
