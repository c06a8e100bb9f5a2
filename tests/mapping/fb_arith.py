"""FreshBooks' invoice arithmetic written again, independently of the code under test."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from bigbooks_desktop.core import freshbooks as fb


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def invoice_total(lines: Iterable[fb.LineDraft], places: int = 2) -> Decimal:
    """sum over lines of round(qty x unit) + each round(amount x percent / 100)."""
    result = Decimal(0)
    for line in lines:
        amount = _round(line.qty * line.unit_cost, places)
        result += amount
        for name, rate in ((line.tax_name1, line.tax_amount1), (line.tax_name2, line.tax_amount2)):
            if name and rate is not None:
                result += _round(amount * rate / 100, places)
    return result


def invoice_tax(lines: Iterable[fb.LineDraft], places: int = 2) -> Decimal:
    lines = list(lines)
    amounts = sum((_round(x.qty * x.unit_cost, places) for x in lines), Decimal(0))
    return invoice_total(lines, places) - amounts


def tax_by_name(lines: Iterable[fb.LineDraft], rule: str = "line-half-up", places: int = 2) -> dict[str, Decimal]:
    """Tax per tax name: per line then summed ("line-*"), or once per name on the summed amounts."""
    from decimal import ROUND_HALF_EVEN
    mode = ROUND_HALF_EVEN if rule.endswith("even") else ROUND_HALF_UP
    unit = Decimal(1).scaleb(-places)
    per_line: dict[str, Decimal] = {}
    bases: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        amount = _round(line.qty * line.unit_cost, places)
        for name, rate in ((line.tax_name1, line.tax_amount1), (line.tax_name2, line.tax_amount2)):
            if name and rate is not None:
                per_line[name] = per_line.get(name, Decimal(0)) + (amount * rate / 100).quantize(unit, mode)
                bases[(name, rate)] = bases.get((name, rate), Decimal(0)) + amount
    if rule.startswith("line"):
        return per_line
    result: dict[str, Decimal] = {}
    for (name, rate), base in bases.items():
        result[name] = result.get(name, Decimal(0)) + (base * rate / 100).quantize(unit, mode)
    return result
