"""The generator's `products` and `customers` sizes (the catalog benchmark's 10,000-product store)."""

from __future__ import annotations

import time

from bigbooks_desktop.core.jsonwire import dumps
from bigbooks_desktop.sandbox.bigcommerce import BigCommerceSandbox
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.generator import BASE_DATE, generate_store


def test_no_sizes_give_the_store_as_before() -> None:
    plain = generate_store(orders=40, seed=3)
    sized = generate_store(orders=40, seed=3, products=None, customers=None)
    assert dumps(plain.products) == dumps(sized.products) and dumps(plain.orders) == dumps(sized.orders)
    assert len(plain.products) == 60 and len(plain.customers) == 10


def test_sizes_make_that_many_products_with_variants_and_customers() -> None:
    store = generate_store(orders=20, seed=3, products=600, customers=300)
    assert len(store.products) == 600 and len(store.customers) == 300
    skus = [v["sku"] for p in store.products for v in p["variants"]]
    assert len(skus) == len(set(skus)) > 600                       # options give products several variants
    assert any(len(p["variants"]) > 1 for p in store.products)
    assert len({c["email"] for c in store.customers}) == 300
    first = generate_store(orders=20, seed=3)
    assert dumps(store.products[:60]) == dumps(first.products)     # the same draws for the first products


def test_the_sandbox_config_sizes_the_store_quickly() -> None:
    started = time.perf_counter()
    sandbox = BigCommerceSandbox(SandboxConfig(orders=50, seed=7, products=10_000, customers=5_000))
    assert time.perf_counter() - started < 10          # about 1 s on a 2-CPU machine
    assert len(sandbox.store.products) == 10_000 and len(sandbox.store.customers) == 5_000
    # every product was last modified before the generated history ends: an incremental read since a cursor
    # finds none of them until one is changed
    assert max(p["date_modified"] for p in sandbox.store.products) <= BASE_DATE
