"""FreshBooks' invoice arithmetic, reimplemented: line amount, per-line percentage taxes, document total."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.money import quantize

__all__ = ["HUNDRED", "line_amount", "line_taxes", "line_total", "total"]

HUNDRED = Decimal(100)


def line_amount(line: fb.LineDraft, currency: str) -> Decimal:
    """qty x unit_cost rounded half-up to the minor unit (negative for discount lines)."""
    return quantize(line.qty * line.unit_cost, currency, rounding=ROUND_HALF_UP)


def line_taxes(line: fb.LineDraft, currency: str) -> tuple[Decimal, Decimal]:
    """Each used tax slot: amount x percent / 100, rounded half-up to the minor unit (no compounding)."""
    amount = line_amount(line, currency)
    taxes: list[Decimal] = []
    for name, rate in ((line.tax_name1, line.tax_amount1), (line.tax_name2, line.tax_amount2)):
        if name and rate is not None:
            taxes.append(quantize(amount * rate / HUNDRED, currency, rounding=ROUND_HALF_UP))
        else:
            taxes.append(Decimal(0))
    return taxes[0], taxes[1]


def line_total(line: fb.LineDraft, currency: str) -> Decimal:
    """Amount plus its taxes."""
    tax1, tax2 = line_taxes(line, currency)
    return line_amount(line, currency) + tax1 + tax2


def total(lines: Iterable[fb.LineDraft], currency: str) -> Decimal:
    """The invoice amount FreshBooks will show (no invoice-level percentage discount is ever used)."""
    return sum((line_total(line, currency) for line in lines), Decimal(0))
