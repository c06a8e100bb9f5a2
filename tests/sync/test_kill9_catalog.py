"""Catalog and customer sync under `kill -9`: real `bigbooks sync --once` processes with the "Catalog and
customers in step" profile, each killed with SIGKILL after a random number of FreshBooks item requests (read
from the sandbox while the run is under way), then rerun: every SKU has exactly one FreshBooks item, with the
store's name and price; a repricing is written once more under kills and lands exactly.

The test proves where the kills landed, from the sandbox's books alone: once the clean reruns have settled the
items (the oracle), a kill counts as "mid-catalog" when its run wrote items (POST/PUT), wrote no invoice (the
orders, which come after the catalog, were not reached), and left the books with strictly more SKUs at their
settled values than before the run but strictly fewer than all of them. At least 3 of the first catalog sync's
kills and 2 of the repricing's must be mid-catalog.

Only the item routes keep the sandbox latency (30-100 ms a request, from the fault spec, set with
`PUT /_sandbox/faults`): that spreads the catalog writes over seconds and leaves each write in flight long
enough for the kill to land on it; the other routes answer at once so the reruns stay quick. Reuses the order
kill test's sandbox and env.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_kill9 import SEED, SINCE, _bigbooks, env, sandbox  # noqa: F401 - fixtures used by name

pytestmark = [
    pytest.mark.slow,
    pytest.mark.sockets,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]

BUDGET_S = 40.0             # per kill loop
RUN_LIMIT_S = 20.0          # one run's wait for its catalog writes before it is killed anyway
POLL_S = 0.02               # request-count polling while a run is under way
SETTLE_S = 0.25             # after a kill: the sandbox is done with the request it cut off before it is read
ITEM_FAULTS = "/freshbooks/api/accounting/*/items/*:latency=600-2000ms"   # 30-100 ms at the time scale of 20
ITEMS = "/freshbooks/api/accounting/account/{account_id}/items/items"
ITEM_WRITES = (f"POST {ITEMS}", f"PUT {ITEMS}/{{id}}")
INVOICE_WRITES = ("POST /freshbooks/api/accounting/account/{account_id}/invoices/invoices",)

Fingerprint = tuple[Any, ...]


@dataclass(frozen=True)
class _Kill:
    """One killed run: the active items by SKU before it and after it, and what it wrote."""

    before: dict[str, Fingerprint]
    after: dict[str, Fingerprint]
    item_writes: int
    invoice_writes: int


def _run(environ: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_bigbooks(*args), env=environ, capture_output=True, text=True, timeout=180)  # noqa: S603


def _fingerprints(state: dict[str, Any]) -> dict[str, Fingerprint]:
    """The primary account's active items by SKU: every value catalog sync writes."""
    from bigbooks_desktop.sandbox.freshbooks import PRIMARY_ACCOUNT_ID

    return {i["sku"]: (i["name"], i.get("description"), i["unit_cost"]["amount"], i.get("tax1"), i.get("tax2"),
                       i.get("inventory"))
            for i in state["freshbooks"]["items"]
            if i.get("vis_state", 0) == 0 and i["accountid"] == PRIMARY_ACCOUNT_ID}


def _snapshot(admin: str) -> tuple[dict[str, Fingerprint], dict[str, int]]:
    state = httpx.get(f"{admin}/state", timeout=30).json()
    return _fingerprints(state), state["requests"]


def _writes(now: dict[str, int], then: dict[str, int], routes: tuple[str, ...]) -> int:
    return sum(now.get(r, 0) - then.get(r, 0) for r in routes)


def _item_requests(admin: str) -> int:
    """Item requests so far, cheaply: only the item routes have a fault rule, so they are the requests the
    fault plan has decided (`GET /_sandbox/requests` would serialise the whole sandbox on every poll)."""
    return int(httpx.get(f"{admin}/faults", timeout=30).json()["requests_decided"])


