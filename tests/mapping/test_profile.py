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
from bigbooks_desktop.mapping.profile import SCHEMA_VERSION, MappingProfile, default_profile

from .order_factory import Line, Spec, build


def test_default_profile_values() -> None:
    profile = default_profile()
    assert profile.schema_version == SCHEMA_VERSION
    assert profile.invoice_number_template == "BC-{order_id}"
    assert profile.invoice_status_ids == (2, 3, 4, 8, 9, 10, 11, 14)
    assert profile.invoice_mode == "sent"
    assert profile.payment_types["paypalexpress"] == "PayPal"
    assert set(profile.payment_types.values()) <= {"Credit Card", "PayPal", "Bank Transfer", "Cash", "Check",
                                                   "Other"}


def test_profile_json_round_trip() -> None:
    changed = default_profile().model_copy(update={
        "discount_policy": "allocate", "tax_names": {"Texas Sales Tax": "TX Sales"},
        "missing_email_template": "orders+{order_id}@example.invalid", "invoice_status_ids": (2, 10)})
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
