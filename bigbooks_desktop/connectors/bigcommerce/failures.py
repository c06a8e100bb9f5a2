"""BigCommerce error answers (v2 `[{status, message}]`, v3 `{status, title, errors}`) into core errors."""

from __future__ import annotations

import json
from typing import Any

import httpx

from bigbooks_desktop.connectors.http import retry_after_seconds, route_of
from bigbooks_desktop.core.errors import (
    AuthRevokedError,
    BigBooksError,
    BugError,
    NotFoundError,
    PermanentError,
    PermissionDeniedError,
    RateLimitedError,
    TransientError,
    ValidationError,
)
from bigbooks_desktop.core.money import json_loads

__all__ = ["SERVICE", "error_from_response", "required_scope"]

SERVICE = "BigCommerce"

# Which store-level API account scope each path needs (read-only variants are enough for the sync).
_SCOPES: tuple[tuple[str, str, str], ...] = (
    ("/v3/orders/", "transactions", "Order Transactions (read-only): store_v2_transactions_read_only"),
    ("/v3/orders/", "refunds", "Order Transactions (read-only): store_v2_transactions_read_only"),
    ("/v2/orders", "", "Orders (read-only): store_v2_orders_read_only"),
    ("/v2/order_statuses", "", "Orders (read-only): store_v2_orders_read_only"),
    ("/v3/customers", "", "Customers (read-only): store_v2_customers_read_only"),
    ("/v2/customers", "", "Customers (read-only): store_v2_customers_read_only"),
    ("/v3/catalog", "", "Products (read-only): store_v2_products_read_only"),
    ("/v2/store", "", "Information & Settings (read-only): store_v2_information_read_only"),
    ("/v2/time", "", "Information & Settings (read-only): store_v2_information_read_only"),
)


def required_scope(path: str) -> str | None:
    """The API account scope a request path needs, as the control panel names it, or None when unknown."""
    for prefix, contains, scope in _SCOPES:
        if prefix in path and contains in path:
            return scope
    return None


def _decode(response: httpx.Response) -> Any:
    try:
        return json_loads(response.content) if response.content else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _summary(body: Any, response: httpx.Response) -> tuple[str, dict[str, str]]:
    """The service's own words (first message / title) and the per-field errors, if any."""
    fields: dict[str, str] = {}
    if isinstance(body, list):                       # v2: [{"status": 404, "message": "..."}]
        messages = [str(item.get("message", "")).strip() for item in body if isinstance(item, dict)]
        for item in body:
            if isinstance(item, dict) and item.get("details") and isinstance(item["details"], dict):
                fields.update({str(k): str(v) for k, v in item["details"].items()})
        return "; ".join(m for m in messages if m), fields
    if isinstance(body, dict):                       # v3: {"status", "title", "type", "errors": {field: msg}}
        errors = body.get("errors")
        if isinstance(errors, dict):
            fields = {str(k): str(v) for k, v in errors.items()}
        elif isinstance(errors, list):
            fields = {str(i): str(v) for i, v in enumerate(errors)}
        text = str(body.get("title") or body.get("message") or body.get("detail") or "").strip()
        return text, fields
    text = response.text.strip()
    return (text[:200] if text and "<" not in text[:1] else ""), fields


def error_from_response(response: httpx.Response) -> BigBooksError:
    """Turn a non-2xx BigCommerce answer into the error the user should see."""
    status = response.status_code
    request = response.request
    path = request.url.path
    route = f"{request.method} {route_of(path)}"
    said, fields = _summary(_decode(response), response)
    said_part = f" BigCommerce said: {said}." if said else ""
    kwargs: dict[str, Any] = {"service": SERVICE, "status": status}
    if status == 401:
        return AuthRevokedError(
            "BigCommerce refused the access token. BigCommerce tokens do not expire, so either the API "
            "account was deleted in the store's control panel or the token was entered wrong. "
            "Create or check the store-level API account and reconnect." + said_part, **kwargs)
    if status == 403:
        scope = required_scope(path)
        need = (f" Add the scope '{scope}' to the store-level API account (Settings > API > Store-level API "
                "accounts), then reconnect with the new token.") if scope else (
            " Check the scopes of the store-level API account, then reconnect.")
        return PermissionDeniedError(f"The BigCommerce API account may not use {route}.{need}{said_part}",
                                     **kwargs)
    if status == 404:
        return NotFoundError(f"BigCommerce has no such resource ({route}).{said_part}", **kwargs)
    if status in (409, 422, 400):
        field = next(iter(fields), None)
        detail = "; ".join(f"{k}: {v}" for k, v in fields.items())
        text = f"BigCommerce rejected {route}.{said_part}" + (f" Fields: {detail}." if detail else "")
        return ValidationError(text, field=field, **kwargs)
    if status == 413:
        return BugError(f"BigCommerce said the request {route} was too large (HTTP 413, e.g. a page limit "
                        f"over 250).{said_part}", **kwargs)
    if status == 415:
        return BugError(f"BigCommerce refused the content type of {route} (HTTP 415).{said_part}", **kwargs)
    if status == 429:
        reset_ms = response.headers.get("x-rate-limit-time-reset-ms")
        try:
            retry_after = (int(reset_ms) / 1000.0 if reset_ms is not None
                           else retry_after_seconds(response.headers))
        except ValueError:
            retry_after = retry_after_seconds(response.headers)
        return RateLimitedError("BigCommerce asked to slow down (too many requests for this store's plan). "
                                "The sync waits and continues.", retry_after=retry_after, **kwargs)
    if status == 507:
        return PermanentError(f"BigCommerce refused {route}: the store has reached a limit of its plan "
                              f"(HTTP 507).{said_part} Upgrade the plan or remove records.", **kwargs)
    if status >= 500:
        retry_after = retry_after_seconds(response.headers)
        details = {"retry_after": retry_after} if retry_after is not None else {}
        why = (" The store may be down for maintenance or suspended." if status == 503 else "")
        return TransientError(f"BigCommerce had a problem answering {route} (HTTP {status}).{why}{said_part} "
                              "It will be tried again.", details=details, **kwargs)
    return BugError(f"BigCommerce answered {route} with an unexpected HTTP {status}.{said_part}", **kwargs)
