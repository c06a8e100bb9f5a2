"""Which tax rounding rule the connected FreshBooks account uses, learned from invoices it computed.

Nobody outside FreshBooks knows whether it rounds line taxes per line or once per tax per invoice, half up or
half even (`../shared/reference/freshbooks/API-FACTS.md` Q1; `API-PROBES.md` lists invoices that tell the
rules apart). The engine assumes BigCommerce's own rule, per line half up, and checks every invoice it creates
or rewrites: FreshBooks answers with the `amount` it computed. When that differs from what the lines give
under the assumed rule, the rules that explain it are worked out from the lines (`rules_explaining`). One
invoice may fit several rules, so the run keeps the rules every invoice so far allows and picks among those;
the pick becomes the account's rule (saved per FreshBooks account, shown by `bigbooks status`) and the
invoice, still a draft, is rebuilt under it and checked again, narrowing further if it still misses. An amount
no rule explains stops the order in the inbox with the draft left for the merchant to look at: a wrong invoice
is never sent silently.
"""

from __future__ import annotations

from collections.abc import Callable

from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.freshbooks_math import DEFAULT_RULE, RULES, TaxRounding, rules_explaining
from bigbooks_desktop.mapping.invoice import InvoicePlan
from bigbooks_desktop.mapping.order_taxes import plain
from bigbooks_desktop.store.cursors import get_cursor, set_cursor
from bigbooks_desktop.store.runs import log_activity
from bigbooks_desktop.sync.context import SyncContext

__all__ = ["account_rule", "check_invoice_amount", "remember_rule", "rule_learned"]


def _stream(account_id: str) -> str:
    return f"freshbooks-tax-rounding:{account_id}"


def account_rule(account_id: str) -> TaxRounding:
    """The rule learned for this FreshBooks account, or the default (per line, half up) while none is."""
    value = get_cursor(_stream(account_id))
    return next((rule for rule in RULES if rule == value), DEFAULT_RULE)


def rule_learned(account_id: str) -> bool:
    """True once an invoice of this account showed which rule it uses."""
    return get_cursor(_stream(account_id)) is not None


def remember_rule(account_id: str, rule: TaxRounding) -> None:
    set_cursor(_stream(account_id), rule)


async def check_invoice_amount(ctx: SyncContext, *, plan: InvoicePlan, draft: fb.InvoiceDraft,
                               invoice: fb.Invoice, order_id: int,
                               rebuild: Callable[[TaxRounding], tuple[InvoicePlan, fb.InvoiceDraft]]
                               ) -> fb.InvoiceDraft:
    """The draft as written once FreshBooks' amount matches the plan's: the same one when it already did,
    else the rebuilt draft under the rule learned (see the module docstring). DataError when no rule explains
    the amount or rebuilding keeps missing (the invoice stays a draft)."""
    amount, expected, lines, rule = invoice.amount, plan.expected_total, draft.lines, plan.rule
    currency, number = draft.currency_code, draft.invoice_number
    for _attempt in range(len(RULES)):
        if amount == expected:
            return draft
        if invoice.status > 1:            # sent already (found again after a lost answer): never rewritten
            raise DataError(f"Invoice {number} in FreshBooks comes to {plain(amount)} {currency}, not "
                            f"{plain(expected)}, and it was already sent, so BigBooks did not change it. "
                            "Correct it in FreshBooks (a credit note or a new invoice), then ignore this "
                            "problem.", field="total")
        explaining = set(rules_explaining(lines, currency, amount)) - {rule}
        candidates = ctx.tax_rule_candidates & explaining
        if not candidates:
            raise DataError(f"FreshBooks computed {plain(amount)} {currency} for invoice {number}, but its lines "
                            f"come to {plain(expected)} and no known tax rounding explains the difference. The "
                            "invoice was left as a draft: compare it with the order, fix or delete it in "
                            "FreshBooks, then retry.", field="total")
        ctx.tax_rule_candidates = candidates
        rule = ctx.tax_rule if ctx.tax_rule in candidates else next(r for r in RULES if r in candidates)
        if rule != ctx.tax_rule:
            remember_rule(ctx.account_id, rule)
            log_activity(f"FreshBooks rounds tax {rule.replace('-', ' ')} on this account (invoice {number} came "
                         f"to {plain(amount)}, not {plain(expected)}); invoices follow that rule from now on.",
                         run_id=ctx.run_id, order_id=order_id)
            ctx.tax_rule = rule
            ctx.count("tax_rule_learned")
        rebuilt, draft = rebuild(rule)
        updated = await ctx.freshbooks.update_invoice(invoice.id, draft)
        amount, expected, lines = updated.amount, rebuilt.expected_total, draft.lines
    raise DataError(f"Invoice {number} still comes to {plain(amount)} {currency} in FreshBooks after it was "
                    f"rebuilt for its tax rounding, not {plain(expected)}. It was left as a draft: check it in "
                    "FreshBooks, then retry.", field="total")
