"""`bigbooks inbox`: list, show, retry and ignore the orders that need attention."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from bigbooks_desktop.commands import Subparsers
from bigbooks_desktop.commands.jsonout import print_json
from bigbooks_desktop.commands.service_runner import run_with_service
from bigbooks_desktop.core.views import JsonValue

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("inbox", help="orders that need attention")
    verbs = parser.add_subparsers(dest="inbox_verb", metavar="VERB", required=True)
    listing = verbs.add_parser("list", help="open problems (--all: with history)")
    listing.add_argument("--all", action="store_true", help="include resolved and ignored rows")
    listing.add_argument("--json", action="store_true")
    show = verbs.add_parser("show", help="one problem with its order snapshot")
    show.add_argument("id", type=int)
    edit = verbs.add_parser("edit", help='fix a problem\'s data: JSON like {"email": "a@b.example"}')
    edit.add_argument("id", type=int)
    edit.add_argument("edits", help="JSON object of fixes")
    retry = verbs.add_parser("retry", help="retry one problem, or all with --all")
    retry.add_argument("id", type=int, nargs="?")
    retry.add_argument("--all", action="store_true")
    retry.add_argument("--json", action="store_true")
    ignore = verbs.add_parser("ignore", help="leave a problem alone (kept as history)")
    ignore.add_argument("id", type=int)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    verb = args.inbox_verb
    edits: dict[str, JsonValue] = {}
    if verb == "retry" and (args.id is None) == (not args.all):
        print("error: give a problem ID or --all", file=sys.stderr)
        return 2
    if verb == "edit":
        try:
            parsed = json.loads(args.edits)
        except ValueError as exc:
            print(f"error: the edits are not JSON ({exc})", file=sys.stderr)
            return 2
        if not isinstance(parsed, dict):
            print("error: the edits must be a JSON object", file=sys.stderr)
            return 2
        edits = parsed

    async def body(service: BigBooksService) -> int:
        if verb == "list":
            items = await service.list_inbox(include_history=args.all)
            if args.json:
                print_json(items)
            else:
                for item in items:
                    print(f"{item.id:>5}  order {item.order_id}  {item.stage.value:<9} {item.status.value:<8} "
                          f"x{item.attempts}  {item.title}: {item.message.splitlines()[0]}")
                print(f"{len(items)} problem(s).", file=sys.stderr)
        elif verb == "show":
            print_json(await service.get_inbox_item(args.id))
        elif verb == "edit":
            print_json(await service.edit_inbox_item(args.id, edits))
        elif verb == "ignore":
            print_json(await service.ignore_inbox_item(args.id))
        else:
            summary = await service.retry_inbox("all" if args.all else [args.id])
            if summary is None:          # only without run=True, which this verb never asks for
                return 0
            if args.json:
                print_json(summary)
            else:
                print(f"Retried: {summary.counts.orders_synced} synced, "
                      f"{summary.counts.orders_failed} still need attention.")
        return 0

    return run_with_service(body)
