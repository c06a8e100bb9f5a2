"""Test harness for the sync engine: an in-process sandbox signed in through the real sandbox paths."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from bigbooks_desktop import accounts
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.mapping.eligibility import is_invoiceable
from bigbooks_desktop.mapping.profile import MappingProfile, default_profile
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.store.db import close_database, open_database
from bigbooks_desktop.store.error_queue import RetryPolicy
from bigbooks_desktop.sync.engine import RunSummary, SyncEngine, SyncOptions

ADMIN_URL = "http://sandbox.test/_sandbox"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
NO_WAIT = RetryPolicy(max_retries=5, base_delay=timedelta(0), jitter=0.0)


@dataclass
class Rig:
    sandbox: Sandbox
    transport: httpx.AsyncBaseTransport
    profile: MappingProfile = field(default_factory=default_profile)
    options: SyncOptions = field(default_factory=lambda: SyncOptions(retry_policy=NO_WAIT))
    skew: list[float] = field(default_factory=lambda: [0.0])

    def tick(self, seconds: float = 2.0) -> None:
        """Move the sandbox clock on, so the next change gets a later (whole-second) date_modified."""
        self.skew[0] += seconds

    async def sync(self, *, since: datetime | None = EPOCH, transport: httpx.AsyncBaseTransport | None = None,
                   **kwargs: Any) -> RunSummary:
        """One run with freshly built clients (as a new process would)."""
        use = transport or self.transport
        bigcommerce = await accounts.open_bigcommerce_client(transport=use)
        freshbooks = await accounts.open_freshbooks_client(transport=use)
        async with bigcommerce, freshbooks:
            engine = SyncEngine(bigcommerce=bigcommerce, freshbooks=freshbooks, profile=self.profile,
                                options=self.options)
            return await engine.run(since=since, **kwargs)

    @asynccontextmanager
    async def clients(self) -> AsyncIterator[tuple[Any, Any]]:
        """Both connector clients from the stored sign-ins (as the service builds them), closed together."""
        bigcommerce = await accounts.open_bigcommerce_client(transport=self.transport)
        freshbooks = await accounts.open_freshbooks_client(transport=self.transport)
        async with bigcommerce, freshbooks:
            yield bigcommerce, freshbooks

    async def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with httpx.AsyncClient(transport=self.transport, base_url="http://sandbox.test") as http:
            response = await http.request(method, f"/_sandbox{path}", json=body)
            assert response.status_code < 300, response.text
            return response.json() if response.content else None

    def state(self) -> dict[str, Any]:
        return self.sandbox.state()

    async def reconcile(self) -> Any:
        """The reconciliation report of the books as they stand."""
        from bigbooks_desktop.sync.reconcile import reconcile

        async with self.clients() as (bigcommerce, freshbooks):
            return await reconcile(bigcommerce=bigcommerce, freshbooks=freshbooks, profile=self.profile)


@asynccontextmanager
async def rig(*, orders: int = 60, seed: int = 3, faults: str = "",
              time_scale: float = 1000.0) -> AsyncIterator[Rig]:
    """A sandbox with its rate-limit window and latencies shrunk by `time_scale`, both accounts connected."""
    skew = [0.0]
    sandbox = Sandbox(SandboxConfig(orders=orders, seed=seed, faults=faults, time_scale=time_scale,
                                    clock=lambda: time.time() + skew[0]))
    transport = sandbox.transport()
    open_database()
    try:
        faults_spec = sandbox.faults.spec
        sandbox.set_faults("")
        await accounts.connect_sandbox(ADMIN_URL, transport=transport)
        sandbox.set_faults(faults_spec)
        yield Rig(sandbox=sandbox, transport=transport, skew=skew)
    finally:
        accounts.forget_shared_auth()
        close_database()


def invoice_tax_by_name(lines: list[dict[str, Any]], rule: str = "line-half-up") -> dict[str, Decimal]:
    """FreshBooks' tax per tax name for invoice lines as the API shows them, computed here again."""
    from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP
    mode = ROUND_HALF_EVEN if rule.endswith("even") else ROUND_HALF_UP
    cent = Decimal("0.01")
    taxes: dict[str, Decimal] = {}
    bases: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        amount = Decimal(str(line["amount"]["amount"]))
        for slot in ("1", "2"):
            name, rate = line.get(f"taxName{slot}"), line.get(f"taxAmount{slot}")
            if name and rate not in (None, "", "0"):
                rate = Decimal(str(rate))
                taxes[name] = taxes.get(name, Decimal(0)) + (amount * rate / 100).quantize(cent, mode)
                bases[(name, rate)] = bases.get((name, rate), Decimal(0)) + amount
    if rule.startswith("invoice"):
        taxes = {}
        for (name, rate), base in bases.items():
            taxes[name] = taxes.get(name, Decimal(0)) + (base * rate / 100).quantize(cent, mode)
    # the mapping names a rate FreshBooks already has under another rate "{name} {rate}%": compare by name
    merged: dict[str, Decimal] = {}
    for name, amount in taxes.items():
        plain_name = re.sub(r" [0-9.]+%$", "", name)
        merged[plain_name] = merged.get(plain_name, Decimal(0)) + amount
    return {name: amount for name, amount in merged.items() if amount}


