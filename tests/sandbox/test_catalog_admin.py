"""The sandbox's catalogue and customer admin API (PATCH/DELETE /_sandbox/products|variants|customers/{id}) and
the v3 product and customer lists the catalog sync reads: filters, sort, paging, include_fields, spec-valid."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio

from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig

from .test_bigcommerce_conformance import _validate

NOW = 1_780_000_000          # 2026-05-28T20:26:40Z, after every generated date
PRODUCTS_SPEC = "catalog/products_catalog.v3.yml"


class Clock:
    def __init__(self) -> None:
        self.now = float(NOW)

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock: Clock) -> Sandbox:
    return Sandbox(SandboxConfig(orders=4, seed=7, bc_quota=100_000, clock=clock))


@pytest_asyncio.fixture
async def http(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url="http://sandbox") as client:
        yield client


async def api(http: httpx.AsyncClient, sandbox: Sandbox, path: str, *, status: int = 200,
              query: dict[str, str] | None = None, **params: Any) -> Any:
    """GET a v3 path; `query` for parameter names that are not Python names (`id:in`, `date_modified:min`)."""
    params.update(query or {})
    info = sandbox.info("http://sandbox")
    response = await http.get(f"/stores/{info['bigcommerce_store_hash']}/v3{path}", params=params,
                              headers={"X-Auth-Token": info["bigcommerce_token"]})
    assert response.status_code == status, response.text[:300]
    return json_loads(response.content)


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)


def iso(seconds: float) -> str:
    return at(seconds).isoformat()


def sized_product(sandbox: Sandbox) -> dict[str, Any]:
    """A product whose variants do not all share its price (a size costs more)."""
    return next(p for p in sandbox.bigcommerce.store.products
                if len(p["variants"]) > 2 and len({v["price"] for v in p["variants"]}) > 1)


@pytest.mark.asyncio
async def test_patch_product_moves_date_modified_and_reprices_the_variants_that_follow_it(
        http: httpx.AsyncClient, sandbox: Sandbox, clock: Clock) -> None:
    product = sized_product(sandbox)
    old = product["price"]
    own = [v["id"] for v in product["variants"] if v["price"] != old]
    clock.now += 60
    response = await http.patch(f"/_sandbox/products/{product['id']}",
                                json={"name": "Renamed Mug", "price": "31.50", "is_visible": False})
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Renamed Mug" and body["is_visible"] is False
    assert body["date_modified"] == iso(clock.now)
    shown = (await api(http, sandbox, "/catalog/products", include="variants", query={"id:in": str(product["id"])}))
    [row] = shown["data"]
    assert row["price"] == Decimal("31.50") == row["calculated_price"]
    for variant in row["variants"]:
        if variant["id"] in own:          # a price of its own stays
            assert variant["price"] not in (old, Decimal("31.50"))
        else:                              # the inherited price follows the product
            assert variant["price"] == Decimal("31.50") == variant["calculated_price"]
    _validate(PRODUCTS_SPEC, "/catalog/products", shown)


@pytest.mark.asyncio
async def test_patch_variant_renames_its_option_and_moves_its_products_date(
        http: httpx.AsyncClient, sandbox: Sandbox, clock: Clock) -> None:
    product = sized_product(sandbox)
    variant = product["variants"][1]
    clock.now += 120
    response = await http.patch(f"/_sandbox/variants/{variant['id']}",
                                json={"name": "Extra Large", "price": 44, "sku": "NEW-SKU-1", "is_visible": False})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["option_values"][0]["label"] == "Extra Large" and body["sku"] == "NEW-SKU-1"
    assert body["price"] == 44 and body["purchasing_disabled"] is True
    assert product["date_modified"] == at(clock.now)        # the product's date moves (assumption, see module)
    found = await api(http, sandbox, "/catalog/variants", sku="NEW-SKU-1")
    assert [v["id"] for v in found["data"]] == [variant["id"]]
    _validate("catalog/product-variants_catalog.v3.yml", "/catalog/variants", found)
    base = next(p for p in sandbox.bigcommerce.store.products if not p["variants"][0]["option_values"])
    refused = await http.patch(f"/_sandbox/variants/{base['variants'][0]['id']}", json={"name": "X"})
    assert refused.status_code == 422 and "base variant" in refused.json()["error"]


@pytest.mark.asyncio
async def test_patch_customer_maps_the_address_fields_to_v3_names(
        http: httpx.AsyncClient, sandbox: Sandbox, clock: Clock) -> None:
    clock.now += 30
    response = await http.patch("/_sandbox/customers/3", json={
        "first_name": "Ada", "last_name": "Byron", "company": "Engines Ltd", "email": "ada@example.com",
        "phone": "555-0199", "street_1": "12 St James's Square", "city": "Toronto", "state": "Ontario",
        "zip": "M5H 2N2", "country": "ca"})
    assert response.status_code == 200, response.text
    listed = await api(http, sandbox, "/customers", include="addresses", sort="date_modified:asc",
                       query={"date_modified:min": iso(clock.now)})
    [row] = listed["data"]
    assert (row["id"], row["first_name"], row["last_name"], row["company"], row["email"], row["phone"]) == (
        3, "Ada", "Byron", "Engines Ltd", "ada@example.com", "555-0199")
    first = row["addresses"][0]
    assert (first["address1"], first["city"], first["state_or_province"], first["postal_code"],
            first["country_code"], first["country"]) == (
        "12 St James's Square", "Toronto", "Ontario", "M5H 2N2", "CA", "Canada")
    assert row["date_modified"] == iso(clock.now)
    _validate("customers.v3.yml", "/customers", listed)
    taken = await http.patch("/_sandbox/customers/4", json={"email": "ADA@example.com"})
    assert taken.status_code == 409


@pytest.mark.asyncio
async def test_deletes_leave_no_trace_in_the_lists(http: httpx.AsyncClient, sandbox: Sandbox) -> None:
    product = sized_product(sandbox)
    variant_ids = [v["id"] for v in product["variants"]]
    other = next(p for p in sandbox.bigcommerce.store.products if len(p["variants"]) > 2 and p is not product)
    gone_variant = other["variants"][-1]["id"]
    for path in (f"/_sandbox/products/{product['id']}", f"/_sandbox/variants/{gone_variant}",
                 "/_sandbox/customers/2"):
        assert (await http.delete(path)).status_code == 204
        assert (await http.delete(path)).status_code == 404
    ids = {p["id"] for p in (await api(http, sandbox, "/catalog/products", limit=250))["data"]}
    assert product["id"] not in ids and other["id"] in ids
    variants = {v["id"] for v in (await api(http, sandbox, "/catalog/variants", limit=250))["data"]}
    assert not variants & {*variant_ids, gone_variant}
    customers = {c["id"] for c in (await api(http, sandbox, "/customers", limit=250))["data"]}
    assert 2 not in customers and 3 in customers
    assert (await api(http, sandbox, "/catalog/products", query={"id:in": str(product["id"])}))["data"] == []
    last = next(p for p in sandbox.bigcommerce.store.products if len(p["variants"]) == 1)
    refused = await http.delete(f"/_sandbox/variants/{last['variants'][0]['id']}")
    assert refused.status_code == 422


@pytest.mark.asyncio
async def test_refusals(http: httpx.AsyncClient, sandbox: Sandbox) -> None:
    first, second = sandbox.bigcommerce.store.products[:2]
    assert (await http.patch(f"/_sandbox/products/{first['id']}", json={})).status_code == 400
    assert (await http.patch(f"/_sandbox/products/{first['id']}", json={"colour": "red"})).status_code == 422
    assert (await http.patch(f"/_sandbox/products/{first['id']}", json={"price": "ten"})).status_code == 422
    assert (await http.patch(f"/_sandbox/products/{first['id']}", json={"price": -1})).status_code == 422
    assert (await http.patch(f"/_sandbox/products/{first['id']}", json={"is_visible": "no"})).status_code == 422
    assert (await http.patch("/_sandbox/products/99999", json={"name": "x"})).status_code == 404
    assert (await http.patch("/_sandbox/customers/3", json={"country": "Canada"})).status_code == 422
    duplicate = await http.patch(f"/_sandbox/products/{first['id']}", json={"sku": second["sku"].lower()})
    assert duplicate.status_code == 409 and first["sku"] != second["sku"]
    forced = await http.patch(f"/_sandbox/products/{first['id']}",
                              json={"sku": second["sku"], "allow_duplicate_sku": True})
    assert forced.status_code == 200 and first["sku"] == second["sku"]
    # a simple product and its base variant share the SKU: renaming either is no clash, and both move
    simple = next(p for p in sandbox.bigcommerce.store.products
                  if len(p["variants"]) == 1 and not p["variants"][0]["option_values"] and p is not first)
    assert (await http.patch(f"/_sandbox/products/{simple['id']}", json={"sku": "SIMPLE-1"})).status_code == 200
    assert simple["variants"][0]["sku"] == "SIMPLE-1"
    assert (await http.patch(f"/_sandbox/variants/{simple['variants'][0]['id']}",
                             json={"sku": "SIMPLE-1"})).status_code == 200


@pytest.mark.asyncio
async def test_product_list_filters_sort_pages_and_fields(
        http: httpx.AsyncClient, sandbox: Sandbox, clock: Clock) -> None:
    products = sandbox.bigcommerce.store.products
    for n, product in enumerate(products[5:8]):
        clock.now = NOW + 100 * (3 - n)                   # edited newest first: date order is not id order
        assert (await http.patch(f"/_sandbox/products/{product['id']}", json={"name": f"P{n}"})).status_code == 200
    since = await api(http, sandbox, "/catalog/products", sort="date_modified", direction="asc",
                      include="variants", limit=250, query={"date_modified:min": iso(NOW + 100)})
    assert [p["id"] for p in since["data"]] == [products[7]["id"], products[6]["id"], products[5]["id"]]
    assert all(p["variants"] for p in since["data"])
    _validate(PRODUCTS_SPEC, "/catalog/products", since)
    window = await api(http, sandbox, "/catalog/products", query={"date_modified:min": iso(NOW + 150),
                                                              "date_modified:max": iso(NOW + 250)})
    assert [p["id"] for p in window["data"]] == [products[6]["id"]]
    newest = await api(http, sandbox, "/catalog/products", sort="date_modified", direction="desc", limit=1)
    assert newest["data"][0]["id"] == products[5]["id"] and "variants" not in newest["data"][0]

    await http.patch(f"/_sandbox/products/{products[0]['id']}", json={"is_visible": False})
    hidden = await api(http, sandbox, "/catalog/products", is_visible="false")
    assert [p["id"] for p in hidden["data"]] == [products[0]["id"]]
    visible = await api(http, sandbox, "/catalog/products", is_visible="true", limit=250)
    assert len(visible["data"]) == len(products) - 1
    await api(http, sandbox, "/catalog/products", status=400, is_visible="maybe")

    ids_only = await api(http, sandbox, "/catalog/products", include_fields="id", limit=25, page=3)
    assert all(set(p) == {"id"} for p in ids_only["data"])
    assert [p["id"] for p in ids_only["data"]] == [p["id"] for p in products[50:75]]
    pagination = ids_only["meta"]["pagination"]
    assert (pagination["total"], pagination["count"], pagination["current_page"], pagination["total_pages"]) == (
        len(products), len(products) - 50, 3, 3)
    _validate(PRODUCTS_SPEC, "/catalog/products", ids_only)
    some = await api(http, sandbox, "/catalog/products", include_fields="name,price,date_modified",
                     include="variants", query={"id:in": f"{products[1]['id']},{products[2]['id']}"})
    assert [set(p) for p in some["data"]] == [{"id", "name", "price", "date_modified", "variants"}] * 2
    _validate(PRODUCTS_SPEC, "/catalog/products", some)
    await api(http, sandbox, "/catalog/products", status=422, sort="colour")
    await api(http, sandbox, "/catalog/products", status=413, limit=251)


def test_the_generated_products_carry_what_the_catalog_sync_reads(sandbox: Sandbox) -> None:
    for product in sandbox.bigcommerce.store.products:
        assert {"date_modified", "is_visible", "price", "name", "sku", "description", "tax_class_id",
                "inventory_level", "inventory_tracking"} <= set(product)
        for variant in product["variants"]:
            assert {"sku", "price", "calculated_price", "option_values", "inventory_level"} <= set(variant)
            assert all({"label", "option_display_name"} <= set(v) for v in variant["option_values"])
