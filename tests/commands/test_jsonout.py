"""The command line's one JSON encoder: views to JSON with exact money, aware times, enum values."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from bigbooks_desktop.commands.jsonout import dumps, to_plain
from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.errors import ErrorKind


def test_money_times_enums_and_paths() -> None:
    eastern = timezone(timedelta(hours=-5))
    assert to_plain(Decimal("12.50")) == "12.50"
    assert to_plain(Decimal("1E+1")) == "10"              # digits, never exponent notation
    assert to_plain(Decimal("-0.00")) == "0.00"
    assert to_plain(datetime(2026, 3, 1, 9, 30, tzinfo=eastern)) == "2026-03-01T09:30:00-05:00"
    assert to_plain(date(2026, 3, 1)) == "2026-03-01"
    assert to_plain(v.RunMode.DRY_RUN) == "dry-run" and to_plain(ErrorKind.NOT_FOUND) == "not-found"
    assert to_plain(Path("data") / "x.db") == str(Path("data") / "x.db")
    assert to_plain({v.OrderResult.SYNCED: 3}) == {"synced": 3}
    with pytest.raises(ValueError, match="naive"):
        to_plain(datetime(2026, 3, 1))
    with pytest.raises(ValueError):
        to_plain(Decimal("NaN"))
    with pytest.raises(TypeError):
        to_plain(object())


def test_a_view_becomes_an_object_of_its_fields_with_inline_counts() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    run = v.RunView(id=4, mode=v.RunMode.BACKFILL, status=v.RunStatus.INTERRUPTED, started_at=now,
                    finished_at=None, error=None, orders_created=(101, 102), counts_rebuilt=True,
                    counts=v.CountsView(invoices_created=2, extra={"orders_held": 1}))
    data = json.loads(dumps([run]))[0]
    assert list(data) == ["id", "mode", "status", "started_at", "finished_at", "counts", "error", "orders_created",
                          "counts_rebuilt"]
    assert data["status"] == "interrupted" and data["started_at"] == "2026-03-01T12:00:00+00:00"
    assert data["counts"]["invoices_created"] == 2 and data["counts"]["orders_held"] == 1   # extras inline
    assert "extra" not in data["counts"] and data["orders_created"] == [101, 102]


def test_inbox_detail_keeps_the_snapshot_and_the_list_row_has_none() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    fields = {"id": 1, "order_id": 106, "stage": v.InboxStage.VALIDATE, "kind": ErrorKind.VALIDATION,
              "title": "t", "message": "m", "status": v.InboxStatus.WAITING, "attempts": 1, "next_retry_at": None,
              "edits": {"email": "a@b.example"}, "created_at": now, "updated_at": now}
    row = json.loads(dumps(v.InboxView(**fields)))
    detail = json.loads(dumps(v.InboxDetailView(**fields, payload={"order": {"total": Decimal("9.99")}})))
    assert "payload" not in row and detail["payload"] == {"order": {"total": "9.99"}}
    assert row["stage"] == "validate" and row["kind"] == "validation" and row["edits"] == {"email": "a@b.example"}
