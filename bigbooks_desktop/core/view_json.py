"""The one JSON encoder of the service's views: every `--json` output of the command line and every JSON file of
a diagnostics export goes through `to_plain`/`dumps`.

- a dataclass (the service's views) -> an object of its fields in declaration order; a field whose metadata
  is `core.views.JSON_INLINE` is a mapping whose keys join the parent object's (CountsView.extra);
- `Decimal` -> a string of its exact digits ("12.50", never 1.25E+1; -0 is "0");
- `datetime` -> ISO 8601 with its UTC offset (a naive datetime is a bug and raises); `date` -> ISO 8601;
- an enum -> its value; a `Path` -> its text; mappings -> objects (keys as text); tuples, lists and sets ->
  arrays; `float` stays a number (diagnostics such as seconds waited, never money).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from typing import TypeAlias

from bigbooks_desktop.core.views import JSON_INLINE

__all__ = ["Plain", "dumps", "to_plain"]

Plain: TypeAlias = "str | int | float | bool | list[Plain] | dict[str, Plain] | None"


def _decimal(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"cannot write {value} as JSON")
    text = format(value, "f")
    return text[1:] if text.startswith("-") and text.strip("-0.") == "" else text


def _key(key: object) -> str:
    return str(key.value) if isinstance(key, Enum) else str(key)


def to_plain(value: object) -> Plain:
    """`value` as JSON-ready data (see the module docstring for the rules)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Enum):               # before str and int: StrEnum values are str too
        return to_plain(value.value)
    if isinstance(value, str | int | float):
        return value
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: the service only answers with aware ones")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Plain] = {}
        for f in fields(value):
            item = getattr(value, f.name)
            if f.metadata.get("json") == JSON_INLINE["json"] and isinstance(item, Mapping):
                out.update({_key(k): to_plain(v) for k, v in item.items()})
            else:
                out[f.name] = to_plain(item)
        return out
    if isinstance(value, Mapping):
        return {_key(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [to_plain(item) for item in items]
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(value: object, *, indent: int | None = 2) -> str:
    return json.dumps(to_plain(value), indent=indent, ensure_ascii=False)

