"""`bigbooks gui` (and `bigbooks` with no verb): open the desktop app on the real profile, one window per profile
(a second launch brings the first window to the front)."""

from __future__ import annotations

import os
import sys

from bigbooks_desktop.commands import Subparsers

__all__ = ["default_entry", "register"]


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "gui", help="open the desktop app (the default with no command)",
        description="Open the BigBooks window on this profile (BIGBOOKS_HOME selects another). If the profile's "
                    "window is already open, it is brought to the front instead. With QT_QPA_PLATFORM=offscreen "
                    "the window runs without a display (tests, screenshots).")
    parser.set_defaults(handler=lambda _args: default_entry(explicit=True))


def default_entry(*, explicit: bool = False) -> int:
    """Open the window. `bigbooks` alone on a machine with no display prints what to do instead; `bigbooks gui`
    asked for by name also runs on Qt's offscreen platform when that is chosen."""
    from bigbooks_desktop.commands.demo import has_display

    offscreen = explicit and os.environ.get("QT_QPA_PLATFORM", "") == "offscreen"
    if not has_display() and not offscreen:
        print("No display found, so the window cannot open. Headless, use the commands instead, e.g.\n"
              "  bigbooks status | bigbooks sync --once | bigbooks inbox list\n"
              "or try everything on the built-in sandbox store with `bigbooks demo`.", file=sys.stderr)
        return 2
    from bigbooks_desktop.gui.app import run_gui

    return run_gui()
