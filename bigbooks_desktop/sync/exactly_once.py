"""The exactly-once write protocol: record an intent, write, and look up before writing again.

Every create goes through `create_once`: an intent is recorded first (store.intents); a pending intent left
by a crash (`resumed`) or a create whose outcome is unknown (a transport failure or 5xx on the POST, or any
transient error) makes the engine look the object up by its deterministic key before creating anything.
The caller's `confirm` runs in the same store transaction that completes the intent, so a link is never
recorded without its intent settled, and an intent is never completed without its link.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from bigbooks_desktop.core.errors import BigBooksError, RateLimitedError, TransientError
from bigbooks_desktop.store.db import transaction
from bigbooks_desktop.store.intents import (
    IntentKind,
    abandon_intent,
    begin_intent,
    complete_intent,
    find_pending_intent,
    note_intent_object,
)
from bigbooks_desktop.store.runs import record_run_object
from bigbooks_desktop.sync.context import SyncContext

__all__ = ["create_once", "outcome_unknown", "settle_if_pending"]

T = TypeVar("T")


def outcome_unknown(error: BaseException) -> bool:
    """True when a failed create may still have happened on the server."""
    if isinstance(error, RateLimitedError):
        return False          # refused before anything was done
    if isinstance(error, TransientError):
        return error.details.get("write_outcome") != "not_sent"
    return False


async def create_once(ctx: SyncContext, *, kind: IntentKind, key: str, order_id: int | None,
                      lookup: Callable[[], Awaitable[T | None]], create: Callable[[], Awaitable[T]],
                      object_id: Callable[[T], int], confirm: Callable[[T], object]) -> tuple[T, bool]:
    """Create the object named `key` at most once. Returns (object, recovered) where `recovered` is True
    when it was found by lookup after a crash or a lost response instead of being created now."""
    intent = begin_intent(kind, key, order_id=order_id, run_id=ctx.run_id)
    if intent.resumed:
        found = await lookup()
        if found is not None:
            _settle(ctx, intent.id, kind, object_id(found), order_id, found, confirm)
            ctx.count("recovered_after_crash")
            return found, True
    try:
        made = await create()
    except BigBooksError as exc:
        if outcome_unknown(exc):
            try:
                found = await lookup()
            except BigBooksError:
                raise exc from None       # still unknown: the intent stays pending for the next try
            if found is not None:
                _settle(ctx, intent.id, kind, object_id(found), order_id, found, confirm)
                ctx.count("recovered_lost_responses")
                return found, True
            raise                         # not there: nothing was created; the intent stays pending
        abandon_intent(intent.id)
        raise
    note_intent_object(intent.id, object_id(made))
    _settle(ctx, intent.id, kind, object_id(made), order_id, made, confirm)
    return made, False


async def settle_if_pending(ctx: SyncContext, *, kind: IntentKind, key: str, order_id: int | None,
                            lookup: Callable[[], Awaitable[T | None]], object_id: Callable[[T], int],
                            confirm: Callable[[T], object]) -> T | None:
    """Settle a write a killed run left pending for `key`, before the caller reads a balance it changed.

    A step that sizes its write from a balance (what an invoice still owes, what a credit note has left) must
    not read that balance, then meet its own earlier write again through `create_once`'s lookup: the balance
    already includes it, and subtracting it a second time under-applies the writes after it. So such a step
    settles what is pending first (found: linked now and returned), then reads the balance. None when nothing
    is pending, or when the lookup does not find it (then nothing was written and `create_once` writes it)."""
    intent = find_pending_intent(kind, key)
    if intent is None:
        return None
    found = await lookup()
    if found is None:
        return None
    _settle(ctx, intent.id, kind, object_id(found), order_id, found, confirm)
    ctx.count("recovered_after_crash")
    return found


def _settle(ctx: SyncContext, intent_id: int, kind: IntentKind, fb_id: int, order_id: int | None,
            obj: T, confirm: Callable[[T], object]) -> None:
    with transaction():
        confirm(obj)
        if ctx.run_id is not None:
            record_run_object(ctx.run_id, kind, fb_id, order_id=order_id)
        complete_intent(intent_id, fb_id)
