"""`bigbooks sync`: one run, a watch loop, a dry run or a backfill; progress on stderr, JSON on stdout."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import signal
import sys
from datetime import date
from typing import TYPE_CHECKING

from bigbooks_desktop.commands import Subparsers
from bigbooks_desktop.commands.jsonout import print_json
from bigbooks_desktop.commands.progress import ProgressPrinter
from bigbooks_desktop.commands.service_runner import (
    EXIT_AUTH,
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_NETWORK,
    run_with_service,
)
from bigbooks_desktop.core.run_words import records_phrase
from bigbooks_desktop.core.views import OrderResult, SyncSummaryView

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["ONCE_LOCK_OWNER", "WATCH_LOCK_OWNER", "register"]

# How other processes (a window, another terminal, cron) name this one while it holds the profile.
ONCE_LOCK_OWNER = "bigbooks sync"
WATCH_LOCK_OWNER = "bigbooks sync --watch"


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("sync", help="sync BigCommerce orders to FreshBooks invoices",
                                   description="Sync orders to invoices. Exit 0 when the run worked (orders "
                                               "that failed are in the inbox: `bigbooks inbox list`).")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one run (the default)")
    mode.add_argument("--watch", action="store_true", help="sync again every --interval seconds")
    mode.add_argument("--dry-run", action="store_true", help="show what a sync would write; write nothing")
    parser.add_argument("--interval", type=float, default=300.0, metavar="SECONDS",
                        help="seconds between runs with --watch (default 300, at least 30; longer after failed "
                             "runs, doubling up to an hour)")
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
    records = records_phrase(counts)
    if records:                      # catalog or customer sync ran (the profile turns them on)
        print(f"{records}.")
    for held in summary.skipped[:20]:
        print(f"  skipped order {held.order_id}: {held.reason}", file=sys.stderr)
    for failed in summary.failed[:20]:
        stage = failed.stage.value if failed.stage is not None else None
        print(f"  order {failed.order_id} [{stage}]: {failed.message}", file=sys.stderr)
    if len(summary.failed) > 20:
        print(f"  ... and {len(summary.failed) - 20} more: bigbooks inbox list", file=sys.stderr)
    if summary.dry_run:
        print_json(summary.planned_totals)


# The exit code for the kind of error that stopped a run (core.errors.ErrorKind values), as
# commands.service_runner maps the errors it catches itself.
_EXIT_BY_KIND = {"auth": EXIT_AUTH, "permission": EXIT_AUTH, "transient": EXIT_NETWORK, "rate-limit": EXIT_NETWORK,
                 "config": EXIT_CONFIG}


def exit_code(summary: SyncSummaryView) -> int:
    """The exit code of a run that returned a summary: 0 when it worked; 3 when a sign-in is needed (orders
    paused for it, as `service.coordination` reads it); 4 when a service could not be reached (e.g. FreshBooks
    failed while the first run looked for hand-entered invoices); 5 for configuration; 1 for any other run
    that could not finish. Read from the kind of the error behind `problem` (`RunSummary.problem_kind`)."""
    if not summary.problem:
        return 0
    if summary.results.get(OrderResult.PAUSED, 0) > 0:
        return EXIT_AUTH
    return _EXIT_BY_KIND.get(summary.problem_kind or "", EXIT_FAILED)


def run(args: argparse.Namespace) -> int:
    async def body(service: BigBooksService) -> int:
        if args.watch:
            return await _watch(service, args.interval, as_json=args.json)
        # How a window or another terminal names this process while it waits for the profile.
        service.options = dataclasses.replace(service.options, lock_owner=ONCE_LOCK_OWNER)
        printer = ProgressPrinter("dry run" if args.dry_run else "syncing")
        summary = await service.sync_once(since=args.since, dry_run=args.dry_run, progress=printer)
        printer.finish()
        _print_summary(summary, args.json)
        if summary.problem:
            print(f"error: {summary.problem}", file=sys.stderr)
        return exit_code(summary)

    return run_with_service(body)


async def _watch(service: BigBooksService, interval: float, *, as_json: bool) -> int:
    """`--watch`: the service's sync coordinator on its schedule (the window's auto-sync: at least every 30 s,
    backing off while runs fail), printing each run, until SIGINT/SIGTERM (the run under way stops between
    orders and records what it did) or a sign-in is needed (exit 3: cron must not wait in silence)."""
    from bigbooks_desktop.service.coordination import SyncState, SyncStatusView

    service.lock_owner = WATCH_LOCK_OWNER
    if interval < service.sync_min_interval:
        print(f"note: --interval is at least {service.sync_min_interval:g} seconds", file=sys.stderr)
    stop = asyncio.Event()
    outcome = [0]
    printer = [ProgressPrinter("syncing")]
    seen = [0, 0]                         # runs reported, id of the last summary printed

    def on_status(status: SyncStatusView) -> None:
        if status.busy and status.progress is not None:
            printer[0](status.progress)
        if status.runs == seen[0]:
            return
        seen[0] = status.runs
        printer[0].finish()
        printer[0] = ProgressPrinter("syncing")
        summary = status.last_summary
        if summary is not None and id(summary) != seen[1]:
            seen[1] = id(summary)
            _print_summary(summary, as_json)
        if status.state is SyncState.PAUSED:
            print(f"error: {status.reason}", file=sys.stderr)
            outcome[0] = EXIT_AUTH
            stop.set()
        elif status.last_error:
            wait = f"; next try in {status.backoff_seconds:.0f} s" if status.backoff_seconds else ""
            print(f"sync could not finish: {status.last_error}{wait}", file=sys.stderr)

    service.subscribe(on_status)
    loop = asyncio.get_running_loop()
    for name in ("SIGINT", "SIGTERM"):
        with contextlib.suppress(NotImplementedError, AttributeError, ValueError):   # Windows: Ctrl+C as usual
            loop.add_signal_handler(getattr(signal, name), stop.set)
    service.start_auto_sync(interval)
    try:
        await stop.wait()
    finally:
        await service.close_sync()
    return outcome[0]
