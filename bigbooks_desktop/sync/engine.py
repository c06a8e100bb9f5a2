"""A sync run: due retries, then orders polled by date_modified from the cursor (minus an overlap), processed
with bounded concurrency; the cursor moves only past orders fully handled or queued in the inbox."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.bc_listing import UnreadableOrder
from bigbooks_desktop.core.errors import AuthError, BigBooksError, PermissionDeniedError
from bigbooks_desktop.mapping.eligibility import ineligibility_reason
from bigbooks_desktop.mapping.profile import MappingProfile, default_profile
from bigbooks_desktop.store.api_use import ApiWindow, record_api_windows
from bigbooks_desktop.store.cursors import get_cursor, set_cursor
from bigbooks_desktop.store.db import current_database, transaction
from bigbooks_desktop.store.error_queue import (
    ACTIVE_STATUSES,
    RetryPolicy,
    count_errors,
    count_subject_errors,
    due_retries,
)
from bigbooks_desktop.store.links import get_order_links
from bigbooks_desktop.store.order_copies import OrderCopy, save_order_copy
from bigbooks_desktop.store.runs import ActivityLevel, RunMode, RunStatus, finish_run, log_activity, start_run
from bigbooks_desktop.sync.books_lookups import read_snapshot
from bigbooks_desktop.sync.catalog_sync import sync_catalog
from bigbooks_desktop.sync.context import ProgressCallback, SyncContext, SyncProgress
from bigbooks_desktop.sync.customer_sync import sync_customers
from bigbooks_desktop.sync.held_orders import (
    held_reason,
    match_hand_entered_invoices,
    queue_released_orders,
    released_orders,
    waiting_ambiguities,
)
from bigbooks_desktop.sync.order_copy import order_copy
from bigbooks_desktop.sync.order_pipeline import OrderOutcome, PlannedOrder, merged_edits, sync_order
from bigbooks_desktop.sync.order_reading import list_orders, prefetch, unreadable_entry
from bigbooks_desktop.sync.ports import BooksTarget, OrderSource
from bigbooks_desktop.sync.profile_lock import LockHolder, ProfileLock
from bigbooks_desktop.sync.tax_rounding import account_rule

__all__ = ["ORDERS_STREAM", "RunSummary", "SyncEngine", "SyncOptions"]

ORDERS_STREAM = "orders"


@dataclass(frozen=True, slots=True)
class SyncOptions:
    concurrency: int = 4                                  # orders processed at once
    overlap: timedelta = timedelta(minutes=5)             # re-read this much before the cursor (clock skew)
    checkpoint_every: int = 50                            # orders between cursor saves during a run
    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    lock_wait: float | None = 600.0                       # seconds to wait while another process syncs
    lock_owner: str = "a BigBooks sync"                   # how other processes name this one while it syncs


@dataclass(frozen=True)
class RunSummary:
    """What a run did, as plain data (the CLI prints it as JSON, the GUI shows it)."""

    run_id: int | None
    mode: str
    status: str                    # finished, failed (could not finish: see problem), interrupted
    dry_run: bool
    started_at: str
    finished_at: str
    counts: dict[str, int]
    results: dict[str, int]        # outcome -> number of orders
    failed: list[dict[str, Any]]   # {order_id, stage, message, error_id}
    inbox_active: int
    cursor: str | None
    problem: str | None = None
    problem_kind: str | None = None   # the ErrorKind of the error behind `problem` ("auth", "transient"...)
    note: str | None = None        # something the user should know although the run worked (first run)
    api_calls: dict[str, Any] = field(default_factory=dict)
    planned: list[dict[str, Any]] = field(default_factory=list)
    planned_totals: dict[str, Any] = field(default_factory=dict)
    skipped: list[dict[str, Any]] = field(default_factory=list)   # {order_id, reason}: left alone on purpose
    first_run: dict[str, Any] | None = None   # the hand-entered invoices matched (sync.first_run report)
    inbox_records: int = 0         # how many of `inbox_active` are about items or clients, not orders

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class SyncEngine:
    """Runs syncs against one BigCommerce store and one FreshBooks account (connector clients given)."""

    def __init__(self, *, bigcommerce: OrderSource, freshbooks: BooksTarget, profile: MappingProfile | None = None,
                 options: SyncOptions | None = None, profile_version: int | None = None) -> None:
        self.bigcommerce = bigcommerce
        self.freshbooks = freshbooks
        self.profile = profile or default_profile()
        self.profile_version = profile_version   # the stored version `profile` is, recorded on the order links
        self.options = options or SyncOptions()
        self._cancel = threading.Event()

    async def run(self, *, since: datetime | None = None, dry_run: bool = False, retries: bool = True,
                  poll: bool = True, first_run_start: datetime | None = None, mode: RunMode | None = None,
                  progress: ProgressCallback | None = None, cancel: threading.Event | None = None) -> RunSummary:
        """One run, holding the profile's sync lock (sync.profile_lock) for its whole length: a second process
        syncing the same profile waits up to `options.lock_wait` seconds (then ProfileBusyError), saying who
        it waits for through `progress`. `cancel`, once set (from any thread), stops the run cleanly between
        orders: no new order starts, the ones under way finish, and the run ends "interrupted". See `_run` for
        what a run does."""
        self._cancel = cancel or threading.Event()
        report = progress or (lambda _p: None)
        lock = ProfileLock(Path(current_database().database), what=self.options.lock_owner)

        def waiting(holder: LockHolder | None) -> None:
            who = holder.describe() if holder is not None else "another BigBooks process"
            report(SyncProgress(0, 0, "waiting", message=f"waiting for {who} to finish syncing this profile"))

        await lock.acquire(wait=self.options.lock_wait, on_wait=waiting)
        try:
            return await self._run(since=since, dry_run=dry_run, retries=retries, poll=poll,
                                   first_run_start=first_run_start, mode=mode, progress=progress)
        finally:
            lock.release()

    async def _run(self, *, since: datetime | None, dry_run: bool, retries: bool, poll: bool,
                   first_run_start: datetime | None, mode: RunMode | None,
                   progress: ProgressCallback | None) -> RunSummary:
        """One run. `since` backfills from that moment (ignoring the cursor); without a cursor or `since`,
        `first_run_start` is where the first run starts (None: from now on). A run that reads orders from
        before the cursor (the first run, a backfill) first links the invoices entered by hand in FreshBooks
        to their orders (sync.first_run), so it does not create them again; dry runs do not."""
        report = progress or (lambda _p: None)
        run_mode = mode or (RunMode.DRY_RUN if dry_run else RunMode.BACKFILL if since else RunMode.ONCE)
        started = datetime.now().astimezone()
        run_id = start_run(run_mode)
        ctx = SyncContext(bigcommerce=self.bigcommerce, freshbooks=self.freshbooks, profile=self.profile,
                          store_timezone="UTC", account_id=str(getattr(self.freshbooks, "account_id", "")),
                          run_id=run_id, dry_run=dry_run, retry_policy=self.options.retry_policy,
                          profile_version=self.profile_version)
        outcomes: list[OrderOutcome] = []
        cursor_value = get_cursor(ORDERS_STREAM)
        status, problem = RunStatus.FINISHED, None
        problem_kind: str | None = None
        note: str | None = None
        first_run: dict[str, Any] | None = None
        try:
            report(SyncProgress(0, 0, "starting"))
            server_now = await self.bigcommerce.get_time()
            store = await self.bigcommerce.get_store()
            ctx.store_timezone = store.timezone_name or "UTC"
            ctx.taxes = list(await self.freshbooks.list_taxes())
            ctx.tax_rule = account_rule(ctx.account_id)
            if poll:
                await self._store_records(ctx, server_now, store.currency or "USD", report)
            work: dict[int, tuple[bc.Order | int, dict[str, Any]]] = {}
            if retries and not dry_run:
                for entry in due_retries():
                    if entry.order_id is not None:
                        work[entry.order_id] = (entry.order_id, merged_edits(entry.order_id))
            released = released_orders() if poll and not dry_run else []
            for order_id in released:              # released after an undo: older than the cursor
                work.setdefault(order_id, (order_id, {}))
            polled: list[bc.Order] = []
            start = self._start(since, cursor_value, first_run_start)
            if poll and start is None:
                note = (f"First run: nothing synced; orders modified from now on "
                        f"({server_now.isoformat(timespec='seconds')}) will be. To copy older orders too, "
                        "sync from a date: in the window, Sync > Sync from a date...; in a terminal, "
                        "bigbooks sync --since DATE.")
            if poll and start is not None:
                report(SyncProgress(0, 0, "listing", message=f"orders modified since {start.isoformat()}"))
                polled, unreadable = await list_orders(ctx, modified_since=start)
                outcomes += [self._unreadable(ctx, item) for item in unreadable]
            if polled and not dry_run and (cursor_value is None or since is not None):
                report(SyncProgress(0, 0, "matching", message="invoices already entered by hand"))
                try:
                    matched = await match_hand_entered_invoices(ctx, polled)
                    first_run = matched.to_json() if matched is not None else None
                except BigBooksError as exc:      # creating now could duplicate hand-entered invoices
                    problem_kind = exc.kind
                    status, problem = RunStatus.FAILED, (
                        "Could not look for invoices entered by hand in FreshBooks, so nothing was synced "
                        f"(the next run tries again): {exc.message}")
            if problem is None:
                handled_upfront = self._prefilter(ctx, polled, work)
                await prefetch(ctx, work)
                await read_snapshot(ctx, work)
                outcomes += await self._process(ctx, polled, work, handled_upfront, report)
            if released:
                finished = {o.order_id for o in outcomes if o.result != "paused"}
                queue_released_orders([i for i in released if i not in finished], keep_only=True)
            if ctx.paused:
                status, problem = RunStatus.FAILED, str(ctx.auth_problem)
                problem_kind = ctx.auth_problem.kind if ctx.auth_problem is not None else None
            if poll and not dry_run and (problem is None or ctx.paused):
                cursor_value = self._advance_cursor(polled, outcomes, server_now, since, cursor_value,
                                                    start is None)
        except asyncio.CancelledError:
            finish_run(run_id, RunStatus.INTERRUPTED, ctx.run_counts(), error="The run was stopped.")
            raise
        except Exception as exc:
            finish_run(run_id, RunStatus.FAILED, ctx.run_counts(), error=str(exc))
            raise
        if self._cancel.is_set() and status is RunStatus.FINISHED:
            status, problem = RunStatus.INTERRUPTED, (
                "Stopped on request between orders; the orders it did not reach are synced by the next run.")
        run = finish_run(run_id, status, ctx.run_counts(), error=problem)
        record_api_windows(run_id, _api_windows(run_id, self.bigcommerce))
        report(SyncProgress(len(outcomes), len(outcomes), "finishing"))
        if problem:
            log_activity(f"Sync paused: {problem}", run_id=run_id)
        summary = self._summary(ctx, run_mode, status, dry_run, started, run.finished_at, outcomes, problem,
                                cursor_value)
        return replace(summary, note=note, first_run=first_run, problem_kind=problem_kind if problem else None)

    # -- steps -----------------------------------------------------------------------------------------

    def _start(self, since: datetime | None, cursor: str | None, first: datetime | None) -> datetime | None:
        if since is not None:
            return since
        if cursor is not None:
            return datetime.fromisoformat(cursor) - self.options.overlap
        return first

    @staticmethod
    async def _store_records(ctx: SyncContext, server_now: datetime, currency: str,
                             report: ProgressCallback) -> None:
        """Catalog and customer sync (when the profile turns them on), before the orders so their items and
        clients are there. A failure to read either is logged and counted; the orders still sync. A sign-in
        problem pauses the run as for orders."""
        steps: tuple[tuple[str, Callable[[], Awaitable[None]]], ...] = (
            ("catalog", partial(sync_catalog, ctx, started=server_now, currency=currency)),
            ("customers", partial(sync_customers, ctx, started=server_now)))
        for stage, step in steps:
            report(SyncProgress(0, 0, stage))
            try:
                await step()
            except (AuthError, PermissionDeniedError) as exc:
                ctx.auth_problem = ctx.auth_problem or exc
                return
            except BigBooksError as exc:
                ctx.count(f"{stage}_failed")
                log_activity(f"The {stage} could not be synced this run ({exc.message}); the next run tries "
                             "again. Orders are synced as usual.", level=ActivityLevel.WARNING,
                             run_id=ctx.run_id)

    @staticmethod
    def _unreadable(ctx: SyncContext, item: UnreadableOrder) -> OrderOutcome:
        entry = unreadable_entry(ctx, item)
        return OrderOutcome(item.order_id or 0, "failed", stage="ingest", message=item.message,
                            error_id=entry.id if entry is not None else None)

    def _prefilter(self, ctx: SyncContext, polled: Sequence[bc.Order],
                   work: dict[int, tuple[bc.Order | int, dict[str, Any]]]) -> dict[int, OrderOutcome]:
        """Orders settled without reading their details: unchanged since the last sync, not invoiceable and
        never synced, or held (undone, an ambiguous first-run match waiting in the inbox). The rest join
        `work`. Returns the outcomes of the orders settled here."""
        links = get_order_links([o.id for o in polled])
        ambiguities = waiting_ambiguities() if polled else {}
        settled: dict[int, OrderOutcome] = {}
        not_invoiced: list[OrderCopy] = []      # their local copies (store.order_copies), saved together
        for order in polled:
            if order.id in work:
                work[order.id] = (order, work[order.id][1])
                continue
            link = links.get(order.id)
            held = held_reason(order.id, link, ambiguities)
            if held is not None:
                ctx.count("orders_skipped")
                ctx.count("orders_held")
                settled[order.id] = OrderOutcome(order.id, "skipped", message=held)
            elif link is not None and link.order_date_modified == order.date_modified:
                ctx.count("orders_skipped")
                settled[order.id] = OrderOutcome(order.id, "unchanged")
            elif link is None and (reason := ineligibility_reason(order, ctx.profile)) is not None \
                    and not order.is_deleted:
                ctx.count("orders_skipped")
                ctx.count("orders_ineligible")
                settled[order.id] = OrderOutcome(order.id, "unchanged")
                not_invoiced.append(order_copy(bc.OrderDetail(order=order),
                                               OrderOutcome(order.id, "ineligible", message=reason), None))
            else:
                work[order.id] = (order, {})
        ctx.count("orders_seen", len(set(work) | set(settled)))
        if not_invoiced and not ctx.dry_run:
            with transaction():
                for copy in not_invoiced:
                    save_order_copy(copy)
        return settled

    async def _process(self, ctx: SyncContext, polled: Sequence[bc.Order],
                       work: dict[int, tuple[bc.Order | int, dict[str, Any]]], settled: dict[int, OrderOutcome],
                       report: ProgressCallback) -> list[OrderOutcome]:
        total = len(work) + len(settled)
        done = len(settled)
        outcomes = list(settled.values())
        semaphore = asyncio.Semaphore(self.options.concurrency)
        report(SyncProgress(done, total, "syncing"))
        since_checkpoint = 0

        async def one(order: bc.Order | int, edits: dict[str, Any]) -> None:
            nonlocal done, since_checkpoint
            async with semaphore:
                if self._cancel.is_set():           # stopped: orders not started are left for the next run
                    return
                outcome = await sync_order(ctx, order, edits=edits)
            outcomes.append(outcome)
            done += 1
            since_checkpoint += 1
            report(SyncProgress(done, total, outcome.result, order_id=outcome.order_id,
                                message=outcome.message))
            if since_checkpoint >= self.options.checkpoint_every and not ctx.dry_run:
                since_checkpoint = 0
                self._checkpoint(polled, outcomes)

        # orders paid with a gift certificate or store credit pay from the client's FreshBooks credit, which
        # an earlier order of the same run (the certificate's sale, a refund to store credit) may create:
        # they go after the others
        def spends_credit(order: bc.Order | int) -> bool:
            return isinstance(order, bc.Order) and ctx.profile.gift_certificate_policy == "client_credit" and \
                (order.gift_certificate_amount > 0 or order.store_credit_amount > 0)

        for phase in (False, True):
            tasks = [asyncio.create_task(one(order, edits)) for order, edits in work.values()
                     if spends_credit(order) is phase]
            try:
                await asyncio.gather(*tasks)
            except BaseException:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
        return outcomes

    @staticmethod
    def _handled_prefix(polled: Sequence[bc.Order],
                        outcomes: Sequence[OrderOutcome]) -> tuple[int, datetime | None]:
        finished = {o.order_id for o in outcomes if o.result != "paused"}
        count, last = 0, None
        for order in polled:           # sorted by date_modified ascending
            if order.id not in finished:
                break
            count, last = count + 1, order.date_modified
        return count, last

    def _checkpoint(self, polled: Sequence[bc.Order], outcomes: Sequence[OrderOutcome]) -> None:
        count, last = self._handled_prefix(polled, outcomes)
        current = get_cursor(ORDERS_STREAM)
        if last is not None and 0 < count < len(polled) and \
                (current is None or datetime.fromisoformat(current) < last):
            set_cursor(ORDERS_STREAM, last.isoformat())

    def _advance_cursor(self, polled: Sequence[bc.Order], outcomes: Sequence[OrderOutcome],
                        server_now: datetime, since: datetime | None, current: str | None,
                        first_from_now: bool) -> str | None:
        count, last = self._handled_prefix(polled, outcomes)
        if count == len(polled):
            target: datetime | None = server_now
        else:
            target = last
        if target is None:
            return current
        if current is not None and datetime.fromisoformat(current) >= target:
            return current
        if since is not None and current is not None and datetime.fromisoformat(current) < since:
            return current            # a backfill from later than the cursor leaves the gap to be read
        set_cursor(ORDERS_STREAM, target.isoformat())
        if first_from_now:
            log_activity("First sync: orders modified from now on will be synced.")
        return target.isoformat()

    def _summary(self, ctx: SyncContext, mode: RunMode, status: RunStatus, dry_run: bool, started: datetime,
                 finished: datetime | None, outcomes: Sequence[OrderOutcome], problem: str | None,
                 cursor: str | None) -> RunSummary:
        results = Counter(o.result for o in outcomes)
        failed = [{"order_id": o.order_id, "stage": o.stage, "message": o.message, "error_id": o.error_id}
                  for o in outcomes if o.result in ("failed", "drift", "flagged")]
        planned = [o.plan for o in outcomes if o.plan is not None]
        skipped = [{"order_id": o.order_id, "reason": o.message} for o in outcomes if o.result == "skipped"]
        return RunSummary(
            run_id=ctx.run_id, mode=mode.value, status=status.value, dry_run=dry_run,
            started_at=started.isoformat(), finished_at=(finished or started).isoformat(),
            counts={**ctx.run_counts().to_json(), **dict(ctx.tally)}, results=dict(results),
            failed=sorted(failed, key=lambda f: f["order_id"]),
            inbox_active=count_errors(status=ACTIVE_STATUSES), inbox_records=count_subject_errors(),
            cursor=cursor, problem=problem,
            api_calls={"bigcommerce": _stats(self.bigcommerce), "freshbooks": _stats(self.freshbooks)},
            planned=[_plain(p) for p in sorted(planned, key=lambda p: p.order_id)],
            planned_totals=_totals(planned), skipped=sorted(skipped, key=lambda s: s["order_id"]))


def _api_windows(run_id: int, client: Any) -> list[ApiWindow]:
    """The BigCommerce budget windows the client's governor saw (connectors.bigcommerce.budget)."""
    budget = getattr(getattr(client, "governor", None), "budget", None)
    if budget is None:
        return []
    return [ApiWindow(run_id=run_id, ends_at=w.ends_at, window_seconds=w.window_seconds, quota=w.quota,
                      used=w.used, ours=w.ours) for w in budget.windows()]


