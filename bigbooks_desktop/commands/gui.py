"""`bigbooks gui` (and `bigbooks` with no verb): open the desktop app on the real profile."""

from __future__ import annotations

import sys

from bigbooks_desktop.commands import Subparsers

__all__ = ["default_entry", "register"]


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("gui", help="open the desktop app (the default with no command)")
    parser.set_defaults(handler=lambda _args: default_entry())


def default_entry() -> int:
    from bigbooks_desktop.commands.demo import has_display

    if not has_display():
        print("No display found, so the window cannot open. Headless, use the commands instead, e.g.\n"
              "  bigbooks status | bigbooks sync --once | bigbooks inbox list\n"
              "or try everything on the built-in sandbox store with `bigbooks demo`.", file=sys.stderr)
        return 2
    from bigbooks_desktop.gui.app import run_gui

    return run_gui()


