"""The service's sync coordinator: one per service (profile) for Sync now, cancel, auto-sync and its events,
answered as a typed `SyncStatusView`; and a cheap stamp that changes when another process changes the profile.

`BigBooksService` takes these methods from the `SyncCoordination` mixin. The coordinator itself
(`sync.coordinator.SyncCoordinator`) runs each sync on a worker thread and holds the profile's lock across
processes; this module turns its status into views, builds each run's engine from the service's sign-ins and
preferences, and names the process to others ("the BigBooks window", "bigbooks sync --watch").
Qt-free: the window subscribes with a plain callback, called on the loop the coordinator was made on.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from bigbooks_desktop import accounts
from bigbooks_desktop.core import paths
from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.preferences import load_preferences
from bigbooks_desktop.service import convert
from bigbooks_desktop.service.run_history import run_views
from bigbooks_desktop.store import error_queue
from bigbooks_desktop.store.db import current_database
from bigbooks_desktop.store.runs import RunMode
from bigbooks_desktop.sync.context import SyncProgress
from bigbooks_desktop.sync.coordinator import MIN_INTERVAL, CoordinatorState, CoordinatorStatus, SyncCoordinator
from bigbooks_desktop.sync.engine import RunSummary, SyncEngine, SyncOptions
from bigbooks_desktop.sync.profile_lock import ProfileBusyError, ProfileLock

if TYPE_CHECKING:
    from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
    from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
    from bigbooks_desktop.mapping.profile import MappingProfile

__all__ = ["WINDOW_LOCK_OWNER", "ChangeStamp", "HistoryView", "SyncCoordination", "SyncState",
           "SyncStatusListener", "SyncStatusView"]

WINDOW_LOCK_OWNER = "the BigBooks window"

log = logging.getLogger(__name__)

_LOCK_POLL_SECONDS = 0.2


class SyncState(StrEnum):
    """What the profile's sync is doing (sync.coordinator.CoordinatorState)."""

    IDLE = "idle"
    SYNCING = "syncing"
    WAITING = "waiting"        # another process holds the profile; `reason` says who
    PAUSED = "paused"          # a sign-in is needed; `reason` says which and what to do


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncStatusView:
    """The coordinator's status. `runs`: runs finished since the service started. `auto_sync_seconds`: the
    interval while auto-sync is on (None: off). `backoff_seconds`: the stretched wait before the next run
    while runs fail (None: the normal interval). `sign_in_needed`: the last run stopped for a sign-in."""

    state: SyncState
    progress: v.SyncProgressView | None = None
    reason: str = ""
    last_summary: v.SyncSummaryView | None = None
    last_error: str = ""
    last_finished_at: datetime | None = None
    next_run_at: datetime | None = None
    runs: int = 0
    auto_sync_seconds: float | None = None
    backoff_seconds: float | None = None
    sign_in_needed: bool = False

    @property
    def busy(self) -> bool:
        return self.state in (SyncState.SYNCING, SyncState.WAITING)


@dataclass(frozen=True, slots=True)
class ChangeStamp:
    """Changes when the profile changed: the database (`PRAGMA data_version`: commits by any other
    connection, this process's sync thread and other processes alike), the sign-ins and the preferences."""

    data_version: int
    connections: int
    preferences: int


@dataclass(frozen=True, slots=True)
class HistoryView:
    """Recent runs, newest first, and the inbox's active rows, newest-updated first."""

    runs: tuple[v.RunView, ...]
    inbox: tuple[v.InboxView, ...]


SyncStatusListener = Callable[[SyncStatusView], None]


@dataclass
class _Coordination:
    """Per-service state (the facade's constructor is not ours, so it is made on first use)."""

    coordinator: SyncCoordinator | None = None
    listeners: list[SyncStatusListener] = field(default_factory=list)
    interval: float | None = None
    pending_since: datetime | None = None        # the next run's backfill start (Sync now with a date)
    pending_mode: RunMode | None = None
    summaries: dict[int, v.SyncSummaryView] = field(default_factory=dict)   # id(RunSummary) -> view
    view: SyncStatusView = field(default_factory=lambda: SyncStatusView(state=SyncState.IDLE))


