"""`bigbooks status`: who is signed in where, token health and whether the keychain works."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING

from bigbooks_desktop.commands.jsonout import print_json
from bigbooks_desktop.commands.service_runner import run_with_service
from bigbooks_desktop.core.views import ConnectionsView

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

from bigbooks_desktop.commands import Subparsers

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "status",
        help="show the signed-in accounts and token health",
        description="Show who is signed in where (no network calls, no secrets).",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def _time(value: datetime | None, missing: str) -> str:
    return value.isoformat() if value is not None else missing


def _lines(data: ConnectionsView) -> list[str]:
    bc, fb = data.bigcommerce, data.freshbooks
    lines = [f"Data folder: {data.data_dir}", f"Keychain:    {data.keychain}"]
    if bc.connected:
        plan = f", plan {bc.plan}" if bc.plan else ""
        method = bc.method.value if bc.method else "unknown"
        lines.append(f"BigCommerce: {bc.account_name} (store {bc.account_id}{plan}) via {method}")
        lines.append(f"             {bc.base_url or ''}")
    else:
        lines.append("BigCommerce: not connected" + (f" ({bc.problem})" if bc.problem else ""))
    if fb.connected:
        lines.append(f"FreshBooks:  {fb.account_name} (account {fb.account_id}) as {fb.user_email}")
        lines.append(
            f"             access token expires {_time(fb.token_expires_at, 'unknown')}; "
            f"last refresh {_time(fb.last_refresh_at, 'never')}"
        )
        rounding = data.freshbooks_tax_rounding
        if rounding is not None:
            how = "learned from its invoices" if rounding.learned else "assumed until an invoice shows it"
            lines.append(f"             tax rounding: {rounding.rule.value.replace('-', ' ')} ({how})")
        if fb.problem:
            lines.append(f"             note: {fb.problem}")
    else:
        lines.append("FreshBooks:  not signed in" + (f" ({fb.problem})" if fb.problem else ""))
    return lines


def run(args: argparse.Namespace) -> int:
    async def body(service: BigBooksService) -> int:
        data = await service.status()
        if args.json:
            print_json(data)
        else:
            print("\n".join(_lines(data)))
        return 0

    return run_with_service(body)
