"""The error queue (the inbox): one active row per (order, stage), retry scheduling, user edits, history.

Statuses: `retrying` (an automatic retry is due at `next_retry_at`), `waiting` (needs the user: a permanent
kind, or the automatic retries ran out), `open` (the user edited the payload or asked for a retry; due now),
then `resolved` or `ignored`, which are history and never change again. A failure recorded after a row was
resolved starts a new row.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bigbooks_desktop.core.errors import BigBooksError, ErrorKind, NotFoundError, RateLimitedError
from bigbooks_desktop.core.redact import redact, redact_mapping
from bigbooks_desktop.core.view_states import InboxStage as ErrorStage  # one enum each: kept here, shown
from bigbooks_desktop.core.view_states import InboxStatus as ErrorStatus  # by the window as the inbox's
from bigbooks_desktop.store import statements
from bigbooks_desktop.store.fields import utc_now
from bigbooks_desktop.store.rows import ErrorFixRow, ErrorRow, database_proxy

__all__ = [
    "ACTIVE_STATUSES",
    "TRANSIENT_KINDS",
    "ErrorDetails",
    "ErrorEntry",
    "ErrorStage",
    "ErrorStatus",
    "FixAction",
    "FixRecord",
    "RetryPolicy",
    "active_error",
    "active_subject_error",
    "active_subject_errors",
    "count_errors",
    "count_subject_errors",
    "due_retries",
    "edit_error",
    "get_error",
    "ignore_error",
    "list_errors",
    "list_fixes",
    "record_error",
    "record_fix",
    "resolve_errors",
    "resolve_subject",
    "retry_error_now",
]


ACTIVE_STATUSES = frozenset({ErrorStatus.OPEN, ErrorStatus.RETRYING, ErrorStatus.WAITING})
TRANSIENT_KINDS = frozenset({ErrorKind.TRANSIENT, ErrorKind.RATE_LIMIT})


@dataclass(frozen=True, slots=True)
class ErrorDetails:
    """An error described without an exception object."""

    kind: ErrorKind
    title: str
    message: str
    retry_after: float | None = None  # seconds the service asked us to wait, when it said
    cause: Mapping[str, Any] | None = None   # why, as data: {"code": "ambiguous_invoice", ...}


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter for transient failures."""

    max_retries: int = 5                              # automatic retries after the first failure
    base_delay: timedelta = timedelta(minutes=1)      # wait before the first retry
    max_delay: timedelta = timedelta(hours=6)         # cap for one wait
    jitter: float = 0.2                               # +/- share of the delay, spreads retries of many orders

    def delay(self, attempt: int, rng: random.Random) -> timedelta:
        """Wait before retry number `attempt` (1-based)."""
        raw: timedelta = self.base_delay * (2 ** max(0, attempt - 1))
        capped = min(raw, self.max_delay)
        return timedelta(seconds=capped.total_seconds() * rng.uniform(1 - self.jitter, 1 + self.jitter))


@dataclass(frozen=True, slots=True)
class ErrorEntry:
    id: int
    order_id: int | None
    stage: ErrorStage
    kind: ErrorKind
    title: str
    message: str
    payload: dict[str, Any]
    edits: dict[str, Any]
    attempts: int
    next_retry_at: datetime | None
    status: ErrorStatus
    run_id: int | None
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    cause: dict[str, Any] = field(default_factory=dict)   # {"code": "missing_email"|"unknown_sku"|..., params}
    subject: str | None = None          # a row about an item or client, not an order: "item:SKU", "client:KEY"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class FixAction(StrEnum):
    """What someone did about an inbox row."""

    EDITED = "edited"            # a fix saved (an email, a SKU mapping, a tax mapping, an invoice picked)
    RETRY = "retry"              # asked to retry now
    IGNORED = "ignored"          # left alone, with a reason
    CARRIED = "carried"          # an earlier row's fix, kept when the order failed again at another stage


