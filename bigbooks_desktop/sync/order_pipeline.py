"""One order through the pipeline: ingest, validate, transform, look up, write, confirm.

Never raises for a bad order: every failure becomes an error-queue row (stage, error, the order as JSON),
or, for a sign-in problem, a pause of every write for the rest of the run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import partial
from typing import Any

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import (
    AuthError,
    BigBooksError,
    BugError,
    ErrorKind,
    PermissionDeniedError,
    UnreadableDataError,
)
from bigbooks_desktop.mapping.clients import client_from_order, client_key
from bigbooks_desktop.mapping.eligibility import ineligibility_reason
from bigbooks_desktop.mapping.freshbooks_math import TaxRounding
from bigbooks_desktop.mapping.invoice import InvoicePlan, invoice_from_order
from bigbooks_desktop.mapping.profile_fields import order_rules, rule_decision
from bigbooks_desktop.mapping.rules import RuleOutcome
from bigbooks_desktop.store.error_queue import (
    ACTIVE_STATUSES,
    ErrorDetails,
    ErrorStage,
    FixAction,
    edit_error,
    list_errors,
    record_error,
    record_fix,
    resolve_errors,
)
from bigbooks_desktop.store.links import (
    OrderLink,
    OrderLinkStatus,
    find_client_link,
    find_item_link,
    get_order_link,
    save_order_link,
    set_order_link_status,
)
from bigbooks_desktop.store.order_copies import save_order_copy
from bigbooks_desktop.store.runs import log_activity
from bigbooks_desktop.sync.books_lookups import find_client, find_item
from bigbooks_desktop.sync.context import SyncContext
from bigbooks_desktop.sync.corrections import correct_sent_invoice
from bigbooks_desktop.sync.held_orders import is_hand_entered, settle_ambiguous_match, undone_reason
from bigbooks_desktop.sync.invoices import InvoiceResult, ensure_invoice, send_when_checked
from bigbooks_desktop.sync.order_copy import InvoiceFacts, order_copy
from bigbooks_desktop.sync.order_reading import read_order
from bigbooks_desktop.sync.references import (
    apply_edits,
    draft_fingerprint,
    ensure_client,
    ensure_items,
    ensure_taxes,
    registered_customer,
    with_customer_address,
)
from bigbooks_desktop.sync.settlements import (
    apply_refund_credits,
    pending_credits,
    pending_payments,
    reduce_refunded_payments,
    write_credits,
    write_off_uncollected,
    write_payments,
    write_redemptions,
)
from bigbooks_desktop.sync.tax_rounding import check_invoice_amount

__all__ = ["CANCELLED_STATUSES", "OrderOutcome", "PlannedOrder", "merged_edits", "sync_order"]

CANCELLED_STATUSES = frozenset({bc.OrderStatus.CANCELLED, bc.OrderStatus.DECLINED})


@dataclass(frozen=True, slots=True)
class PlannedOrder:
    """What a dry run found a sync would do for one order."""

    order_id: int
    action: str                       # "create", "update", "payments", "drift-check"
    invoice_number: str
    currency: str
    total: Decimal
    client: str                       # "create" or "existing"
    items_to_create: tuple[str, ...] = ()
    taxes_to_create: tuple[str, ...] = ()
    payments: int = 0
    payment_total: Decimal = Decimal(0)
    credits: int = 0
    credit_total: Decimal = Decimal(0)
    client_key: str = ""              # the client's key (mapping.clients): one client per key is created


@dataclass(frozen=True, slots=True)
class OrderOutcome:
    """How one order ended: `result` is synced, unchanged, ineligible, drift, flagged, voided, failed,
    paused, skipped (left alone on purpose: undone, an ambiguous first-run match; `message` says why) or
    planned (dry run)."""

    order_id: int
    result: str
    stage: str | None = None
    message: str = ""
    plan: PlannedOrder | None = None
    error_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def merged_edits(order_id: int) -> dict[str, Any]:
    """The user's fixes from every active inbox row of the order (later rows win)."""
    merged: dict[str, Any] = {}
    for entry in reversed(list_errors(status=ACTIVE_STATUSES, order_id=order_id)):
        for key, value in entry.edits.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged


class _Failure(Exception):
    def __init__(self, stage: ErrorStage, error: BigBooksError) -> None:
        super().__init__(error.message)
        self.stage = stage
        self.error = error


