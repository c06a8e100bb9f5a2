"""`bigbooks runs`: the history of sync runs."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bigbooks_desktop.commands import Subparsers
from bigbooks_desktop.commands.jsonout import print_json
from bigbooks_desktop.commands.service_runner import run_with_service

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("runs", help="sync run history, newest first")
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    async def body(service: BigBooksService) -> int:
        runs = await service.list_runs(limit=args.limit)
        if args.json:
            print_json(runs)
            return 0
        for r in runs:
            c = r.counts
            rebuilt = " (counted from what it created before it stopped)" if r.counts_rebuilt else ""
            print(f"{r.id:>5}  {r.started_at.astimezone():%Y-%m-%d %H:%M:%S %Z}  {r.mode.value:<8} "
                  f"{r.status.value:<11} synced {c.orders_synced}, failed {c.orders_failed}, "
                  f"invoices {c.invoices_created}{rebuilt}" + (f"  ({r.error})" if r.error else ""))
        return 0

    return run_with_service(body)
