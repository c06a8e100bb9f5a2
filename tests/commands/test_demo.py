"""`bigbooks demo` headless, as a new user runs it: the whole job on the sandbox store, summaries on stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.sockets
def test_headless_demo_syncs_the_store_then_the_new_orders_and_writes_nothing_twice(tmp_path: Path) -> None:
    env = {**os.environ, "BIGBOOKS_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DISPLAY", None)
    done = subprocess.run(
        [sys.executable, "-m", "bigbooks_desktop", "demo", "--orders", "30", "--time-scale", "100", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    first, incremental, repeat = report["first_sync"], report["incremental_sync"], report["repeat_sync"]
    assert first["status"] == "finished" and first["counts"]["invoices_created"] > 0
    assert incremental["counts"]["invoices_created"] == 2          # the two orders that arrived meanwhile
    assert incremental["counts"]["credits_created"] == 1           # and the partial refund
    assert all(v == 0 for k, v in repeat["counts"].items() if k.endswith("_created")), repeat["counts"]
    assert report["reconciliation"]["unexplained_differences"] == 0
    assert "Reconciliation" in done.stderr and "Error inbox" in done.stderr
