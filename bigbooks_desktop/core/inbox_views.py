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
    "ConflictChoice",
    "FieldConflictView",
    "FixAction",
    "FixKind",
    "FixRecordView",
    "FreshBooksItemView",
    "FreshBooksTaxView",
    "InboxCauseView",
    "InboxFixView",
    "InboxGroupsView",
    "SkuProductView",
    "UnknownSkuView",
    "UnknownTaxView",
    "row_label",
    "subject_label",
]


class CauseCode(StrEnum):
    """Why an order waits in the inbox, as the engine recorded it (store.error_queue cause "code")."""

    MISSING_EMAIL = "missing_email"
    UNKNOWN_SKU = "unknown_sku"
    UNKNOWN_TAX = "unknown_tax"
    AMBIGUOUS_INVOICE = "ambiguous_invoice"
    FIELD_CONFLICT = "field_conflict"  # an item or client changed in both BigCommerce and FreshBooks
    SHARED_SKU = "shared_sku"         # two BigCommerce products with the SKU of one FreshBooks item
    RULE = "rule"                     # a mapping-profile rule sent it here (or could not run)
    TEMPORARY = "temporary"           # a network or service hiccup: retried automatically
    OTHER = "other"                   # anything else: grouped by its title


class FixKind(StrEnum):
    """The form the screen offers for a cause."""

    EMAIL = "email"                   # type the customer's email
    SKU_ITEM = "sku-item"             # map each unknown SKU to a FreshBooks item, or create it
    TAX = "tax"                       # map the BigCommerce tax to a FreshBooks tax of the same rate
    PICK_INVOICE = "pick-invoice"     # pick which hand-entered invoice is this order's
    CHOOSE_VALUES = "choose-values"   # per conflicting field, keep BigCommerce's or FreshBooks' value
    FOLLOW_PRODUCT = "follow-product"  # pick the product a shared SKU's item follows (or fix the SKU)
    NONE = "none"                     # nothing to type: fix it at the source, then retry (or ignore)


class ConflictChoice(StrEnum):
    """Whose value a conflicting field keeps (sync.field_merge.Choice)."""

    BIGCOMMERCE = "bigcommerce"
    FRESHBOOKS = "freshbooks"


def subject_label(subject: str | None) -> str | None:
    """What a row that is not an order's is about, in words: "item:MUG-111" -> "Item MUG-111",
    "client:customer:42" -> "Client of customer 42" (None for an order's row)."""
    if not subject:
        return None
    kind, _, key = subject.partition(":")
    if kind == "item":
        return f"Item {key}"
    if kind == "client":
        source, _, number = key.partition(":")
        return f"Client of customer {number}" if source == "customer" and number else f"Client {key}"
    return subject


def row_label(order_id: int | None, subject: str | None, row_id: int) -> str:
    """The name of an inbox row: "Order 123", "Item MUG-111", "Client of customer 42", else "Problem 7"."""
    if order_id is not None:
        return f"Order {order_id}"
    return subject_label(subject) or f"Problem {row_id}"


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
class FieldConflictView:
    """One field of an item or client changed on both sides since the last sync: BigCommerce's value, FreshBooks'
    value, the value both last agreed on (None: unknown) and the choice saved so far (None: not chosen)."""

    field: str                        # the FreshBooks field: "name", "unit_cost", "p_street"...
    label: str                        # as a merchant reads it: "Name", "Price", "Street"
    bigcommerce: str
    freshbooks: str
    baseline: str | None = None
    chosen: ConflictChoice | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SkuProductView:
    """One of the BigCommerce products that share a SKU; `followed`: the FreshBooks item follows it now;
    `chosen`: the user picked it in the inbox."""

    id: int
    followed: bool = False
    chosen: bool = False


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
    subject_label: str | None = None                   # "Item MUG-111" for a row that is not an order's
    conflicts: tuple[FieldConflictView, ...] = ()      # FIELD_CONFLICT: per field, both values
    shared_sku: str = ""                               # SHARED_SKU: the SKU, and the products sharing it
    products: tuple[SkuProductView, ...] = ()
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
