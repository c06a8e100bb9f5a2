"""Typed views of the local order copy: a page of orders beside their invoices (what the window's tables show)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "ORDER_STATE_MEANINGS",
    "OrderCheckView",
    "OrderDetailView",
    "OrderPageView",
    "OrderQuery",
    "OrderRowState",
    "OrderRowView",
    "OrderSort",
    "OrderState",
    "RecordLineKind",
    "RecordLineView",
    "StatedOrderPageView",
    "StatedOrderView",
]


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


# -- the side-by-side screen: the states, queries with filters and sorting, the detail pane -------------

class OrderState(StrEnum):
    """An order's state as the orders screen shows it, worked out from the engine's records at read time."""

    SYNCED = "synced"        # its invoice is in FreshBooks and agrees with the order
    WAITING = "waiting"      # a retry is scheduled (a passing fault, a paused run): nothing to do yet
    FAILED = "failed"        # in the inbox: needs a fix from you
    SKIPPED = "skipped"      # not invoiced: not an invoiceable status, or a problem you ignored
    DRIFT = "drift"          # the order or its invoice changed after sync: an update or your decision is due
    UNDONE = "undone"        # its invoice was removed (a run undone, or the order cancelled and voided)


ORDER_STATE_MEANINGS: dict[OrderState, str] = {
    OrderState.SYNCED: "Invoiced in FreshBooks; the invoice agrees with the order.",
    OrderState.WAITING: "BigBooks retries it by itself (a passing fault or a paused run); nothing to do yet.",
    OrderState.FAILED: "Needs a fix from you: open the inbox to see what happened and what to do.",
    OrderState.SKIPPED: "Not invoiced: not an invoiceable status (pending, cancelled...), or a problem you ignored.",
    OrderState.DRIFT: "Changed after its invoice was written: an update is due or you must decide.",
    OrderState.UNDONE: "Its invoice was removed: a sync run was undone, or the cancelled order was voided.",
}


class OrderSort(StrEnum):
    """The columns the local copy sorts by in SQL, on native values."""

    ORDER_ID = "order_id"
    DATE = "date_created"
    STATUS = "status"
    CUSTOMER = "customer"
    EMAIL = "email"
    CURRENCY = "currency"
    TOTAL = "total"
    REFUNDED = "refunded"
    STATE = "state"
    INVOICE_NUMBER = "invoice_number"
    INVOICE_AMOUNT = "invoice_amount"
    DIFFERENCE = "difference"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderQuery:
    """Which orders a page holds and in what order. `since`/`until` are aware (`until` exclusive); `search`
    matches the order number, the invoice number, the customer or the email."""

    states: frozenset[OrderState] = frozenset()
    since: datetime | None = None
    until: datetime | None = None
    currency: str = ""
    search: str = ""
    invoiced_only: bool = False
    sort: OrderSort = OrderSort.DATE
    descending: bool = True

    @property
    def filtered(self) -> bool:
        """True when a filter or a search narrows the orders (the invoices side's own `invoiced_only` aside)."""
        return bool(self.states or self.since or self.until or self.currency or self.search.strip())


@dataclass(frozen=True, slots=True)
class StatedOrderView:
    """A row of the side-by-side tables: the order beside its invoice, with the screen's state."""

    row: OrderRowView
    state: OrderState

    @property
    def order_id(self) -> int:
        return self.row.order_id


@dataclass(frozen=True, slots=True)
class StatedOrderPageView:
    """One page of the side-by-side tables and how many orders match in all."""

    rows: tuple[StatedOrderView, ...]
    offset: int
    total: int


class RecordLineKind(StrEnum):
    ITEM = "item"
    SHIPPING = "shipping"
    HANDLING = "handling"
    WRAPPING = "wrapping"
    FEE = "fee"
    DISCOUNT = "discount"
    ROUNDING = "rounding"
    TAX = "tax"
    PAYMENT = "payment"
    REFUND = "refund"
    CREDIT = "credit"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class RecordLineView:
    """One line of either record: a product, shipping, a discount, a tax rate, a payment, a refund or credit.
    `amount` is before tax for priced lines; `tax` is the line's tax where the record has one."""

    kind: RecordLineKind
    label: str
    detail: str
    quantity: Decimal | None
    amount: Decimal
    tax: Decimal | None = None


@dataclass(frozen=True, slots=True)
class OrderCheckView:
    """One comparison of the two records (before tax, each tax rate, total, payments, refunds): both figures,
    their difference (invoice minus order) and, when they differ, why."""

    what: str
    order_amount: Decimal | None
    invoice_amount: Decimal | None
    explanation: str

    @property
    def difference(self) -> Decimal | None:
        if self.order_amount is None or self.invoice_amount is None:
            return None
        return self.invoice_amount - self.order_amount

    @property
    def differs(self) -> bool:
        return self.difference != 0


@dataclass(frozen=True, slots=True)
class OrderDetailView:
    """Both records of one order line by line, their comparisons, and where to open each."""

    order: StatedOrderView
    order_lines: tuple[RecordLineView, ...]
    invoice_lines: tuple[RecordLineView, ...]
    checks: tuple[OrderCheckView, ...]
    summary: str                              # one sentence: the state and what it means for this order
    bigcommerce_url: str | None               # the order in the control panel (None: no real store)
    freshbooks_url: str | None                # the invoice in FreshBooks (None: no invoice or no account)
    links_note: str                           # why a link is missing, when one is
