"""One long-lived sync coordinator per profile: is a sync running, its progress, cancel, and the schedule.

Like maestral's SyncManager, the coordinator is what a front end talks to instead of starting syncs itself:
- `sync_now()` starts a run, or joins the one already running (a second press never starts a second sync);
- `cancel()` stops the running sync cleanly between orders;
- `start_schedule(seconds)` syncs every N seconds (at least 30) while the app runs, backing off (doubling, up to
  an hour) while runs fail, and pausing while a sign-in is needed until `resume()`;
- `subscribe(callback)` delivers every change of `status` (state, progress, the last summary, the next run),
  always on the event loop the coordinator was made on (the GUI's), so widgets update without polling.

Each run executes on one worker thread with its own event loop: its network waits, SQLite writes and
mapping all happen there, and the caller's loop (the GUI thread) only awaits the result and receives events.
Across processes, the run itself holds the profile's lock (sync.profile_lock); while it waits for another
process the state is WAITING, with who holds the profile.

Qt-free: the GUI subscribes through its own adapter.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from bigbooks_desktop.core.errors import AuthError, BigBooksError
from bigbooks_desktop.store.db import current_database
from bigbooks_desktop.sync.context import SyncProgress

__all__ = ["CoordinatorState", "CoordinatorStatus", "RunFactory", "SyncCoordinator"]

MIN_INTERVAL = 30.0          # seconds; BigCommerce's rate limit and FreshBooks' are shared with the merchant
MAX_BACKOFF = 3600.0


class CoordinatorState(StrEnum):
    IDLE = "idle"
    SYNCING = "syncing"
    WAITING = "waiting"              # another process holds the profile
    PAUSED = "paused"                # a sign-in is needed (or the schedule was paused); `reason` says why


@dataclass(frozen=True, slots=True)
class CoordinatorStatus:
    state: CoordinatorState
    progress: SyncProgress | None = None
    reason: str = ""
    last_result: object | None = None            # the last run's summary (the factory's result)
    last_error: str = ""
    last_finished_at: datetime | None = None
    next_run_at: datetime | None = None
    runs: int = 0


# (progress callback, cancel event) -> the run's coroutine; called on the worker thread's loop
RunFactory = Callable[[Callable[[SyncProgress], None], threading.Event], Awaitable[object]]


class SyncCoordinator:
    """See the module docstring. Create it on the loop that will receive its events."""

    def __init__(self, run: RunFactory, *, min_interval: float = MIN_INTERVAL,
                 max_backoff: float = MAX_BACKOFF) -> None:
        self._run = run
        self._loop = asyncio.get_running_loop()
        self._min_interval = min_interval
        self._max_backoff = max_backoff
        self._status = CoordinatorStatus(CoordinatorState.IDLE)
        self._listeners: list[Callable[[CoordinatorStatus], None]] = []
        self._current: asyncio.Future[object] | None = None
        self._cancel = threading.Event()
        self._schedule: asyncio.Task[None] | None = None
        self._stopping: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._failures = 0

    # -- observing -------------------------------------------------------------------------------------

    @property
    def status(self) -> CoordinatorStatus:
        return self._status

    @property
    def running(self) -> bool:
        return self._current is not None and not self._current.done()

    def subscribe(self, callback: Callable[[CoordinatorStatus], None]) -> Callable[[], None]:
        """Call `callback(status)` on every change (on this loop); returns the unsubscribe function."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def _set(self, **changes: object) -> None:
        self._status = replace(self._status, **changes)  # type: ignore[arg-type]  # fields named by caller
        for listener in list(self._listeners):
            listener(self._status)

    # -- running ---------------------------------------------------------------------------------------

    async def sync_now(self) -> object:
        """Run a sync (or join the one running) and return its result; errors are raised after `status`
        records them."""
        if self._current is None or self._current.done():
            self._cancel = threading.Event()
            self._current = self._loop.create_future()
            self._set(state=CoordinatorState.SYNCING, progress=None, reason="")
            self._loop.create_task(self._execute(self._current, self._cancel))
        return await asyncio.shield(self._current)

    def cancel(self) -> None:
        """Stop the running sync between orders (a no-op when none runs)."""
        self._cancel.set()

    async def _execute(self, future: asyncio.Future[object], cancel: threading.Event) -> None:
        def progress(event: SyncProgress) -> None:        # called on the worker thread
            self._loop.call_soon_threadsafe(self._on_progress, event)

        def work() -> object:
            try:
                return asyncio.run(self._run_coroutine(progress, cancel))
            finally:
                current_database().close()           # this thread's SQLite connection (peewee: per thread)

        try:
            result = await asyncio.to_thread(work)
        except AuthError as exc:
            self._failures += 1
            self._set(state=CoordinatorState.PAUSED, reason=f"{exc.title}: {exc.message}", last_error=str(exc),
                      last_finished_at=datetime.now(UTC), runs=self._status.runs + 1, progress=None)
            future.set_exception(exc)
        except BigBooksError as exc:
            self._failures += 1
            self._set(state=CoordinatorState.IDLE, last_error=str(exc), last_finished_at=datetime.now(UTC),
                      runs=self._status.runs + 1, progress=None)
            future.set_exception(exc)
        except BaseException as exc:          # a bug: recorded, then raised to the caller
            self._set(state=CoordinatorState.IDLE, last_error=f"{type(exc).__name__}: {exc}",
                      last_finished_at=datetime.now(UTC), runs=self._status.runs + 1, progress=None)
            future.set_exception(exc)
        else:
            failed = getattr(result, "status", "finished") == "failed"
            self._failures = self._failures + 1 if failed else 0
            self._set(state=CoordinatorState.IDLE, last_result=result, progress=None,
                      last_error=str(getattr(result, "problem", "") or "") if failed else "",
                      last_finished_at=datetime.now(UTC), runs=self._status.runs + 1)
            future.set_result(result)

    async def _run_coroutine(self, progress: Callable[[SyncProgress], None], cancel: threading.Event) -> object:
        return await self._run(progress, cancel)

    def _on_progress(self, event: SyncProgress) -> None:
        if self._status.state is CoordinatorState.PAUSED:
            return
        state = CoordinatorState.WAITING if event.stage == "waiting" else CoordinatorState.SYNCING
        self._set(state=state, progress=event, reason=event.message if state is CoordinatorState.WAITING else "")

    # -- the schedule ----------------------------------------------------------------------------------

    def start_schedule(self, seconds: float) -> None:
        """Sync every `seconds` (at least the minimum interval) until `stop_schedule`; the first run is now."""
        self.stop_schedule()
        interval = max(float(seconds), self._min_interval)
        self._schedule = self._loop.create_task(self._every(interval))

    def stop_schedule(self) -> None:
        if self._schedule is not None:
            self._schedule.cancel()
            self._stopping.add(self._schedule)          # awaited by `aclose`, never left pending
            self._schedule.add_done_callback(self._stopping.discard)
            self._schedule = None
        self._set(next_run_at=None)

    def resume(self) -> None:
        """After a sign-in: leave the paused state and let the schedule run now."""
        if self._status.state is CoordinatorState.PAUSED:
            self._failures = 0
            self._set(state=CoordinatorState.IDLE, reason="")
        self._wake.set()

    def delay(self, interval: float) -> float:
        """Seconds until the next scheduled run: the interval, doubled per failed run in a row (to an hour)."""
        return min(interval * pow(2.0, self._failures), max(self._max_backoff, interval))

    async def _every(self, interval: float) -> None:
        while True:
            if self._status.state is not CoordinatorState.PAUSED:
                with contextlib.suppress(Exception):     # recorded in `status`; the schedule backs off
                    await self.sync_now()
            wait = self.delay(interval)
            self._set(next_run_at=datetime.now(UTC) + timedelta(seconds=wait))
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            except TimeoutError:
                pass

    async def aclose(self) -> None:
        """Stop the schedule, cancel a running sync and wait for it to stop."""
        self.stop_schedule()
        self.cancel()
        if self._stopping:
            await asyncio.gather(*self._stopping, return_exceptions=True)
        if self._current is not None and not self._current.done():
            with contextlib.suppress(Exception):         # closing: `status` recorded the outcome
                await asyncio.shield(self._current)
