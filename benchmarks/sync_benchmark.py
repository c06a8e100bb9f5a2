"""Sync benchmark: a full sync of a generated store through `BigBooksService`, against the sandbox served
over real loopback sockets with the BigCommerce rate limit on (time-scaled). Run on demand, not by pytest:

    .venv/bin/python benchmarks/sync_benchmark.py                # 2,000 orders, quota 150, time scale 20
    .venv/bin/python benchmarks/sync_benchmark.py --orders 200 --no-write

Reports orders per minute, API calls per order per service against the design minimum, throughput as a
fraction of the rate-limit bound, wall time, peak RSS and the machine; then checks correctness (one invoice
per eligible order, totals to the cent, payments and refunds reconciled, zero unexplained differences)
and fails (exit 1) when any check fails. Writes `benchmarks/RESULTS.md` unless --no-write.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from bigbooks_desktop.core.views import ApiCallsView, FailedOrderView, ServiceName

HERE = Path(__file__).resolve().parent


def _isolate() -> Path:
    """A throw-away data folder and the opt-in file secret store, so a benchmark never touches real state."""
    home = Path(tempfile.mkdtemp(prefix="bigbooks-bench-"))
    os.environ["BIGBOOKS_HOME"] = str(home)
    os.environ["BIGBOOKS_ALLOW_FILE_SECRETS"] = "1"
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return home


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}")


def _service_of(route: str) -> str:
    return "freshbooks" if "/freshbooks/" in route else "bigcommerce"


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    import httpx

    from bigbooks_desktop import accounts
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread
    from bigbooks_desktop.service import BigBooksService
    from bigbooks_desktop.sync.engine import SyncOptions
    from bigbooks_desktop.sync.reconcile import reconcile

    config = SandboxConfig(orders=args.orders, seed=args.seed, bc_quota=args.quota,
                           time_scale=args.time_scale)
    with SandboxThread(config) as served:
        admin = served.info["admin_url"]
        await accounts.connect_sandbox(admin, allow_file_store=True)
        async with httpx.AsyncClient(timeout=120) as http:   # count only the sync's requests
            before = Counter((await http.get(f"{admin}/requests")).json()["requests"])
        service = BigBooksService(allow_file_store=True, options=SyncOptions(concurrency=args.concurrency))
        last = [0.0]

        def progress(p: Any) -> None:
            now = time.monotonic()
            if now - last[0] > 5 or p.stage == "finishing":
                last[0] = now
                print(f"  {p.stage}: {p.done}/{p.total}", file=sys.stderr)

        started = time.monotonic()
        try:
            summary = await service.sync_once(since=date(2000, 1, 1), progress=progress)
        finally:
            await service.aclose()
        wall = time.monotonic() - started
        async with httpx.AsyncClient(timeout=120) as http:
            counted = Counter((await http.get(f"{admin}/requests")).json()["requests"])
            counted.subtract(before)
            state = (await http.get(f"{admin}/state")).json()

        # reconciliation: its own clients, after the sync's requests were counted
        from bigbooks_desktop.store.db import close_database, open_database

        open_database()
        try:
            bigcommerce = await accounts.open_bigcommerce_client(allow_file_store=True)
            freshbooks = await accounts.open_freshbooks_client(allow_file_store=True)
            async with bigcommerce, freshbooks:
                rec_started = time.monotonic()
                report = await reconcile(bigcommerce=bigcommerce, freshbooks=freshbooks)
                rec_wall = time.monotonic() - rec_started
        finally:
            close_database()
    return {"summary": summary, "wall": wall, "requests": counted, "state": state, "report": report,
            "reconcile_wall": rec_wall, "config": config}


def _unexplained(report: Any, *codes: str) -> bool:
    """Whether the reconciliation has an unexplained finding of one of these codes."""
    return any(f.code.value in codes and not f.explained for row in report.orders for f in row.findings)


def _check_books(state: dict[str, Any], inbox: set[int]) -> dict[str, Any]:
    """One invoice per eligible order with the order's total (less gift certificates sold) to the cent; no
    duplicate client or payment."""
    from bigbooks_desktop.connectors.bigcommerce import wire
    from bigbooks_desktop.core.money import quantize, to_decimal
    from bigbooks_desktop.mapping.eligibility import is_invoiceable
    from bigbooks_desktop.mapping.profile import default_profile
    from bigbooks_desktop.sandbox.freshbooks import PRIMARY_ACCOUNT_ID

    profile = default_profile()
    books = state["freshbooks"]

    def active(kind: str) -> list[dict[str, Any]]:
        return [o for o in books[kind] if o.get("vis_state", 0) != 1 and o["accountid"] == PRIMARY_ACCOUNT_ID]

    invoices: dict[str, list[dict[str, Any]]] = {}
    for inv in active("invoices"):
        invoices.setdefault(inv["invoice_number"], []).append(inv)
    eligible = missing = wrong = 0      # missing: neither invoiced nor in the inbox with a reason
    for raw in state["bigcommerce"]["orders"]:
        order = wire.parse_order(raw)
        if not is_invoiceable(order, profile):
            continue
        eligible += 1
        found = invoices.get(f"BC-{order.id}")
        if not found and order.id not in inbox:
            missing += 1
        elif found:
            # gift certificates sold are not revenue: they stay off the invoice (profile default)
            certificates = sum((to_decimal(p["total_inc_tax"]) for p in raw.get("products", [])
                                if str(p.get("type", "")).replace("_", "").lower() == "giftcertificate"),
                               to_decimal("0"))
            if to_decimal(found[0]["amount"]["amount"]) != quantize(order.total_inc_tax - certificates,
                                                                   order.transaction_currency):
                wrong += 1
    markers: Counter[str] = Counter()
    for payment in active("payments"):
        for word in str(payment.get("note", "")).split("[BigBooks ")[1:]:
            markers[word.split("]")[0]] += 1
    emails = Counter(c["email"].strip().casefold() for c in active("clients") if c["email"].strip())
    return {"eligible": eligible, "invoices": sum(len(v) for v in invoices.values()),
            "duplicate_invoices": sum(len(v) - 1 for v in invoices.values()), "missing": missing,
            "wrong_total": wrong, "duplicate_payments": sum(c - 1 for c in markers.values() if c > 1),
            "duplicate_clients": sum(c - 1 for c in emails.values() if c > 1),
            "payments": len(active("payments")), "credit_notes": len(active("credit_notes")),
            "clients": len(active("clients")), "items": len(active("items"))}


def _bc_minimum(state: dict[str, Any]) -> int:
    """BigCommerce reads the eligible orders need: products, transactions and refunds always (no header field
    proves them empty), shipping addresses, coupons and taxes only when the header says there are some."""
    from bigbooks_desktop.connectors.bigcommerce import wire
    from bigbooks_desktop.mapping.eligibility import is_invoiceable
    from bigbooks_desktop.mapping.profile import default_profile

    profile = default_profile()
    total = 0
    for raw in state["bigcommerce"]["orders"]:
        order = wire.parse_order(raw)
        if is_invoiceable(order, profile):
            total += 3 + (order.shipping_address_count != 0) + (order.coupon_discount != 0) + (order.total_tax != 0)
    return total


def _analyse(result: dict[str, Any]) -> dict[str, Any]:
    summary, config, wall = result["summary"], result["config"], result["wall"]
    counts = summary.counts       # a CountsView; the engine's other tallies are in counts.extra
    per_service: Counter[str] = Counter()
    for route, n in result["requests"].items():
        if "/oauth/" in route or route.endswith("/users/me"):
            continue
        per_service[_service_of(route)] += n
    books = _check_books(result["state"], {f.order_id for f in summary.failed})
    report = result["report"]
    synced = counts.orders_synced
    handled = synced + counts.orders_failed
    bc_per_order = per_service["bigcommerce"] / max(1, handled)
    fb_per_order = per_service["freshbooks"] / max(1, synced)
    # design minimum, from what this store needed
    orders_seen = counts.orders_seen
    bc_min_total = _bc_minimum(result["state"]) + orders_seen / 250 + 2   # + listing pages, time, store
    bc_min = bc_min_total / max(1, handled)
    fb_min_total = (2 * synced                          # invoice create + mark sent
                    + counts.clients_created * 2             # e-mail lookup + create, once per new client
                    + counts.items_created * 2               # SKU lookup + create, once per new item
                    + counts.extra.get("taxes_created", 0) + 1   # missing taxes, + the tax list once per run
                    + counts.payments_created + counts.credits_created)
    fb_min = fb_min_total / max(1, synced)
    window = config.window_seconds()
    bc_rps_bound = config.bc_quota / window
    bound_opm = bc_rps_bound * 60 / max(bc_per_order, 1e-9)
    bound_opm_min = bc_rps_bound * 60 / bc_min
    opm = handled / wall * 60
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss   # kilobytes on Linux
    rs = report.summary()
    checks = {
        "exactly one invoice per eligible order (or the order in the inbox with a reason)":
            books["duplicate_invoices"] == 0 and books["missing"] == 0,
        "every invoice total equals its order total to the cent": books["wrong_total"] == 0,
        "no duplicate payment, client": books["duplicate_payments"] == 0 and books["duplicate_clients"] == 0,
        "tax per tax name equals BigCommerce's on every invoice (reconciliation)": rs["checked"]["tax_names"] > 0
            and not _unexplained(report, "tax_differs", "rounding_line"),
        "cash, refunds and credits match (reconciliation)": not _unexplained(
            report, "cash_differs", "refund_not_credited", "refund_tax_differs", "refund_total_differs",
            "open_credit", "duplicate_payment", "duplicate_credit_note"),
        "reconciliation: zero unexplained differences": rs["unexplained_differences"] == 0,
    }
    return {"books": books, "per_service": dict(per_service), "handled": handled, "synced": synced,
            "bc_per_order": bc_per_order, "fb_per_order": fb_per_order, "bc_min": bc_min, "fb_min": fb_min,
            "bc_min_total": bc_min_total, "fb_min_total": fb_min_total, "bc_rps_bound": bc_rps_bound,
            "bound_opm": bound_opm, "bound_opm_min": bound_opm_min, "opm": opm, "wall": wall,
            "peak_mb": peak_kb / 1024, "recon": rs, "checks": checks, "counts": counts,
            "reconcile_wall": result["reconcile_wall"], "inbox": summary.inbox_active,
            "inbox_reasons": Counter(_reason(f) for f in summary.failed),
            "bc_stats": summary.api_calls.get(ServiceName.BIGCOMMERCE, ApiCallsView())}


def _reason(failure: FailedOrderView) -> str:
    """An inbox message without its order-specific numbers, so alike problems group together."""
    text = re.sub(r"\d+(\.\d+)?", "N", failure.message.split("\n")[0])
    return f"{failure.stage.value if failure.stage else None}: {text[:140]}"


def _markdown(a: dict[str, Any], args: argparse.Namespace) -> str:
    c = a["counts"]
    rows = [
        ("Orders in the store / eligible / synced / in the inbox",
         f"{args.orders} / {a['books']['eligible']} / {a['synced']} / {a['inbox']}"),
        ("Wall time of the full sync", f"{a['wall']:.1f} s"),
        ("Orders per minute (orders handled / wall time)", f"{a['opm']:.0f}"),
        ("BigCommerce calls per order (measured / design minimum for this store)",
         f"{a['bc_per_order']:.2f} / {a['bc_min']:.2f}"),
        ("FreshBooks calls per synced order (measured / design minimum for this store)",
         f"{a['fb_per_order']:.2f} / {a['fb_min']:.2f}"),
        ("API calls in total: BigCommerce / FreshBooks",
         f"{a['per_service'].get('bigcommerce', 0)} / {a['per_service'].get('freshbooks', 0)}"),
        ("BigCommerce 429 answers / retries / seconds waited (the client's own stats)",
         f"{a['bc_stats'].rate_limited} / {a['bc_stats'].retries} / {a['bc_stats'].waited_seconds}"),
        ("Rate-limit bound: BigCommerce requests per second",
         f"{a['bc_rps_bound']:.1f} (quota {args.quota} per {30 / args.time_scale:g} s window)"),
        ("Bound in orders per minute at the measured / minimum BigCommerce calls per order",
         f"{a['bound_opm']:.0f} / {a['bound_opm_min']:.0f}"),
        ("Throughput as a fraction of the rate-limit bound (measured calls per order)",
         f"{a['opm'] / a['bound_opm']:.0%}"),
        ("Peak RSS (benchmark process: engine + sandbox thread)", f"{a['peak_mb']:.0f} MB"),
        ("Created: clients / items / taxes / payments / credit notes",
         f"{c.clients_created} / {c.items_created} / {c.extra.get('taxes_created', 0)} / "
         f"{c.payments_created} / {c.credits_created}"),
        ("Reconciliation wall time / API calls (BigCommerce, FreshBooks)",
         f"{a['reconcile_wall']:.1f} s / {a['recon']['requests']}"),
    ]
    out = ["| Measure | Value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]
    out += ["", "| Correctness check | Result |", "|---|---|"]
    out += [f"| {k} | {'PASS' if ok else 'FAIL'} |" for k, ok in a["checks"].items()]
    if a["inbox_reasons"]:
        out += ["", "Orders left in the inbox, by reason (the generated store has faulty orders on purpose):",
                ""]
        out += [f"- {n} x {reason}" for reason, n in a["inbox_reasons"].most_common()]
    r = a["recon"]
    out += ["", f"Reconciliation: {r['orders']} orders, {r['ok']} reconciled, {r['explained']} explained, "
                f"{r['unexplained_orders']} unexplained, {r['skipped']} not invoiceable, "
                f"{r['rounding_lines']} recorded rounding lines. Unexplained differences: "
                f"{r['unexplained_differences']}."]
    return "\n".join(out)


RERUN = """\
## How to rerun

