"""How the window writes values: times in the user's local zone with the zone named, states as words."""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal
from enum import Enum

__all__ = ["cell_text", "label", "local_time"]


def local_time(value: datetime, zone: tzinfo | None = None) -> str:
    """`2026-11-29 17:19 CET`: the moment in `zone` (default: this computer's), with the zone's name (its UTC
    offset where the zone has no short name)."""
    local = value.astimezone(zone)
    name = local.tzname() or local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} {name}"


def label(value: Enum) -> str:
    """An enum's value as a word for people: `dry-run` -> `Dry run`, `already_gone` -> `Already gone`."""
    text = str(value.value).replace("-", " ").replace("_", " ")
    return text[:1].upper() + text[1:]


def cell_text(value: object) -> str:
    """A table cell's text for a native value (None is an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local_time(value)
    if isinstance(value, Enum):
        return label(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