class SyncCoordination:
    """Mixin of `BigBooksService`: the profile's sync coordinator. See the module docstring."""

    # How other processes name this one while it syncs (the window's default; the CLI sets its own).
    lock_owner: str = WINDOW_LOCK_OWNER
    # The shortest auto-sync interval, in seconds (tests shorten it before the first sync).
    sync_min_interval: float = MIN_INTERVAL

    if TYPE_CHECKING:  # provided by BigBooksService
        profile: MappingProfile
        options: SyncOptions

        def _clients(self) -> AbstractAsyncContextManager[tuple[BigCommerceClient, FreshBooksClient]]:
            raise NotImplementedError

        def _profile_in_use(self) -> tuple[MappingProfile, int | None]:
            raise NotImplementedError

    # -- observing -------------------------------------------------------------------------------------

    def _coordination(self) -> _Coordination:
        state = self.__dict__.get("_coordination_state")
        if not isinstance(state, _Coordination):
            state = _Coordination()
            self.__dict__["_coordination_state"] = state
        return state

    def sync_status(self) -> SyncStatusView:
        """The sync's status now (idle until the first sync of this service)."""
        return self._coordination().view

    def subscribe(self, listener: SyncStatusListener) -> Callable[[], None]:
        """Call `listener(status)` on every change, on the event loop that started syncing; returns the
        unsubscribe function."""
        listeners = self._coordination().listeners
        listeners.append(listener)
        return lambda: listeners.remove(listener) if listener in listeners else None

    def _publish(self, status: CoordinatorStatus | None = None) -> None:
        state = self._coordination()
        raw = status or (state.coordinator.status if state.coordinator is not None else None)
        state.view = self._view(raw) if raw is not None else dataclasses.replace(
            state.view, auto_sync_seconds=state.interval)
        for listener in list(state.listeners):
            try:
                listener(state.view)
            except Exception:   # a listener's bug must not stop the sync's bookkeeping (the run would hang)
                log.exception("a sync status listener failed")

    def _view(self, status: CoordinatorStatus) -> SyncStatusView:
        state = self._coordination()
        summary = self._summary_view(status.last_result)
        backoff = None
        if state.interval is not None and state.coordinator is not None:
            delay = state.coordinator.delay(state.interval)
            backoff = delay if delay > state.interval else None
        paused_orders = summary.results.get(v.OrderResult.PAUSED, 0) if summary is not None else 0
        sign_in_needed = status.state is CoordinatorState.PAUSED or (
            summary is not None and summary.status is v.RunStatus.FAILED and paused_orders > 0)
        return SyncStatusView(
            state=SyncState(status.state.value),
            progress=convert.progress_view(status.progress) if isinstance(status.progress, SyncProgress) else None,
            reason=status.reason, last_summary=summary, last_error=status.last_error,
            last_finished_at=status.last_finished_at, next_run_at=status.next_run_at, runs=status.runs,
            auto_sync_seconds=state.interval, backoff_seconds=backoff, sign_in_needed=sign_in_needed)

    def _summary_view(self, result: object) -> v.SyncSummaryView | None:
        """The last run's summary as a view (runs return one; converted once per run otherwise)."""
        if isinstance(result, v.SyncSummaryView):
            return result
        if not isinstance(result, RunSummary):
            return None
        cache = self._coordination().summaries
        found = cache.get(id(result))
        if found is None:
            cache.clear()
            found = cache[id(result)] = convert.summary_view(result)
        return found

    # -- running ---------------------------------------------------------------------------------------

    def _coordinator(self) -> SyncCoordinator:
        """The service's coordinator, made on first use on the running loop (which receives its events)."""
        state = self._coordination()
        if state.coordinator is None:
            state.coordinator = SyncCoordinator(self._coordinated_run, min_interval=self.sync_min_interval)
            state.coordinator.subscribe(self._publish)
        return state.coordinator

    async def sync_now(self, *, since: date | datetime | None = None) -> v.SyncSummaryView:
        """Sync now, or join the sync already running (then `since` is not used). `since` backfills orders
        modified from then on. Raises what stopped the run (NotSignedInError, ProfileBusyError...) after the
        status recorded it."""
        coordinator = self._coordinator()
        if not coordinator.running:
            state = self._coordination()
            state.pending_since = _moment(since)
            state.pending_mode = RunMode.BACKFILL if since is not None else RunMode.ONCE
        result = await coordinator.sync_now()
        summary = self._summary_view(result)
        assert summary is not None, f"a sync run returned {type(result).__name__}"
        return summary

    def cancel_sync(self) -> None:
        """Stop the running sync between orders (it records what it did; a no-op when none runs)."""
        state = self._coordination()
        if state.coordinator is not None:
            state.coordinator.cancel()

    def start_auto_sync(self, interval: float) -> None:
        """Sync every `interval` seconds (at least `sync_min_interval`), the first run now, backing off while
        runs fail; needs a running event loop."""
        coordinator = self._coordinator()
        state = self._coordination()
        state.interval = max(float(interval), self.sync_min_interval)
        coordinator.start_schedule(state.interval)
        self._publish()

    def stop_auto_sync(self) -> None:
        state = self._coordination()
        state.interval = None
        if state.coordinator is not None:
            state.coordinator.stop_schedule()
        self._publish()

    def resume_sync(self) -> None:
        """After signing in again: leave the paused state; auto-sync (if on) runs now."""
        state = self._coordination()
        if state.coordinator is not None:
            state.coordinator.resume()

    async def close_sync(self) -> None:
        """Stop auto-sync, cancel a running sync and wait for it to record its run."""
        state = self._coordination()
        state.interval = None
        if state.coordinator is not None:
            await state.coordinator.aclose()

    async def _coordinated_run(self, progress: Callable[[SyncProgress], None],
                               cancel: threading.Event) -> v.SyncSummaryView:
        """One run, on the coordinator's worker thread (its own event loop): the stored sign-ins, the
        preferences as they are now, the lock named after this process."""
        state = self._coordination()
        since, mode = state.pending_since, state.pending_mode
        state.pending_since = state.pending_mode = None
        if mode is None:
            mode = RunMode.WATCH if state.interval is not None else RunMode.ONCE
        # The shared FreshBooks auth guards its refresh with an asyncio.Lock, which belongs to one event loop;
        # each run has its own loop, so each run builds it again from the keychain (where refreshes are kept).
        accounts.forget_shared_auth()
        preferences = load_preferences()
        options = dataclasses.replace(self.options, lock_owner=self.lock_owner)
        if not await self._wait_for_the_profile(progress, cancel, options):
            return _cancelled_while_waiting(mode)
        async with self._clients() as (bigcommerce, freshbooks):
            profile, version = self._profile_in_use()
            engine = SyncEngine(bigcommerce=bigcommerce, freshbooks=freshbooks, profile=profile,
                                options=options, profile_version=version)
            summary = await engine.run(since=since, first_run_start=_moment(preferences.backfill_start),
                                       mode=mode, progress=progress, cancel=cancel)
        return convert.summary_view(summary)      # here, on the worker thread: a big run's summary is big

    async def _wait_for_the_profile(self, progress: Callable[[SyncProgress], None], cancel: threading.Event,
                                    options: SyncOptions) -> bool:
        """Wait while another process syncs this profile, saying who it is, as the engine would; but a cancel
        withdraws the wait (False) instead of running once the profile is free. The engine takes the lock
        itself right after (ProfileBusyError after `lock_wait` seconds, as it would)."""
        probe = ProfileLock(Path(current_database().database), what=self.lock_owner)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (options.lock_wait or 0.0)
        told = False
        while not probe.try_acquire():
            if cancel.is_set():
                return False
            if not told:
                holder = probe.holder()
                who = holder.describe() if holder is not None else "another BigBooks process"
                progress(SyncProgress(0, 0, "waiting", message=f"waiting for {who} to finish syncing this profile"))
                told = True
            if loop.time() > deadline:
                raise ProfileBusyError(probe.holder())
            await asyncio.sleep(_LOCK_POLL_SECONDS)
        probe.release()
        return True

    # -- what the window shows, read off the loop ------------------------------------------------------

    async def read_history(self, *, runs: int = 50, inbox: int = 500) -> HistoryView:
        """Recent runs (with the orders each created) and the active inbox, read on a worker thread with its own
        SQLite connection: after a 10,000-order run that is a lot of rows, and the loop thread only awaits."""

        def read() -> HistoryView:
            try:
                entries = error_queue.list_errors(status=error_queue.ACTIVE_STATUSES, limit=inbox)
                return HistoryView(runs=tuple(run_views(limit=runs)),
                                   inbox=tuple(convert.inbox_view(e) for e in entries))
            finally:
                current_database().close()        # this worker thread's connection (peewee: one per thread)

        return await asyncio.to_thread(read)

    # -- changes made elsewhere ------------------------------------------------------------------------

    def change_stamp(self) -> ChangeStamp:
        """A cheap check (one pragma, two stats) for the window's timer: a new stamp means reload."""
        cursor: sqlite3.Cursor = current_database().execute_sql(  # type: ignore[no-untyped-call]  # untyped stubs
            "PRAGMA data_version")
        row = cursor.fetchone()
        return ChangeStamp(data_version=int(row[0]) if row else 0,
                           connections=_mtime(accounts.connections_path()),
                           preferences=_mtime(paths.preferences_path()))


def _cancelled_while_waiting(mode: RunMode) -> v.SyncSummaryView:
    """The summary of a sync cancelled before it began (no run was recorded: nothing was read or written)."""
    now = datetime.now(UTC)
    return v.SyncSummaryView(
        run_id=None, mode=v.RunMode(mode.value), status=v.RunStatus.INTERRUPTED, dry_run=False, started_at=now,
        finished_at=now, counts=v.CountsView(), results={}, failed=(), inbox_active=error_queue.count_errors(
            status=error_queue.ACTIVE_STATUSES), inbox_records=error_queue.count_subject_errors(), cursor=None,
        problem="Cancelled while waiting for another sync of this profile; nothing was synced.")


def _mtime(path: Path) -> int:
    with contextlib.suppress(OSError):
        return path.stat().st_mtime_ns
    return 0


def _moment(value: date | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time.min, tzinfo=UTC)

