"""The whole sandbox as one ASGI app: both API halves, admin routes, request counting and fault injection."""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from decimal import Decimal
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bigbooks_desktop.core.jsonwire import dumps
from bigbooks_desktop.sandbox.admin import ADMIN_PREFIX, admin_routes
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.faults import FaultDecision, FaultPlan
from bigbooks_desktop.sandbox.transport import SandboxTransport, drop_after_handling, reset_before_handling

__all__ = ["Sandbox", "is_fault_exempt", "route_key"]

EXAMPLE_LOOPBACK_PORT = 53682   # port shown in the example FreshBooks redirect URI (any port is accepted)


class Sandbox:
    """Both emulated services behind one ASGI app (`asgi_app`), plus the admin and inspection methods."""

    def __init__(self, config: SandboxConfig, *, bigcommerce: Any = None, freshbooks: Any = None) -> None:
        """Build both halves from `config`; tests may pass stand-in halves with the same interface."""
        self.config = config
        if bigcommerce is None:
            from bigbooks_desktop.sandbox.bigcommerce import BigCommerceSandbox
            bigcommerce = BigCommerceSandbox(config)
        if freshbooks is None:
            from bigbooks_desktop.sandbox.freshbooks import FreshBooksSandbox
            freshbooks = FreshBooksSandbox(config)
        self.bigcommerce = bigcommerce
        self.freshbooks = freshbooks
        self.freshbooks.seed_items(self.bigcommerce.books_catalog())
        self.faults = FaultPlan.parse(config.faults, seed=config.seed, time_scale=config.time_scale)
        self.request_counts: Counter[str] = Counter()     # "GET /stores/{hash}/v2/orders/{id}" -> n
        self.fault_counts: Counter[str] = Counter()       # "503", "429", "reset", "lost", "latency" -> n
        routes: list[BaseRoute] = [*self.bigcommerce.routes(), *self.freshbooks.routes(), *admin_routes(self)]
        self.asgi_app: ASGIApp = _CountingFaultMiddleware(Starlette(routes=routes), sandbox=self)

    # -- inspection -------------------------------------------------------------------------------

    def info(self, base_url: str) -> dict[str, Any]:
        """Everything a client needs to connect: the one JSON line `bigbooks sandbox` prints."""
        base = base_url.rstrip("/")
        cfg = self.config
        redirect = cfg.freshbooks_redirect_uris[0].replace(":*", f":{EXAMPLE_LOOPBACK_PORT}")
        return {
            "base_url": base,
            "bigcommerce_api_path": f"{base}/stores/{cfg.store_hash}/v3/",
            "bigcommerce_token": cfg.bigcommerce_token,
            "bigcommerce_store_hash": cfg.store_hash,
            "bigcommerce_login_url": f"{base}/bigcommerce/login",
            "bigcommerce_client_id": cfg.bigcommerce_client_id,
            "bigcommerce_client_secret": cfg.bigcommerce_client_secret,
            "freshbooks_api_url": f"{base}/freshbooks/api",
            "freshbooks_auth_url": f"{base}/freshbooks/auth",
            "freshbooks_client_id": cfg.freshbooks_client_id,
            "freshbooks_client_secret": cfg.freshbooks_client_secret,
            "freshbooks_redirect_uri": redirect,
            "freshbooks_redirect_uris": list(cfg.freshbooks_redirect_uris),
            "freshbooks_token_ttl": Decimal(str(cfg.freshbooks_token_ttl)),
            "freshbooks_tax_rounding": cfg.freshbooks_tax_rounding,
            "admin_url": f"{base}{ADMIN_PREFIX}",
            "orders": cfg.orders,
            "seed": cfg.seed,
            "quota": cfg.bc_quota,
            "freshbooks_quota": cfg.freshbooks_quota,
            "time_scale": Decimal(str(cfg.time_scale)),
            "faults": self.faults.spec,
        }

    def state(self) -> dict[str, Any]:
        """Both halves' data plus the per-route request counts (and injected fault counts)."""
        return {
            "bigcommerce": self.bigcommerce.dump(),
            "freshbooks": self.freshbooks.dump(),
            "requests": dict(sorted(self.request_counts.items())),
            "faults": dict(sorted(self.fault_counts.items())),
        }

    def reset(self) -> None:
        """Back to the generated store, seeded books (items kept), zero counts, first fault draw."""
        self.bigcommerce.reset()
        self.freshbooks.reset()   # keeps the items given to seed_items
        self.request_counts.clear()
        self.fault_counts.clear()
        self.faults.restart()

    def set_faults(self, spec: str) -> FaultPlan:
        """Replace the fault plan (raises FaultSpecError and keeps the old plan when `spec` is bad)."""
        self.faults = FaultPlan.parse(spec, seed=self.config.seed, time_scale=self.config.time_scale)
        self.config.faults = self.faults.spec
        return self.faults

    def transport(self) -> httpx.AsyncBaseTransport:
        """In-process transport: dropped connections surface as httpx.ReadError / RemoteProtocolError."""
        return SandboxTransport(self.asgi_app)


