"""The one facade the GUI and the command line call: sync runs, the inbox, run history, accounts. No Qt."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Literal

import httpx

from bigbooks_desktop import accounts
from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
from bigbooks_desktop.core.errors import NotFoundError, ValidationError
from bigbooks_desktop.core.preferences import load_preferences
from bigbooks_desktop.mapping.freshbooks_math import TaxRounding
from bigbooks_desktop.mapping.profile import MappingProfile, default_profile
from bigbooks_desktop.store import error_queue
from bigbooks_desktop.store.db import close_database, open_database
from bigbooks_desktop.store.error_queue import ACTIVE_STATUSES, ErrorEntry, RetryPolicy
from bigbooks_desktop.store.runs import RunMode, interrupt_stale_runs, list_runs
from bigbooks_desktop.sync.context import ProgressCallback
from bigbooks_desktop.sync.engine import RunSummary, SyncEngine, SyncOptions
from bigbooks_desktop.sync.held_orders import queue_released_orders
from bigbooks_desktop.sync.reconcile import ReconciliationReport, reconcile
from bigbooks_desktop.sync.tax_rounding import account_rule, rule_learned
from bigbooks_desktop.sync.undo import UndoReport, release_orders, undo_run

__all__ = ["BigBooksService", "InboxItem", "RunInfo", "RunSummary"]


@dataclass(frozen=True)
class InboxItem:
    """One inbox row as plain data (`payload`, the order snapshot, only from `get_inbox_item`)."""

    id: int
    order_id: int | None
    stage: str
    kind: str
    title: str
    message: str
    status: str
    attempts: int
    next_retry_at: str | None
    edits: dict[str, Any]
    created_at: str
    updated_at: str
    payload: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if data["payload"] is None:
            data.pop("payload")
        return data


@dataclass(frozen=True)
class RunInfo:
    id: int
    mode: str
    status: str
    started_at: str
    finished_at: str | None
    counts: dict[str, int]
    error: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _item(entry: ErrorEntry, *, with_payload: bool = False) -> InboxItem:
    return InboxItem(id=entry.id, order_id=entry.order_id, stage=entry.stage.value, kind=entry.kind.value,
                     title=entry.title, message=entry.message, status=entry.status.value,
                     attempts=entry.attempts,
                     next_retry_at=entry.next_retry_at.isoformat() if entry.next_retry_at else None,
                     edits=dict(entry.edits), created_at=entry.created_at.isoformat(),
                     updated_at=entry.updated_at.isoformat(),
                     payload=dict(entry.payload) if with_payload else None)


def _is_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)       # POSIX probe; this app's Windows build would need another check
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class BigBooksService:
    """Opens the sync database on construction; `aclose()` closes it. Every method raises core errors only.

    `transport` (tests, the sandbox in process) is given to every HTTP client the service builds.
    """

    def __init__(self, *, transport: httpx.AsyncBaseTransport | None = None, database: Path | None = None,
                 profile: MappingProfile | None = None, options: SyncOptions | None = None,
                 allow_file_store: bool = False) -> None:
        self._transport = transport
        self._allow_file_store = allow_file_store
        self._preferences = load_preferences()
        self.profile = profile or default_profile()
        self.options = options or SyncOptions(
            concurrency=self._preferences.concurrency,
            retry_policy=RetryPolicy(max_retries=self._preferences.max_automatic_retries))
        open_database(database)
        interrupt_stale_runs(is_alive=_is_alive)

    async def aclose(self) -> None:
        close_database()

    @asynccontextmanager
    async def _clients(self) -> AsyncIterator[tuple[BigCommerceClient, FreshBooksClient]]:
        """Both connector clients from the stored sign-ins, closed together (NotSignedInError when one is missing)."""
        bigcommerce = await accounts.open_bigcommerce_client(transport=self._transport,
                                                             allow_file_store=self._allow_file_store)
        try:
            freshbooks = await accounts.open_freshbooks_client(transport=self._transport,
                                                               allow_file_store=self._allow_file_store)
        except BaseException:
            await bigcommerce.aclose()
            raise
        async with bigcommerce, freshbooks:
            yield bigcommerce, freshbooks

    # -- sync --------------------------------------------------------------------------------------------

    async def sync_once(self, *, since: date | datetime | None = None, dry_run: bool = False,
                        progress: ProgressCallback | None = None, retries_only: bool = False,
                        mode: RunMode | None = None) -> RunSummary:
        """One sync run (see `SyncEngine.run`). NotSignedInError and friends when it cannot run at all."""
        start = _moment(since)
        first = _moment(self._preferences.backfill_start)
        async with self._clients() as (bigcommerce, freshbooks):
            engine = SyncEngine(bigcommerce=bigcommerce, freshbooks=freshbooks, profile=self.profile,
                                options=self.options)
            return await engine.run(since=start, dry_run=dry_run, first_run_start=first,
                                    poll=not retries_only,
                                    mode=mode or (RunMode.RETRY if retries_only else None), progress=progress)

    async def watch(self, interval: float, *, progress: ProgressCallback | None = None,
                    on_summary: Callable[[RunSummary], None] | None = None, stop: asyncio.Event | None = None,
                    max_runs: int | None = None) -> list[RunSummary]:
        """Sync every `interval` seconds until `stop` is set (or `max_runs` runs were made)."""
        summaries: list[RunSummary] = []
        stopper = stop or asyncio.Event()
        while not stopper.is_set():
            summary = await self.sync_once(progress=progress, mode=RunMode.WATCH)
            summaries.append(summary)
            if on_summary is not None:
                on_summary(summary)
            if max_runs is not None and len(summaries) >= max_runs:
                break
            try:
                await asyncio.wait_for(stopper.wait(), timeout=interval)
            except TimeoutError:
                pass
        return summaries

    # -- inbox -------------------------------------------------------------------------------------------

    async def list_inbox(self, *, include_history: bool = False, limit: int = 500) -> list[InboxItem]:
        status = None if include_history else ACTIVE_STATUSES
        return [_item(e) for e in error_queue.list_errors(status=status, limit=limit)]

    async def get_inbox_item(self, item_id: int) -> InboxItem:
        entry = error_queue.get_error(item_id)
        if entry is None:
            raise NotFoundError(f"Problem {item_id} is not in the inbox.", title="Problem not found")
        return _item(entry, with_payload=True)

    async def edit_inbox_item(self, item_id: int, edits: dict[str, Any]) -> InboxItem:
        """Merge fixes (e.g. {"email": ...}, {"sku_items": {sku: item_id}}, {"taxes": {name: name}}); the
        retry becomes due now."""
        return _item(self._change(error_queue.edit_error, item_id, edits))

    async def ignore_inbox_item(self, item_id: int) -> InboxItem:
        return _item(self._change(error_queue.ignore_error, item_id))

    async def retry_inbox(self, ids: Collection[int] | Literal["all"], *, run: bool = True,
                          progress: ProgressCallback | None = None) -> RunSummary | None:
        """Make the rows due now; with `run`, sync those orders at once (else the next sync does)."""
        targets = [e.id for e in error_queue.list_errors(status=ACTIVE_STATUSES, limit=100_000)] \
            if ids == "all" else list(ids)
        for item_id in targets:
            self._change(error_queue.retry_error_now, item_id)
        if not run:
            return None
        return await self.sync_once(retries_only=True, progress=progress)

    @staticmethod
    def _change(fn: Callable[..., ErrorEntry], item_id: int, *args: Any) -> ErrorEntry:
        try:
            return fn(item_id, *args)
        except ValueError as exc:
            raise ValidationError(f"Problem {item_id} is already settled ({exc}).", field="id") from exc

    # -- history and accounts ----------------------------------------------------------------------------

    async def list_runs(self, *, limit: int = 50) -> list[RunInfo]:
        return [RunInfo(id=r.id, mode=r.mode.value, status=r.status.value,
                        started_at=r.started_at.isoformat(),
                        finished_at=r.finished_at.isoformat() if r.finished_at else None,
                        counts=r.counts.to_json(), error=r.error) for r in list_runs(limit=limit)]

    async def status(self) -> accounts.AccountsStatus:
        return await accounts.status(allow_file_store=self._allow_file_store)

    def tax_rounding(self, account_id: str) -> tuple[TaxRounding, bool]:
        """How FreshBooks rounds tax on this account, and whether that was learned from an invoice (False:
        still the assumed default, per line half up); see sync.tax_rounding."""
        rule = account_rule(account_id)
        return rule, rule_learned(account_id)

    async def connect_sandbox(self, admin_url: str) -> accounts.AccountsStatus:
        return await accounts.connect_sandbox(admin_url, transport=self._transport,
                                              allow_file_store=self._allow_file_store)

    # -- undo and reconciliation (sync.undo, sync.reconcile) ---------------------------------------------

    async def undo_run(self, run_id: int) -> UndoReport:
        """Remove what sync run `run_id` created in FreshBooks where nothing else refers to it; the report says
        what was undone and what was kept, and why. ValidationError for an unknown, running or undo run."""
        freshbooks = await accounts.open_freshbooks_client(transport=self._transport,
                                                           allow_file_store=self._allow_file_store)
        async with freshbooks:
            return await undo_run(run_id, freshbooks=freshbooks)

    async def release_undone_orders(self, order_ids: Collection[int]) -> list[int]:
        """Let the next sync create these undone orders' invoices again (it reads them even though the cursor
        has moved past them); returns the ids released."""
        released = release_orders(order_ids)
        queue_released_orders(released)
        return released

    async def reconcile(self) -> ReconciliationReport:
        """Every order against its FreshBooks invoice, payments and credits (reads only)."""
        async with self._clients() as (bigcommerce, freshbooks):
            return await reconcile(bigcommerce=bigcommerce, freshbooks=freshbooks, profile=self.profile)


def _moment(value: date | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time.min, tzinfo=UTC)