@dataclass(frozen=True, slots=True)
class FixRecord:
    id: int
    error_id: int
    order_id: int | None
    at: datetime
    actor: str
    action: FixAction
    text: str
    details: dict[str, Any]


def _entry(row: ErrorRow) -> ErrorEntry:
    return ErrorEntry(id=row.id, order_id=row.order_id, stage=ErrorStage(row.stage), kind=ErrorKind(row.kind),
                      title=row.title, message=row.message, payload=row.payload, edits=row.edits,
                      attempts=row.attempts, next_retry_at=row.next_retry_at, status=ErrorStatus(row.status),
                      run_id=row.run_id, created_at=row.created_at, updated_at=row.updated_at,
                      resolved_at=row.resolved_at, cause=dict(row.cause or {}), subject=row.subject)


_ACTIVE_VALUES = [s.value for s in ACTIVE_STATUSES]
_ACTIVE_MARKS = ", ".join("?" for _ in _ACTIVE_VALUES)
_system_rng = random.Random()  # noqa: S311 - jitter for retry timing, not cryptography


def _active_row(order_id: int | None, stage: ErrorStage, subject: str | None = None) -> ErrorRow | None:
    where, params = _order_clause(order_id)
    if subject is None:
        where += ' AND "subject" IS NULL'
    else:
        where += ' AND "subject" = ?'
        params.append(subject)
    return statements.select_one(ErrorRow, f'{where} AND "stage" = ? AND "status" IN ({_ACTIVE_MARKS})',
                                 (*params, stage.value, *_ACTIVE_VALUES))


def _order_clause(order_id: int | None) -> tuple[str, list[Any]]:
    return ('"order_id" IS NULL', []) if order_id is None else ('"order_id" = ?', [order_id])


def active_subject_errors(prefix: str) -> list[ErrorEntry]:
    """The active rows about items or clients whose subject starts with `prefix` ("item:", "client:")."""
    rows = ErrorRow.select().where(ErrorRow.subject.startswith(prefix) & ErrorRow.status.in_(_ACTIVE_VALUES))
    return [_entry(row) for row in rows.order_by(ErrorRow.id)]


def active_subject_error(subject: str) -> ErrorEntry | None:
    """The active row about `subject` ("item:SKU", "client:KEY"), if any."""
    row = ErrorRow.get_or_none((ErrorRow.subject == subject) & ErrorRow.status.in_(_ACTIVE_VALUES))
    return None if row is None else _entry(row)


def resolve_subject(subject: str, *, now: datetime | None = None) -> int:
    """Mark the active rows about `subject` resolved. Returns how many."""
    at = now or utc_now()
    return int(ErrorRow.update(status=ErrorStatus.RESOLVED.value, resolved_at=at, updated_at=at,
                               next_retry_at=None)
               .where((ErrorRow.subject == subject) & ErrorRow.status.in_(_ACTIVE_VALUES)).execute())


def active_error(order_id: int | None, stage: ErrorStage) -> ErrorEntry | None:
    row = _active_row(order_id, stage)
    return None if row is None else _entry(row)