def _kill_loop(environ: dict[str, str], admin: str, rng: random.Random, wanted: int,
               requests: tuple[int, int]) -> list[_Kill]:
    """Up to `wanted` runs, each killed as soon as a random number (in `requests`) of its item requests have
    reached the sandbox: the catalog's list read or two, then the writes, the last of them still in flight (a
    write the kill cuts off is not committed); a run that finishes ends the loop (nothing left to kill)."""
    kills: list[_Kill] = []
    started = time.monotonic()
    items, counts = _snapshot(admin)      # each kill's "before" is the previous kill's "after"
    while len(kills) < wanted and time.monotonic() - started < BUDGET_S:
        target = _item_requests(admin) + rng.randint(*requests)
        proc = subprocess.Popen(_bigbooks("sync", "--once", "--since", SINCE), env=environ,  # noqa: S603
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        limit = time.monotonic() + RUN_LIMIT_S
        while proc.poll() is None and time.monotonic() < limit and _item_requests(admin) < target:
            time.sleep(POLL_S)
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        assert proc.stderr is not None
        with proc.stderr:
            if finished:
                assert proc.returncode == 0, proc.stderr.read().decode()
                break
        time.sleep(SETTLE_S)
        after, now = _snapshot(admin)
        kills.append(_Kill(items, after, _writes(now, counts, ITEM_WRITES), _writes(now, counts, INVOICE_WRITES)))
        items, counts = after, now
    return kills


def _mid_catalog(kills: list[_Kill], settled: dict[str, Fingerprint]) -> list[tuple[int, int, int]]:
    """(SKUs at their settled values before the run, after the kill, item writes the sandbox counted) for each
    kill that landed while the catalog was being written: the run wrote items and no invoice, and left more
    SKUs done than it found but not all of them."""
    def done(items: dict[str, Fingerprint]) -> int:
        return sum(1 for sku, values in settled.items() if items.get(sku) == values)

    out = []
    for kill in kills:
        before, after = done(kill.before), done(kill.after)
        if kill.item_writes > 0 and kill.invoice_writes == 0 and before < after < len(settled):
            out.append((before, after, kill.item_writes))
    return out


def _check_items(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """One active item per variant SKU, with the variant's price (else the product's)."""
    items = [i for i in state["freshbooks"]["items"] if i.get("vis_state", 0) == 0]
    per_sku = Counter(i["sku"] for i in items)
    assert not [sku for sku, n in per_sku.items() if n > 1], "duplicate items"
    by_sku = {i["sku"]: i for i in items}
    for product in state["bigcommerce"]["products"]:
        for variant in product["variants"]:
            if not variant["sku"] or not product["is_visible"]:
                continue
            item = by_sku.get(variant["sku"])
            assert item is not None, f"no item for {variant['sku']}"
            price = Decimal(str(variant["price"] if variant["price"] is not None else product["price"]))
            assert Decimal(item["unit_cost"]["amount"]) == price.quantize(Decimal("0.01")), variant["sku"]
    return by_sku


def _settle(environ: dict[str, str], admin: str) -> dict[str, Any]:
    """A clean run, then one more that must find no item to write; the books as they are then."""
    final = _run(environ, "sync", "--once", "--since", SINCE)
    assert final.returncode == 0, final.stderr
    counts = httpx.get(f"{admin}/requests", timeout=30).json()["requests"]
    again = _run(environ, "sync", "--once", "--since", SINCE)
    assert again.returncode == 0, again.stderr
    state = httpx.get(f"{admin}/state", timeout=30).json()
    assert _writes(state["requests"], counts, ITEM_WRITES) == 0, "a settled catalog was written again"
    _check_items(state)
    return state


def test_kill9_during_catalog_sync_then_rerun_keeps_one_item_per_sku(
        env: dict[str, str], sandbox: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    started = time.monotonic()
    admin = sandbox["admin_url"]
    assert httpx.put(f"{admin}/faults", json={"spec": ITEM_FAULTS}, timeout=30).status_code == 200
    assert _run(env, "connect", "sandbox", admin).returncode == 0
    profile = tmp_path / "catalog.json"
    assert _run(env, "mapping", "new", "catalog_and_customers", str(profile)).returncode == 0
    imported = _run(env, "mapping", "import", str(profile), "--activate")
    assert imported.returncode == 0, imported.stderr
    rng = random.Random(SEED)

    kills = _kill_loop(env, admin, rng, 5, (4, 12))         # the first catalog sync writes every SKU (128)
    state = _settle(env, admin)
    assert "products" in state["bigcommerce"], "the sandbox state lists the catalog"
    landed = _mid_catalog(kills, _fingerprints(state))
    assert len(landed) >= 3, f"only {len(landed)} of {len(kills)} kills landed mid-catalog: {landed}"

    # reprice a third of the products (20 SKUs follow), then kill the runs that write the changes
    for product in state["bigcommerce"]["products"][::3]:
        response = httpx.patch(f"{admin}/products/{product['id']}",
                               json={"price": str(Decimal(str(product["price"])) + 1)}, timeout=30)
        assert response.status_code == 200, response.text
    repriced = _kill_loop(env, admin, rng, 3, (5, 7))
    state = _settle(env, admin)
    landed_again = _mid_catalog(repriced, _fingerprints(state))
    assert len(landed_again) >= 2, \
        f"only {len(landed_again)} of {len(repriced)} repricing kills landed mid-catalog: {landed_again}"
    print(f"kill -9 catalog: {len(landed)}/{len(kills)} first-sync and {len(landed_again)}/{len(repriced)} "
          f"repricing kills mid-catalog (SKUs done before, after, item writes): {landed} {landed_again}; "
          f"{time.monotonic() - started:.1f} s")
