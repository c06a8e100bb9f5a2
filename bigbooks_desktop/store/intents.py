"""Write-ahead intents of the exactly-once protocol: recorded before a FreshBooks write, completed after it.

A process killed between the write and `complete_intent` leaves the intent pending; the next run finds it with
`pending_intents()` (or gets it back from `begin_intent`, with `resumed=True`) and must look the object up in
FreshBooks by its natural key before writing again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from bigbooks_desktop.core.errors import NotFoundError
from bigbooks_desktop.core.view_states import ObjectKind as IntentKind  # one enum: what a write makes
from bigbooks_desktop.store import statements
from bigbooks_desktop.store.fields import utc_now
from bigbooks_desktop.store.rows import IntentRow, database_proxy

__all__ = [
    "Intent",
    "IntentKind",
    "IntentSpec",
    "IntentState",
    "abandon_intent",
    "begin_intent",
    "begin_intents",
    "complete_intent",
    "find_pending_intent",
    "get_intent",
    "intent_keys_for_order",
    "note_intent_object",
    "pending_intents",
]


class IntentState(StrEnum):
    PENDING = "pending"      # about to write, or wrote and crashed before recording the outcome
    DONE = "done"            # the write happened; object_id names what it created or changed
    ABANDONED = "abandoned"  # the write was found unnecessary or impossible; nothing to recover


@dataclass(frozen=True, slots=True)
class Intent:
    id: int
    kind: IntentKind
    natural_key: str
    order_id: int | None
    run_id: int | None
    payload: dict[str, Any]
    state: IntentState
    object_id: int | None
    created_at: datetime
    updated_at: datetime
    resumed: bool = False  # True when begin_intent found this intent already pending (a crashed earlier try)


@dataclass(frozen=True, slots=True)
class IntentSpec:
    """One intent for `begin_intents`."""

    kind: IntentKind
    natural_key: str
    order_id: int | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)


def _intent(row: IntentRow, *, resumed: bool = False) -> Intent:
    return Intent(id=row.id, kind=IntentKind(row.kind), natural_key=row.natural_key,
                  order_id=row.order_id, run_id=row.run_id, payload=row.payload,
                  state=IntentState(row.state), object_id=row.object_id,
                  created_at=row.created_at, updated_at=row.updated_at, resumed=resumed)


def get_intent(intent_id: int) -> Intent | None:
    row = statements.select_one(IntentRow, '"id" = ?', (intent_id,))
    return None if row is None else _intent(row)


def find_pending_intent(kind: IntentKind, natural_key: str) -> Intent | None:
    row = statements.select_one(IntentRow, '"kind" = ? AND "natural_key" = ? AND "state" = ?',
                                (kind.value, natural_key, IntentState.PENDING.value))
    return None if row is None else _intent(row)


def begin_intent(kind: IntentKind, natural_key: str, *, order_id: int | None = None,
                 run_id: int | None = None, payload: Mapping[str, Any] | None = None,
                 now: datetime | None = None) -> Intent:
    """Record the intent to write; if one is pending for (kind, key), return it with `resumed=True`."""
    spec = IntentSpec(kind=kind, natural_key=natural_key, order_id=order_id, payload=payload or {})
    return begin_intents([spec], run_id=run_id, now=now)[0]


def begin_intents(specs: Sequence[IntentSpec], *, run_id: int | None = None,
                  now: datetime | None = None) -> list[Intent]:
    """`begin_intent` for many at once, in one transaction; results in the order of `specs`."""
    at = (now or utc_now()).astimezone(UTC)        # as the store reads it back
    result: list[Intent] = []
    with database_proxy.atomic():
        existing = _pending_by_key([(s.kind.value, s.natural_key) for s in specs])
        created: dict[tuple[str, str], Intent] = {}
        for spec in specs:
            key = (spec.kind.value, spec.natural_key)
            if key in existing:
                result.append(replace(existing[key], resumed=True))
                continue
            if key not in created:
                stored = IntentRow.payload.db_value(spec.payload)
                intent_id = statements.insert(IntentRow, {
                    "kind": spec.kind.value, "natural_key": spec.natural_key, "order_id": spec.order_id,
                    "run_id": run_id, "payload": stored, "state": IntentState.PENDING.value,
                    "object_id": None, "created_at": at, "updated_at": at}, stored=("payload",))
                created[key] = Intent(id=intent_id, kind=spec.kind, natural_key=spec.natural_key,
                                      order_id=spec.order_id, run_id=run_id,
                                      payload=IntentRow.payload.python_value(stored),
                                      state=IntentState.PENDING, object_id=None, created_at=at, updated_at=at)
            result.append(created[key])
    return result


def _pending_by_key(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Intent]:
    found: dict[tuple[str, str], Intent] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, natural_key in keys:
        by_kind.setdefault(kind, []).append(natural_key)
    for kind, natural_keys in by_kind.items():
        for start in range(0, len(natural_keys), 500):
            batch = natural_keys[start:start + 500]
            marks = ", ".join("?" for _ in batch)
            rows = statements.select(IntentRow, f'"kind" = ? AND "natural_key" IN ({marks}) AND "state" = ?',
                                     (kind, *batch, IntentState.PENDING.value))
            for row in rows:
                found[(row.kind, row.natural_key)] = _intent(row)
    return found


def note_intent_object(intent_id: int, object_id: int, *, now: datetime | None = None) -> None:
    """Remember the FreshBooks id as soon as the write returns, before the rest of the step is recorded."""
    statements.update(IntentRow, {"object_id": object_id, "updated_at": now or utc_now()}, '"id" = ?',
                      (intent_id,))


def complete_intent(intent_id: int, object_id: int | None = None, *, now: datetime | None = None) -> Intent:
    """Mark the intent done (its write happened), with the FreshBooks id it created or changed."""
    return _settle(intent_id, IntentState.DONE, object_id, now)


def abandon_intent(intent_id: int, *, now: datetime | None = None) -> Intent:
    """Mark the intent abandoned: nothing was written and nothing needs recovering."""
    return _settle(intent_id, IntentState.ABANDONED, None, now)


def _settle(intent_id: int, state: IntentState, object_id: int | None, now: datetime | None) -> Intent:
    values: dict[str, Any] = {"state": state.value, "updated_at": now or utc_now()}
    if object_id is not None:
        values["object_id"] = object_id
    statements.update(IntentRow, values, '"id" = ?', (intent_id,))
    intent = get_intent(intent_id)
    if intent is None:
        raise NotFoundError(f"Intent {intent_id} is not in the sync database.", title="Unknown intent")
    return intent


def pending_intents(*, kind: IntentKind | None = None, order_id: int | None = None) -> list[Intent]:
    """Intents a crashed run left behind, oldest first."""
    query = IntentRow.select().where(IntentRow.state == IntentState.PENDING.value)
    if kind is not None:
        query = query.where(IntentRow.kind == kind.value)
    if order_id is not None:
        query = query.where(IntentRow.order_id == order_id)
    return [_intent(row) for row in query.order_by(IntentRow.id)]


def intent_keys_for_order(kind: IntentKind, order_id: int) -> set[str]:
    """The natural keys of every intent of `kind` ever recorded for the order (pending, done or abandoned)."""
    rows = IntentRow.select(IntentRow.natural_key).where((IntentRow.kind == kind.value)
                                                         & (IntentRow.order_id == order_id))
    return {row.natural_key for row in rows}
