"""BigCommerce v3 endpoints: order transactions and refunds, customers, catalog products and variants."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bigbooks_desktop.sandbox.bigcommerce.gate import api_route
from bigbooks_desktop.sandbox.bigcommerce.query_filters import Predicate, Row, date_bounds
from bigbooks_desktop.sandbox.bigcommerce.wire import (
    int_list,
    json_response,
    page_args,
    parse_when,
    v3_error,
    v3_list,
)

if TYPE_CHECKING:
    from bigbooks_desktop.sandbox.bigcommerce import BigCommerceSandbox

__all__ = ["v3_routes"]


def _includes(params: Any) -> set[str]:
    return {part.strip() for part in (params.get("include") or "").split(",") if part.strip()}


def _str_list(params: Any, name: str) -> set[str] | None:
    raw = params.get(name)
    return None if raw is None else {part.strip() for part in raw.split(",") if part.strip()}


def _public(row: Row, drop: set[str]) -> Row:
    return {k: v for k, v in row.items() if not k.startswith("_") and k not in drop}


def _member_of(key: str, wanted: set[int]) -> Predicate:
    return lambda row: row[key] in wanted


def _by_payment_transaction(params: Any) -> Predicate | None:
    """orders.v3.yml `transaction_id` on both refund lists: "Filters by refund payment using the BigCommerce
    `transaction_id`" (a refund payment's `transaction_id`)."""
    wanted = (params.get("transaction_id") or "").strip()
    if not wanted:
        return None
    return lambda refund: any(str(p.get("transaction_id") or "") == wanted for p in refund["payments"])


def _listing(rows: list[Row], params: Any) -> Response:
    page, limit = page_args(params)
    return json_response(v3_list(rows, page, limit))


def v3_routes(sandbox: BigCommerceSandbox) -> list[Route]:
    def transactions(request: Request) -> Response:
        record = sandbox.record(int(request.path_params["order_id"]))
        if record is None:
            return v3_error(404, "Order not found.")
        if not record["transactions"]:
            return Response(status_code=204)
        return _listing(record["transactions"], request.query_params)

    def order_refunds(request: Request) -> Response:
        record = sandbox.record(int(request.path_params["order_id"]))
        if record is None:
            return v3_error(404, "Order not found.")
        by_payment = _by_payment_transaction(request.query_params)
        rows = [r for r in record["refunds"] if by_payment is None or by_payment(r)]
        return _listing(rows, request.query_params)

    def all_refunds(request: Request) -> Response:
        # orders.v3.yml getOrdersRefunds: order_id:in, id:in, created:min, created:max (RFC 3339, inclusive),
        # transaction_id, page, limit; "ordered by refund ID in ascending order"; meta.pagination.
        q = request.query_params
        tests = date_bounds(q, (("created:min", "created", True), ("created:max", "created", False)))
        by_payment = _by_payment_transaction(q)
        if by_payment is not None:
            tests.append(by_payment)
        for name, key in (("order_id:in", "order_id"), ("id:in", "id")):
            wanted = int_list(q, name)
            if wanted is not None:
                tests.append(_member_of(key, wanted))
        rows = [r for rec in sandbox.records() for r in rec["refunds"] if all(t(r) for t in tests)]
        rows.sort(key=lambda r: r["id"])
        return _listing(rows, q)

    def customers(request: Request) -> Response:
        q = request.query_params
        tests = date_bounds(
            q,
            (
                ("date_modified:min", "date_modified", True),
                ("date_modified:max", "date_modified", False),
                ("date_created:min", "date_created", True),
                ("date_created:max", "date_created", False),
            ),
        )
        ids = int_list(q, "id:in")
        if ids is not None:
            tests.append(_member_of("id", ids))
        emails = _str_list(q, "email:in")
        if emails is not None:
            lowered = {e.lower() for e in emails}
            tests.append(lambda c: bool(c["email"].lower() in lowered))
        drop = set() if "addresses" in _includes(q) else {"addresses"}
        rows = [_public(c, drop) for c in sandbox.store.customers if all(t(c) for t in tests)]
        if q.get("sort"):
            field_name, _, direction = q["sort"].partition(":")
            if field_name not in ("date_modified", "date_created", "last_name") or direction not in (
                "asc",
                "desc",
            ):
                return v3_error(422, "Invalid sort.", {"sort": "not a supported sort"})
            rows.sort(key=lambda c: c[field_name], reverse=direction == "desc")
        page, limit = page_args(q)
        body = v3_list(rows, page, limit)
        count = body["meta"]["pagination"]["count"]
        body["meta"]["cursor_pagination"] = {
            "count": count,
            "per_page": limit,
            "start_cursor": str(body["data"][0]["id"]) if count else "",
            "end_cursor": str(body["data"][-1]["id"]) if count else "",
            "links": {},
        }
        return json_response(body)

    def products(request: Request) -> Response:
        q = request.query_params
        ids = int_list(q, "id:in")
        skus = _str_list(q, "sku:in")
        sku = q.get("sku")
        low = parse_when(q["date_modified:min"], "date_modified:min") if q.get("date_modified:min") else None
        drop = set() if "variants" in _includes(q) else {"variants"}
        rows = [
            _public(p, drop)
            for p in sandbox.store.products
            if (ids is None or p["id"] in ids)
            and (skus is None or p["sku"] in skus)
            and (sku is None or p["sku"] == sku)
            and (low is None or p["date_modified"] >= low)
        ]
        return _listing(rows, q)

    def variants(request: Request) -> Response:
        q = request.query_params
        skus = _str_list(q, "sku:in")
        sku = q.get("sku")
        product_ids = int_list(q, "product_id:in")
        ids = int_list(q, "id:in")
        rows = [
            v
            for p in sandbox.store.products
            for v in p["variants"]
            if (skus is None or v["sku"] in skus)
            and (sku is None or v["sku"] == sku)
            and (product_ids is None or v["product_id"] in product_ids)
            and (ids is None or v["id"] in ids)
        ]
        return _listing(rows, q)

    def route(path: str, handler: Callable[[Request], Response]) -> Route:
        return api_route(sandbox, "v3", path, handler)

    return [
        route("/orders/payment_actions/refunds", all_refunds),
        route("/orders/{order_id:int}/transactions", transactions),
        route("/orders/{order_id:int}/payment_actions/refunds", order_refunds),
        route("/customers", customers),
        route("/catalog/products", products),
        route("/catalog/variants", variants),
    ]
