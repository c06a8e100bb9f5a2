"""The facade the GUI and the command line call: sync runs, the inbox, run history, accounts, undo and
reconciliation, answered with the frozen views of `core.views` and `core.reconciliation_views`. No Qt."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Collection, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time
from functools import partial
from pathlib import Path
from typing import Literal

import httpx

from bigbooks_desktop import accounts
from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.errors import NotFoundError, ValidationError
from bigbooks_desktop.core.preferences import load_preferences
from bigbooks_desktop.core.reconciliation_views import ReconciliationView
from bigbooks_desktop.mapping.profile import MappingProfile
from bigbooks_desktop.service import convert
from bigbooks_desktop.service.coordination import SyncCoordination
from bigbooks_desktop.service.dashboard import Dashboard
from bigbooks_desktop.service.diagnostics import Diagnostics
from bigbooks_desktop.service.inbox_fixes import InboxFixes
from bigbooks_desktop.service.inbox_subjects import InboxSubjects
from bigbooks_desktop.service.mapping_editor import MappingEditor
from bigbooks_desktop.service.mapping_profiles import MappingProfiles
from bigbooks_desktop.service.orders import OrderPages
from bigbooks_desktop.service.run_history import run_views
from bigbooks_desktop.service.runs_page import RunsPage
from bigbooks_desktop.service.settings import Settings
from bigbooks_desktop.service.sign_in import SignIn
from bigbooks_desktop.store import error_queue
from bigbooks_desktop.store.db import close_database, open_database
from bigbooks_desktop.store.error_queue import ACTIVE_STATUSES, ErrorEntry, RetryPolicy
from bigbooks_desktop.store.runs import RunMode, interrupt_stale_runs
from bigbooks_desktop.sync.context import ProgressCallback
from bigbooks_desktop.sync.engine import SyncEngine, SyncOptions
from bigbooks_desktop.sync.held_orders import queue_released_orders
from bigbooks_desktop.sync.reconcile import reconcile
from bigbooks_desktop.sync.tax_rounding import account_rule, rule_learned
from bigbooks_desktop.sync.undo import release_orders, undo_run

__all__ = ["BigBooksService", "ProgressListener"]

# Called with each progress event of a running sync.
ProgressListener = Callable[[v.SyncProgressView], None]


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


class BigBooksService(SyncCoordination, OrderPages, SignIn, Settings, Diagnostics, InboxFixes, InboxSubjects,
                      Dashboard, RunsPage, MappingProfiles, MappingEditor):
    """Opens the sync database on construction; `aclose()` closes it. Every method raises core errors only
    and answers with frozen views (enums, aware datetimes, Decimal money), never store rows or dicts.

    `transport` (tests, the sandbox in process) is given to every HTTP client the service builds.
    """

    def __init__(self, *, transport: httpx.AsyncBaseTransport | None = None, database: Path | None = None,
                 profile: MappingProfile | None = None, options: SyncOptions | None = None,
                 allow_file_store: bool = False) -> None:
        self._transport = transport
        self._allow_file_store = allow_file_store
        self._preferences = load_preferences()
        if profile is not None:           # else the active stored profile (service.mapping_profiles)
            self.profile = profile
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
                        progress: ProgressListener | None = None, retries_only: bool = False,
                        mode: v.RunMode | None = None) -> v.SyncSummaryView:
        """One sync run (see `SyncEngine.run`). NotSignedInError and friends when it cannot run at all."""
        start = _moment(since)
        first = _moment(self._preferences.backfill_start)
        run_mode = RunMode(mode.value) if mode is not None else RunMode.RETRY if retries_only else None
        async with self._clients() as (bigcommerce, freshbooks):
            profile, version = self._profile_in_use()
            engine = SyncEngine(bigcommerce=bigcommerce, freshbooks=freshbooks, profile=profile,
                                options=self.options, profile_version=version)
            summary = await engine.run(since=start, dry_run=dry_run, first_run_start=first,
                                       poll=not retries_only, mode=run_mode, progress=_engine_progress(progress))
        return convert.summary_view(summary)

    async def watch(self, interval: float, *, progress: ProgressListener | None = None,
                    on_summary: Callable[[v.SyncSummaryView], None] | None = None,
                    stop: asyncio.Event | None = None, max_runs: int | None = None) -> list[v.SyncSummaryView]:
        """Sync every `interval` seconds until `stop` is set (or `max_runs` runs were made)."""
        summaries: list[v.SyncSummaryView] = []
        stopper = stop or asyncio.Event()
        while not stopper.is_set():
            summary = await self.sync_once(progress=progress, mode=v.RunMode.WATCH)
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

    async def list_inbox(self, *, include_history: bool = False, limit: int = 500) -> list[v.InboxView]:
        status = None if include_history else ACTIVE_STATUSES
        return [convert.inbox_view(e) for e in error_queue.list_errors(status=status, limit=limit)]

    async def get_inbox_item(self, item_id: int) -> v.InboxDetailView:
        entry = error_queue.get_error(item_id)
        if entry is None:
            raise NotFoundError(f"Problem {item_id} is not in the inbox.", title="Problem not found")
        return convert.inbox_detail_view(entry)

    async def edit_inbox_item(self, item_id: int, edits: Mapping[str, v.JsonValue]) -> v.InboxView:
        """Merge fixes (e.g. {"email": ...}, {"sku_items": {sku: item_id}}, {"taxes": {name: name}}); the
        retry becomes due now."""
        return convert.inbox_view(self._change(partial(error_queue.edit_error, item_id, dict(edits)), item_id))

    async def ignore_inbox_item(self, item_id: int) -> v.InboxView:
        return convert.inbox_view(self._change(partial(error_queue.ignore_error, item_id), item_id))

    async def retry_inbox(self, ids: Collection[int] | Literal["all"], *, run: bool = True,
                          progress: ProgressListener | None = None) -> v.SyncSummaryView | None:
        """Make the rows due now; with `run`, sync those orders at once (else the next sync does)."""
        targets = [e.id for e in error_queue.list_errors(status=ACTIVE_STATUSES, limit=100_000)] \
            if ids == "all" else list(ids)
        for item_id in targets:
            self._change(partial(error_queue.retry_error_now, item_id), item_id)
        if not run:
            return None
        return await self.sync_once(retries_only=True, progress=progress)

    @staticmethod
    def _change(change: Callable[[], ErrorEntry], item_id: int) -> ErrorEntry:
        try:
            return change()
        except ValueError as exc:
            raise ValidationError(f"Problem {item_id} is already settled ({exc}).", field="id") from exc

    # -- history and accounts ----------------------------------------------------------------------------

    async def list_runs(self, *, limit: int = 50) -> list[v.RunView]:
        """Runs newest first, each with the orders it created; a run stopped mid-way shows what it did."""
        return run_views(limit=limit)

    async def status(self) -> v.ConnectionsView:
        """Who is signed in where, token health, and the FreshBooks account's tax rounding (no network)."""
        return self._connections(await accounts.status(allow_file_store=self._allow_file_store))

    def tax_rounding(self, account_id: str) -> v.TaxRoundingView:
        """How FreshBooks rounds tax on this account, and whether that was learned from an invoice (False:
        still the assumed default, per line half up); see sync.tax_rounding."""
        return convert.tax_rounding_view(account_rule(account_id), rule_learned(account_id))

    def _connections(self, status: accounts.AccountsStatus) -> v.ConnectionsView:
        freshbooks = status.freshbooks
        rounding = self.tax_rounding(freshbooks.account_id) if freshbooks.connected and freshbooks.account_id \
            else None
        return convert.connections_view(status, rounding)

    async def connect_sandbox(self, admin_url: str) -> v.ConnectionsView:
        return self._connections(await accounts.connect_sandbox(admin_url, transport=self._transport,
                                                                allow_file_store=self._allow_file_store))

    # -- undo and reconciliation (sync.undo, sync.reconcile) ---------------------------------------------

    async def undo_run(self, run_id: int) -> v.UndoView:
        """Remove what sync run `run_id` created in FreshBooks where nothing else refers to it; the report says
        what was undone and what was kept, and why. ValidationError for an unknown, running or undo run."""
        freshbooks = await accounts.open_freshbooks_client(transport=self._transport,
                                                           allow_file_store=self._allow_file_store)
        async with freshbooks:
            return convert.undo_view(await undo_run(run_id, freshbooks=freshbooks))

    async def release_undone_orders(self, order_ids: Collection[int]) -> list[int]:
        """Let the next sync create these undone orders' invoices again (it reads them even though the cursor
        has moved past them); returns the ids released."""
        released = release_orders(order_ids)
        queue_released_orders(released)
        return released

    async def reconcile(self, *, csv: Path | None = None) -> ReconciliationView:
        """Every order against its FreshBooks invoice, payments and credits (reads only). With `csv`, the
        report is also written there, one row per order (the reconcile module's CSV format)."""
        async with self._clients() as (bigcommerce, freshbooks):
            report = await reconcile(bigcommerce=bigcommerce, freshbooks=freshbooks, profile=self.profile)
        if csv is not None:
            report.write_csv(csv)
        return convert.reconciliation_view(report)


def _engine_progress(listener: ProgressListener | None) -> ProgressCallback | None:
    """The engine reports `SyncProgress`; listeners get `SyncProgressView`."""
    if listener is None:
        return None
    return lambda progress: listener(convert.progress_view(progress))


def _moment(value: date | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time.min, tzinfo=UTC)
