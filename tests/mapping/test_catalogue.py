"""The catalogue of readable and writable fields agrees with `source_data` on real sandbox orders, and with
FreshBooks' field names in the reference fixtures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.mapping.catalogue import (
    CUSTOM_FIELDS,
    SOURCE_FIELDS,
    TARGET_FIELDS,
    VALUE_TYPES,
    path_problem,
    source_field,
    source_types,
    template_length,
    template_problems,
)
from bigbooks_desktop.mapping.source_data import (
    as_text,
    lookup,
    render_template,
    slug,
    source_data,
    template_placeholders,
)
from bigbooks_desktop.sandbox.parsed_orders import parsed_orders

# fields BigCommerce may leave without a value (None), as their descriptions say
OPTIONAL = {"order.channel_id", "order.date_shipped", "line.variant_id"}


def _reference() -> Path:
    local = Path(__file__).resolve().parents[1] / "reference"
    return local if local.is_dir() else Path(__file__).resolve().parents[3] / "shared" / "reference"


def sandbox_orders() -> tuple[tuple[bc.OrderDetail, bc.Customer | None], ...]:
    """`generate_store(orders=60, seed=3)` as the sandbox API serves it, parsed the way the connector parses
    it, with the customer record of each registered shopper."""
    return parsed_orders(60, 3)


def _all_data() -> Iterator[dict[str, Any]]:
    for detail, customer in sandbox_orders():
        yield source_data(detail, customer=customer)
        for line in detail.products:
            yield source_data(detail, line=line, customer=customer)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def _is(kind: str, value: Any) -> bool:
    checks = {
        "text": lambda v: isinstance(v, str),
        "number": lambda v: isinstance(v, Decimal),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "datetime": lambda v: isinstance(v, datetime) and v.tzinfo is not None,
        "date": lambda v: isinstance(v, date) and not isinstance(v, datetime),
        "list": lambda v: isinstance(v, list),
    }
    return bool(checks[kind](value))


def test_the_sandbox_store_covers_what_the_catalogue_describes() -> None:
    orders = sandbox_orders()
    assert len(orders) == 60
    assert any(c is not None for _d, c in orders) and any(c is None for _d, c in orders)
    assert any(d.order.billing_address.form_fields for d, _c in orders)
    assert any(d.coupons for d, _c in orders)


def test_every_catalogue_path_resolves_with_its_type_in_every_sandbox_order() -> None:
    seen_values: dict[str, set[bool]] = {}
    for data in _all_data():
        for path, field in SOURCE_FIELDS.items():
            if path == CUSTOM_FIELDS or (path.startswith("line.") and "line" not in data):
                continue
            value = lookup(data, path)
            seen_values.setdefault(path, set()).add(value is None)
            if value is None:
                assert path in OPTIONAL, f"{path} is None"
                continue
            assert _is(field.type, value), f"{path}: {value!r} is not {field.type}"
            if field.max_length is not None:
                assert len(as_text(value)) <= field.max_length, path
    assert set(seen_values) == set(SOURCE_FIELDS) - {CUSTOM_FIELDS}


def test_source_data_holds_no_field_the_catalogue_does_not_list() -> None:
    custom_keys = set()
    for data in _all_data():
        for path, value in _flatten(data).items():
            if path.startswith("custom_fields."):
                custom_keys.add(path)
                assert source_field(path) is SOURCE_FIELDS[CUSTOM_FIELDS], path
                assert isinstance(value, str)
            else:
                assert path in SOURCE_FIELDS, f"{path} is not in the catalogue"
    assert "custom_fields.delivery_instructions" in custom_keys


def test_samples_have_their_field_types() -> None:
    for path, field in SOURCE_FIELDS.items():
        assert field.type in VALUE_TYPES
        assert field.sample is None or _is(field.type, field.sample), path
        assert field.label and field.description, path
    assert source_types()["order.total_inc_tax"] == "number"
    assert source_types()[CUSTOM_FIELDS] == "text"
    assert "line.sku" in source_types() and "line.sku" not in source_types(include_line=False)


def test_source_field_knows_the_checkout_field_wildcard() -> None:
    assert source_field("custom_fields.po_number") is SOURCE_FIELDS[CUSTOM_FIELDS]
    assert source_field("custom_fields.PO Number") is None
    assert source_field("custom_fields.") is None
    assert source_field(CUSTOM_FIELDS) is None          # the wildcard itself is not a readable path
    assert source_field("order.nope") is None
    assert path_problem("line.sku", "invoice") is not None
    assert path_problem("line.sku", "line") is None
    assert path_problem("order.nope", "line") == "order.nope is not a field this app can read"


def test_checkout_fields_get_short_names() -> None:
    assert slug("PO Number") == "po_number"
    assert slug("  Numéro de TVA ") == "numero_de_tva"
    assert slug("2nd contact") == "field_2nd_contact"
    assert slug("配送メモ", index=3) == "field_3"
    detail = sandbox_orders()[0][0]
    order = detail.order.model_copy(update={"billing_address": detail.order.billing_address.model_copy(update={
        "form_fields": (bc.FormField(name="PO Number", value="4471"), bc.FormField(name="Tags", value=["a", "b"]),
                        bc.FormField(name="po-number", value="dup"), bc.FormField(name="Empty", value=None))})})
    data = source_data(detail.model_copy(update={"order": order}))
    assert data["custom_fields"] == {"po_number": "4471", "tags": "a, b", "empty": ""}
    assert lookup(data, "custom_fields.missing") == ""
    assert data["order"]["custom_fields_text"] == "PO Number: 4471\nTags: a, b\npo-number: dup\nEmpty:"


def test_customer_fields_prefer_the_record_then_the_billing_address() -> None:
    detail = next(d for d, c in sandbox_orders() if c is not None)
    record = bc.Customer(id=detail.order.customer_id, email="rec@example.com", first_name="", company="Rec Co")
    data = source_data(detail, customer=record)["customer"]
    billing = detail.order.billing_address
    assert (data["email"], data["first_name"], data["company"]) == ("rec@example.com", billing.first_name,
                                                                    "Rec Co")
    guest = source_data(detail.model_copy(update={"order": detail.order.model_copy(update={"customer_id": 0})}))
    assert guest["customer"]["is_guest"] is True and guest["customer"]["email"] == billing.email


def test_an_order_without_a_shipping_address_reads_empty_shipping_fields() -> None:
    detail = sandbox_orders()[0][0].model_copy(update={"shipping_addresses": ()})
    shipping = source_data(detail)["shipping_address"]
    assert set(shipping.values()) == {""}


def test_templates_fill_fields_and_tidy_lines() -> None:
    data = {"order": {"id": 7, "note": "", "total": Decimal("1.50"), "paid": True}}
    assert render_template("BC-{order.id}", data) == "BC-7"
    assert render_template("  {order.note}\nA {{literal}} {order.total}\n\nPaid: {order.paid}", data) == \
        "A {literal} 1.50\nPaid: true"
    assert render_template("x {order.note}\ny", data, tidy_lines=False) == "x \ny"
    with pytest.raises(KeyError):
        render_template("{order.nope}", data)
    with pytest.raises(ValueError, match="format part"):
        template_placeholders("{order.id:05}")
    with pytest.raises(ValueError):
        template_placeholders("{order.id")
    with pytest.raises(ValueError, match="empty placeholder"):
        template_placeholders("{}")


def test_template_problems_and_length() -> None:
    assert template_problems("BC-{order.id}", "invoice") == []
    assert template_problems("{line.sku}", "client") == [
        "{line.sku}: line.sku belongs to a product line; only line fields (line.name, line.description) can "
        "read it"]
    assert "not valid" in template_problems("}{", "invoice")[0]
    assert template_length("BC-{order.id}") == 3 + 20
    assert template_length("{order.customer_message}") is None
    assert template_length("{{x}}\n{order.currency_code}") == 3 + 1 + 3


def test_datetimes_are_written_in_the_store_timezone() -> None:
    moment = sandbox_orders()[0][0].order.date_created
    assert as_text(moment, timezone="America/Chicago") == moment.astimezone(ZoneInfo("America/Chicago")).isoformat()
    assert as_text(date(2025, 3, 1)) == "2025-03-01"
    assert as_text([1, Decimal("2.50")]) == "1, 2.50"


def _fixture(*parts: str) -> Any:
    return json.loads((_reference() / "freshbooks" / "fixtures").joinpath(*parts).read_text(encoding="utf-8"))


def test_targets_are_fields_freshbooks_has() -> None:
    client = _fixture("freshbooks-python-sdk", "get_client_response.json")["response"]["result"]["client"]
    invoice = _fixture("freshbooks-java-sdk", "get_invoice_response.json")["response"]["result"]["invoice"]
    line = invoice["lines"][0]
    known = {"client": set(client), "invoice": set(invoice), "line": set(line)}
    for path, target in TARGET_FIELDS.items():
        scope, name = path.split(".", 1)
        assert target.scope == scope
        assert name in known[scope], f"{path} is not in the FreshBooks fixtures"
        assert target.source, path
        if target.type == "text":
            assert target.max_length is not None, path
            assert "unknown" in target.source or any(word in target.source for word in ("ISO 4217", "RFC 5321")), \
                path
    assert TARGET_FIELDS["invoice.create_date"].required and TARGET_FIELDS["invoice.create_date"].type == "date"
    assert TARGET_FIELDS["invoice.due_offset_days"].type == "integer"
    assert TARGET_FIELDS["line.name"].max_length == 200
