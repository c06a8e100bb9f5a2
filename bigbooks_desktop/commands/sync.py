"""`bigbooks sync`: one run, a watch loop, a dry run or a backfill; progress on stderr, JSON on stdout."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING

from bigbooks_desktop.commands import Subparsers
from bigbooks_desktop.commands.jsonout import print_json
from bigbooks_desktop.commands.progress import ProgressPrinter
from bigbooks_desktop.commands.service_runner import EXIT_AUTH, run_with_service
from bigbooks_desktop.core.views import SyncSummaryView

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("sync", help="sync BigCommerce orders to FreshBooks invoices",
                                   description="Sync orders to invoices. Exit 0 when the run worked (orders "
                                               "that failed are in the inbox: `bigbooks inbox list`).")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one run (the default)")
    mode.add_argument("--watch", action="store_true", help="sync again every --interval seconds")
    mode.add_argument("--dry-run", action="store_true", help="show what a sync would write; write nothing")
    parser.add_argument("--interval", type=float, default=300.0, metavar="SECONDS",
                        help="seconds between runs with --watch (default 300)")
    parser.add_argument("--since", type=date.fromisoformat, metavar="DATE",
                        help="backfill orders modified since DATE (YYYY-MM-DD)")
    parser.add_argument("--json", action="store_true", help="print the run summary as JSON on stdout")
    parser.set_defaults(handler=run)


def _print_summary(summary: SyncSummaryView, as_json: bool) -> None:
    if summary.note:
        print(summary.note, file=sys.stderr)
    if as_json:
        print_json(summary)
        return
    counts = summary.counts
    print(f"Run {summary.run_id} {summary.status.value}: {counts.orders_synced} synced, "
          f"{counts.orders_skipped} unchanged or not invoiceable, "
          f"{counts.orders_failed} need attention; {counts.invoices_created} invoices, "
          f"{counts.payments_created} payments, "
          f"{counts.credits_created} credit notes created. Inbox: {summary.inbox_active}.")
    for held in summary.skipped[:20]:
        print(f"  skipped order {held.order_id}: {held.reason}", file=sys.stderr)
    for failed in summary.failed[:20]:
        stage = failed.stage.value if failed.stage is not None else None
        print(f"  order {failed.order_id} [{stage}]: {failed.message}", file=sys.stderr)
    if len(summary.failed) > 20:
        print(f"  ... and {len(summary.failed) - 20} more: bigbooks inbox list", file=sys.stderr)
    if summary.dry_run:
        print_json(summary.planned_totals)


def run(args: argparse.Namespace) -> int:
    async def body(service: BigBooksService) -> int:
        if args.watch:
            summaries = await service.watch(args.interval, progress=ProgressPrinter("syncing"),
                                            on_summary=lambda s: _print_summary(s, args.json))
            return 0 if all(s.problem is None for s in summaries) else EXIT_AUTH
        printer = ProgressPrinter("dry run" if args.dry_run else "syncing")
        summary = await service.sync_once(since=args.since, dry_run=args.dry_run, progress=printer)
        printer.finish()
        _print_summary(summary, args.json)
        if summary.problem:
            print(f"error: {summary.problem}", file=sys.stderr)
            return EXIT_AUTH
        return 0

    return run_with_service(body)
