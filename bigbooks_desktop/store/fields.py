"""Column types of the store: UTC datetimes as sortable ISO text, exact Decimals, JSON keeping Decimals."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias

from peewee import Field

from bigbooks_desktop.core import jsonwire
from bigbooks_desktop.core.money import json_loads, to_decimal

__all__ = [
    "DecimalTextField",
    "JsonTextField",
    "NullableDecimalTextField",
    "NullableUtcDateTimeField",
    "UtcDateTimeField",
    "from_utc_text",
    "to_utc_text",
    "utc_now",
]


if TYPE_CHECKING:  # the stubs make Field generic over its value type; at runtime it is not subscriptable
    _DateTimeBase: TypeAlias = Field[datetime]
    _NullableDateTimeBase: TypeAlias = Field[datetime | None]
    _DecimalBase: TypeAlias = Field[Decimal]
    _NullableDecimalBase: TypeAlias = Field[Decimal | None]
    _JsonBase: TypeAlias = Field[dict[str, Any]]
else:
    _DateTimeBase = _NullableDateTimeBase = _DecimalBase = _NullableDecimalBase = _JsonBase = Field


def utc_now() -> datetime:
    """The current time, timezone-aware UTC (the only kind of datetime the store accepts)."""
    return datetime.now(UTC)


def to_utc_text(value: datetime) -> str:
    """Fixed-width ISO text in UTC (always microseconds), so text order is time order in SQL comparisons."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("the store only keeps timezone-aware datetimes; got a naive one")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_utc_text(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


class _UtcText:
    field_type = "TEXT"

    def db_value(self, value: datetime | None) -> str | None:
        return None if value is None else to_utc_text(value)

    def python_value(self, value: str | None) -> datetime | None:
        return None if value is None else from_utc_text(value)


class UtcDateTimeField(_UtcText, _DateTimeBase):
    """A required timezone-aware UTC datetime stored as ISO text."""


class NullableUtcDateTimeField(_UtcText, _NullableDateTimeBase):
    """An optional timezone-aware UTC datetime stored as ISO text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        super().__init__(*args, **kwargs)


class _DecimalText:
    # TEXT, not NUMERIC: SQLite's NUMERIC affinity would turn 10.10 into a float.
    field_type = "TEXT"

    def db_value(self, value: Decimal | None) -> str | None:
        return None if value is None else format(to_decimal(value), "f")

    def python_value(self, value: str | None) -> Decimal | None:
        return None if value is None else Decimal(value)


class DecimalTextField(_DecimalText, _DecimalBase):
    """A required exact amount."""


class NullableDecimalTextField(_DecimalText, _NullableDecimalBase):
    """An optional exact amount."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        super().__init__(*args, **kwargs)


class JsonTextField(_JsonBase):
    """A JSON object; Decimals are written as exact number literals and read back as Decimal."""

    field_type = "TEXT"

    def db_value(self, value: Mapping[str, Any] | None) -> str:
        return jsonwire.dumps(jsonwire_ready(value or {}))

    def python_value(self, value: str | None) -> dict[str, Any]:
        if not value:
            return {}
        loaded = json_loads(value)
        return loaded if isinstance(loaded, dict) else {"value": loaded}


def jsonwire_ready(value: Any) -> Any:
    """Make a value writable by core.jsonwire: pydantic models (`model_dump`) are dumped first."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="python")
    if isinstance(value, Mapping):
        return {str(k): jsonwire_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonwire_ready(v) for v in value]
    return value