async def sync_order(ctx: SyncContext, order: bc.Order | int, *, edits: Mapping[str, Any] | None = None) -> \
        OrderOutcome:
    """Sync one order (a header from the listing, or an id to read). See the module docstring."""
    order_id = order if isinstance(order, int) else order.id
    pipeline = _Pipeline(ctx, order_id, dict(edits or {}))
    if ctx.paused:
        return OrderOutcome(order_id, "paused", message=str(ctx.auth_problem))
    try:
        outcome = await pipeline.run(order)
    except (AuthError, PermissionDeniedError) as exc:
        if ctx.auth_problem is None:
            ctx.auth_problem = exc
        return OrderOutcome(order_id, "paused", stage=pipeline.stage.value, message=str(exc))
    except BigBooksError as exc:
        outcome = pipeline.fail(pipeline.stage, exc)
    except Exception as exc:
        bug = BugError(f"Syncing order {order_id} failed at {pipeline.stage.value}: {type(exc).__name__}: "
                       f"{exc}.")
        outcome = pipeline.fail(pipeline.stage, bug)
    if pipeline.detail is not None and not ctx.dry_run:
        save_order_copy(order_copy(pipeline.detail, outcome, pipeline.invoice))
    return outcome


class _Pipeline:
    def __init__(self, ctx: SyncContext, order_id: int, edits: dict[str, Any]) -> None:
        self.ctx = ctx
        self.order_id = order_id
        self.edits = edits
        self.stage = ErrorStage.INGEST
        self.detail: bc.OrderDetail | None = None
        self.invoice: InvoiceFacts | None = None      # what was written, for the order's local copy
        self.customer: bc.Customer | None = None       # the shopper's record, which mappings and rules read
        self.rules = RuleOutcome()                     # what the profile's rules decided for the order

    # -- failure -------------------------------------------------------------------------------------

    def fail(self, stage: ErrorStage, error: BigBooksError | ErrorDetails) -> OrderOutcome:
        payload = {"order": self.detail.model_dump(mode="json")} if self.detail is not None else \
            {"order": error.payload} if isinstance(error, UnreadableDataError) and error.payload else \
            {"order_id": self.order_id}
        if self.ctx.dry_run:
            message = error.message
            return OrderOutcome(self.order_id, "failed", stage=stage.value, message=message)
        carried = merged_edits(self.order_id)
        entry = record_error(self.order_id, stage, error, payload, run_id=self.ctx.run_id,
                             policy=self.ctx.retry_policy)
        others = [e for e in list_errors(status=ACTIVE_STATUSES, order_id=self.order_id) if e.id != entry.id]
        if others:
            resolve_errors(self.order_id, [e.stage for e in others])
            missing = {k: v for k, v in carried.items() if k not in entry.edits}
            if missing:    # keep the user's earlier fixes with the row that is now the order's problem
                entry = edit_error(entry.id, missing)
                record_fix(entry.id, FixAction.CARRIED, "Earlier fixes kept: " + ", ".join(sorted(missing)),
                           actor="BigBooks", details={"edits": missing})
        self.ctx.count("orders_failed")
        log_activity(f"Order {self.order_id} needs attention ({stage.value}): {entry.message}",
                     run_id=self.ctx.run_id, order_id=self.order_id)
        return OrderOutcome(self.order_id, "failed", stage=stage.value, message=entry.message,
                            error_id=entry.id)

    # -- the pipeline --------------------------------------------------------------------------------

    async def run(self, order: bc.Order | int) -> OrderOutcome:
        ctx = self.ctx
        link = get_order_link(self.order_id)
        held = undone_reason(link)
        if held is not None:
            ctx.count("orders_skipped")
            ctx.count("orders_held")
            return OrderOutcome(self.order_id, "skipped", message=held)
        detail = await read_order(ctx, order, invoiced=link is not None)
        self.detail = detail = apply_edits(detail, self.edits)
        profile = ctx.profile
        if isinstance(self.edits.get("taxes"), dict):
            profile = profile.model_copy(update={"tax_names": {**profile.tax_names, **self.edits["taxes"]}})
            ctx = replace(ctx, profile=profile)
            self.ctx = ctx

        self.stage = ErrorStage.VALIDATE
        reason = ineligibility_reason(detail.order, profile)
        if reason is not None:
            return await self._ineligible(detail, link, reason)
        if link is None and not ctx.dry_run:
            settled = await settle_ambiguous_match(ctx, detail.order, self.edits)
            if isinstance(settled, str):
                ctx.count("orders_skipped")
                ctx.count("orders_held")
                return OrderOutcome(self.order_id, "skipped", message=settled)
            link = settled
        hand_entered = is_hand_entered(link)
        key = client_key(detail)
        self.stage = ErrorStage.CLIENT
        self.customer = customer = await registered_customer(ctx, detail, key=key)
        self.stage = ErrorStage.VALIDATE
        self.rules = rules = order_rules(profile, detail, customer=customer)
        decided = self._ruled(rules, link)
        if decided is not None:
            return decided
        draft_client = client_from_order(with_customer_address(detail, customer), customer, profile,
                                         timezone=ctx.store_timezone, rules=rules)

        self.stage = ErrorStage.TRANSFORM
        plan = invoice_from_order(detail, profile, customer_id=0, store_timezone=ctx.store_timezone,
                                  freshbooks_taxes=ctx.taxes, rule=ctx.tax_rule, customer=customer, rules=rules)
        if ctx.dry_run:
            existing_client = find_client_link(key) is not None or await _in_freshbooks(
                ctx, f"client:{key}", partial(find_client, ctx, draft_client.email))
            new_skus = [sku for sku in dict.fromkeys(s for s, _n, _p in plan.skus) if find_item_link(sku) is None
                        and not await _in_freshbooks(ctx, f"item:{sku}", partial(find_item, ctx,
                                                                                 sku))]
            return self._planned(detail, plan, link, key, existing_client=existing_client, new_skus=new_skus)

        if not hand_entered:      # a hand-entered invoice keeps its own lines: no taxes or items needed
            self.stage = ErrorStage.TAX
            await ensure_taxes(ctx, plan.taxes_needed, order_id=self.order_id)
        self.stage = ErrorStage.CLIENT
        client_id = await ensure_client(ctx, key=key, draft=draft_client, order_id=self.order_id,
                                        order_modified=detail.order.date_modified)
        if not hand_entered:
            self.stage = ErrorStage.ITEM
            await ensure_items(ctx, plan.skus, currency=plan.draft.currency_code, order_id=self.order_id,
                               sku_items=self.edits.get("sku_items") or {},
                               new_items=self.edits.get("new_items") or {})

        self.stage = ErrorStage.INVOICE if link is None else ErrorStage.UPDATE
        draft = plan.draft.model_copy(update={"customerid": client_id})
        fingerprint = draft_fingerprint(draft)
        if hand_entered and link is not None and link.invoice_id is not None:
            result = InvoiceResult(link.invoice_id, "unchanged")      # left as the merchant entered it
            fingerprint, number = link.fingerprint, link.invoice_number
        else:
            result = await ensure_invoice(ctx, order=detail.order, draft=draft, fingerprint=fingerprint,
                                          expected_total=plan.expected_total, taxes=plan.taxes, link=link)
            number = draft.invoice_number
        self.invoice = InvoiceFacts(result.invoice_id, number, plan.expected_total,
                                    sum(plan.taxes.values(), Decimal(0)), draft=draft, taxes=plan.taxes,
                                    gift_certificates_sold=plan.gift_certificates_sold)
        if result.action == "corrected":
            log_activity(f"Order {self.order_id} changed after invoice {number} was sent; corrected by new "
                         f"documents:\n{result.drift}", run_id=ctx.run_id, order_id=self.order_id)
        if result.invoice is not None:
            draft, fingerprint = await self._checked(detail, plan, draft, result)
            self.invoice = replace(self.invoice, draft=draft)     # the lines as written (a rebuild included)
            await send_when_checked(ctx, result, draft)

        self.stage = ErrorStage.PAYMENT
        async with ctx.lock(f"credit:{client_id}"):       # two orders of one client spend one credit
            await write_redemptions(ctx, detail, invoice_id=result.invoice_id, client_id=client_id)
        await write_payments(ctx, detail, invoice_id=result.invoice_id)
        self.stage = ErrorStage.REFUND
        await write_credits(ctx, detail, client_id=client_id)
        await reduce_refunded_payments(ctx, detail, invoice_id=result.invoice_id)
        await apply_refund_credits(ctx, detail, invoice_id=result.invoice_id)
        await write_off_uncollected(ctx, detail, invoice_id=result.invoice_id, client_id=client_id)

        save_order_link(order_id=self.order_id, invoice_id=result.invoice_id,
                        invoice_number=number, account_id=ctx.account_id,
                        fingerprint=fingerprint,
                        order_date_modified=detail.order.date_modified, run_id=ctx.run_id)
        resolve_errors(self.order_id)
        ctx.count("orders_synced")
        if result.action != "unchanged":
            log_activity(f"Order {self.order_id}: invoice {draft.invoice_number} {result.action} "
                         f"({plan.expected_total} {draft.currency_code}).", run_id=ctx.run_id,
                         order_id=self.order_id)
        return OrderOutcome(self.order_id, "synced" if result.action != "unchanged" else "unchanged",
                            extra={"invoice_id": result.invoice_id, "action": result.action})

    async def _checked(self, detail: bc.OrderDetail, plan: InvoicePlan, draft: fb.InvoiceDraft,
                       result: InvoiceResult) -> tuple[fb.InvoiceDraft, str]:
        """The invoice as FreshBooks computed it must come to what the plan promised (sync.tax_rounding learns
        the account's rule and rebuilds the draft when it does not). Returns the draft and fingerprint written."""
        ctx = self.ctx
        assert result.invoice is not None

        def rebuild(rule: TaxRounding) -> tuple[InvoicePlan, fb.InvoiceDraft]:
            rebuilt = invoice_from_order(detail, ctx.profile, customer_id=draft.customerid,
                                         store_timezone=ctx.store_timezone, freshbooks_taxes=ctx.taxes, rule=rule,
                                         customer=self.customer, rules=self.rules)
            return rebuilt, rebuilt.draft.model_copy(update={"customerid": draft.customerid})

        def saved(new_draft: fb.InvoiceDraft) -> str:
            fingerprint = draft_fingerprint(new_draft)
            save_order_link(order_id=self.order_id, invoice_id=result.invoice_id,
                            invoice_number=new_draft.invoice_number, account_id=ctx.account_id,
                            fingerprint=fingerprint, order_date_modified=None, run_id=ctx.run_id)
            return fingerprint

        written = await check_invoice_amount(ctx, plan=plan, draft=draft, invoice=result.invoice,
                                             order_id=self.order_id, rebuild=rebuild)
        return written, draft_fingerprint(written) if written is draft else saved(written)

    # -- special endings -----------------------------------------------------------------------------

    def _ruled(self, rules: RuleOutcome, link: OrderLink | None) -> OrderOutcome | None:
        """A skip rule's ending (mapping.profile_fields.rule_decision; an inbox rule or a broken one raises
        DataError for the inbox); None: go on and invoice the order."""
        reason = rule_decision(rules, self.order_id, has_invoice=link is not None and link.invoice_id is not None)
        if reason is None:
            return None
        if not self.ctx.dry_run:
            resolve_errors(self.order_id)
        self.ctx.count("orders_skipped")
        return OrderOutcome(self.order_id, "skipped", message=reason)

    async def _ineligible(self, detail: bc.OrderDetail, link: OrderLink | None, reason: str) -> OrderOutcome:
        ctx = self.ctx
        order = detail.order
        cancelled = order.is_deleted or order.status_id in CANCELLED_STATUSES
        synced = link is not None and link.invoice_id is not None and link.status in (
            OrderLinkStatus.SYNCED, OrderLinkStatus.DRIFT)
        if synced and order.status_id == bc.OrderStatus.DISPUTED and link is not None:
            self.stage = ErrorStage.PAYMENT
            return self._disputed(detail, link)
        if not synced or not cancelled or link is None:
            if not ctx.dry_run:
                resolve_errors(self.order_id)
            ctx.count("orders_skipped")
            return OrderOutcome(self.order_id, "ineligible", message=reason)
        self.stage = ErrorStage.VOID
        return await self._cancelled(detail, link)

    def _disputed(self, detail: bc.OrderDetail, link: OrderLink) -> OrderOutcome:
        """A synced order moved to Disputed (13): a chargeback or PayPal dispute. BigCommerce records no money
        movement for it (the sandbox's evidence notes: no chargeback transaction event, disputes live at the
        payment processor), so nothing is written; the order waits in the inbox with what to do."""
        outcome = self.fail(ErrorStage.PAYMENT, ErrorDetails(
            kind=ErrorKind.VALIDATION, title="Payment disputed (chargeback)",
            message=f"Order {self.order_id} is disputed in BigCommerce: the customer opened a chargeback or a "
                    f"PayPal dispute after invoice {link.invoice_number} was synced. FreshBooks has no "
                    "chargeback record, so BigBooks changed nothing. When the dispute ends: if the customer "
                    "won, refund the order in BigCommerce and BigBooks credits the invoice and lowers the "
                    "payment; if you won, set the order back to Completed and ignore this problem. A "
                    "chargeback fee is an expense to enter in FreshBooks by hand."))
        save_order_link(order_id=self.order_id, invoice_id=link.invoice_id, invoice_number=link.invoice_number,
                        account_id=link.account_id, fingerprint=link.fingerprint,
                        order_date_modified=detail.order.date_modified, status=link.status,
                        run_id=self.ctx.run_id)
        self.ctx.count("orders_disputed")
        return replace(outcome, result="flagged")

    async def _cancelled(self, detail: bc.OrderDetail, link: OrderLink) -> OrderOutcome:
        """Cancelled after sync: policy "void" reverses the invoice while nothing is paid on it (a draft is
        deleted, nobody saw it; a sent one is credited in full by a credit note dated on the cancellation,
        so the sale stays in the period it was made and the reversal lands in this one); otherwise (policy
        "flag", or payments recorded) the order waits in the inbox for the user to decide."""
        ctx = self.ctx
        assert link.invoice_id is not None
        if ctx.dry_run:
            return OrderOutcome(self.order_id, "planned", message=f"would {ctx.profile.cancellation_policy}")
        why = (f"Order {self.order_id} was cancelled in BigCommerce after invoice {link.invoice_number} was "
               "synced.")
        if ctx.profile.cancellation_policy == "void" and is_hand_entered(link):
            why += " Its invoice was entered by hand, so BigBooks did not delete it."
        elif ctx.profile.cancellation_policy == "void":
            invoice = await ctx.freshbooks.get_invoice(link.invoice_id)
            if invoice.paid == 0:
                if invoice.status <= 1:
                    await ctx.freshbooks.delete_invoice(link.invoice_id)
                    done = "The draft invoice was deleted in FreshBooks."
                else:
                    await correct_sent_invoice(ctx, order=detail.order, invoice=invoice, wanted=(),
                                               wanted_taxes={}, key="cancelled", cancelled=True)
                    done = "A credit note for the whole invoice reverses it (the sent invoice is kept)."
                set_order_link_status(self.order_id, OrderLinkStatus.VOIDED)
                resolve_errors(self.order_id)
                ctx.count("invoices_voided")
                log_activity(f"{why} {done}", run_id=ctx.run_id, order_id=self.order_id)
                return OrderOutcome(self.order_id, "voided", message=f"{why} {done}")
            why += " Its invoice has payments, so it was not deleted."
        outcome = self.fail(ErrorStage.VOID, ErrorDetails(
            kind=ErrorKind.VALIDATION, title="Order cancelled after sync",
            message=f"{why} Void or delete the invoice in FreshBooks if it should go, then ignore this "
                    "problem."))
        save_order_link(order_id=self.order_id, invoice_id=link.invoice_id,
                        invoice_number=link.invoice_number,
                        account_id=link.account_id, fingerprint=link.fingerprint,
                        order_date_modified=detail.order.date_modified, status=OrderLinkStatus.DRIFT,
                        run_id=ctx.run_id)
        return replace(outcome, result="flagged")

    def _planned(self, detail: bc.OrderDetail, plan: InvoicePlan, link: OrderLink | None, key: str, *,
                 existing_client: bool, new_skus: list[str]) -> OrderOutcome:
        order = detail.order
        currency = plan.draft.currency_code
        if link is None or link.invoice_id is None:
            action = "create"
        else:
            action = "payments" if is_hand_entered(link) else "drift-check"
        payments = pending_payments(self.ctx, detail, invoice_id=(link.invoice_id or 0) if link else 0)
        credits = pending_credits(detail)
        planned = PlannedOrder(
            order_id=order.id, action=action, invoice_number=plan.draft.invoice_number, currency=currency,
            total=plan.expected_total, client="existing" if existing_client else "create",
            items_to_create=tuple(new_skus),
            taxes_to_create=tuple(t.name for t in plan.taxes_needed), payments=len(payments),
            payment_total=sum((p.draft.amount for p in payments), Decimal(0)), credits=len(credits),
            credit_total=sum((r.total_amount for r in credits), Decimal(0)), client_key=key)
        return OrderOutcome(order.id, "planned", plan=planned)


async def _in_freshbooks(ctx: SyncContext, key: str, lookup: Callable[[], Awaitable[object | None]]) -> bool:
    """Dry runs: whether FreshBooks already has the client or item the sync would otherwise create (the sync
    links it instead, as `ensure_client`/`ensure_items` do); asked once per run and key."""
    async with ctx.lock(key):
        if key not in ctx.dry_run_found:
            ctx.dry_run_found[key] = await lookup() is not None
    return ctx.dry_run_found[key]
