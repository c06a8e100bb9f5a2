"""FreshBooksClient item and client updates against the in-process FreshBooks sandbox (issue 12): an item update
changes only what it sets (qty and inventory stay), archiving keeps the item readable with vis_state 2, a client
update moves its `updated` timestamp; plus the reference fixtures' item fields."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from fb_wire import sandbox_client

from bigbooks_desktop.connectors.freshbooks import bodies
from bigbooks_desktop.connectors.freshbooks.parsing import parse_item
from bigbooks_desktop.core import freshbooks as fb

FIXTURES = Path(__file__).resolve().parents[2] / "reference" / "freshbooks" / "fixtures"


class Clock:
    def __init__(self) -> None:
        self.now = 1_780_000_000.0

    def __call__(self) -> float:
        return self.now


def test_item_fixtures_give_qty_inventory_and_updated() -> None:
    node = json.loads((FIXTURES / "freshbooks-nodejs-sdk" / "Item__01_GET_200.json").read_text())
    item = parse_item(node["response"]["result"]["item"])
    assert (item.qty, item.inventory, item.vis_state) == (Decimal("21"), None, 0)   # inventory "" = not counted
    assert item.updated is not None and item.updated.isoformat() == "2016-07-20T15:36:09-04:00"   # US/Eastern
    java = json.loads((FIXTURES / "freshbooks-java-sdk" / "get_item_response.json").read_text())
    item = parse_item(java["response"]["result"]["item"])
    assert (item.qty, item.inventory, item.tax1, item.tax2) == (Decimal("100"), None, 7840, None)
    deleted = json.loads((FIXTURES / "freshbooks-nodejs-sdk" / "Item__04_PUT_200.json").read_text())
    assert parse_item(deleted["response"]["result"]["item"]).vis_state == fb.VisState.DELETED


def test_update_body_carries_only_what_is_set() -> None:
    assert bodies.item_update_body(fb.ItemUpdate(unit_cost=Decimal("12.5"), currency_code="USD")) == {
        "unit_cost": {"amount": "12.5", "code": "USD"}
    }
    full = bodies.item_update_body(fb.ItemUpdate(name="Mug", description="", qty=Decimal("3"),
                                                 inventory=Decimal("40"), tax1=7, tax2=0))
    assert full == {"name": "Mug", "description": "", "qty": "3", "inventory": "40", "tax1": "7", "tax2": "0"}
    assert "vis_state" not in full
    assert bodies.VIS_ARCHIVED == {"vis_state": 2}


@pytest.mark.asyncio
async def test_update_keeps_qty_and_inventory_and_archive_keeps_the_item_readable() -> None:
    clock = Clock()
    async with await sandbox_client(clock=clock) as client:
        made = await client.create_item(fb.ItemDraft(name="Mug - Large", sku="MUG-1-LAR", unit_cost=Decimal("9.00"),
                                                     currency_code="USD", qty=Decimal("2"), inventory=Decimal("40")))
        assert (made.qty, made.inventory, made.unit_cost) == (Decimal("2"), Decimal("40"), Decimal("9.00"))
        assert made.updated is not None

        clock.now += 3600
        repriced = await client.update_item(made.id, fb.ItemUpdate(name="Mug - XL", unit_cost=Decimal("11.50"),
                                                                   currency_code="USD"))
        assert (repriced.name, repriced.unit_cost, repriced.currency_code) == ("Mug - XL", Decimal("11.50"), "USD")
        assert (repriced.qty, repriced.inventory, repriced.sku) == (Decimal("2"), Decimal("40"), "MUG-1-LAR")
        assert repriced.updated is not None and repriced.updated > made.updated

        stocked = await client.update_item(made.id, fb.ItemUpdate(inventory=Decimal("12"), description="Blue"))
        assert (stocked.inventory, stocked.description, stocked.unit_cost) == (Decimal("12"), "Blue", Decimal("11.50"))
        assert await client.get_item(made.id) == stocked

        clock.now += 3600
        archived = await client.archive_item(made.id)
        assert archived.vis_state == fb.VisState.ARCHIVED
        again = await client.get_item(made.id)
        assert again.vis_state == fb.VisState.ARCHIVED and again.name == "Mug - XL"       # kept, not deleted
        assert again.updated is not None and stocked.updated is not None and again.updated > stocked.updated
        assert await client.find_item_by_sku("MUG-1-LAR") is None          # out of the active lists
        assert made.id not in {i.id for i in await client.list_items()}


@pytest.mark.asyncio
async def test_client_update_moves_its_updated_timestamp() -> None:
    clock = Clock()
    async with await sandbox_client(clock=clock) as client:
        made = await client.create_client(fb.ClientDraft(email="ada@example.com", fname="Ada", lname="Lovelace",
                                                         organization="Analytical", p_city="London"))
        clock.now += 90
        changed = await client.update_client(made.id, made.model_copy(update={"p_street": "12 St James's Sq"}))
        assert changed.p_street == "12 St James's Sq" and changed.organization == "Analytical"
        assert made.updated is not None and changed.updated is not None and changed.updated > made.updated
        assert await client.get_client(made.id) == changed
