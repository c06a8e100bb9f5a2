"""Run history as views: each run with the orders it created, and the counts of a run that stopped before
saving them rebuilt from the FreshBooks objects it recorded creating (store.runs.run_objects)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from bigbooks_desktop.core import views as v
from bigbooks_desktop.service.convert import counts_view
from bigbooks_desktop.store.intents import IntentKind
from bigbooks_desktop.store.rows import RunObjectRow
from bigbooks_desktop.store.runs import RunStatus, SyncRun, list_runs

__all__ = ["run_views"]

# The counter each kind of recorded object adds to.
_COUNTED: dict[IntentKind, str] = {
    IntentKind.INVOICE: "invoices_created",
    IntentKind.CLIENT: "clients_created",
    IntentKind.ITEM: "items_created",
    IntentKind.PAYMENT: "payments_created",
    IntentKind.CREDIT: "credits_created",
    IntentKind.UPDATE: "invoices_updated",
}
# Runs whose stored counts may lag what they did: still going (another process), or stopped mid-run. A
# finished or failed run saved its counts when it ended.
_UNSAVED = frozenset({RunStatus.RUNNING, RunStatus.INTERRUPTED})


@dataclass
class _Created:
    kinds: Counter[str] = field(default_factory=Counter)
    orders: set[int] = field(default_factory=set)             # orders with any object
    invoiced_orders: set[int] = field(default_factory=set)    # orders whose invoice the run created


def _created_by(run_ids: Sequence[int]) -> dict[int, _Created]:
    """What each run recorded creating, in one query reading three columns (a 10,000-order run is ~30,000
    rows; building row objects for them would take the GUI thread ~0.4 s)."""
    created: dict[int, _Created] = {run_id: _Created() for run_id in run_ids}
    if not run_ids:
        return created
    query = (RunObjectRow.select(RunObjectRow.run, RunObjectRow.object_kind, RunObjectRow.order_id)
             .where(RunObjectRow.run.in_(list(run_ids))).tuples())
    # .tuples() yields plain tuples; the peewee stubs type every query's rows as model instances
    rows = cast("Iterable[tuple[int, str, int | None]]", query)
    for run_id, kind, order_id in rows:
        bucket = created[int(run_id)]
        bucket.kinds[str(kind)] += 1
        if order_id is not None:
            bucket.orders.add(int(order_id))
            if kind == IntentKind.INVOICE.value:
                bucket.invoiced_orders.add(int(order_id))
    return created


def _counts(run: SyncRun, created: _Created) -> tuple[v.CountsView, bool]:
    """The stored counts; for a run that did not save them, at least what its recorded objects show."""
    stored = run.counts.to_json()
    if run.status not in _UNSAVED:
        return counts_view(stored), False
    rebuilt = dict(stored)
    for kind, counter in _COUNTED.items():
        rebuilt[counter] = max(rebuilt.get(counter, 0), created.kinds.get(kind.value, 0))
    rebuilt["orders_synced"] = max(rebuilt.get("orders_synced", 0), len(created.orders))
    return counts_view(rebuilt), rebuilt != stored


def _run_view(run: SyncRun, created: _Created) -> v.RunView:
    counts, rebuilt = _counts(run, created)
    return v.RunView(id=int(run.id), mode=v.RunMode(run.mode.value), status=v.RunStatus(run.status.value),
                     started_at=run.started_at, finished_at=run.finished_at, counts=counts, error=run.error,
                     orders_created=tuple(sorted(created.invoiced_orders)), counts_rebuilt=rebuilt)


def run_views(*, limit: int) -> list[v.RunView]:
    """The newest `limit` runs, newest first."""
    runs = list_runs(limit=limit)
    created = _created_by([int(r.id) for r in runs])
    return [_run_view(r, created[int(r.id)]) for r in runs]

