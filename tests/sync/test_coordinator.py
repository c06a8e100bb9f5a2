"""The sync coordinator with the real engine against the in-process sandbox: runs on a worker thread, events on
the caller's loop, one run at a time, cancel between orders, the schedule and its back-off, waiting for
another process that holds the profile."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sync_harness import EPOCH, Rig, check_books, rig

from bigbooks_desktop import accounts
from bigbooks_desktop.store.db import current_database
from bigbooks_desktop.sync.context import SyncProgress
from bigbooks_desktop.sync.coordinator import CoordinatorState, CoordinatorStatus, SyncCoordinator
from bigbooks_desktop.sync.engine import SyncEngine
from bigbooks_desktop.sync.profile_lock import ProfileLock

pytestmark = pytest.mark.asyncio


def factory(r: Rig, threads: list[int] | None = None, **engine_options: Any) -> Callable[..., Any]:
    async def run(progress: Callable[[SyncProgress], None], cancel: threading.Event) -> Any:
        if threads is not None:
            threads.append(threading.get_ident())
        bigcommerce = await accounts.open_bigcommerce_client(transport=r.transport)
        freshbooks = await accounts.open_freshbooks_client(transport=r.transport)
        async with bigcommerce, freshbooks:
            options = dataclasses.replace(r.options, **engine_options)
            engine = SyncEngine(bigcommerce=bigcommerce, freshbooks=freshbooks, profile=r.profile, options=options)
            return await engine.run(since=EPOCH, progress=progress, cancel=cancel)
    return run


async def test_sync_now_runs_off_the_callers_thread_and_reports_on_its_loop() -> None:
    async with rig(orders=40) as r:
        threads: list[int] = []
        coordinator = SyncCoordinator(factory(r, threads))
        seen: list[tuple[CoordinatorStatus, int]] = []
        coordinator.subscribe(lambda status: seen.append((status, threading.get_ident())))
        first, second = await asyncio.gather(coordinator.sync_now(), coordinator.sync_now())
        assert first is second                                  # the second press joined the running sync
        assert len(threads) == 1 and threads[0] != threading.get_ident()
        assert {thread for _s, thread in seen} == {threading.get_ident()}     # events on the caller's loop
        states = [s.state for s, _t in seen]
        assert states[0] is CoordinatorState.SYNCING and states[-1] is CoordinatorState.IDLE
        assert any(s.progress is not None and s.progress.total for s, _t in seen)
        assert coordinator.status.last_result is first and first.status == "finished"
        assert check_books(r.state())["duplicates"] == {}


async def test_cancel_stops_between_orders_and_the_next_run_finishes_the_job() -> None:
    async with rig(orders=120) as r:
        coordinator = SyncCoordinator(factory(r, concurrency=1))

        synced: set[int] = set()

        def stop_after_some(status: CoordinatorStatus) -> None:
            progress = status.progress
            if progress is not None and progress.stage == "synced" and progress.order_id is not None:
                synced.add(progress.order_id)
                if len(synced) >= 5:
                    coordinator.cancel()

        unsubscribe = coordinator.subscribe(stop_after_some)
        stopped = await coordinator.sync_now()
        unsubscribe()
        assert stopped.status == "interrupted" and "Stopped on request" in (stopped.problem or "")
        done_first = stopped.counts.get("invoices_created", 0)
        assert 0 < done_first < 60
        finished = await coordinator.sync_now()
        assert finished.status == "finished"
        books = check_books(r.state())
        assert books["duplicates"] == {} and books["wrong_total"] == []


async def test_schedule_runs_on_its_interval_and_backs_off_while_runs_fail() -> None:
    async with rig(orders=10) as r:
        coordinator = SyncCoordinator(factory(r), min_interval=0.2)
        assert coordinator.delay(0.2) == 0.2
        coordinator.start_schedule(0.2)
        for _ in range(100):
            await asyncio.sleep(0.05)
            if coordinator.status.runs >= 2:
                break
        assert coordinator.status.runs >= 2 and coordinator.status.next_run_at is not None
        r.sandbox.set_faults("GET /stores/*:503=1")            # BigCommerce down: runs fail
        runs = coordinator.status.runs
        for _ in range(400):                                   # two failed runs in a row (a run already
            await asyncio.sleep(0.05)                          # under way may still finish well)
            if coordinator.status.runs >= runs + 2 and coordinator.delay(0.2) >= 0.8:
                break
        assert coordinator.status.last_error
        assert coordinator.delay(0.2) >= 0.8                   # doubled per failed run in a row
        coordinator.stop_schedule()
        await coordinator.aclose()
        r.sandbox.set_faults("")


async def test_waiting_for_another_process_says_who_holds_the_profile() -> None:
    async with rig(orders=10) as r:
        holder = ProfileLock(Path(current_database().database), what="bigbooks sync --watch (cron)")
        assert holder.try_acquire()
        coordinator = SyncCoordinator(factory(r))
        waiting: list[CoordinatorStatus] = []
        coordinator.subscribe(lambda s: waiting.append(s) if s.state is CoordinatorState.WAITING else None)
        task = asyncio.ensure_future(coordinator.sync_now())
        for _ in range(100):
            await asyncio.sleep(0.05)
            if waiting:
                break
        assert waiting and "bigbooks sync --watch (cron)" in waiting[0].reason
        holder.release()
        summary = await task
        assert summary.status == "finished" and coordinator.status.state is CoordinatorState.IDLE
