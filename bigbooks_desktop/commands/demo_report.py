"""The headless demo: sign in to the sandbox, sync its whole store, show the inbox and reconciliation,
then let the store move on (new orders, a refund) and sync again, printing what happened at each step."""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import httpx

from bigbooks_desktop.commands.jsonout import print_json
from bigbooks_desktop.commands.progress import ProgressPrinter
from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.core.reconciliation_views import ReconciliationSummaryView
from bigbooks_desktop.core.views import InboxView, ServiceName, SyncSummaryView

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["run_headless_demo"]

BACKFILL_FROM = date(2000, 1, 1)  # the demo store's history is older than "now": sync all of it


def _say(text: str = "") -> None:
    print(text, file=sys.stderr, flush=True)


def _print_summary(title: str, summary: SyncSummaryView, seconds: float) -> None:
    counts = summary.counts
    _say(f"{title} ({seconds:.1f} s, run #{summary.run_id}, {summary.status.value}):")
    rows = [
        ("orders looked at", counts.orders_seen),
        ("orders synced", counts.orders_synced),
        ("orders skipped (not invoiceable, or unchanged)", counts.orders_skipped),
        ("orders sent to the error inbox", counts.orders_failed),
        ("clients created", counts.clients_created),
        ("items created", counts.items_created),
        ("invoices created", counts.invoices_created),
        ("invoices updated", counts.invoices_updated),
        ("payments recorded", counts.payments_created),
        ("credit notes recorded", counts.credits_created),
    ]
    for label, value in rows:
        _say(f"    {label:<48} {value:>6}")
    if summary.problem:
        _say(f"    problem: {summary.problem}")
    worked = counts.orders_synced + counts.orders_failed
    for service_name, label in ((ServiceName.BIGCOMMERCE, "BigCommerce"), (ServiceName.FRESHBOOKS, "FreshBooks")):
        calls = summary.api_calls.get(service_name)
        total = calls.total if calls is not None else 0
        per_order = f", {total / worked:.1f} per order worked" if worked else ""
        _say(f"    {label + ' API calls':<48} {total:>6}{per_order}")


async def _print_inbox(service: BigBooksService) -> list[InboxView]:
    items = await service.list_inbox()
    if not items:
        _say("Error inbox: empty.")
        return items
    _say(f"Error inbox: {len(items)} order(s) need attention (nothing was lost; each waits with its data):")
    for item in items[:8]:
        _say(f"    #{item.id} order {item.order_id} [{item.stage.value}/{item.kind.value}] {item.title}: "
             f"{item.message}")
    if len(items) > 8:
        _say(f"    ... and {len(items) - 8} more (bigbooks inbox list)")
    return items


async def _reconcile(service: BigBooksService) -> ReconciliationSummaryView:
    summary = (await service.reconcile()).summary
    _say("Reconciliation (BigCommerce orders against FreshBooks invoices, payments and credits):")
    rows = {"orders": summary.orders, "reconciled": summary.ok, "explained differences": summary.explained,
            "unexplained differences": summary.unexplained_differences, "not invoiceable": summary.skipped,
            "invoice amounts checked": summary.checked.invoices,
            "tax amounts checked (per name)": summary.checked.tax_names}
    for label, value in rows.items():
        _say(f"    {label:<48} {value}")
    return summary


async def _admin(http: httpx.AsyncClient, method: str, url: str, body: Any = None) -> Any:  # sandbox admin JSON
    response = await http.request(method, url, content=json.dumps(body) if body is not None else None,
                                  headers={"Content-Type": "application/json"})
    response.raise_for_status()
    return json_loads(response.content) if response.content else None


async def _store_moves_on(admin_url: str) -> list[str]:
    """Like a live store: two new paid orders arrive and a synced order is partly refunded."""
    happened: list[str] = []
    async with httpx.AsyncClient(timeout=30) as http:
        for _ in range(2):
            order = await _admin(http, "POST", f"{admin_url}/orders", {"status_id": 11})
            happened.append(f"new order {order['id']} ({order['total_inc_tax']} {order['currency_code']})")
        state = await _admin(http, "GET", f"{admin_url}/state")
        synced = {inv.get("po_number") for inv in state["freshbooks"]["invoices"]}
        for order in state["bigcommerce"]["orders"]:
            refunded = sum((Decimal(str(r["total_amount"])) for r in order.get("refunds", [])), Decimal(0))
            if str(order["id"]) in synced and order["status_id"] in (10, 11) and not refunded:
                amount = (Decimal(order["total_inc_tax"]) / 4).quantize(Decimal("0.01"))
                await _admin(http, "POST", f"{admin_url}/orders/{order['id']}/refunds",
                             {"amount": str(amount), "reason": "Damaged in transit"})
                happened.append(f"order {order['id']} partly refunded ({amount})")
                break
    return happened


async def run_headless_demo(admin_url: str, *, json_out: bool) -> int:
    from bigbooks_desktop.service import BigBooksService

    service = BigBooksService(allow_file_store=True)
    result: dict[str, object] = {}
    try:
        status = await service.connect_sandbox(admin_url)
        _say(f"Signed in: BigCommerce store \"{status.bigcommerce.account_name}\" "
             f"({status.bigcommerce.account_id}); FreshBooks business \"{status.freshbooks.account_name}\" "
             f"(account {status.freshbooks.account_id}).")
        _say()
        _say(f"Full sync of the store (backfill from {BACKFILL_FROM.isoformat()}):")
        printer = ProgressPrinter("syncing")
        first = await service.sync_once(progress=printer)
        _print_summary("First sync", first, printer.finish())
        _say()
        inbox = await _print_inbox(service)
        _say()
        recon = await _reconcile(service)
        _say()
        _say("The store moves on:")
        for line in await _store_moves_on(admin_url):
            _say(f"    {line}")
        printer = ProgressPrinter("syncing")
        second = await service.sync_once(progress=printer)
        _print_summary("Incremental sync", second, printer.finish())
        _say()
        printer = ProgressPrinter("re-syncing")
        third = await service.sync_once(progress=printer)
        _print_summary("Sync again with nothing new (nothing is duplicated)", third, printer.finish())
        result = {"first_sync": first, "incremental_sync": second, "repeat_sync": third, "inbox": inbox,
                  "reconciliation": recon}
    finally:
        await service.aclose()
    if json_out:
        print_json(result)
    _say()
    _say("Demo finished. Try the same against the sandbox yourself: `bigbooks sandbox`, then "
         "`bigbooks connect sandbox ADMIN_URL` and `bigbooks sync --once --since 2000-01-01`.")
    return 0
