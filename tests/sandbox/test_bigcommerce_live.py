"""Admin-style mutators of the BigCommerce sandbox: each bumps date_modified and keeps the money right."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from starlette.applications import Starlette

from bigbooks_desktop.sandbox.bigcommerce import BigCommerceSandbox
from bigbooks_desktop.sandbox.bigcommerce.audit import money_problems
from bigbooks_desktop.sandbox.config import SandboxConfig

NOW = 1_800_000_000.0
NOW_TEXT = "Fri, 15 Jan 2027 08:00:00 +0000"


def _sandbox() -> BigCommerceSandbox:
    return BigCommerceSandbox(SandboxConfig(orders=60, seed=4, clock=lambda: NOW))


def _problems(sandbox: BigCommerceSandbox) -> list[str]:
    return [p for r in sandbox.records() for p in money_problems(r)]


def test_add_order_appears_with_now_as_date_modified() -> None:
    sandbox = _sandbox()
    order = sandbox.add_order({"status_id": 10, "customer_message": "Rush please"})
    assert order["id"] == 160 and order["date_modified"] == NOW_TEXT and order["status_id"] == 10
    assert order["customer_message"] == "Rush please" and isinstance(order["total_inc_tax"], str)
    for status in (0, 4, 5, 7, 14):
        sandbox.add_order({"status_id": status})
    assert _problems(sandbox) == []
    with pytest.raises(ValueError):
        sandbox.add_order({"total_inc_tax": "1.00"})


def test_update_order_lines_recomputes_and_settles_payment() -> None:
    sandbox = _sandbox()
    record = next(r for r in sandbox.records() if r["order"]["status_id"] == 10 and not r["refunds"])
    order_id, line = record["order"]["id"], record["products"][0]
    before = Decimal(record["order"]["total_inc_tax"])
    updated = sandbox.update_order(
        order_id,
        {
            "products": [{"id": line["id"], "quantity": line["quantity"] + 2}],
            "staff_notes": "edited",
            "billing_address": {"city": "Zürich"},
        },
    )
    assert Decimal(updated["total_inc_tax"]) > before and updated["date_modified"] == NOW_TEXT
    assert updated["billing_address"]["city"] == "Zürich" and updated["staff_notes"] == "edited"
    sandbox.update_order(order_id, {"products": [{"id": line["id"], "quantity": 1}]})
    assert _problems(sandbox) == []


def test_status_changes_keep_money_consistent() -> None:
    sandbox = _sandbox()
    awaiting = next(r for r in sandbox.records() if r["order"]["status_id"] == 7)
    paid = sandbox.update_order(awaiting["order"]["id"], {"status_id": 11})
    assert paid["status"] == "Awaiting Fulfillment" and paid["payment_status"] == "captured"
    cancelled = next(r for r in sandbox.records() if r["order"]["status_id"] == 10)
    sandbox.update_order(cancelled["order"]["id"], {"status_id": 5})
    assert _problems(sandbox) == []


def test_refunds_partial_then_full() -> None:
    sandbox = _sandbox()
    record = next(r for r in sandbox.records() if r["order"]["status_id"] == 11 and not r["refunds"])
    order_id, total = record["order"]["id"], record["order"]["total_inc_tax"]
    partial = sandbox.add_refund(order_id, Decimal("1.00"), reason="scratch")
    assert partial["total_amount"] == Decimal("1.00") and partial["order_id"] == order_id
    assert record["order"]["status_id"] == 14 and _problems(sandbox) == []
    rest = sandbox.add_refund(order_id)
    assert rest["total_amount"] == total - Decimal("1.00")
    assert record["order"]["status_id"] == 4 and _problems(sandbox) == []
    with pytest.raises(ValueError):
        sandbox.add_refund(order_id)
    tx = sandbox.add_transaction(order_id, Decimal("2.50"), gateway="braintree", event="capture")
    assert tx["amount"] == Decimal("2.50") and tx["order_id"] == str(order_id)


@pytest.mark.asyncio
async def test_mutations_show_up_through_the_api() -> None:
    sandbox = _sandbox()
    new = sandbox.add_order({"status_id": 11})
    sandbox.add_refund(new["id"], Decimal("0.50"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=Starlette(routes=sandbox.routes())),
        base_url=f"http://sandbox/stores/{sandbox.config.store_hash}",
        headers={"X-Auth-Token": sandbox.config.bigcommerce_token},
    ) as client:
        rows = (await client.get("/v2/orders", params={"min_date_modified": "2027-01-01"})).json()
        assert [o["id"] for o in rows] == [new["id"]] and rows[0]["status_id"] == 14
        refunds = (await client.get(f"/v3/orders/{new['id']}/payment_actions/refunds")).json()
        assert len(refunds["data"]) == 1
    dumped = {o["id"]: o for o in sandbox.dump()["orders"]}[new["id"]]
    assert dumped["refunds"][0]["total_amount"] == Decimal("0.50") and dumped["products"]
    sandbox.reset()
    assert sandbox.record(new["id"]) is None
