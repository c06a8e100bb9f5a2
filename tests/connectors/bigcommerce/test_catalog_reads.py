"""BigCommerceClient's catalog and customer reads for the catalog sync (issue 12), against the sandbox store:
iter_products / iter_customers (incremental, oldest change first, 250 a page), list_product_ids /
list_customer_ids (for deletions), and unreadable payloads."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from bigbooks_desktop.connectors.bigcommerce import catalog_wire
from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.connectors.bigcommerce.governor import RateGovernor
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import UnreadableDataError
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sync import ports

NOW = 1_780_000_000
BASE = "http://sandbox.test"


class Clock:
    def __init__(self) -> None:
        self.now = float(NOW)

    def __call__(self) -> float:
        return self.now


def make_sandbox(clock: Clock) -> Sandbox:
    return Sandbox(SandboxConfig(orders=3, seed=11, bc_quota=100_000, clock=clock))


def in_process(sandbox: Sandbox) -> BigCommerceClient:
    info = sandbox.info(BASE)
    return BigCommerceClient(api_path=info["bigcommerce_api_path"], access_token=info["bigcommerce_token"],
                             transport=sandbox.transport(), governor=RateGovernor())


def product_calls(client: BigCommerceClient) -> int:
    return sum(n for route, n in client.stats.requests.items() if route.endswith("/v3/catalog/products"))


def customer_calls(client: BigCommerceClient) -> int:
    return sum(n for route, n in client.stats.requests.items() if route.endswith("/v3/customers"))


def grow_catalog(sandbox: Sandbox, total: int) -> None:
    """Copies of the generated products (new ids and SKUs) until the store has `total`."""
    store = sandbox.bigcommerce.store
    originals = list(store.products)
    while len(store.products) < total:
        product = copy.deepcopy(originals[len(store.products) % len(originals)])
        product["id"] = store.next_id("product")
        product["sku"] = f"{product['sku']}-C{product['id']}"
        for variant in product["variants"]:
            variant["id"], variant["product_id"] = store.next_id("variant"), product["id"]
            variant["sku"] = f"{variant['sku']}-C{product['id']}"
        store.products.append(product)


@pytest.mark.asyncio
async def test_iter_products_reads_every_product_with_its_variants() -> None:
    sandbox = make_sandbox(Clock())
    store = sandbox.bigcommerce.store
    async with in_process(sandbox) as client:
        products = [p async for p in client.iter_products(None)]
        assert product_calls(client) == 1
    assert len(products) == len(store.products)
    assert [p.date_modified for p in products] == sorted(p.date_modified for p in products if p.date_modified)
    by_id = {p.id: p for p in products}
    for raw in store.products:
        product = by_id[raw["id"]]
        assert isinstance(product, bc.CatalogProduct)
        assert (product.name, product.sku, product.description_html, product.price, product.is_visible) == (
            raw["name"], raw["sku"], raw["description"], raw["price"], True)
        assert (product.tax_class_id, product.inventory_level, product.inventory_tracking) == (
            raw["tax_class_id"], raw["inventory_level"], raw["inventory_tracking"])
        assert [(v.id, v.sku, v.price, v.calculated_price, v.inventory_level) for v in product.variants] == [
            (v["id"], v["sku"], v["price"], v["calculated_price"], v["inventory_level"]) for v in raw["variants"]]
        for variant, wire_variant in zip(product.variants, raw["variants"], strict=True):
            assert variant.product_id == product.id
            assert variant.option_values == tuple(
                (o["option_display_name"], o["label"]) for o in wire_variant["option_values"])
    assert any(v.option_values for p in products for v in p.variants)
    assert any(isinstance(p.price, Decimal) and p.price.as_tuple().exponent == -2 for p in products)


@pytest.mark.asyncio
async def test_incremental_reads_see_only_what_changed_and_deletions_show_in_the_ids() -> None:
    clock = Clock()
    sandbox = make_sandbox(clock)
    store = sandbox.bigcommerce.store
    async with in_process(sandbox) as client:
        cursor = await client.get_time()
        assert [p async for p in client.iter_products(cursor)] == []         # a quiet run: one call
        assert [c async for c in client.iter_customers(cursor)] == []
        assert product_calls(client) == 1 and customer_calls(client) == 1

        repriced, renamed, hidden, gone = (p["id"] for p in store.products[3:7])
        clock.now += 10
        sandbox.bigcommerce.update_product(repriced, {"price": "19.99"})
        clock.now += 10
        sized = next(p for p in store.products if len(p["variants"]) > 1 and p["id"] not in (repriced, hidden))
        renamed = sized["id"]
        sandbox.bigcommerce.update_variant(sized["variants"][1]["id"], {"name": "Huge"})
        clock.now += 10
        sandbox.bigcommerce.update_product(hidden, {"is_visible": False})
        sandbox.bigcommerce.delete_product(gone)
        sandbox.bigcommerce.update_customer(2, {"street_1": "9 New Road", "zip": "97201", "city": "Portland"})

        changed = [p async for p in client.iter_products(cursor)]
        assert [p.id for p in changed] == [repriced, renamed, hidden]
        assert changed[0].price == Decimal("19.99")
        assert all(v.price == Decimal("19.99") for v in changed[0].variants
                   if v.price is not None and v.option_values == ())
        assert changed[1].variants[1].option_values[0][1] == "Huge"
        assert changed[2].is_visible is False
        assert changed[2].date_modified == datetime.fromtimestamp(NOW + 30, UTC)

        [customer] = [c async for c in client.iter_customers(cursor)]
        assert isinstance(customer, bc.Customer) and customer.id == 2
        assert (customer.addresses[0].address1, customer.addresses[0].postal_code) == ("9 New Road", "97201")
        assert customer.date_created is not None and customer.customer_group_id == 0

        ids = await client.list_product_ids()
        assert gone not in ids and sorted(ids) == ids and len(ids) == len(store.products)
        sandbox.bigcommerce.delete_customer(5)
        customer_ids = await client.list_customer_ids()
        assert 5 not in customer_ids and set(customer_ids) == {c["id"] for c in store.customers}
        everyone = [c async for c in client.iter_customers(None)]
        assert [c.date_modified for c in everyone] == sorted(c.date_modified for c in everyone if c.date_modified)
        assert all(c.addresses for c in everyone)


@pytest.mark.asyncio
async def test_a_large_catalog_reads_250_a_page() -> None:
    sandbox = make_sandbox(Clock())
    grow_catalog(sandbox, 620)
    async with in_process(sandbox) as client:
        products = [p async for p in client.iter_products(None)]
        assert len(products) == 620 and len({p.id for p in products}) == 620
        assert product_calls(client) == 3                        # ceil(620 / 250)
        ids = await client.list_product_ids()
        assert len(ids) == 620 and product_calls(client) == 6
        without = [p async for p in client.iter_products(None, include_variants=False)]
        assert all(p.variants == () for p in without)


@pytest.mark.asyncio
async def test_an_unreadable_product_is_an_unreadable_data_error() -> None:
    sandbox = make_sandbox(Clock())
    broken = sandbox.bigcommerce.store.products[4]
    broken["price"] = "a lot"
    async with in_process(sandbox) as client:
        with pytest.raises(UnreadableDataError) as caught:
            [p async for p in client.iter_products(None)]
    assert (caught.value.resource, caught.value.record_id, caught.value.field) == ("catalog product", broken["id"],
                                                                                 "price")
    assert caught.value.payload is not None and caught.value.payload["price"] == "a lot"


def product_payload(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": 7, "name": "Mug", "sku": "MUG-7", "description": "<p>A <b>mug</b></p>", "price": Decimal("10.00"),
        "is_visible": True, "tax_class_id": 0, "inventory_level": 5, "inventory_tracking": "variant",
        "date_modified": "2025-01-02T03:04:05+00:00",
        "variants": [{"id": 70, "product_id": 7, "sku": "MUG-7-L", "price": None, "calculated_price": Decimal("10"),
                      "inventory_level": 3, "option_values": [{"id": 1, "label": "Large", "option_id": 2,
                                                               "option_display_name": "Size"}]}],
    }
    payload.update(changes)
    return payload


def test_parsers_read_nulls_and_refuse_what_does_not_fit() -> None:
    product = catalog_wire.parse_catalog_product(product_payload())
    assert product.variants[0].price is None and product.variants[0].option_values == (("Size", "Large"),)
    assert product.date_modified == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    bare = catalog_wire.parse_catalog_product({"id": 8, "name": None, "description": None, "sku": None})
    assert (bare.name, bare.description_html, bare.variants, bare.is_visible) == ("", "", (), True)
    bad_payloads = [
        "not an object",
        product_payload(id="seven"),
        product_payload(price="ten"),
        product_payload(is_visible="yes"),
        product_payload(date_modified="yesterday"),
        product_payload(variants={"id": 1}),
        product_payload(variants=[{"id": 70, "product_id": 7, "option_values": [{"label": 5}]}]),
        product_payload(variants=[{"id": 70, "product_id": 7, "option_values": "Large"}]),
        product_payload(variants=["x"]),
        product_payload(variants=[{"id": 70, "product_id": 7, "price": [1]}]),
    ]
    for payload in bad_payloads:
        with pytest.raises(UnreadableDataError) as caught:
            catalog_wire.parse_catalog_product(payload)
        assert caught.value.resource == "catalog product"
    assert caught.value.record_id == 7 and caught.value.field == "variants.price"
    assert "variant 70" in str(caught.value)
    assert catalog_wire.parse_record_id({"id": 3}, resource="customer") == 3
    refused: list[object] = [{"id": 0}, {"id": True}, {"id": "3"}, {}, [3]]
    for wrong in refused:
        with pytest.raises(UnreadableDataError):
            catalog_wire.parse_record_id(wrong, resource="customer")


def test_the_client_is_an_order_source() -> None:
    """The engine's port lists the new reads (mypy checks the structure; this checks the names)."""
    for name in ("iter_products", "iter_customers", "list_product_ids", "list_customer_ids"):
        assert hasattr(ports.OrderSource, name) and callable(getattr(BigCommerceClient, name))
