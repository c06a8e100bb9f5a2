"""`bigbooks status`: who is signed in where, token health and whether the keychain works."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

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
        if fb["problem"]:
            lines.append(f"             note: {fb['problem']}")
    else:
        lines.append("FreshBooks:  not signed in" + (f" ({fb['problem']})" if fb["problem"] else ""))
    return lines


def run(args: argparse.Namespace) -> int:
    from bigbooks_desktop import accounts

    data = asyncio.run(accounts.status()).to_dict()
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        print("\n".join(_lines(data)))
    return 0
