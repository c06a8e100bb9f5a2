"""FreshBooks' invoice arithmetic, reimplemented: line amount, percentage taxes per tax name, document total.

A line's amount is qty x unit_cost rounded half-up to the minor unit (`java/get_invoice_response.json`). How
FreshBooks rounds the taxes is not public (`../shared/reference/freshbooks/API-FACTS.md` Q1: no public invoice
has two taxed lines), so every function takes the rounding rule:

- "line-half-up" / "line-half-even": each line's tax per slot is rounded, then summed per tax name;
- "invoice-half-up" / "invoice-half-even": the amounts of every line carrying a tax name are summed and the tax
  is rounded once per name.

The engine assumes "line-half-up" (BigCommerce's own rule, TAX-FACTS rule 1 and 5) until an invoice read back
from the account proves another (`sync/tax_rounding.py`); `rules_explaining` is how it tells them apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Literal, get_args

from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.money import quantize

__all__ = ["DEFAULT_RULE", "HUNDRED", "RULES", "TaxRounding", "line_amount", "line_slots", "rules_explaining",
           "tax_by_name", "total"]

HUNDRED = Decimal(100)

TaxRounding = Literal["line-half-up", "line-half-even", "invoice-half-up", "invoice-half-even"]
RULES: tuple[TaxRounding, ...] = get_args(TaxRounding)
DEFAULT_RULE: TaxRounding = "line-half-up"

LineLike = fb.LineDraft | fb.Line


def _mode(rule: TaxRounding) -> str:
    return ROUND_HALF_EVEN if rule.endswith("half-even") else ROUND_HALF_UP


def line_amount(line: LineLike, currency: str) -> Decimal:
    """qty x unit_cost rounded half-up to the minor unit (negative for discount lines)."""
    return quantize(Decimal(line.qty) * Decimal(line.unit_cost), currency, rounding=ROUND_HALF_UP)


def line_slots(line: LineLike) -> tuple[tuple[str, Decimal], ...]:
    """The (tax name, percent) pairs a line carries, slot 1 first."""
    slots = []
    for name, rate in ((line.tax_name1, line.tax_amount1), (line.tax_name2, line.tax_amount2)):
        if name and rate is not None and Decimal(rate) != 0:
            slots.append((name, Decimal(rate)))
    return tuple(slots)


def tax_by_name(lines: Iterable[LineLike], currency: str, rule: TaxRounding = DEFAULT_RULE) -> dict[str, Decimal]:
    """The tax FreshBooks computes per tax name for these lines (no compounding, no invoice discount)."""
    mode = _mode(rule)
    taxes: dict[str, Decimal] = {}
    if rule.startswith("line"):
        for line in lines:
            amount = line_amount(line, currency)
            for name, rate in line_slots(line):
                taxes[name] = taxes.get(name, Decimal(0)) + quantize(amount * rate / HUNDRED, currency,
                                                                     rounding=mode)
        return taxes
    bases: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        amount = line_amount(line, currency)
        for name, rate in line_slots(line):
            bases[(name, rate)] = bases.get((name, rate), Decimal(0)) + amount
    for (name, rate), base in bases.items():
        taxes[name] = taxes.get(name, Decimal(0)) + quantize(base * rate / HUNDRED, currency, rounding=mode)
    return taxes


def total(lines: Iterable[LineLike], currency: str, rule: TaxRounding = DEFAULT_RULE) -> Decimal:
    """The invoice amount FreshBooks will show (no invoice-level percentage discount is ever used)."""
    lines = list(lines)
    amounts = sum((line_amount(line, currency) for line in lines), Decimal(0))
    return amounts + sum(tax_by_name(lines, currency, rule).values(), Decimal(0))


def rules_explaining(lines: Sequence[LineLike], currency: str, amount: Decimal) -> list[TaxRounding]:
    """Every rounding rule under which these lines come to `amount` (what an invoice read back tells)."""
    return [rule for rule in RULES if total(lines, currency, rule) == amount]
