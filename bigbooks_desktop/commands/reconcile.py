"""`bigbooks reconcile`: BigCommerce orders against FreshBooks as an accountant checks them, with what to do."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from bigbooks_desktop.commands import Subparsers
from bigbooks_desktop.commands.jsonout import print_json
from bigbooks_desktop.commands.service_runner import run_with_service
from bigbooks_desktop.core.reconciliation_views import ReconciliationView

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService
    from bigbooks_desktop.sync.reconcile import ReconciliationReport

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "reconcile", help="check every order's invoice, tax, refunds, cash and credits in FreshBooks",
        description="Per order, what an accountant checks: the invoice amount (order total less gift "
                    "certificates sold), the tax per tax name, each refund's credit note (amount and tax), "
                    "the cash (captured minus refunded), the refunds' credit applied to the invoice, duplicate "
                    "payments and credit notes, and untaxed rounding lines. Each finding says what to do; "
                    "explained ones (an order waiting in the inbox, an undone run, a cancellation) are marked.")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="the whole report as JSON on stdout")
    out.add_argument("--csv", type=Path, metavar="FILE",
                     help="write one row per order to FILE (every compared figure; tax as name=amount;...)")
    parser.add_argument("--all", action="store_true", help="list every order, not only the mismatches")
    parser.set_defaults(handler=run)


def _money(value: Decimal | None) -> str:
    return "-" if value is None else format(value, "f")


def print_report(report: ReconciliationView | ReconciliationReport, *, every_order: bool = False) -> None:
    """The human-readable report: mismatches (or every order) with what to do, then the summary.

    Also takes the engine's own report (tests/sync prints one), read through the same view."""
    if not isinstance(report, ReconciliationView):
        from bigbooks_desktop.service.convert import reconciliation_view

        report = reconciliation_view(report)
    rows = report.orders if every_order else report.mismatches()
    for row in rows:
        number = row.invoice_number or "-"
        expected = row.bc_expected_amount
        wanted = _money(row.bc_total) if expected in (None, row.bc_total) else \
            f"{_money(row.bc_total)} (invoiceable {_money(expected)})"
        print(f"order {row.order_id:<8} {row.state.value:<12} invoice {number:<12} "
              f"BC {wanted} {row.currency} / FB {_money(row.fb_amount)}")
        for finding in row.findings:
            print(f"    {'explained  ' if finding.explained else 'UNEXPLAINED'} [{finding.code}] "
                  f"{finding.message}")
            print(f"        what to do: {finding.action}")
    s = report.summary
    print(f"{s.orders} orders: {s.ok} reconciled, {s.explained} with explained differences, "
          f"{s.unexplained_orders} with unexplained differences, {s.skipped} not invoiceable.")
    checked = s.checked
    print(f"Checked: {checked.invoices} invoice amount(s), {checked.tax_names} tax amount(s) per name, "
          f"{checked.refunds} refunded order(s), cash on {checked.cash} order(s).")
    if s.findings:
        open_codes = s.unexplained_findings
        print("Findings: " + ", ".join(f"{code} {count}" + (f" ({open_codes[code]} unexplained)"
                                                            if code in open_codes else "")
                                       for code, count in s.findings.items()))
    print(f"Unexplained differences: {s.unexplained_differences}")


def run(args: argparse.Namespace) -> int:
    async def body(service: BigBooksService) -> int:
        print("Reconciling BigCommerce orders with FreshBooks...", file=sys.stderr)
        report = await service.reconcile(csv=args.csv)
        if args.json:
            print_json(report)
            return 0
        if args.csv is not None:
            print(f"Wrote {len(report.orders)} row(s) to {args.csv}.", file=sys.stderr)
        print_report(report, every_order=args.all)
        return 0

    return run_with_service(body)
