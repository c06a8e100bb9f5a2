"""The async FreshBooks API client: accounting resources and identity, parsed into core `fb` types.

Retry policy (documented decision):
- GET, PUT and DELETE are idempotent here (a PUT sends the whole desired state; a repeated delete is
  harmless), so they are retried on transport failures, 5xx and 429 with exponential backoff + jitter.
- POST (a create) is never retried blindly. A transport failure after the request may have left, or a
  5xx, raises `TransientError` with `details["write_outcome"] == "unknown"`: the engine looks up what exists
  before creating again. Two cases are retried because FreshBooks cannot have acted on them: a 429 (the
  server refused the request before doing anything, as the Node SDK also assumes) and a connect failure
  (`ConnectError`/`ConnectTimeout`: nothing was sent; `write_outcome` becomes "not_sent").
- A 429 also pauses the shared `FreshBooksBackoff`, so every concurrent request slows down; `Retry-After`
  is honoured when present. A wait longer than `max_rate_limit_wait` surfaces as `RateLimitedError`.

Pacing: every attempt first goes through the account's `FreshBooksPacer` (`pacing.py`), which spreads requests
to stay under the quota the `X-RateLimit-*` headers tell, so a long sync does not run into 429s; with no such
headers it does nothing and the 429 handling above is the fallback. `client.pacer.counters()` tells requests
made, 429s met and seconds spent waiting for the quota.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

import httpx

from bigbooks_desktop.connectors.freshbooks import bodies
from bigbooks_desktop.connectors.freshbooks.errors import SERVICE, error_from_response
from bigbooks_desktop.connectors.freshbooks.items import ItemsAndTaxes, Params, V, _search
from bigbooks_desktop.connectors.freshbooks.pacing import FreshBooksPacer, shared_pacer
from bigbooks_desktop.connectors.freshbooks.parsing import (
    FreshBooksParseError,
    parse_client,
    parse_credit_balance,
    parse_credit_note,
    parse_identity,
    parse_invoice,
    parse_payment,
)
from bigbooks_desktop.connectors.http import (
    RequestLog,
    RequestStats,
    RetryPolicy,
    retry_after_seconds,
    send_request,
)
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import (
    NotFoundError,
    PermanentError,
    RateLimitedError,
    TransientError,
)
from bigbooks_desktop.core.jsonwire import dumps
from bigbooks_desktop.core.money import json_loads

__all__ = ["PER_PAGE", "FreshBooksBackoff", "FreshBooksClient"]

PER_PAGE = 100                       # FreshBooks silently caps per_page at 100
_IDEMPOTENT = frozenset({"GET", "PUT", "DELETE"})
_NOTHING_SENT = frozenset({"ConnectError", "ConnectTimeout"})
_LINES = ("include[]", "lines")


class FreshBooksBackoff:
    """One per FreshBooks account, shared by concurrent requests: after a 429 everyone waits it out."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.clock = clock      # public: a client's private pacer runs on the same clock and sleep
        self.sleep = sleep
        self._resume_at = 0.0

    def pause_for(self, seconds: float) -> None:
        self._resume_at = max(self._resume_at, self.clock() + max(0.0, seconds))

    @property
    def remaining(self) -> float:
        return max(0.0, self._resume_at - self.clock())

    async def wait(self) -> float:
        """Wait out any pause in force; returns the seconds waited."""
        delay = self.remaining
        if delay > 0:
            await self.sleep(delay)
        return delay


