"""BigCommerce wire formats: v2 rendering (4-dp money strings, RFC 2822 dates), errors, query parsing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from starlette.responses import Response

from bigbooks_desktop.core.jsonwire import dumps

__all__ = [
    "BadQuery",
    "int_list",
    "json_response",
    "page_args",
    "parse_when",
    "render_v2",
    "rfc2822",
    "v2_error",
    "v3_error",
    "v3_list",
]

MAX_LIMIT = 250


class BadQuery(Exception):
    """A query parameter BigCommerce would refuse; carries the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def rfc2822(value: datetime) -> str:
    return format_datetime(value.astimezone(UTC))


def render_v2(value: Any, *, numbers: bool = False) -> Any:
    """v2 shape: Decimal -> "10.9800" (numbers kept when `numbers`), datetime -> RFC 2822, no private keys."""
    if isinstance(value, Decimal):
        return value if numbers else f"{value:.4f}"
    if isinstance(value, datetime):
        return rfc2822(value)
    if isinstance(value, dict):
        return {k: render_v2(v, numbers=numbers) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [render_v2(v, numbers=numbers) for v in value]
    return value


def json_response(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json")


def v2_error(status: int, message: str) -> Response:
    return json_response([{"status": status, "message": message}], status)


_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    413: "Request Entity Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
}


def v3_error(status: int, title: str | None = None, errors: dict[str, str] | None = None) -> Response:
    return json_response(
        {
            "status": status,
            "title": title or _TITLES.get(status, "Error"),
            "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
            "errors": errors or {},
        },
        status,
    )


def parse_when(text: str, name: str) -> datetime:
    """A filter date: ISO 8601 (date or date-time) or RFC 2822; naive values are UTC."""
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError) as exc:
            raise BadQuery(400, f"The field '{name}' is invalid: not a date.") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _int(params: Any, name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise BadQuery(400, f"The field '{name}' is invalid.") from exc


def int_list(params: Any, name: str) -> set[int] | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        return {int(part) for part in raw.split(",") if part.strip()}
    except ValueError as exc:
        raise BadQuery(400, f"The field '{name}' is invalid.") from exc


def page_args(params: Any) -> tuple[int, int]:
    """(page, limit): defaults 1 and 50; a limit over 250 is refused with 413 as BigCommerce does."""
    page, limit = _int(params, "page", 1), _int(params, "limit", 50)
    if limit > MAX_LIMIT:
        raise BadQuery(413, f"The limit {limit} is larger than the maximum of {MAX_LIMIT}.")
    if page < 1 or limit < 1:
        raise BadQuery(400, "page and limit must be positive.")
    return page, limit


def v3_list(items: list[Any], page: int, limit: int) -> dict[str, Any]:
    """A v3 collection body: this page's rows plus meta.pagination."""
    total = len(items)
    pages = max(1, -(-total // limit))
    chunk = items[(page - 1) * limit : page * limit]
    links: dict[str, str] = {"current": f"?page={page}&limit={limit}"}
    if page > 1:
        links["previous"] = f"?page={page - 1}&limit={limit}"
    if page < pages:
        links["next"] = f"?page={page + 1}&limit={limit}"
    return {
        "data": chunk,
        "meta": {
            "pagination": {
                "total": total,
                "count": len(chunk),
                "per_page": limit,
                "current_page": page,
                "total_pages": pages,
                "links": links,
            }
        },
    }