def bigcommerce_tax_by_name(rows: list[dict[str, Any]], currency: str) -> dict[str, Decimal]:
    """The tax BigCommerce charged per tax name, from the order's taxes rows."""
    taxes: dict[str, Decimal] = {}
    for row in rows:
        name = str(row["name"]).strip() or "Tax"
        taxes[name] = taxes.get(name, Decimal(0)) + Decimal(str(row["line_amount"]))
    return {name: quantize(amount, currency) for name, amount in taxes.items() if amount}


def check_books(state: dict[str, Any], profile: MappingProfile | None = None,
                rule: str = "line-half-up") -> dict[str, Any]:
    """Compare the two halves of the sandbox: one invoice per eligible order with the order's total to the
    cent (less gift certificates sold) and BigCommerce's tax per tax name; payments and credit notes are
    returned for the caller to compare. Returns findings."""
    from bigbooks_desktop.connectors.bigcommerce import wire

    profile = profile or default_profile()
    books = state["freshbooks"]
    invoices = [i for i in books["invoices"] if i["vis_state"] != 1 and i["accountid"] == _primary(books)]
    by_number: dict[str, list[dict[str, Any]]] = {}
    for invoice in invoices:
        by_number.setdefault(invoice["invoice_number"], []).append(invoice)
    duplicates = {n: len(v) for n, v in by_number.items() if len(v) > 1}
    wrong_total, missing, unexpected, wrong_tax = [], [], [], []
    eligible_ids = set()
    for raw in state["bigcommerce"]["orders"]:
        order = wire.parse_order(raw)
        number = f"BC-{order.id}"
        if is_invoiceable(order, profile):
            eligible_ids.add(order.id)
            found = by_number.get(number)
            if not found:
                missing.append(order.id)
                continue
            amount = Decimal(str(found[0]["amount"]["amount"]))
            # a gift certificate sold is not revenue: it stays off the invoice (profile default)
            certificates = sum((Decimal(str(p["total_inc_tax"])) for p in raw.get("products", [])
                                if str(p.get("type", "")).replace("_", "").lower() == "giftcertificate"),
                               Decimal(0)) if profile.gift_certificate_policy == "client_credit" else Decimal(0)
            expected = quantize(order.total_inc_tax - certificates, order.transaction_currency)
            if amount != expected:
                wrong_total.append((order.id, amount, expected))
            if found[0].get("lines") is not None and raw.get("taxes") is not None:
                have = invoice_tax_by_name(found[0]["lines"], rule)
                want = bigcommerce_tax_by_name(raw["taxes"], order.transaction_currency)
                if have != want and not profile.tax_names:
                    wrong_tax.append((order.id, have, want))
        elif number in by_number:
            unexpected.append(order.id)
    payments = [p for p in books["payments"] if p["vis_state"] != 1]
    credits = [c for c in books["credit_notes"] if c["vis_state"] != 1]
    return {"duplicates": duplicates, "wrong_total": wrong_total, "wrong_tax": wrong_tax, "missing": missing,
            "unexpected": unexpected,
            "eligible": eligible_ids, "invoices": len(invoices), "payments": payments, "credits": credits}


def _primary(books: dict[str, Any]) -> str:
    from bigbooks_desktop.sandbox.freshbooks import PRIMARY_ACCOUNT_ID
    return PRIMARY_ACCOUNT_ID
