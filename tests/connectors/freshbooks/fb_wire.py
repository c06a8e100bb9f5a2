"""FreshBooks client test helpers: fixture loading, a static bearer auth, a recording mock transport, and a
client signed in to the in-process FreshBooks sandbox."""

from __future__ import annotations

import json
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from starlette.applications import Starlette

from bigbooks_desktop.connectors.freshbooks.client import FreshBooksBackoff, FreshBooksClient
from bigbooks_desktop.connectors.http import RequestLog, RetryPolicy
from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.freshbooks import PRIMARY_ACCOUNT_ID, FreshBooksSandbox

FIXTURES = Path(__file__).resolve().parents[2] / "reference" / "freshbooks" / "fixtures"
TOKEN = "fb-access-7d1e0c9a44b2f6"
API = "https://api.freshbooks.com"
ACCOUNT = "ABC123"
SANDBOX_BASE = "http://sandbox.test"
REDIRECT = "http://127.0.0.1:53682/callback"


def fixture(name: str) -> Any:
    """`java/x.json`, `python/x.json` or `node/x.json`, parsed with Decimal floats."""
    short, _, file = name.partition("/")
    folder = {
        "java": "freshbooks-java-sdk",
        "python": "freshbooks-python-sdk",
        "node": "freshbooks-nodejs-sdk",
    }[short]
    return json_loads((FIXTURES / folder / file).read_bytes())


class StaticBearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


def reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body, default=str).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


class Recorder:
    """A MockTransport handler that records requests and answers from a callable or a queue."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response] | list[Any]) -> None:
        self.requests: list[httpx.Request] = []
        self._answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if callable(self._answer):
            return self._answer(request)
        nxt = self._answer.pop(0)
        if isinstance(nxt, Exception):
            raise nxt
        return nxt if isinstance(nxt, httpx.Response) else reply(nxt)

    def bodies(self) -> list[Any]:
        return [json_loads(r.content) if r.content else None for r in self.requests]


class Sleeps:
    """A fake `asyncio.sleep` with its own clock (so the shared backoff sees time pass)."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.now = 1000.0

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def make_client(
    recorder: Recorder,
    *,
    sleeps: Sleeps | None = None,
    log_lines: list[str] | None = None,
    max_retries: int = 4,
) -> FreshBooksClient:
    sleep = sleeps or Sleeps()
    return FreshBooksClient(
        api_url=API,
        account_id=ACCOUNT,
        auth=StaticBearer(TOKEN),
        transport=httpx.MockTransport(recorder),
        request_log=RequestLog(sink=log_lines.append, bodies=True) if log_lines is not None else None,
        retry_policy=RetryPolicy(max_retries=max_retries, base_delay=0.5),
        sleep=sleep,
        backoff=FreshBooksBackoff(sleep=sleep, clock=sleep.clock),
        rng=lambda: 0.5,
    )


async def signed_in_client(
    config: SandboxConfig, *, base: str, transport: httpx.AsyncBaseTransport | None, scope: str = ""
) -> FreshBooksClient:
    """A client holding a token got through the sandbox's own authorize + token endpoints."""
    async with httpx.AsyncClient(transport=transport, base_url=base) as http:
        consent = await http.get(
            "/freshbooks/auth/oauth/authorize",
            params={
                "client_id": config.freshbooks_client_id,
                "redirect_uri": REDIRECT,
                "response_type": "code",
                "scope": scope,
            },
        )
        code = parse_qs(urlsplit(consent.headers["location"]).query)["code"][0]
        token = await http.post(
            "/freshbooks/api/auth/oauth/token",
            json={
                "client_id": config.freshbooks_client_id,
                "client_secret": config.freshbooks_client_secret,
                "grant_type": "authorization_code",
                "redirect_uri": REDIRECT,
                "code": code,
            },
        )
    return FreshBooksClient(
        api_url=f"{base}/freshbooks/api",
        account_id=PRIMARY_ACCOUNT_ID,
        auth=StaticBearer(token.json()["access_token"]),
        transport=transport,
    )


async def sandbox_client(scope: str = "", **config_fields: Any) -> FreshBooksClient:
    """In process: the FreshBooks sandbox's routes behind an ASGI transport (`config_fields` go to its config)."""
    config = SandboxConfig(freshbooks_auto_consent=True, **config_fields)
    transport = httpx.ASGITransport(app=Starlette(routes=FreshBooksSandbox(config).routes()))
    return await signed_in_client(config, base=SANDBOX_BASE, transport=transport, scope=scope)
