"""Intents, the error queue and sync runs."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from peewee import SqliteDatabase

from bigbooks_desktop.core.errors import DataError, ErrorKind, NotFoundError, RateLimitedError, TransientError
from bigbooks_desktop.store import error_queue as eq
from bigbooks_desktop.store.error_queue import ErrorDetails, ErrorStage, ErrorStatus, RetryPolicy
from bigbooks_desktop.store.intents import (
    IntentKind,
    IntentState,
    abandon_intent,
    begin_intent,
    complete_intent,
    find_pending_intent,
    note_intent_object,
    pending_intents,
)
from bigbooks_desktop.store.runs import (
    ActivityLevel,
    RunCounts,
    RunMode,
    RunStatus,
    finish_run,
    get_run,
    interrupt_stale_runs,
    list_runs,
    log_activity,
    recent_activity,
    record_run_object,
    record_run_objects,
    run_objects,
    start_run,
)

from .conftest import NOW


def test_intent_lifecycle(db: SqliteDatabase) -> None:
    intent = begin_intent(IntentKind.PAYMENT, "payment:tx-1", order_id=1, run_id=1, payload={"a": 1}, now=NOW)
    assert intent.state is IntentState.PENDING and not intent.resumed
    note_intent_object(intent.id, 55)
    assert find_pending_intent(IntentKind.PAYMENT, "payment:tx-1") is not None
    done = complete_intent(intent.id, now=NOW)
    assert done.state is IntentState.DONE and done.object_id == 55
    # Once done, the same key may be intended again (e.g. a later update), as a new row.
    again = begin_intent(IntentKind.PAYMENT, "payment:tx-1", order_id=1)
    assert again.id != intent.id and not again.resumed
    assert abandon_intent(again.id).state is IntentState.ABANDONED
    assert pending_intents() == []
    with pytest.raises(NotFoundError):
        complete_intent(9999)


def test_one_pending_intent_per_key_in_the_schema(db: SqliteDatabase) -> None:
    from peewee import IntegrityError

    begin_intent(IntentKind.CLIENT, "client:customer:1")
    with pytest.raises(IntegrityError):
        db.execute_sql("INSERT INTO intent (kind, natural_key, payload, state, created_at, updated_at) "
                       "VALUES ('client', 'client:customer:1', '{}', 'pending', 'x', 'x')")


def test_transient_error_backs_off_then_waits(db: SqliteDatabase) -> None:
    policy = RetryPolicy(max_retries=2, jitter=0.0)
    rng = random.Random(1)
    first = eq.record_error(100, ErrorStage.INVOICE, TransientError("FreshBooks timed out"), {"n": 1},
                            run_id=1, policy=policy, now=NOW, rng=rng)
    assert first.status is ErrorStatus.RETRYING and first.attempts == 1
    assert first.next_retry_at == NOW + timedelta(minutes=1)
    assert eq.due_retries(NOW) == []
    assert [e.id for e in eq.due_retries(NOW + timedelta(minutes=1))] == [first.id]
    second = eq.record_error(100, ErrorStage.INVOICE, TransientError("again"), policy=policy, now=NOW,
                             rng=rng)
    assert second.id == first.id and second.attempts == 2 and second.payload == {"n": 1}
    assert second.next_retry_at == NOW + timedelta(minutes=2)
    third = eq.record_error(100, ErrorStage.INVOICE, TransientError("again"), policy=policy, now=NOW, rng=rng)
    assert third.status is ErrorStatus.WAITING and third.attempts == 3 and third.next_retry_at is None
    assert eq.count_errors(status=eq.ACTIVE_STATUSES) == 1


def test_rate_limit_waits_at_least_retry_after_and_jitter_stays_in_bounds(db: SqliteDatabase) -> None:
    entry = eq.record_error(1, ErrorStage.INGEST, RateLimitedError("slow down", retry_after=7200), now=NOW)
    assert entry.next_retry_at is not None and entry.next_retry_at >= NOW + timedelta(hours=2)
    delays = {RetryPolicy().delay(3, random.Random(seed)) for seed in range(20)}
    assert all(timedelta(minutes=3.2) <= d <= timedelta(minutes=4.8) for d in delays) and len(delays) > 1


def test_permanent_error_waits_at_once_and_edit_ignore_resolve(db: SqliteDatabase) -> None:
    entry = eq.record_error(100, ErrorStage.VALIDATE, DataError("Order has no e-mail.", field="email"),
                            {"email": None}, run_id=3, now=NOW)
    assert entry.status is ErrorStatus.WAITING and entry.kind is ErrorKind.VALIDATION
    edited = eq.edit_error(entry.id, {"email": "a@example.com"}, now=NOW)
    assert edited.status is ErrorStatus.OPEN and edited.edits == {"email": "a@example.com"}
    assert [e.id for e in eq.due_retries(NOW)] == [entry.id]
    again = eq.record_error(100, ErrorStage.VALIDATE,
                            ErrorDetails(ErrorKind.VALIDATION, "Still wrong", "Check the e-mail"), now=NOW)
    assert again.id == entry.id and again.edits == {"email": "a@example.com"} and again.attempts == 2
    assert eq.resolve_errors(100, now=NOW) == 1
    resolved = eq.get_error(entry.id)
    assert resolved is not None and resolved.status is ErrorStatus.RESOLVED and resolved.resolved_at == NOW
    with pytest.raises(ValueError, match="only open problems"):
        eq.edit_error(entry.id, {"email": "b@example.com"})
    # A new failure after resolution starts a new row; history keeps the old one.
    fresh = eq.record_error(100, ErrorStage.VALIDATE, DataError("again"), now=NOW)
    assert fresh.id != entry.id and fresh.attempts == 1
    ignored = eq.ignore_error(fresh.id, now=NOW)
    assert ignored.status is ErrorStatus.IGNORED
    assert {e.status for e in eq.list_errors(order_id=100)} == {ErrorStatus.RESOLVED, ErrorStatus.IGNORED}
    with pytest.raises(NotFoundError):
        eq.ignore_error(424242)


def test_errors_redacted_and_resolved_by_stage(db: SqliteDatabase) -> None:
    eq.record_error(5, ErrorStage.CLIENT,
                    ErrorDetails(ErrorKind.AUTH, "t", "failed with access_token=abcdef123456"),
                    {"access_token": "abcdef123456", "email": "x@example.com"}, now=NOW)
    eq.record_error(5, ErrorStage.PAYMENT, TransientError("x"), now=NOW)
    [client_error] = eq.list_errors(status=ErrorStatus.WAITING)
    assert "abcdef123456" not in client_error.message and "abcdef123456" not in str(client_error.payload)
    assert eq.resolve_errors(5, [ErrorStage.PAYMENT], now=NOW) == 1
    active = eq.active_error(5, ErrorStage.CLIENT)
    assert active is not None and active.active
    retried = eq.retry_error_now(active.id, now=NOW)
    assert retried.status is ErrorStatus.OPEN and retried.next_retry_at == NOW


def test_runs_objects_and_activity(db: SqliteDatabase) -> None:
    run = start_run(RunMode.ONCE, now=NOW)
    record_run_object(run, IntentKind.CLIENT, 9, order_id=100, now=NOW)
    record_run_objects(run, [(IntentKind.INVOICE, 10, 100), (IntentKind.PAYMENT, 11, 100)], now=NOW)
    counts = RunCounts(orders_seen=1, orders_synced=1, invoices_created=1, clients_created=1)
    finished = finish_run(run, RunStatus.FINISHED, counts, now=NOW + timedelta(seconds=5))
    assert finished.counts == counts and finished.finished_at == NOW + timedelta(seconds=5)
    assert [(o.object_kind, o.object_id) for o in run_objects(run)] == [
        (IntentKind.CLIENT, 9), (IntentKind.INVOICE, 10), (IntentKind.PAYMENT, 11)]
    assert (counts + counts).orders_seen == 2
    assert RunCounts.from_json({"orders_seen": 3, "from_the_future": 1}).orders_seen == 3

    dead = start_run(RunMode.WATCH, pid=999_999_999)
    alive = start_run(RunMode.BACKFILL)
    assert interrupt_stale_runs(is_alive=lambda pid: pid != 999_999_999) == [dead]
    dead_run, alive_run = get_run(dead), get_run(alive)
    assert dead_run is not None and dead_run.status is RunStatus.INTERRUPTED
    assert alive_run is not None and alive_run.status is RunStatus.RUNNING
    assert [r.id for r in list_runs()] == [alive, dead, run]

    log_activity("Synced order 100 with token=abcdefghijk", run_id=run, order_id=100, now=NOW)
    log_activity("Problem", level=ActivityLevel.ERROR, now=NOW + timedelta(seconds=1))
    recent = recent_activity(10)
    assert [a.level for a in recent] == [ActivityLevel.ERROR, ActivityLevel.INFO]
    assert "abcdefghijk" not in recent[1].message
    assert len(recent_activity(run_id=run)) == 1