class FreshBooksClient(ItemsAndTaxes):
    """FreshBooks accounting for one account (`account_id`), through an injected bearer `httpx.Auth`."""

    def __init__(self, *, api_url: str, account_id: str, auth: httpx.Auth,
                 transport: httpx.AsyncBaseTransport | None = None, timeout: float = 30.0,
                 max_retries: int = 4,
                 request_log: RequestLog | None = None, backoff: FreshBooksBackoff | None = None,
                 retry_policy: RetryPolicy | None = None, max_rate_limit_wait: float = 60.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 rng: Callable[[], float] = random.random, pacer: FreshBooksPacer | None = None) -> None:
        """`pacer`: None shares the account's pacer on the running loop (`shared_pacer`), or, when a fake
        `sleep` or `backoff` is injected, makes a private one on the backoff's clock and sleep."""
        self.api_url = api_url.rstrip("/")
        self.account_id = account_id
        self.stats = RequestStats()
        self._request_log = request_log
        self._policy = retry_policy or RetryPolicy(max_retries=max_retries)
        self._backoff = backoff or FreshBooksBackoff(sleep=sleep)
        if pacer is None and (backoff is not None or sleep is not asyncio.sleep):
            pacer = FreshBooksPacer(clock=self._backoff.clock, sleep=self._backoff.sleep)
        self._pacer = pacer
        self._max_rate_limit_wait = max_rate_limit_wait
        self._sleep = sleep
        self._rng = rng
        self._http = httpx.AsyncClient(auth=auth, transport=transport, timeout=timeout,
                                       headers={"Accept": "application/json"})

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    # ---- plumbing ----------------------------------------------------------------------------------

    @property
    def pacer(self) -> FreshBooksPacer:
        """This account's pacer (its `counters()` are the benchmark's FreshBooks numbers)."""
        if self._pacer is None:
            self._pacer = shared_pacer(self.api_url, self.account_id)
        return self._pacer

    def _url(self, path: str) -> str:
        return f"{self.api_url}/accounting/account/{self.account_id}/{path}"

    async def _pause(self, seconds: float) -> None:
        self.stats.retries += 1
        self.stats.waited_seconds += seconds
        await self._sleep(seconds)

    async def _request(self, method: str, url: str, *, params: Params | None = None,
                       body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One logical call with the retry policy above; returns the decoded JSON body (a dict)."""
        idempotent = method in _IDEMPOTENT
        content = dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if content is not None else None
        ambiguous = False            # an earlier attempt may have reached the server
        attempt = 1
        pacer = self.pacer
        while True:
            backed_off = await self._backoff.wait()
            self.stats.waited_seconds += backed_off
            pacer.note_backoff(backed_off)
            request = self._http.build_request(method, url, params=params,
                                               content=content, headers=headers)
            retry_number = attempt - 1
            sent_at = await pacer.acquire()
            try:
                response = await send_request(self._http, request, service=SERVICE,
                                              request_log=self._request_log, stats=self.stats,
                                              idempotent=method == "GET", attempt=attempt)
            except BaseException as exc:
                pacer.release(None)
                if not isinstance(exc, TransientError):
                    raise
                nothing_sent = exc.details.get("exception") in _NOTHING_SENT
                if nothing_sent and not idempotent:
                    exc.details["write_outcome"] = "not_sent"
                if (idempotent or nothing_sent) and attempt <= self._policy.max_retries:
                    ambiguous = ambiguous or not nothing_sent
                    await self._pause(self._policy.backoff(retry_number, rng=self._rng))
                    attempt += 1
                    continue
                raise
            pacer.release(response.headers, status=response.status_code, sent_at=sent_at)
            if response.status_code == 429:
                pacer.rate_limited(response.headers)
            decoded = self._decode(response)
            retry_after = retry_after_seconds(response.headers)
            error = error_from_response(status=response.status_code, body=decoded, method=method,
                                        path=request.url.path, retry_after=retry_after)
            if error is None:
                return decoded if isinstance(decoded, dict) else {}
            if isinstance(error, RateLimitedError):
                delay = retry_after if retry_after is not None else self._policy.backoff(retry_number,
                                                                                         rng=self._rng)
                self._backoff.pause_for(delay)
                if attempt <= self._policy.max_retries and delay <= self._max_rate_limit_wait:
                    await self._pause(0.0)   # the shared backoff does the waiting, for everyone
                    attempt += 1
                    continue
                error.retry_after = delay
                raise error
            if isinstance(error, TransientError) and response.status_code >= 500:
                if idempotent and attempt <= self._policy.max_retries:
                    ambiguous = True
                    delay = max(self._policy.backoff(retry_number, rng=self._rng), retry_after or 0.0)
                    await self._pause(delay)
                    attempt += 1
                    continue
                if not idempotent:
                    error.details["write_outcome"] = "unknown"
                raise error
            if isinstance(error, NotFoundError) and method == "DELETE" and ambiguous:
                return {}            # an earlier attempt that timed out did delete it
            raise error

    @staticmethod
    def _decode(response: httpx.Response) -> Any:
        if not response.content.strip():
            return {}
        try:
            return json_loads(response.content)
        except ValueError:
            if response.status_code >= 400:
                return None          # judged by status alone (e.g. an HTML 502 page from a proxy)
            raise FreshBooksParseError(f"FreshBooks answered {response.request.method} "
                                       f"{response.request.url.path} with a body that is not JSON.",
                                       service=SERVICE, status=response.status_code) from None

    @staticmethod
    def _result(body: dict[str, Any]) -> dict[str, Any]:
        result = (body.get("response") or {}).get("result")
        if not isinstance(result, dict):
            raise FreshBooksParseError("FreshBooks sent a response without `response.result`.",
                                       service=SERVICE)
        return result

    def _one(self, body: dict[str, Any], *keys: str) -> dict[str, Any]:
        result = self._result(body)
        for key in keys:
            if isinstance(result.get(key), dict):
                return dict(result[key])
        raise FreshBooksParseError(f"FreshBooks sent a response without `{keys[0]}`.", service=SERVICE)

    async def _get_one(self, path: str, key: str, params: Params | None = None) -> dict[str, Any]:
        return self._one(await self._request("GET", self._url(path), params=params), key)

    async def _iter_raw(self, path: str, key: str, params: Params) -> AsyncIterator[dict[str, Any]]:
        """Every record of a list, page by page (`page`/`pages`, `per_page=100`)."""
        page = 1
        while True:
            paged = [*params, ("page", str(page)), ("per_page", str(PER_PAGE))]
            result = self._result(await self._request("GET", self._url(path), params=paged))
            records = result.get(key) or []
            for record in records:
                yield record
            pages = int(result.get("pages") or 1)
            if not records or page >= pages:
                return
            page += 1

    async def _list_within(self, path: str, key: str, params: Params, max_pages: int) -> list[dict[str, Any]] | None:
        """Every record of a list when it spans at most `max_pages` pages, else None after reading the first
        page only (its `pages` says how many there are)."""
        records: list[dict[str, Any]] = []
        page = 1
        while True:
            paged = [*params, ("page", str(page)), ("per_page", str(PER_PAGE))]
            result = self._result(await self._request("GET", self._url(path), params=paged))
            batch = result.get(key) or []
            pages = int(result.get("pages") or 1)
            if pages > max_pages:
                return None
            records += batch
            if not batch or page >= pages:
                return records
            page += 1

    async def _first_active(self, path: str, key: str, search: dict[str, Any], parse: Callable[[dict[str, Any]], V],
                            match: Callable[[V], bool]) -> V | None:
        """The first active record the `search[...]` filters find that `match`es, or None."""
        async for record in self._iter_raw(path, key, _search({**search, "vis_state": 0})):
            found = parse(record)
            if match(found) and found.vis_state == 0:
                return found
        return None

    async def _active_within(self, path: str, key: str, parse: Callable[[dict[str, Any]], V], max_pages: int
                             ) -> list[V] | None:
        """Every active record when they fit in `max_pages` pages (`_list_within`), else None."""
        records = await self._list_within(path, key, _search({"vis_state": 0}), max_pages)
        if records is None:
            return None
        return [r for r in (parse(record) for record in records) if r.vis_state == 0]

    async def _list(self, path: str, key: str, params: Params) -> list[dict[str, Any]]:
        return [record async for record in self._iter_raw(path, key, params)]

    async def _write(self, method: str, path: str, envelope: str, data: dict[str, Any],
                     params: Params | None = None) -> dict[str, Any]:
        return await self._request(method, self._url(path), params=params, body={envelope: data})

    async def _delete_by_vis_state(self, path: str, envelope: str) -> None:
        await self._write("PUT", path, envelope, dict(bodies.VIS_DELETED))

    # ---- identity ----------------------------------------------------------------------------------

    async def get_identity(self) -> fb.Identity:
        """`/auth/api/v1/users/me`: the data sits directly under `response` (no `result`)."""
        body = await self._request("GET", f"{self.api_url}/auth/api/v1/users/me")
        response = body.get("response")
        if not isinstance(response, dict):
            raise FreshBooksParseError("FreshBooks sent an identity without `response`.", service=SERVICE)
        return parse_identity(response)

    # ---- clients -----------------------------------------------------------------------------------

    async def find_client_by_email(self, email: str) -> fb.Client | None:
        """The first active client whose email matches exactly (case-insensitive), or None."""
        wanted = email.strip().casefold()
        return await self._first_active("users/clients", "clients", {"email": email.strip()}, parse_client,
                                        lambda client: client.email.strip().casefold() == wanted)

    async def active_clients_within(self, max_pages: int) -> list[fb.Client] | None:
        """Every active client when they fit in `max_pages` pages of 100 (else None, after one request): cheaper
        than one `find_client_by_email` per new shopper when a run meets more new shoppers than that."""
        return await self._active_within("users/clients", "clients", parse_client, max_pages)

    async def get_client(self, client_id: int) -> fb.Client:
        return parse_client(await self._get_one(f"users/clients/{client_id}", "client"))

    async def create_client(self, draft: fb.ClientDraft) -> fb.Client:
        body = await self._write("POST", "users/clients", "client", bodies.client_body(draft))
        return parse_client(self._one(body, "client"))

    async def update_client(self, client_id: int, draft: fb.ClientDraft) -> fb.Client:
        body = await self._write("PUT", f"users/clients/{client_id}", "client",
                                 bodies.client_body(draft, for_update=True))
        return parse_client(self._one(body, "client"))

    async def get_client_credit_balance(self, client_id: int) -> dict[str, Decimal]:
        """The client's open credit per currency code (`include[]=credit_balance`); {} when it has none."""
        record = await self._get_one(f"users/clients/{client_id}", "client", [("include[]", "credit_balance")])
        return parse_credit_balance(record.get("credit_balance"))

    async def delete_client(self, client_id: int) -> None:
        await self._delete_by_vis_state(f"users/clients/{client_id}", "client")

    # ---- invoices (always with lines) --------------------------------------------------------------

    async def find_invoice_by_number(self, invoice_number: str) -> fb.Invoice | None:
        """The active invoice with exactly this number, or None."""
        async for invoice in self.iter_invoices(invoice_number=invoice_number, vis_state=0):
            if invoice.invoice_number == invoice_number and invoice.vis_state == 0:
                return invoice
        return None

    async def get_invoice(self, invoice_id: int) -> fb.Invoice:
        return parse_invoice(await self._get_one(f"invoices/invoices/{invoice_id}", "invoice", [_LINES]))

    async def iter_invoices(self, **search: str | int) -> AsyncIterator[fb.Invoice]:
        """Invoices matching `search[...]` filters (e.g. `invoice_number=`, `customerid=`, `vis_state=0`)."""
        async for record in self._iter_raw("invoices/invoices", "invoices", [_LINES, *_search(search)]):
            yield parse_invoice(record)

    async def create_invoice(self, draft: fb.InvoiceDraft) -> fb.Invoice:
        """Creates a draft invoice; it is NOT marked sent (call `mark_invoice_sent`)."""
        body = await self._write("POST", "invoices/invoices", "invoice", bodies.invoice_body(draft), [_LINES])
        return parse_invoice(self._one(body, "invoice"))

    async def mark_invoice_sent(self, invoice_id: int) -> fb.Invoice:
        """`{"invoice": {"action_mark_as_sent": true}}` sent alone (other fields would be dropped)."""
        body = await self._write("PUT", f"invoices/invoices/{invoice_id}", "invoice", dict(bodies.MARK_SENT),
                                 [_LINES])
        return parse_invoice(self._one(body, "invoice"))

    async def update_invoice(self, invoice_id: int, draft: fb.InvoiceDraft) -> fb.Invoice:
        """Fields plus the full line list: FreshBooks replaces every line with the ones sent."""
        body = await self._write("PUT", f"invoices/invoices/{invoice_id}", "invoice",
                                 bodies.invoice_body(draft, for_update=True), [_LINES])
        return parse_invoice(self._one(body, "invoice"))

    async def delete_invoice(self, invoice_id: int) -> None:
        """HTTP DELETE (Python SDK); when the server refuses the method (405), PUT vis_state=1 (Node SDK)."""
        try:
            await self._request("DELETE", self._url(f"invoices/invoices/{invoice_id}"))
        except PermanentError as exc:
            if exc.status != 405:
                raise
            await self._delete_by_vis_state(f"invoices/invoices/{invoice_id}", "invoice")

    # ---- payments ----------------------------------------------------------------------------------

    async def list_payments(self, invoice_id: int) -> list[fb.Payment]:
        """Active payments on one invoice (deleted ones are left out)."""
        params = _search({"invoiceid": invoice_id, "vis_state": 0})
        payments = [parse_payment(r) for r in await self._list("payments/payments", "payments", params)]
        return [p for p in payments if p.invoiceid == invoice_id and p.vis_state == 0]

    async def create_payment(self, draft: fb.PaymentDraft) -> fb.Payment:
        body = await self._write("POST", "payments/payments", "payment", bodies.payment_body(draft))
        return parse_payment(self._one(body, "payment"))

    async def update_payment(self, payment_id: int, *, amount: Decimal, note: str) -> fb.Payment:
        """Change a payment's amount (>= 0; 0 with a note records a full refund) and note. FreshBooks recomputes
        the invoice's paid/outstanding/status, and the credit's balance when the payment applied one."""
        body = await self._write("PUT", f"payments/payments/{payment_id}", "payment",
                                 bodies.payment_update_body(amount=amount, note=note))
        return parse_payment(self._one(body, "payment"))

    async def delete_payment(self, payment_id: int) -> None:
        await self._delete_by_vis_state(f"payments/payments/{payment_id}", "payment")

    # ---- credit notes ------------------------------------------------------------------------------

    async def list_credit_notes(self, client_id: int) -> list[fb.CreditNote]:
        params: Params = [_LINES, *_search({"clientid": client_id, "vis_state": 0})]
        notes = [parse_credit_note(r) for r in await self._list("credit_notes/credit_notes", "credit_notes",
                                                                  params)]
        return [n for n in notes if n.clientid == client_id and n.vis_state == 0]

    async def get_credit_note(self, credit_id: int) -> fb.CreditNote:
        """One credit note with its lines, e.g. the one a payment's `overpaymentid` names."""
        body = await self._request("GET", self._url(f"credit_notes/credit_notes/{credit_id}"), params=[_LINES])
        return parse_credit_note(self._one(body, "credit_note", "credit_notes"))

    async def create_credit_note(self, draft: fb.CreditNoteDraft) -> fb.CreditNote:
        body = await self._write("POST", "credit_notes/credit_notes", "credit_note",
                                 bodies.credit_note_body(draft), [_LINES])
        # the Node SDK's fixtures answer under the plural key even for one record
        return parse_credit_note(self._one(body, "credit_note", "credit_notes"))

    async def delete_credit_note(self, credit_id: int) -> None:
        await self._delete_by_vis_state(f"credit_notes/credit_notes/{credit_id}", "credit_note")

