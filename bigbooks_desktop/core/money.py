"""Money as `Decimal`, from the wire to the screen: parsing, quantizing and currency exponents."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

__all__ = [
    "CENT",
    "ZERO",
    "MoneyParseError",
    "currency_exponent",
    "format_money",
    "json_loads",
    "quantize",
    "to_decimal",
]

ZERO = Decimal("0")
CENT = Decimal("0.01")

# ISO 4217 currencies whose minor unit is not 2 digits (the ones a store is likely to meet).
_EXPONENTS: dict[str, int] = {
    "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "HUF": 2, "TWD": 2,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3,
}


class MoneyParseError(ValueError):
    """A value that should be an amount is not one."""


def to_decimal(value: Any) -> Decimal:
    """Turn a wire value (str, int, Decimal) into a Decimal. Floats are refused: they already lost cents."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise MoneyParseError(f"not an amount: {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        raise MoneyParseError("float amounts are refused; parse JSON with parse_float=Decimal")
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return ZERO
        try:
            result = Decimal(text)
        except InvalidOperation as exc:
            raise MoneyParseError(f"not an amount: {value!r}") from exc
        if not result.is_finite():
            raise MoneyParseError(f"not a finite amount: {value!r}")
        return result
    raise MoneyParseError(f"not an amount: {value!r}")


def currency_exponent(currency: str | None) -> int:
    """Number of minor-unit digits for an ISO 4217 code (2 when unknown)."""
    return _EXPONENTS.get((currency or "").upper(), 2)


def quantize(amount: Decimal, currency: str | None = None, *, places: int | None = None,
             rounding: str = ROUND_HALF_UP) -> Decimal:
    """Round to the currency's minor unit (or `places`) with explicit rounding (half up by default)."""
    digits = currency_exponent(currency) if places is None else places
    return amount.quantize(Decimal(1).scaleb(-digits), rounding=rounding)


def format_money(amount: Decimal, currency: str | None = None) -> str:
    """A plain display string, e.g. `12.30 USD`."""
    text = f"{quantize(amount, currency):,}"
    return f"{text} {currency}" if currency else text


def json_loads(text: str | bytes) -> Any:
    """Parse JSON with every non-integer number as a Decimal."""
    return json.loads(text, parse_float=Decimal)
