"""Field mappings: the defaults write exactly what the engine writes today, and the checker and resolver
handle what merchants will build."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pydantic
import pytest

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.catalogue import TARGET_FIELDS
from bigbooks_desktop.mapping.clients import client_from_order
from bigbooks_desktop.mapping.field_mappings import (
    ConstantSource,
    FieldMapping,
    PathSource,
    TemplateSource,
    check_mappings,
    default_field_mappings,
    resolve,
    resolve_all,
)
from bigbooks_desktop.mapping.invoice import invoice_from_order
from bigbooks_desktop.mapping.order_checks import GIFT_CERTIFICATE, components
from bigbooks_desktop.mapping.profile import MappingProfile, default_profile
from bigbooks_desktop.mapping.source_data import source_data
from bigbooks_desktop.mapping.tax_fit import Piece
from bigbooks_desktop.mapping.transforms import (
    Concatenate,
    Lookup,
    NumberFormat,
    ToNumber,
    TransformContext,
    Trim,
    Truncate,
    Upper,
)

from .test_catalogue import sandbox_orders

STORE_TZ = "America/Chicago"       # the sandbox store's timezone (sandbox/bigcommerce store_information)
CTX = TransformContext(timezone=STORE_TZ)
INVOICE_FIELDS = ("invoice_number", "po_number", "create_date", "currency_code", "notes")
CLIENT_FIELDS = tuple(t.removeprefix("client.") for t in TARGET_FIELDS   # those the default mappings fill
                      if t.startswith("client.") and t.removeprefix("client.") in fb.ClientDraft.model_fields
                      and t not in ("client.home_phone", "client.mob_phone", "client.vat_name", "client.vat_number"))


def _edge_cases(detail: bc.OrderDetail) -> bc.OrderDetail:
    """The same order with the awkward values real stores have: padded names, a message with a blank line,
    a product without a name or SKU, a checkout field."""
    billing = detail.order.billing_address.model_copy(update={
        "first_name": "  Zoë ", "company": "", "phone": "", "email": " Zoe@Example.com ",
        "form_fields": (bc.FormField(name="PO Number", value="4471"), bc.FormField(name="Gift", value=True))})
    order = detail.order.model_copy(update={"billing_address": billing,
                                            "customer_message": "  Hi there\n\nLeave it at the door  "})
    products = list(detail.products)
    products[0] = products[0].model_copy(update={"name": "  ", "sku": ""})
    zero = Decimal(0)
    products.append(products[-1].model_copy(update={   # a bundle's free part, listed under its parent
        "id": 99_000 + products[-1].id, "name": "Free grinder", "parent_order_product_id": products[-1].id,
        "base_price": zero, "price_ex_tax": zero, "price_inc_tax": zero, "price_tax": zero, "total_ex_tax": zero,
        "total_inc_tax": zero, "total_tax": zero, "applied_discounts": ()}))
    if len(products) > 2:                               # a priced part of a bundle
        products[1] = products[1].model_copy(update={"parent_order_product_id": products[0].id})
    return detail.model_copy(update={"order": order, "products": tuple(products)})


def _cases() -> list[tuple[bc.OrderDetail, bc.Customer | None]]:
    cases = list(sandbox_orders())
    cases += [(_edge_cases(d), c) for d, c in sandbox_orders()[:10]]
    detail, customer = next((d, c) for d, c in sandbox_orders() if c is not None)
    cases.append((detail, customer.model_copy(update={"email": "  ", "first_name": "", "company": "Rec Co"})))
    return cases


def test_default_mappings_write_what_the_engine_writes_today() -> None:
    profile, defaults = default_profile(), default_field_mappings()
    compared = dict.fromkeys(("invoices", "clients", "lines", "notes", "no_sku", "bundles", "guests", "no_email"), 0)
    for detail, customer in _cases():
        values = resolve_all(defaults, source_data(detail, customer=customer), CTX)
        assert not any(t.startswith("line.") for t in values)
        try:
            client = client_from_order(detail, customer, profile)
        except DataError:       # no email anywhere: today an inbox item, with a mapping an empty required field
            assert values["client.email"] == ""
            compared["no_email"] += 1
            fallback = MappingProfile.model_validate({"missing_email_template": "none@example.invalid"})
            client = client_from_order(detail, customer, fallback).model_copy(update={"email": ""})
        for name in CLIENT_FIELDS:
            assert values[f"client.{name}"] == getattr(client, name), (detail.order.id, name)
        compared["clients"] += 1
        compared["guests"] += not detail.order.customer_id
        try:
            plan = invoice_from_order(detail, profile, customer_id=1, store_timezone=STORE_TZ, freshbooks_taxes=())
        except DataError:
            plan = None
        if plan is not None:
            for name in INVOICE_FIELDS:
                assert values[f"invoice.{name}"] == getattr(plan.draft, name), (detail.order.id, name)
            compared["invoices"] += 1
            compared["notes"] += bool(plan.draft.notes)
        try:
            comps = components(detail, profile)
        except DataError:
            continue
        products = {p.id: p for p in detail.products}
        for comp in comps:
            if comp.kind not in ("item", GIFT_CERTIFICATE):
                continue
            line = products[comp.source_id]  # type: ignore[index]   # items always carry their product id
            data = source_data(detail, line=line, customer=customer)
            mapped = resolve_all(defaults, data, CTX, scope="line")
            today = Piece(name=comp.name, description=comp.description, qty=comp.qty, amount=comp.net, slots=(),
                          kind=comp.kind).line()
            assert (mapped["line.name"], mapped["line.description"]) == (today.name, today.description), \
                (detail.order.id, line.id)
            if plan is not None and comp.kind == "item":
                assert today.name in {li.name for li in plan.draft.lines}
            compared["lines"] += 1
            compared["no_sku"] += not line.sku.strip()
            compared["bundles"] += bool(data["line"]["bundle"])
    assert compared["invoices"] >= 40 and compared["clients"] == len(_cases()) and compared["lines"] >= 100
    assert compared["notes"] >= 10 and compared["no_sku"] >= 1 and compared["guests"] >= 5
    assert compared["bundles"] >= 10 and compared["no_email"] >= 1


def test_default_mappings_have_no_errors_and_round_trip_through_json() -> None:
    defaults = default_field_mappings()
    issues = check_mappings(defaults)
    # no errors, and no warnings: the limits FreshBooks does not document are ours (Truncate cuts to them,
    # nothing warns), and the email's is never advised (a cut address is a wrong one)
    assert issues == []
    adapter = pydantic.TypeAdapter(tuple[FieldMapping, ...])
    assert adapter.validate_json(adapter.dump_json(defaults)) == defaults


def _issues(*mappings: FieldMapping) -> list[tuple[int, str, str, str]]:
    return [(i.index, i.part, i.severity, i.message) for i in check_mappings(mappings)]


def test_check_mappings_names_the_mapping_and_the_part() -> None:
    path = PathSource
    assert _issues(FieldMapping(target="invoice.colour", source=path(path="order.id"))) == [
        (0, "target", "error", "invoice.colour is not a FreshBooks field this app writes")]
    assert _issues(FieldMapping(target="invoice.po_number", source=path(path="order.id")),
                   FieldMapping(target="invoice.po_number", source=path(path="order.external_id"),
                                transforms=(Truncate(),))) == [
        (1, "target", "error", "PO number is already filled by mapping 1; keep one")]
    assert _issues(FieldMapping(target="invoice.notes", source=path(path="order.nope"))) == [
        (0, "source", "error", "order.nope is not a field this app can read")]
    assert _issues(FieldMapping(target="invoice.notes", source=path(path="line.sku"))) == [
        (0, "source", "error",
         "line.sku belongs to a product line; only line fields (line.name, line.description) can read it")]
    assert _issues(FieldMapping(target="invoice.notes", source=TemplateSource(text="PO {custom_fields.po} "
                                                                                  "{order.idd}"))) == [
        (0, "source", "error", "{order.idd}: order.idd is not a field this app can read")]
    assert _issues(FieldMapping(target="invoice.notes", source=TemplateSource(text="{order.id"))) == [
        (0, "source", "error", "the template is not valid: expected '}' before end of string (write {{ and }} "
         "for literal braces)")]
    assert _issues(FieldMapping(target="invoice.po_number", source=path(path="custom_fields.po_number"),
                                transforms=(Trim(), NumberFormat(), Truncate()))) == [
        (0, "transform 2", "error", "Format number needs a whole number or a number, but gets text")]
    assert _issues(FieldMapping(target="invoice.due_offset_days", source=ConstantSource(value=" 30 "))) == []
    assert _issues(FieldMapping(target="invoice.due_offset_days", source=ConstantSource(value="thirty"))) == [
        (0, "result", "error", "Due in (days) takes a whole number, but the mapping gives text (add Read as "
         "number, whole)")]
    assert _issues(FieldMapping(target="invoice.create_date", source=ConstantSource(value="2025-03-01"))) == []
    assert _issues(FieldMapping(target="client.fname", source=path(path="customer.first_name"))) == []  # our limit
    assert _issues(FieldMapping(target="invoice.currency_code", source=path(path="customer.first_name"))) == [
        (0, "result", "warning", "may be longer than the 3 characters Currency takes; end with Cut to length")]


def test_mappings_refuse_unknown_keys_and_kinds() -> None:
    with pytest.raises(pydantic.ValidationError):
        FieldMapping.model_validate({"target": "invoice.notes", "source": {"kind": "sql", "query": "x"}})
    with pytest.raises(pydantic.ValidationError):
        FieldMapping.model_validate({"target": "invoice.notes", "source": {"kind": "path", "path": "order.id"},
                                     "colour": "red"})
    mapping = FieldMapping.model_validate({"target": "invoice.notes", "source": {"kind": "template", "text": "x"},
                                          "transforms": [{"name": "upper"}]})
    assert mapping.transforms == (Upper(),)


def _data() -> dict[str, object]:
    detail, customer = next((d, c) for d, c in sandbox_orders() if c is not None)
    order = detail.order.model_copy(update={
        "date_created": datetime(2025, 3, 1, 3, 30, tzinfo=UTC),
        "billing_address": detail.order.billing_address.model_copy(update={
            "company": "Northwind", "form_fields": (bc.FormField(name="PO Number", value="PO-2025-0001"),
                                                    bc.FormField(name="Account type", value="Wholesale"))})})
    return source_data(detail.model_copy(update={"order": order}), line=detail.products[0], customer=customer)


def test_the_issues_merchant_stories() -> None:
    data = _data()
    sku_first = FieldMapping(target="line.description", source=PathSource(path="line.sku"),
                             transforms=(Concatenate(paths=("line.options",), separator=" - "),))
    company = FieldMapping(target="client.organization", source=PathSource(path="billing_address.company"))
    net_30 = FieldMapping(target="invoice.due_offset_days", source=PathSource(path="custom_fields.account_type"),
                          transforms=(Lookup(table={"Wholesale": "30"}, default="0"), ToNumber(whole=True)))
    po = FieldMapping(target="invoice.po_number", source=PathSource(path="custom_fields.po_number"),
                      transforms=(Trim(), Truncate()))
    mappings = (sku_first, company, net_30, po)
    assert [i for i in check_mappings(mappings) if i.severity == "error"] == []
    values = resolve_all(mappings, data, CTX)
    line = data["line"]
    assert isinstance(line, dict)
    assert values == {"line.description": f"{line['sku']} - {line['options']}" if line["options"] else line["sku"],
                      "client.organization": "Northwind", "invoice.due_offset_days": 30,
                      "invoice.po_number": "PO-2025-0001"}
    assert resolve_all(mappings, data, CTX, scope="invoice") == {"invoice.due_offset_days": 30,
                                                                 "invoice.po_number": "PO-2025-0001"}
    without_line = {k: v for k, v in data.items() if k != "line"}
    assert "line.description" not in resolve_all(mappings, without_line, CTX)


def test_resolve_converts_to_the_targets_type() -> None:
    data = _data()
    create = FieldMapping(target="invoice.create_date", source=PathSource(path="order.date_created"))
    assert resolve(create, data, CTX) == date(2025, 2, 28)                    # still February in Chicago
    assert resolve(create, data, TransformContext(timezone="Asia/Tokyo")) == date(2025, 3, 1)
    assert resolve(create, data) == date(2025, 3, 1)                          # UTC without a context
    total = FieldMapping(target="invoice.notes", source=PathSource(path="order.total_inc_tax"))
    assert resolve(total, data, CTX) == format(data["order"]["total_inc_tax"], "f")  # type: ignore[index]
    days = FieldMapping(target="invoice.due_offset_days", source=ConstantSource(value="45"))
    assert resolve(days, data, CTX) == 45
    empty = FieldMapping(target="invoice.due_offset_days", source=PathSource(path="custom_fields.nope"),
                         transforms=(ToNumber(whole=True),))
    assert resolve(empty, data, CTX) is None
    fractional = FieldMapping(target="invoice.due_offset_days", source=ConstantSource(value="x"),
                              transforms=(Lookup(table={"x": "1.5"}), ToNumber()))
    with pytest.raises(DataError, match="which is not a whole number"):
        resolve(fractional, data, CTX)
    whole = FieldMapping(target="invoice.due_offset_days", source=ConstantSource(value="x"),
                         transforms=(Lookup(table={"x": "14.0"}), ToNumber()))
    assert resolve(whole, data, CTX) == 14
    money = FieldMapping(target="invoice.notes", source=PathSource(path="line.total_inc_tax"),
                         transforms=(NumberFormat(thousands=","),))
    line_total = data["line"]["total_inc_tax"]  # type: ignore[index]
    assert resolve(money, data, CTX) == f"{line_total.quantize(Decimal('0.01')):,}"


def test_resolve_reports_unknown_targets_and_fields_as_data_errors() -> None:
    data = _data()
    with pytest.raises(DataError, match="not a FreshBooks field"):
        resolve(FieldMapping(target="invoice.colour", source=ConstantSource(value="x")), data, CTX)
    with pytest.raises(DataError, match=r"order\.nope"):
        resolve(FieldMapping(target="invoice.notes", source=PathSource(path="order.nope")), data, CTX)
    with pytest.raises(DataError, match=r"line\.sku"):
        resolve(FieldMapping(target="invoice.notes", source=TemplateSource(text="{line.sku}")),
                {k: v for k, v in data.items() if k != "line"}, CTX)
