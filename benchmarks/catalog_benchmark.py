"""Catalog and customer sync benchmark: the BigCommerce and FreshBooks calls of a first sync of a large catalog
(10,000 products with their variants) and 5,000 customers, of a quiet run right after it, and of a run after a
few changes, each route against its design minimum. Run on demand, not by pytest:

    .venv/bin/python benchmarks/catalog_benchmark.py                  # 10,000 products, 5,000 customers
    .venv/bin/python benchmarks/catalog_benchmark.py --products 500 --customers 200 --no-write   # a quick look

The sandbox is a `bigbooks sandbox` process of its own (loopback sockets, as `benchmarks/sync_benchmark.py` starts
it) with `--products`, `--customers` and a few orders; the engine runs alone in this process, with a throw-away
data folder (BIGBOOKS_HOME) and the opt-in file secret store. Rate limits are effectively off (BigCommerce quota
10^9 per window, FreshBooks quota 0 = off): the figures are calls, wall time and the engine's CPU, not pacing.
The profile in use is made as a user makes it: `bigbooks mapping new catalog_and_customers FILE`, its
`customer_sync` set to "all", `bigbooks mapping import FILE --activate`.

Three runs of `BigBooksService.sync_once()` (no `--since`: orders are left to their own first-run rule, so the runs
measure catalog and customer sync):

1. **initial**: the whole catalog and every customer into books that already hold items for about 75% of the
   variant SKUs (the sandbox's `books_known_share`; their names and descriptions differ from the catalog's, so
   each needs an update) and no client. Checks: every variant SKU has exactly one active FreshBooks item with
   the variant's price; every customer with an email exactly one active client with that email and the first
   address's street.
2. **quiet**: right after, nothing changed. Goal: one BigCommerce call per resource, no FreshBooks write.
3. **changes**: after `--changed-products` product prices (+1.00) and `--changed-customers` customer addresses
   changed through the sandbox's admin API (`PATCH /_sandbox/products/{id}`, `PATCH /_sandbox/customers/{id}`).
   The checks of run 1 again, which now cover the new prices and addresses.

Every request the engine sends is traced to its route, its kind (a list page, a lookup by SKU or email, a read
by id, a write) and the engine code that sent it; the sandbox's own counts (`/_sandbox/requests`) are the totals.
Exits 1 when a check fails. Rewrites only its section of `benchmarks/RESULTS.md` (between
`<!-- catalog_benchmark:begin -->` and `<!-- catalog_benchmark:end -->`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))   # bench_common, beside this file
from bench_common import cpu_of, engine_caller, isolate, loadavg, machine, sandbox_process  # noqa: E402

BEGIN, END = "<!-- catalog_benchmark:begin -->", "<!-- catalog_benchmark:end -->"
UNLIMITED_BC_QUOTA = 10**9
BC_PAGE = 250        # BigCommerce v3 list limit (products_catalog.v3.yml / customers.v3.yml: limit max 250)
FB_PAGE = 100        # FreshBooks per_page maximum (sandbox.freshbooks.accounting MAX_PER_PAGE, SUMMARY §5)
FB = "/freshbooks/api/accounting/account/{account_id}/"
BC = "/stores/{hash}/"
RUNS = ("initial", "quiet", "changes")


# -- set-up -------------------------------------------------------------------------------------------------














def _bigbooks(*argv: str) -> str:
    """The `bigbooks` command line, in the isolated data folder."""
    done = subprocess.run([sys.executable, "-m", "bigbooks_desktop", *argv], cwd=ROOT, env=dict(os.environ),  # noqa: S603
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bigbooks {' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def _activate_profile(folder: Path) -> dict[str, Any]:
    """As a user does it: a new profile from the template, customer_sync "all", imported and put in use."""
    path = folder / "catalog-profile.json"
    _bigbooks("mapping", "new", "catalog_and_customers", str(path))
    profile = json.loads(path.read_text(encoding="utf-8"))
    profile["customer_sync"] = "all"
    path.write_text(json.dumps(profile, indent=2), encoding="utf-8")
    _bigbooks("mapping", "import", str(path), "--activate", "--note", "catalog benchmark")
    return {k: profile.get(k) for k in ("name", "catalog_sync", "customer_sync", "catalog_inventory")}


# -- tracing ------------------------------------------------------------------------------------------------


def _template(method: str, path: str) -> str:
    path = re.sub(r"^/stores/[^/]+/", BC, path)
    path = re.sub(r"/accounting/account/[^/]+/", "/accounting/account/{account_id}/", path)
    path = re.sub(r"/\d+(?=/|$)", "/{id}", path)
    return f"{method} {path}"


def _kind(method: str, path: str, query: str) -> str:
    """What a request is for: a write, a read by id, a lookup by a key, or a list page."""
    if method != "GET":
        return "write"
    if re.search(r"/\d+$", path):
        return "read by id"
    if path.endswith(("/v2/time", "/v2/store")):
        return "read"
    for key in ("sku", "email"):
        if f"search%5B{key}%5D" in query or f"search[{key}]" in query:
            return f"lookup by {key}"
    if "include_fields=id" in query:
        return "id list page"
    return "list page"





class Tracer:
    """Counts every request the engine sends by (route, kind, sender); its own cost is timed and reported."""

    def __init__(self) -> None:
        import httpx

        self.calls: Counter[str] = Counter()
        self.cost = 0.0
        original = httpx.AsyncClient.send
        tracer = self

        async def send(client: httpx.AsyncClient, request: httpx.Request, **kwargs: Any) -> httpx.Response:
            started = time.process_time()
            url = request.url
            key = "\t".join((_template(request.method, url.path), _kind(request.method, url.path,
                                                                         url.query.decode()), engine_caller()))
            tracer.calls[key] += 1
            tracer.cost += time.process_time() - started
            return await original(client, request, **kwargs)

        httpx.AsyncClient.send = send  # type: ignore[method-assign,assignment]

    def take(self) -> dict[str, int]:
        out = dict(self.calls)
        self.calls.clear()
        return out


# -- the runs -----------------------------------------------------------------------------------------------


async def _get(url: str) -> Any:
    import httpx

    async with httpx.AsyncClient(timeout=600) as http:
        response = await http.get(url)
        response.raise_for_status()
        return response.json()


def _active(books: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    from bigbooks_desktop.sandbox.freshbooks import PRIMARY_ACCOUNT_ID

    return [o for o in books[kind] if o.get("vis_state", 0) == 0 and o["accountid"] == PRIMARY_ACCOUNT_ID]


def _check(state: dict[str, Any]) -> dict[str, int]:
    """Items: every variant SKU (of a visible product, purchasable) has exactly one active item with the variant's
    price. Clients: every customer with an email has exactly one active client with it and the first address's
    street. Returns the counts of what was checked and of each kind of failure."""
    items: dict[str, list[dict[str, Any]]] = {}
    for item in _active(state["freshbooks"], "items"):
        items.setdefault(str(item.get("sku") or ""), []).append(item)
    out = Counter({"skus": 0, "items_missing": 0, "items_duplicate": 0, "items_wrong_price": 0, "customers": 0,
                   "clients_missing": 0, "clients_duplicate": 0, "clients_wrong_address": 0})
    for product in state["bigcommerce"]["products"]:
        for variant in product["variants"]:
            sku = str(variant.get("sku") or "").strip()
            if not sku or not product.get("is_visible", True) or variant.get("purchasing_disabled"):
                continue
            out["skus"] += 1
            found = items.get(sku, [])
            if not found:
                out["items_missing"] += 1
                continue
            if len(found) > 1:
                out["items_duplicate"] += 1
            price = variant.get("price")
            price = Decimal(str(price if price is not None else product["price"]))
            if Decimal(str(found[0]["unit_cost"]["amount"])) != price.quantize(Decimal("0.01")):
                out["items_wrong_price"] += 1
    clients: dict[str, list[dict[str, Any]]] = {}
    for client in _active(state["freshbooks"], "clients"):
        clients.setdefault(str(client.get("email") or "").strip().casefold(), []).append(client)
    for customer in state["bigcommerce"]["customers"]:
        email = str(customer.get("email") or "").strip().casefold()
        if not email:
            continue
        out["customers"] += 1
        found = clients.get(email, [])
        if not found:
            out["clients_missing"] += 1
            continue
        if len(found) > 1:
            out["clients_duplicate"] += 1
        street = customer["addresses"][0]["address1"].strip() if customer["addresses"] else ""
        if str(found[0].get("p_street") or "").strip() != street:
            out["clients_wrong_address"] += 1
    return dict(out)


def _books_counts(state: dict[str, Any]) -> dict[str, int]:
    catalog_skus = {str(v.get("sku") or "").strip() for p in state["bigcommerce"]["products"]
                    for v in p["variants"]} - {""}
    items = _active(state["freshbooks"], "items")
    return {"products": len(state["bigcommerce"]["products"]),
            "variants": sum(len(p["variants"]) for p in state["bigcommerce"]["products"]),
            "skus": len(catalog_skus), "customers": len(state["bigcommerce"]["customers"]),
            "items": len(items), "items_of_catalog": sum(1 for i in items if i.get("sku") in catalog_skus),
            "clients": len(_active(state["freshbooks"], "clients"))}


def _counts(summary: Any) -> dict[str, int]:
    out = {k: getattr(summary.counts, k) for k in ("orders_seen", "orders_synced", "clients_created",
                                                   "items_created")}
    out.update({k: int(v) for k, v in summary.counts.extra.items()})
    return out


async def _one_run(name: str, service: Any, admin: str, pid: int, tracer: Tracer) -> dict[str, Any]:
    before = Counter((await _get(f"{admin}/requests"))["requests"])
    load_before = loadavg()
    sandbox_cpu = cpu_of(pid)
    tracer.cost = 0.0
    tracer.take()
    cpu = time.process_time()
    started = time.monotonic()
    summary = await service.sync_once()
    wall = time.monotonic() - started
    cpu = time.process_time() - cpu
    sandbox_cpu = cpu_of(pid) - sandbox_cpu
    after = Counter((await _get(f"{admin}/requests"))["requests"])
    after.subtract(before)
    print(f"  [{time.strftime('%H:%M:%S')}] {name} run: {wall:.1f} s wall, {sum(after.values())} requests",
          file=sys.stderr)
    return {"wall": wall, "cpu": cpu - tracer.cost, "tracer_cpu": tracer.cost, "sandbox_cpu": sandbox_cpu,
            "load_before": load_before, "load_after": loadavg(), "status": summary.status.value,
            "problem": summary.problem, "inbox": summary.inbox_active, "counts": _counts(summary),
            "requests": {k: v for k, v in after.items() if v}, "traced": tracer.take()}


async def _change(admin: str, state: dict[str, Any], products: int, customers: int) -> dict[str, Any]:
    """Reprice `products` products (+1.00) and move `customers` customers to a new street, through the admin API;
    returns how many variant SKUs changed price and which customers moved."""
    import httpx

    visible = [p for p in state["bigcommerce"]["products"] if p.get("is_visible", True)]
    step = max(1, len(visible) // max(products, 1))
    chosen = visible[::step][:products]
    repriced: set[str] = set()
    async with httpx.AsyncClient(timeout=60) as http:
        for product in chosen:
            before = {v["sku"]: Decimal(str(v["price"])) for v in product["variants"]}
            new = (Decimal(str(product["price"])) + 1).quantize(Decimal("0.01"))
            response = await http.patch(f"{admin}/products/{product['id']}", json={"price": str(new)})
            response.raise_for_status()
            for variant in response.json()["variants"]:
                if Decimal(str(variant["price"])) != before.get(variant["sku"]):
                    repriced.add(variant["sku"])
        people = state["bigcommerce"]["customers"]
        step = max(1, len(people) // max(customers, 1))
        moved = people[::step][:customers]
        for n, customer in enumerate(moved):
            response = await http.patch(f"{admin}/customers/{customer['id']}",
                                        json={"street_1": f"{100 + n} Benchmark Way", "city": "Springfield"})
            response.raise_for_status()
    return {"products": len(chosen), "skus_repriced": len(repriced), "customers": len(moved),
            "skus_of_products": sum(len(p["variants"]) for p in chosen)}


def _skus_of_changed(r: dict[str, Any]) -> int:
    """The variant SKUs of the repriced products (raw figures from before it was recorded: the same store, made
    again from its seed)."""
    if "skus_of_products" in r["changed"]:
        return int(r["changed"]["skus_of_products"])
    from bigbooks_desktop.sandbox.generator import generate_store

    a = r["args"]
    store = generate_store(orders=a["orders"], seed=a["seed"], products=a["products"], customers=a["customers"])
    visible = [p for p in store.products if p.get("is_visible", True)]
    step = max(1, len(visible) // max(a["changed_products"], 1))
    return sum(len(p["variants"]) for p in visible[::step][:a["changed_products"]])


async def _measure(args: argparse.Namespace) -> dict[str, Any]:
    from bigbooks_desktop import accounts
    from bigbooks_desktop.service import BigBooksService

    home = isolate("bigbooks-catbench-")
    tracer = Tracer()
    result: dict[str, Any] = {"args": {k: getattr(args, k) for k in ("products", "customers", "orders", "seed",
                                                                      "changed_products", "changed_customers")},
                              "machine": machine(), "load_start": loadavg()}
    started = time.monotonic()
    with sandbox_process("--orders", str(args.orders), "--seed", str(args.seed), "--products", str(args.products),
                         "--customers", str(args.customers), "--bc-quota", str(UNLIMITED_BC_QUOTA),
                         "--fb-quota", "0") as (info, pid):
        result["sandbox_start"] = time.monotonic() - started
        admin = info["admin_url"]
        await accounts.connect_sandbox(admin, allow_file_store=True)
        result["profile"] = _activate_profile(home)
        state = await _get(f"{admin}/state")
        result["before"] = _books_counts(state)
        del state
        service = BigBooksService(allow_file_store=True)
        try:
            result["initial"] = await _one_run("initial", service, admin, pid, tracer)
            state = await _get(f"{admin}/state")
            result["initial"]["check"] = _check(state)
            result["initial"]["books"] = _books_counts(state)
            result["quiet"] = await _one_run("quiet", service, admin, pid, tracer)
            result["changed"] = await _change(admin, state, args.changed_products, args.changed_customers)
            del state
            result["changes"] = await _one_run("changes", service, admin, pid, tracer)
            state = await _get(f"{admin}/state")
            result["changes"]["check"] = _check(state)
            result["changes"]["books"] = _books_counts(state)
            del state
        finally:
            await service.aclose()
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["load_end"] = loadavg()
    return result


# -- analysis -------------------------------------------------------------------------------------------------


def _pages(n: int, per: int) -> int:
    return max(1, math.ceil(n / per))


def _service(route: str) -> str | None:
    path = route.split(" ", 1)[1]
    return "BigCommerce" if path.startswith(BC) else "FreshBooks" if path.startswith(FB) else None


def _short(route: str) -> str:
    method, path = route.split(" ", 1)
    return f"{method} {path.removeprefix(BC).removeprefix(FB)}"


def _by_route_kind(traced: dict[str, int]) -> Counter[tuple[str, str]]:
    out: Counter[tuple[str, str]] = Counter()
    for key, n in traced.items():
        route, kind, _ = key.split("\t")
        if _service(route):
            out[(route, kind)] += n
    return out


def _minimum(run: str, r: dict[str, Any]) -> dict[tuple[str, str], tuple[int, str]]:
    """The design minimum of a run, by (route, kind): (calls, why)."""
    before, a = r["before"], r["args"]
    catalog_pages = _pages(before["products"], BC_PAGE)
    customer_pages = _pages(before["customers"], BC_PAGE)
    p, c = f"GET {BC}v3/catalog/products", f"GET {BC}v3/customers"
    items, clients = f"{FB}items/items", f"{FB}users/clients"
    mins: dict[tuple[str, str], tuple[int, str]] = {
        (f"GET {BC}v2/time", "read"): (1, "every run: BigCommerce's clock, for the cursors"),
        (f"GET {BC}v2/store", "read"): (1, "every run: the store's currency and time zone"),
        (f"GET {FB}taxes/taxes", "list page"): (1, "every run: FreshBooks' taxes, for the tax mapping"),
    }
    if run != "initial":
        mins[(f"GET {BC}v2/orders", "list page")] = (1, "orders modified since the cursor (the first run, "
                                                        "without --since, reads none)")
    if run == "initial":
        known = before["items_of_catalog"]
        new_items = before["skus"] - known
        mins[(p, "list page")] = (catalog_pages, f"ceil({before['products']:,} / {BC_PAGE})")
        mins[(c, "list page")] = (customer_pages, f"ceil({before['customers']:,} / {BC_PAGE})")
        item_reads = min(_pages(before["items"], FB_PAGE), before["skus"])
        mins[(f"GET {items}", "list page")] = (item_reads, f"the items FreshBooks has ({before['items']:,}) read "
                                               f"100 a page, fewer calls than {before['skus']:,} SKU lookups")
        mins[(f"GET {clients}", "list page")] = (
            min(_pages(before["clients"], FB_PAGE), before["customers"]),
            f"the clients FreshBooks has ({before['clients']:,}) read 100 a page (one page says there are none), "
            f"fewer calls than {before['customers']:,} email lookups")
        mins[(f"POST {items}", "write")] = (new_items, "one create per SKU FreshBooks does not have")
        mins[(f"PUT {items}/{{id}}", "write")] = (
            known, "one update per item FreshBooks already had: each differs from its variant (no description; "
                   "the name lacks the option's name)")
        mins[(f"POST {clients}", "write")] = (before["customers"] - before["clients"], "one create per customer")
    elif run == "quiet":
        mins[(p, "list page")] = (1, "one call: nothing modified since the cursor")
        mins[(c, "list page")] = (1, "one call: nothing modified since the cursor")
    else:
        ch = r["changed"]
        skus, moved = ch["skus_repriced"], ch["customers"]
        mins[(p, "list page")] = (_pages(ch["products"], BC_PAGE), f"{ch['products']} products changed, 250 a page")
        mins[(c, "list page")] = (_pages(moved, BC_PAGE), f"{moved} customers changed, 250 a page")
        after = r["initial"]["books"]
        of_products = _skus_of_changed(r)
        pages = _pages(after["items"], FB_PAGE)
        mins[(f"GET {items}", "read")] = (
            min(skus, pages), f"FreshBooks' current values of the {skus} items whose variant changed (of the "
                              f"{of_products} SKUs of the changed products; the others match their baseline): one "
                              f"read each, or the item list ({pages} pages) when fewer; a field changed on both "
                              "sides is a conflict (sync/field_merge.py)")
        mins[(f"PUT {items}/{{id}}", "write")] = (skus, "one update per variant whose price changed")
        client_reads = min(moved, _pages(after["clients"], FB_PAGE))
        mins[(f"GET {clients}", "read")] = (client_reads, f"FreshBooks' current values of the {moved} clients: one "
                                            "read each, or the client list when fewer pages")
        mins[(f"PUT {clients}/{{id}}", "write")] = (moved, "one update per customer whose address changed")
    _ = a
    return mins


def _rows(run: str, r: dict[str, Any]) -> list[dict[str, Any]]:
    """Measured against the minimum, route by route and kind by kind (reads of one route grouped as the minimum
    groups them: in the `changes` run a list page and a read by id are both 'read')."""
    measured = _by_route_kind(r[run]["traced"])
    mins = _minimum(run, r)
    grouped: Counter[tuple[str, str]] = Counter()
    senders: dict[tuple[str, str], Counter[str]] = {}
    for key, n in r[run]["traced"].items():
        route, kind, sender = key.split("\t")
        if not _service(route):
            continue
        if route.endswith(("/v2/time", "/v2/store")):
            kind = "read"                   # raw figures traced before `_kind` named these
        target = (route, kind)
        if target not in mins and kind != "write" and route.startswith("GET") and (
                (route, "read") in mins or (route.removesuffix("/{id}"), "read") in mins):
            target = (route if (route, "read") in mins else route.removesuffix("/{id}"), "read")
        if target not in mins and kind in ("lookup by sku", "lookup by email"):
            target = (route, "list page") if (route, "list page") in mins else target
        grouped[target] += n
        senders.setdefault(target, Counter())[f"{sender} ({kind})"] += n
    _ = measured
    rows = []
    for key in sorted(set(grouped) | set(mins), key=lambda k: (_service(k[0]) != "BigCommerce", k[0], k[1])):
        minimum, why = mins.get(key, (0, "not in the design"))
        rows.append({"service": _service(key[0]), "route": _short(key[0]), "kind": key[1], "minimum": minimum,
                     "measured": grouped.get(key, 0), "why": why,
                     "senders": dict(senders.get(key, Counter()).most_common())})
    return rows


def _ratio(measured: int, minimum: int) -> str:
    if minimum == 0:
        return "-" if measured == 0 else "above (minimum 0)"
    return f"{measured / minimum:.2f}"


def _totals(rows: list[dict[str, Any]], service: str, *, writes: bool | None = None) -> tuple[int, int]:
    chosen = [x for x in rows if x["service"] == service and (writes is None or (x["kind"] == "write") == writes)]
    return sum(x["minimum"] for x in chosen), sum(x["measured"] for x in chosen)


def _failed(r: dict[str, Any]) -> list[str]:
    out = []
    for run in ("initial", "changes"):
        for key, n in r[run]["check"].items():
            if key not in ("skus", "customers") and n:
                out.append(f"{run}: {key} {n}")
    if sum(n for row in _rows("quiet", r) if row["kind"] == "write" for n in [row["measured"]]):
        out.append("quiet: FreshBooks writes")
    return out


def _markdown(r: dict[str, Any], stamp: str) -> str:
    a, b = r["args"], r["before"]
    out = [BEGIN, "# Catalog and customer sync benchmark", "",
           f"Measured {stamp} on: {r['machine']}; load average at the start {r['load_start']}, at the end "
           f"{r['load_end']} (2 CPUs shared with other jobs). `benchmarks/catalog_benchmark.py --products "
           f"{a['products']} --customers {a['customers']} --orders {a['orders']} --seed {a['seed']}`: the sandbox in "
           "its own `bigbooks sandbox` process (loopback sockets), rate limits effectively off (BigCommerce quota "
           "10^9 per window, FreshBooks quota off: calls, not pacing, are measured), the profile made with "
           "`bigbooks mapping new catalog_and_customers` with `customer_sync` \"all\" and imported with "
           "`--activate`.", "",
           f"The store: {b['products']:,} products with {b['variants']:,} variants ({b['skus']:,} SKUs), "
           f"{b['customers']:,} customers, {a['orders']} orders (left to the first-run rule: the runs measure "
           f"catalog and customer sync). FreshBooks before the first run: {b['items']:,} items, "
           f"{b['items_of_catalog']:,} of them with a catalog SKU (the sandbox seeds about 75%), {b['clients']:,} "
           "clients.", ""]
    out += ["| Run | wall time | engine CPU | sandbox CPU | BigCommerce calls (minimum) | FreshBooks calls (minimum) "
            "| FreshBooks writes (minimum) | status |", "|---|---|---|---|---|---|---|---|"]
    for run in RUNS:
        x = r[run]
        rows = _rows(run, r)
        bm, bc_ = _totals(rows, "BigCommerce")
        fm, fc = _totals(rows, "FreshBooks")
        wm, wc = _totals(rows, "FreshBooks", writes=True)
        out.append(f"| {run} | {x['wall']:.1f} s | {x['cpu']:.1f} s | {x['sandbox_cpu']:.1f} s | {bc_:,} ({bm:,}) | "
                   f"{fc:,} ({fm:,}) | {wc:,} ({wm:,}) | {x['status']} |")
    ch = r["changed"]
    out += ["", f"The changes run follows {ch['products']} product prices (+1.00, {ch['skus_repriced']} variant SKUs "
                f"repriced: a variant whose price was the product's follows it) and {ch['customers']} customer "
                "addresses changed through `PATCH /_sandbox/products/{id}` and `PATCH /_sandbox/customers/{id}`.", ""]
    for run in RUNS:
        x = r[run]
        counts = ", ".join(f"{k} {v:,}" for k, v in sorted(x["counts"].items())
                           if v and (k.startswith(("catalog", "customer", "clients_", "items_")) or "item" in k))
        out += [f"## {run.capitalize()} run, route by route", "",
                f"Counts: {counts or 'nothing changed'}. Inbox: {x['inbox']}.", "",
                "| service | route | kind | design minimum | measured | measured / minimum | why the minimum |",
                "|---|---|---|---|---|---|---|"]
        for row in _rows(run, r):
            out.append(f"| {row['service']} | `{row['route']}` | {row['kind']} | {row['minimum']:,} | "
                       f"{row['measured']:,} | {_ratio(row['measured'], row['minimum'])} | {row['why']} |")
        if "check" in x:
            c = x["check"]
            out += ["", f"Checks: {c['skus']:,} SKUs: {c['items_missing']} without an item, {c['items_duplicate']} "
                        f"with more than one, {c['items_wrong_price']} at a wrong price; {c['customers']:,} "
                        f"customers: {c['clients_missing']} without a client, {c['clients_duplicate']} with more "
                        f"than one, {c['clients_wrong_address']} with a wrong street."]
        out.append("")
    out += ["## Calls above the design minimum, and the code that sends them", ""]
    excess = [(run, row) for run in RUNS for row in _rows(run, r) if row["measured"] > row["minimum"]]
    if not excess:
        out.append("- none")
    for run, row in excess:
        senders = ", ".join(f"`{s}` {n:,}" for s, n in row["senders"].items())
        out.append(f"- {run} run, {row['service']} `{row['route']}` ({row['kind']}): {row['measured']:,} against "
                   f"{row['minimum']:,}; sent by {senders}.")
    out += ["", f"Engine CPU is `time.process_time()` of the benchmark's process across each run, less the request "
                f"tracer's own time (initial run {r['initial']['tracer_cpu']:.1f} s); peak memory of the engine "
                f"process {r['peak_rss_mb']:.0f} MB. Route counts come from a tracer on the engine's HTTP client "
                "(which names the kind of each GET from its query and the sync/ function that sent it); their "
                "totals match the sandbox's own counts (`/_sandbox/requests`): "
                f"{'yes' if _agree(r) else 'NO'}.", "", RERUN, END]
    return "\n".join(out)


def _agree(r: dict[str, Any]) -> bool:
    for run in RUNS:
        traced: Counter[str] = Counter()
        for key, n in r[run]["traced"].items():
            route = key.split("\t")[0]
            if _service(route):
                traced[route] += n
        counted = Counter({k: v for k, v in r[run]["requests"].items() if _service(k)})
        if traced != counted:
            return False
    return True


RERUN = """\
To rerun: `.venv/bin/python benchmarks/catalog_benchmark.py` (about 3 minutes on this machine; `--products N`,
`--customers N`, `--orders N`, `--seed S`, `--changed-products N`, `--changed-customers N`, `--no-write`,
`--reuse RAW.json` to render an earlier run's raw figures, whose path it prints). Exits 1 when a check fails."""





def _write_results(section: str) -> Path:
    """Replace this benchmark's section of RESULTS.md (between the markers) or append it; the rest is kept."""
    path = HERE / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--changed-products", type=int, default=100)
    parser.add_argument("--changed-customers", type=int, default=50)
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--reuse", metavar="RAW.json", help="render an earlier run's raw figures")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.reuse:
        raw: dict[str, Any] = json.loads(Path(args.reuse).read_text(encoding="utf-8"))
    else:
        print(f"[{time.strftime('%H:%M:%S')}] {args.products} products, {args.customers} customers (load "
              f"{loadavg()})", file=sys.stderr)
        raw = asyncio.run(_measure(args))
        out = Path(tempfile.mkstemp(prefix="bigbooks-catbench-", suffix=".json")[1])
        out.write_text(json.dumps(raw, default=str), encoding="utf-8")
        print(f"raw figures: {out}", file=sys.stderr)
    section = _markdown(raw, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    print(section)
    print(f"benchmark wall time {time.monotonic() - started:.0f} s", file=sys.stderr)
    if not args.no_write:
        print(f"wrote {_write_results(section)}", file=sys.stderr)
    failed = _failed(raw)
    if failed:
        print(f"FAILED: {'; '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
