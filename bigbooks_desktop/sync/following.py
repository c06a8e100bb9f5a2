"""What catalog sync and customer sync share: FreshBooks objects (items, clients) that follow BigCommerce ones.

- `StreamPass`: one run's read of a BigCommerce stream from its cursor (`OVERLAP` before it, clock skew and
  paging shifts), one attempt per object (a failure for a passing reason, the network or a rate limit, keeps the
  cursor before that object so the next run reads it again; any other waits in the inbox) and the cursor saved;
- `listed_within`, `renew_snapshot` and `first_by`: FreshBooks' active objects as one list read when that costs
  fewer calls than one read each (`sync.books_lookups`);
- `unchanged`: whether BigCommerce says what it said when the object was last synced;
- `log_update`: the activity line of a merge written to FreshBooks;
- `scan_deleted`: once a day, the followed objects whose BigCommerce source is no longer listed.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from bigbooks_desktop.core.errors import AuthError, BigBooksError, ErrorKind, PermissionDeniedError
from bigbooks_desktop.store.cursors import get_cursor, set_cursor
from bigbooks_desktop.store.entity_state import EntityKind, EntityState, EntityStatus, get_states
from bigbooks_desktop.store.error_queue import ErrorStage, record_error
from bigbooks_desktop.store.runs import log_activity
from bigbooks_desktop.sync.books_lookups import BooksSnapshot
from bigbooks_desktop.sync.context import SyncContext
from bigbooks_desktop.sync.field_merge import STORE, Merge

__all__ = ["ID_SCAN_EVERY", "OVERLAP", "StreamPass", "first_by", "listed_within", "log_update", "renew_snapshot",
           "scan_deleted", "unchanged"]

T = TypeVar("T")

OVERLAP = timedelta(minutes=5)              # re-read this much before the cursor (clock skew, paging shifts)
ID_SCAN_EVERY = timedelta(hours=24)


class ListWithin(Protocol[T]):
    """`BooksTarget.active_items_within` / `active_clients_within`."""

    def __call__(self, max_pages: int) -> Awaitable[list[T] | None]: ...


class StreamPass:
    """One run's read of `stream` from its cursor (see the module docstring); `started` is BigCommerce's clock
    at the run's start, where the cursor moves to when nothing failed for a passing reason."""

    def __init__(self, ctx: SyncContext, stream: str, started: datetime) -> None:
        self.ctx, self.stream, self.started = ctx, stream, started
        cursor = get_cursor(stream)
        self.since = datetime.fromisoformat(cursor) - OVERLAP if cursor else None
        self.failed: list[datetime] = []

    async def attempt(self, work: Awaitable[None], *, modified: datetime | None, stage: ErrorStage, subject: str,
                      payload: Callable[[], Mapping[str, object]], counter: str) -> None:
        """Await `work` (one object's sync); a failure is recorded about `subject`, sign-in and permission
        failures stop the run."""
        try:
            await work
        except (AuthError, PermissionDeniedError):
            raise
        except BigBooksError as exc:
            if exc.kind in (ErrorKind.TRANSIENT, ErrorKind.RATE_LIMIT):     # read again next run
                self.failed.append(modified or self.started)
            record_error(None, stage, exc, payload(), run_id=self.ctx.run_id, policy=self.ctx.retry_policy,
                         subject=subject)
            self.ctx.count(counter)

    def save(self) -> None:
        """Move the cursor: to just before the oldest passing failure, else to the run's start."""
        if not self.ctx.dry_run:
            set_cursor(self.stream,
                       (min(self.failed) - timedelta(seconds=1) if self.failed else self.started).isoformat())


async def listed_within(count: int, read: ListWithin[T]) -> list[T] | None:
    """FreshBooks' active objects in one list read when that costs fewer calls than `count` reads one each
    (None: not read, or more pages than that)."""
    if count < 2:
        return None
    return await read(max_pages=count - 1)


def renew_snapshot(ctx: SyncContext) -> BooksSnapshot:
    """The run's snapshot (a new one when there is none), read now: the caller sets what it read."""
    snapshot = ctx.books if isinstance(ctx.books, BooksSnapshot) else BooksSnapshot()
    snapshot.read_at = time.monotonic()
    ctx.books = snapshot
    return snapshot


def first_by(objects: Iterable[T], key: Callable[[T], str]) -> dict[str, T]:
    """`objects` by `key`, the first of each key kept (a snapshot's clients by email, items by SKU)."""
    found: dict[str, T] = {}
    for obj in objects:
        found.setdefault(key(obj), obj)
    return found


def unchanged(state: EntityState, desired: Mapping[str, str]) -> bool:
    """Whether every desired value is the one BigCommerce said when the object was last synced."""
    return all(state.values.get(STORE + name, state.values.get(name)) == value for name, value in desired.items())


def log_update(ctx: SyncContext, what: str, merge: Merge, *, reason: str, counter: str) -> None:
    """The activity line of a merge just written to FreshBooks (`what`: "item 12 (MUG-1)"), old and new values."""
    changes = "; ".join(f"{name}: {old!r} -> {new!r}" for name, (old, new) in merge.overwrites.items())
    log_activity(f"Updated FreshBooks {what}, {reason}: {changes}.", run_id=ctx.run_id)
    ctx.count(counter)


async def scan_deleted(ctx: SyncContext, *, stream: str, kind: EntityKind, started: datetime,
                       listed: set[int] | None, list_ids: Callable[[], Awaitable[list[int]]],
                       gone: Callable[[EntityState], Awaitable[None]]) -> None:
    """Once a day (`stream` keeps when; `listed`: every source id, when the run read them all anyway):
    `gone(state)` for each active object of `kind` whose BigCommerce source is no longer listed."""
    last = get_cursor(stream)
    if listed is None and last is not None and started - datetime.fromisoformat(last) < ID_SCAN_EVERY:
        return
    states = [s for s in get_states(kind).values() if s.status is EntityStatus.ACTIVE]
    if states:
        alive = listed if listed is not None else set(await list_ids())
        for state in states:
            if state.source_id not in alive and not ctx.dry_run:
                await gone(state)
    if not ctx.dry_run:
        set_cursor(stream, started.isoformat())
