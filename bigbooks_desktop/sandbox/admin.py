"""The sandbox's admin API under `/_sandbox`: info, state, reset, order events, catalogue and customer edits
(PATCH/DELETE products, variants and customers, see `bigcommerce.catalog_admin`), faults, the FreshBooks tax
rounding rule and request counts.

Bodies are JSON parsed with Decimal for every non-integer number; amounts may be strings or numbers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bigbooks_desktop.core.jsonwire import dumps
from bigbooks_desktop.core.money import MoneyParseError, json_loads, to_decimal
from bigbooks_desktop.sandbox.bigcommerce.catalog_admin import CatalogEditError
from bigbooks_desktop.sandbox.config import TAX_ROUNDING_RULES, check_tax_rounding
from bigbooks_desktop.sandbox.faults import FaultSpecError

if TYPE_CHECKING:
    from bigbooks_desktop.sandbox.app import Sandbox

__all__ = ["ADMIN_PREFIX", "admin_routes"]

ADMIN_PREFIX = "/_sandbox"

Endpoint = Callable[[Request], Awaitable[Response]]


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _json(value: Any, status: int = 200) -> Response:
    return Response(dumps(value), status_code=status, media_type="application/json")


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        value = json_loads(raw)
    except ValueError as exc:
        raise _BadRequest(400, f"body is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise _BadRequest(400, "body must be a JSON object")
    return value


def _amount(value: Any, name: str) -> Any:
    if value is None:
        return None
    try:
        return to_decimal(value)
    except MoneyParseError as exc:
        raise _BadRequest(422, f"{name}: {exc}") from None


def admin_routes(sandbox: Sandbox) -> list[BaseRoute]:
    """Routes bound to one Sandbox; errors answer `{"error": message}` with 400/404/422."""

    def handler(fn: Endpoint) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            try:
                return await fn(request)
            except (_BadRequest, CatalogEditError) as exc:
                return _json({"error": str(exc)}, exc.status)
            except FaultSpecError as exc:
                return _json({"error": str(exc)}, 400)
            except LookupError as exc:
                return _json({"error": f"not found: {exc.args[0] if exc.args else exc}"}, 404)
            except ValueError as exc:
                return _json({"error": str(exc)}, 422)
        return endpoint

    def order_id(request: Request) -> int:
        return int(request.path_params["order_id"])

    async def info(request: Request) -> Response:
        return _json(sandbox.info(str(request.base_url)))

    async def state(request: Request) -> Response:
        return _json(sandbox.state())

    async def reset(request: Request) -> Response:
        sandbox.reset()
        return _json({"reset": True})

    async def add_order(request: Request) -> Response:
        overrides = await _body(request)
        return _json(sandbox.bigcommerce.add_order(overrides or None), 201)

    async def update_order(request: Request) -> Response:
        changes = await _body(request)
        if not changes:
            raise _BadRequest(400, "PATCH needs a JSON object of changes")
        return _json(sandbox.bigcommerce.update_order(order_id(request), changes))

    async def add_refund(request: Request) -> Response:
        """{"items": [{item_type, item_id, quantity | amount}], "to": "gateway" | "store_credit"}, or
        {"amount": ...} (an untaxed ORDER-level refund), or no body (everything still refundable)."""
        body = await _body(request)
        amount = _amount(body.get("amount"), "amount")
        extra: dict[str, Any] = {}
        if body.get("items") is not None:
            items = body["items"]
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise _BadRequest(422, "items must be a list of objects")
            extra["items"] = [
                {**item, "amount": _amount(item.get("amount"), "items[].amount")} for item in items
            ]
        if body.get("to") is not None:
            if body["to"] not in ("gateway", "store_credit"):
                raise _BadRequest(422, 'to must be "gateway" or "store_credit"')
            extra["to"] = body["to"]
        refund = sandbox.bigcommerce.add_refund(
            order_id(request), amount, reason=str(body.get("reason", "")), **extra
        )
        return _json(refund, 201)

    async def add_transaction(request: Request) -> Response:
        body = await _body(request)
        if body.get("amount") is None:
            raise _BadRequest(422, "amount is required")
        transaction = sandbox.bigcommerce.add_transaction(
            order_id(request), _amount(body["amount"], "amount"),
            gateway=str(body.get("gateway", "stripe")), event=str(body.get("event", "capture")))
        return _json(transaction, 201)

    def record_id(request: Request) -> int:
        return int(request.path_params["record_id"])

    def catalog_edit(kind: str) -> Endpoint:
        """PATCH /_sandbox/{products|variants|customers}/{id}: the record as the API shows it afterwards."""

        async def edit(request: Request) -> Response:
            changes = await _body(request)
            update = getattr(sandbox.bigcommerce, f"update_{kind}")
            return _json(update(record_id(request), changes))

        return edit

    def catalog_delete(kind: str) -> Endpoint:
        """DELETE /_sandbox/{products|variants|customers}/{id}: gone from the lists (no tombstones)."""

        async def delete(request: Request) -> Response:
            getattr(sandbox.bigcommerce, f"delete_{kind}")(record_id(request))
            return Response(status_code=204)

        return delete

    async def get_faults(request: Request) -> Response:
        return _json(sandbox.faults.describe())

    async def put_faults(request: Request) -> Response:
        body = await _body(request)
        spec = body.get("spec")
        if not isinstance(spec, str):
            raise _BadRequest(400, 'PUT /_sandbox/faults wants {"spec": "<fault spec>"}')
        return _json(sandbox.set_faults(spec).describe())

    def tax_rounding() -> dict[str, Any]:
        return {"rule": sandbox.config.freshbooks_tax_rounding, "rules": list(TAX_ROUNDING_RULES)}

    async def get_tax_rounding(request: Request) -> Response:
        return _json(tax_rounding())

    async def put_tax_rounding(request: Request) -> Response:
        """Replace the rule; documents are recomputed under it the next time they or their payments change."""
        body = await _body(request)
        rule = body.get("rule")
        if not isinstance(rule, str):
            raise _BadRequest(400, f'PUT {ADMIN_PREFIX}/freshbooks/tax-rounding wants {{"rule": "<rule>"}}')
        try:
            sandbox.config.freshbooks_tax_rounding = check_tax_rounding(rule)
        except ValueError as exc:
            raise _BadRequest(400, str(exc)) from None
        return _json(tax_rounding())

    async def requests(request: Request) -> Response:
        current = sandbox.state()
        return _json({"requests": current["requests"], "faults": current["faults"]})

    p = ADMIN_PREFIX
    return [
        Route(p, handler(info), methods=["GET"]),
        Route(f"{p}/state", handler(state), methods=["GET"]),
        Route(f"{p}/reset", handler(reset), methods=["POST"]),
        Route(f"{p}/orders", handler(add_order), methods=["POST"]),
        Route(f"{p}/orders/{{order_id:int}}", handler(update_order), methods=["PATCH"]),
        Route(f"{p}/orders/{{order_id:int}}/refunds", handler(add_refund), methods=["POST"]),
        Route(f"{p}/orders/{{order_id:int}}/transactions", handler(add_transaction), methods=["POST"]),
        *(
            Route(f"{p}/{kind}s/{{record_id:int}}", handler(make(kind)), methods=[method])
            for kind in ("product", "variant", "customer")
            for make, method in ((catalog_edit, "PATCH"), (catalog_delete, "DELETE"))
        ),
        Route(f"{p}/faults", handler(get_faults), methods=["GET"]),
        Route(f"{p}/faults", handler(put_faults), methods=["PUT"]),
        Route(f"{p}/freshbooks/tax-rounding", handler(get_tax_rounding), methods=["GET"]),
        Route(f"{p}/freshbooks/tax-rounding", handler(put_tax_rounding), methods=["PUT"]),
        Route(f"{p}/requests", handler(requests), methods=["GET"]),
    ]
