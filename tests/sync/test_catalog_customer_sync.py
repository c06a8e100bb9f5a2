"""Catalog and customer sync (profile template "Catalog and customers in step"), against the sandbox through the
real clients: items follow products (a repriced product, a renamed variant, a hidden or deleted product
archived and never deleted, a SKU two products share), clients follow customers (a new address), a field
changed on both sides waits in the inbox with both values and is settled by the user's choice, a field the
profile lets FreshBooks keep is never written, every overwrite is in the activity log, and a quiet run costs
one BigCommerce call per resource."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from sync_harness import EPOCH, Rig, check_books, rig

from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.mapping.profile_templates import TEMPLATES
from bigbooks_desktop.store.cursors import get_cursor, set_cursor
from bigbooks_desktop.store.entity_state import EntityKind, EntityStatus, count_states, get_state
from bigbooks_desktop.store.error_queue import ACTIVE_STATUSES, edit_error, list_errors
from bigbooks_desktop.store.links import find_client_link
from bigbooks_desktop.store.runs import recent_activity
from bigbooks_desktop.sync.catalog_sync import CATALOG_IDS_STREAM
from bigbooks_desktop.sync.customer_sync import CUSTOMERS_IDS_STREAM

pytestmark = pytest.mark.asyncio


def _profile(**changes: Any) -> Any:
    return TEMPLATES["catalog_and_customers"].build().model_copy(update=changes)


def _items(r: Rig) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for item in r.state()["freshbooks"]["items"]:
        found.setdefault(item["sku"], []).append(item)
    return found


def _client(r: Rig, client_id: int) -> dict[str, Any]:
    return next(c for c in r.state()["freshbooks"]["clients"] if c["id"] == client_id)


def _variant_skus(r: Rig) -> set[str]:
    return {v["sku"] for p in r.sandbox.bigcommerce.store.products for v in p["variants"] if v["sku"]}


async def _requests(r: Rig) -> Counter[str]:
    return Counter((await r.admin("GET", "/requests"))["requests"])


def _activity(text: str) -> list[str]:
    return [a.message for a in recent_activity(500) if text in a.message]


async def test_items_follow_products_and_are_archived_never_deleted() -> None:
    async with rig(orders=20, seed=3) as r:
        r.profile = _profile()
        first = await r.sync(since=EPOCH)
        items = _items(r)
        skus = _variant_skus(r)
        assert skus <= set(items) and all(len(items[s]) == 1 for s in skus)     # one item per SKU, once
        assert first.counts["catalog_items_created"] + first.counts.get("items_created", 0) >= 1
        products = r.sandbox.bigcommerce.store.products
        product = next(p for p in products if len(p["variants"]) == 1)
        sku = product["variants"][0]["sku"]
        invoice_lines_before = [line for inv in r.state()["freshbooks"]["invoices"] for line in inv["lines"]]
        # a repriced product
        r.tick()
        await r.admin("PATCH", f"/products/{product['id']}", {"price": "12.34"})
        summary = await r.sync(since=None)
        assert summary.counts["catalog_items_updated"] == 1
        assert Decimal(_items(r)[sku][0]["unit_cost"]["amount"]) == Decimal("12.34")
        assert _activity(f"({sku})") and "unit_cost" in _activity(f"({sku})")[0]
        # invoices already written keep the price they sold at
        assert [line for inv in r.state()["freshbooks"]["invoices"] for line in inv["lines"]] == \
            invoice_lines_before
        # a renamed variant
        multi = next(p for p in products if len(p["variants"]) > 1 and p["variants"][0]["option_values"])
        variant = multi["variants"][0]
        r.tick()
        await r.admin("PATCH", f"/variants/{variant['id']}", {"name": "Ultramarine"})
        await r.sync(since=None)
        assert "Ultramarine" in _items(r)[variant["sku"]][0]["name"]
        # a hidden product: archived (vis_state 2), still there
        r.tick()
        await r.admin("PATCH", f"/products/{product['id']}", {"is_visible": False})
        summary = await r.sync(since=None)
        assert summary.counts["catalog_items_archived"] == 1
        assert _items(r)[sku][0]["vis_state"] == 2
        state = get_state(EntityKind.ITEM, sku)
        assert state is not None and state.status is EntityStatus.ARCHIVED
        # shown again: its item is restored, not left archived
        r.tick()
        await r.admin("PATCH", f"/products/{product['id']}", {"is_visible": True})
        summary = await r.sync(since=None)
        assert summary.counts["catalog_items_restored"] == 1 and _items(r)[sku][0]["vis_state"] == 0
        state = get_state(EntityKind.ITEM, sku)
        assert state is not None and state.status is EntityStatus.ACTIVE
        r.tick()
        await r.admin("PATCH", f"/products/{product['id']}", {"is_visible": False})
        await r.sync(since=None)
        # a deleted product: archived by the daily id check (made due here)
        gone = next(p for p in products if p["is_visible"] and p["id"] not in (product["id"], multi["id"]))
        gone_skus = [v["sku"] for v in gone["variants"]]
        await r.admin("DELETE", f"/products/{gone['id']}")
        cursor = get_cursor(CATALOG_IDS_STREAM)
        assert cursor is not None
        set_cursor(CATALOG_IDS_STREAM, "2000-01-01T00:00:00+00:00")
        await r.sync(since=None)
        assert all(_items(r)[s][0]["vis_state"] == 2 for s in gone_skus)
        assert len(r.state()["freshbooks"]["items"]) >= len(skus)                  # nothing deleted
        books = check_books(r.state())
        assert books["duplicates"] == {} and books["wrong_total"] == []


async def test_a_quiet_run_costs_one_bigcommerce_call_per_resource() -> None:
    async with rig(orders=20, seed=3) as r:
        r.profile = _profile()
        await r.sync(since=EPOCH)
        r.tick()
        before = await _requests(r)
        await r.sync(since=None)
        made = await _requests(r)
        made.subtract(before)
        catalog = {k: n for k, n in made.items() if n and ("/catalog/" in k or "/customers" in k)}
        assert catalog == {"GET /stores/{hash}/v3/catalog/products": 1, "GET /stores/{hash}/v3/customers": 1}
        assert not [k for k, n in made.items() if n and k.startswith(("POST /freshbooks", "PUT /freshbooks"))]


async def test_a_customers_new_address_reaches_its_client() -> None:
    async with rig(orders=30, seed=3) as r:
        r.profile = _profile()
        await r.sync(since=EPOCH)
        customer = next(c for c in r.sandbox.bigcommerce.store.customers
                        if find_client_link(f"customer:{c['id']}") is not None)
        link = find_client_link(f"customer:{customer['id']}")
        assert link is not None
        r.tick()
        await r.admin("PATCH", f"/customers/{customer['id']}",
                      {"street_1": "1 Harbour Road", "city": "Portland", "state": "Maine", "zip": "04101"})
        summary = await r.sync(since=None)
        assert summary.counts["clients_updated_from_customers"] == 1
        client = _client(r, link.client_id)
        assert (client["p_street"], client["p_city"], client["p_province"], client["p_code"]) == \
            ("1 Harbour Road", "Portland", "Maine", "04101")
        assert _activity("p_street") and "1 Harbour Road" in _activity("p_street")[0]
        # a customer deleted in BigCommerce: flagged, its client kept
        await r.admin("DELETE", f"/customers/{customer['id']}")
        set_cursor(CUSTOMERS_IDS_STREAM, "2000-01-01T00:00:00+00:00")
        summary = await r.sync(since=None)
        assert summary.counts["customers_deleted_flagged"] == 1
        assert _client(r, link.client_id)["vis_state"] == 0
        assert count_states(EntityKind.CLIENT)[EntityStatus.SOURCE_DELETED] == 1


async def test_a_field_changed_on_both_sides_waits_for_a_choice() -> None:
    async with rig(orders=20, seed=3) as r:
        r.profile = _profile()
        await r.sync(since=EPOCH)
        product = next(p for p in r.sandbox.bigcommerce.store.products if len(p["variants"]) == 1)
        sku = product["variants"][0]["sku"]
        state = get_state(EntityKind.ITEM, sku)
        assert state is not None
        async with r.clients() as (_, freshbooks):                # the bookkeeper renames the item
            await freshbooks.update_item(state.object_id, fb.ItemUpdate(name="Mug, large (by hand)"))
        r.tick()
        await r.admin("PATCH", f"/products/{product['id']}", {"name": "Grand Café Mug", "price": "70.00"})
        summary = await r.sync(since=None)
        assert summary.counts["catalog_conflicts"] == 1
        item = _items(r)[sku][0]
        assert item["name"] == "Mug, large (by hand)"                       # the conflicting field left alone
        assert Decimal(item["unit_cost"]["amount"]) == Decimal("70.00")      # the other field written
        row = next(e for e in list_errors(status=ACTIVE_STATUSES) if e.subject == f"item:{sku}")
        conflict = row.cause["conflicts"][0]
        assert (conflict["field"], conflict["bigcommerce"], conflict["freshbooks"]) == \
            ("name", "Grand Café Mug", "Mug, large (by hand)")
        await r.sync(since=None)                # read again within the overlap: still one waiting row, one try
        again = [e for e in list_errors(status=ACTIVE_STATUSES) if e.subject == f"item:{sku}"]
        assert [e.id for e in again] == [row.id] and again[0].attempts == 1
        # the user keeps FreshBooks' name: written nowhere, the row settled, and it is the new baseline
        edit_error(row.id, {"choose": {"name": "freshbooks"}})
        await r.sync(since=None)
        assert not [e for e in list_errors(status=ACTIVE_STATUSES) if e.subject == f"item:{sku}"]
        assert _items(r)[sku][0]["name"] == "Mug, large (by hand)"
        state = get_state(EntityKind.ITEM, sku)
        assert state is not None and state.values["name"] == "Mug, large (by hand)"
        # a later price change writes the price only, with no conflict
        r.tick()
        await r.admin("PATCH", f"/products/{product['id']}", {"price": "71.00"})
        summary = await r.sync(since=None)
        assert summary.counts.get("catalog_conflicts", 0) == 0
        assert _items(r)[sku][0]["name"] == "Mug, large (by hand)"


async def test_a_field_freshbooks_keeps_is_never_written() -> None:
    async with rig(orders=30, seed=3) as r:
        r.profile = _profile(clients_keep_freshbooks=("organization",))
        await r.sync(since=EPOCH)
        customer = next(c for c in r.sandbox.bigcommerce.store.customers
                        if find_client_link(f"customer:{c['id']}") is not None)
        link = find_client_link(f"customer:{customer['id']}")
        assert link is not None
        r.tick()
        await r.admin("PATCH", f"/customers/{customer['id']}", {"company": "Renamed Ltd", "phone": "555-9999"})
        await r.sync(since=None)
        client = _client(r, link.client_id)
        assert client["organization"] != "Renamed Ltd" and client["bus_phone"] == "555-9999"
        # the bookkeeper sets the organization by hand; a new order of the customer does not write it either
        async with r.clients() as (_, freshbooks):
            held = await freshbooks.get_client(link.client_id)
            await freshbooks.update_client(link.client_id, fb.ClientDraft(
                **{**{n: getattr(held, n) for n in fb.ClientDraft.model_fields}, "organization": "Set by hand"}))
        r.tick()
        await r.admin("POST", "/orders", {"status_id": 11, "customer_id": customer["id"],
                                          "billing_address": {"company": "From the order Ltd"}})
        await r.sync(since=None)
        assert _client(r, link.client_id)["organization"] == "Set by hand"


async def test_a_sku_shared_from_the_first_read_follows_the_product_chosen() -> None:
    async with rig(orders=10, seed=3) as r:
        first, second = [p for p in r.sandbox.bigcommerce.store.products if len(p["variants"]) == 1][:2]
        sku = first["variants"][0]["sku"]
        await r.admin("PATCH", f"/variants/{second['variants'][0]['id']}",
                      {"sku": sku, "allow_duplicate_sku": True})
        r.profile = _profile()
        await r.sync(since=EPOCH)
        row = next(e for e in list_errors(status=ACTIVE_STATUSES) if e.subject == f"item:{sku}")
        edit_error(row.id, {"follow": second["id"]})
        r.tick()
        await r.sync(since=None)
        state = get_state(EntityKind.ITEM, sku)
        assert state is not None and state.source_id == second["id"]
        assert not [e for e in list_errors(status=ACTIVE_STATUSES) if e.subject == f"item:{sku}"]


async def test_a_sku_two_products_share_is_a_conflict() -> None:
    async with rig(orders=10, seed=3) as r:
        r.profile = _profile()
        await r.sync(since=EPOCH)
        first, second = [p for p in r.sandbox.bigcommerce.store.products if len(p["variants"]) == 1][:2]
        sku = first["variants"][0]["sku"]
        r.tick()
        await r.admin("PATCH", f"/variants/{second['variants'][0]['id']}",
                      {"sku": sku, "allow_duplicate_sku": True})
        summary = await r.sync(since=None)
        assert summary.counts["catalog_conflicts"] >= 1
        row = next(e for e in list_errors(status=ACTIVE_STATUSES) if e.subject == f"item:{sku}")
        assert row.cause["code"] == "shared_sku" and sorted(row.cause["products"]) == sorted(
            [first["id"], second["id"]])
        assert len(_items(r)[sku]) == 1
        # the first product no longer sells it: the user makes the item follow the second
        edit_error(row.id, {"follow": second["id"]})
        await r.sync(since=None)
        assert not [e for e in list_errors(status=ACTIVE_STATUSES) if e.subject == f"item:{sku}"]
        state = get_state(EntityKind.ITEM, sku)
        assert state is not None and state.source_id == second["id"]


async def test_an_items_default_tax_follows_its_products_tax_class() -> None:
    async with rig(orders=20, seed=3) as r:
        r.profile = _profile()
        await r.sync(since=EPOCH)                       # the orders create the store's taxes in FreshBooks
        taxes = r.state()["freshbooks"]["taxes"]
        assert taxes
        tax = taxes[0]
        product = next(p for p in r.sandbox.bigcommerce.store.products
                       if len(p["variants"]) == 1 and not p["tax_class_id"])
        sku = product["variants"][0]["sku"]
        r.profile = _profile(tax_class_taxes={"0": (tax["name"],), "99": ("No such tax",)})
        r.tick()
        await r.admin("PATCH", f"/products/{product['id']}", {"price": "20.00"})
        await r.sync(since=None)
        item = _items(r)[sku][0]
        assert int(item["tax1"]) == tax["id"]
        assert Decimal(item["unit_cost"]["amount"]) == Decimal("20.00")
