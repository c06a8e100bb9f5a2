"""The same seed and the same API writes give byte-identical FreshBooks state, record uuids included."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig

from .freshbooks_harness import FakeClock, Session


async def _state_after_writes(*, seed: int) -> bytes:
    """A fresh full Sandbox, one fixed sequence of writes through the API, then GET /_sandbox/state."""
    clock = FakeClock()
    config = SandboxConfig(orders=5, seed=seed, clock=clock)
    sandbox = Sandbox(config)
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url="http://sandbox") as http:
        s = Session(sandbox=sandbox.freshbooks, config=config, clock=clock, http=http)
        await s.sign_in()
        ada = await s.client(email="ada@example.com", fname="Ada", lname="Lovelace")
        bob = await s.client(email="bob@example.com", fname="Bob")
        lines: list[dict[str, Any]] = [
            {"name": "Mug", "qty": "2", "unit_cost": {"amount": "12.50", "code": "USD"}},
            {"name": "Tea", "qty": "1", "unit_cost": {"amount": "4.99", "code": "USD"}},
        ]
        invoice = await s.invoice(ada["id"], lines)
        clock.advance(60)
        await s.invoice(bob["id"], lines[:1], invoice_number="BC-9")
        await s.call("PUT", f"invoices/invoices/{invoice['id']}", {"invoice": {"action_mark_as_sent": True}})
        await s.pay(invoice["id"], "10.00")
        clock.advance(3600)
        await s.call("PUT", f"users/clients/{bob['id']}", {"client": {"organization": "Bob & Co"}})
        state = await http.get("/_sandbox/state")
        assert state.status_code == 200
        return state.content


@pytest.mark.asyncio
async def test_same_seed_and_writes_give_byte_identical_state() -> None:
    first = await _state_after_writes(seed=11)
    second = await _state_after_writes(seed=11)
    assert b'"uuid"' in first  # the records that carry a uuid are in the dump
    assert first == second


@pytest.mark.asyncio
async def test_another_seed_gives_other_record_uuids() -> None:
    import json

    def uuids(raw: bytes) -> list[str]:
        books = json.loads(raw)["freshbooks"]
        return [obj["uuid"] for kind in ("clients", "invoices") for obj in books[kind]]

    one, other = uuids(await _state_after_writes(seed=11)), uuids(await _state_after_writes(seed=12))
    assert len(one) == len(set(one)) >= 4  # unique within a sandbox
    assert not set(one) & set(other)
