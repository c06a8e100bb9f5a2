"""Row predicates built from BigCommerce query parameters: date, number and money bounds, equality."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import InvalidOperation
from typing import Any

from bigbooks_desktop.sandbox.bigcommerce.wire import BadQuery, parse_when

__all__ = ["Predicate", "Row", "bound", "date_bounds", "number_bounds"]

Row = dict[str, Any]
Predicate = Callable[[Row], bool]


def bound(key: str, limit: Any, *, lower: bool | None) -> Predicate:
    """`row[key] >= limit` when `lower`, `<= limit` when not, `== limit` when None."""

    def check(row: Row) -> bool:
        value = row[key]
        if lower is None:
            return bool(value == limit)
        return bool(value >= limit) if lower else bool(value <= limit)

    return check


def date_bounds(params: Any, names: Iterable[tuple[str, str, bool]]) -> list[Predicate]:
    """One predicate per given (parameter, row key, is-lower-bound); dates read as `parse_when` reads them."""
    return [
        bound(key, parse_when(params[name], name), lower=lower)
        for name, key, lower in names
        if params.get(name)
    ]


def number_bounds(
    params: Any, names: Iterable[tuple[str, str, bool | None]], *, parse: Callable[[str], Any] = int
) -> list[Predicate]:
    """Like `date_bounds` for whole numbers (or `parse`, e.g. Decimal); an unparsable value is a 400."""
    tests: list[Predicate] = []
    for name, key, lower in names:
        if params.get(name):
            try:
                limit = parse(params[name])
            except (ValueError, InvalidOperation) as exc:
                raise BadQuery(400, f"The field '{name}' is invalid.") from exc
            tests.append(bound(key, limit, lower=lower))
    return tests
