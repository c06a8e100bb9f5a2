"""Conflicts the user decided in the error inbox, applied at the start of a catalog or customer sync run.

A field changed on both sides waits in the inbox as a `field_conflict` row about a subject ("item:SKU",
"client:KEY"); the user picks, per field, which value stays (`edits["choose"]`: field -> "bigcommerce" |
"freshbooks", see `sync.field_merge.Choice`). Each run, before reading BigCommerce, every such row with a choice
is applied the same way for items and clients: the FreshBooks object is read again, merged with the choices
(`merge_fields`), written, its baseline kept (`put_state`) and the row resolved. A field still undecided leaves
the row waiting; an object FreshBooks no longer has (or any other refusal) is recorded on the row. What differs
between items and clients is passed in (`Decisions`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from bigbooks_desktop.core.errors import AuthError, BigBooksError, PermissionDeniedError
from bigbooks_desktop.store.entity_state import EntityKind, get_states, put_state
from bigbooks_desktop.store.error_queue import (
    ErrorEntry,
    ErrorStage,
    active_subject_error,
    active_subject_errors,
    record_error,
    resolve_subject,
)
from bigbooks_desktop.sync.context import SyncContext
from bigbooks_desktop.sync.field_merge import Merge, merge_fields

__all__ = ["REASON", "Decisions", "apply_decisions", "same_conflict"]

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
