"""`bigbooks mapping`: stored mapping profiles from the command line: list, history, export, import, validate,
preview, activate, restore (the window's mapping screen works on the same stored versions)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bigbooks_desktop.commands import Subparsers
from bigbooks_desktop.commands.jsonout import print_json
from bigbooks_desktop.commands.service_runner import EXIT_FAILED, run_with_service
from bigbooks_desktop.core import profile_views as pv

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["register"]


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("mapping", help="mapping profiles: list, export, import, validate, preview, "
                                                   "activate, history, restore")
    verbs = parser.add_subparsers(dest="mapping_command", metavar="ACTION", required=True)

    listing = verbs.add_parser("list", help="the stored profiles and the version in use")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    export = verbs.add_parser("export", help="write a profile version as JSON")
    export.add_argument("name", metavar="NAME")
    export.add_argument("file", metavar="FILE", help="where to write it; - for standard output")
    export.add_argument("--version", type=int, help="which version (default: the newest)")
    export.set_defaults(handler=_export)

    imported = verbs.add_parser("import", help="store a profile file as a new version of the name inside it")
    imported.add_argument("file", metavar="FILE", help="a profile JSON file; - for standard input")
    imported.add_argument("--activate", action="store_true", help="put it in use at once")
    imported.add_argument("--note", default="", help="why (kept in the history)")
    imported.add_argument("--json", action="store_true")
    imported.set_defaults(handler=_import)

    validate = verbs.add_parser("validate", help="check a profile file without storing it (exit 1 on errors)")
    validate.add_argument("file", metavar="FILE")
    validate.add_argument("--json", action="store_true")
    validate.set_defaults(handler=_validate)

    preview = verbs.add_parser("preview", help="the invoices a profile file would make for the last orders")
    preview.add_argument("file", metavar="FILE")
    preview.add_argument("--orders", type=int, default=10, metavar="N", help="how many of the last orders")
    preview.add_argument("--json", action="store_true")
    preview.set_defaults(handler=_preview)

    activate = verbs.add_parser("activate", help="put a stored version in use")
    activate.add_argument("name", metavar="NAME")
    activate.add_argument("--version", type=int, help="which version (default: the newest)")
    activate.add_argument("--json", action="store_true")
    activate.set_defaults(handler=_activate)

    history = verbs.add_parser("history", help="the stored versions, and what was put in use when")
    history.add_argument("name", metavar="NAME", nargs="?")
    history.add_argument("--json", action="store_true")
    history.set_defaults(handler=_history)

    restore = verbs.add_parser("restore", help="bring an older version back as a new version, in use")
    restore.add_argument("name", metavar="NAME")
    restore.add_argument("version", metavar="VERSION", type=int)
    restore.add_argument("--json", action="store_true")
    restore.set_defaults(handler=_restore)

    templates = verbs.add_parser("templates", help="the templates a new profile can start from")
    templates.add_argument("--json", action="store_true")
    templates.set_defaults(handler=_templates)

    fields = verbs.add_parser("fields", help="the order fields a mapping or rule can read, and the FreshBooks "
                                             "fields it can write")
    fields.add_argument("--json", action="store_true")
    fields.set_defaults(handler=_fields)

    new = verbs.add_parser("new", help="write a new profile made from a template to a file (then edit and import)")
    new.add_argument("template", metavar="TEMPLATE", help="see `bigbooks mapping templates`")
    new.add_argument("file", metavar="FILE", help="where to write it; - for standard output")
    new.set_defaults(handler=_new)


def _read(file: str) -> str | None:
    """The file's text (`-`: standard input), or None after saying why it cannot be read."""
    if file == "-":
        return sys.stdin.read()
    path = Path(file)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        print(f"error: {file}: no such file.", file=sys.stderr)
    except IsADirectoryError:
        print(f"error: {file} is a folder; give a profile JSON file.", file=sys.stderr)
    except UnicodeDecodeError:
        print(f"error: {file} is not a text file; give a profile JSON file.", file=sys.stderr)
    except OSError as exc:
        print(f"error: {file} cannot be read ({exc.strerror}).", file=sys.stderr)
    return None


