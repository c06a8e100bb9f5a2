"""The admin API under /_sandbox: info, state, reset, order events, faults at run time, request counts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest
import pytest_asyncio

from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig

from .standins import ORDERS_PATH, standin_sandbox


@pytest.fixture
def sandbox() -> Sandbox:
    return standin_sandbox(orders=3)


@pytest_asyncio.fixture
async def admin(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url="http://sandbox") as http:
        yield http


def body(response: httpx.Response) -> object:
    return json_loads(response.content)


@pytest.mark.asyncio
async def test_info_uses_the_requests_base_url(admin: httpx.AsyncClient) -> None:
    info = (await admin.get("/_sandbox")).json()
    assert info["admin_url"] == "http://sandbox/_sandbox"
    assert info["bigcommerce_api_path"] == "http://sandbox/stores/sbx7k2q9/v3/"


@pytest.mark.asyncio
async def test_state_shape(admin: httpx.AsyncClient, sandbox: Sandbox) -> None:
    state = body(await admin.get("/_sandbox/state"))
    assert isinstance(state, dict)
    assert set(state) == {"bigcommerce", "freshbooks", "requests", "faults"}
    assert len(state["bigcommerce"]["orders"]) == 3
    assert state["bigcommerce"]["orders"][0]["total_inc_tax"] == Decimal("10.00")
    assert set(state["freshbooks"]) >= {"clients", "invoices", "payments", "items", "taxes", "credit_notes"}


@pytest.mark.asyncio
async def test_add_modify_refund_and_transaction(admin: httpx.AsyncClient, sandbox: Sandbox) -> None:
    created = await admin.post("/_sandbox/orders", json={"status_id": 10})
    assert created.status_code == 201
    order_id = created.json()["id"]
    assert created.json()["status_id"] == 10
    plain = await admin.post("/_sandbox/orders")
    assert plain.status_code == 201
    patched = await admin.patch(f"/_sandbox/orders/{order_id}", json={"status_id": 5})
    assert patched.status_code == 200 and patched.json()["status_id"] == 5
    refund = await admin.post(f"/_sandbox/orders/{order_id}/refunds",
                              content=b'{"amount": 12.50, "reason": "damaged"}')
    assert refund.status_code == 201
    transaction = await admin.post(f"/_sandbox/orders/{order_id}/transactions",
                                   json={"amount": "3.10", "event": "refund", "gateway": "paypal"})
    assert transaction.status_code == 201
    order = sandbox.bigcommerce._order(order_id)
    assert order["refunds"] == [{"id": 1, "amount": Decimal("12.50"), "reason": "damaged"}]
    assert order["transactions"] == [
        {"id": 1, "amount": Decimal("3.10"), "gateway": "paypal", "event": "refund"}]
    assert isinstance(order["refunds"][0]["amount"], Decimal)


@pytest.mark.asyncio
async def test_admin_errors_are_json_with_a_reason(admin: httpx.AsyncClient) -> None:
    missing = await admin.patch("/_sandbox/orders/999", json={"status_id": 5})
    assert missing.status_code == 404 and "not found" in missing.json()["error"]
    bad_amount = await admin.post("/_sandbox/orders/100/refunds", json={"amount": "lots"})
    assert bad_amount.status_code == 422 and "amount" in bad_amount.json()["error"]
    not_json = await admin.post("/_sandbox/orders", content=b"{nope")
    assert not_json.status_code == 400
    empty_patch = await admin.patch("/_sandbox/orders/100")
    assert empty_patch.status_code == 400
    no_amount = await admin.post("/_sandbox/orders/100/transactions", json={})
    assert no_amount.status_code == 422


@pytest.mark.asyncio
async def test_reset_restores_the_store(admin: httpx.AsyncClient, sandbox: Sandbox) -> None:
    await admin.post("/_sandbox/orders")
    await admin.get(ORDERS_PATH)
    assert len(sandbox.state()["bigcommerce"]["orders"]) == 4
    response = await admin.post("/_sandbox/reset")
    assert response.status_code == 200
    state = sandbox.state()
    assert len(state["bigcommerce"]["orders"]) == 3
    assert state["requests"] == {}


@pytest.mark.asyncio
async def test_faults_can_be_replaced_at_run_time(admin: httpx.AsyncClient, sandbox: Sandbox) -> None:
    assert (await admin.get("/_sandbox/faults")).json()["spec"] == ""
    assert (await admin.get(ORDERS_PATH)).status_code == 200
    put = await admin.put("/_sandbox/faults", json={"spec": "GET /stores/*:502=1"})
    assert put.status_code == 200 and put.json()["rules"] == ["GET /stores/*:502=1"]
    assert (await admin.get(ORDERS_PATH)).status_code == 502
    bad = await admin.put("/_sandbox/faults", json={"spec": "GET /stores/*:502=2"})
    assert bad.status_code == 400 and "outside 0..1" in bad.json()["error"]
    assert (await admin.get("/_sandbox/faults")).json()["spec"] == "GET /stores/*:502=1"   # old plan kept
    no_spec = await admin.put("/_sandbox/faults", json={"faults": "x"})
    assert no_spec.status_code == 400
    await admin.put("/_sandbox/faults", json={"spec": ""})
    assert (await admin.get(ORDERS_PATH)).status_code == 200


@pytest.mark.asyncio
async def test_request_counts(admin: httpx.AsyncClient) -> None:
    await admin.put("/_sandbox/faults", json={"spec": "GET /stores/*/v2/orders/*:503=1"})
    await admin.get(ORDERS_PATH)
    await admin.get(f"{ORDERS_PATH}/100")
    await admin.get(f"{ORDERS_PATH}/101")
    counts = (await admin.get("/_sandbox/requests")).json()
    assert counts == {"requests": {"GET /stores/{hash}/v2/orders": 1, "GET /stores/{hash}/v2/orders/{id}": 2},
                      "faults": {"503": 2}}


@pytest.mark.asyncio
async def test_order_events_through_the_real_store_show_up_in_its_api() -> None:
    real = Sandbox(SandboxConfig(orders=3, seed=1))
    token = {"X-Auth-Token": real.config.bigcommerce_token, "Accept": "application/json"}
    v2, v3 = "/stores/sbx7k2q9/v2", "/stores/sbx7k2q9/v3"
    async with httpx.AsyncClient(transport=real.transport(), base_url="http://sandbox") as http:
        created = await http.post("/_sandbox/orders")
        assert created.status_code == 201, created.text
        order_id = created.json()["id"]
        assert (await http.get(f"{v2}/orders/{order_id}", headers=token)).status_code == 200
        refund = await http.post(f"/_sandbox/orders/{order_id}/refunds",
                                 json={"amount": "1.25", "reason": "scuffed cover"})
        assert refund.status_code == 201, refund.text
        refunds = body(await http.get(f"{v3}/orders/{order_id}/payment_actions/refunds", headers=token))
        transaction = await http.post(f"/_sandbox/orders/{order_id}/transactions",
                                      json={"amount": 2.5, "event": "capture"})
        assert transaction.status_code == 201, transaction.text
        transactions = body(await http.get(f"{v3}/orders/{order_id}/transactions", headers=token))
        patched = await http.patch(f"/_sandbox/orders/{order_id}", json={"status_id": 10})
        assert patched.status_code == 200, patched.text
        order = body(await http.get(f"{v2}/orders/{order_id}", headers=token))
        too_much = await http.post(f"/_sandbox/orders/{order_id}/refunds", json={"amount": "999999.00"})
    assert isinstance(refunds, dict) and isinstance(transactions, dict) and isinstance(order, dict)
    assert [r["total_amount"] for r in refunds["data"]] == [Decimal("1.25")]
    assert Decimal("2.50") in [t["amount"] for t in transactions["data"]]
    assert order["status_id"] == 10
    assert too_much.status_code == 422 and "exceeds" in too_much.json()["error"]
