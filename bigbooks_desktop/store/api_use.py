"""The BigCommerce API budget each sync run used, window by window, kept with the run (the dashboard shows it).

Stored in the run's row beside its counts (`sync_run.counts["api_budget"]`, a JSON list of
[ends_at, window_ms, quota, used, ours]): no table of its own,
and `RunCounts.from_json` ignores the key. Written once, after the run finished (`finish_run` rewrites counts).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bigbooks_desktop.store.rows import SyncRunRow

__all__ = ["API_BUDGET_KEY", "ApiWindow", "api_windows", "record_api_windows"]

API_BUDGET_KEY = "api_budget"
_KEEP = 500          # windows kept per run (the newest): a 10,000-order run spans a few hundred


@dataclass(frozen=True, slots=True)
class ApiWindow:
    """One rate-limit window of a run: `used` of `quota` requests (as BigCommerce counted them, other apps
    included), `ours` of them this run's; it ended at `ends_at`."""

    run_id: int
    ends_at: datetime
    window_seconds: float
    quota: int
    used: int
    ours: int


def record_api_windows(run_id: int, windows: Sequence[ApiWindow]) -> None:
    """Keep the run's windows (the newest `_KEEP`); nothing happens for a run that does not exist."""
    row = SyncRunRow.get_or_none(SyncRunRow.id == run_id)
    if row is None or not windows:
        return
    counts = dict(row.counts)
    counts[API_BUDGET_KEY] = [[w.ends_at.isoformat(), round(w.window_seconds * 1000), w.quota, w.used, w.ours]
                              for w in list(windows)[-_KEEP:]]
    SyncRunRow.update(counts=counts).where(SyncRunRow.id == run_id).execute()


def _window(run_id: int, data: Any) -> ApiWindow | None:
    try:
        ends, window_ms, quota, used, ours = data
        return ApiWindow(run_id=run_id, ends_at=datetime.fromisoformat(str(ends)),
                         window_seconds=int(window_ms) / 1000,
                         quota=int(quota), used=int(used), ours=int(ours))
    except (TypeError, ValueError):       # written by another version: left out, never an error
        return None


def api_windows(*, since: datetime | None = None, runs: int = 50) -> list[ApiWindow]:
    """The windows of the newest `runs` runs (ending after `since`), oldest first."""
    query = SyncRunRow.select(SyncRunRow.id, SyncRunRow.counts).order_by(SyncRunRow.id.desc()).limit(runs)
    found: list[ApiWindow] = []
    for row in query:
        entries: Iterable[Any] = row.counts.get(API_BUDGET_KEY) or []
        for data in entries:
            window = _window(int(row.id), data)
            if window is not None and (since is None or window.ends_at >= since):
                found.append(window)
    return sorted(found, key=lambda w: (w.ends_at, w.run_id))
