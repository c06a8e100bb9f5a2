"""The `bigbooks` command line: argument parsing and dispatch to `bigbooks_desktop.commands.*`.

Each command module owns one verb and exposes `register(subparsers)`; its handler takes the parsed
arguments and returns an exit code. Heavy imports (Qt, httpx, the sandbox) happen inside handlers, so
`bigbooks --help` stays fast and the headless commands never load Qt.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bigbooks_desktop import APP_NAME, __version__

__all__ = ["build_parser", "main"]

# Order here is the order in `bigbooks --help`.
COMMAND_MODULES = (
    "demo",
    "sandbox",
    "connect",
    "status",
    "sync",
    "inbox",
    "runs",
    "undo",
    "reconcile",
    "mapping",
    "gui",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bigbooks",
        description=f"{APP_NAME}: every paid BigCommerce order becomes exactly one correct FreshBooks invoice.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--self-test", action="store_true", help="check that this installation works (a sync "
                        "against a built-in sandbox, offscreen, in a temporary folder) and exit; "
                        "`--self-test --help` for its options")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"bigbooks_desktop.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bigbooks_desktop.commands.{name}":
                continue  # verb not built yet
            raise
        module.register(subparsers)
    return parser


def _start_log_file() -> None:
    """The rotating, redacted log file (core.logfile) at the preference's level; a data folder that cannot be
    written is reported by the verb that needs it, not here."""
    from bigbooks_desktop.core.logfile import configure_logging
    from bigbooks_desktop.core.preferences import read_preferences

    try:
        configure_logging(read_preferences().preferences.log_level)
    except OSError:
        pass


def _set_damaged_preferences_aside() -> None:
    """A damaged preferences file is kept aside as `<name>.damaged-<time>` and the defaults used; said once."""
    from bigbooks_desktop.core.preferences import set_damaged_preferences_aside

    try:
        problem = set_damaged_preferences_aside()
    except OSError:
        return                 # a data folder that cannot be written is reported by the verb that needs it
    if problem is not None:
        print(f"note: {problem}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] in (["--self-test"], ["--startup-time"]):     # before the log file: the test has its own folder
        if given[0] == "--self-test":
            from bigbooks_desktop.commands import self_test

            return self_test.main(given[1:])
        from bigbooks_desktop.gui.self_test import startup_time_main

        return startup_time_main(given[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "command", None) not in (None, "gui"):   # the window says it in a message box instead
        _set_damaged_preferences_aside()
    _start_log_file()
    handler = getattr(args, "handler", None)
    if handler is None:
        # No verb: open the app (or the headless demo when there is no display).
        gui = importlib.import_module("bigbooks_desktop.commands.gui")
        return int(gui.default_entry())
    try:
        return int(handler(args))
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:
        from bigbooks_desktop.commands.service_runner import EXIT_CONFIG, damaged_database

        damaged = damaged_database(exc)      # a damaged page met by a query outside run_with_service
        if damaged is None:
            raise
        print(f"error: {damaged}", file=sys.stderr)
        return EXIT_CONFIG
