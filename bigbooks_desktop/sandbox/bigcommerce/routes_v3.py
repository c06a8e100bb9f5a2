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
    BadQuery,
    int_list,
    json_response,
    page_args,
    v3_error,
    v3_list,
)

if TYPE_CHECKING:
    from bigbooks_desktop.sandbox.bigcommerce import BigCommerceSandbox

__all__ = ["PRODUCT_SORTS", "public_product", "v3_routes"]


def _includes(params: Any) -> set[str]:
    return {part.strip() for part in (params.get("include") or "").split(",") if part.strip()}


def _str_list(params: Any, name: str) -> set[str] | None:
    raw = params.get(name)
    return None if raw is None else {part.strip() for part in raw.split(",") if part.strip()}


PRODUCT_SORTS = ("id", "name", "sku", "price", "date_modified", "date_last_imported", "inventory_level",
                 "is_visible", "total_sold", "calculated_price")  # P3 SortParam enum


def _boolean(raw: str, name: str) -> bool:
    """P3 IsVisibleParam is a boolean; `true`/`false` and `1`/`0` are read, anything else is a 400."""
    value = raw.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise BadQuery(400, f"The field '{name}' is invalid.")


def public_product(product: Row, *, variants: bool = True, fields: set[str] | None = None,
                   exclude: set[str] | None = None) -> Row:
    """A product as the v3 catalog shows it: `variants` only with include=variants; with `include_fields`
    "The ID and the specified fields will be returned", with `exclude_fields` all but those ("The ID cannot be
    excluded") (P3 IncludeFieldsParam / ExcludeFieldsParam). Included sub-resources are kept either way."""
    row = _public(product, set() if variants else {"variants"})
    keep_always = {"id", "variants"}
    if fields is not None:
        row = {k: v for k, v in row.items() if k in fields or k in keep_always}
    if exclude:
        row = {k: v for k, v in row.items() if k not in exclude or k in keep_always}
    return row


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
        # customers.v3.yml getCustomers (SUMMARY.md §3): date_modified:min/:max, date_created:min/:max, id:in,
        # email:in, sort=date_modified:asc|desc (direction inside the value), include=addresses, page/limit
        # (250 max) with meta.pagination and meta.cursor_pagination. No include_fields on this list.
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
        # P3 getProducts (catalog/products_catalog.v3.yml in /work/shared/reference/bigcommerce/specs/
        # bigcommerce-docs/reference; SUMMARY.md §3): id, id:in, sku, sku:in (base SKU only), is_visible,
        # date_modified:min/:max, sort (SortParam enum) + direction (asc|desc), include=variants,
        # include_fields / exclude_fields, page, limit (max 250) and meta.pagination.
        q = request.query_params
        tests = date_bounds(
            q, (("date_modified:min", "date_modified", True), ("date_modified:max", "date_modified", False))
        )
        for name in ("id:in", "id"):
            ids = int_list(q, name) if q.get(name) else None
            if ids is not None:
                tests.append(_member_of("id", ids))
        skus = _str_list(q, "sku:in")
        if skus is not None:
            tests.append(lambda p: p["sku"] in skus)
        if q.get("sku"):
            tests.append(lambda p: p["sku"] == q["sku"])
        if q.get("is_visible"):
            visible = _boolean(q["is_visible"], "is_visible")
            tests.append(lambda p: p["is_visible"] is visible)
        rows = [p for p in sandbox.store.products if all(t(p) for t in tests)]
        if q.get("sort") or q.get("direction"):
            key = q.get("sort") or "id"
            direction = q.get("direction") or "asc"
            if key not in PRODUCT_SORTS or direction not in ("asc", "desc"):
                return v3_error(422, "Invalid sort.", {"sort": "not a supported sort or direction"})
            rows.sort(key=lambda p: p["id"])            # ties keep id order
            rows.sort(key=lambda p: p.get(key, 0), reverse=direction == "desc")
        wanted = _str_list(q, "include_fields")
        unwanted = _str_list(q, "exclude_fields")
        with_variants = "variants" in _includes(q)
        shown = [public_product(p, variants=with_variants, fields=wanted, exclude=unwanted) for p in rows]
        return _listing(shown, q)

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
