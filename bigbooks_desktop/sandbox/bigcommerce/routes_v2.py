"""BigCommerce v2 endpoints: store, time, orders (filters, sort, count, include=fees,consignments[.line_items])
and the order sub-resources (products, shipping addresses, coupons, taxes, fees, consignments)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bigbooks_desktop.sandbox.bigcommerce.consignments import render_consignments, wanted_includes
from bigbooks_desktop.sandbox.bigcommerce.gate import api_route
from bigbooks_desktop.sandbox.bigcommerce.query_filters import Predicate, bound, date_bounds, number_bounds
from bigbooks_desktop.sandbox.bigcommerce.wire import (
    BadQuery,
    json_response,
    page_args,
    render_v2,
    v2_error,
)

if TYPE_CHECKING:
    from bigbooks_desktop.sandbox.bigcommerce import BigCommerceSandbox

__all__ = ["STATUSES", "v2_routes"]

# (id, name, position in the control panel, description) as in orders_v2_order_statuses.json
STATUSES: list[tuple[int, str, int, str]] = [
    (
        0,
        "Incomplete",
        0,
        "An incomplete order happens when a shopper reached the payment page, but did not "
        "complete the transaction.",
    ),
    (1, "Pending", 1, "Customer started the checkout process, but did not complete it."),
    (
        2,
        "Shipped",
        8,
        "Order has been shipped, but receipt has not been confirmed; seller has used the Ship Items action.",
    ),
    (
        3,
        "Partially Shipped",
        6,
        "Only some items in the order have been shipped, due to some products being "
        "pre-order only or other reasons.",
    ),
    (4, "Refunded", 11, "Seller has used the Refund action."),
    (5, "Cancelled", 9, "Seller has cancelled an order, due to a stock inconsistency or other reasons."),
    (
        6,
        "Declined",
        10,
        "Seller has marked the order as declined for lack of manual payment, or other reasons.",
    ),
    (
        7,
        "Awaiting Payment",
        2,
        "Customer has completed checkout process, but payment has yet to be confirmed.",
    ),
    (
        8,
        "Awaiting Pickup",
        5,
        "Order has been pulled, and is awaiting customer pickup from a seller-specified location.",
    ),
    (
        9,
        "Awaiting Shipment",
        4,
        "Order has been pulled and packaged, and is awaiting collection from a shipping provider.",
    ),
    (
        10,
        "Completed",
        7,
        "Client has paid for their digital product and their file(s) are available for download.",
    ),
    (
        11,
        "Awaiting Fulfillment",
        3,
        "Customer has completed the checkout process and payment has been confirmed.",
    ),
    (
        12,
        "Manual Verification Required",
        13,
        "Order is on hold while some aspect needs to be manually confirmed.",
    ),
    (
        13,
        "Disputed",
        12,
        "Customer has initiated a dispute resolution process for the PayPal transaction that "
        "paid for the order.",
    ),
    (14, "Partially Refunded", 14, "Seller has partially refunded the order."),
]
SORT_FIELDS = {"id", "customer_id", "date_created", "date_modified", "status_id", "channel_id", "external_id"}


def _status_row(status: tuple[int, str, int, str]) -> dict[str, Any]:
    sid, name, _, description = status
    return {
        "id": sid,
        "name": name,
        "system_label": name,
        "custom_label": name,
        "system_description": description,
    }


def render_order(
    store_hash: str,
    order: dict[str, Any],
    fees: list[dict[str, Any]] | None = None,
    consignments: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An order exactly as GET /v2/orders/{id} writes it (before JSON encoding): `fees` is the fee list when
    asked for with `include=fees`, else a link to /fees like the other sub-resources; `consignments` is the
    `orderConsignment_Get` asked for with `include=consignments[.line_items]&consignment_structure=object`
    (see `sandbox.bigcommerce.consignments`), else absent. Real order bodies carry a `{url, resource}` link
    there, but the spec's `oneOf` (orderConsignments_Resource | orderConsignment_Get, neither with required
    keys) rejects every value, so the link is left out to keep the strict conformance test meaningful."""
    body: dict[str, Any] = render_v2(order)
    base = f"https://api.bigcommerce.com/stores/{store_hash}/v2/orders/{order['id']}"
    if consignments is not None:
        body["consignments"] = consignments
    body["products"] = {"url": f"{base}/products", "resource": f"/orders/{order['id']}/products"}
    body["shipping_addresses"] = {
        "url": f"{base}/shippingaddresses",
        "resource": f"/orders/{order['id']}/shippingaddresses",
    }
    body["coupons"] = {"url": f"{base}/coupons", "resource": f"/orders/{order['id']}/coupons"}
    body["fees"] = (
        render_v2(fees) if fees is not None else {"url": f"{base}/fees", "resource": f"/orders/{order['id']}/fees"}
    )
    return body


def _render_listed(store_hash: str, record: dict[str, Any], params: Any) -> dict[str, Any]:
    """An order for GET /v2/orders or /v2/orders/{id} with the includes `params` ask for (orders.v2.oas2.yml
    `order_includes`: a comma list of consignments, consignments.line_items, fees; the consignment object only
    with `consignment_structure=object`)."""
    includes = wanted_includes(params)
    fees = record["fees"] if "fees" in includes else None
    consignments = None
    if includes & {"consignments", "consignments.line_items"} and params.get("consignment_structure") == "object":
        consignments = render_consignments(
            store_hash, record, line_items="consignments.line_items" in includes
        )
    return render_order(store_hash, record["order"], fees, consignments)


