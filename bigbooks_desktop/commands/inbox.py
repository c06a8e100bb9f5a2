"""`bigbooks inbox`: list, show, retry and ignore the orders that need attention, and the FreshBooks items and
clients (catalog and customer sync) waiting for a choice: `show` prints both values and the exact `edit`
command that settles it."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from typing import TYPE_CHECKING

from bigbooks_desktop.commands import Subparsers
from bigbooks_desktop.commands.jsonout import print_json
from bigbooks_desktop.commands.service_runner import run_with_service
from bigbooks_desktop.core.inbox_views import ConflictChoice, InboxFixView, row_label
from bigbooks_desktop.core.views import InboxView, JsonValue

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

_NEXT_SYNC = "the next sync (bigbooks sync, or Sync now in the window) writes it to FreshBooks and settles the problem"

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("inbox", help="orders, items and clients that need attention")
    verbs = parser.add_subparsers(dest="inbox_verb", metavar="VERB", required=True)
    listing = verbs.add_parser("list", help="open problems (--all: with history)")
    listing.add_argument("--all", action="store_true", help="include resolved and ignored rows")
    listing.add_argument("--json", action="store_true")
    show = verbs.add_parser("show", help="one problem with its order snapshot (an item or client: both values "
                                         "and the command that settles it)")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true", help="the row as JSON, also for an item or client")
    edit = verbs.add_parser("edit", help='fix a problem\'s data: JSON like {"email": "a@b.example"}, '
                                         '{"choose": {"name": "bigcommerce"}} or {"follow": 112}')
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
                    what = row_label(item.order_id, item.subject, item.id)
                    print(f"{item.id:>5}  {what[:1].lower() + what[1:]}  {item.stage.value:<9} "
                          f"{item.status.value:<8} x{item.attempts}  {item.title}: {item.message.splitlines()[0]}")
                print(f"{len(items)} problem(s).", file=sys.stderr)
        elif verb == "show":
            item = await service.get_inbox_item(args.id)
            if item.subject is None or args.json:
                print_json(item)
            else:
                print(record_text(await service.inbox_fix(args.id)))
        elif verb == "edit":
            item = await service.get_inbox_item(args.id)
            if item.subject is not None and edits and set(edits) <= {"choose", "follow"}:
                return await _decide(service, args.id, edits)
            print_json(await service.edit_inbox_item(args.id, edits))
        elif verb == "ignore":
            print_json(await service.ignore_inbox_item(args.id))
        else:
            rows = [i for i in await service.list_inbox(limit=100_000)] if args.all else \
                [await service.get_inbox_item(args.id)]
            records = [i for i in rows if i.subject is not None]
            if records and len(records) == len(rows):      # only items and clients: the next sync settles them
                await service.retry_inbox([i.id for i in records], run=False)
                _say_records(records)
                return 0
            summary = await service.retry_inbox("all" if args.all else [args.id])
            _say_records(records)
            if summary is None:          # only without run=True, which this verb never asks for
                return 0
            if args.json:
                print_json(summary)
            else:
                print(f"Retried: {summary.counts.orders_synced} synced, "
                      f"{summary.counts.orders_failed} still need attention.")
        return 0

    return run_with_service(body)


async def _decide(service: BigBooksService, item_id: int, edits: dict[str, JsonValue]) -> int:
    """`inbox edit` with the decision for an item or client: checked by the service, saved for the next sync."""
    choose, follow = edits.get("choose"), edits.get("follow")
    if choose is not None:
        if not isinstance(choose, dict):
            print('error: "choose" is an object: {"FIELD": "bigcommerce" or "freshbooks"}', file=sys.stderr)
            return 2
        fix = await service.choose_inbox_values(item_id, {str(k): str(v) for k, v in choose.items()})
    elif isinstance(follow, int) and not isinstance(follow, bool):
        fix = await service.follow_inbox_product(item_id, follow)
    else:
        print('error: "follow" is a product id: {"follow": 112}', file=sys.stderr)
        return 2
    print_json(fix.item)
    print(f"Saved: {fix.history[-1].text if fix.history else 'your choice'}; {_NEXT_SYNC}.", file=sys.stderr)
    return 0


def _say_records(rows: list[InboxView]) -> None:
    for row in rows:
        what = row_label(row.order_id, row.subject, row.id)
        if row.edits.get("choose") is not None or row.edits.get("follow") is not None:
            print(f"{what} (problem {row.id}): due now; {_NEXT_SYNC}.", file=sys.stderr)
        else:
            print(f"{what} (problem {row.id}): due now; the next sync reads it again. If it waits for a choice, "
                  f"see: bigbooks inbox show {row.id}", file=sys.stderr)


def _command(item_id: int, edits: dict[str, object]) -> str:
    return f"bigbooks inbox edit {item_id} {shlex.quote(json.dumps(edits, ensure_ascii=False))}"


def _cell(text: str, width: int) -> str:
    shown = " ".join(text.split()) or "(empty)"
    return shown if len(shown) <= width else shown[:width - 1] + "…"


def record_text(fix: InboxFixView) -> str:
    """An item's or client's row for a terminal: what happened, both values of each field in conflict (or the
    products sharing a SKU), and the exact `inbox edit` commands that settle it."""
    item = fix.item
    lines = [f"{fix.subject_label or row_label(item.order_id, item.subject, item.id)}: {fix.label} "
             f"(problem {item.id}, {item.status.value}, tried {item.attempts}x)", "", fix.what_happened, ""]
    if fix.conflicts:
        width = max(len(c.label) for c in fix.conflicts)
        lines.append(f"  {'Field':<{width}}  {'BigCommerce':<40}  FreshBooks")
        for c in fix.conflicts:
            chosen = f"   [chosen: {c.chosen.value}]" if c.chosen is not None else ""
            lines.append(f"  {c.label:<{width}}  {_cell(c.bigcommerce, 40):<40}  {_cell(c.freshbooks, 40)}{chosen}")
        fields = [c.field for c in fix.conflicts]
        lines += ["", "To write BigCommerce's values to FreshBooks:",
                  "  " + _command(item.id, {"choose": {f: ConflictChoice.BIGCOMMERCE.value for f in fields}}),
                  "To keep FreshBooks' values (BigCommerce is not changed):",
                  "  " + _command(item.id, {"choose": {f: ConflictChoice.FRESHBOOKS.value for f in fields}})]
        if len(fields) > 1:
            lines.append("(or mix them, one choice per field)")
        lines += [f"Then {_NEXT_SYNC.replace('writes it', 'writes the choice')}."]
    elif fix.products:
        lines.append(f"Products sharing {fix.shared_sku}:")
        for p in fix.products:
            lines.append(f"  product {p.id}" + (" (the item follows it now)" if p.followed else "")
                         + (" [chosen]" if p.chosen else ""))
        lines += ["", "Best: give each product its own SKU in BigCommerce; the next sync settles this by itself.",
                  "Or make the FreshBooks item follow one of them:",
                  *("  " + _command(item.id, {"follow": p.id}) for p in fix.products),
                  f"Then {_NEXT_SYNC}."]
    else:
        lines.append(fix.what_to_do)
    lines += ["", "Or leave it alone: bigbooks inbox ignore " + str(item.id)]
    return "\n".join(lines)
