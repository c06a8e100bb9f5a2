"""The service's sync coordinator (service.coordination), without Qt: typed status events on the caller's loop,
the lock named after the process, waiting for another process, a sign-in pause, and the change stamp."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.errors import NotSignedInError
from bigbooks_desktop.service.coordination import SyncState, SyncStatusView

pytestmark = pytest.mark.asyncio


@pytest.fixture
def sandbox() -> Iterator[Any]:
    from bigbooks_desktop.core.preferences import load_preferences, save_preferences
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread

    save_preferences(load_preferences().model_copy(update={"backfill_start": date(2000, 1, 1)}))
    with SandboxThread(SandboxConfig(orders=20, seed=3, time_scale=500)) as served:
        yield served


@pytest.mark.sockets
async def test_sync_now_reports_typed_status_on_the_callers_loop_and_names_the_window(sandbox: Any,
                                                                                     bigbooks_home: Path) -> None:
    from bigbooks_desktop.service import BigBooksService

    service = BigBooksService(allow_file_store=True)
    await service.connect_sandbox(sandbox.info["admin_url"])
    seen: list[tuple[SyncStatusView, int]] = []
    holders: list[str] = []

    def listen(status: SyncStatusView) -> None:
        seen.append((status, threading.get_ident()))
        info = bigbooks_home / "sync.lock.json"
        if status.state is SyncState.SYNCING and info.exists() and not holders:
            holders.append(json.loads(info.read_text())["what"])

    service.subscribe(listen)
    assert service.sync_status().state is SyncState.IDLE
    summary = await service.sync_now()
    assert isinstance(summary, v.SyncSummaryView) and summary.status is v.RunStatus.FINISHED
    assert summary.mode is v.RunMode.ONCE and summary.counts.invoices_created > 0
    assert {thread for _s, thread in seen} == {threading.get_ident()}
    states = [s.state for s, _t in seen]
    assert states[0] is SyncState.SYNCING and states[-1] is SyncState.IDLE
    assert any(s.progress is not None and s.progress.total for s, _t in seen)
    final = service.sync_status()
    assert final.last_summary == summary and final.runs == 1 and not final.busy and final.last_error == ""
    assert holders == ["the BigBooks window"]
    await service.close_sync()
    await service.aclose()


@pytest.mark.sockets
async def test_a_sync_waits_for_the_process_holding_the_profile_and_says_who(sandbox: Any) -> None:
    from bigbooks_desktop.service import BigBooksService
    from bigbooks_desktop.store.db import current_database
    from bigbooks_desktop.sync.profile_lock import ProfileLock

    service = BigBooksService(allow_file_store=True)
    await service.connect_sandbox(sandbox.info["admin_url"])
    holder = ProfileLock(Path(current_database().database), what="bigbooks sync --watch")
    assert holder.try_acquire()
    waiting: list[SyncStatusView] = []
    service.subscribe(lambda s: waiting.append(s) if s.state is SyncState.WAITING else None)
    task = asyncio.ensure_future(service.sync_now())
    for _ in range(100):
        await asyncio.sleep(0.05)
        if waiting:
            break
    assert waiting and "bigbooks sync --watch (process" in waiting[0].reason and waiting[0].busy
    holder.release()
    assert (await task).status is v.RunStatus.FINISHED
    assert service.sync_status().state is SyncState.IDLE

    assert holder.try_acquire()                     # again, and this time the wait is cancelled
    waiting.clear()
    task = asyncio.ensure_future(service.sync_now())
    for _ in range(100):
        await asyncio.sleep(0.05)
        if waiting:
            break
    service.cancel_sync()
    cancelled = await asyncio.wait_for(task, timeout=5)     # at once, not when the other process is done
    assert cancelled.status is v.RunStatus.INTERRUPTED and cancelled.run_id is None
    assert "nothing was synced" in (cancelled.problem or "")
    assert service.sync_status().state is SyncState.IDLE and holder.held
    holder.release()
    await service.aclose()


async def test_without_a_sign_in_the_sync_pauses_and_says_so() -> None:
    from bigbooks_desktop.service import BigBooksService

    service = BigBooksService()
    with pytest.raises(NotSignedInError):
        await service.sync_now()
    status = service.sync_status()
    assert status.state is SyncState.PAUSED and status.sign_in_needed
    assert "BigCommerce" in status.reason and status.runs == 1
    await service.aclose()


async def test_auto_sync_runs_on_its_interval_and_stops() -> None:
    from bigbooks_desktop.service import BigBooksService

    service = BigBooksService()
    service.sync_min_interval = 0.1
    service.start_auto_sync(0.1)           # nobody signed in: the first run pauses the schedule
    for _ in range(100):
        await asyncio.sleep(0.02)
        if service.sync_status().runs:
            break
    status = service.sync_status()
    assert status.auto_sync_seconds == 0.1 and status.state is SyncState.PAUSED
    service.stop_auto_sync()
    assert service.sync_status().auto_sync_seconds is None and service.sync_status().next_run_at is None
    await service.close_sync()
    await service.aclose()


async def test_the_change_stamp_moves_when_another_connection_writes(bigbooks_home: Path) -> None:
    from bigbooks_desktop.core.paths import database_path
    from bigbooks_desktop.service import BigBooksService

    service = BigBooksService()
    first = service.change_stamp()
    assert service.change_stamp() == first
    other = sqlite3.connect(database_path())
    other.execute("CREATE TABLE IF NOT EXISTS scratch (x)")
    other.commit()
    other.close()
    second = service.change_stamp()
    assert second.data_version != first.data_version
    (bigbooks_home / "connections.json").write_text("{}")
    assert service.change_stamp().connections != second.connections
    await service.aclose()
