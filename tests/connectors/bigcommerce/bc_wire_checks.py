"""Test helper: check that a parsed core model kept every field its wire payload carried, without loss."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pydantic

from bigbooks_desktop.connectors.bigcommerce import wire
from bigbooks_desktop.core.money import to_decimal


def assert_fields_kept(model: pydantic.BaseModel, raw: dict[str, Any], where: str = "") -> None:
    """Every declared field that the payload carries equals the payload's value, converted without loss."""
    for name, info in type(model).model_fields.items():
        key = info.alias or name
        if key not in raw:
            continue
        value, wire_value = getattr(model, name), raw[key]
        label = f"{where}{type(model).__name__}.{name}"
        if isinstance(wire_value, dict) and set(wire_value) == {"url", "resource"}:
            continue    # a link to a sub-resource (e.g. `fees` without include=fees) carries no data
        if isinstance(value, pydantic.BaseModel):
            assert_fields_kept(value, wire_value, label + ".")
        elif isinstance(value, tuple):
            assert len(value) == len(wire_value), label
            for item, raw_item in zip(value, wire_value, strict=True):
                if isinstance(item, pydantic.BaseModel):
                    assert_fields_kept(item, raw_item, label + "[].")
        elif isinstance(value, Decimal):
            assert not isinstance(wire_value, float), label
            assert value == to_decimal(wire_value), label
            assert str(value) == str(to_decimal(wire_value)), f"{label} lost digits"
        elif isinstance(value, datetime):
            assert value.tzinfo is not None, label
            assert value == wire.parse_datetime(wire_value), label
        elif wire_value in (None, "", {}):
            assert value in (None, ""), label   # date_shipped "" -> None; null strings -> ""; {} ids -> None
        elif isinstance(value, int) and isinstance(wire_value, str):
            assert value == int(wire_value), label
        else:
            assert value == wire_value, label
