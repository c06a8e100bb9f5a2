"""Typed views of the local order copy: a page of orders beside their invoices (what the window's tables show)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

__all__ = ["OrderPageView", "OrderRowState", "OrderRowView"]


class OrderRowState(StrEnum):
    SYNCED = "synced"
    NEEDS_ATTENTION = "needs_attention"
    NOT_INVOICED = "not_invoiced"
    HELD = "held"
    VOIDED = "voided"


@dataclass(frozen=True, slots=True)
class OrderRowView:
    """One BigCommerce order beside the FreshBooks invoice BigBooks wrote for it."""

    order_id: int
    date_created: datetime
    date_modified: datetime
    status_id: int
    status: str
    customer: str
    email: str
    currency: str
    total: Decimal
    tax: Decimal
    refunded: Decimal
    invoice_id: int | None
    invoice_number: str | None
    invoice_amount: Decimal | None
    invoice_tax: Decimal | None
    state: OrderRowState
    note: str
    updated_at: datetime | None

    @property
    def difference(self) -> Decimal | None:
        """Invoice amount minus the order total (None without an invoice)."""
        return None if self.invoice_amount is None else self.invoice_amount - self.total


@dataclass(frozen=True, slots=True)
class OrderPageView:
    """One page of orders, newest first, and how many match in all."""

    rows: tuple[OrderRowView, ...]
    offset: int
    total: int
