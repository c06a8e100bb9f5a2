"""Exactly once under `kill -9`: `bigbooks sync --once` killed at random moments, rerun, then a clean run.

Real processes throughout: `bigbooks sandbox` (loopback, port 0, fixed seed, latency so runs take a while),
`bigbooks connect sandbox`, and many `bigbooks sync` processes, most of them killed with SIGKILL mid-run.
The books are then checked through the sandbox's `/_sandbox/state` and the store's inbox.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.sockets,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]

ORDERS = 48
SEED = 11
TIME_SCALE = 20  # rate-limit window 1.5 s; latencies below are divided by it
FAULTS = "*:latency=600-2000ms"  # 30-100 ms per request after scaling
KILLS_WANTED = 12
BUDGET_S = 60.0  # for the kill loop; the whole test stays well under 90 s
SINCE = "2000-01-01"


def _bigbooks(*args: str) -> list[str]:
    return [sys.executable, "-m", "bigbooks_desktop", *args]


@pytest.fixture
def env(bigbooks_home: Path) -> dict[str, str]:
    """The subprocesses' environment: the test's data folder, file secrets opted in, no real keychain."""
    out = dict(os.environ)
    out["BIGBOOKS_HOME"] = str(bigbooks_home)
    out["BIGBOOKS_ALLOW_FILE_SECRETS"] = "1"
    out["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    out.pop("DISPLAY", None)
    out.pop("WAYLAND_DISPLAY", None)
    return out


@pytest.fixture
def sandbox(env: dict[str, str]) -> Iterator[dict[str, Any]]:
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        _bigbooks(
            "sandbox",
            "--port",
            "0",
            "--orders",
            str(ORDERS),
            "--seed",
            str(SEED),
            "--time-scale",
            str(TIME_SCALE),
            "--faults",
            FAULTS,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line, "the sandbox printed nothing"
        yield json.loads(line)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()


def _sync(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        _bigbooks("sync", "--once", "--since", SINCE), env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)


def test_kill9_at_random_moments_then_rerun_is_exactly_once(
    env: dict[str, str], sandbox: dict[str, Any], bigbooks_home: Path
) -> None:
    pytest.importorskip("bigbooks_desktop.commands.sync", reason="the sync verb has not landed")
    connected = subprocess.run(  # noqa: S603 - fixed arguments
        _bigbooks("connect", "sandbox", sandbox["admin_url"]), env=env, capture_output=True, timeout=60
    )
    assert connected.returncode == 0, connected.stderr.decode()

    rng = random.Random(SEED)
    kills = completions = 0
    started = time.monotonic()
    while kills < KILLS_WANTED and time.monotonic() - started < BUDGET_S:
        proc = _sync(env)
        deadline = time.monotonic() + rng.uniform(0.9, 3.5)  # python start-up is ~0.5-1 s of this
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            kills += 1
        else:
            assert proc.returncode == 0, proc.stderr.read().decode() if proc.stderr else ""
            completions += 1
        if proc.stderr:
            proc.stderr.close()
    assert kills >= 8, f"only {kills} runs were killed mid-way ({completions} completed)"

    for _ in range(2):  # a clean run, and one more that must find nothing to do twice
        final = subprocess.run(  # noqa: S603 - fixed arguments
            _bigbooks("sync", "--once", "--since", SINCE), env=env, capture_output=True, timeout=120
        )
        assert final.returncode == 0, final.stderr.decode()

    state = httpx.get(f"{sandbox['admin_url']}/state", timeout=30).json()
    writing = _check_exactly_once(state, bigbooks_home)
    assert writing >= 3, f"only {writing} kills landed while a run was writing"
    unexplained = asyncio.run(_unexplained_differences())
    assert unexplained == [], unexplained          # nothing missed: payments and refunds all there
    print(f"kill -9: {kills} kills ({writing} mid-write), {completions} runs completed before the kill, "
          f"{time.monotonic() - started:.1f} s")


async def _unexplained_differences() -> list[dict[str, Any]]:
    """Reconcile the sandbox books as the sync processes left them (same data folder, file secrets)."""
    import keyring
    from keyring.backends import fail

    from bigbooks_desktop import accounts
    from bigbooks_desktop.store.db import close_database, open_database
    from bigbooks_desktop.sync.reconcile import reconcile

    keyring.set_keyring(fail.Keyring())      # like the subprocesses: no keychain, the opted-in file store
    open_database()
    try:
        bigcommerce = await accounts.open_bigcommerce_client(allow_file_store=True)
        freshbooks = await accounts.open_freshbooks_client(allow_file_store=True)
        async with bigcommerce, freshbooks:
            report = await reconcile(bigcommerce=bigcommerce, freshbooks=freshbooks)
    finally:
        accounts.forget_shared_auth()
        close_database()
    return [row.to_json() for row in report.orders if row.unexplained]


def _check_exactly_once(state: dict[str, Any], home: Path) -> int:
    """Assert the books are exactly once; returns how many killed runs had already written something."""
    from bigbooks_desktop.connectors.bigcommerce import wire
    from bigbooks_desktop.mapping.eligibility import is_invoiceable
    from bigbooks_desktop.mapping.profile import default_profile
    from bigbooks_desktop.sandbox.freshbooks import PRIMARY_ACCOUNT_ID
    from bigbooks_desktop.store import error_queue, runs
    from bigbooks_desktop.store.db import close_database, open_database

    books = state["freshbooks"]

    def active(kind: str) -> list[dict[str, Any]]:
        return [o for o in books[kind] if o.get("vis_state", 0) != 1 and o["accountid"] == PRIMARY_ACCOUNT_ID]

    numbers = Counter(inv["invoice_number"] for inv in active("invoices"))
    duplicates = {n: c for n, c in numbers.items() if c > 1}
    assert not duplicates, f"duplicate invoices: {duplicates}"
    emails = Counter(c["email"].strip().casefold() for c in active("clients") if c["email"].strip())
    assert not {e: c for e, c in emails.items() if c > 1}, "duplicate clients"
    markers: Counter[str] = Counter()
    for payment in active("payments"):
        for word in payment.get("note", "").split("[BigBooks ")[1:]:
            markers[word.split("]")[0]] += 1
    assert not {m: c for m, c in markers.items() if c > 1}, f"duplicate payments {markers.most_common(3)}"
    credit_markers = Counter(note.get("notes", "").split("[BigBooks ")[-1] for note in active("credit_notes"))
    assert not {m: c for m, c in credit_markers.items() if c > 1}, "duplicate credit notes"

    open_database()  # BIGBOOKS_HOME is `home`, the folder the sync processes used
    try:
        inbox = {
            e.order_id for e in error_queue.list_errors(status=error_queue.ACTIVE_STATUSES, limit=10_000)
        }
        killed = [r for r in runs.list_runs(limit=1000)
                  if r.status in (runs.RunStatus.RUNNING, runs.RunStatus.INTERRUPTED)]
        writing = sum(1 for r in killed if runs.run_objects(r.id))
    finally:
        close_database()
    profile = default_profile()
    missing = []
    for raw in state["bigcommerce"]["orders"]:
        order = wire.parse_order(raw)
        if is_invoiceable(order, profile) and f"BC-{order.id}" not in numbers and order.id not in inbox:
            missing.append(order.id)
    assert not missing, f"eligible orders neither invoiced nor in the inbox: {missing}"
    return writing