def _when(moment: object) -> str:
    from datetime import datetime

    return f"{moment.astimezone():%Y-%m-%d %H:%M %Z}" if isinstance(moment, datetime) else ""


def _issue_lines(issues: tuple[pv.ProfileIssueView, ...]) -> list[str]:
    return [f"{issue.severity.value}: {issue.place}: {issue.message}" for issue in issues]


def _saved(view: pv.ProfileVersionView, *, what: str) -> None:
    if view.created:
        print(f"{what} “{view.name}” as version {view.version}.")
    else:
        print(f"“{view.name}” version {view.version} is the same profile: nothing new stored.")
    if view.active:
        print(f"“{view.name}” version {view.version} is in use: the next sync uses it.")
    if view.warnings:
        print(f"{len(view.warnings)} warning(s): `bigbooks mapping validate FILE` lists them.")


def _list(args: argparse.Namespace) -> int:
    async def body(service: BigBooksService) -> int:
        summaries = await service.profiles()
        active = await service.active_profile()
        if args.json:
            print_json({"active": {"name": active.name, "version": active.version}, "profiles": summaries})
            return 0
        if active.version is None:
            print(f"In use: the built-in “{active.name}” (not stored yet; `bigbooks mapping export` writes it "
                  "out, `bigbooks mapping import` stores an edited copy).")
        for s in summaries:
            mark = f"v{s.active_version} in use" if s.active_version is not None else "not in use"
            print(f"{'*' if s.active_version is not None else ' '} {s.name}  newest v{s.latest_version}, "
                  f"{s.versions} version(s), {mark}, saved {_when(s.updated_at)}")
        return 0

    return run_with_service(body)


def _export(args: argparse.Namespace) -> int:
    exported: list[str] = []

    async def body(service: BigBooksService) -> int:
        exported.append(await service.export_profile(args.name, args.version))
        return 0

    code = run_with_service(body)
    if code != 0:
        return code
    which = f"version {args.version}" if args.version is not None else "its newest version"
    return _write(args.file, exported[0], done=f"Wrote “{args.name}” ({which}) to {args.file}.")


def _templates(args: argparse.Namespace) -> int:
    async def body(service: BigBooksService) -> int:
        found = service.profile_templates()
        if args.json:
            print_json(found)
            return 0
        for template in found:
            print(f"{template.key}: {template.label}. {template.description}")
        return 0

    return run_with_service(body)


def _fields(args: argparse.Namespace) -> int:
    async def body(service: BigBooksService) -> int:
        found = service.mapping_fields()
        if args.json:
            print_json(found)
            return 0
        for side, title in (("source", "Order fields a mapping or rule reads"),
                            ("target", "FreshBooks fields a mapping writes")):
            print(f"{title}:")
            for f in (f for f in found if f.side == side):
                extra = f"  e.g. {f.sample}" if f.sample else ""
                extra += "  (required)" if f.required else ""
                print(f"  {f.path:<36} {f.type:<9} {f.label}{extra}")
        return 0

    return run_with_service(body)


def _new(args: argparse.Namespace) -> int:
    made: list[str] = []

    async def body(service: BigBooksService) -> int:
        made.append(service.template_profile(args.template))
        return 0

    code = run_with_service(body)
    if code != 0:
        return code
    return _write(args.file, made[0], done=f"Wrote a new profile from the “{args.template}” template to "
                  f"{args.file}. Edit it, check it with `bigbooks mapping validate`, then `bigbooks mapping "
                  "import FILE --activate`.")


def _write(file: str, text: str, *, done: str) -> int:
    text = text if text.endswith("\n") else text + "\n"
    if file == "-":
        sys.stdout.write(text)
        return 0
    try:
        Path(file).write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"error: {file} cannot be written ({exc.strerror}).", file=sys.stderr)
        return EXIT_FAILED
    print(done, file=sys.stderr)
    return 0


def _import(args: argparse.Namespace) -> int:
    text = _read(args.file)
    if text is None:
        return EXIT_FAILED

    async def body(service: BigBooksService) -> int:
        view = await service.import_profile(text, note=args.note, activate=args.activate)
        if args.json:
            print_json(view)
        else:
            _saved(view, what="Imported")
        return 0

    return run_with_service(body)


