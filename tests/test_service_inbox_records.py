"""The inbox's rows about FreshBooks items and clients (catalog and customer sync) through the service, on a
sandbox served over loopback with the "Catalog and customers in step" profile: a field changed on both sides is
listed as "Item SKU" / "Client of customer N" in its own group, shown with both values, refused when the choice
is incomplete, decided, and settled by the next sync (the item takes BigCommerce's value, the client keeps
FreshBooks'); a SKU two products share is settled by following one; the dashboard counts what is kept in step;
the run's words name the catalog and customer counts."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
import pytest_asyncio

from bigbooks_desktop.core.dashboard_views import KeptInStepView
from bigbooks_desktop.core.errors import ValidationError
from bigbooks_desktop.core.inbox_views import CauseCode, ConflictChoice, FixKind, row_label, subject_label
from bigbooks_desktop.core.run_words import records_phrase, run_sentence
from bigbooks_desktop.core.views import CountsView, RunStatus


def test_rows_that_are_not_an_orders_are_named_by_their_subject() -> None:
    assert subject_label("item:MUG-111") == "Item MUG-111"
    assert subject_label("client:customer:42") == "Client of customer 42"
    assert subject_label(None) is None
    assert row_label(123, None, 7) == "Order 123"
    assert row_label(None, "client:customer:42", 7) == "Client of customer 42"
    assert row_label(None, None, 7) == "Problem 7"


def test_the_kept_in_step_line_shows_only_with_a_sync_on_or_something_kept() -> None:
    assert not KeptInStepView().shown
    assert KeptInStepView(catalog_on=True).sentence == "Catalog: 0 items in step"
    both = KeptInStepView(catalog_on=True, customers_on=True, items_in_step=312, items_archived=4,
                          clients_in_step=88)
    assert both.shown and both.sentence == "Catalog: 312 items in step, 4 archived · Customers: 88 clients in step"
    left = KeptInStepView(clients_in_step=3, clients_flagged=1)
    assert left.shown and left.sentence == ("Customers: 3 clients in step, 1 deleted in BigCommerce (kept, "
                                            "flagged) (customer sync is off)")


def test_the_run_words_name_catalog_and_customer_counts_only_when_they_ran() -> None:
    assert records_phrase(CountsView()) == ""
    quiet = CountsView(extra={"catalog_products_read": 0, "customers_read": 0})
    assert records_phrase(quiet) == "Catalog: nothing changed · Customers: nothing changed"
    busy = CountsView(extra={"catalog_products_read": 2, "catalog_items_updated": 1, "catalog_conflicts": 1,
                             "customers_read": 1, "clients_updated_from_customers": 1})
    assert records_phrase(busy) == ("Catalog: 2 products read, 1 item updated, 1 conflict in the inbox · "
                                    "Customers: 1 customer read, 1 client updated")
    sentence = run_sentence(status=RunStatus.FINISHED, counts=busy)
    assert sentence.startswith("Last sync: no invoice to write. Catalog: 2 products read")
    assert run_sentence(status=RunStatus.FINISHED, counts=quiet).startswith("Last sync: nothing new to write")


UP_TO_DATE = "Last sync: nothing new to write; FreshBooks was already up to date."


def test_a_quiet_run_with_nothing_waiting_says_freshbooks_is_up_to_date() -> None:
    assert run_sentence(status=RunStatus.FINISHED, counts=CountsView()) == UP_TO_DATE


def test_a_quiet_run_beside_a_row_in_the_inbox_does_not_say_up_to_date() -> None:
    # a conflict left by an earlier run still waits: nothing new to write, but FreshBooks is not all in step
    assert run_sentence(status=RunStatus.FINISHED, counts=CountsView(), inbox_active=1, inbox_records=1) == (
        "Last sync: nothing new to write. 1 item or client needs attention in the error inbox.")
    assert run_sentence(status=RunStatus.FINISHED, counts=CountsView(), inbox_active=2) == (
        "Last sync: nothing new to write. 2 orders need attention in the error inbox.")


def test_a_quiet_run_that_left_a_conflict_or_failure_behind_does_not_say_up_to_date() -> None:
    left = [CountsView(extra={"catalog_products_read": 1, "catalog_conflicts": 1}),
            CountsView(extra={"customers_read": 1, "customer_conflicts": 1}),
            CountsView(extra={"catalog_products_read": 1, "catalog_failed": 1}),
            CountsView(extra={"customers_read": 1, "customers_failed": 1}),
            CountsView(orders_seen=1, orders_failed=1)]
    for counts in left:           # even when the caller does not know what waits in the inbox
        sentence = run_sentence(status=RunStatus.FINISHED, counts=counts)
        assert sentence.startswith("Last sync: nothing was written.") and "up to date" not in sentence, counts


@pytest_asyncio.fixture
async def service() -> AsyncIterator[Any]:
    """30 orders, seed 3, the catalog profile, synced once through the coordinator; `service.admin(method,
    path, body)` calls the sandbox's admin API, `service.tick()` moves the sandbox clock on."""
    from bigbooks_desktop import accounts
    from bigbooks_desktop.core.preferences import load_preferences, save_preferences
    from bigbooks_desktop.mapping.profile_templates import TEMPLATES
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread
    from bigbooks_desktop.service import BigBooksService

    save_preferences(load_preferences().model_copy(update={"backfill_start": date(2000, 1, 1)}))
    skew = [0.0]
    config = SandboxConfig(orders=30, seed=3, time_scale=200, clock=lambda: time.time() + skew[0])
    with SandboxThread(config) as sandbox:
        svc = BigBooksService(allow_file_store=True, profile=TEMPLATES["catalog_and_customers"].build())
        await svc.connect_sandbox(sandbox.info["admin_url"])
        await svc.sync_now()

        async def admin(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
            async with httpx.AsyncClient(base_url=sandbox.info["admin_url"]) as http:
                response = await http.request(method, path, json=body)
                assert response.status_code < 300, response.text
                return response.json() if response.content else None

        def tick() -> None:
            skew[0] += 2.0

        svc.admin, svc.tick, svc.sandbox = admin, tick, sandbox
        yield svc
        await svc.close_sync()
        await svc.aclose()
        accounts.forget_shared_auth()


async def _freshbooks() -> Any:
    from bigbooks_desktop import accounts

    return await accounts.open_freshbooks_client(allow_file_store=True)


@pytest.mark.sockets
@pytest.mark.asyncio
async def test_a_conflict_is_listed_shown_decided_and_settled_by_the_next_sync(service: Any) -> None:
    from bigbooks_desktop.core import freshbooks as fb
    from bigbooks_desktop.store.entity_state import EntityKind, get_state
    from bigbooks_desktop.store.links import find_client_link

    board = await service.dashboard()
    kept = board.kept_in_step
    assert kept.catalog_on and kept.customers_on and kept.items_in_step > 5 and kept.clients_in_step > 0
    assert board.kept_in_step.sentence.startswith(f"Catalog: {kept.items_in_step} items in step")

    store = service.sandbox.sandbox.bigcommerce.store
    product = next(p for p in store.products if len(p["variants"]) == 1 and p["is_visible"])
    sku = product["variants"][0]["sku"]
    item_state = get_state(EntityKind.ITEM, sku)
    customer = next(c for c in store.customers if find_client_link(f"customer:{c['id']}") is not None)
    service.tick()               # the customer's first change since it ordered: its client gets a baseline
    await service.admin("PATCH", f"/customers/{customer['id']}", {"phone": "555-0101"})
    await service.sync_now()
    client_state = get_state(EntityKind.CLIENT, f"customer:{customer['id']}")
    assert item_state is not None and client_state is not None
    async with await _freshbooks() as freshbooks:     # the bookkeeper edits the item and the client by hand
        await freshbooks.update_item(item_state.object_id, fb.ItemUpdate(name="Mug, large (by hand)"))
        client = await freshbooks.get_client(client_state.object_id)
        fields = {name: getattr(client, name) for name in fb.ClientDraft.model_fields}
        await freshbooks.update_client(client.id, fb.ClientDraft(**{**fields, "p_city": "Bangor"}))
    service.tick()
    await service.admin("PATCH", f"/products/{product['id']}", {"name": "Grand Café Mug", "price": "70.00"})
    await service.admin("PATCH", f"/customers/{customer['id']}", {"city": "Portland"})
    summary = await service.sync_now()
    assert summary.counts.extra["catalog_conflicts"] == 1 and summary.counts.extra["customer_conflicts"] == 1
    assert summary.inbox_records == 2 and summary.inbox_active >= 2      # the sync panel names them as such
    assert "Catalog: " in run_sentence(status=summary.status, counts=summary.counts)

    # listed: each in its own group, named by what it is about
    groups = {g.key: g for g in (await service.inbox_groups()).groups}
    items, clients = groups["field_conflict:item"], groups["field_conflict:client"]
    assert items.summary == "1 item: changed in both BigCommerce and FreshBooks"
    assert clients.summary == "1 client: changed in both BigCommerce and FreshBooks"
    item_row, client_row = items.items[0], clients.items[0]
    assert item_row.order_id is None and item_row.subject == f"item:{sku}"
    assert row_label(None, client_row.subject, client_row.id) == f"Client of customer {customer['id']}"
    listed = {i.id: i for i in await service.list_inbox()}
    assert listed[item_row.id].subject == f"item:{sku}"

    # shown: both values side by side, in words
    fix = await service.inbox_fix(item_row.id)
    assert fix.code is CauseCode.FIELD_CONFLICT and fix.fix is FixKind.CHOOSE_VALUES
    assert fix.subject_label == f"Item {sku}"
    assert [(c.field, c.label, c.bigcommerce, c.freshbooks, c.chosen) for c in fix.conflicts] == [
        ("name", "Name", "Grand Café Mug", "Mug, large (by hand)", None)]
    assert f"The FreshBooks item {sku} was edited in FreshBooks" in fix.what_happened
    assert "choose which value to keep" in fix.what_to_do

    # refused: not a field in conflict, not a choice, a field left out (nothing saved)
    for bad in ({"unit_cost": "bigcommerce"}, {"name": "both"}, {}):
        with pytest.raises(ValidationError) as refused:
            await service.choose_inbox_values(item_row.id, bad)
        assert refused.value.field == "choose"
    assert (await service.inbox_fix(item_row.id)).history == ()

    # decided: BigCommerce's name for the item, FreshBooks' city for the client
    chosen = await service.choose_inbox_values(item_row.id, {"name": "BigCommerce"})
    assert chosen.conflicts[0].chosen is ConflictChoice.BIGCOMMERCE
    assert chosen.history[-1].text == "Chose to keep BigCommerce's name"
    kept_city = await service.choose_inbox_values(client_row.id, {"p_city": "freshbooks"})
    assert kept_city.history[-1].text == "Chose to keep FreshBooks' city"

    # settled by the next sync (Retry runs it through the coordinator)
    await service.retry_inbox_items([item_row.id, client_row.id])
    assert not [g for g in (await service.inbox_groups()).groups if g.code is CauseCode.FIELD_CONFLICT]
    async with await _freshbooks() as freshbooks:
        assert (await freshbooks.get_item(item_state.object_id)).name == "Grand Café Mug"
        assert (await freshbooks.get_client(client_state.object_id)).p_city == "Bangor"
    settled = await service.inbox_fix(item_row.id)
    assert settled.item.status.value == "resolved"


@pytest.mark.sockets
@pytest.mark.asyncio
async def test_a_shared_sku_is_settled_by_following_one_product(service: Any) -> None:
    from bigbooks_desktop.store.entity_state import EntityKind, get_state

    store = service.sandbox.sandbox.bigcommerce.store
    first, second = [p for p in store.products if len(p["variants"]) == 1 and p["is_visible"]][:2]
    sku = first["variants"][0]["sku"]
    service.tick()
    await service.admin("PATCH", f"/variants/{second['variants'][0]['id']}", {"sku": sku,
                                                                            "allow_duplicate_sku": True})
    await service.sync_now()
    group = next(g for g in (await service.inbox_groups()).groups if g.code is CauseCode.SHARED_SKU)
    assert group.summary == "1 item: SKU shared by two products"
    row = group.items[0]
    fix = await service.inbox_fix(row.id)
    assert fix.fix is FixKind.FOLLOW_PRODUCT and fix.shared_sku == sku
    assert [(p.id, p.followed) for p in fix.products] == sorted([(first["id"], True), (second["id"], False)])
    assert "give each product its own SKU in BigCommerce" in fix.what_to_do
    with pytest.raises(ValidationError):
        await service.follow_inbox_product(row.id, 999_999)
    chosen = await service.follow_inbox_product(row.id, second["id"])
    assert next(p for p in chosen.products if p.id == second["id"]).chosen
    await service.retry_inbox_items([row.id])
    assert not [g for g in (await service.inbox_groups()).groups if g.code is CauseCode.SHARED_SKU]
    state = get_state(EntityKind.ITEM, sku)
    assert state is not None and state.source_id == second["id"]
