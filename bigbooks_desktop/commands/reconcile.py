"""`bigbooks reconcile`: BigCommerce orders against their FreshBooks invoices, mismatches with reasons."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bigbooks_desktop.commands.service_runner import run_with_service

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "reconcile", help="compare every order with its FreshBooks invoice, payments and credits",
        description="Per order: BigCommerce total, captured payments and refunds against the FreshBooks "
                    "invoice amount, paid and credits. Lists mismatches with their reason; explained ones "
                    "(a recorded rounding line, an order waiting in the inbox, an undone run) are marked.")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="the whole report as JSON on stdout")
    out.add_argument("--csv", type=Path, metavar="FILE", help="write one row per order to FILE")
    parser.add_argument("--all", action="store_true", help="list every order, not only the mismatches")
    parser.set_defaults(handler=run)


def print_report(report: Any, *, every_order: bool = False) -> None:
    """The human-readable report: mismatches (or every order) then the summary."""
    rows = report.orders if every_order else report.mismatches()
    for row in rows:
        number = row.invoice_number or "-"
        print(f"order {row.order_id:<8} {row.state.value:<12} invoice {number:<12} "
              f"BC {row.bc_total} {row.currency} / FB {row.fb_amount if row.fb_amount is not None else '-'}")
        for finding in row.findings:
            print(f"    {'explained  ' if finding.explained else 'UNEXPLAINED'} {finding.message}")
    s = report.summary()
    print(f"{s['orders']} orders: {s['ok']} reconciled, {s['explained']} with explained differences, "
          f"{s['unexplained_orders']} with unexplained differences, {s['skipped']} not invoiceable; "
          f"{s['rounding_lines']} recorded rounding line(s).")
    print(f"Unexplained differences: {s['unexplained_differences']}")


def run(args: argparse.Namespace) -> int:
    async def body(service: Any) -> int:
        from bigbooks_desktop.core.jsonwire import dumps

        print("Reconciling BigCommerce orders with FreshBooks...", file=sys.stderr)
        report = await service.reconcile()
        if args.json:
            print(dumps(report.to_json()))
            return 0
        if args.csv is not None:
            written = report.write_csv(args.csv)
            print(f"Wrote {written} row(s) to {args.csv}.", file=sys.stderr)
        print_report(report, every_order=args.all)
        return 0

    return run_with_service(body)