def _stats(client: Any) -> dict[str, Any]:
    stats = getattr(client, "stats", None)
    return stats.snapshot() if stats is not None else {}


def _plain(plan: PlannedOrder) -> dict[str, Any]:
    data = asdict(plan)
    data.pop("client_key")            # the customer's email or id: counted, not shown
    return {k: (str(v) if isinstance(v, Decimal) else list(v) if isinstance(v, tuple) else v)
            for k, v in data.items()}


def _totals(planned: Sequence[PlannedOrder]) -> dict[str, Any]:
    by_currency: dict[str, dict[str, Decimal]] = {}
    for plan in planned:
        bucket = by_currency.setdefault(plan.currency, {"invoices": Decimal(0), "payments": Decimal(0),
                                                        "credits": Decimal(0)})
        if plan.action == "create":
            bucket["invoices"] += plan.total
        bucket["payments"] += plan.payment_total
        bucket["credits"] += plan.credit_total
    return {
        "invoices_to_create": sum(1 for p in planned if p.action == "create"),
        # orders of one customer share the client the first of them creates
        "clients_to_create": len({p.client_key or f"order {p.order_id}" for p in planned if p.client == "create"}),
        "items_to_create": sorted({s for p in planned for s in p.items_to_create}),
        "taxes_to_create": sorted({t for p in planned for t in p.taxes_to_create}),
        "payments_to_create": sum(p.payments for p in planned),
        "credits_to_create": sum(p.credits for p in planned),
        "amounts": {cur: {k: str(v) for k, v in bucket.items()} for cur, bucket in by_currency.items()},
    }