def record_error(order_id: int | None, stage: ErrorStage, error: BigBooksError | ErrorDetails,
                 payload: Mapping[str, Any] | None = None, *, run_id: int | None = None,
                 transient: bool | None = None, policy: RetryPolicy | None = None,
                 now: datetime | None = None, rng: random.Random | None = None,
                 subject: str | None = None) -> ErrorEntry:
    """Record a failure: update the active row for (order, stage) or start one, and schedule what follows.

    `transient` defaults to the error's kind (transient / rate-limit). A transient failure is retried
    automatically after a backoff (never sooner than a rate limit's retry-after) until `policy.max_retries`
    retries have failed; then, and at once for permanent kinds, the row waits for the user.
    The user's `edits` survive new attempts; `payload` replaces the snapshot when given.
    """
    at = now or utc_now()
    rules = policy or RetryPolicy()
    kind, title, message, retry_after, cause = _describe(error)
    is_transient = kind in TRANSIENT_KINDS if transient is None else transient
    with database_proxy.atomic():
        row = _active_row(order_id, stage, subject)
        attempts = 1 if row is None else row.attempts + 1
        if is_transient and attempts <= rules.max_retries:
            status = ErrorStatus.RETRYING
            wait = rules.delay(attempts, rng or _system_rng)
            if retry_after is not None:
                wait = max(wait, timedelta(seconds=retry_after))
            next_retry_at: datetime | None = at + wait
        else:
            status = ErrorStatus.WAITING
            next_retry_at = None
        values: dict[str, Any] = {"kind": kind.value, "title": title, "message": message,
                                  "attempts": attempts, "cause": cause,
                                  "next_retry_at": next_retry_at, "status": status.value, "run_id": run_id,
                                  "updated_at": at}
        if payload is not None:
            values["payload"] = redact_mapping(dict(payload))
        if row is None:
            values.setdefault("payload", {})
            row = ErrorRow.create(order_id=order_id, stage=stage.value, edits={}, created_at=at,
                                  resolved_at=None, subject=subject, **values)
        else:
            ErrorRow.update(**values).where(ErrorRow.id == row.id).execute()
        entry = get_error(row.id)
    assert entry is not None
    return entry


def _describe(error: BigBooksError | ErrorDetails) -> tuple[ErrorKind, str, str, float | None, dict[str, Any]]:
    """Kind, title, message, retry-after and the structured cause (`details["cause"]` of a core error)."""
    if isinstance(error, BigBooksError):
        retry_after = error.retry_after if isinstance(error, RateLimitedError) else None
        cause = error.details.get("cause")
        return error.kind, error.title, error.message, retry_after, dict(cause) if isinstance(cause, Mapping) \
            else {}
    return error.kind, redact(error.title), redact(error.message), error.retry_after, dict(error.cause or {})


def resolve_errors(order_id: int | None, stages: Collection[ErrorStage] | None = None, *,
                   now: datetime | None = None) -> int:
    """Mark the order's active rows (all stages, or the given ones) resolved. Returns how many."""
    at = now or utc_now()
    where, params = _order_clause(order_id)
    where += f' AND "status" IN ({_ACTIVE_MARKS})'
    params.extend(_ACTIVE_VALUES)
    if stages is not None:
        where += f' AND "stage" IN ({", ".join("?" for _ in stages)})'
        params.extend(s.value for s in stages)
    return statements.update(ErrorRow, {"status": ErrorStatus.RESOLVED.value, "resolved_at": at, "updated_at": at,
                                        "next_retry_at": None}, where, params)


def get_error(error_id: int) -> ErrorEntry | None:
    row = ErrorRow.get_or_none(ErrorRow.id == error_id)
    return None if row is None else _entry(row)


def _status_values(status: ErrorStatus | Collection[ErrorStatus]) -> list[str]:
    return [status.value] if isinstance(status, ErrorStatus) else [s.value for s in status]


def list_errors(*, status: ErrorStatus | Collection[ErrorStatus] | None = None, order_id: int | None = None,
                limit: int = 100, offset: int = 0) -> list[ErrorEntry]:
    """Rows newest-updated first; `status` filters (e.g. ACTIVE_STATUSES for the inbox)."""
    query = ErrorRow.select()
    if status is not None:
        query = query.where(ErrorRow.status.in_(_status_values(status)))
    if order_id is not None:
        query = query.where(ErrorRow.order_id == order_id)
    query = query.order_by(ErrorRow.updated_at.desc(), ErrorRow.id.desc()).limit(limit).offset(offset)
    return [_entry(row) for row in query]


def count_errors(*, status: ErrorStatus | Collection[ErrorStatus] | None = None) -> int:
    query = ErrorRow.select()
    if status is not None:
        query = query.where(ErrorRow.status.in_(_status_values(status)))
    return int(query.count())


