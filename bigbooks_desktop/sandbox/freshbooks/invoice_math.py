"""FreshBooks money math: line amounts, per-line taxes, discount, totals and invoice status moves.

The rule, taken from `java/get_invoice_response.json` (lines 4 x 5.00 @ 13 % HST and 6 x 4.00, discount_value
10, amount 41.94): a line's amount is qty x unit_cost rounded to the cent; the invoice discount
(`discount_value`, a percent) is taken off the subtotal (`discount_total` = -4.40) and **taxes are computed on
each line's discounted amount** (13 % of 18.00 = 2.34), each rounded half-up to the cent. amount = subtotal +
discount_total + line taxes.

"Cent" means the currency's minor unit: a whole yen for JPY (ISO 4217 exponent 0). The references show only
2-decimal currencies; rounding zero-decimal currencies to their unit is this sandbox's assumption, the same
one the mapping makes, so an order in yen is invoiced in whole yen.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bigbooks_desktop.core.money import currency_exponent, to_decimal

__all__ = [
    "HUNDRED",
    "InvoiceTotals",
    "cents",
    "line_amount",
    "line_taxes",
    "money",
    "payment_state",
    "totals",
]

HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def cents(value: Decimal, code: str | None = None) -> Decimal:
    """Round half-up to the cent (the currency's minor unit), the way FreshBooks rounds every stored amount."""
    unit = _CENT if code is None else Decimal(1).scaleb(-currency_exponent(code))
    return value.quantize(unit, rounding=ROUND_HALF_UP)


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


def line_taxes(line: dict[str, Any], *, discount_percent: Decimal) -> tuple[Decimal, Decimal]:
    """(tax1, tax2) on the discounted line amount; with `compounded_tax`, tax2 is charged on amount + tax1."""
    base = line_amount(line) * (HUNDRED - discount_percent) / HUNDRED
    rate1 = to_decimal(line.get("taxAmount1") or "0") if line.get("taxName1") else Decimal(0)
    rate2 = to_decimal(line.get("taxAmount2") or "0") if line.get("taxName2") else Decimal(0)
    tax1 = cents(base * rate1 / HUNDRED, _code(line))
    base2 = base + tax1 if line.get("compounded_tax") else base
    tax2 = cents(base2 * rate2 / HUNDRED, _code(line))
    return tax1, tax2


class InvoiceTotals:
    """The computed money of an invoice or credit note, all Decimal rounded to the cent."""

    def __init__(self, *, subtotal: Decimal, discount_total: Decimal, tax: Decimal) -> None:
        self.subtotal = subtotal
        self.discount_total = discount_total
        self.tax = tax
        self.amount = subtotal + discount_total + tax


def totals(lines: list[dict[str, Any]], *, discount_value: Any) -> InvoiceTotals:
    """Totals of a document from its lines and its `discount_value` percent."""
    percent = to_decimal(discount_value or "0")
    subtotal = sum((line_amount(line) for line in lines), Decimal(0))
    tax = Decimal(0)
    for line in lines:
        tax1, tax2 = line_taxes(line, discount_percent=percent)
        tax += tax1 + tax2
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
