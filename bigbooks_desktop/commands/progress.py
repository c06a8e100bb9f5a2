"""Sync progress on stderr for the headless verbs: one rewritten line on a terminal, a line per 10 % otherwise."""

from __future__ import annotations

import sys
import time

from bigbooks_desktop.core.views import SyncProgressView, SyncStage

__all__ = ["ProgressPrinter"]


class ProgressPrinter:
    """Call it with each `SyncProgressView`; call `finish()` at the end (returns the seconds taken)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.tty = sys.stderr.isatty()
        self.last_decile = -1
        self.started = time.monotonic()

    def __call__(self, progress: SyncProgressView) -> None:
        done, total = progress.done, progress.total
        if progress.stage is SyncStage.WAITING:    # another process holds the profile (sync.profile_lock)
            print(f"  {self.label}: {progress.message}", file=sys.stderr, flush=True)
            return
        if not total:
            return
        what = progress.result.value if progress.result is not None else progress.stage.value
        text = f"  {self.label}: {done}/{total} orders ({what})"
        if self.tty:
            print("\r" + text.ljust(70), end="", file=sys.stderr, flush=True)
            return
        decile = done * 10 // total
        if decile != self.last_decile:
            self.last_decile = decile
            print(text, file=sys.stderr, flush=True)

    def finish(self) -> float:
        if self.tty:
            print(file=sys.stderr)
        return time.monotonic() - self.started
