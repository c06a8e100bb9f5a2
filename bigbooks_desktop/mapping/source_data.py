"""What a field mapping reads: one order (and one of its lines) as nested plain data, and the templates over it.

Every mapping reads the same six groups of fields. `order` holds the order's own fields (numbers, dates,
status, totals, the customer's message); `billing_address` and `shipping_address` (the first shipping
address) the two addresses; `customer` who bought (the customer record when the shopper has an account,
otherwise the billing address); `line` one product line (only for line fields such as the line description);
and `custom_fields` the shop's own checkout fields, each under a short name made from its label ("PO Number"
becomes `custom_fields.po_number`). A template such as `BC-{order.id}` writes any of these fields into text;
a line of a template whose fields are all empty is left out (so `SKU: {line.sku}` vanishes for a product
without a SKU), and `{{` / `}}` write a literal brace. The list of every field with its type is in
`mapping.catalogue`.

Values are typed: `Decimal` money (as BigCommerce states it, up to 4 decimals), `int`, `str`, `bool`,
timezone-aware `datetime`, and `None` where BigCommerce has no value (an order not yet shipped).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from string import Formatter
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import DataError

__all__ = [
    "GROUPS",
    "as_text",
    "is_empty",
    "lookup",
    "render_template",
    "slug",
    "source_data",
    "store_zone",
    "template_placeholders",
]

# the top-level groups, in the order an editor lists them
GROUPS = ("order", "billing_address", "shipping_address", "customer", "line", "custom_fields")

_ADDRESS_FIELDS = ("first_name", "last_name", "company", "street_1", "street_2", "city", "state", "zip",
                   "country", "country_iso2", "phone", "email")
_ORDER_MONEY = (
    "subtotal_ex_tax", "subtotal_inc_tax", "subtotal_tax", "shipping_cost_ex_tax", "shipping_cost_inc_tax",
    "shipping_cost_tax", "handling_cost_ex_tax", "handling_cost_inc_tax", "handling_cost_tax",
    "wrapping_cost_ex_tax", "wrapping_cost_inc_tax", "wrapping_cost_tax", "total_ex_tax", "total_inc_tax",
    "total_tax", "discount_amount", "coupon_discount", "store_credit_amount", "gift_certificate_amount",
)
_ORDER_TEXT = ("status", "custom_status", "payment_method", "payment_status", "customer_message", "staff_notes",
               "order_source")
_TRIMMED = ("customer_message", "staff_notes")
_LINE_MONEY = ("base_price", "price_ex_tax", "price_inc_tax", "price_tax", "total_ex_tax", "total_inc_tax",
               "total_tax")
_CUSTOMER_TEXT = ("email", "first_name", "last_name", "company", "phone")
_SLUG_RUN = re.compile(r"[^a-z0-9]+")


def slug(name: str, *, index: int = 1) -> str:
    """A checkout field's key: "PO Number" -> "po_number", "Numéro TVA" -> "numero_tva"; a name with no
    Latin letters or digits becomes "field_{index}" (its position among the order's fields, from 1)."""
    folded = unicodedata.normalize("NFKD", name)
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    key = _SLUG_RUN.sub("_", ascii_only).strip("_")
    if not key:
        return f"field_{index}"
    return f"field_{key}" if key[0].isdigit() else key


def _form_value(field: bc.FormField) -> str:
    """A checkout field's value as text, written the way `FormField.display()` writes it."""
    value = field.value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _custom_fields(detail: bc.OrderDetail) -> dict[str, str]:
    """Checkout form fields by slug: the billing address's first, then the first shipping address's (a
    shipping field whose slug the billing address already uses is left out). BigCommerce's v2 order holds
    no other form fields (core.bigcommerce.Order)."""
    fields = list(detail.order.billing_address.form_fields)
    if detail.shipping_addresses:
        fields += detail.shipping_addresses[0].form_fields
    result: dict[str, str] = {}
    for index, field in enumerate(fields, start=1):
        result.setdefault(slug(field.name, index=index), _form_value(field))
    return result


def _checkout_fields_text(detail: bc.OrderDetail) -> str:
    """Every checkout field, "Name: value" one a line: the billing address's, then the first shipping
    address's not already named (the fields `custom_fields` holds)."""
    fields = list(detail.order.billing_address.form_fields)
    if detail.shipping_addresses:
        fields += detail.shipping_addresses[0].form_fields
    shown: dict[str, str] = {}
    for index, field in enumerate(fields, start=1):
        if field.display():
            shown.setdefault(slug(field.name, index=index), field.display())
    return "\n".join(shown.values())


def _address(address: bc.BillingAddress | None) -> dict[str, Any]:
    return {name: (getattr(address, name) if address is not None else "") for name in _ADDRESS_FIELDS}


def _customer(order: bc.Order, record: bc.Customer | None) -> dict[str, Any]:
    """The record's value when the record has one, else the billing address's (mapping/clients.py reads
    names the same way; it reads company and phone billing-first, which a mapping writes as a default)."""
    billing = order.billing_address
    values: dict[str, Any] = {"id": order.customer_id, "is_guest": not order.customer_id}
    for name in _CUSTOMER_TEXT:
        values[name] = (getattr(record, name) if record is not None else "") or getattr(billing, name)
    return values


def _bundle(detail: bc.OrderDetail, line: bc.OrderProduct) -> str:
    """"Includes: 1 x Grinder" for a bundle's free parts, "Part of: Espresso Kit" for a priced part (how
    mapping/order_checks.py describes bundles on today's invoices)."""
    by_id = {p.id: p for p in detail.products}
    free = [f"{p.quantity} x {p.name}" for p in detail.products
            if p.parent_order_product_id == line.id and p.total_inc_tax == 0 and p.total_ex_tax == 0]
    if free:
        return "Includes: " + ", ".join(free)
    parent = by_id.get(line.parent_order_product_id) if line.parent_order_product_id is not None else None
    return f"Part of: {parent.name}" if parent is not None else ""


def _line(detail: bc.OrderDetail, line: bc.OrderProduct) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": line.id, "product_id": line.product_id, "variant_id": line.variant_id,
        "sku": line.sku.strip(), "name": line.name, "type": line.type, "quantity": line.quantity,
        "options": ", ".join(f"{o.display_name}: {o.display_value}" for o in line.product_options
                             if o.display_name or o.display_value),
        "bundle": _bundle(detail, line),
        "discount_amount": sum((d.amount for d in line.applied_discounts), Decimal(0)),
    }
    values.update({name: getattr(line, name) for name in _LINE_MONEY})
    return values