```
.venv/bin/python benchmarks/sync_benchmark.py                       # the numbers above (writes this file)
.venv/bin/python benchmarks/sync_benchmark.py --orders 200 --no-write  # a quick look
```
Options: `--orders N` (2000), `--seed S` (7), `--quota Q` (150 BigCommerce requests per window),
`--time-scale T` (20: the 30 s window becomes 1.5 s), `--concurrency C` (engine orders at once, 4).
The benchmark uses a throw-away data folder and the opt-in file secret store; nothing real is touched.

## What the minimum is, and why

- BigCommerce, per order: products, transactions and refunds are separate endpoints with no batch form and
  no header field proves them empty, so three calls per order always; shipping addresses, coupons and taxes
  one call each only when the order header says the order has some (`shipping_address_count`,
  `coupon_discount`, `total_tax`); plus the order listing at 250 orders a page (1/250 per order) and the
  server time and store settings once per run. The minimum above is that sum over this store's orders.
- FreshBooks, per synced order: create the invoice and mark it sent (FreshBooks drops other fields sent with
  the mark-as-sent action, so it is its own call), one call per payment and per credit note; per new client an
  e-mail lookup and a create (existing clients come from the store's links); per new SKU a lookup and a
  create; the tax list once per run and one call per missing tax. Lookups by invoice number, payment or
  credit note happen only when a crash or a lost response left an intent pending, so they are not in the
  minimum.
- The bound: with the BigCommerce quota on, at most `quota / window` requests per second reach BigCommerce;
  divided by the calls each order needs, that is the most orders per minute any client could sync. FreshBooks
  has no published per-second quota (it answers 429 when pushed), so the BigCommerce quota is the bound.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quota", type=int, default=150)
    parser.add_argument("--time-scale", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args(argv)
    home = _isolate()
    print(f"Benchmark: {args.orders} orders, data folder {home}", file=sys.stderr)
    result = asyncio.run(_run(args))
    analysis = _analyse(result)
    table = _markdown(analysis, args)
    print(table)
    if not args.no_write:
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        text = (f"# Sync benchmark results\n\nMeasured {stamp} on: {_machine()}.\n"
                f"Sandbox served by `SandboxThread` (same process, real loopback sockets), seed {args.seed}, "
                f"BigCommerce quota {args.quota} per window, time scale {args.time_scale:g}, engine "
                f"concurrency {args.concurrency}.\n\n{table}\n\n{RERUN}")
        (HERE / "RESULTS.md").write_text(text, encoding="utf-8")
        print(f"wrote {HERE / 'RESULTS.md'}", file=sys.stderr)
    failed = [name for name, ok in analysis["checks"].items() if not ok]
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

