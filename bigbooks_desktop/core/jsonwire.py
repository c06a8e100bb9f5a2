"""JSON text with `Decimal` kept exact: Decimals are written as JSON number literals, never through float."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

__all__ = ["dumps", "to_jsonable"]

_encode_str = json.JSONEncoder(ensure_ascii=False).encode


def dumps(value: Any) -> str:
    """Serialize JSON-like data; Decimal -> number literal (exact), datetime/date -> ISO 8601 text."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def to_jsonable(value: Any) -> Any:
    """Decimals become strings and datetimes ISO text: for payload snapshots stored in JSON columns."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def _write(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write {value} as JSON")
        out.append(_decimal_literal(value))
    elif isinstance(value, int):
        out.append(str(int(value)))
    elif isinstance(value, str):
        out.append(_encode_str(value))
    elif isinstance(value, Enum):
        _write(value.value, out)
    elif isinstance(value, datetime | date):
        out.append(_encode_str(value.isoformat()))
    elif isinstance(value, Mapping):
        out.append("{")
        first = True
        for key, item in value.items():
            if not first:
                out.append(",")
            first = False
            out.append(_encode_str(str(key)))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif isinstance(value, float):
        raise TypeError("floats are not written; use Decimal for amounts")
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _decimal_literal(value: Decimal) -> str:
    text = format(value, "f")
    if text.startswith("-") and text.strip("-0.") == "":
        text = text[1:]
    return text
