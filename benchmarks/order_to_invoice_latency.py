"""What "real time" means with polling: the time from a paid order appearing in the store to its invoice existing
in FreshBooks, under auto-sync every 30 s (the shortest interval), with the sandbox at real-world pacing.

A `bigbooks sandbox` process serves the store (time scale 1: BigCommerce's real rate-limit window). The service's
sync coordinator runs auto-sync exactly as the window does (`start_auto_sync(30)`). After the store's history is
synced, each trial waits a random moment, creates a paid order (POST /_sandbox/orders), and times until its
invoice (BC-<id>) is in the sandbox's FreshBooks.

Run on demand (about 3 minutes):  .venv/bin/python benchmarks/order_to_invoice_latency.py [--trials 6]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
INTERVAL = 30.0


async def _invoice_exists(http: httpx.AsyncClient, admin: str, number: str) -> bool:
    state = (await http.get(f"{admin}/state")).json()
    return any(inv["invoice_number"] == number for inv in state["freshbooks"]["invoices"])


async def _trials(admin: str, trials: int, seed: int) -> list[float]:
    from bigbooks_desktop.service import BigBooksService

    service = BigBooksService(allow_file_store=True)
    rng = random.Random(seed)
    latencies: list[float] = []
    try:
        await service.connect_sandbox(admin)
        history_synced = asyncio.Event()
        service.subscribe(lambda status: history_synced.set() if status.runs and not status.busy else None)
        service.start_auto_sync(INTERVAL)               # first run now: the store's history
        await history_synced.wait()
        history = service.sync_status().last_summary
        created = history.counts.invoices_created if history is not None else 0
        print(f"history synced ({created} invoices); auto-sync every {INTERVAL:g} s from now on", flush=True)
        async with httpx.AsyncClient(timeout=30) as http:
            for trial in range(1, trials + 1):
                await asyncio.sleep(rng.uniform(0, INTERVAL))      # a moment anywhere in the schedule
                created = time.monotonic()
                order = (await http.post(f"{admin}/orders", json={"status_id": 11})).json()
                number = f"BC-{order['id']}"
                while not await _invoice_exists(http, admin, number):  # noqa: ASYNC110 - another process's books
                    await asyncio.sleep(0.25)
                latency = time.monotonic() - created
                latencies.append(latency)
                print(f"trial {trial}: order {number} paid -> invoice in FreshBooks after {latency:.1f} s",
                      flush=True)
    finally:
        await service.close_sync()
        await service.aclose()
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--orders", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="bigbooks-latency-")
    os.environ["BIGBOOKS_HOME"] = home
    os.environ["BIGBOOKS_ALLOW_FILE_SECRETS"] = "1"
    Path(home, "preferences.json").write_text(json.dumps({"backfill_start": "2000-01-01"}))
    sandbox = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "bigbooks_desktop", "sandbox", "--port", "0", "--orders", str(args.orders),
         "--seed", str(args.seed), "--time-scale", "1"],
        cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert sandbox.stdout is not None
    info = json.loads(sandbox.stdout.readline())
    try:
        latencies = asyncio.run(_trials(info["admin_url"], args.trials, args.seed))
    finally:
        sandbox.send_signal(signal.SIGTERM)
        sandbox.wait(timeout=30)
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"paid order -> invoice, auto-sync every {INTERVAL:g} s, {len(latencies)} trials: "
          f"median {statistics.median(latencies):.1f} s, min {min(latencies):.1f} s, max {max(latencies):.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
