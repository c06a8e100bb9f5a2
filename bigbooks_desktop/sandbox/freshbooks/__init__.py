"""The FreshBooks half of the sandbox: OAuth on the auth and API hosts, identity, and the accounting API.
Routes (mounted at the app root): `/freshbooks/auth/oauth/authorize` (consent page, GET and POST),
`/freshbooks/api/auth/oauth/token`, `/freshbooks/api/auth/api/v1/users/me` and
`/freshbooks/api/accounting/account/{account_id}/{group}/{resource}[/{id}]`.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.freshbooks.accounting import AccountingApi
from bigbooks_desktop.sandbox.freshbooks.accounts import (
    BUSINESSES,
    PRIMARY_ACCOUNT_ID,
    SECOND_ACCOUNT_ID,
    SECOND_ACCOUNT_SEED,
    SEEDED_TAXES,
    identity,
)
from bigbooks_desktop.sandbox.freshbooks.ledger import RESOURCES, Ledger
from bigbooks_desktop.sandbox.freshbooks.oauth import ALL_SCOPES, OAuthServer
from bigbooks_desktop.sandbox.freshbooks.rate_limit import FreshBooksRateLimit
from bigbooks_desktop.sandbox.freshbooks.wire import json_response

__all__ = [
    "ALL_SCOPES",
    "PRIMARY_ACCOUNT_ID",
    "SECOND_ACCOUNT_ID",
    "SEEDED_TAXES",
    "FreshBooksSandbox",
]

API = "/freshbooks/api"
AUTH = "/freshbooks/auth"


class FreshBooksSandbox:
    """An in-memory FreshBooks with one user who belongs to two businesses."""

    def __init__(self, config: SandboxConfig) -> None:
        self._config = config
        self.oauth = OAuthServer(config)
        self.rate_limit = FreshBooksRateLimit(config)   # per-account quota; off unless freshbooks_quota > 0
        self.ledger = self._new_ledger()
        self._seeded_items: list[dict[str, Any]] = []
        self._api = AccountingApi(ledger=self.ledger, oauth=self.oauth)
        self.reset()

    def _new_ledger(self) -> Ledger:
        config = self._config
        # The rule is read from the config at each recompute: the admin route may replace it at run time.
        return Ledger(clock=config.clock, seed=config.seed, tax_rounding=lambda: config.freshbooks_tax_rounding)

    def routes(self) -> list[BaseRoute]:
        account = API + "/accounting/account/{account_id}/{group}/{resource}"
        return [
            Route(AUTH + "/oauth/authorize", self.oauth.authorize, methods=["GET", "POST"]),
            Route(API + "/auth/oauth/token", self.oauth.token, methods=["POST"]),
            Route(API + "/auth/api/v1/users/me", self._me, methods=["GET"]),
            Route(account, self._accounting, methods=["GET", "POST"]),
            Route(account + "/{object_id}", self._accounting, methods=["GET", "PUT", "DELETE"]),
        ]

    async def _accounting(self, request: Request) -> Response:
        limit, account_id = self.rate_limit, str(request.path_params.get("account_id", ""))
        if not limit.enabled:
            return await self._api.handle(request)  # through self: reset() replaces the ledger and its API
        if not limit.take(account_id):
            return limit.too_many(account_id)
        response = await self._api.handle(request)
        response.headers.update(limit.headers(account_id))
        return response

    async def _me(self, request: Request) -> Response:
        grant = self.oauth.bearer(request)
        if grant is None:
            return self.oauth.unauthenticated()
        if "user:profile:read" not in grant.scopes:
            return json_response(
                {
                    "error": "insufficient_scope",
                    "error_description": (
                        f"Insufficient scopes. Provided scopes: [{', '.join(grant.scopes)}]. "
                        "Needed scopes: [user:profile:read]."
                    ),
                },
                403,
            )
        return json_response({"response": identity()})

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """Every object of every account, in API shape (invoices and credit notes with lines).

        Objects whose API shape has no `accountid` (only `accounting_systemid`) get an added
        `accountid` key here.
        """
        out: dict[str, list[dict[str, Any]]] = {name: [] for name in RESOURCES}
        for biz in BUSINESSES:
            for name in RESOURCES:
                for obj in self.ledger.all(biz.account_id, name):
                    row = copy.deepcopy(obj)
                    row.setdefault("accountid", biz.account_id)
                    out[name].append(row)
        return out

    def reset(self) -> None:
        """Back to the seeded state; codes and tokens are forgotten."""
        self.oauth.clear()
        self.rate_limit.reset()
        self.ledger = self._new_ledger()
        self._api = AccountingApi(ledger=self.ledger, oauth=self.oauth)
        for name, rate, number, compound in SEEDED_TAXES:
            self.ledger.create(
                PRIMARY_ACCOUNT_ID,
                "taxes",
                {"name": name, "amount": str(rate), "number": number, "compound": compound},
            )
        self._seed_second_account()
        self._add_items(self._seeded_items)

    def seed_items(self, items: list[dict[str, Any]]) -> None:
        """[{"sku", "name", "price": Decimal}] become items in the primary account (kept across reset)."""
        self._seeded_items.extend(items)
        self._add_items(items)

    def _add_items(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            price = Decimal(item["price"])
            self.ledger.create(
                PRIMARY_ACCOUNT_ID,
                "items",
                {
                    "name": item["name"],
                    "sku": item["sku"],
                    "qty": "1",
                    "unit_cost": {"amount": f"{price:.2f}", "code": "USD"},
                },
            )

    def _seed_second_account(self) -> None:
        for name, rate, number, compound in SECOND_ACCOUNT_SEED["taxes"]:
            self.ledger.create(
                SECOND_ACCOUNT_ID,
                "taxes",
                {"name": name, "amount": str(rate), "number": number, "compound": compound},
            )
        clients = [
            self.ledger.create(SECOND_ACCOUNT_ID, "clients", dict(body))
            for body in SECOND_ACCOUNT_SEED["clients"]
        ]
        for body in SECOND_ACCOUNT_SEED["items"]:
            self.ledger.create(SECOND_ACCOUNT_ID, "items", copy.deepcopy(body))
        for body in SECOND_ACCOUNT_SEED["invoices"]:
            self.ledger.create(
                SECOND_ACCOUNT_ID, "invoices", {**copy.deepcopy(body), "customerid": clients[0]["id"]}
            )
