"""Test harness for the FreshBooks sandbox: in-process client, movable clock, sign-in, shape comparison."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.freshbooks import PRIMARY_ACCOUNT_ID, FreshBooksSandbox

FIXTURES = Path(__file__).resolve().parents[1] / "reference" / "freshbooks" / "fixtures"
REDIRECT = "http://127.0.0.1:8765/callback"
API = "/freshbooks/api"
AUTH = "/freshbooks/auth"
BASE = f"{API}/accounting/account/{PRIMARY_ACCOUNT_ID}"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Session:
    """One sandbox, its config and clock, and an httpx client speaking to it in process."""

    sandbox: FreshBooksSandbox
    config: SandboxConfig
    clock: FakeClock
    http: httpx.AsyncClient
    token: dict[str, Any] | None = None

    @property
    def headers(self) -> dict[str, str]:
        assert self.token is not None
        return {"Authorization": f"Bearer {self.token['access_token']}"}

    async def authorize(self, *, scope: str | None = None, state: str = "st-1") -> httpx.Response:
        params = {
            "client_id": self.config.freshbooks_client_id,
            "response_type": "code",
            "redirect_uri": REDIRECT,
            "state": state,
        }
        if scope is not None:
            params["scope"] = scope
        return await self.http.post(f"{AUTH}/oauth/authorize", data={**params, "decision": "approve"})

    async def exchange(self, code: str, *, redirect_uri: str = REDIRECT) -> httpx.Response:
        return await self.http.post(
            f"{API}/auth/oauth/token",
            json={
                "client_id": self.config.freshbooks_client_id,
                "client_secret": self.config.freshbooks_client_secret,
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
            },
        )

    async def refresh(self, refresh_token: str) -> httpx.Response:
        return await self.http.post(
            f"{API}/auth/oauth/token",
            data={
                "client_id": self.config.freshbooks_client_id,
                "client_secret": self.config.freshbooks_client_secret,
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "redirect_uri": REDIRECT,
            },
        )

    async def sign_in(self, *, scope: str | None = None) -> dict[str, Any]:
        response = await self.authorize(scope=scope)
        code = httpx.URL(response.headers["location"]).params["code"]
        token = (await self.exchange(code)).json()
        self.token = token
        return dict(token)

    async def call(self, method: str, path: str, body: Any = None, **params: Any) -> tuple[int, Any]:
        response = await self.http.request(
            method, f"{BASE}/{path}", json=body, params=params or None, headers=self.headers
        )
        return response.status_code, json_loads(response.content) if response.content else None

    async def create(self, path: str, key: str, fields: dict[str, Any], **params: Any) -> dict[str, Any]:
        status, body = await self.call("POST", path, {key: fields}, **params)
        assert status == 200, body
        result: dict[str, Any] = body["response"]["result"][key]
        return result

    async def fetch(self, path: str, key: str, object_id: int, **params: Any) -> dict[str, Any]:
        status, body = await self.call("GET", f"{path}/{object_id}", **params)
        assert status == 200, body
        result: dict[str, Any] = body["response"]["result"][key]
        return result

    async def client(self, **fields: Any) -> dict[str, Any]:
        return await self.create(
            "users/clients", "client", {"email": "buyer@example.com", "fname": "Ada", **fields}
        )

    async def invoice(self, customerid: int, lines: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
        return await self.create(
            "invoices/invoices",
            "invoice",
            {"customerid": customerid, "create_date": "2026-03-01", "lines": lines, **fields},
            **{"include[]": "lines"},
        )

    async def pay(self, invoiceid: int, amount: str, **fields: Any) -> dict[str, Any]:
        return await self.create(
            "payments/payments",
            "payment",
            {
                "invoiceid": invoiceid,
                "amount": {"amount": amount},
                "date": "2026-03-02",
                "type": "Check",
                **fields,
            },
        )


@asynccontextmanager
async def session(
    *, signed_in: bool = True, scope: str | None = None, **config: Any
) -> AsyncIterator[Session]:
    clock = FakeClock()
    cfg = SandboxConfig(clock=clock, **config)
    sandbox = FreshBooksSandbox(cfg)
    app = Starlette(routes=sandbox.routes())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as http:
        result = Session(sandbox=sandbox, config=cfg, clock=clock, http=http)
        if signed_in:
            await result.sign_in(scope=scope)
        yield result


def fixture(name: str) -> Any:
    """A fixture file under tests/reference/freshbooks/fixtures, e.g. "java/get_invoice_response.json"."""
    folder, _, file = name.partition("/")
    full = {
        "java": "freshbooks-java-sdk",
        "python": "freshbooks-python-sdk",
        "node": "freshbooks-nodejs-sdk",
    }[folder]
    return json.loads((FIXTURES / full / file).read_text(encoding="utf-8"), parse_float=str)


def shape_differences(
    actual: Any,
    expected: Any,
    *,
    path: str = "$",
    skip: frozenset[str] = frozenset(),
    nullable_ok: bool = True,
) -> list[str]:
    """Every place where `actual` lacks a key of `expected`, has an extra key, or a value of another type.

    A null on either side matches any type when `nullable_ok` (fixtures hold null where a live account has a
    value and vice versa). Lists are compared element-wise against the fixture's first element. `skip` names
    keys (anywhere) that are left out on both sides.
    """
    problems: list[str] = []
    if nullable_ok and (actual is None or expected is None):
        return problems
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected object, got {type(actual).__name__}"]
        want = {key for key in expected if key not in skip}
        have = {key for key in actual if key not in skip}
        problems += [f"{path}.{key}: missing" for key in sorted(want - have)]
        problems += [f"{path}.{key}: extra" for key in sorted(have - want)]
        for key in sorted(want & have):
            problems += shape_differences(
                actual[key], expected[key], path=f"{path}.{key}", skip=skip, nullable_ok=nullable_ok
            )
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected list, got {type(actual).__name__}"]
        if expected:
            for index, element in enumerate(actual):
                problems += shape_differences(
                    element, expected[0], path=f"{path}[{index}]", skip=skip, nullable_ok=nullable_ok
                )
        return problems
    kinds = {bool: "bool", int: "int", str: "str"}
    expected_kind = kinds.get(type(expected), type(expected).__name__)
    actual_kind = kinds.get(type(actual), type(actual).__name__)
    if expected_kind != actual_kind:
        problems.append(f"{path}: expected {expected_kind} ({expected!r}), got {actual_kind} ({actual!r})")
    return problems
