"""The inbox and dashboard screens with catalog and customer sync on, on a real service and a sandbox served over
loopback, synced for real: a FreshBooks item and a client changed in both places are listed as "Item SKU" and
"Client of customer N" in their own groups; the conflict form shows BigCommerce's and FreshBooks' values side
by side, refuses to save with a field left unchosen, and Save and retry writes the choice to FreshBooks and
settles the row; the dashboard counts the items and clients kept in step."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from page_helpers import open_page

from bigbooks_desktop.core.inbox_views import ConflictChoice, FixKind

pytestmark = pytest.mark.sockets


async def _conflicts(service: Any, sandbox: Any, skew: list[float]) -> tuple[str, int]:
    """The bookkeeper renames and reprices an item and moves a client in FreshBooks; the store changes the same
    fields; a sync finds both conflicts. Returns the item's SKU and FreshBooks id."""
    from bigbooks_desktop import accounts
    from bigbooks_desktop.core import freshbooks as fb
    from bigbooks_desktop.store.entity_state import EntityKind, get_state
    from bigbooks_desktop.store.links import find_client_link

    store = sandbox.sandbox.bigcommerce.store
    admin = sandbox.info["admin_url"]
    product = next(p for p in store.products if len(p["variants"]) == 1 and p["is_visible"])
    sku = product["variants"][0]["sku"]
    customer = next(c for c in store.customers if find_client_link(f"customer:{c['id']}") is not None)
    async with httpx.AsyncClient(base_url=admin) as http:
        skew[0] += 2          # the customer's first change: its client gets a baseline
        (await http.patch(f"/customers/{customer['id']}", json={"phone": "555-0101"})).raise_for_status()
        await service.sync_now()
        item = get_state(EntityKind.ITEM, sku)
        client = get_state(EntityKind.CLIENT, f"customer:{customer['id']}")
        assert item is not None and client is not None
        async with await accounts.open_freshbooks_client(allow_file_store=True) as freshbooks:
            held = await freshbooks.get_item(item.object_id)
            await freshbooks.update_item(item.object_id, fb.ItemUpdate(
                name="Mug, large (by hand)", unit_cost=Decimal("64.00"), currency_code=held.currency_code))
            now = await freshbooks.get_client(client.object_id)
            fields = {name: getattr(now, name) for name in fb.ClientDraft.model_fields}
            await freshbooks.update_client(now.id, fb.ClientDraft(**{**fields, "p_city": "Bangor"}))
        skew[0] += 2
        (await http.patch(f"/products/{product['id']}", json={"name": "Grand Café Mug", "price": "70.00"})
         ).raise_for_status()
        (await http.patch(f"/customers/{customer['id']}", json={"city": "Portland"})).raise_for_status()
    summary = await service.sync_now()
    assert summary.counts.extra["catalog_conflicts"] == 1 and summary.counts.extra["customer_conflicts"] == 1
    return sku, item.object_id


@pytest.fixture
def records_service(qloop: asyncio.AbstractEventLoop) -> Iterator[Any]:
    """A service with the "Catalog and customers in step" profile on a 30-order sandbox (seed 3), synced, with an
    item and a client changed in both places."""
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
        service = BigBooksService(allow_file_store=True, profile=TEMPLATES["catalog_and_customers"].build())
        qloop.run_until_complete(service.connect_sandbox(sandbox.info["admin_url"]))
        qloop.run_until_complete(service.sync_now())
        service.conflict = qloop.run_until_complete(_conflicts(service, sandbox, skew))
        yield service
        qloop.run_until_complete(service.close_sync())
        qloop.run_until_complete(service.aclose())
        accounts.forget_shared_auth()


def _wait(loop: asyncio.AbstractEventLoop, future: Any) -> None:
    done, _ = loop.run_until_complete(asyncio.wait([future], timeout=120))
    assert done, "the page's operation did not end within 120 s"


async def _item(item_id: int) -> Any:
    from bigbooks_desktop import accounts

    async with await accounts.open_freshbooks_client(allow_file_store=True) as freshbooks:
        return await freshbooks.get_item(item_id)


