"""What the error inbox's screen reads: rows grouped by cause, each cause's fix as typed data, the FreshBooks
items and taxes a fix can pick from, and the history of what was done. No Qt, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from bigbooks_desktop.core.views import InboxDetailView, InboxView

__all__ = [
    "CandidateInvoiceView",
    "CauseCode",
    "FixAction",
    "FixKind",
    "FixRecordView",
    "FreshBooksItemView",
    "FreshBooksTaxView",
    "InboxCauseView",
    "InboxFixView",
    "InboxGroupsView",
    "UnknownSkuView",
    "UnknownTaxView",
]


class CauseCode(StrEnum):
    """Why an order waits in the inbox, as the engine recorded it (store.error_queue cause "code")."""

    MISSING_EMAIL = "missing_email"
    UNKNOWN_SKU = "unknown_sku"
    UNKNOWN_TAX = "unknown_tax"
    AMBIGUOUS_INVOICE = "ambiguous_invoice"
    RULE = "rule"                     # a mapping-profile rule sent it here (or could not run)
    TEMPORARY = "temporary"           # a network or service hiccup: retried automatically
    OTHER = "other"                   # anything else: grouped by its title


class FixKind(StrEnum):
    """The form the screen offers for a cause."""

    EMAIL = "email"                   # type the customer's email
    SKU_ITEM = "sku-item"             # map each unknown SKU to a FreshBooks item, or create it
    TAX = "tax"                       # map the BigCommerce tax to a FreshBooks tax of the same rate
    PICK_INVOICE = "pick-invoice"     # pick which hand-entered invoice is this order's
    NONE = "none"                     # nothing to type: fix it at the source, then retry (or ignore)


class FixAction(StrEnum):
    """store.error_queue.FixAction."""

    EDITED = "edited"
    RETRY = "retry"
    IGNORED = "ignored"
    CARRIED = "carried"


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxCauseView:
    """One group of the inbox: every active row with the same cause. `key` is stable across reloads
    ("missing_email", "unknown_sku:MUG-1", "other:validate:Payment disputed (chargeback)"); `label` names the
    cause ("no email", "unknown SKU MUG-1"); `summary` counts it ("12 orders: no email")."""

    key: str
    code: CauseCode
    label: str
    summary: str
    fix: FixKind
    items: tuple[InboxView, ...]

    @property
    def count(self) -> int:
        return len(self.items)


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxGroupsView:
    """The active inbox, grouped; the biggest group first. `total`: active rows (the navigation badge)."""

    groups: tuple[InboxCauseView, ...]
    total: int


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownSkuView:
    """A SKU FreshBooks has no item for, with the order line it came from (the new item's defaults) and the
    item it is mapped to or will be created as, once a fix says so."""

    sku: str
    line_name: str
    price: Decimal
    currency: str
    mapped_item_id: int | None = None
    create_as: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownTaxView:
    """A BigCommerce tax FreshBooks lacks: its name and percent, and the FreshBooks name the sync looked for."""

    tax_name: str
    rate: Decimal
    freshbooks_name: str
    mapped_to: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateInvoiceView:
    """An invoice entered by hand in FreshBooks that may be this order's."""

    id: int
    number: str
    customer: str
    amount: Decimal
    currency: str
    issued: date | None
    status: str
    picked: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class FixRecordView:
    """One thing someone did about a row: who, when, what."""

    at: datetime
    actor: str
    action: FixAction
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxFixView:
    """One inbox row as the detail pane shows it: in plain words what happened and what to do, the fix's form
    data, what was done so far, and the failed data as redacted JSON."""

    item: InboxDetailView
    cause_key: str
    code: CauseCode
    label: str
    what_happened: str
    what_to_do: str
    fix: FixKind
    email: str = ""                                   # the order's email now (with a saved fix)
    skus: tuple[UnknownSkuView, ...] = ()
    tax: UnknownTaxView | None = None
    candidates: tuple[CandidateInvoiceView, ...] = ()
    history: tuple[FixRecordView, ...] = ()
    ignored_reason: str | None = None
    raw_json: str = "{}"


@dataclass(frozen=True, slots=True, kw_only=True)
class FreshBooksItemView:
    """An item of the FreshBooks catalogue (for the SKU picker)."""

    id: int
    name: str
    sku: str
    price: Decimal
    currency: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FreshBooksTaxView:
    """A FreshBooks tax (for the tax picker)."""

    id: int
    name: str
    rate: Decimal
