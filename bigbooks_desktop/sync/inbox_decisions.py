"""Conflicts the user decided in the error inbox, applied at the start of a catalog or customer sync run.

A field changed on both sides waits in the inbox as a `field_conflict` row about a subject ("item:SKU",
"client:KEY"); the user picks, per field, which value stays (`edits["choose"]`: field -> "bigcommerce" |
"freshbooks", see `sync.field_merge.Choice`). Each run, before reading BigCommerce, every such row with a choice
is applied the same way for items and clients: the FreshBooks object is read again, merged with the choices
(`merge_fields`), written, its baseline kept (`put_state`) and the row resolved. A field still undecided leaves
the row waiting; an object FreshBooks no longer has (or any other refusal) is recorded on the row. What differs
between items and clients is passed in (`Decisions`). `record_conflict` puts such a row in the inbox (once: a
conflict read again within a run's overlap, already waiting, is not another attempt).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from bigbooks_desktop.core.errors import AuthError, BigBooksError, DataError, PermissionDeniedError
from bigbooks_desktop.store.entity_state import EntityKind, get_states, put_state
from bigbooks_desktop.store.error_queue import (
    ErrorEntry,
    ErrorStage,
    active_subject_error,
    active_subject_errors,
    record_error,
    resolve_subject,
)
from bigbooks_desktop.store.runs import ActivityLevel, log_activity
from bigbooks_desktop.sync.context import SyncContext
from bigbooks_desktop.sync.field_merge import Merge, merge_fields

__all__ = ["REASON", "Decisions", "apply_decisions", "record_conflict", "same_conflict"]

T = TypeVar("T")

REASON = "as chosen in the inbox"


@dataclass(frozen=True)
class Decisions(Generic[T]):
    """What differs between items and clients (`T`: the FreshBooks object, `fb.Item` or `fb.Client`).

    - `subject`: the inbox subject prefix ("item:", "client:"); `kind`, `stage`: the entity and error stage;
    - `source_field`: the payload key naming the BigCommerce id when no baseline is kept ("product_id");
    - `keep_freshbooks`: the fields the profile lets FreshBooks keep;
    - `read(object_id)`: the FreshBooks object now; `values(obj)`: its current values as text;
    - `write(key, object_id, obj, merge)`: write the merge's writes (and log them, saying `REASON`);
    - `other(entry)`: another kind of decision (a shared SKU's `follow`) applied by the caller; True when it
      handled the row.
    """

    subject: str
    kind: EntityKind
    stage: ErrorStage
    source_field: str
    keep_freshbooks: Collection[str]
    read: Callable[[int], Awaitable[T]]
    values: Callable[[T], Mapping[str, str]]
    write: Callable[[str, int, T, Merge], Awaitable[None]]
    other: Callable[[ErrorEntry], bool] | None = None


async def apply_decisions(ctx: SyncContext, decisions: Decisions[T]) -> None:
    """Apply the conflicts the user decided in the inbox about `decisions.subject` (see the module docstring)."""
    for entry in active_subject_errors(decisions.subject):
        if decisions.other is not None and decisions.other(entry):
            continue
        choose = entry.edits.get("choose")
        cause = entry.cause
        if not isinstance(choose, dict) or cause.get("code") != "field_conflict" or ctx.dry_run:
            continue
        key, object_id = str(cause["key"]), int(cause["object_id"])
        desired = {str(k): str(v) for k, v in dict(entry.payload.get("desired") or {}).items()}
        state = get_states(decisions.kind, [key]).get(key)
        try:
            obj = await decisions.read(object_id)
        except (AuthError, PermissionDeniedError):
            raise
        except BigBooksError as exc:          # e.g. the object was deleted in FreshBooks: the row says so
            record_error(None, decisions.stage, exc, entry.payload, run_id=ctx.run_id, policy=ctx.retry_policy,
                         subject=decisions.subject + key)
            continue
        merge = merge_fields(desired, state.values if state is not None else None, decisions.values(obj),
                             keep_freshbooks=decisions.keep_freshbooks,
                             choices={str(k): str(v) for k, v in choose.items()})
        if merge.conflicts:
            continue                    # a field still undecided: the row keeps waiting
        await decisions.write(key, object_id, obj, merge)
        put_state(decisions.kind, key, object_id=object_id,
                  source_id=state.source_id if state is not None
                  else int(entry.payload.get(decisions.source_field) or 0),
                  values=merge.baseline, source_modified=state.source_modified if state is not None else None)
        resolve_subject(decisions.subject + key)


def same_conflict(subject: str, merge: Merge) -> bool:
    """Whether the active row about `subject` already waits on exactly these values (read again within the
    overlap: already waiting, not another attempt)."""
    waiting = active_subject_error(subject)
    if waiting is None or waiting.cause.get("code") != "field_conflict":
        return False
    recorded = {(c.get("field"), c.get("bigcommerce"), c.get("freshbooks")) for c in waiting.cause.get("conflicts", ())}
    return recorded == {(c.field, c.bigcommerce, c.freshbooks) for c in merge.conflicts}


def record_conflict(ctx: SyncContext, merge: Merge, *, subject: str, stage: ErrorStage, kind: str,
                    cause: Mapping[str, object], payload: Mapping[str, object], named: str, source: str,
                    counter: str) -> None:
    """Put the fields `merge` found changed on both sides in the inbox as a `field_conflict` row about `subject`
    (`kind`: "item" or "client"; `cause`: the row's key, object_id...; `named`: "item MUG-1"; `source`: what
    changed in BigCommerce, "its product"), unless that row already waits on exactly these values."""
    if same_conflict(subject, merge):
        return                      # read again within the overlap: already waiting, not another attempt
    fields = ", ".join(c.field for c in merge.conflicts)
    error = DataError(
        f"The FreshBooks {named} was changed in FreshBooks and {source} in BigCommerce since the last sync "
        f"({fields}). Choose which value to keep for each field, then retry; until then those fields are left as "
        "they are in FreshBooks.", field=kind, title=f"{kind.capitalize()} changed in both places",
        details={"cause": {"code": "field_conflict", "kind": kind, **cause,
                           "conflicts": [{"field": c.field, "bigcommerce": c.bigcommerce,
                                          "freshbooks": c.freshbooks, "baseline": c.baseline}
                                         for c in merge.conflicts]}})
    record_error(None, stage, error, payload, run_id=ctx.run_id, policy=ctx.retry_policy, subject=subject)
    log_activity(f"{named[:1].upper()}{named[1:]} changed in both places ({fields}): waiting in the inbox for a "
                 "choice.", level=ActivityLevel.WARNING, run_id=ctx.run_id)
    ctx.count(counter)
