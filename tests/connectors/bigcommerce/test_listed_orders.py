"""The list path (`iter_listed_orders` + `complete_order` + `get_customers` + `iter_store_refunds`) against the
per-order path (`iter_orders` + `get_order_detail` + `get_customer`) on a generated sandbox store: the same
`OrderDetail`s, far fewer requests, and one unreadable order never spoiling its page."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bigbooks_desktop.connectors.bigcommerce import wire
from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.connectors.bigcommerce.consignments import (
    coupons_from_lines,
    money_may_have_moved,
    parse_listed_order,
)
from bigbooks_desktop.connectors.bigcommerce.governor import RateGovernor
from bigbooks_desktop.core import bc_listing
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import UnreadableDataError
from bigbooks_desktop.core.jsonwire import dumps
from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.bigcommerce.consignments import render_consignments
from bigbooks_desktop.sandbox.bigcommerce.routes_v2 import render_order
from bigbooks_desktop.sandbox.config import SandboxConfig

BASE = "http://sandbox.test"
ORDERS = 150
EXAMPLES = Path(__file__).resolve().parents[2] / "reference" / "bigcommerce" / "specs" / "examples"
MONEY_EVENTS = {"purchase", "capture", "settled", "refund"}
INVOICED = (2, 3, 4, 8, 9, 10, 11, 14)       # MappingProfile.invoice_status_ids' default


def _client(sandbox: Sandbox) -> BigCommerceClient:
    info = sandbox.info(BASE)
    return BigCommerceClient(api_path=info["bigcommerce_api_path"], access_token=info["bigcommerce_token"],
                             transport=sandbox.transport(), governor=RateGovernor())


def _bc_counts(sandbox: Sandbox) -> Counter[str]:
    """BigCommerce API requests by route, e.g. "GET v2/orders/{id}/taxes" (the sandbox's request counts)."""
    return Counter({k.replace("/stores/{hash}/", ""): n for k, n in sandbox.request_counts.items()
                    if "/stores/{hash}/" in k})


def _coupon_shares(detail: bc.OrderDetail) -> dict[str, Decimal]:
    shares: dict[str, Decimal] = {}
    for coupon in detail.coupons:
        shares[coupon.code] = shares.get(coupon.code, Decimal(0)) + coupon.discount
    return shares


def _by_id(detail: bc.OrderDetail) -> bc.OrderDetail:
    """Lines in id order: consignments group lines by fulfilment, so the list path gives them by id. Coupons
    rebuilt from the lines (`coupons_from_lines`) carry what the mapping reads of a coupon (its code and
    discount): they are compared as discount per code."""
    return detail.model_copy(update={"products": tuple(sorted(detail.products, key=lambda line: line.id)),
                                     "coupons": ()})


def _same(new: bc.OrderDetail, old: bc.OrderDetail) -> bool:
    return _by_id(new) == _by_id(old) and _coupon_shares(new) == _coupon_shares(old)


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return Sandbox(SandboxConfig(orders=ORDERS, seed=11, bc_quota=1_000_000))


async def _old_path(sandbox: Sandbox) -> tuple[dict[int, bc.OrderDetail], dict[int, bc.Customer | None],
                                               Counter[str]]:
    sandbox.request_counts.clear()
    async with _client(sandbox) as client:
        details = {o.id: await client.get_order_detail(o) async for o in client.iter_orders()}
        customers = {cid: await client.get_customer(cid)
                     for cid in sorted({d.order.customer_id for d in details.values()}) if cid}
    return details, customers, _bc_counts(sandbox)


async def _new_path(sandbox: Sandbox, **complete: Any) -> tuple[dict[int, bc.OrderDetail],
                                                                dict[int, bc.Customer], Counter[str]]:
    sandbox.request_counts.clear()
    async with _client(sandbox) as client:
        refunds = [r async for r in client.iter_store_refunds()]
        listed = [item async for item in client.iter_listed_orders()]
        assert all(isinstance(item, bc_listing.ListedOrder) and item.complete for item in listed)
        orders = [item for item in listed if isinstance(item, bc_listing.ListedOrder)]
        details = {item.id: await client.complete_order(item, refunds=refunds, **complete) for item in orders}
        customers = await client.get_customers(item.order.customer_id for item in orders)
    return details, customers, _bc_counts(sandbox)


def test_the_store_has_varied_shapes(sandbox: Sandbox) -> None:
    records = sandbox.bigcommerce.records()
    types = [{line["type"] for line in r["products"]} for r in records]
    assert any(t == {"digital"} for t in types) and any({"digital", "physical"} <= t for t in types)
    assert any("giftcertificate" in t for t in types)
    assert any(r["fees"] for r in records) and any(r["coupons"] for r in records)
    assert any(len(r["products"]) > 50 for r in records)          # more than one default page of /products
    assert len({r["order"]["status_id"] for r in records}) >= 12
    assert sum(1 for r in records if r["refunds"]) > 10


@pytest.mark.asyncio
async def test_the_list_path_gives_the_same_details_and_customers(sandbox: Sandbox) -> None:
    old, old_customers, _ = await _old_path(sandbox)
    new, customers, counts = await _new_path(sandbox, transactions=True)
    assert sorted(new) == sorted(old) and len(new) == ORDERS
    reordered = 0
    for order_id, detail in old.items():
        assert _same(new[order_id], detail), order_id      # field for field, lines in id order
        if new[order_id].products != detail.products:
            reordered += 1
            assert any(p.type == "giftcertificate" for p in detail.products), order_id
    assert reordered <= sum(1 for d in old.values() if any(p.type == "giftcertificate" for p in d.products))
    assert customers == {cid: c for cid, c in old_customers.items() if c is not None}
    assert not any(path.endswith(("/products", "/shipping_addresses", "/fees", "/payment_actions/refunds"))
                   and "{id}" in path for path in counts), counts


@pytest.mark.asyncio
async def test_transactions_are_skipped_only_where_no_money_was_taken(sandbox: Sandbox) -> None:
    old, _, _ = await _old_path(sandbox)
    new, _, _ = await _new_path(sandbox)
    skipped = 0
    for order_id, detail in old.items():
        if money_may_have_moved(detail.order):
            assert _same(new[order_id], detail), order_id
            continue
        skipped += 1
        assert _same(new[order_id], detail.model_copy(update={"transactions": ()})), order_id
        moved = [t for t in detail.transactions if t.status == "ok" and t.event in MONEY_EVENTS]
        assert moved == [], (order_id, detail.order.payment_status, moved)
    assert skipped > 10


@pytest.mark.asyncio
async def test_request_counts_per_order(sandbox: Sandbox) -> None:
    old, _, old_counts = await _old_path(sandbox)
    new, customers, counts = await _new_path(sandbox)
    n = len(new)
    groups = {
        "list": sum(v for k, v in counts.items() if k.startswith("GET v2/orders") and "{id}" not in k),
        "transactions": counts["GET v3/orders/{id}/transactions"],
        "taxes": counts["GET v2/orders/{id}/taxes"],
        "coupons": counts["GET v2/orders/{id}/coupons"],
        "customers": counts["GET v3/customers"],
        "refunds": counts["GET v3/orders/payment_actions/refunds"],
    }
    assert sum(groups.values()) == sum(counts.values()), counts
    per_order = {k: Decimal(v) / n for k, v in groups.items()}
    total = sum(per_order.values(), Decimal(0))
    old_total = Decimal(sum(old_counts.values())) / n
    print(f"\nper order on {n} orders: " + ", ".join(f"{k} {v:.3f}" for k, v in per_order.items())
          + f"; total {total:.3f} (per-order path {old_total:.3f})")
    # the rules, exactly: one list page per 250, one taxes / coupons / transactions read per order that needs it
    assert groups["list"] == -(-n // 250)
    assert groups["taxes"] == sum(1 for d in old.values() if d.order.total_tax != 0)
    assert groups["coupons"] == sum(1 for d in old.values() if d.order.coupon_discount != 0
                                    and coupons_from_lines(d.order, d.products) is None)
    assert groups["coupons"] < sum(1 for d in old.values() if d.order.coupon_discount != 0)
    assert groups["transactions"] == sum(1 for d in old.values() if money_may_have_moved(d.order))
    assert groups["customers"] == -(-len(customers) // 250)
    assert total < old_total / 2
    # per invoiced order (the default profile's statuses), with the list, customers and refunds spread over all
    invoiced = [d for d in old.values() if d.order.status_id in INVOICED]
    needs = sum(1 for d in invoiced for flag in (
        d.order.total_tax != 0, d.order.coupon_discount != 0 and coupons_from_lines(d.order, d.products) is None,
        money_may_have_moved(d.order)) if flag)
    shared = groups["list"] + groups["customers"] + groups["refunds"]
    print(f"invoiced orders {len(invoiced)}: {Decimal(needs + shared) / len(invoiced):.3f} per invoiced order "
          f"({needs} per-order reads + {shared} shared)")


@pytest.mark.asyncio
async def test_an_unreadable_order_comes_as_a_marker_and_its_page_is_still_read() -> None:
    sandbox = Sandbox(SandboxConfig(orders=30, seed=5, bc_quota=1_000_000))
    records = sandbox.bigcommerce.records()
    broken = records[7]["order"]
    broken["total_inc_tax"] = "twelve dollars"        # render_v2 sends strings as they are
    async with _client(sandbox) as client:
        items = [item async for item in client.iter_listed_orders(sort="id:asc")]
    assert len(items) == 30
    bad = [item for item in items if isinstance(item, bc_listing.UnreadableOrder)]
    assert [b.order_id for b in bad] == [broken["id"]]
    assert bad[0].payload["total_inc_tax"] == "twelve dollars" and "total_inc_tax" in bad[0].message
    assert isinstance(bad[0].error, UnreadableDataError) and bad[0].error.field == "total_inc_tax"
    assert "BigCommerce sent data BigBooks cannot read: order" in bad[0].message
    assert all(item.complete for item in items if isinstance(item, bc_listing.ListedOrder))
    odd = parse_listed_order(["not", "an", "order"])
    assert isinstance(odd, bc_listing.UnreadableOrder) and odd.order_id is None
    good = json_loads(dumps(items[0].payload if isinstance(items[0], bc_listing.UnreadableOrder) else
                            render_order(sandbox.config.store_hash, records[0]["order"], records[0]["fees"],
                                         render_consignments(sandbox.config.store_hash, records[0],
                                                             line_items=True))))
    good["consignments"]["shipping"] = "a string"
    marker = parse_listed_order(good)
    assert isinstance(marker, bc_listing.UnreadableOrder) and marker.order_id == records[0]["order"]["id"]
    assert isinstance(marker.error, UnreadableDataError) and marker.payload is good


@pytest.mark.asyncio
async def test_lines_missing_from_the_consignments_are_read_per_order(sandbox: Sandbox) -> None:
    """bigcommerce/dev-docs#2052: consignments.line_items came back empty for some orders. The quantities then
    do not add up to items_total, so the lines are read from /products; likewise a shipping consignment short."""
    record = next(r for r in sandbox.bigcommerce.records() if r["shipping_addresses"] and len(r["products"]) > 1)
    store_hash = sandbox.config.store_hash
    raw = render_order(store_hash, record["order"], record["fees"],
                       render_consignments(store_hash, record, line_items=True))
    raw = json_loads(dumps(raw))
    raw["consignments"]["shipping"][0]["line_items"] = []
    raw_no_ship = json_loads(dumps(raw))
    raw_no_ship["consignments"]["shipping"] = []
    linkless = json_loads(dumps(raw))
    linkless["consignments"] = {"url": "x", "resource": "/orders/1/consignments"}
    async with _client(sandbox) as client:
        expected = _by_id(await client.get_order_detail(record["order"]["id"])).model_copy(
            update={"products": (await client.get_order_detail(record["order"]["id"])).products})
        for payload, products_known, addresses_known in ((raw, False, True), (raw_no_ship, False, False),
                                                         (linkless, False, False)):
            listed = parse_listed_order(payload)
            assert isinstance(listed, bc_listing.ListedOrder)
            assert (listed.products is not None, listed.shipping_addresses is not None) == (
                products_known, addresses_known)
            sandbox.request_counts.clear()
            detail = await client.complete_order(listed, transactions=True)
            assert detail == expected
            read = _bc_counts(sandbox)
            assert read["GET v2/orders/{id}/products"] == 1
            assert read["GET v2/orders/{id}/shipping_addresses"] == (0 if addresses_known else 1)


def test_a_redemption_always_reads_the_transactions() -> None:
    """A gift certificate or store credit spent on an order is keyed by its transaction when the transactions are
    read, by the order otherwise (mapping/payments.py): they are read whatever the payment status says, so one
    redemption never gets two keys (two payments) between two reads of the order."""
    example = json_loads((EXAMPLES / "orders_v2_get_order.json").read_text(encoding="utf-8"))
    base = {**example, "status_id": 7, "payment_status": "pending", "gift_certificate_amount": "0.0000",
            "store_credit_amount": "0.0000"}
    assert not money_may_have_moved(wire.parse_order(base))
    with_certificate = wire.parse_order({**base, "gift_certificate_amount": "30.0000"})
    with_credit = wire.parse_order({**base, "store_credit_amount": "5.0000"})
    assert money_may_have_moved(with_certificate) and money_may_have_moved(with_credit)
