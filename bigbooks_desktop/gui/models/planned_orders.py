"""A dry run's tables: what the sync would do per order, and its totals per currency."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QObject

from bigbooks_desktop.core.views import PlannedAmountsView, PlannedOrderView
from bigbooks_desktop.gui.models.table import Column, ViewTableModel

__all__ = ["CurrencyTotal", "PlannedColumn", "PlannedOrderModel", "PlannedTotalsModel", "TotalsColumn", "money"]


def money(amount: Decimal | None, currency: str) -> str:
    """`1,234.50 USD` (empty for None)."""
    return "" if amount is None else f"{amount:,.2f} {currency}"


@dataclass(frozen=True, slots=True)
class CurrencyTotal:
    currency: str
    invoices: int
    amounts: PlannedAmountsView


class PlannedColumn:
    ORDER, ACTION, INVOICE, CLIENT, TOTAL, PAYMENTS, NEW_ITEMS = range(7)


PLANNED_COLUMNS: tuple[Column[PlannedOrderView], ...] = (
    Column(header="Order", value=lambda p: p.order_id, numeric=True),
    Column(header="Would", value=lambda p: p.action),
    Column(header="Invoice", value=lambda p: p.invoice_number),
    Column(header="Client", value=lambda p: "new" if p.client.value == "create" else "existing"),
    Column(header="Invoice total", value=lambda p: p.total, numeric=True, text=lambda p: money(p.total, p.currency)),
    Column(header="Payments", value=lambda p: p.payment_total, numeric=True,
           text=lambda p: f"{p.payments} · {money(p.payment_total, p.currency)}" if p.payments else ""),
    Column(header="New items", value=lambda p: ", ".join(p.items_to_create),
           tooltip=lambda p: ", ".join(p.items_to_create) or None),
)


class TotalsColumn:
    CURRENCY, INVOICES, INVOICED, PAYMENTS, CREDITS = range(5)


TOTALS_COLUMNS: tuple[Column[CurrencyTotal], ...] = (
    Column(header="Currency", value=lambda t: t.currency),
    Column(header="Invoices", value=lambda t: t.invoices, numeric=True),
    Column(header="Invoiced", value=lambda t: t.amounts.invoices, numeric=True,
           text=lambda t: money(t.amounts.invoices, t.currency)),
    Column(header="Payments", value=lambda t: t.amounts.payments, numeric=True,
           text=lambda t: money(t.amounts.payments, t.currency)),
    Column(header="Credit notes", value=lambda t: t.amounts.credits, numeric=True,
           text=lambda t: money(t.amounts.credits, t.currency)),
)


class PlannedOrderModel(ViewTableModel[PlannedOrderView]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(PLANNED_COLUMNS, parent)


class PlannedTotalsModel(ViewTableModel[CurrencyTotal]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(TOTALS_COLUMNS, parent)
