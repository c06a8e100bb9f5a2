"""`bigbooks undo RUN_ID`: remove what a sync run created in FreshBooks, and say what could not be undone."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from bigbooks_desktop.commands import Subparsers
from bigbooks_desktop.commands.jsonout import print_json, to_plain
from bigbooks_desktop.commands.service_runner import run_with_service

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "undo", help="undo a sync run: delete the invoices, payments, clients and items it created",
        description="Delete, in FreshBooks, what sync run RUN_ID created (payments and credit notes, then "
                    "invoices, then clients and items), where nothing else refers to them. The orders whose "
                    "invoice was removed are not synced again until you release them (--release-orders).")
    parser.add_argument("run_id", type=int, metavar="RUN_ID", help="the run, as `bigbooks runs` lists it")
    parser.add_argument("--release-orders", action="store_true",
                        help="after undoing, let the next sync create those orders' invoices again")
    parser.add_argument("--json", action="store_true", help="print the undo report as JSON on stdout")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    async def body(service: BigBooksService) -> int:
        print(f"Undoing sync run {args.run_id}...", file=sys.stderr)
        report = await service.undo_run(args.run_id)
        released = await service.release_undone_orders(report.orders_undone) if args.release_orders else []
        if args.json:
            data = to_plain(report)
            if not isinstance(data, dict):      # a view is a dataclass, so an object
                raise TypeError(f"undo report as JSON is a {type(data).__name__}")
            print_json({**data, "released_orders": released})
            return 0
        for outcome in report.outcomes:
            order = f" (order {outcome.order_id})" if outcome.order_id else ""
            reason = f": {outcome.reason}" if outcome.reason else ""
            print(f"{outcome.action.value.replace('_', ' '):<13} {outcome.kind.value} {outcome.object_id}"
                  f"{order}{reason}")
        print(f"Undo run {report.run_id}: {report.undone} undone, {report.not_undone} not undone"
              f"; {len(report.orders_undone)} order(s) will not sync again"
              + (f" until released (`bigbooks undo {args.run_id} --release-orders`)." if not released
                 else f"; released {len(released)} for the next sync."))
        return 0

    return run_with_service(body)
