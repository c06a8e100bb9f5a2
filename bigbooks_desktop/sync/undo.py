"""Undo a sync run: remove the FreshBooks objects it created, dependants first, where nothing else needs them.

Order: payments, then credit notes (with the payment that applied each), then invoices, then clients and
items.
Taxes the run created are kept (other invoices may use them; a tax is cheap to leave). What is kept:
- an invoice that still has a payment this run did not create (a payment the user entered, or a later run's),
  with the payments this run added to it;
- a client that still has an invoice or credit note in FreshBooks;
- an item whose name or SKU still appears on an active invoice changed since the run started;
- anything FreshBooks refuses to delete (its message is reported).
Objects already gone count as undone ("already deleted"). Payments and credit notes the run added to an
invoice of an earlier run are removed; BigCommerce still shows them, so the next sync records them again
(undo the earlier run to remove that invoice altogether). A payment the run lowered because money was
refunded from it stays lowered (the money did go back); the refund's credit note and its application are
what the run created, and the next sync writes them again.

The store afterwards (documented decision): the order links of removed invoices are marked `undone`; the
engine is to skip `undone` orders, so undo is not silently reverted by the next sync. `release_orders` forgets
such links (and their payment/credit links) when the user asks to sync those orders again. Payment, credit,
client and item links of removed objects are forgotten, so a later sync finds or creates them afresh.
The undo is itself a run (mode `undo`) with one activity line per object.

`preview_undo` walks the same steps with the same reads but deletes, forgets and records nothing: what it says
will be removed is what `undo_run` then removes, unless FreshBooks changes (or refuses a delete) in between.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
from bigbooks_desktop.core.errors import BigBooksError, NotFoundError, ValidationError
from bigbooks_desktop.store import links, runs
from bigbooks_desktop.store.intents import IntentKind
from bigbooks_desktop.store.rows import ClientLinkRow, CreditLinkRow, ItemLinkRow, PaymentLinkRow

__all__ = ["UndoAction", "UndoOutcome", "UndoReport", "preview_undo", "release_orders", "undo_run"]


class UndoAction(StrEnum):
    DELETED = "deleted"
    ALREADY_GONE = "already_gone"
    KEPT = "kept"          # left in place on purpose (something else refers to it)
    FAILED = "failed"      # FreshBooks refused or could not be reached


@dataclass(frozen=True, slots=True)
class UndoOutcome:
    kind: IntentKind
    object_id: int
    order_id: int | None
    action: UndoAction
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "object_id": self.object_id, "order_id": self.order_id,
                "action": self.action.value, "reason": self.reason}


@dataclass(frozen=True)
class UndoReport:
    run_id: int                     # the undo's own run
    target_run_id: int
    outcomes: tuple[UndoOutcome, ...] = field(default_factory=tuple)

    @property
    def undone(self) -> list[UndoOutcome]:
        return [o for o in self.outcomes if o.action in (UndoAction.DELETED, UndoAction.ALREADY_GONE)]

    @property
    def not_undone(self) -> list[UndoOutcome]:
        return [o for o in self.outcomes if o.action in (UndoAction.KEPT, UndoAction.FAILED)]

    @property
    def orders_undone(self) -> list[int]:
        return sorted({o.order_id for o in self.undone if o.kind is IntentKind.INVOICE and o.order_id})

    def to_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "target_run_id": self.target_run_id,
                "undone": len(self.undone), "not_undone": len(self.not_undone),
                "orders_undone": self.orders_undone, "outcomes": [o.to_json() for o in self.outcomes]}


class _Undoer:
    def __init__(self, freshbooks: FreshBooksClient, *, undo_run_id: int, started_at: datetime,
                 concurrency: int = 4, preview: bool = False) -> None:
        self.fb = freshbooks
        self.preview = preview                           # read, but delete, forget and log nothing
        self.concurrency = max(1, concurrency)
        self.run_id = undo_run_id
        self.started_at = started_at
        self.outcomes: list[UndoOutcome] = []
        self.deleted_payments: set[int] = set()
        self.deleted_invoices: set[int] = set()
        self.deleted_credits: set[int] = set()           # credit notes removed (or, previewing, to be)
        self.staying: dict[int, list[int]] = {}          # invoice id -> payments the run did not create
        self.staying_orders: dict[int, int] = {}         # order id -> its staying invoice
        self.unreadable: dict[int, str] = {}             # invoice id -> why its payments could not be read

    def note(self, obj: runs.RunObject, action: UndoAction, reason: str = "") -> UndoAction:
        self.outcomes.append(UndoOutcome(obj.object_kind, obj.object_id, obj.order_id, action, reason))
        if self.preview:
            return action
        level = runs.ActivityLevel.INFO if action in (UndoAction.DELETED, UndoAction.ALREADY_GONE) \
            else runs.ActivityLevel.WARNING
        text = f"Undo: {obj.object_kind.value} {obj.object_id} {action.value.replace('_', ' ')}"
        runs.log_activity(f"{text}{': ' + reason if reason else ''}", level=level, run_id=self.run_id,
                          order_id=obj.order_id)
        return action

    async def delete(self, obj: runs.RunObject, what: str, deleter: Any) -> UndoAction:
        if self.preview:
            return self.note(obj, UndoAction.DELETED)
        try:
            await deleter(obj.object_id)
        except NotFoundError:
            return self.note(obj, UndoAction.ALREADY_GONE, f"{what} was already deleted in FreshBooks")
        except BigBooksError as exc:
            return self.note(obj, UndoAction.FAILED, f"FreshBooks refused to delete the {what}: "
                             f"{exc.message}")
        return self.note(obj, UndoAction.DELETED)

    # -- per kind ------------------------------------------------------------------------------------

    async def find_staying_invoices(self, objects: list[runs.RunObject]) -> None:
        """Invoices of this run with a payment the run did not create stay, and so do the run's payments on
        them (removing those alone would leave the invoice half-undone and the next sync would redo them)."""
        ours = {o.object_id for o in objects if o.object_kind is IntentKind.PAYMENT}

        async def check(obj: runs.RunObject) -> None:
            try:
                payments = await self.fb.list_payments(obj.object_id)
            except NotFoundError:
                return
            except BigBooksError as exc:
                self.unreadable[obj.object_id] = exc.message
                return
            foreign = [p.id for p in payments if p.id not in ours]
            if foreign:
                self.staying[obj.object_id] = foreign
                self.staying_orders[obj.order_id or 0] = obj.object_id

        await _each(_of(objects, IntentKind.INVOICE), check, self.concurrency)

    async def payment(self, obj: runs.RunObject) -> None:
        invoice_id = self.staying_orders.get(obj.order_id or 0)
        if invoice_id is not None:
            self.note(obj, UndoAction.KEPT, f"its invoice {invoice_id} stays (it has payments this run did "
                      "not create)")
            return
        if await self.delete(obj, "payment", self.fb.delete_payment) in (UndoAction.DELETED,
                                                                          UndoAction.ALREADY_GONE):
            self.deleted_payments.add(obj.object_id)
            if not self.preview:
                PaymentLinkRow.delete().where(PaymentLinkRow.payment_id == obj.object_id).execute()

    async def credit(self, obj: runs.RunObject) -> None:
        if (obj.order_id or 0) in self.staying_orders:
            self.note(obj, UndoAction.KEPT, f"the order's invoice {self.staying_orders[obj.order_id or 0]} "
                      "stays (it has payments this run did not create)")
            return
        credit_links = [c for c in links.credit_links_for_order(obj.order_id or 0)
                        if obj.object_id in (c.credit_note_id, c.payment_id)]
        note_id = next((c.credit_note_id for c in credit_links if c.credit_note_id is not None), None)
        for applying in {c.payment_id for c in credit_links if c.payment_id is not None}:
            if applying in self.deleted_payments:
                continue
            if self.preview:
                self.deleted_payments.add(applying)
                continue
            try:
                await self.fb.delete_payment(applying)
                self.deleted_payments.add(applying)
            except NotFoundError:
                self.deleted_payments.add(applying)
            except BigBooksError as exc:
                self.note(obj, UndoAction.FAILED, f"the payment {applying} applying the credit could not be "
                          f"deleted: {exc.message}")
                return
        if note_id is None and credit_links:        # a refund recorded as a payment, not a credit note
            self.note(obj, UndoAction.DELETED if obj.object_id in self.deleted_payments
                      else UndoAction.ALREADY_GONE)
        elif await self.delete(obj, "credit note", self.fb.delete_credit_note) is UndoAction.FAILED:
            return
        else:
            self.deleted_credits.add(obj.object_id)
        if self.preview:
            return
        CreditLinkRow.delete().where((CreditLinkRow.credit_note_id == obj.object_id)
                                     | (CreditLinkRow.payment_id == obj.object_id)).execute()

    async def invoice(self, obj: runs.RunObject) -> None:
        try:
            invoice = await self.fb.get_invoice(obj.object_id)
        except NotFoundError:
            invoice = None
        except BigBooksError as exc:
            self.note(obj, UndoAction.FAILED, f"the invoice could not be read: {exc.message}")
            return
        if invoice is None or invoice.vis_state == 1:
            self.note(obj, UndoAction.ALREADY_GONE, "the invoice was already deleted in FreshBooks")
            self._mark_undone(obj)
            return
        if obj.object_id in self.unreadable:
            self.note(obj, UndoAction.FAILED, "the invoice's payments could not be read: "
                      f"{self.unreadable[obj.object_id]}")
            return
        others = self.staying.get(obj.object_id)
        if others:
            ids = ", ".join(str(p) for p in others)
            self.note(obj, UndoAction.KEPT, f"invoice {invoice.invoice_number} has payments this run did not "
                      f"create ({ids}); delete those in FreshBooks first")
            return
        if await self.delete(obj, "invoice", self.fb.delete_invoice) is not UndoAction.FAILED:
            self.deleted_invoices.add(obj.object_id)
            self._mark_undone(obj)

    def _mark_undone(self, obj: runs.RunObject) -> None:
        if self.preview:
            return
        link = links.find_order_link_by_invoice(obj.object_id)
        if link is not None:
            links.set_order_link_status(link.order_id, links.OrderLinkStatus.UNDONE)
            PaymentLinkRow.delete().where(PaymentLinkRow.order_id == link.order_id).execute()
            CreditLinkRow.delete().where(CreditLinkRow.order_id == link.order_id).execute()

    async def client(self, obj: runs.RunObject) -> None:
        try:
            remaining = [inv async for inv in self.fb.iter_invoices(customerid=obj.object_id, vis_state=0)
                         if inv.vis_state == 0 and inv.id not in self.deleted_invoices]
            credits = [c for c in await self.fb.list_credit_notes(obj.object_id)
                       if c.id not in self.deleted_credits]
        except BigBooksError as exc:
            self.note(obj, UndoAction.FAILED, f"the client's invoices could not be read: {exc.message}")
            return
        if remaining or credits:
            what = [f"{len(remaining)} invoice(s)" if remaining else "", f"{len(credits)} credit note(s)"
                    if credits else ""]
            self.note(obj, UndoAction.KEPT, "the client still has " + " and ".join(w for w in what if w))
            return
        if await self.delete(obj, "client", self.fb.delete_client) is not UndoAction.FAILED and not self.preview:
            ClientLinkRow.delete().where(ClientLinkRow.client_id == obj.object_id).execute()

    async def items(self, objects: list[runs.RunObject]) -> None:
        if not objects:
            return
        since = (self.started_at - timedelta(days=1)).date().isoformat()   # FreshBooks filters by day
        names: set[str] = set()
        try:
            async for inv in self.fb.iter_invoices(vis_state=0, updated_min=since):
                if inv.vis_state == 0 and inv.id not in self.deleted_invoices:
                    names.update(line.name for line in inv.lines)
                    names.update(line.description for line in inv.lines)
        except BigBooksError as exc:
            for obj in objects:
                self.note(obj, UndoAction.FAILED, f"invoices using the item could not be read: {exc.message}")
            return
        text = "\n".join(names)
        for obj in objects:
            link = next((i for i in links.list_item_links() if i.item_id == obj.object_id), None)
            sku = link.sku if link else None
            try:
                item = None if sku is None else await self.fb.find_item_by_sku(sku)
            except BigBooksError:
                item = None
            item_name = item.name if item is not None and item.id == obj.object_id else None
            if (item_name and item_name in names) or (sku and f"SKU: {sku}" in text):
                self.note(obj, UndoAction.KEPT, f"item {sku or obj.object_id} is on an invoice that stays")
                continue
            if await self.delete(obj, "item", self.fb.delete_item) is not UndoAction.FAILED and not self.preview:
                ItemLinkRow.delete().where(ItemLinkRow.item_id == obj.object_id).execute()


def _undoable(run_id: int) -> runs.SyncRun:
    """The run to undo, or ValidationError when it does not exist, is an undo or a dry run, or still runs."""
    target = runs.get_run(runs.RunId(run_id))
    if target is None:
        raise ValidationError(f"There is no sync run {run_id}. `bigbooks runs` lists them.", field="run_id")
    if target.mode is runs.RunMode.UNDO:
        raise ValidationError(f"Run {run_id} is an undo; undo cannot be undone (sync again instead).",
                              field="run_id")
    if target.mode is runs.RunMode.DRY_RUN:
        raise ValidationError(f"Run {run_id} was a dry run and created nothing.", field="run_id")
    if target.status is runs.RunStatus.RUNNING:
        raise ValidationError(f"Run {run_id} is still running; wait for it to finish (or stop it) first.",
                              field="run_id")
    return target


async def _walk(worker: _Undoer, newest_first: list[runs.RunObject]) -> None:
    """Every step, in order: payments, credit notes, invoices, clients, items, taxes."""
    await worker.find_staying_invoices(newest_first)
    await _each(_of(newest_first, IntentKind.PAYMENT), worker.payment, worker.concurrency)
    await _each(_of(newest_first, IntentKind.CREDIT), worker.credit, worker.concurrency)
    await _each(_of(newest_first, IntentKind.INVOICE), worker.invoice, worker.concurrency)
    await _each(_of(newest_first, IntentKind.CLIENT), worker.client, worker.concurrency)
    await worker.items(list(_of(newest_first, IntentKind.ITEM)))
    for obj in _of(newest_first, IntentKind.TAX):
        worker.note(obj, UndoAction.KEPT, "taxes are kept: other invoices may use them")


async def preview_undo(run_id: int, *, freshbooks: FreshBooksClient, concurrency: int = 4) -> UndoReport:
    """What `undo_run(run_id)` would do, without doing it: the same reads, no delete, no store change, no run
    recorded. Outcomes are DELETED (would be removed) or KEPT/FAILED with the reason; `run_id` is 0.
    Raises ValidationError as `undo_run` does."""
    target = _undoable(run_id)
    newest_first = list(reversed(runs.run_objects(target.id)))
    worker = _Undoer(freshbooks, undo_run_id=0, started_at=target.started_at, concurrency=concurrency,
                     preview=True)
    await _walk(worker, newest_first)
    return UndoReport(run_id=0, target_run_id=run_id, outcomes=tuple(_in_order(worker.outcomes, newest_first)))


async def undo_run(run_id: int, *, freshbooks: FreshBooksClient, concurrency: int = 4) -> UndoReport:
    """Undo what sync run `run_id` created (see the module rules). Needs the store database open.
    Each step (payments, credits, invoices, clients) works on up to `concurrency` objects at once; the
    report lists outcomes step by step, newest object first within a step.

    Raises ValidationError when the run does not exist, is an undo itself, or is still running.
    Undoing the same run twice is harmless: the second pass finds everything already gone.
    """
    target = _undoable(run_id)
    objects = runs.run_objects(target.id)
    undo_id = runs.start_run(runs.RunMode.UNDO)
    runs.log_activity(f"Undoing sync run {run_id}: {len(objects)} object(s) it created.", run_id=undo_id)
    worker = _Undoer(freshbooks, undo_run_id=undo_id, started_at=target.started_at,
                     concurrency=concurrency)
    newest_first = list(reversed(objects))
    try:
        await _walk(worker, newest_first)
    except BaseException as exc:
        runs.finish_run(undo_id, runs.RunStatus.FAILED, _counts(worker.outcomes),
                        error=str(exc) or type(exc).__name__)
        raise
    report = UndoReport(run_id=undo_id, target_run_id=run_id, outcomes=tuple(_in_order(worker.outcomes,
                                                                                         newest_first)))
    runs.finish_run(undo_id, runs.RunStatus.FINISHED, _counts(worker.outcomes))
    runs.log_activity(f"Undo of run {run_id} finished: {len(report.undone)} undone, "
                      f"{len(report.not_undone)} not undone.", run_id=undo_id,
                      level=runs.ActivityLevel.WARNING if report.not_undone else runs.ActivityLevel.INFO)
    return report


async def _each(objects: Iterable[runs.RunObject], step: Callable[[runs.RunObject], Awaitable[None]],
                concurrency: int) -> None:
    """Run `step` on every object, at most `concurrency` at once; every step finishes before this returns."""
    gate = asyncio.Semaphore(concurrency)

    async def one(obj: runs.RunObject) -> None:
        async with gate:
            await step(obj)

    results = await asyncio.gather(*(one(obj) for obj in objects), return_exceptions=True)
    failure = next((r for r in results if isinstance(r, BaseException)), None)
    if failure is not None:
        raise failure


_STEP_ORDER = (IntentKind.PAYMENT, IntentKind.CREDIT, IntentKind.INVOICE, IntentKind.CLIENT, IntentKind.ITEM,
               IntentKind.TAX)


def _in_order(outcomes: list[UndoOutcome], newest_first: list[runs.RunObject]) -> list[UndoOutcome]:
    """Outcomes step by step (payments ... taxes), newest object first within a step, whatever order the
    concurrent steps finished in."""
    rank = {(o.object_kind, o.object_id): n for n, o in enumerate(newest_first)}
    steps = {kind: n for n, kind in enumerate(_STEP_ORDER)}
    return sorted(outcomes, key=lambda o: (steps.get(o.kind, len(steps)), rank.get((o.kind, o.object_id), 0)))


def _of(objects: Iterable[runs.RunObject], kind: IntentKind) -> Iterable[runs.RunObject]:
    seen: set[int] = set()
    for obj in objects:
        if obj.object_kind is kind and obj.object_id not in seen:
            seen.add(obj.object_id)
            yield obj


def _counts(outcomes: list[UndoOutcome]) -> runs.RunCounts:
    """The undo's run counts: orders whose invoice was removed count as `orders_synced` (orders handled),
    objects not undone as `orders_failed`; the per-kind counts say how many objects of each kind went."""
    gone = [o for o in outcomes if o.action in (UndoAction.DELETED, UndoAction.ALREADY_GONE)]

    def kind(k: IntentKind) -> int:
        return sum(1 for o in gone if o.kind is k)

    return runs.RunCounts(orders_seen=len({o.order_id for o in outcomes if o.order_id}),
                          orders_synced=len({o.order_id for o in gone if o.kind is IntentKind.INVOICE}),
                          orders_failed=sum(1 for o in outcomes if o.action in (UndoAction.KEPT,
                                                                                  UndoAction.FAILED)),
                          invoices_created=kind(IntentKind.INVOICE), clients_created=kind(IntentKind.CLIENT),
                          items_created=kind(IntentKind.ITEM), payments_created=kind(IntentKind.PAYMENT),
                          credits_created=kind(IntentKind.CREDIT))


def release_orders(order_ids: Iterable[int]) -> list[int]:
    """Let the next sync recreate these undone orders: forget their `undone` links. Returns the ids released
    (orders whose link is not `undone` are left alone)."""
    released: list[int] = []
    for order_id, link in links.get_order_links(order_ids).items():
        if link.status is links.OrderLinkStatus.UNDONE:
            links.forget_order(order_id)
            released.append(order_id)
    return sorted(released)
