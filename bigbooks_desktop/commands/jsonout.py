"""The command line's JSON output: every `--json` goes through `print_json`, written by the views' one encoder
(`core.view_json`, shared with the diagnostics export)."""

from __future__ import annotations

import sys

from bigbooks_desktop.core.view_json import Plain, dumps, to_plain

__all__ = ["Plain", "dumps", "print_json", "to_plain"]


def print_json(value: object, *, indent: int | None = 2) -> None:
    sys.stdout.write(dumps(value, indent=indent) + "\n")