def route_key(method: str, path: str) -> str:
    """`GET /stores/{hash}/v2/orders/{id}`: numeric ids, store hashes and FreshBooks account ids folded."""
    out: list[str] = []
    previous = ""
    for segment in path.split("/"):
        if segment and previous == "stores":
            out.append("{hash}")
        elif segment and previous == "account":
            out.append("{account_id}")
        elif segment.isdigit():
            out.append("{id}")
        else:
            out.append(segment)
        previous = segment
    return f"{method.upper()} {'/'.join(out)}"


def is_fault_exempt(path: str) -> bool:
    """Admin routes and the OAuth pages a person's browser sees are never faulted; token endpoints are."""
    if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
        return True
    oauth_pages = path.startswith(("/freshbooks/auth/", "/bigcommerce/login"))
    return oauth_pages and not path.rstrip("/").endswith("/token")


class _CountingFaultMiddleware:
    """Outermost ASGI layer: counts each API request by route key, then applies the fault plan."""

    def __init__(self, app: ASGIApp, *, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        sandbox = self.sandbox
        if not path.startswith(ADMIN_PREFIX):
            sandbox.request_counts[route_key(method, path)] += 1
        if is_fault_exempt(path):
            await self.app(scope, receive, send)
            return
        decision = sandbox.faults.decide(method, path)
        if decision.delay_s > 0:
            sandbox.fault_counts["latency"] += 1
            await asyncio.sleep(decision.delay_s)
        if decision.action is None:
            await self.app(scope, receive, send)
            return
        sandbox.fault_counts[str(decision.status) if decision.status else decision.action] += 1
        if decision.action == "reset":
            await reset_before_handling(receive, send)
            return
        if decision.action == "lost":
            messages: list[Message] = []

            async def capture(message: Message) -> None:
                messages.append(message)

            await self.app(scope, receive, capture)
            await drop_after_handling(send, messages, method=method)
            return
        await _send_fault_status(send, decision, path=path, config=sandbox.config)


async def _send_fault_status(send: Send, decision: FaultDecision, *, path: str,
                             config: SandboxConfig) -> None:
    status = decision.status
    headers: list[tuple[bytes, bytes]] = [(b"content-type", b"application/json")]
    title = {429: "Too many requests", 500: "Internal Server Error", 502: "Bad Gateway",
             503: "Service Unavailable"}.get(status, "Error")
    body: Any
    if path.startswith(("/stores/", "/bigcommerce/")):
        if "/v2/" in path:
            body = [{"status": status, "message": f"{title} (sandbox fault)."}]
        else:
            body = {"status": status, "title": f"{title} (sandbox fault)",
                    "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
                    "errors": {}}
        if status == 429:
            reset_ms = max(1, math.ceil(1000 / config.time_scale))
            window_ms = max(1, math.ceil(config.window_seconds() * 1000))
            headers += [
                (b"x-rate-limit-requests-left", b"0"),
                (b"x-rate-limit-requests-quota", str(config.bc_quota).encode()),
                (b"x-rate-limit-time-reset-ms", str(reset_ms).encode()),
                (b"x-rate-limit-time-window-ms", str(window_ms).encode()),
                (b"x-retry-after", str(math.ceil(reset_ms / 1000)).encode()),
            ]
    else:
        body = {"response": {"errors": [{"errno": status, "message": f"{title} (sandbox fault)."}]}}
        if status == 429:
            headers.append((b"retry-after", str(round(1 / config.time_scale)).encode()))
    content = dumps(body).encode()
    headers.append((b"content-length", str(len(content)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})
