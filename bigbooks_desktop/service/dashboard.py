"""The dashboard's figures through the facade: today, this week and this month (local time), syncs and failures
per day, the BigCommerce API budget per rate-limit window, the next sync, the activity log and the last run in
words. `BigBooksService` takes these from the `Dashboard` mixin. Qt-free; read off the loop.

What counts: sync runs only (dry runs and undos are left out). Orders synced and failed are the runs' own
counts; the amount invoiced is that of the invoices the runs created that are still the orders' live invoices
(undone ones drop out), in FreshBooks' figures, per currency.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING

from bigbooks_desktop.core import dashboard_views as d
from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.run_words import run_sentence
from bigbooks_desktop.service.run_history import run_views
from bigbooks_desktop.store import error_queue
from bigbooks_desktop.store.api_use import api_windows
from bigbooks_desktop.store.dashboard_figures import CreatedInvoice, invoices_created_since, runs_started_since
from bigbooks_desktop.store.db import current_database
from bigbooks_desktop.store.entity_state import (
    EntityKind,
    EntityStatus,
    count_customer_links_without_state,
    count_states,
)
from bigbooks_desktop.store.runs import RunMode, RunStatus, SyncRun, recent_activity

if TYPE_CHECKING:
    from bigbooks_desktop.mapping.profile import MappingProfile
    from bigbooks_desktop.service.coordination import SyncStatusView

__all__ = ["Dashboard", "dashboard_view"]

_NOT_SYNCS = frozenset({RunMode.DRY_RUN, RunMode.UNDO})
_NOT_SYNC_VIEWS = frozenset({v.RunMode.DRY_RUN, v.RunMode.UNDO})
_RATE = Decimal("0.0001")


def _midnight(day: date, zone: tzinfo | None) -> datetime:
    """The moment `day` begins in `zone` (None: this computer's zone, daylight saving included)."""
    if zone is None:
        return datetime.combine(day, time.min).astimezone()
    return datetime.combine(day, time.min, tzinfo=zone)


def _figures(period: d.Period, start: datetime, runs: Sequence[SyncRun],
             invoices: Sequence[CreatedInvoice]) -> d.PeriodFiguresView:
    chosen = [r for r in runs if r.started_at >= start]
    synced = sum(r.counts.orders_synced for r in chosen)
    failed = sum(r.counts.orders_failed for r in chosen)
    invoiced: dict[str, Decimal] = defaultdict(Decimal)
    created = [i for i in invoices if i.created_at >= start]
    for invoice in created:
        invoiced[invoice.currency] += invoice.amount
    rate = (Decimal(synced) / Decimal(synced + failed)).quantize(_RATE) if synced + failed else None
    return d.PeriodFiguresView(period=period, starts_at=start, runs=len(chosen), orders_synced=synced,
                               orders_failed=failed, invoices_created=len(created),
                               invoiced=dict(sorted(invoiced.items())), success_rate=rate)


def _days(first: date, last: date, runs: Sequence[SyncRun], zone: tzinfo | None) -> tuple[d.DayPointView, ...]:
    buckets: dict[date, list[SyncRun]] = defaultdict(list)
    for run in runs:
        buckets[run.started_at.astimezone(zone).date()].append(run)
    points = []
    day = first
    while day <= last:
        chosen = buckets.get(day, [])
        points.append(d.DayPointView(day=day, runs=len(chosen),
                                     failed_runs=sum(1 for r in chosen if r.status is RunStatus.FAILED),
                                     orders_synced=sum(r.counts.orders_synced for r in chosen),
                                     orders_failed=sum(r.counts.orders_failed for r in chosen)))
        day += timedelta(days=1)
    return tuple(points)


def _budget() -> d.ApiBudgetView:
    windows = api_windows(runs=20)
    if not windows:
        return d.ApiBudgetView()
    newest = max(w.run_id for w in windows)
    return d.ApiBudgetView(run_id=newest, windows=tuple(
        d.ApiWindowView(run_id=w.run_id, ends_at=w.ends_at, window_seconds=w.window_seconds, quota=w.quota,
                        used=w.used, ours=w.ours) for w in windows if w.run_id == newest))


def _activity(limit: int) -> tuple[d.ActivityView, ...]:
    return tuple(d.ActivityView(id=a.id, at=a.at, level=d.ActivityLevel(a.level.value), run_id=a.run_id,
                                order_id=a.order_id, message=a.message) for a in recent_activity(limit))


def last_run_words(run: v.RunView | None, inbox_active: int, inbox_records: int = 0) -> str:
    """The newest sync run in one sentence (core.run_words, as the window says it); `inbox_records` of the
    `inbox_active` rows are items or clients."""
    if run is None:
        return "No sync has run yet. Press Sync now to copy your orders to FreshBooks."
    return run_sentence(status=run.status, counts=run.counts, inbox_active=inbox_active, problem=run.error,
                        inbox_records=inbox_records)


def _with_live_counts(run: v.RunView | None, status: SyncStatusView | None) -> v.RunView | None:
    """The newest run with the counts its summary had when this process ran it: the stored history keeps the
    order counters only, the summary also catalog and customer sync's (`CountsView.extra`)."""
    summary = status.last_summary if status is not None else None
    if run is None or summary is None or summary.run_id != run.id:
        return run
    return replace(run, counts=summary.counts)


def kept_in_step(*, catalog_on: bool, customers_on: bool) -> d.KeptInStepView:
    """The items and clients catalog and customer sync keep in step, by state (store.entity_state). With customer
    sync on, the clients of customers who ordered follow their account before it first changes (no baseline
    yet): they count too."""
    items, clients = count_states(EntityKind.ITEM), count_states(EntityKind.CLIENT)
    waiting = count_customer_links_without_state() if customers_on else 0
    return d.KeptInStepView(catalog_on=catalog_on, customers_on=customers_on,
                            items_in_step=items[EntityStatus.ACTIVE], items_archived=items[EntityStatus.ARCHIVED],
                            clients_in_step=clients[EntityStatus.ACTIVE] + waiting,
                            clients_flagged=clients[EntityStatus.SOURCE_DELETED])


def dashboard_view(*, now: datetime, zone: tzinfo | None, days: int, activity: int,
                   status: SyncStatusView | None, profile: MappingProfile | None = None) -> d.DashboardView:
    """The dashboard as the store has it (needs the database open on this thread)."""
    local_now = now.astimezone(zone)
    today = local_now.date()
    starts = {d.Period.TODAY: _midnight(today, zone),
              d.Period.WEEK: _midnight(today - timedelta(days=today.weekday()), zone),
              d.Period.MONTH: _midnight(today.replace(day=1), zone)}
    first_day = today - timedelta(days=max(1, days) - 1)
    earliest = min(starts[d.Period.MONTH], _midnight(first_day, zone))
    runs = [r for r in runs_started_since(earliest) if r.mode not in _NOT_SYNCS]
    invoices = invoices_created_since(earliest)
    recent = [r for r in run_views(limit=20) if r.mode not in _NOT_SYNC_VIEWS]
    last = recent[0] if recent else None
    inbox = error_queue.count_errors(status=error_queue.ACTIVE_STATUSES)
    records = error_queue.count_subject_errors() if inbox else 0
    return d.DashboardView(
        generated_at=local_now, zone_name=local_now.tzname() or local_now.strftime("%z"),
        periods=tuple(_figures(p, start, runs, invoices) for p, start in starts.items()),
        days=_days(first_day, today, runs, zone), api_budget=_budget(), activity=_activity(activity),
        last_run=last, last_run_text=last_run_words(_with_live_counts(last, status), inbox, records),
        inbox_active=inbox,
        next_sync_at=status.next_run_at if status is not None else None,
        auto_sync_seconds=status.auto_sync_seconds if status is not None else None,
        kept_in_step=kept_in_step(catalog_on=profile is not None and profile.catalog_sync,
                                  customers_on=profile is not None and profile.customer_sync != "off"))


class Dashboard:
    """Mixin of `BigBooksService`: the dashboard's data. See the module docstring."""

    if TYPE_CHECKING:  # provided by BigBooksService (SyncCoordination, Settings)
        def sync_status(self) -> SyncStatusView:
            raise NotImplementedError

        @property
        def profile(self) -> MappingProfile:
            raise NotImplementedError

    async def dashboard(self, *, now: datetime | None = None, zone: tzinfo | None = None, days: int = 30,
                        activity: int = 50) -> d.DashboardView:
        """Figures for today, this week and this month in `zone` (None: this computer's), the last `days` days
        for the chart, the API budget of the newest run, the newest `activity` log lines, the last run in
        words and the next sync. Read on a worker thread with its own connection (the loop only awaits)."""
        moment = now or datetime.now().astimezone()
        status = self.sync_status()
        profile = self.profile

        def read() -> d.DashboardView:
            try:
                return dashboard_view(now=moment, zone=zone, days=days, activity=activity, status=status,
                                      profile=profile)
            finally:
                current_database().close()        # this worker thread's connection (peewee: one per thread)

        return await asyncio.to_thread(read)

    async def activity_log(self, *, limit: int = 200) -> list[d.ActivityView]:
        """The activity log, newest first."""

        def read() -> list[d.ActivityView]:
            try:
                return list(_activity(limit))
            finally:
                current_database().close()

        return await asyncio.to_thread(read)