def _validate(args: argparse.Namespace) -> int:
    text = _read(args.file)
    if text is None:
        return EXIT_FAILED

    async def body(service: BigBooksService) -> int:
        check = await service.check_profile(text)
        if args.json:
            print_json(check)
        else:
            for line in _issue_lines(check.errors + check.warnings):
                print(line)
            named = f" “{check.name}”" if check.name else ""
            print(f"{args.file}{named}: valid" if check.valid else
                  f"{args.file}{named}: {len(check.errors)} error(s); not valid")
        return 0 if check.valid else EXIT_FAILED

    return run_with_service(body)


def _print_order(order: pv.PreviewOrderView) -> None:
    head = f"Order {order.order_id}  {_when(order.order_date)}  {order.status}  {order.order_total} {order.currency}"
    if order.outcome is pv.PreviewOutcome.SKIPPED:
        print(f"{head}\n    skipped: {order.reason}")
        return
    email = f" <{order.client_email}>" if order.client_email else ""
    number = order.invoice_number or "(no invoice)"
    print(f"{head}\n    invoice {number} to {order.client}{email}")
    for line in order.lines:
        taxes = ", ".join(f"{t.name} {t.rate}%" for t in line.taxes)
        detail = " / ".join(part for part in line.description.splitlines() if part.strip())
        print(f"    {line.quantity} x {line.name}: {line.amount}" + (f"  [{taxes}]" if taxes else "")
              + (f"  ({detail})" if detail else ""))
    if order.total is not None:
        print(f"    tax {order.tax}, total {order.total} {order.currency}")
    for error in order.errors:
        print(f"    error in {error.field}: {error.message}")


def _preview(args: argparse.Namespace) -> int:
    text = _read(args.file)
    if text is None:
        return EXIT_FAILED

    async def body(service: BigBooksService) -> int:
        preview = await service.preview_profile(service.profile_from_text(text), orders=args.orders)
        if args.json:
            print_json(preview)
            return 0
        for line in _issue_lines(preview.issues):
            print(line)
        print(f"“{preview.name}” on the last {len(preview.orders)} order(s); nothing is written.")
        for order in preview.orders:
            _print_order(order)
        for total in preview.totals:
            print(f"Total {total.currency}: {total.invoices} invoice(s), tax {total.tax}, total {total.total}")
        errors = sum(1 for order in preview.orders if order.outcome is pv.PreviewOutcome.ERROR)
        if errors:
            print(f"{errors} order(s) would wait in the inbox (see their errors above).")
        return 0

    return run_with_service(body)


def _activate(args: argparse.Namespace) -> int:
    async def body(service: BigBooksService) -> int:
        view = await service.activate_profile(args.name, args.version, created_by=pv.ProfileAuthor.CLI)
        if args.json:
            print_json(view)
        else:
            print(f"“{view.name}” version {view.version} is in use: the next sync uses it.")
        return 0

    return run_with_service(body)


def _history(args: argparse.Namespace) -> int:
    async def body(service: BigBooksService) -> int:
        versions = await service.profile_history(args.name)
        activations = tuple(a for a in await service.profile_activations()
                            if args.name is None or a.name == args.name)
        if args.json:
            print_json({"versions": versions, "activations": activations})
            return 0
        if not versions:
            print("No mapping profile stored yet: the built-in one is in use.")
        for v in versions:
            note = f"  {v.note}" if v.note else ""
            print(f"{'*' if v.active else ' '} {v.name} v{v.version}  {_when(v.created_at)}  "
                  f"by {v.created_by.value}{note}")
        if activations:
            print("Put in use:")
        for a in activations:
            note = f"  {a.note}" if a.note else ""
            print(f"  {_when(a.at)}  {a.name} v{a.version}  by {a.created_by.value}{note}")
        return 0

    return run_with_service(body)


def _restore(args: argparse.Namespace) -> int:
    async def body(service: BigBooksService) -> int:
        view = await service.restore_profile(args.name, args.version, created_by=pv.ProfileAuthor.CLI)
        if args.json:
            print_json(view)
        else:
            print(f"Restored “{view.name}” version {args.version} as version {view.version}; it is in use.")
        return 0

    return run_with_service(body)
