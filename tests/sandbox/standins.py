"""Small stand-in API halves for testing the sandbox's composition, faults and serving in isolation.

They follow the interface of `BigCommerceSandbox` / `FreshBooksSandbox` with a handful of routes, so the
fault layer is tested against known writes (one POST each) rather than the halves' business rules.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bigbooks_desktop.core.jsonwire import dumps
from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig

ACCOUNT = "xZ7q1k"


def _json(value: Any, status: int = 200) -> Response:
    return Response(dumps(value), status_code=status, media_type="application/json")


class StandInBigCommerce:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.reset()

    def reset(self) -> None:
        self.orders: list[dict[str, Any]] = [
            {"id": 100 + n, "status_id": 11, "total_inc_tax": Decimal("10.00") + n, "refunds": [],
             "transactions": []} for n in range(self.config.orders)]

    def books_catalog(self) -> list[dict[str, Any]]:
        return [{"sku": "BK-1", "name": "A Book", "price": Decimal("12.50")}]

    def dump(self) -> dict[str, Any]:
        return {"orders": [dict(o) for o in self.orders]}

    def _order(self, order_id: int) -> dict[str, Any]:
        for order in self.orders:
            if order["id"] == order_id:
                return order
        raise KeyError(order_id)

    def add_order(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        order = {"id": 100 + len(self.orders), "status_id": 11, "total_inc_tax": Decimal("5.00"),
                 "refunds": [], "transactions": [], **(overrides or {})}
        self.orders.append(order)
        return order

    def update_order(self, order_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        order = self._order(order_id)
        order.update(changes)
        return order

    def add_refund(self, order_id: int, amount: Decimal | None = None, reason: str = "") -> dict[str, Any]:
        order = self._order(order_id)
        refund = {"id": len(order["refunds"]) + 1, "amount": amount if amount is not None
                  else order["total_inc_tax"], "reason": reason}
        order["refunds"].append(refund)
        return refund

    def add_transaction(self, order_id: int, amount: Decimal, *, gateway: str = "stripe",
                        event: str = "capture") -> dict[str, Any]:
        order = self._order(order_id)
        transaction = {"id": len(order["transactions"]) + 1, "amount": amount, "gateway": gateway,
                       "event": event}
        order["transactions"].append(transaction)
        return transaction

    def routes(self) -> list[BaseRoute]:
        async def list_orders(request: Request) -> Response:
            return _json(self.orders)

        async def get_order(request: Request) -> Response:
            try:
                return _json(self._order(int(request.path_params["order_id"])))
            except KeyError:
                return _json([{"status": 404, "message": "The requested resource was not found."}], 404)

        async def create_order(request: Request) -> Response:
            return _json(self.add_order(json_loads(await request.body() or b"{}")), 201)

        return [
            Route("/stores/{store_hash}/v2/orders", list_orders, methods=["GET"]),
            Route("/stores/{store_hash}/v2/orders", create_order, methods=["POST"]),
            Route("/stores/{store_hash}/v2/orders/{order_id:int}", get_order, methods=["GET"]),
        ]


class StandInFreshBooks:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.items: list[dict[str, Any]] = []
        self.reset()

    def reset(self) -> None:
        self.invoices: list[dict[str, Any]] = []

    def seed_items(self, items: list[dict[str, Any]]) -> None:
        self.items.extend(dict(item) for item in items)   # kept across reset, like the real half

    def dump(self) -> dict[str, Any]:
        return {"clients": [], "invoices": list(self.invoices), "payments": [], "items": list(self.items),
                "taxes": [], "credit_notes": []}

    def routes(self) -> list[BaseRoute]:
        base = "/freshbooks/api/accounting/account/{account_id}/invoices/invoices"

        async def create_invoice(request: Request) -> Response:
            body = json_loads(await request.body())
            invoice = {"id": len(self.invoices) + 1, **body["invoice"]}
            self.invoices.append(invoice)
            return _json({"response": {"result": {"invoice": invoice}}})

        async def list_invoices(request: Request) -> Response:
            return _json({"response": {"result": {"invoices": self.invoices}}})

        async def delete_invoice(request: Request) -> Response:
            invoice_id = int(request.path_params["invoice_id"])
            self.invoices = [i for i in self.invoices if i["id"] != invoice_id]
            return Response(status_code=204)

        async def consent_page(request: Request) -> Response:
            return Response("<html>Allow BigBooks?</html>", media_type="text/html")

        async def token(request: Request) -> Response:
            return _json({"access_token": "t", "token_type": "Bearer"})

        return [
            Route(base, create_invoice, methods=["POST"]),
            Route(base, list_invoices, methods=["GET"]),
            Route(base + "/{invoice_id:int}", delete_invoice, methods=["DELETE"]),
            Route("/freshbooks/auth/oauth/authorize", consent_page, methods=["GET"]),
            Route("/freshbooks/auth/oauth/token", token, methods=["POST"]),
        ]


def standin_sandbox(**config: Any) -> Sandbox:
    """A Sandbox whose halves are the stand-ins above (3 orders unless told otherwise)."""
    cfg = SandboxConfig(**{"orders": 3, **config})
    return Sandbox(cfg, bigcommerce=StandInBigCommerce(cfg), freshbooks=StandInFreshBooks(cfg))


INVOICES_PATH = f"/freshbooks/api/accounting/account/{ACCOUNT}/invoices/invoices"
ORDERS_PATH = "/stores/sbx7k2q9/v2/orders"
