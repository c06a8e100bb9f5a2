"""Every reference example payload of an endpoint the client uses, served through MockTransport and parsed.

Asserts that each field the core models declare comes through with its value (money as exact Decimal,
dates as aware datetimes), so a parsing change that drops or rounds a field fails here.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from bc_wire_checks import assert_fields_kept

from bigbooks_desktop.connectors.bigcommerce import wire
from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.connectors.bigcommerce.governor import RateGovernor
from bigbooks_desktop.core.jsonwire import dumps
from bigbooks_desktop.core.money import json_loads

EXAMPLES = Path(__file__).resolve().parents[2] / "reference" / "bigcommerce" / "specs" / "examples"
API_PATH = "https://api.bigcommerce.com/stores/abc123/v3/"
TOKEN = "bc-token-0123456789abcdef"


def example(name: str) -> Any:
    return json_loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def raw(name: str) -> bytes:
    return (EXAMPLES / f"{name}.json").read_bytes()


def with_customer_id(payload: Any) -> Any:
    # The spec's customer example leaves out `id`, which every real customer has; the rest is served as is.
    payload = copy.deepcopy(payload)
    for n, customer in enumerate(payload["data"], start=1):
        customer.setdefault("id", n)
    return payload


ROUTES: dict[str, bytes] = {
    "/stores/abc123/v2/store": raw("store_information_v2_store"),
    "/stores/abc123/v2/time": raw("store_information_v2_time"),
    "/stores/abc123/v2/orders": raw("orders_v2_list"),
    "/stores/abc123/v2/orders/count": raw("orders_v2_count"),
    "/stores/abc123/v2/orders/218": raw("orders_v2_get_order"),
    "/stores/abc123/v2/orders/218/products": raw("orders_v2_order_products"),
    "/stores/abc123/v2/orders/218/shipping_addresses": raw("orders_v2_shipping_addresses"),
    "/stores/abc123/v2/orders/218/coupons": raw("orders_v2_coupons"),
    "/stores/abc123/v2/orders/218/taxes": raw("orders_v2_taxes"),
    "/stores/abc123/v2/order_statuses": raw("orders_v2_order_statuses"),
    "/stores/abc123/v3/orders/218/transactions": raw("orders_v3_transactions_2021spec"),
    # GET /orders/{id}/fees answers {"fees": [...]} in the spec; its fees are the order example's.
    "/stores/abc123/v2/orders/218/fees": dumps({"fees": example("orders_v2_get_order")["fees"]}).encode(),
    # The refund example is the single-refund answer; the list endpoints wrap the same object in a list.
    "/stores/abc123/v3/orders/218/payment_actions/refunds": dumps(
        {"data": [example("orders_v3_refund")["data"]], "meta": {}}).encode(),
    "/stores/abc123/v3/orders/payment_actions/refunds": dumps(
        {"data": [example("orders_v3_refund")["data"]],
         "meta": {"pagination": {"total": 1, "count": 1, "per_page": 250, "current_page": 1,
                                 "total_pages": 1}}}).encode(),
    "/stores/abc123/v3/customers": dumps(with_customer_id(example("customers_v3_list"))).encode(),
    "/stores/abc123/v3/catalog/variants": raw("catalog_v3_product_variants"),
}


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = ROUTES.get(request.url.path)
        if body is None:
            missing = [{"status": 404, "message": "The requested resource was not found."}]
            return httpx.Response(404, json=missing)
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})


def make_client(recorder: Recorder) -> BigCommerceClient:
    return BigCommerceClient(api_path=API_PATH, access_token=TOKEN, transport=httpx.MockTransport(recorder),
                             governor=RateGovernor())


@pytest.mark.asyncio
async def test_order_header_every_field() -> None:
    async with make_client(Recorder()) as client:
        order = await client.get_order(218)
    raw = example("orders_v2_get_order")
    assert_fields_kept(order, raw)
    assert order.subtotal_ex_tax == Decimal("62.6793") and str(order.subtotal_ex_tax) == "62.6793"
    assert order.total_inc_tax == Decimal("69.8400")
    assert order.currency_exchange_rate == Decimal("1.0000000000")
    assert order.date_created == datetime(2019, 3, 5, 21, 40, 11, tzinfo=UTC)
    assert order.date_shipped is None
    assert order.billing_address.email == "janedoe@example.com"
    assert order.transaction_currency == "USD"


@pytest.mark.asyncio
async def test_order_list_and_count_and_statuses() -> None:
    recorder = Recorder()
    async with make_client(recorder) as client:
        orders = [o async for o in client.iter_orders()]
        count = await client.count_orders()
        statuses = await client.get_order_statuses()
    raw = example("orders_v2_list")
    assert len(orders) == len(raw)
    for order, raw_order in zip(orders, raw, strict=True):
        assert_fields_kept(order, raw_order)
    assert count == example("orders_v2_count")["count"] == 133
    assert statuses == example("orders_v2_order_statuses")
    assert {s["id"] for s in statuses} == set(range(15))


@pytest.mark.asyncio
async def test_order_detail_sub_resources() -> None:
    recorder = Recorder()
    async with make_client(recorder) as client:
        detail = await client.get_order_detail(218)
    assert detail.order.id == 218
    for parsed, name in ((detail.products, "orders_v2_order_products"),
                         (detail.shipping_addresses, "orders_v2_shipping_addresses"),
                         (detail.coupons, "orders_v2_coupons"), (detail.taxes, "orders_v2_taxes"),
                         (detail.transactions, None), (detail.refunds, None)):
        if name is None:
            continue
        raw = example(name)
        assert len(parsed) == len(raw), name
        for model, raw_item in zip(parsed, raw, strict=True):
            assert_fields_kept(model, raw_item)
    product = detail.products[0]
    assert product.price_inc_tax == Decimal("65.2300")
    assert product.applied_discounts[0].amount == Decimal("1.5900")
    assert product.applied_discounts[0].code is None
    assert detail.coupons[0].amount == Decimal("5")
    assert detail.taxes[0].tax_class == "Default Tax Class"
    assert detail.taxes[0].sales_tax_id == "TaxId123"
    assert detail.taxes[0].priority_amount == Decimal("17.6400")
    assert detail.shipping_addresses[0].cost_inc_tax == Decimal("12.9900")

    transaction = detail.transactions[0]
    raw_tx = example("orders_v3_transactions_2021spec")["data"][0]
    assert_fields_kept(transaction, raw_tx)
    assert transaction.order_id == 121 and isinstance(transaction.order_id, int)
    assert transaction.amount == Decimal("1")
    assert transaction.date_created == datetime(2018, 5, 8, 15, 6, 12, tzinfo=UTC)

    refund = detail.refunds[0]
    assert_fields_kept(refund, example("orders_v3_refund")["data"])
    assert refund.total_amount == Decimal("50") and refund.total_tax == Decimal("5")
    assert refund.payments[0].provider_id == "storecredit" and refund.payments[0].offline
    assert refund.items[0].requested_amount is None

    # The header came with include=fees, so its fees cost no request of their own.
    assert [(f.id, f.cost_ex_tax, f.cost_inc_tax, f.cost_tax) for f in detail.fees] == [
        (1, Decimal("12.3000"), Decimal("12.3000"), Decimal("0.0000")),   # the example spells it cost_exc_tax
        (2, Decimal("4.0000"), Decimal("12.0000"), Decimal("8.0000")),
    ]
    assert detail.fees[0].tax_class_id == 22 and detail.fees[1].tax_class_id is None
    header_request = next(r for r in recorder.requests if r.url.path.endswith("/orders/218"))
    assert header_request.url.params["include"] == "fees"

    # Six sub-resources plus the header, each asked for once, with the headers BigCommerce wants.
    assert len(recorder.requests) == 7
    for request in recorder.requests:
        assert request.headers["X-Auth-Token"] == TOKEN
        assert request.headers["Accept"] == "application/json"
        assert request.headers["Content-Type"] == "application/json"


@pytest.mark.asyncio
async def test_a_header_read_without_fees_costs_one_fees_request() -> None:
    bare = {k: v for k, v in example("orders_v2_get_order").items() if k != "fees"}
    header = wire.parse_order(bare)
    assert header.fees is None
    with_link = wire.parse_order({**bare, "fees": {"url": "https://x/v2/orders/218/fees", "resource": "/x"}})
    assert with_link.fees is None
    recorder = Recorder()
    async with make_client(recorder) as client:
        detail = await client.get_order_detail(header)
        listed = [o async for o in client.iter_orders()]
    assert [f.name for f in detail.fees] == ["A Fee", "B Fee"]
    assert [r.url.path.rsplit("/", 1)[-1] for r in recorder.requests].count("fees") == 1
    assert recorder.requests[-1].url.params["include"] == "fees"      # iter_orders asks for fees too
    assert listed[0].fees is None     # the list example predates fees: unknown, so a detail would ask
    assert wire.parse_fees(None) == [] and len(wire.parse_fees(example("orders_v2_get_order")["fees"])) == 2


@pytest.mark.asyncio
async def test_transaction_payment_method_display_from_offline_or_custom() -> None:
    base = example("orders_v3_transactions_2021spec")["data"][0]
    offline = wire.parse_transaction({**base, "offline": {"display_name": "Bank deposit"}})
    custom = wire.parse_transaction({**base, "custom": {"payment_method": "Cash on pickup"}})
    assert offline.payment_method_display == "Bank deposit"
    assert custom.payment_method_display == "Cash on pickup"
    assert wire.parse_transaction(base).payment_method_display == ""


@pytest.mark.asyncio
async def test_customers_variants_store_time_and_refund_feed() -> None:
    recorder = Recorder()
    async with make_client(recorder) as client:
        customers = await client.find_customers_by_email(["jane.smith@example.com", "other@example.com"])
        customer = await client.get_customer(1)
        guest = await client.get_customer(0)
        variants = await client.find_variants(["SMIT", "SMIT-1", "SMIT-2"])
        store = await client.get_store()
        now = await client.get_time()
        refunds = [r async for r in client.iter_refunds(created_since=datetime(2022, 1, 1, tzinfo=UTC))]
    raw_customer = with_customer_id(example("customers_v3_list"))["data"][0]
    assert len(customers) == 1
    assert_fields_kept(customers[0], raw_customer)
    assert customers[0].addresses[0].address1 == "Addr1"
    assert customer is not None and customer.email == "jane.smith@example.com"
    assert guest is None
    raw_variants = example("catalog_v3_product_variants")["data"]
    assert len(variants) == len(raw_variants)
    for variant, raw_variant in zip(variants, raw_variants, strict=True):
        assert_fields_kept(variant, raw_variant)
    assert variants[1].price == Decimal("25")
    assert store.id == "abc123" and store.timezone_name == "America/Chicago"
    assert store.timezone_raw_offset == -21600 and store.currency == "USD"
    assert_fields_kept(store, example("store_information_v2_store"))
    assert now == datetime.fromtimestamp(1529512970, UTC)
    assert len(refunds) == 1 and refunds[0].order_id == 180

    by_path = {r.url.path: r for r in recorder.requests}
    emails = [r for r in recorder.requests if "email:in" in r.url.params]
    assert emails[0].url.params["email:in"] == "jane.smith@example.com,other@example.com"
    assert emails[0].url.params["include"] == "addresses"
    ids = [r for r in recorder.requests if "id:in" in r.url.params]
    assert ids[0].url.params["id:in"] == "1" and ids[0].url.params["include"] == "addresses"
    assert by_path["/stores/abc123/v3/catalog/variants"].url.params["sku:in"] == "SMIT,SMIT-1,SMIT-2"
    feed = by_path["/stores/abc123/v3/orders/payment_actions/refunds"]
    assert feed.url.params["created:min"] == "2022-01-01T00:00:00+00:00"


@pytest.mark.asyncio
async def test_order_filters_are_sent_as_bigcommerce_expects() -> None:
    recorder = Recorder()
    since = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    async with make_client(recorder) as client:
        _ = [o async for o in client.iter_orders(modified_since=since, modified_until=since, min_id=5,
                                                 status_id=11, customer_id=7, limit=100)]
    params = recorder.requests[0].url.params
    assert params["min_date_modified"] == "2026-03-01T08:30:00+00:00"
    assert params["max_date_modified"] == "2026-03-01T08:30:00+00:00"
    assert params["sort"] == "date_modified:asc"
    assert (params["min_id"], params["status_id"], params["customer_id"]) == ("5", "11", "7")
    assert (params["page"], params["limit"]) == ("1", "100")
    assert "%2B00%3A00" in str(recorder.requests[0].url)     # the offset's "+" is escaped, not a space


def test_examples_cover_every_endpoint_we_use() -> None:
    manifest = (EXAMPLES / "_manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]
    used = {"orders_v2_list", "orders_v2_get_order", "orders_v2_order_products",
            "orders_v2_shipping_addresses", "orders_v2_coupons", "orders_v2_taxes",
            "orders_v2_order_statuses", "orders_v2_count",
            "orders_v3_refund", "customers_v3_list", "catalog_v3_product_variants",
            "store_information_v2_store", "store_information_v2_time", "orders_v3_transactions_2021spec"}
    listed = {line.split("\t")[0].removesuffix(".json") for line in manifest if line.strip()}
    assert used <= listed
    assert listed - used == {"catalog_v3_product"}       # products are looked up through variants
    assert all(json.loads((EXAMPLES / f"{n}.json").read_text(encoding="utf-8")) for n in used)
