"""Deterministic BigCommerce store for the sandbox: catalog, customers and orders from (orders, seed).

The pieces: `store` (the container, dates, cent rounding), `vocabulary` (what is drawn from), `catalog`
(products and customers), `orders` (one order record), `order_lines` (its lines, gift certificates, fees and
discounts) and `order_payments` (its transactions, refunds and disputes). A gift certificate or store credit
is only spent by orders placed after it came in (see `sandbox.bigcommerce.credit`).
"""

from __future__ import annotations

import random
from datetime import timedelta

from bigbooks_desktop.sandbox.generator.catalog import DEFAULT_PRODUCTS, add_catalog, add_customers
from bigbooks_desktop.sandbox.generator.orders import build_order
from bigbooks_desktop.sandbox.generator.store import BASE_DATE, GeneratedStore
from bigbooks_desktop.sandbox.generator.vocabulary import STATUS_NAMES, STATUS_WEIGHTS

__all__ = ["BASE_DATE", "STATUS_NAMES", "GeneratedStore", "build_order", "generate_store", "settle_balances"]


def settle_balances(store: GeneratedStore) -> None:
    """Running balances into the gift certificate and store credit transactions, and each customer's
    store credit into `store_credit_amounts`."""
    store.ledger.settle()
    for customer in store.customers:
        customer["store_credit_amounts"] = [{"amount": store.ledger.store_credit_balance(customer["id"])}]


def generate_store(*, orders: int, seed: int, books_known_share: float = 0.75, products: int | None = None,
                   customers: int | None = None) -> GeneratedStore:
    """The whole store; the same (orders, seed) always gives the same store. `books_known_share`: the share of
    variant SKUs FreshBooks already has as items (the draws are the same whatever the share). `products` and
    `customers` size the catalog and the registered customers (None: 60 products and max(10, orders // 4)
    customers, as before the options existed)."""
    rng = random.Random(seed)
    store = GeneratedStore(products=[], customers=[], orders=[], books_skus=[])
    add_catalog(rng, store, DEFAULT_PRODUCTS if products is None else products)
    add_customers(rng, store, max(10, orders // 4) if customers is None else customers)
    store.counters.update(
        order_product=1000, address=500, transaction=90000, refund=0, tax=0, fee=0, gift_certificate=0
    )
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
    settle_balances(store)
    books = random.Random(f"books-{seed}")
    store.books_skus = [v["sku"] for p in store.products for v in p["variants"] if books.random() < books_known_share]
    return store
