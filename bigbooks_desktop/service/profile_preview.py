"""What a candidate mapping profile would invoice: the last orders read from BigCommerce (the local order copy
keeps no order payloads) mapped with `mapping.invoice`, as `ProfilePreviewView`. Reads only; writes nothing,
not even the order copy. Qt-free."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core import profile_views as pv
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.mapping import freshbooks_math
from bigbooks_desktop.mapping.clients import client_from_order
from bigbooks_desktop.mapping.eligibility import ineligibility_reason
from bigbooks_desktop.mapping.freshbooks_math import TaxRounding
from bigbooks_desktop.mapping.invoice import invoice_from_order
from bigbooks_desktop.mapping.profile import MappingProfile
from bigbooks_desktop.mapping.profile_fields import order_rules, rule_decision
from bigbooks_desktop.sync.references import with_customer_address

__all__ = ["MAX_PREVIEW_ORDERS", "preview_orders"]

MAX_PREVIEW_ORDERS = 250       # one page of BigCommerce orders; each order costs a few more requests
_AT_ONCE = 4                   # order details read concurrently (each request goes through the rate governor)


async def _last_orders(bigcommerce: BigCommerceClient, count: int) -> list[bc.Order]:
    """The `count` newest orders (by creation), newest first."""
    found: list[bc.Order] = []
    if count <= 0:
        return found
    listing = bigcommerce.iter_orders(sort="date_created:desc", limit=min(count, MAX_PREVIEW_ORDERS))
    try:
        async for order in listing:
            found.append(order)
            if len(found) >= count:
                break
    finally:
        close = getattr(listing, "aclose", None)     # an async generator: stop it now, not at collection
        if close is not None:
            await close()
    return found


async def preview_orders(*, bigcommerce: BigCommerceClient, freshbooks_taxes: Sequence[fb.Tax], rule: TaxRounding,
                         profile: MappingProfile, name: str, orders: int,
                         issues: tuple[pv.ProfileIssueView, ...]) -> pv.ProfilePreviewView:
    """The last `orders` orders as `profile` would invoice them, with totals per currency."""
    count = max(0, min(orders, MAX_PREVIEW_ORDERS))
    store = await bigcommerce.get_store()
    timezone = store.timezone_name or "UTC"
    headers = await _last_orders(bigcommerce, count)
    limit = asyncio.Semaphore(_AT_ONCE)
    customers: dict[int, bc.Customer | None] = {}

    async def one(order: bc.Order) -> pv.PreviewOrderView:
        async with limit:
            detail = await bigcommerce.get_order_detail(order)
            if order.customer_id and order.customer_id not in customers:
                customers[order.customer_id] = await bigcommerce.get_customer(order.customer_id)
        return _order_view(detail, customers.get(order.customer_id), profile, timezone=timezone,
                           taxes=freshbooks_taxes, rule=rule)

    try:
        async with asyncio.TaskGroup() as group:     # one failure stops the other reads
            tasks = [group.create_task(one(order)) for order in headers]
    except BaseExceptionGroup as failed:             # the first failure, as the core error it is
        raise failed.exceptions[0] from None
    views = tuple(task.result() for task in tasks)
    return pv.ProfilePreviewView(name=name, orders=views, totals=_totals(views), issues=issues,
                                 generated_at=datetime.now(UTC))


def _client_name(draft: fb.ClientDraft | None, order: bc.Order) -> str:
    if draft is not None and draft.organization:
        return draft.organization
    if draft is not None and (draft.fname or draft.lname):
        return f"{draft.fname} {draft.lname}".strip()
    billing = order.billing_address
    return billing.company or f"{billing.first_name} {billing.last_name}".strip() or f"Order {order.id}"


def _error(exc: DataError) -> pv.PreviewFieldErrorView:
    return pv.PreviewFieldErrorView(field=exc.field or "order", message=exc.message)


def _line_view(line: fb.LineDraft, currency: str) -> pv.PreviewLineView:
    taxes = tuple(pv.PreviewLineTaxView(name=name, rate=rate) for name, rate in freshbooks_math.line_slots(line))
    return pv.PreviewLineView(name=line.name, description=line.description, quantity=line.qty,
                              unit_cost=line.unit_cost, amount=freshbooks_math.line_amount(line, currency),
                              taxes=taxes)


def _order_view(detail: bc.OrderDetail, shopper: bc.Customer | None, profile: MappingProfile, *, timezone: str,
                taxes: Sequence[fb.Tax], rule: TaxRounding) -> pv.PreviewOrderView:
    order = detail.order
    currency = order.transaction_currency
    errors: list[pv.PreviewFieldErrorView] = []
    client: fb.ClientDraft | None = None
    rules = order_rules(profile, detail, customer=shopper)     # as sync.order_pipeline runs them
    try:
        client = client_from_order(with_customer_address(detail, shopper), shopper, profile, timezone=timezone,
                                   rules=rules)
    except DataError as exc:
        errors.append(_error(exc))

    def view(outcome: pv.PreviewOutcome, *, number: str | None = None, lines: tuple[pv.PreviewLineView, ...] = (),
             tax: Decimal | None = None, total: Decimal | None = None, notes: str = "",
             reason: str = "", po_number: str | None = None) -> pv.PreviewOrderView:
        return pv.PreviewOrderView(
            order_id=order.id, order_date=order.date_created, status=order.custom_status or order.status,
            currency=currency, order_total=quantize(order.total_inc_tax, currency) if currency
            else order.total_inc_tax, outcome=outcome, invoice_number=number, client=_client_name(client, order),
            client_email=client.email if client is not None else None, lines=lines, tax=tax, total=total,
            notes=notes, errors=tuple(errors), reason=reason, po_number=po_number)

    try:
        reason = ineligibility_reason(order, profile) or rule_decision(rules, order.id, has_invoice=False)
    except DataError as exc:                # a rule that could not run, or an inbox rule that matched
        errors.append(_error(exc))
        return view(pv.PreviewOutcome.ERROR)
    if reason is not None:
        errors.clear()                      # not invoiced: what its client would lack does not matter
        return view(pv.PreviewOutcome.SKIPPED, reason=reason)
    try:
        plan = invoice_from_order(detail, profile, customer_id=0, store_timezone=timezone,
                                  freshbooks_taxes=taxes, rule=rule, customer=shopper, rules=rules)
    except DataError as exc:
        errors.append(_error(exc))
        return view(pv.PreviewOutcome.ERROR)
    draft = plan.draft
    return view(pv.PreviewOutcome.ERROR if errors else pv.PreviewOutcome.INVOICE, number=draft.invoice_number,
                lines=tuple(_line_view(line, currency) for line in draft.lines),
                tax=sum(plan.taxes.values(), Decimal(0)), total=plan.expected_total, notes=draft.notes,
                po_number=draft.po_number)


def _totals(views: Sequence[pv.PreviewOrderView]) -> tuple[pv.PreviewTotalView, ...]:
    sums: dict[str, tuple[int, Decimal, Decimal]] = {}
    for view in views:
        if view.outcome is not pv.PreviewOutcome.INVOICE or view.total is None:
            continue
        count, tax, total = sums.get(view.currency, (0, Decimal(0), Decimal(0)))
        sums[view.currency] = (count + 1, tax + (view.tax or Decimal(0)), total + view.total)
    return tuple(pv.PreviewTotalView(currency=currency, invoices=count, tax=tax, total=total)
                 for currency, (count, tax, total) in sorted(sums.items()))