def _order_filter(params: Any) -> Predicate:
    tests = date_bounds(
        params,
        (
            ("min_date_modified", "date_modified", True),
            ("max_date_modified", "date_modified", False),
            ("min_date_created", "date_created", True),
            ("max_date_created", "date_created", False),
        ),
    )
    tests += number_bounds(
        params,
        (
            ("min_id", "id", True),
            ("max_id", "id", False),
            ("status_id", "status_id", None),
            ("customer_id", "customer_id", None),
            ("channel_id", "channel_id", None),
        ),
    )
    tests += number_bounds(
        params, (("min_total", "total_inc_tax", True), ("max_total", "total_inc_tax", False)), parse=Decimal
    )
    if params.get("email"):
        email = params["email"].strip().lower()
        tests.append(lambda o: bool(o["billing_address"]["email"].lower() == email))
    if params.get("external_order_id"):
        tests.append(bound("external_order_id", params["external_order_id"], lower=None))
    return lambda order: all(test(order) for test in tests)


def _sort_key(params: Any) -> tuple[Callable[[dict[str, Any]], Any], bool]:
    raw = params.get("sort") or "id:asc"
    field_name, _, direction = raw.partition(":")
    direction = direction or "asc"
    if field_name not in SORT_FIELDS or direction not in ("asc", "desc"):
        raise BadQuery(400, f"The field 'sort' is invalid: {raw!r}.")
    return (lambda o: (o[field_name] if o[field_name] is not None else "", o["id"])), direction == "desc"


def v2_routes(sandbox: BigCommerceSandbox) -> list[Route]:
    def order_or_none(request: Request) -> dict[str, Any] | None:
        return sandbox.record(int(request.path_params["order_id"]))

    def store_info(request: Request) -> Response:
        return json_response(sandbox.store_information())

    def time_now(request: Request) -> Response:
        return json_response({"time": int(sandbox.config.clock())})

    def list_orders(request: Request) -> Response:
        page, limit = page_args(request.query_params)
        keep = _order_filter(request.query_params)
        key, reverse = _sort_key(request.query_params)
        records = sorted(
            (r for r in sandbox.records() if keep(r["order"])), key=lambda r: key(r["order"]), reverse=reverse
        )
        chunk = records[(page - 1) * limit : page * limit]
        if not chunk:
            return Response(status_code=204)
        return json_response([_render_listed(sandbox.config.store_hash, r, request.query_params) for r in chunk])

    def count_orders(request: Request) -> Response:
        counts = {sid: 0 for sid, *_ in STATUSES}
        for record in sandbox.records():
            counts[record["order"]["status_id"]] += 1
        rows = [
            dict(_status_row(s), count=counts[s[0]], sort_order=s[2])
            for s in sorted(STATUSES, key=lambda s: s[2])
        ]
        return json_response({"statuses": rows, "count": sum(counts.values())})

    def get_order(request: Request) -> Response:
        record = order_or_none(request)
        if record is None:
            return v2_error(404, "The requested resource was not found.")
        return json_response(_render_listed(sandbox.config.store_hash, record, request.query_params))

    def order_consignments(request: Request) -> Response:
        # orders.v2.oas2.yml /orders/{order_id}/consignments: always the object; include=consignments.line_items
        record = order_or_none(request)
        if record is None:
            return v2_error(404, "The requested resource was not found.")
        with_lines = "consignments.line_items" in wanted_includes(request.query_params)
        return json_response(render_consignments(sandbox.config.store_hash, record, line_items=with_lines))

    def order_fees(request: Request) -> Response:
        # The spec's example answers {"fees": [...]} (its schema, orderFees_Resp, is an object too).
        record = order_or_none(request)
        if record is None:
            return v2_error(404, "The requested resource was not found.")
        return json_response({"fees": render_v2(record["fees"])})

    def sub_resource(key: str, numbers: bool = False) -> Callable[[Request], Response]:
        def handler(request: Request) -> Response:
            record = order_or_none(request)
            if record is None:
                return v2_error(404, "The requested resource was not found.")
            page, limit = page_args(request.query_params)
            rows = record[key][(page - 1) * limit : page * limit]
            if not rows:
                return Response(status_code=204)
            return json_response(render_v2(rows, numbers=numbers))

        return handler

    def order_statuses(request: Request) -> Response:
        return json_response([dict(_status_row(s), order=s[2]) for s in STATUSES])

    def route(path: str, handler: Callable[[Request], Response]) -> Route:
        return api_route(sandbox, "v2", path, handler)

    return [
        route("/store", store_info),
        route("/time", time_now),
        route("/orders", list_orders),
        route("/orders/count", count_orders),
        route("/orders/{order_id:int}", get_order),
        route("/orders/{order_id:int}/products", sub_resource("products")),
        route("/orders/{order_id:int}/shipping_addresses", sub_resource("shipping_addresses")),
        route("/orders/{order_id:int}/shippingaddresses", sub_resource("shipping_addresses")),
        route("/orders/{order_id:int}/coupons", sub_resource("coupons", numbers=True)),
        route("/orders/{order_id:int}/taxes", sub_resource("taxes")),
        route("/orders/{order_id:int}/fees", order_fees),
        route("/orders/{order_id:int}/consignments", order_consignments),
        route("/order_statuses", order_statuses),
    ]
