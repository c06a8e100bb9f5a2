"""The fields a mapping can read from a BigCommerce order, and the FreshBooks fields it can write.

Reading: every field of `SOURCE_FIELDS` has a path (`order.total_inc_tax`), a type, a label and a sample.
The shop's own checkout fields are all readable as text under `custom_fields.` followed by the field's short
name ("PO Number" is `custom_fields.po_number`). Writing: `TARGET_FIELDS` lists the FreshBooks invoice, line
and client fields a mapping may fill, each with its type, whether it must have a value, and the longest text
this app sends. FreshBooks documents no length limits (it only has an error for "too long", errno 1017,
FreshBooks SUMMARY §9), so each limit is either a real one (a 3-letter currency code, a 254-character email
address) or a conservative choice marked "unknown" in its source; the Truncate transform cuts to it.

Types are the mapping vocabulary: "text", "number" (Decimal), "integer", "bool", "datetime", "date", "list".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from string import Formatter
from types import MappingProxyType
from typing import Any, Literal

from bigbooks_desktop.mapping.source_data import template_placeholders

__all__ = [
    "CUSTOM_FIELDS",
    "SOURCE_FIELDS",
    "TARGET_FIELDS",
    "VALUE_TYPES",
    "SourceField",
    "TargetField",
    "TargetScope",
    "ValueType",
    "path_problem",
    "rule_targets",
    "source_field",
    "source_types",
    "template_length",
    "template_problems",
]

ValueType = Literal["text", "number", "integer", "bool", "datetime", "date", "list"]
VALUE_TYPES: tuple[ValueType, ...] = ("text", "number", "integer", "bool", "datetime", "date", "list")
TargetScope = Literal["invoice", "line", "client"]

CUSTOM_FIELDS = "custom_fields.*"
_CUSTOM_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class SourceField:
    """One readable field. `max_length`: the longest its text form can be, when that is known."""

    path: str
    type: ValueType
    label: str
    description: str
    sample: Any
    max_length: int | None = None


@dataclass(frozen=True)
class TargetField:
    """One writable FreshBooks field. `source` cites where its name, required-ness and limit come from."""

    path: str
    type: ValueType
    label: str
    description: str
    required: bool
    max_length: int | None
    source: str
    scope: TargetScope        # invoice, line (a product line: may read `line.*`) or client
    cut: bool = True          # False: a cut value is a wrong value (an email), so no cut is ever advised

    @property
    def limit_documented(self) -> bool:
        """Whether a mapping is warned that a value may exceed `max_length`: not when the limit is a
        conservative choice of ours (FreshBooks documents none; Truncate still cuts to it), nor when cutting
        would make the value wrong."""
        return self.max_length is not None and self.cut and "unknown" not in self.source


_WHEN = datetime(2025, 3, 1, 14, 5, tzinfo=UTC)
_ID = 20        # an id's digits (a 64-bit integer)
_DT = 32        # an ISO date-time with its offset
_MONEY: ValueType = "number"

# (path, type, label, description, sample, max_length): the order, from core.bigcommerce.Order
_ORDER: tuple[tuple[str, ValueType, str, str, Any, int | None], ...] = (
    ("id", "integer", "Order number", "BigCommerce's order id", 1024, _ID),
    ("status_id", "integer", "Status id", "BigCommerce's status number (10 = Completed)", 10, _ID),
    ("status", "text", "Status", "The status name as the store shows it", "Completed", None),
    ("custom_status", "text", "Custom status", "The merchant's own name for the status", "Completed", None),
    ("channel_id", "integer", "Channel id", "The sales channel (1 = the storefront); empty if not stated", 1,
     _ID),
    ("customer_id", "integer", "Customer id", "The shopper's account id; 0 for a guest", 42, _ID),
    ("date_created", "datetime", "Order date", "When the order was placed", _WHEN, _DT),
    ("date_modified", "datetime", "Last changed", "When the order last changed", _WHEN, _DT),
    ("date_shipped", "datetime", "Shipped on", "When it shipped; empty until then", None, _DT),
    ("currency_code", "text", "Currency", "The currency the shopper paid in (the invoice's currency)", "USD", 3),
    ("currency_exchange_rate", "number", "Exchange rate", "Store currency to order currency", Decimal("1"),
     None),
    ("is_tax_inclusive_pricing", "bool", "Prices include tax", "Whether entered prices include tax", False, 5),
    ("items_total", "integer", "Item count", "How many items the order holds", 3, _ID),
    ("subtotal_ex_tax", _MONEY, "Subtotal (ex. tax)", "Products before tax", Decimal("40.0000"), None),
    ("subtotal_inc_tax", _MONEY, "Subtotal (inc. tax)", "Products with tax", Decimal("43.3000"), None),
    ("subtotal_tax", _MONEY, "Subtotal tax", "Tax on the products", Decimal("3.3000"), None),
    ("shipping_cost_ex_tax", _MONEY, "Shipping (ex. tax)", "Shipping before tax", Decimal("5.0000"), None),
    ("shipping_cost_inc_tax", _MONEY, "Shipping (inc. tax)", "Shipping with tax", Decimal("5.4100"), None),
    ("shipping_cost_tax", _MONEY, "Shipping tax", "Tax on shipping", Decimal("0.4100"), None),
    ("handling_cost_ex_tax", _MONEY, "Handling (ex. tax)", "Handling before tax", Decimal("0.0000"), None),
    ("handling_cost_inc_tax", _MONEY, "Handling (inc. tax)", "Handling with tax", Decimal("0.0000"), None),
    ("handling_cost_tax", _MONEY, "Handling tax", "Tax on handling", Decimal("0.0000"), None),
    ("wrapping_cost_ex_tax", _MONEY, "Gift wrapping (ex. tax)", "Gift wrapping before tax", Decimal("0.0000"),
     None),
    ("wrapping_cost_inc_tax", _MONEY, "Gift wrapping (inc. tax)", "Gift wrapping with tax", Decimal("0.0000"),
     None),
    ("wrapping_cost_tax", _MONEY, "Gift wrapping tax", "Tax on gift wrapping", Decimal("0.0000"), None),
    ("total_ex_tax", _MONEY, "Total (ex. tax)", "The order total before tax", Decimal("45.0000"), None),
    ("total_inc_tax", _MONEY, "Total (inc. tax)", "The order total the shopper paid", Decimal("48.7100"), None),
    ("total_tax", _MONEY, "Total tax", "All tax on the order", Decimal("3.7100"), None),
    ("discount_amount", _MONEY, "Manual discount", "The merchant's manual discount", Decimal("0.0000"), None),
    ("coupon_discount", _MONEY, "Coupon discount", "What coupons took off", Decimal("5.0000"), None),
    ("store_credit_amount", _MONEY, "Store credit used", "Paid from store credit", Decimal("0.0000"), None),
    ("gift_certificate_amount", _MONEY, "Gift certificates used", "Paid with gift certificates",
     Decimal("0.0000"), None),
    ("payment_method", "text", "Payment method", "As the store names it, e.g. Credit Card", "Credit Card",
     None),
    ("payment_provider_id", "text", "Payment reference", "The payment provider's id for the payment",
     "ch_3Pq", None),
    ("payment_status", "text", "Payment status", "e.g. captured, refunded", "captured", None),
    ("customer_message", "text", "Customer's message", "The comment the shopper left at checkout, spaces trimmed",
     "Please gift wrap", None),
    ("staff_notes", "text", "Staff notes", "Private notes, spaces trimmed; the FreshBooks client can read "
     "whatever you map them to", "Called to confirm", None),
    ("order_source", "text", "Order source", "Where the order came from, e.g. www, manual, external", "www",
     None),
    ("external_id", "text", "External order id", "The marketplace's id for an order placed elsewhere", "",
     None),
    ("coupon_codes", "list", "Coupon codes", "The codes the shopper used", ["SAVE5"], None),
    ("custom_fields_text", "text", "Checkout fields (billing)", "The billing address's checkout fields as "
     "\"Name: value\", one a line", "PO Number: 4471", None),
    ("checkout_fields_text", "text", "Checkout fields (all)", "Every checkout field, the billing address's then "
     "the shipping address's, as \"Name: value\", one a line", "PO Number: 4471\nGate code: 1234", None),
)
_ADDRESS: tuple[tuple[str, str, str], ...] = (
    ("first_name", "First name", "Jane"), ("last_name", "Last name", "Doe"), ("company", "Company", "Acme Ltd"),
    ("street_1", "Street", "1 Main St"), ("street_2", "Street line 2", "Suite 4"), ("city", "City", "Austin"),
    ("state", "State or province", "Texas"), ("zip", "Postal code", "78701"),
    ("country", "Country", "United States"), ("country_iso2", "Country code", "US"),
    ("phone", "Phone", "555-0100"), ("email", "Email", "jane@example.com"),
)
_CUSTOMER: tuple[tuple[str, ValueType, str, str, Any, int | None], ...] = (
    ("id", "integer", "Customer id", "The shopper's account id; 0 for a guest", 42, _ID),
    ("is_guest", "bool", "Guest checkout", "true when the shopper has no account", False, 5),
    ("email", "text", "Email", "The account's email, else the billing email", "jane@example.com", None),
    ("first_name", "text", "First name", "The account's, else the billing address's", "Jane", None),
    ("last_name", "text", "Last name", "The account's, else the billing address's", "Doe", None),
    ("company", "text", "Company", "The account's, else the billing address's", "Acme Ltd", None),
    ("phone", "text", "Phone", "The account's, else the billing address's", "555-0100", None),
)
_LINE: tuple[tuple[str, ValueType, str, str, Any, int | None], ...] = (
    ("id", "integer", "Line id", "BigCommerce's id for this order line", 1012, _ID),
    ("product_id", "integer", "Product id", "The catalog product", 142, _ID),
    ("variant_id", "integer", "Variant id", "The product variant; empty for none", 409, _ID),
    ("sku", "text", "SKU", "The variant's SKU, spaces trimmed", "SCA-142-S0", None),
    ("name", "text", "Product name", "The name as the shopper saw it", "Deluxe Scarf", None),
    ("type", "text", "Product type", "physical, digital or giftcertificate", "physical", None),
    ("quantity", "integer", "Quantity", "How many were ordered", 2, _ID),
    ("options", "text", "Options", "Chosen options, e.g. \"Size: L, Colour: Red\"", "Size: L, Colour: Red",
     None),
    ("bundle", "text", "Bundle", "\"Includes: 1 x Grinder\" or \"Part of: Espresso Kit\" for bundles", "", None),
    ("base_price", _MONEY, "Catalog price", "The product's price before options", Decimal("19.9900"), None),
    ("price_ex_tax", _MONEY, "Unit price (ex. tax)", "One unit before tax", Decimal("19.9900"), None),
    ("price_inc_tax", _MONEY, "Unit price (inc. tax)", "One unit with tax", Decimal("21.6400"), None),
    ("price_tax", _MONEY, "Unit tax", "Tax on one unit", Decimal("1.6500"), None),
    ("total_ex_tax", _MONEY, "Line total (ex. tax)", "The line before tax", Decimal("39.9800"), None),
    ("total_inc_tax", _MONEY, "Line total (inc. tax)", "The line with tax", Decimal("43.2800"), None),
    ("total_tax", _MONEY, "Line tax", "Tax on the line", Decimal("3.3000"), None),
    ("discount_amount", _MONEY, "Line discount", "Coupon and manual discounts on the line", Decimal("0"),
     None),
)


def _sources() -> dict[str, SourceField]:
    fields: dict[str, SourceField] = {}
    for path, kind, label, description, sample, length in _ORDER:
        fields[f"order.{path}"] = SourceField(f"order.{path}", kind, label, description, sample, length)
    for group, title in (("billing_address", "Billing"), ("shipping_address", "Shipping")):
        for name, label, sample in _ADDRESS:
            length = 2 if name == "country_iso2" else None
            fields[f"{group}.{name}"] = SourceField(f"{group}.{name}", "text", f"{title}: {label.lower()}",
                                                   f"{label} on the {title.lower()} address", sample, length)
    fields["shipping_address.shipping_method"] = SourceField(
        "shipping_address.shipping_method", "text", "Shipping method", "The method the shopper chose", "DHL")
    for path, kind, label, description, sample, length in _CUSTOMER:
        fields[f"customer.{path}"] = SourceField(f"customer.{path}", kind, f"Customer: {label.lower()}",
                                                 description, sample, length)
    for path, kind, label, description, sample, length in _LINE:
        fields[f"line.{path}"] = SourceField(f"line.{path}", kind, label, description, sample, length)
    fields[CUSTOM_FIELDS] = SourceField(CUSTOM_FIELDS, "text", "Checkout field",
                                        "A checkout field by its short name, e.g. custom_fields.po_number; "
                                        "empty when the order lacks it", "4471")
    return fields


SOURCE_FIELDS: Mapping[str, SourceField] = MappingProxyType(_sources())


def source_field(path: str) -> SourceField | None:
    """The field at `path`, the checkout-field wildcard for `custom_fields.<key>`, or None when unknown."""
    if path in SOURCE_FIELDS and path != CUSTOM_FIELDS:
        return SOURCE_FIELDS[path]
    group, _, key = path.partition(".")
    if group == "custom_fields" and _CUSTOM_KEY.match(key):
        return SOURCE_FIELDS[CUSTOM_FIELDS]
    return None


def source_types(*, include_line: bool = True) -> dict[str, ValueType]:
    """Path -> type of every readable field (with "custom_fields.*" as text), for the expression checker;
    without the `line.*` fields for what is decided once per order."""
    return {path: field.type for path, field in SOURCE_FIELDS.items()
            if include_line or not path.startswith("line.")}


def path_problem(path: str, scope: TargetScope) -> str | None:
    """Why a field at `path` cannot be read for a target of `scope`, or None when it can."""
    if source_field(path) is None:
        return f"{path} is not a field this app can read"
    if path.startswith("line.") and scope != "line":
        return f"{path} belongs to a product line; only line fields (line.name, line.description) can read it"
    return None


def template_problems(text: str, scope: TargetScope) -> list[str]:
    """What is wrong with a template for a target of `scope`: its syntax, then each unknown field."""
    try:
        paths = template_placeholders(text)
    except ValueError as exc:
        return [f"the template is not valid: {exc} (write {{{{ and }}}} for literal braces)"]
    return [f"{{{p}}}: {problem}" for p in paths if (problem := path_problem(p, scope)) is not None]


def template_length(text: str) -> int | None:
    """The longest a filled template can be, when each field it names is bounded (else None)."""
    total = 0
    for line in text.splitlines():
        for literal, name, _spec, _conversion in Formatter().parse(line):
            total += len(literal)
            if name is not None:
                field = source_field(name.strip())
                if field is None or field.max_length is None:
                    return None
                total += field.max_length
    return total + max(len(text.splitlines()) - 1, 0)


# ---- FreshBooks targets ---------------------------------------------------------------------------------
# Citations: FreshBooks SUMMARY = /work/shared/reference/freshbooks/SUMMARY.md; fixtures under
# /work/shared/reference/freshbooks/fixtures/; core/freshbooks.py = this app's typed drafts.
_UNKNOWN = "length limit unknown (FreshBooks documents none; SUMMARY §9 lists errno 1017 MaxLengthExceeded)"
_INVOICE_SRC = ("SUMMARY §6 writable invoice fields ([NODE] Invoices.ts); fixtures java get_invoice_response.json, "
                "node Invoice__05_POST_200.request.json")
_CLIENT_SRC = ("SUMMARY §8 client fields ([NODE] Client.ts); fixtures python get_client_response.json, "
               "node Client__04_POST_200.request.json")


def _t(path: str, kind: ValueType, label: str, description: str, *, required: bool = False,
       max_length: int | None = None, cut: bool = True, source: str) -> TargetField:
    scope: TargetScope = "line" if path.startswith("line.") else "client" if path.startswith("client.") \
        else "invoice"
    return TargetField(path, kind, label, description, required, max_length, source, scope, cut)


def _client_address(prefix: str, title: str) -> list[TargetField]:
    parts = (("street", "Street", 100), ("street2", "Street line 2", 100), ("city", "City", 60),
             ("province", "State or province", 60), ("code", "Postal code", 20), ("country", "Country", 60))
    return [_t(f"client.{prefix}_{suffix}", "text", f"{title}: {label.lower()}", f"{label} of the {title.lower()}"
               " address", max_length=length,
               source=f"{_CLIENT_SRC}; {_UNKNOWN}: {length} chosen, longer than any postal address line we know")
            for suffix, label, length in parts]


_TARGETS: list[TargetField] = [
    _t("invoice.invoice_number", "text", "Invoice number", "Must be unique: the sync finds its invoices by it",
       required=True, max_length=32,
       source=f"{_INVOICE_SRC}; FreshBooks numbers invoices itself when omitted, but this app requires it "
       "(core/freshbooks.py InvoiceDraft; look-up by number, SUMMARY §10); " + _UNKNOWN + ": 32 chosen"),
    _t("invoice.po_number", "text", "PO number", "The purchase-order reference (today the order number)",
       max_length=32, source=f"{_INVOICE_SRC}; {_UNKNOWN}: 32 chosen"),
    _t("invoice.create_date", "date", "Invoice date", "A date-time becomes its date in the store's timezone",
       required=True, source=f"{_INVOICE_SRC}; required with customerid (SUMMARY §6 'Minimum')"),
    _t("invoice.due_offset_days", "integer", "Due in (days)", "Payment terms in days after the invoice date "
       "(30 = net 30)", source=f"{_INVOICE_SRC} (due_offset_days is an integer in both fixtures)"),
    _t("invoice.notes", "text", "Notes", "Shown to the client on the invoice", max_length=2000,
       source=f"{_INVOICE_SRC}; {_UNKNOWN}: 2000 chosen"),
    _t("invoice.terms", "text", "Terms", "Terms text shown on the invoice", max_length=2000,
       source=f"{_INVOICE_SRC}; {_UNKNOWN}: 2000 chosen"),
    _t("invoice.currency_code", "text", "Currency", "ISO 4217 code; must be the order's currency for the "
       "totals to match", required=True, max_length=3,
       source=f"{_INVOICE_SRC}; required by core/freshbooks.py InvoiceDraft; ISO 4217 codes are 3 letters"),
    _t("line.name", "text", "Line name", "A product line's name", required=True, max_length=200,
       source="SUMMARY §6 Lines ([NODE] Line.ts); required by core/freshbooks.py LineDraft; " + _UNKNOWN
       + ": 200 is the cut this app already makes (mapping/tax_fit.py Piece.line, mapping/items.py)"),
    _t("line.description", "text", "Line description", "Text under a product line's name", max_length=2000,
       source=f"SUMMARY §6 Lines ([NODE] Line.ts); {_UNKNOWN}: 2000 chosen"),
    _t("client.email", "text", "Client email", "This app finds a shopper's client by email", required=True,
       max_length=254, cut=False, source=f"{_CLIENT_SRC}; FreshBooks requires no single field (SUMMARY §8) but "
       "this app does (mapping/clients.py client_email); 254 is the longest valid address (RFC 5321 path "
       "limit), but a cut address is a wrong one: never advised (FreshBooks refuses a bad one; the order "
       "waits in the inbox for the right address)"),
    _t("client.fname", "text", "First name", "The client contact's first name", max_length=60,
       source=f"{_CLIENT_SRC}; {_UNKNOWN}: 60 chosen"),
    _t("client.lname", "text", "Last name", "The client contact's last name", max_length=60,
       source=f"{_CLIENT_SRC}; {_UNKNOWN}: 60 chosen"),
    _t("client.organization", "text", "Organization", "The client's company", max_length=100,
       source=f"{_CLIENT_SRC}; {_UNKNOWN}: 100 chosen"),
    _t("client.bus_phone", "text", "Business phone", "", max_length=30,
       source=f"{_CLIENT_SRC}; {_UNKNOWN}: 30 chosen (E.164 numbers have at most 15 digits)"),
    _t("client.home_phone", "text", "Home phone", "", max_length=30,
       source=f"{_CLIENT_SRC}; {_UNKNOWN}: 30 chosen (E.164 numbers have at most 15 digits)"),
    _t("client.mob_phone", "text", "Mobile phone", "", max_length=30,
       source=f"{_CLIENT_SRC}; {_UNKNOWN}: 30 chosen (E.164 numbers have at most 15 digits)"),
    *_client_address("p", "Billing"),
    *_client_address("s", "Shipping"),
    _t("client.currency_code", "text", "Client currency", "ISO 4217 code", max_length=3,
       source=f"{_CLIENT_SRC}; ISO 4217 codes are 3 letters"),
    _t("client.vat_name", "text", "Tax id name", "e.g. VAT, GST", max_length=60,
       source=f"{_CLIENT_SRC}; {_UNKNOWN}: 60 chosen"),
    _t("client.vat_number", "text", "Tax id number", "The client's VAT or GST number", max_length=30,
       source=f"{_CLIENT_SRC}; {_UNKNOWN}: 30 chosen"),
    _t("client.note", "text", "Client note", "A private note on the client", max_length=2000,
       source=f"{_CLIENT_SRC}; {_UNKNOWN}: 2000 chosen"),
]

TARGET_FIELDS: Mapping[str, TargetField] = MappingProxyType({t.path: t for t in _TARGETS})


def rule_targets() -> dict[str, ValueType]:
    """Target -> type of the fields a rule's set_field may set: invoice and client fields (a rule decides once
    per order, so no line fields)."""
    return {path: field.type for path, field in TARGET_FIELDS.items() if field.scope != "line"}
