"""The GUI thread's garbage collection during a big sync (gui/garbage.py): no full collection while a sync runs,
what survives frozen out of later walks, and the one full collection that frees it put off until quiet."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Any

from bigbooks_desktop.gui.garbage import MainThreadGarbageCollector


@dataclass
class _Status:
    busy: bool


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def _churn(collector: MainThreadGarbageCollector, keep: list[Any], rounds: int = 60) -> None:
    """What a sync's worker does to the heap: cyclic garbage and some data that lives on, between ticks."""
    for _ in range(rounds):
        for _ in range(1_000):
            _Cycle()
        keep.append([_Cycle() for _ in range(50)])
        collector.check()


def test_a_sync_never_triggers_a_full_collection_and_the_thaw_waits_for_quiet(qapp: Any) -> None:
    status = _Status(busy=False)
    collector = MainThreadGarbageCollector(sync_status=lambda: status, thaw_after_objects=1_000,   # type: ignore[arg-type, return-value]
                                           thaw_when_quiet_s=0.0)
    keep: list[Any] = []
    try:
        collector.freeze_startup()
        frozen_at_start = gc.get_freeze_count()
        full_before = gc.get_stats()[2]["collections"]
        young_before = gc.get_stats()[1]["collections"]
        status.busy = True
        _churn(collector, keep)
        assert gc.get_stats()[2]["collections"] == full_before          # no full collection during the sync
        assert gc.get_stats()[1]["collections"] > young_before          # but the young ones ran
        assert gc.get_freeze_count() > frozen_at_start + 2_000          # the sync's live data, frozen
        assert collector.thawed == 0

        status.busy = False
        keep.clear()                                                    # the sync's data is let go
        collector.check()                                               # quiet since now (0 s wanted here)
        collector.check()
        assert collector.thawed == 1
        assert gc.get_stats()[2]["collections"] == full_before + 1      # the one full collection, after
    finally:
        collector.stop()
        gc.disable()            # the session's own collector (tests/gui/conftest.py) keeps collection here
