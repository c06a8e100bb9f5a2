"""The sync's hot statements: SQL text built once per shape, values converted by the row's own fields.

peewee builds a query's SQL anew on every call; for the few statements the sync runs for every order (intent
begun, noted and settled, links looked up and saved, the run's objects, the order's copy) that building cost
~150 us a statement on the benchmark machine against ~10-35 us for SQLite itself (benchmarks/RESULTS.md,
"Engine CPU"). These helpers keep peewee's meaning (column names, `db_value` / `python_value` conversions,
the rows' classes) and only cache the text. Everything else in the store keeps peewee's query builder.

Names in the SQL text come from the rows' own metadata and `where` clauses are literals in the store's code;
every value is a bound parameter (hence the S608 exemptions).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import cache, lru_cache
from typing import Any, TypeVar

from bigbooks_desktop.store.rows import BaseRow, database_proxy

__all__ = ["db_values", "insert", "select", "select_one", "update", "upsert"]

R = TypeVar("R", bound=BaseRow)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@cache
def _columns(model: type[BaseRow]) -> tuple[tuple[str, ...], tuple[Callable[[Any], Any], ...]]:
    fields = model._meta.sorted_fields
    return (tuple(f.name for f in fields), tuple(f.python_value for f in fields))


@lru_cache(maxsize=256)
def _select_sql(model: type[BaseRow], where: str, tail: str) -> str:
    names = ", ".join(_quote(f.column_name) for f in model._meta.sorted_fields)
    return f"SELECT {names} FROM {_quote(model._meta.table_name)} WHERE {where} {tail}".rstrip()  # noqa: S608


def _row(model: type[R], values: Sequence[Any]) -> R:
    names, converters = _columns(model)
    data = {name: convert(v) for name, convert, v in zip(names, converters, values, strict=True)}
    row = model(__no_default__=1, **data)
    row._dirty.clear()  # type: ignore[attr-defined]  # as read: nothing to save, as peewee leaves its reads
    return row


def select(model: type[R], where: str, params: Sequence[Any], tail: str = "") -> list[R]:
    """Rows of `model` matching `where` (SQL with ? placeholders over the table's column names); `tail` is
    ORDER BY / LIMIT text. `params` are given as stored (see `db_values`)."""
    cursor = database_proxy.execute_sql(_select_sql(model, where, tail), tuple(params))
    return [_row(model, values) for values in cursor.fetchall()]


def select_one(model: type[R], where: str, params: Sequence[Any]) -> R | None:
    cursor = database_proxy.execute_sql(_select_sql(model, where, "LIMIT 1"), tuple(params))
    values = cursor.fetchone()
    return None if values is None else _row(model, values)


def db_values(model: type[BaseRow], values: Mapping[str, Any], stored: Collection[str] = ()) -> tuple[Any, ...]:
    """`values` (field name -> Python value) as the row's fields store them; the `stored` ones are already."""
    fields = model._meta.fields
    return tuple(v if name in stored else fields[name].db_value(v) for name, v in values.items())


@lru_cache(maxsize=256)
def _insert_sql(model: type[BaseRow], names: tuple[str, ...], conflict: tuple[str, ...],
                update: tuple[str, ...], keep: tuple[str, ...]) -> str:
    fields = model._meta.fields
    columns = [fields[n].column_name for n in names]
    sql = (f"INSERT INTO {_quote(model._meta.table_name)} ({', '.join(map(_quote, columns))}) "  # noqa: S608
           f"VALUES ({', '.join('?' for _ in columns)})")
    if conflict:
        sets = [f"{_quote(fields[n].column_name)} = excluded.{_quote(fields[n].column_name)}" for n in update]
        sets += [f"{_quote(fields[n].column_name)} = COALESCE(excluded.{_quote(fields[n].column_name)}, "
                 f"{_quote(fields[n].column_name)})" for n in keep]
        target = ", ".join(_quote(fields[n].column_name) for n in conflict)
        sql += f" ON CONFLICT ({target}) DO UPDATE SET {', '.join(sets)}"
    return sql


def insert(model: type[BaseRow], values: Mapping[str, Any], *, stored: Collection[str] = ()) -> int:
    """INSERT one row (the `stored` values already in their stored form); returns its rowid."""
    sql = _insert_sql(model, tuple(values), (), (), ())
    cursor = database_proxy.execute_sql(sql, db_values(model, values, stored))
    return int(cursor.lastrowid or 0)


def upsert(model: type[BaseRow], values: Mapping[str, Any], *, conflict: Iterable[str],
           update: Iterable[str], keep_when_null: Iterable[str] = ()) -> None:
    """INSERT one row or, when `conflict` columns clash, overwrite `update` and keep the stored value of each
    `keep_when_null` column the new row leaves NULL."""
    sql = _insert_sql(model, tuple(values), tuple(conflict), tuple(update), tuple(keep_when_null))
    database_proxy.execute_sql(sql, db_values(model, values))


@lru_cache(maxsize=256)
def _update_sql(model: type[BaseRow], names: tuple[str, ...], where: str) -> str:
    fields = model._meta.fields
    sets = ", ".join(f"{_quote(fields[n].column_name)} = ?" for n in names)
    return f"UPDATE {_quote(model._meta.table_name)} SET {sets} WHERE {where}"  # noqa: S608


def update(model: type[BaseRow], values: Mapping[str, Any], where: str, params: Sequence[Any]) -> int:
    """UPDATE the rows matching `where`; returns how many changed."""
    cursor = database_proxy.execute_sql(_update_sql(model, tuple(values), where),
                                        db_values(model, values) + tuple(params))
    return int(cursor.rowcount)
