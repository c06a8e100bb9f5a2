"""The generated store's container and the dates and money rounding every part of the generator shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bigbooks_desktop.sandbox.bigcommerce.credit import CreditLedger

__all__ = ["BASE_DATE", "CENT", "ZERO", "GeneratedStore", "cents"]

BASE_DATE = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)  # generated history ends here, whatever today is
CENT = Decimal("0.01")
ZERO = Decimal("0")


@dataclass
class GeneratedStore:
    """Everything the sandbox serves, as wire-shaped dicts holding Decimal money and aware datetimes."""

    products: list[dict[str, Any]]
    customers: list[dict[str, Any]]
    orders: list[dict[str, Any]]  # order records: order, products, ..., transactions, refunds
    books_skus: list[str]  # variant SKUs FreshBooks already knows as items
    counters: dict[str, int] = field(default_factory=dict)
    ledger: CreditLedger = field(default_factory=CreditLedger)  # gift certificates and store credit over time

    def next_id(self, kind: str) -> int:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]


def cents(value: Decimal) -> Decimal:
    """Rounded half-up to the cent, as BigCommerce rounds order money."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
