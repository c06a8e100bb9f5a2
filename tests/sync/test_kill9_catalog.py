"""Catalog and customer sync under `kill -9`: real `bigbooks sync --once` processes with the "Catalog and
customers in step" profile, killed at random moments (most of them while the catalog is being written, which
comes first in a run), then rerun: every SKU has exactly one FreshBooks item, with the store's name and price;
a repricing is written once more under kills and lands exactly. Reuses the order kill test's sandbox and env."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
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

BUDGET_S = 45.0


def _run(environ: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_bigbooks(*args), env=environ, capture_output=True, text=True, timeout=180)  # noqa: S603


def _kill_loop(environ: dict[str, str], rng: random.Random, wanted: int) -> int:
    kills = 0
    started = time.monotonic()
    while kills < wanted and time.monotonic() - started < BUDGET_S:
        proc = subprocess.Popen(_bigbooks("sync", "--once", "--since", SINCE), env=environ,  # noqa: S603
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + rng.uniform(0.9, 3.0)
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            kills += 1
    return kills


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


def test_kill9_during_catalog_sync_then_rerun_keeps_one_item_per_sku(
        env: dict[str, str], sandbox: dict[str, Any], tmp_path: Path) -> None:  # noqa: F811
    assert _run(env, "connect", "sandbox", sandbox["admin_url"]).returncode == 0
    profile = tmp_path / "catalog.json"
    assert _run(env, "mapping", "new", "catalog_and_customers", str(profile)).returncode == 0
    imported = _run(env, "mapping", "import", str(profile), "--activate")
    assert imported.returncode == 0, imported.stderr
    rng = random.Random(SEED)
    kills = _kill_loop(env, rng, 8)
    assert kills >= 5, f"only {kills} runs were killed mid-way"
    for _ in range(2):
        final = _run(env, "sync", "--once", "--since", SINCE)
        assert final.returncode == 0, final.stderr
    admin = sandbox["admin_url"]
    state = httpx.get(f"{admin}/state", timeout=30).json()
    assert "products" in state["bigcommerce"], "the sandbox state lists the catalog"
    _check_items(state)
    # reprice a third of the products, then kill the runs that write the changes
    products = state["bigcommerce"]["products"][::3]
    for product in products:
        response = httpx.patch(f"{admin}/products/{product['id']}",
                               json={"price": str(Decimal(str(product["price"])) + 1)}, timeout=30)
        assert response.status_code == 200, response.text
    _kill_loop(env, rng, 4)
    final = _run(env, "sync", "--once", "--since", SINCE)
    assert final.returncode == 0, final.stderr
    _check_items(httpx.get(f"{admin}/state", timeout=30).json())
