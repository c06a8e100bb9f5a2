"""FreshBooks entities as the app reads them, and the drafts the app writes.

Read as `from bigbooks_desktop.core import freshbooks as fb` -> `fb.Invoice`, `fb.InvoiceDraft`.
Money is `Decimal` (the wire's `{"amount": "12.30", "code": "USD"}` becomes an amount plus a currency code);
tax rates on lines are percentages. Wire envelopes and timestamp zones are handled in `connectors.freshbooks`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import IntEnum

from pydantic import BaseModel, ConfigDict

__all__ = [
    "Business",
    "Client",
    "ClientDraft",
    "CreditNote",
    "CreditNoteDraft",
    "Identity",
    "Invoice",
    "InvoiceDraft",
    "Item",
    "ItemDraft",
    "ItemUpdate",
    "Line",
    "LineDraft",
    "Payment",
    "PaymentDraft",
    "Tax",
    "TaxDraft",
    "TokenSet",
    "VisState",
    "stable_dump",
]

_ZERO = Decimal("0")


class _Entity(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class VisState(IntEnum):
    ACTIVE = 0
    DELETED = 1
    ARCHIVED = 2


class TokenSet(_Entity):
    """An OAuth token pair. `expires_at` is absolute (created_at + expires_in)."""

    access_token: str
    refresh_token: str
    expires_at: datetime
    scope: str = ""

    def __repr__(self) -> str:  # never show tokens, even in a debugger or a traceback
        return f"TokenSet(expires_at={self.expires_at.isoformat()}, scope={self.scope!r})"

    __str__ = __repr__


class Business(_Entity):
    business_id: int
    business_uuid: str = ""
    name: str
    account_id: str
    role: str = ""


class Identity(_Entity):
    id: int
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    businesses: tuple[Business, ...] = ()


class ClientDraft(_Entity):
    """The client fields the app writes (name, organisation, billing p_* and shipping s_* addresses)."""

    email: str = ""
    fname: str = ""
    lname: str = ""
    organization: str = ""
    bus_phone: str = ""
    p_street: str = ""
    p_street2: str = ""
    p_city: str = ""
    p_province: str = ""
    p_code: str = ""
    p_country: str = ""
    s_street: str = ""
    s_street2: str = ""
    s_city: str = ""
    s_province: str = ""
    s_code: str = ""
    s_country: str = ""
    currency_code: str = ""
    note: str = ""
    # written only when a mapping fills them (FreshBooks SUMMARY §8 client fields: mob_phone, home_phone,
    # vat_name, vat_number); an empty one leaves FreshBooks' value alone
    home_phone: str = ""
    mob_phone: str = ""
    vat_name: str = ""
    vat_number: str = ""


class Client(ClientDraft):
    """A client as FreshBooks returns it: the writable fields of `ClientDraft` plus what FreshBooks keeps."""

    id: int
    vis_state: int = 0
    signup_date: datetime | None = None   # UTC on the wire (unlike other accounting timestamps)
    updated: datetime | None = None


class Line(_Entity):
    lineid: int | None = None
    name: str = ""
    description: str = ""
    qty: Decimal
    unit_cost: Decimal
    amount: Decimal
    tax_name1: str = ""
    tax_amount1: Decimal = _ZERO      # percent
    tax_name2: str = ""
    tax_amount2: Decimal = _ZERO      # percent
    compounded_tax: bool = False


class Invoice(_Entity):
    id: int
    accountid: str = ""
    invoice_number: str
    customerid: int
    create_date: date
    currency_code: str
    amount: Decimal
    paid: Decimal = _ZERO
    outstanding: Decimal = _ZERO
    discount_value: Decimal = _ZERO
    status: int = 1
    v3_status: str = ""
    payment_status: str = ""
    display_status: str = ""
    po_number: str = ""
    notes: str = ""
    terms: str = ""
    vis_state: int = 0
    updated: datetime | None = None
    due_date: date | None = None
    date_paid: date | None = None
    lines: tuple[Line, ...] = ()


class Payment(_Entity):
    id: int
    invoiceid: int
    clientid: int | None = None
    amount: Decimal
    currency_code: str = ""
    date: date
    type: str = ""
    note: str = ""
    transactionid: str | None = None
    vis_state: int = 0
    updated: datetime | None = None
    creditid: int | None = None        # set when the payment applies a credit note (type "Credit")
    from_credit: bool = False
    overpaymentid: int | None = None   # the credit note FreshBooks made for an overpayment's excess (API-FACTS Q6)


class Item(_Entity):
    id: int
    name: str
    description: str = ""
    sku: str = ""
    unit_cost: Decimal = _ZERO
    currency_code: str = ""
    tax1: int | None = None
    tax2: int | None = None
    vis_state: int = 0
    # FreshBooks items carry `qty` and `inventory` (decimal strings; `inventory` "" or null when stock is not
    # counted) and an `updated` timestamp (node `Item__01_GET_200.json`, java `get_item_response.json`)
    qty: Decimal | None = None
    inventory: Decimal | None = None
    updated: datetime | None = None


class Tax(_Entity):
    id: int
    name: str
    amount: Decimal            # rate in percent
    compound: bool = False
    number: str = ""


class CreditNote(_Entity):
    id: int
    clientid: int
    credit_number: str = ""
    create_date: date | None = None
    currency_code: str = ""
    amount: Decimal = _ZERO
    paid: Decimal = _ZERO              # how much of it has been applied to invoices
    notes: str = ""
    vis_state: int = 0
    lines: tuple[Line, ...] = ()
    credit_type: str = "goodwill"      # goodwill, prepayment, or overpayment (made by FreshBooks itself)
    description: str = ""              # e.g. "Overpayment: invoice #0000012" on an overpayment credit


# ---- drafts: what the app sends ---------------------------------------------------------------


class LineDraft(_Entity):
    name: str
    description: str = ""
    qty: Decimal
    unit_cost: Decimal
    tax_name1: str = ""
    tax_amount1: Decimal | None = None   # percent; None = no tax slot used
    tax_name2: str = ""
    tax_amount2: Decimal | None = None
    kind: str = "item"                   # item/shipping/handling/wrapping/discount/rounding/fee (for our records)


class InvoiceDraft(_Entity):
    customerid: int
    invoice_number: str
    create_date: date
    currency_code: str
    po_number: str = ""                  # carries the BigCommerce order id (a dedicated, searchable-by-eye field)
    notes: str = ""
    terms: str = ""
    lines: tuple[LineDraft, ...] = ()
    mark_as_sent: bool = True
    # days from create_date to the due date (FreshBooks SUMMARY §6 writable invoice fields: due_offset_days);
    # None leaves FreshBooks' default
    due_offset_days: int | None = None


# fields the drafts gained after fingerprints of written drafts were first stored (sync.references)
_ADDED_LATER: dict[str, object] = {"due_offset_days": None, "home_phone": "", "mob_phone": "", "vat_name": "",
                                   "vat_number": "", "qty": None, "inventory": None, "tax1": None, "tax2": None}


def stable_dump(draft: BaseModel) -> dict[str, object]:
    """`draft.model_dump(mode="json")` without the fields added later while they hold their default, so a
    draft that does not use them hashes as it did before they existed (no needless rewrite of a synced
    invoice or client)."""
    dumped: dict[str, object] = draft.model_dump(mode="json")
    return {k: v for k, v in dumped.items() if k not in _ADDED_LATER or v != _ADDED_LATER[k]}


class PaymentDraft(_Entity):
    invoiceid: int
    amount: Decimal
    date: date
    type: str = "Other"
    note: str = ""
    creditid: int | None = None        # apply this credit note to the invoice instead of recording money


class ItemDraft(_Entity):
    name: str
    description: str = ""
    sku: str
    unit_cost: Decimal
    currency_code: str = ""
    # written only when set (node `Item__05_POST_200.request.json` sends qty, inventory, tax1, tax2)
    qty: Decimal | None = None
    inventory: Decimal | None = None
    tax1: int | None = None
    tax2: int | None = None


class ItemUpdate(_Entity):
    """The item fields a `PUT items/items/{id}` changes: None leaves FreshBooks' value as it is (only the fields
    set are sent); a tax id of 0 takes the tax off. `currency_code` goes with `unit_cost`."""

    name: str | None = None
    description: str | None = None
    unit_cost: Decimal | None = None
    currency_code: str = ""
    qty: Decimal | None = None
    inventory: Decimal | None = None
    tax1: int | None = None
    tax2: int | None = None


class TaxDraft(_Entity):
    name: str
    amount: Decimal
    number: str = ""
    compound: bool = False


class CreditNoteDraft(_Entity):
    clientid: int
    create_date: date
    currency_code: str
    notes: str = ""
    lines: tuple[LineDraft, ...] = ()    # lines may carry tax names and percents, like invoice lines
    credit_type: str | None = None       # "goodwill" (FreshBooks' default when None) or "prepayment"
