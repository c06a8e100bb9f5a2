"""`bigbooks status`: who is signed in where, token health and whether the keychain works."""

from __future__ import annotations

import argparse
import json
from typing import Any

from bigbooks_desktop.commands.service_runner import run_with_service

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "status",
        help="show the signed-in accounts and token health",
        description="Show who is signed in where (no network calls, no secrets).",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def _lines(data: dict[str, Any]) -> list[str]:
    bc, fb = data["bigcommerce"], data["freshbooks"]
    lines = [f"Data folder: {data['data_dir']}", f"Keychain:    {data['keychain']}"]
    if bc["connected"]:
        plan = f", plan {bc['plan']}" if bc["plan"] else ""
        lines.append(f"BigCommerce: {bc['account_name']} (store {bc['account_id']}{plan}) via {bc['method']}")
        lines.append(f"             {bc['base_url']}")
    else:
        lines.append("BigCommerce: not connected" + (f" ({bc['problem']})" if bc["problem"] else ""))
    if fb["connected"]:
        lines.append(f"FreshBooks:  {fb['account_name']} (account {fb['account_id']}) as {fb['user_email']}")
        lines.append(
            f"             access token expires {fb['token_expires_at'] or 'unknown'}; "
            f"last refresh {fb['last_refresh_at'] or 'never'}"
        )
        rounding = data.get("freshbooks_tax_rounding")
        if rounding:
            how = "learned from its invoices" if rounding["learned"] else "assumed until an invoice shows it"
            lines.append(f"             tax rounding: {rounding['rule'].replace('-', ' ')} ({how})")
        if fb["problem"]:
            lines.append(f"             note: {fb['problem']}")
    else:
        lines.append("FreshBooks:  not signed in" + (f" ({fb['problem']})" if fb["problem"] else ""))
    return lines


def run(args: argparse.Namespace) -> int:
    async def body(service: Any) -> int:
        data: dict[str, Any] = (await service.status()).to_dict()
        if data["freshbooks"]["connected"]:
            rule, learned = service.tax_rounding(str(data["freshbooks"]["account_id"]))
            data["freshbooks_tax_rounding"] = {"rule": rule, "learned": learned}
        if args.json:
            print(json.dumps(data, indent=2))
        else:
            print("\n".join(_lines(data)))
        return 0

    return run_with_service(body)
