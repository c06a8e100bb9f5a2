"""HTTP layer of the accounting API: bearer and scope checks, envelopes, pagination, search, includes."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.sandbox.freshbooks.accounts import BUSINESSES
from bigbooks_desktop.sandbox.freshbooks.invoice_math import money
from bigbooks_desktop.sandbox.freshbooks.ledger import Ledger
from bigbooks_desktop.sandbox.freshbooks.oauth import OAuthServer
from bigbooks_desktop.sandbox.freshbooks.wire import ACCESS_DENIED_MESSAGE, AccountingError, json_response

__all__ = ["DEFAULT_PER_PAGE", "MAX_PER_PAGE", "PATHS", "AccountingApi"]

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 15  # the page size in most list fixtures

# URL path under /accounting/account/{id}/ -> (resource, singular key, scope object).
PATHS: dict[str, tuple[str, str, str]] = {
    "users/clients": ("clients", "client", "clients"),
    "invoices/invoices": ("invoices", "invoice", "invoices"),
    "payments/payments": ("payments", "payment", "payments"),
    "items/items": ("items", "item", "billable_items"),
    "taxes/taxes": ("taxes", "tax", "taxes"),
    "credit_notes/credit_notes": ("credit_notes", "credit_note", "credit_notes"),
}
_HTTP_DELETE = ("invoices", "taxes")  # SUMMARY §2: the others delete by PUT vis_state 1


def _exact(field: str) -> Callable[[dict[str, Any], str], bool]:
    return lambda obj, value: str(obj.get(field)) == value


def _caseless(field: str) -> Callable[[dict[str, Any], str], bool]:
    return lambda obj, value: str(obj.get(field) or "").casefold() == value.casefold()


def _like(field: str) -> Callable[[dict[str, Any], str], bool]:
    return lambda obj, value: value.lower() in str(obj.get(field) or "").lower()


def _bool(field: str) -> Callable[[dict[str, Any], str], bool]:
    return lambda obj, value: bool(obj.get(field)) == (value.lower() in ("1", "true"))


def _filters(
    ids: dict[str, str],
    exact: tuple[str, ...] = (),
    caseless: tuple[str, ...] = (),
    like: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
) -> dict[str, Callable[[dict[str, Any], str], bool]]:
    """search[name] -> predicate; `ids` maps a search name to the object field it matches."""
    table: dict[str, Callable[[dict[str, Any], str], bool]] = {
        name: _exact(field) for name, field in ids.items()
    }
    table.update({name: _exact(name) for name in exact})
    table.update({name: _caseless(name) for name in caseless})
    table.update({name: _like(name.removesuffix("_like")) for name in like})
    table.update({name: _bool(name) for name in flags})
    table["vis_state"] = _exact("vis_state")
    return table


# Search filters per resource (SUMMARY §5). `search[<name>s][]=` in-list forms exist for every id filter.
SEARCH: dict[str, dict[str, Callable[[dict[str, Any], str], bool]]] = {
    "clients": _filters(
        # Assumption: FreshBooks matches search[email] whole but ignoring case (emails are case-insensitive in
        # practice, and the reference does not say otherwise); the sync engine relies on it to find a client.
        {"userid": "id"},
        caseless=("email",),
        like=("fname_like", "lname_like", "organization_like"),
    ),
    "invoices": _filters(
        {"invoiceid": "id", "invoice_id": "id", "customerid": "customerid"},
        exact=("invoice_number", "v3_status", "payment_status", "currency_code"),
    ),
    "payments": _filters(
        {"logid": "id", "invoiceid": "invoiceid", "clientid": "clientid", "customerid": "clientid"},
        exact=("type",),
        flags=("from_credit",),
    ),
    "items": _filters({"itemid": "id"}, exact=("sku",), like=("description", "name")),
    "taxes": _filters({"taxid": "id"}, like=("name", "number"), flags=("compound",)),
    "credit_notes": _filters({"creditid": "id", "clientid": "clientid"}, exact=("credit_number",)),
}
_RANGES = {"invoices": "create_date", "payments": "date", "credit_notes": "create_date"}


class AccountingApi:
    """Handlers for /accounting/account/{account_id}/{group}/{resource}[/{id}]."""

    def __init__(self, *, ledger: Ledger, oauth: OAuthServer) -> None:
        self._ledger = ledger
        self._oauth = oauth

    async def handle(self, request: Request) -> Response:
        try:
            return await self._handle(request)
        except AccountingError as exc:
            return exc.response()

    async def _handle(self, request: Request) -> Response:
        grant = self._oauth.bearer(request)
        if grant is None:
            raise AccountingError(errno=1003, message=ACCESS_DENIED_MESSAGE, status=401)
        params = request.path_params
        account_id = params["account_id"]
        if account_id not in {biz.account_id for biz in BUSINESSES}:
            raise AccountingError(errno=1003, message=ACCESS_DENIED_MESSAGE, status=403)
        resource, singular, scope_object = PATHS[f"{params['group']}/{params['resource']}"]
        needed = f"user:{scope_object}:{'read' if request.method == 'GET' else 'write'}"
        if needed not in grant.scopes:
            raise AccountingError(
                errno=1003,
                status=403,
                message=(
                    f"Insufficient scopes. Provided scopes: [{', '.join(grant.scopes)}]. "
                    f"Needed scopes: [{needed}]."
                ),
            )
        object_id = params.get("object_id")
        includes = request.query_params.getlist("include[]")
        if request.method == "GET" and object_id is None:
            return self._list(request, account_id, resource)
        if request.method == "GET":
            obj = self._ledger.get(account_id, resource, object_id)
        elif request.method == "POST" and object_id is None:
            obj = self._ledger.create(account_id, resource, await _envelope(request, singular))
        elif request.method == "PUT" and object_id is not None:
            obj = self._ledger.update(account_id, resource, object_id, await _envelope(request, singular))
        elif request.method == "DELETE" and object_id is not None and resource in _HTTP_DELETE:
            self._ledger.delete(account_id, resource, object_id)
            return json_response({"response": {}})
        else:
            return json_response(
                {"response": {"errors": [{"errno": 405, "message": "Method not allowed."}]}}, 405
            )
        return json_response(
            {"response": {"result": {singular: self._shown(account_id, obj, resource, includes)}}}
        )

    def _list(self, request: Request, account_id: str, resource: str) -> Response:
        query = request.query_params
        page = _whole(query.get("page", "1"), errno=1014, field="page")
        per_page = _whole(query.get("per_page", str(DEFAULT_PER_PAGE)), errno=1013, field="per_page")
        page, per_page = max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)
        rows = self._ledger.all(account_id, resource)
        if "search[vis_state]" not in query:
            rows = [row for row in rows if row.get("vis_state", 0) in (0, 2)]
        rows = _search(rows, resource, query.multi_items())
        total = len(rows)
        chunk = rows[(page - 1) * per_page : page * per_page]
        includes = query.getlist("include[]")
        return json_response(
            {
                "response": {
                    "result": {
                        resource: [self._shown(account_id, row, resource, includes) for row in chunk],
                        "page": page,
                        "pages": max(1, math.ceil(total / per_page)),
                        "per_page": per_page,
                        "total": total,
                    }
                }
            }
        )

    def _shown(
        self, account_id: str, obj: dict[str, Any], resource: str, includes: list[str]
    ) -> dict[str, Any]:
        """The object as the API shows it: invoice lines only with include[]=lines; a client's open credit
        with include[]=credit_balance.

        `credit_balance` ([PM]: the include that shows a client's remaining credit; [DOC:clients] lists it) is
        a list with one `{"amount": {"amount", "code"}}` per currency with open credit, the shape of its sibling
        include `outstanding_balance` in `python/get_client_response.json` (unverified: no credit_balance
        example was found; sandbox assumption).
        """
        if resource == "invoices" and "lines" not in includes:
            return {key: value for key, value in obj.items() if key != "lines"}
        shown = dict(obj)
        if resource == "clients" and "credit_balance" in includes:
            balance = self._ledger.client_credit_balance(account_id, obj["id"])
            shown["credit_balance"] = [{"amount": money(left, code)} for code, left in balance.items()]
        return shown


def _whole(text: str, *, errno: int, field: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise AccountingError(
            errno=errno,
            status=400,
            field=field,
            obj="search",
            value=text,
            message=f"Invalid value for {field}: must be an integer.",
        ) from None


def _search(rows: list[dict[str, Any]], resource: str, items: list[tuple[str, str]]) -> list[dict[str, Any]]:
    table = SEARCH[resource]
    wanted: dict[str, list[str]] = {}
    for key, value in items:
        if not key.startswith("search["):
            continue
        name = key[len("search[") :].split("]", 1)[0]
        if key.endswith("[]") and name.endswith("s") and name[:-1] in table:  # search[userids][]=1
            wanted.setdefault(name[:-1], []).append(value)
        elif name in table:
            wanted.setdefault(name, []).append(value)
        elif name in ("updated_min", "updated_max") or (
            name in ("date_min", "date_max") and resource in _RANGES
        ):
            field = (
                _RANGES[resource] if name.startswith("date") else "updated"
            )  # day granularity (SUMMARY §10)
            rows = [row for row in rows if _in_range(str(row.get(field) or "")[:10], name, value)]
    for name, values in wanted.items():
        rows = [row for row in rows if any(table[name](row, value) for value in values)]
    return rows


def _in_range(day: str, name: str, bound: str) -> bool:
    return day >= bound[:10] if name.endswith("_min") else day <= bound[:10]


async def _envelope(request: Request, singular: str) -> dict[str, Any]:
    try:
        body = json_loads(await request.body() or b"{}")
    except ValueError:
        raise AccountingError(
            errno=1005, status=400, message="Could not parse the request body as JSON."
        ) from None
    names = (
        (singular, "credit_notes") if singular == "credit_note" else (singular,)
    )  # Node SDK sends the plural
    for name in names:
        if isinstance(body, dict) and isinstance(body.get(name), dict):
            inner: dict[str, Any] = body[name]
            return inner
    raise AccountingError.required(singular, singular)
