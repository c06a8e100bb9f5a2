"""`bigbooks runs`: the history of sync runs."""

from __future__ import annotations

import argparse
from typing import Any

from bigbooks_desktop.commands.service_runner import print_json, run_with_service

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("runs", help="sync run history, newest first")
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    async def body(service: Any) -> int:
        runs = await service.list_runs(limit=args.limit)
        if args.json:
            print_json([r.to_json() for r in runs])
            return 0
        for r in runs:
            c = r.counts
            print(f"{r.id:>5}  {r.started_at[:19]}  {r.mode:<8} {r.status:<11} "
                  f"synced {c.get('orders_synced', 0)}, "
                  f"failed {c.get('orders_failed', 0)}, invoices {c.get('invoices_created', 0)}"
                  + (f"  ({r.error})" if r.error else ""))
        return 0

    return run_with_service(body)
