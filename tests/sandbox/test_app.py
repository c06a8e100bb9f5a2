"""The composed Sandbox: route keys, info, state, reset, request counting and the in-process transport."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bigbooks_desktop.sandbox.app import Sandbox, is_fault_exempt, route_key
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.freshbooks import PRIMARY_ACCOUNT_ID

from .standins import INVOICES_PATH, ORDERS_PATH, standin_sandbox


@pytest.mark.parametrize(("method", "path", "key"), [
    ("get", "/stores/sbx7k2q9/v2/orders/123", "GET /stores/{hash}/v2/orders/{id}"),
    ("GET", "/stores/abc/v2/orders/123/products", "GET /stores/{hash}/v2/orders/{id}/products"),
    ("GET", "/stores/abc/v3/orders/9/transactions", "GET /stores/{hash}/v3/orders/{id}/transactions"),
    ("POST", "/freshbooks/api/accounting/account/xZ7q1k/invoices/invoices",
     "POST /freshbooks/api/accounting/account/{account_id}/invoices/invoices"),
    ("PUT", "/freshbooks/api/accounting/account/xZ7q1k/invoices/invoices/55",
     "PUT /freshbooks/api/accounting/account/{account_id}/invoices/invoices/{id}"),
    ("GET", "/freshbooks/api/auth/api/v1/users/me", "GET /freshbooks/api/auth/api/v1/users/me"),
])
def test_route_keys_fold_ids_and_hashes(method: str, path: str, key: str) -> None:
    assert route_key(method, path) == key


def test_fault_exemptions() -> None:
    assert is_fault_exempt("/_sandbox")
    assert is_fault_exempt("/_sandbox/state")
    assert is_fault_exempt("/freshbooks/auth/oauth/authorize")
    assert is_fault_exempt("/bigcommerce/login")
    assert not is_fault_exempt("/freshbooks/auth/oauth/token")
    assert not is_fault_exempt("/bigcommerce/login/oauth2/token")
    assert not is_fault_exempt("/_sandboxed")
    assert not is_fault_exempt("/stores/abc/v2/orders")


def test_info_has_every_connection_detail() -> None:
    sandbox = standin_sandbox(orders=4, seed=9, bc_quota=450, time_scale=2)
    info = sandbox.info("http://127.0.0.1:8123/")
    assert info["bigcommerce_api_path"] == "http://127.0.0.1:8123/stores/sbx7k2q9/v3/"
    assert info["bigcommerce_login_url"] == "http://127.0.0.1:8123/bigcommerce/login"
    assert info["freshbooks_api_url"] == "http://127.0.0.1:8123/freshbooks/api"
    assert info["freshbooks_auth_url"] == "http://127.0.0.1:8123/freshbooks/auth"
    assert info["admin_url"] == "http://127.0.0.1:8123/_sandbox"
    assert info["freshbooks_redirect_uri"].startswith("http://127.0.0.1:")
    assert info["freshbooks_redirect_uri"].endswith("/callback")
    cfg = sandbox.config
    assert (info["bigcommerce_token"], info["bigcommerce_store_hash"]) == (
        cfg.bigcommerce_token, cfg.store_hash)
    assert (info["bigcommerce_client_id"], info["bigcommerce_client_secret"]) == (
        cfg.bigcommerce_client_id, cfg.bigcommerce_client_secret)
    assert (info["freshbooks_client_id"], info["freshbooks_client_secret"]) == (
        cfg.freshbooks_client_id, cfg.freshbooks_client_secret)
    assert (info["orders"], info["seed"], info["quota"], info["time_scale"]) == (4, 9, 450, Decimal("2.0"))


def test_freshbooks_items_are_seeded_from_the_store_catalog() -> None:
    sandbox = standin_sandbox()
    assert sandbox.state()["freshbooks"]["items"] == sandbox.bigcommerce.books_catalog()


@pytest.mark.asyncio
async def test_requests_are_counted_per_route_key_and_reset_clears_everything() -> None:
    sandbox = standin_sandbox(faults="GET /stores/*:503=0.5", seed=2)
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url="http://sandbox") as http:
        for order_id in (100, 101, 102):
            await http.get(f"{ORDERS_PATH}/{order_id}")
        await http.post(INVOICES_PATH, json={"invoice": {"amount": "3.00"}})
        await http.get("/_sandbox/state")
        first_statuses = [(await http.get(ORDERS_PATH)).status_code for _ in range(10)]
        state = sandbox.state()
        assert state["requests"] == {
            "GET /stores/{hash}/v2/orders": 10,
            "GET /stores/{hash}/v2/orders/{id}": 3,
            "POST /freshbooks/api/accounting/account/{account_id}/invoices/invoices": 1,
        }
        assert len(state["freshbooks"]["invoices"]) == 1
        sandbox.reset()
        after = sandbox.state()
        assert after["requests"] == {} and after["faults"] == {}
        assert after["freshbooks"]["invoices"] == []
        assert after["freshbooks"]["items"] == sandbox.bigcommerce.books_catalog()
        # Reset restarts the fault sequence: the same requests meet the same faults.
        for order_id in (100, 101, 102):
            await http.get(f"{ORDERS_PATH}/{order_id}")
        again = [(await http.get(ORDERS_PATH)).status_code for _ in range(10)]
    assert again == first_statuses
    assert 503 in again and 200 in again


# -- the real halves, composed ----------------------------------------------------------------------

REAL_CALLBACK = "http://127.0.0.1:5555/callback"


async def freshbooks_token(http: httpx.AsyncClient, sandbox: Sandbox) -> str:
    cfg = sandbox.config
    consent = await http.get("/freshbooks/auth/oauth/authorize", params={
        "client_id": cfg.freshbooks_client_id, "response_type": "code", "redirect_uri": REAL_CALLBACK})
    code = parse_qs(urlsplit(consent.headers["location"]).query)["code"][0]
    token = await http.post("/freshbooks/api/auth/oauth/token", json={
        "grant_type": "authorization_code", "client_id": cfg.freshbooks_client_id,
        "client_secret": cfg.freshbooks_client_secret, "code": code, "redirect_uri": REAL_CALLBACK})
    return str(token.json()["access_token"])


def test_real_halves_compose_and_seed_items_from_the_catalog() -> None:
    sandbox = Sandbox(SandboxConfig(orders=5, seed=1))
    state = sandbox.state()
    assert len(state["bigcommerce"]["orders"]) == 5
    assert set(state["freshbooks"]) >= {"clients", "invoices", "payments", "items", "taxes", "credit_notes"}
    catalog_skus = {row["sku"] for row in sandbox.bigcommerce.books_catalog()}
    assert catalog_skus and catalog_skus <= {item.get("sku") for item in state["freshbooks"]["items"]}
    items_before = len(state["freshbooks"]["items"])
    sandbox.reset()
    assert len(sandbox.state()["freshbooks"]["items"]) == items_before      # reset does not duplicate items
    fresh = Sandbox(SandboxConfig(orders=5, seed=1)).state()
    assert fresh["bigcommerce"] == sandbox.state()["bigcommerce"]
    assert without_uuids(fresh["freshbooks"]) == without_uuids(sandbox.state()["freshbooks"])


def without_uuids(books: dict[str, list[dict[str, object]]]) -> dict[str, list[dict[str, object]]]:
    """FreshBooks records carry random uuids (not derived from the seed); compare the rest."""
    return {name: [{k: v for k, v in row.items() if k != "uuid"} for row in rows]
            for name, rows in books.items()}


@pytest.mark.asyncio
async def test_real_halves_behind_the_fault_layer() -> None:
    sandbox = Sandbox(SandboxConfig(
        orders=3, seed=1, freshbooks_auto_consent=True,
        faults="POST /freshbooks/api/accounting/*/users/clients:lost=1;GET /stores/*/v2/orders:429burst=1x1"))
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url="http://sandbox") as http:
        token = await freshbooks_token(http, sandbox)   # consent page exempt; token endpoint not targeted
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post(f"/freshbooks/api/accounting/account/{PRIMARY_ACCOUNT_ID}/users/clients",
                            json={"client": {"organization": "Lost Ltd", "email": "lost@example.com"}},
                            headers={"Authorization": f"Bearer {token}"})
        limited = await http.get("/stores/sbx7k2q9/v2/orders",
                                 headers={"X-Auth-Token": sandbox.config.bigcommerce_token})
    assert "Lost Ltd" in [c.get("organization") for c in sandbox.state()["freshbooks"]["clients"]]
    assert limited.status_code == 429 and limited.headers["X-Rate-Limit-Time-Reset-Ms"] == "1000"
    assert sandbox.state()["requests"] == {
        "GET /freshbooks/auth/oauth/authorize": 1,
        "GET /stores/{hash}/v2/orders": 1,
        "POST /freshbooks/api/accounting/account/{account_id}/users/clients": 1,
        "POST /freshbooks/api/auth/oauth/token": 1,
    }
