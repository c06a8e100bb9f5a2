"""FreshBooks money math: line amounts, per-line taxes, discount, totals and invoice status moves.

The rule, taken from `java/get_invoice_response.json` (lines 4 x 5.00 @ 13 % HST and 6 x 4.00, discount_value
10, amount 41.94): a line's amount is qty x unit_cost rounded to the cent; the invoice discount
(`discount_value`, a percent) is taken off the subtotal (`discount_total` = -4.40) and **taxes are computed on
each line's discounted amount** (13 % of 18.00 = 2.34), rounded to the cent by the tax rounding rule below.
amount = subtotal + discount_total + taxes.

"Cent" means the currency's minor unit: a whole yen for JPY (ISO 4217 exponent 0). The references show only
2-decimal currencies; rounding zero-decimal currencies to their unit is this sandbox's assumption, the same
one the mapping makes, so an order in yen is invoiced in whole yen.

How line taxes are rounded is NOT known (API-FACTS Q1: the one taxed fixture has a single taxed line, so
per-line and per-tax rounding agree on it; half-even is only hinted at by the Python-looking backend). So the
rule is a setting, `SandboxConfig.freshbooks_tax_rounding` (unverified: sandbox assumption, each of the four):

- "line-half-up" (default, the sandbox's behaviour before the switch) / "line-half-even": each line's tax is
  rounded to the cent per slot, then the line taxes are summed. With `compounded_tax`, tax2 is charged on
  the discounted amount + the line's rounded tax1.
- "invoice-half-up" / "invoice-half-even": per tax NAME (whichever slot carries it), the unrounded taxes of
  every line carrying that name are summed and rounded once. With `compounded_tax`, tax2 is charged on the
  discounted amount + that line's unrounded tax1 (no evidence either way: sandbox assumption).

Under every rule the line amount stays qty x unit_cost rounded half-up ([FX] java 4 x 5.00 -> "20.00"; the
rounding mode of a sub-cent product is unverified), taxes are charged on the line amount after the invoice
discount percent ([FX] java: 13 % of 18.00 = 2.34, API-FACTS Q2), and `discount_total` is rounded half-up.
The same math applies to credit notes (their lines carry the same tax fields [DOC][PM]; how FreshBooks taxes a
credit note is unverified, API-PROBES P4).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

from bigbooks_desktop.core.money import currency_exponent, to_decimal
from bigbooks_desktop.sandbox.config import DEFAULT_TAX_ROUNDING, check_tax_rounding

__all__ = [
    "HUNDRED",
    "InvoiceTotals",
    "cents",
    "line_amount",
    "line_taxes",
    "money",
    "payment_state",
    "tax_total",
    "totals",
]

HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def cents(value: Decimal, code: str | None = None, *, rounding: str = ROUND_HALF_UP) -> Decimal:
    """Round to the cent (the currency's minor unit); half-up unless a tax rounding rule says half-even."""
    unit = _CENT if code is None else Decimal(1).scaleb(-currency_exponent(code))
    return value.quantize(unit, rounding=rounding)


def _code(line: dict[str, Any]) -> str | None:
    code = (line.get("unit_cost") or {}).get("code")
    return str(code) if code else None


def money(value: Decimal, code: str) -> dict[str, str]:
    """The wire money object: {"amount": "12.30", "code": "USD"}."""
    return {"amount": f"{cents(value, code):.2f}", "code": code}


def line_amount(line: dict[str, Any]) -> Decimal:
    """qty x unit_cost, rounded to the cent (negative unit costs allowed: discount lines)."""
    qty = to_decimal(line.get("qty") or "0")
    unit = to_decimal((line.get("unit_cost") or {}).get("amount") or "0")
    return cents(qty * unit, _code(line))


def _rates(line: dict[str, Any]) -> tuple[Decimal, Decimal]:
    """The line's two tax rates in percent; a slot without a tax name charges nothing."""
    rate1 = to_decimal(line.get("taxAmount1") or "0") if line.get("taxName1") else Decimal(0)
    rate2 = to_decimal(line.get("taxAmount2") or "0") if line.get("taxName2") else Decimal(0)
    return rate1, rate2


def _taxable(line: dict[str, Any], discount_percent: Decimal) -> Decimal:
    """The line amount after the invoice discount percent, unrounded (tax base, API-FACTS Q2)."""
    return line_amount(line) * (HUNDRED - discount_percent) / HUNDRED


def line_taxes(
    line: dict[str, Any], *, discount_percent: Decimal, rounding: str = ROUND_HALF_UP
) -> tuple[Decimal, Decimal]:
    """(tax1, tax2) of one line, each rounded to the cent: the "line-*" rules.

    With `compounded_tax`, tax2 is charged on the discounted amount + the rounded tax1.
    """
    base = _taxable(line, discount_percent)
    rate1, rate2 = _rates(line)
    tax1 = cents(base * rate1 / HUNDRED, _code(line), rounding=rounding)
    base2 = base + tax1 if line.get("compounded_tax") else base
    tax2 = cents(base2 * rate2 / HUNDRED, _code(line), rounding=rounding)
    return tax1, tax2


def _unrounded_taxes_by_name(lines: list[dict[str, Any]], discount_percent: Decimal) -> dict[str, Decimal]:
    """Per tax name, the sum of every line's unrounded tax under that name (either slot)."""
    by_name: dict[str, Decimal] = {}
    for line in lines:
        base = _taxable(line, discount_percent)
        rate1, rate2 = _rates(line)
        tax1 = base * rate1 / HUNDRED
        tax2 = (base + tax1 if line.get("compounded_tax") else base) * rate2 / HUNDRED
        for name, tax in ((line.get("taxName1"), tax1), (line.get("taxName2"), tax2)):
            if name:
                by_name[str(name)] = by_name.get(str(name), Decimal(0)) + tax
    return by_name


def tax_total(
    lines: list[dict[str, Any]], *, discount_percent: Decimal, rule: str = DEFAULT_TAX_ROUNDING
) -> Decimal:
    """The document's total tax under one of the tax rounding rules (see the module docstring)."""
    scope, _, mode = check_tax_rounding(rule).partition("-")
    rounding = ROUND_HALF_EVEN if mode == "half-even" else ROUND_HALF_UP
    if scope == "line":
        total = Decimal(0)
        for line in lines:
            tax1, tax2 = line_taxes(line, discount_percent=discount_percent, rounding=rounding)
            total += tax1 + tax2
        return total
    code = _code(lines[0]) if lines else None
    return sum(
        (
            cents(tax, code, rounding=rounding)
            for tax in _unrounded_taxes_by_name(lines, discount_percent).values()
        ),
        Decimal(0),
    )


class InvoiceTotals:
    """The computed money of an invoice or credit note, all Decimal rounded to the cent."""

    def __init__(self, *, subtotal: Decimal, discount_total: Decimal, tax: Decimal) -> None:
        self.subtotal = subtotal
        self.discount_total = discount_total
        self.tax = tax
        self.amount = subtotal + discount_total + tax


def totals(
    lines: list[dict[str, Any]], *, discount_value: Any, tax_rounding: str = DEFAULT_TAX_ROUNDING
) -> InvoiceTotals:
    """Totals of a document from its lines, its `discount_value` percent and the tax rounding rule."""
    percent = to_decimal(discount_value or "0")
    subtotal = sum((line_amount(line) for line in lines), Decimal(0))
    tax = tax_total(lines, discount_percent=percent, rule=tax_rounding)
    code = _code(lines[0]) if lines else None
    return InvoiceTotals(subtotal=subtotal, discount_total=-cents(subtotal * percent / HUNDRED, code), tax=tax)


def payment_state(*, amount: Decimal, paid: Decimal, sent: bool) -> dict[str, Any]:
    """status / v3_status / display_status / payment_status for an invoice with `paid` of `amount` applied.

    Mirrors `java/get_invoice_response.json`: a partial payment keeps status 2 (sent) and display "sent" while
    v3_status and payment_status say "partial"; a full payment gives status 4 / "paid". Recording a payment
    on a draft sends it (the caller passes sent=True once any payment exists).
    """
    if paid > 0 and paid >= amount:
        return {"status": 4, "v3_status": "paid", "display_status": "sent", "payment_status": "paid"}
    if paid > 0:
        return {"status": 2, "v3_status": "partial", "display_status": "sent", "payment_status": "partial"}
    if sent:
        return {"status": 2, "v3_status": "sent", "display_status": "sent", "payment_status": "unpaid"}
    return {"status": 1, "v3_status": "draft", "display_status": "draft", "payment_status": "unpaid"}
