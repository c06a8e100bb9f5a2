"""Sync runs, the FreshBooks objects each run created (for "undo a sync run"), and the activity log."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, NewType

from peewee import chunked

from bigbooks_desktop.core.redact import redact
from bigbooks_desktop.core.view_states import RunMode, RunStatus  # one enum each, kept here, shown by the window
from bigbooks_desktop.store import statements
from bigbooks_desktop.store.fields import utc_now
from bigbooks_desktop.store.intents import IntentKind
from bigbooks_desktop.store.rows import ActivityRow, RunObjectRow, SyncRunRow, database_proxy

_LOG = logging.getLogger("bigbooks_desktop.activity")

__all__ = [
    "Activity",
    "ActivityLevel",
    "RunCounts",
    "RunId",
    "RunMode",
    "RunObject",
    "RunStatus",
    "SyncRun",
    "finish_run",
    "get_run",
    "interrupt_stale_runs",
    "list_runs",
    "log_activity",
    "prune_activity",
    "recent_activity",
    "record_run_object",
    "record_run_objects",
    "run_objects",
    "start_run",
    "update_run_counts",
]

RunId = NewType("RunId", int)


class ActivityLevel(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_SYNC_OF_RECORDS = ("catalog_", "customer", "clients_created_from", "clients_updated_from")


@dataclass(frozen=True, slots=True)
class RunCounts:
    orders_seen: int = 0
    orders_synced: int = 0
    orders_skipped: int = 0
    orders_failed: int = 0
    invoices_created: int = 0
    invoices_updated: int = 0
    clients_created: int = 0
    items_created: int = 0
    payments_created: int = 0
    credits_created: int = 0
    # catalog and customer sync (sync/catalog_sync.py, sync/customer_sync.py)
    catalog_products_read: int = 0
    catalog_items_created: int = 0
    catalog_items_updated: int = 0
    catalog_items_archived: int = 0
    catalog_conflicts: int = 0
    customers_read: int = 0
    clients_created_from_customers: int = 0
    clients_updated_from_customers: int = 0
    customer_conflicts: int = 0
    customers_deleted_flagged: int = 0

    def to_json(self) -> dict[str, int]:
        """The order counts always; the catalog and customer counts when not 0 (a run without catalog or customer
        sync reads as before)."""
        return {k: v for k, v in asdict(self).items() if v or not k.startswith(_SYNC_OF_RECORDS)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunCounts:
        """Unknown keys (from a newer app) are dropped; missing ones are 0."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: int(v) for k, v in data.items() if k in known})

    def __add__(self, other: RunCounts) -> RunCounts:
        return RunCounts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


@dataclass(frozen=True, slots=True)
class SyncRun:
    id: RunId
    mode: RunMode
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    counts: RunCounts
    error: str | None
    pid: int | None


@dataclass(frozen=True, slots=True)
class RunObject:
    run_id: RunId
    object_kind: IntentKind
    object_id: int
    order_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Activity:
    id: int
    at: datetime
    level: ActivityLevel
    run_id: int | None
    order_id: int | None
    message: str


# ------------------------------------------------------------------------------------------------ runs


def _run(row: SyncRunRow) -> SyncRun:
    return SyncRun(id=RunId(row.id), mode=RunMode(row.mode), status=RunStatus(row.status),
                   started_at=row.started_at, finished_at=row.finished_at,
                   counts=RunCounts.from_json(row.counts), error=row.error, pid=row.pid)


def start_run(mode: RunMode, *, now: datetime | None = None, pid: int | None = None) -> RunId:
    row = SyncRunRow.create(mode=mode.value, status=RunStatus.RUNNING.value, started_at=now or utc_now(),
                            finished_at=None, counts=RunCounts().to_json(), error=None,
                            pid=os.getpid() if pid is None else pid)
    return RunId(row.id)


def update_run_counts(run_id: RunId, counts: RunCounts) -> None:
    """Progress of a run still going (watch mode shows it live)."""
    SyncRunRow.update(counts=counts.to_json()).where(SyncRunRow.id == run_id).execute()


def finish_run(run_id: RunId, status: RunStatus, counts: RunCounts, *, error: str | None = None,
               now: datetime | None = None) -> SyncRun:
    (SyncRunRow.update(status=status.value, counts=counts.to_json(), finished_at=now or utc_now(),
                       error=None if error is None else redact(error))
     .where(SyncRunRow.id == run_id).execute())
    run = get_run(run_id)
    if run is None:
        raise LookupError(f"sync run {run_id} does not exist")
    return run