def count_subject_errors() -> int:
    """How many active rows are about items or clients (a subject), not orders."""
    return int(ErrorRow.select().where(ErrorRow.subject.is_null(False) & ErrorRow.status.in_(_ACTIVE_VALUES)).count())


def due_retries(now: datetime | None = None, *, limit: int | None = None) -> list[ErrorEntry]:
    """Rows whose retry is due (`retrying` or `open`, next_retry_at <= now), soonest first."""
    query = (ErrorRow.select()
             .where(ErrorRow.status.in_([ErrorStatus.RETRYING.value, ErrorStatus.OPEN.value])
                    & (ErrorRow.next_retry_at <= (now or utc_now())))
             .order_by(ErrorRow.next_retry_at, ErrorRow.id))
    if limit is not None:
        query = query.limit(limit)
    return [_entry(row) for row in query]


def _change_active(error_id: int, values: dict[str, Any]) -> ErrorEntry:
    with database_proxy.atomic():
        row = ErrorRow.get_or_none(ErrorRow.id == error_id)
        if row is None:
            raise NotFoundError(f"Problem {error_id} is no longer in the inbox.", title="Problem not found")
        if row.status not in _ACTIVE_VALUES:
            raise ValueError(f"problem {error_id} is {row.status}; only open problems can change")
        ErrorRow.update(**values).where(ErrorRow.id == error_id).execute()
        entry = get_error(error_id)
    assert entry is not None
    return entry


def edit_error(error_id: int, edits: Mapping[str, Any], *, now: datetime | None = None) -> ErrorEntry:
    """Merge the user's fixes into the row's edits (a None value removes a fix) and make the retry due now."""
    at = now or utc_now()
    current = get_error(error_id)
    merged = dict(current.edits) if current is not None else {}
    for key, value in edits.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return _change_active(error_id, {"edits": merged, "status": ErrorStatus.OPEN.value, "next_retry_at": at,
                                     "updated_at": at})


def retry_error_now(error_id: int, *, now: datetime | None = None) -> ErrorEntry:
    """The user's "Retry": due now, whatever the backoff said."""
    at = now or utc_now()
    return _change_active(error_id, {"status": ErrorStatus.OPEN.value, "next_retry_at": at, "updated_at": at})


def ignore_error(error_id: int, *, now: datetime | None = None) -> ErrorEntry:
    """The user chose to leave this problem alone; the row stays as history."""
    at = now or utc_now()
    return _change_active(error_id, {"status": ErrorStatus.IGNORED.value, "next_retry_at": None,
                                     "resolved_at": at, "updated_at": at})


def _fix(row: ErrorFixRow) -> FixRecord:
    return FixRecord(id=row.id, error_id=row.error_id, order_id=row.order_id, at=row.at, actor=row.actor,
                     action=FixAction(row.action), text=row.text, details=dict(row.details or {}))


def record_fix(error_id: int, action: FixAction, text: str, *, actor: str,
               details: Mapping[str, Any] | None = None, now: datetime | None = None) -> FixRecord:
    """Write down what someone did about inbox row `error_id` (its history; text and details redacted)."""
    entry = get_error(error_id)
    row = ErrorFixRow.create(error_id=error_id, order_id=entry.order_id if entry is not None else None,
                             at=now or utc_now(), actor=actor, action=action.value, text=redact(text),
                             details=redact_mapping(dict(details or {})))
    return _fix(row)


def list_fixes(*, error_id: int | None = None, order_id: int | None = None) -> list[FixRecord]:
    """History oldest first: of one row, or of every row of an order (a fix made on an earlier row of it)."""
    query = ErrorFixRow.select()
    if error_id is not None:
        query = query.where(ErrorFixRow.error_id == error_id)
    if order_id is not None:
        query = query.where(ErrorFixRow.order_id == order_id)
    return [_fix(row) for row in query.order_by(ErrorFixRow.at, ErrorFixRow.id)]
