"""HTTP plumbing both connectors share: redacted request logs, request stats, retries, httpx error conversion.

Status-code mapping stays in each connector (the two services speak different error shapes); this module
only knows about transport failures and about when and how long to wait before trying again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx

from bigbooks_desktop.core.errors import (
    BigBooksError,
    BugError,
    ConfigurationError,
    RateLimitedError,
    TransientError,
)
from bigbooks_desktop.core.redact import redact, redact_headers

__all__ = [
    "READ_METHODS",
    "RequestLog",
    "RequestStats",
    "RetryPolicy",
    "error_from_transport",
    "is_read",
    "retry_after_seconds",
    "route_of",
    "send_request",
    "with_retries",
]

T = TypeVar("T")

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_LOGGER = logging.getLogger("bigbooks_desktop.http")
_ID_SEGMENT = re.compile(r"/(?:\d+|[0-9a-f]{8}-[0-9a-f-]{27,})(?=/|$)")
_OWNER_SEGMENT = re.compile(r"/(stores|account)/[^/]+")   # BigCommerce store hash, FreshBooks account id
_OWNER_NAMES = {"stores": "{hash}", "account": "{account_id}"}


def is_read(method: str) -> bool:
    """True for methods that never change anything on the server, so retrying them is always safe."""
    return method.upper() in READ_METHODS


def route_of(path: str) -> str:
    """A URL path with ids as `{id}` (and the store hash / account id folded), so stats group
    `/stores/abc/v2/orders/101/products` with its siblings."""
    path = _OWNER_SEGMENT.sub(lambda m: f"/{m.group(1)}/" + _OWNER_NAMES[m.group(1)], path)
    return _ID_SEGMENT.sub("/{id}", path)


class RequestLog:
    """Writes one redacted line per request, response and failure (to a logger, and to `sink` when given).

    Header values under secret names (`Authorization`, `X-Auth-Token`, ...) become `***`; URLs and bodies go
    through `core.redact`, which also scrubs any token registered with `register_secret`.
    Bodies are logged only with `bodies=True`, cut to `max_body_chars`.
    """

    def __init__(self, *, logger: logging.Logger | None = None, sink: Callable[[str], None] | None = None,
                 bodies: bool = False, headers: bool = True, max_body_chars: int = 2000) -> None:
        self.logger = logger or _LOGGER
        self.sink = sink
        self.bodies = bodies
        self.headers = headers
        self.max_body_chars = max_body_chars

    def _emit(self, level: int, text: str) -> None:
        line = redact(text)
        self.logger.log(level, "%s", line)
        if self.sink is not None:
            self.sink(line)

    def _body(self, content: bytes) -> str:
        text = content[: self.max_body_chars * 4].decode("utf-8", errors="replace")
        if len(text) > self.max_body_chars:
            text = text[: self.max_body_chars] + "...(cut)"
        return text

    def request(self, request: httpx.Request, *, attempt: int = 1) -> None:
        parts = [f"-> {request.method} {request.url}"]
        if attempt > 1:
            parts.append(f"(attempt {attempt})")
        if self.headers:
            parts.append(f"headers={redact_headers(dict(request.headers))}")
        if self.bodies and request.content:
            parts.append(f"body={self._body(request.content)}")
        self._emit(logging.DEBUG, " ".join(parts))

    def response(self, response: httpx.Response, *, elapsed: float) -> None:
        request = response.request
        parts = [f"<- {response.status_code} {request.method} {request.url} in {elapsed * 1000:.0f} ms"]
        if self.headers:
            parts.append(f"headers={redact_headers(dict(response.headers))}")
        if self.bodies and response.content:
            parts.append(f"body={self._body(response.content)}")
        level = logging.DEBUG if response.status_code < 400 else logging.INFO
        self._emit(level, " ".join(parts))

    def failure(self, request: httpx.Request, exc: BaseException, *, elapsed: float) -> None:
        self._emit(logging.INFO, f"<- FAILED {request.method} {request.url} after {elapsed * 1000:.0f} ms: "
                                 f"{type(exc).__name__}: {exc}")


@dataclass
class RequestStats:
    """What a client did: requests per `METHOD route`, statuses, retries, 429s, transport failures."""

    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    retries: int = 0
    rate_limited: int = 0
    transport_failures: int = 0
    waited_seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def record_request(self, method: str, path: str) -> None:
        self.requests[f"{method.upper()} {route_of(path)}"] += 1

    def record_status(self, status: int) -> None:
        self.statuses[status] += 1
        if status == 429:
            self.rate_limited += 1

    def snapshot(self) -> dict[str, Any]:
        """Plain data for benchmarks and the diagnostics page."""
        return {"total": self.total, "requests": dict(self.requests),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "retries": self.retries, "rate_limited": self.rate_limited,
                "transport_failures": self.transport_failures,
                "waited_seconds": round(self.waited_seconds, 3)}


def retry_after_seconds(headers: httpx.Headers, *, now: datetime | None = None) -> float | None:
    """`Retry-After` / `X-Retry-After` as seconds (delta-seconds or an HTTP date), or None when absent."""
    for name in ("retry-after", "x-retry-after"):
        value = headers.get(name)
        if not value:
            continue
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
    return None


def error_from_transport(exc: httpx.HTTPError, *, request: httpx.Request | None = None, service: str,
                         idempotent: bool) -> BigBooksError:
    """Convert an httpx exception (no response arrived) into the core error tree.

    Timeouts, network and protocol failures become `TransientError`. On a request that is not safe to
    repeat, `details["write_outcome"] = "unknown"`: the server may or may not have acted on it.
    """
    target = f"{request.method} {request.url.copy_with(query=None)}" if request is not None else "the request"
    details: dict[str, Any] = {"exception": type(exc).__name__}
    if not idempotent:
        details["write_outcome"] = "unknown"
    if isinstance(exc, httpx.TimeoutException):
        what = f"{service} did not answer in time ({type(exc).__name__})"
    elif isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError | httpx.ProxyError):
        what = f"the connection to {service} failed ({type(exc).__name__}: {exc})"
    elif isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return ConfigurationError(f"The {service} address is not usable ({exc}). "
                                  "Check the connection settings.", service=service, details=details)
    else:
        return BugError(f"Unexpected {type(exc).__name__} talking to {service}: {exc}", service=service,
                        details=details)
    if idempotent:
        message = (f"While reading from {service}, {what}. It will be tried again; "
                   "check your internet connection.")
    else:
        message = (f"While sending {target} to {service}, {what}. The change may or may not have been saved; "
                   "it will be checked before trying again.")
    return TransientError(message, service=service, details=details)


async def send_request(http: httpx.AsyncClient, request: httpx.Request, *, service: str,
                       request_log: RequestLog | None = None, stats: RequestStats | None = None,
                       idempotent: bool | None = None, attempt: int = 1) -> httpx.Response:
    """Send one request with logging and stats; httpx failures come out as core errors.

    The response body is read. The status code is not judged here: that is the connector's job.
    """
    safe = is_read(request.method) if idempotent is None else idempotent
    if stats is not None:
        stats.record_request(request.method, request.url.path)
    if request_log is not None:
        request_log.request(request, attempt=attempt)
    started = time.monotonic()
    try:
        response = await http.send(request)
        await response.aread()
    except httpx.HTTPError as exc:
        if stats is not None:
            stats.transport_failures += 1
        if request_log is not None:
            request_log.failure(request, exc, elapsed=time.monotonic() - started)
        raise error_from_transport(exc, request=request, service=service, idempotent=safe) from None
    if stats is not None:
        stats.record_status(response.status_code)
    if request_log is not None:
        request_log.response(response, elapsed=time.monotonic() - started)
    return response


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter: attempt n waits uniform(0, min(max_delay, base_delay * 2**n))."""

    max_retries: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0

    def backoff(self, retry_number: int, *, rng: Callable[[], float] = random.random) -> float:
        ceiling = min(self.max_delay, self.base_delay * (2 ** retry_number))
        return float(ceiling * rng())


def _wait_hint(exc: BigBooksError) -> float | None:
    hint = getattr(exc, "retry_after", None)
    if hint is None:
        hint = exc.details.get("retry_after")
    return float(hint) if hint is not None else None


async def with_retries(call: Callable[[int], Awaitable[T]], *, policy: RetryPolicy, idempotent: bool = True,
                       stats: RequestStats | None = None,
                       sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                       rng: Callable[[], float] = random.random) -> T:
    """Run `call(attempt)` (attempt counts from 1), retrying retryable core errors when `idempotent`.

    A `retry_after` on the error (429 or 503 with the header) is honoured: the wait is at least that long.
    Non-retryable errors, and every error of a non-idempotent call, are raised at once.
    """
    attempt = 1
    while True:
        try:
            return await call(attempt)
        except BigBooksError as exc:
            if not (idempotent and exc.retryable) or attempt > policy.max_retries:
                raise
            delay = policy.backoff(attempt - 1, rng=rng)
            hint = _wait_hint(exc)
            if hint is not None:
                delay = max(delay, hint) if not isinstance(exc, RateLimitedError) else hint
            if stats is not None:
                stats.retries += 1
                stats.waited_seconds += delay
            await sleep(delay)
            attempt += 1
