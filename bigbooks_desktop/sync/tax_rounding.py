"""Which tax rounding rule the connected FreshBooks account uses, learned from invoices it computed.

Nobody outside FreshBooks knows whether it rounds line taxes per line or once per tax per invoice, half up or
half even (`../shared/reference/freshbooks/API-FACTS.md` Q1; `API-PROBES.md` lists invoices that tell the
rules apart). The engine assumes BigCommerce's own rule, per line half up, and checks every invoice it creates
or corrects: FreshBooks answers with the `amount` it computed. When that differs from what the lines give
under the assumed rule, the rules that do explain it are worked out from the lines (`rules_explaining`); the
first becomes the account's rule (saved per FreshBooks account, shown by `bigbooks status`), and the invoice,
still a draft, is rebuilt under it before it is marked sent. An amount no rule explains stops the order in
the inbox with the draft left for the merchant to look at: a wrong invoice is never sent silently.
"""

from __future__ import annotations

from bigbooks_desktop.mapping.freshbooks_math import DEFAULT_RULE, RULES, TaxRounding
from bigbooks_desktop.store.cursors import get_cursor, set_cursor

__all__ = ["account_rule", "remember_rule"]


def _stream(account_id: str) -> str:
    return f"freshbooks-tax-rounding:{account_id}"


def account_rule(account_id: str) -> TaxRounding:
    """The rule learned for this FreshBooks account, or the default (per line, half up) while none is."""
    value = get_cursor(_stream(account_id))
    return next((rule for rule in RULES if rule == value), DEFAULT_RULE)


def remember_rule(account_id: str, rule: TaxRounding) -> None:
    set_cursor(_stream(account_id), rule)
