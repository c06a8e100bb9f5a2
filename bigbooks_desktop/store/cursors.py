"""Per-stream cursors: where reading each BigCommerce stream (orders, refunds...) got to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bigbooks_desktop.store.fields import utc_now
from bigbooks_desktop.store.rows import CursorRow

__all__ = ["Cursor", "clear_cursors", "get_cursor", "list_cursors", "set_cursor"]


@dataclass(frozen=True, slots=True)
class Cursor:
    stream: str
    value: str
    updated_at: datetime


def get_cursor(stream: str) -> str | None:
    row = CursorRow.get_or_none(CursorRow.stream == stream)
    return None if row is None else row.value


def set_cursor(stream: str, value: str, *, now: datetime | None = None) -> None:
    (CursorRow.insert(stream=stream, value=value, updated_at=now or utc_now())
     .on_conflict(conflict_target=[CursorRow.stream], preserve=[CursorRow.value, CursorRow.updated_at])
     .execute())


def list_cursors() -> list[Cursor]:
    return [Cursor(stream=row.stream, value=row.value, updated_at=row.updated_at)
            for row in CursorRow.select().order_by(CursorRow.stream)]


def clear_cursors(stream: str | None = None) -> int:
    """Forget one stream's cursor, or all of them (the next sync reads from the backfill start)."""
    query = CursorRow.delete()
    if stream is not None:
        query = query.where(CursorRow.stream == stream)
    return int(query.execute())