def source_data(detail: bc.OrderDetail, *, line: bc.OrderProduct | None = None,
                customer: bc.Customer | None = None) -> dict[str, Any]:
    """Everything a mapping or rule may read for one order (and `line`, for line fields); see the module
    docstring and `mapping.catalogue.SOURCE_FIELDS`. The "line" group is present only when `line` is given."""
    order = detail.order
    ship = detail.shipping_addresses[0] if detail.shipping_addresses else None
    order_values: dict[str, Any] = {
        "id": order.id, "status_id": order.status_id, "channel_id": order.channel_id,
        "customer_id": order.customer_id, "date_created": order.date_created,
        "date_modified": order.date_modified, "date_shipped": order.date_shipped,
        "currency_code": order.transaction_currency, "currency_exchange_rate": order.currency_exchange_rate,
        "is_tax_inclusive_pricing": order.is_tax_inclusive_pricing, "items_total": order.items_total,
        "payment_provider_id": "" if order.payment_provider_id is None else str(order.payment_provider_id),
        "external_id": order.external_id or "",
        "coupon_codes": [c.code for c in detail.coupons if c.code],
        "custom_fields_text": "\n".join(f.display() for f in order.billing_address.form_fields if f.display()),
        "checkout_fields_text": _checkout_fields_text(detail),
    }
    order_values.update({name: getattr(order, name) for name in _ORDER_MONEY + _ORDER_TEXT})
    for name in _TRIMMED:       # free text typed by people: trimmed, as the invoice notes always wrote them
        order_values[name] = order_values[name].strip()
    shipping = _address(ship)
    shipping["shipping_method"] = ship.shipping_method if ship is not None else ""
    data: dict[str, Any] = {
        "order": order_values,
        "billing_address": _address(order.billing_address),
        "shipping_address": shipping,
        "customer": _customer(order, customer),
        "custom_fields": _custom_fields(detail),
    }
    if line is not None:
        data["line"] = _line(detail, line)
    return data


def lookup(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path ("order.total_inc_tax"). A checkout field the order lacks reads as "";
    any other unknown path is a KeyError naming it."""
    group, _, rest = path.partition(".")
    if group == "custom_fields" and rest and group in data:
        return data[group].get(rest, "")
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(path)
        node = node[part]
    return node


def store_zone(timezone: str) -> ZoneInfo:
    """The store's timezone; DataError when the name is unknown."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DataError(f"The store timezone {timezone!r} is unknown; check the store settings.",
                        field="timezone") from exc


def is_empty(value: Any) -> bool:
    """None, "" and an empty list are empty; 0, False and "  " are values."""
    return value is None or value == "" or (isinstance(value, list | tuple) and not value)


def as_text(value: Any, *, timezone: str = "UTC") -> str:
    """A value as a template or a text field writes it: money as BigCommerce states it ("12.5000"), dates
    ISO ("2025-03-01"), date-times ISO in the store's timezone, true/false, lists joined with ", "."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.astimezone(store_zone(timezone)).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(as_text(v, timezone=timezone) for v in value)
    return str(value)


def template_placeholders(text: str) -> list[str]:
    """The field paths a template names, in order. ValueError for a stray brace, an empty `{}`, or a format
    spec or conversion (`{order.id:05}`, `{x!r}`): formatting is what transforms are for."""
    paths: list[str] = []
    for line in text.splitlines() or [""]:
        for _literal, name, spec, conversion in Formatter().parse(line):
            if name is None:
                continue
            if not name.strip():
                raise ValueError("a template has an empty placeholder {}; name a field, e.g. {order.id}")
            if spec or conversion:
                raise ValueError(f"the placeholder {{{name}}} has a format part; use a transform instead")
            paths.append(name.strip())
    return paths


def render_template(text: str, data: Mapping[str, Any], *, timezone: str = "UTC",
                    tidy_lines: bool = True) -> str:
    """Fill a template's placeholders from `data`. With `tidy_lines` (the rule version 1 profile templates
    followed, which today's invoices use) each line is trimmed, and a line that comes out empty or whose
    placeholders are all empty is left out. ValueError for a malformed template; KeyError for an unknown field."""
    template_placeholders(text)
    out: list[str] = []
    for raw in text.splitlines():
        pieces: list[str] = []
        named: list[str] = []
        for literal, name, _spec, _conversion in Formatter().parse(raw):
            pieces.append(literal)
            if name is not None:
                value = as_text(lookup(data, name.strip()), timezone=timezone)
                named.append(value)
                pieces.append(value)
        filled = "".join(pieces)
        if not tidy_lines:
            out.append(filled)
            continue
        if named and not any(named):
            continue
        if filled.strip():
            out.append(filled.strip())
    return "\n".join(out)
