"""The mapping profile's defaults and JSON round trip, and invoice eligibility by order status."""

from __future__ import annotations

import inspect
import json
from decimal import Decimal
from pathlib import Path

import pydantic
import pytest

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.mapping.eligibility import ineligibility_reason, is_invoiceable
from bigbooks_desktop.mapping.field_mappings import (
    FieldMapping,
    PathSource,
    TemplateSource,
    default_field_mappings,
)
from bigbooks_desktop.mapping.profile import SCHEMA_VERSION, MappingProfile, default_profile
from bigbooks_desktop.mapping.profile_migration import v1_template
from bigbooks_desktop.mapping.rules import InboxAction, Rule, SetFieldAction, SkipAction
from bigbooks_desktop.mapping.transforms import DefaultIfEmpty

from .order_factory import Line, Spec, build

SKIP_MARKETPLACE = Rule(name="Marketplace", when="order.channel_id == 2", action=SkipAction(reason="Booked apart"))


def test_default_profile_values() -> None:
    profile = default_profile()
    assert profile.schema_version == SCHEMA_VERSION
    number = next(m for m in profile.field_mappings if m.target == "invoice.invoice_number")
    assert number.source == TemplateSource(text="BC-{order.id}")
    assert profile.name == "Standard invoices" and profile.rules == ()
    assert profile.field_mappings == default_field_mappings()
    assert profile.invoice_status_ids == (2, 3, 4, 8, 9, 10, 11, 14)
    assert profile.invoice_mode == "sent"
    assert profile.payment_types["paypalexpress"] == "PayPal"
    assert set(profile.payment_types.values()) <= {"Credit Card", "PayPal", "Bank Transfer", "Cash", "Check",
                                                   "Other"}


def test_profile_json_round_trip() -> None:
    changed = default_profile().model_copy(update={
        "discount_policy": "allocate", "tax_names": {"Texas Sales Tax": "TX Sales"},
        "invoice_status_ids": (2, 10), "name": "Wholesale", "rules": (SKIP_MARKETPLACE,)})
    text = changed.to_json()
    assert json.loads(text)["tax_names"] == {"Texas Sales Tax": "TX Sales"}
    again = MappingProfile.from_json(text)
    assert again == changed
    assert MappingProfile.from_json(default_profile().to_json()) == default_profile()


def test_profile_refuses_unknown_fields_and_bad_choices() -> None:
    with pytest.raises(pydantic.ValidationError):
        MappingProfile.model_validate({"discount_polcy": "lines"})
    with pytest.raises(pydantic.ValidationError):
        MappingProfile.model_validate({"refund_policy": "ignore"})


def test_every_field_has_a_comment_and_a_default() -> None:
    source = Path(inspect.getfile(MappingProfile)).read_text(encoding="utf-8")
    for name, info in MappingProfile.model_fields.items():
        assert not info.is_required(), name
        lines = source.splitlines()
        line_index = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{name}:"))
        assert lines[line_index - 1].strip().startswith("#"), name


@pytest.mark.parametrize(("status", "expected"), [
    (0, False), (1, False), (2, True), (3, True), (4, True), (5, False), (6, False), (7, False), (8, True),
    (9, True), (10, True), (11, True), (12, False), (13, False), (14, True)])
def test_eligibility_by_status(status: int, expected: bool) -> None:
    order = build(Spec(lines=[Line(price=Decimal("1"), qty=1)], status_id=status)).order
    assert is_invoiceable(order, default_profile()) is expected
    reason = ineligibility_reason(order, default_profile())
    assert (reason is None) is expected
    if reason:
        assert str(status) in reason


def test_archived_order_is_not_invoiced() -> None:
    order = build(Spec(lines=[Line(price=Decimal("1"), qty=1)])).order.model_copy(update={"is_deleted": True})
    assert not is_invoiceable(order, default_profile())
    assert "archived" in (ineligibility_reason(order, default_profile()) or "")
    assert bc.OrderStatus(10).name == "COMPLETED"


def _mapping(profile: MappingProfile, target: str) -> FieldMapping:
    return next(m for m in profile.field_mappings if m.target == target)


def test_a_v1_profile_migrates_to_field_mappings() -> None:
    v1 = {"schema_version": 1, "invoice_number_template": "SO-{order_id}", "include_staff_notes": True,
          "notes_template": "{customer_message}\n{{ref}} {order_id}", "line_description_template": "{sku}: {options}",
          "missing_email_template": "orders+{order_id}@example.invalid", "discount_policy": "allocate"}
    profile = MappingProfile.from_json(json.dumps(v1))
    assert profile.schema_version == SCHEMA_VERSION == 2 and profile.discount_policy == "allocate"
    assert _mapping(profile, "invoice.invoice_number").source == TemplateSource(text="SO-{order.id}")
    assert _mapping(profile, "invoice.notes").source == TemplateSource(
        text="{order.customer_message}\n{{ref}} {order.id}\n{order.staff_notes}")
    assert _mapping(profile, "line.description").source == TemplateSource(text="{line.sku}: {line.options}")
    assert _mapping(profile, "client.email").transforms[-1] == DefaultIfEmpty(text="orders+{order.id}@example.invalid")
    assert "invoice_number_template" not in json.loads(profile.to_json())
    assert MappingProfile.from_json(profile.to_json()) == profile
    assert [i for i in profile.check() if i.severity == "error"] == []
    # a v1 file without a version, all defaults: today's default profile
    assert MappingProfile.model_validate({"invoice_number_template": "BC-{order_id}"}) == default_profile()


def test_v1_templates_keep_their_meaning() -> None:
    assert v1_template("{customer_message}\nStaff: {staff_notes}\nRef {order_id}", drop="staff_notes") == \
        "{order.customer_message}\nRef {order.id}"
    assert v1_template("{customer_message} {staff_notes}", drop="staff_notes") == "{order.customer_message} "
    assert v1_template("{custom_fields}\n{bundle}") == "{order.custom_fields_text}\n{line.bundle}"
    assert v1_template("{unknown} {oops") == "{unknown} {oops"           # does not parse: kept for the check


def test_profiles_from_a_newer_version_or_with_bad_v1_fields_are_refused() -> None:
    with pytest.raises(pydantic.ValidationError, match="newer BigBooks"):
        MappingProfile.model_validate({"schema_version": 3})
    with pytest.raises(pydantic.ValidationError, match="must be text"):
        MappingProfile.model_validate({"schema_version": 1, "notes_template": 7})
    with pytest.raises(pydantic.ValidationError):
        MappingProfile.model_validate({"schema_version": 2, "notes_template": "{order_id}"})


def test_check_points_at_the_mapping_or_rule() -> None:
    broken = MappingProfile(
        field_mappings=(*default_field_mappings(), FieldMapping(target="invoice.terms",
                                                                source=PathSource(path="order.nope"))),
        rules=(Rule(name="PO", when="order.total_inc_tax > 100", action=SetFieldAction(
                   target="invoice.po_numbr", value_expression="custom_fields.po_number")),
               Rule(name="Check", when="order.colour == 'red'", action=InboxAction(message="Look"))))
    errors = [(i.where, i.index, i.name, i.part) for i in broken.check() if i.severity == "error"]
    assert errors == [("field_mapping", len(default_field_mappings()), "invoice.terms", "source"),
                      ("rule", 0, "PO", "action.target"), ("rule", 1, "Check", "when")]
    assert any("did you mean invoice.po_number" in i.message for i in broken.check())