def get_run(run_id: RunId) -> SyncRun | None:
    row = SyncRunRow.get_or_none(SyncRunRow.id == run_id)
    return None if row is None else _run(row)


def list_runs(*, mode: RunMode | None = None, limit: int = 50, offset: int = 0) -> list[SyncRun]:
    """Runs newest first."""
    query = SyncRunRow.select()
    if mode is not None:
        query = query.where(SyncRunRow.mode == mode.value)
    return [_run(row) for row in query.order_by(SyncRunRow.id.desc()).limit(limit).offset(offset)]


def interrupt_stale_runs(*, is_alive: Callable[[int], bool], now: datetime | None = None) -> list[RunId]:
    """Mark `running` runs whose process is gone as interrupted. `is_alive(pid)` is the caller's check
    (the store does not probe processes: os.kill(pid, 0) would terminate the process on Windows)."""
    at = now or utc_now()
    stale: list[RunId] = []
    with database_proxy.atomic():
        for row in SyncRunRow.select().where(SyncRunRow.status == RunStatus.RUNNING.value):
            if row.pid is None or not is_alive(row.pid):
                stale.append(RunId(row.id))
        if stale:
            (SyncRunRow.update(status=RunStatus.INTERRUPTED.value, finished_at=at)
             .where(SyncRunRow.id.in_(stale)).execute())
    return stale


# ----------------------------------------------------------------------------------------- run objects


def record_run_object(run_id: RunId, object_kind: IntentKind, object_id: int, *, order_id: int | None = None,
                      now: datetime | None = None) -> None:
    statements.insert(RunObjectRow, {"run": run_id, "object_kind": object_kind.value, "object_id": object_id,
                                     "order_id": order_id, "created_at": now or utc_now()})


def record_run_objects(run_id: RunId, objects: Iterable[tuple[IntentKind, int, int | None]], *,
                       now: datetime | None = None) -> int:
    """Many (kind, FreshBooks id, order id) at once, in one transaction."""
    at = now or utc_now()
    rows = [{"run": run_id, "object_kind": kind.value, "object_id": object_id, "order_id": order_id,
             "created_at": at} for kind, object_id, order_id in objects]
    with database_proxy.atomic():
        for batch in chunked(rows, 200):
            RunObjectRow.insert_many(batch).execute()
    return len(rows)


def run_objects(run_id: RunId) -> list[RunObject]:
    """What the run created, in creation order (undo walks it backwards)."""
    query = RunObjectRow.select().where(RunObjectRow.run == run_id).order_by(RunObjectRow.id)
    return [RunObject(run_id=run_id, object_kind=IntentKind(row.object_kind), object_id=row.object_id,
                      order_id=row.order_id, created_at=row.created_at) for row in query]


# ------------------------------------------------------------------------------------------- activity


def log_activity(message: str, *, level: ActivityLevel = ActivityLevel.INFO, run_id: int | None = None,
                 order_id: int | None = None, now: datetime | None = None) -> None:
    """Append to the activity log (and the log file, core.logfile); the text is redacted first."""
    text = redact(message)
    statements.insert(ActivityRow, {"at": now or utc_now(), "level": level.value, "run_id": run_id,
                                    "order_id": order_id, "message": text})
    _LOG.log(logging.WARNING if level.value in ("warning", "error") else logging.INFO, "%s%s",
             f"run {run_id}: " if run_id is not None else "", text)


def recent_activity(limit: int = 200, *, run_id: int | None = None,
                    order_id: int | None = None) -> list[Activity]:
    """Newest first."""
    query = ActivityRow.select()
    if run_id is not None:
        query = query.where(ActivityRow.run_id == run_id)
    if order_id is not None:
        query = query.where(ActivityRow.order_id == order_id)
    query = query.order_by(ActivityRow.at.desc(), ActivityRow.id.desc()).limit(limit)
    return [Activity(id=row.id, at=row.at, level=ActivityLevel(row.level), run_id=row.run_id,
                     order_id=row.order_id, message=row.message) for row in query]


def prune_activity(older_than: datetime) -> int:
    """Drop log lines older than `older_than`; returns how many."""
    return int(ActivityRow.delete().where(ActivityRow.at < older_than).execute())