def test_the_conflict_form_shows_both_values_and_settles_the_choice(
        records_service: Any, qloop: asyncio.AbstractEventLoop, qtbot: Any, qtmodeltester: Any,
        save_screenshot: Any) -> None:
    from PySide6.QtCore import Qt

    from bigbooks_desktop.gui.ops import ErrorPresenter
    from bigbooks_desktop.gui.pages.inbox import InboxPage

    sku, item_id = records_service.conflict
    presenter = ErrorPresenter()
    page = open_page(qtbot, qloop, InboxPage(records_service, presenter=presenter))
    qtmodeltester.check(page.model)
    summaries = {g.key: g.summary for g in page.groups.groups}
    assert summaries["field_conflict:item"] == "1 item: changed in both BigCommerce and FreshBooks"
    assert summaries["field_conflict:client"] == "1 client: changed in both BigCommerce and FreshBooks"
    clients = page.model.group_index("field_conflict:client")
    assert page.model.index(0, 0, clients).data(Qt.ItemDataRole.DisplayRole).startswith("Client of customer ")

    _wait(qloop, page.select_group("field_conflict:item"))
    rows = page.model.group_index("field_conflict:item")
    assert page.model.index(0, 0, rows).data(Qt.ItemDataRole.DisplayRole) == f"Item {sku}"
    assert page.fix is not None and page.fix.fix is FixKind.CHOOSE_VALUES
    assert page.form_stack.currentWidget() is page.conflict_form
    assert page.title.text() == f"Item {sku}: changed in both BigCommerce and FreshBooks"
    form = page.conflict_form
    assert [c.field for c in form.conflicts] == ["name", "unit_cost"]
    texts = {key: button.text() for key, button in form.buttons.items()}
    assert texts[("name", ConflictChoice.BIGCOMMERCE)] == "Grand Café Mug"
    assert texts[("name", ConflictChoice.FRESHBOOKS)] == "Mug, large (by hand)"
    assert texts[("unit_cost", ConflictChoice.BIGCOMMERCE)] == "70.00 USD"
    assert texts[("unit_cost", ConflictChoice.FRESHBOOKS)] == "64.00 USD"
    assert all(b.accessibleName() and b.toolTip() for b in form.buttons.values())
    page.open_fix()
    assert form.first_field() is form.buttons[("name", ConflictChoice.BIGCOMMERCE)]
    save_screenshot(page, "inbox-fix-conflict")

    form.choose("name", ConflictChoice.FRESHBOOKS)
    form.save.click()                                   # the price is left unchosen: refused, nothing saved
    assert form.message.isVisible() and "still to choose: price" in form.message.text()
    assert qloop.run_until_complete(records_service.inbox_fix(page.fix.item.id)).history == ()

    form.choose("unit_cost", ConflictChoice.BIGCOMMERCE)
    form.save.click()
    _wait(qloop, page.pending)
    assert "field_conflict:item" not in {g.key for g in page.groups.groups}
    assert "settled: FreshBooks has what you chose" in page.result.text()
    item = qloop.run_until_complete(_item(item_id))
    assert item.name == "Mug, large (by hand)" and item.unit_cost == Decimal("70.00")
    assert not presenter.shown, presenter.shown


def test_the_dashboard_counts_items_and_clients_kept_in_step(
        records_service: Any, qloop: asyncio.AbstractEventLoop, qtbot: Any, save_screenshot: Any) -> None:
    from bigbooks_desktop.gui.ops import ErrorPresenter
    from bigbooks_desktop.gui.pages.dashboard import DashboardPage

    presenter = ErrorPresenter()
    page = open_page(qtbot, qloop, DashboardPage(records_service, presenter=presenter), (1280, 800))
    assert page.board is not None
    kept = page.board.kept_in_step
    assert kept.items_in_step > 5 and kept.clients_in_step >= 1
    assert page.kept.isVisible() and page.kept_title.isVisible()
    assert page.kept.text().startswith(f"Catalog: {kept.items_in_step} items in step\nCustomers: ")
    assert "2 items or clients need attention" in page.last_run.text()      # the two conflicts wait
    assert ("Catalog: 1 product read, 1 conflict in the inbox · Customers: 1 customer read, 1 conflict in the "
            "inbox. 2 items or clients need attention") in page.last_run.text()
    save_screenshot(page, "dashboard-catalog")
    assert not presenter.shown, presenter.shown


def test_the_dashboard_line_is_hidden_without_catalog_or_customer_sync(
        sandbox_service: Any, qloop: asyncio.AbstractEventLoop, qtbot: Any) -> None:
    from bigbooks_desktop.gui.ops import ErrorPresenter
    from bigbooks_desktop.gui.pages.dashboard import DashboardPage

    page = DashboardPage(sandbox_service, presenter=ErrorPresenter())
    qtbot.addWidget(page)
    page.show()
    qloop.run_until_complete(page.refresh())
    assert page.board is not None and not page.board.kept_in_step.shown
    assert not page.kept.isVisible() and not page.kept_title.isVisible()
