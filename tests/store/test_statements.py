"""The hot statements written as SQL text (store/statements.py) keep what peewee's queries meant: the stored
forms of datetimes, Decimals and JSON, what an upsert keeps and overwrites, and the rows read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from peewee import IntegrityError, SqliteDatabase

from bigbooks_desktop.core.errors import ErrorKind
from bigbooks_desktop.store import statements
from bigbooks_desktop.store.error_queue import ErrorDetails, ErrorStage, active_error, record_error, resolve_errors
from bigbooks_desktop.store.intents import IntentKind, begin_intent, get_intent
from bigbooks_desktop.store.links import (
    OrderLink,
    OrderLinkStatus,
    find_item_link,
    find_payment_link,
    get_order_link,
    link_item,
    link_payment,
    save_order_link,
    save_order_links,
    set_payment_amount,
)
from bigbooks_desktop.store.order_copies import OrderCopy, OrderCopyState, get_order_copy, save_order_copy
from bigbooks_desktop.store.rows import IntentRow, PaymentLinkRow, database_proxy

from .conftest import NOW


def test_rows_read_back_with_the_fields_conversions(db: SqliteDatabase) -> None:
    payload = {"amount": Decimal("10.10"), "lines": [{"qty": Decimal("3")}], "note": "é"}
    intent = begin_intent(IntentKind.INVOICE, "invoice:BC-1", order_id=1, run_id=7, payload=payload, now=NOW)
    assert intent == get_intent(intent.id)
    assert intent.payload == payload and isinstance(intent.payload["amount"], Decimal)
    assert intent.created_at == NOW and intent.created_at.tzinfo is not None
    # stored as the fields store them: fixed-width UTC text, exact decimal text
    raw = database_proxy.execute_sql('SELECT "created_at", "payload" FROM "intent" WHERE "id" = ?',
                                     (intent.id,)).fetchone()
    assert raw[0] == NOW.astimezone(UTC).isoformat(timespec="microseconds")
    assert '"amount": 10.10' in raw[1] or '"amount":10.10' in raw[1]
    row = statements.select_one(IntentRow, '"id" = ?', (intent.id,))
    assert row is not None and row.run_id == 7 and row.payload == payload
    assert statements.select_one(IntentRow, '"id" = ?', (intent.id + 100,)) is None


def test_order_link_upsert_keeps_first_run_and_a_known_profile_version(db: SqliteDatabase) -> None:
    later = NOW + timedelta(hours=1)
    first = save_order_link(order_id=5, invoice_id=50, invoice_number="BC-5", account_id="acc", fingerprint="f1",
                            order_date_modified=NOW, run_id=1, now=NOW, profile_version=3)
    again = save_order_link(order_id=5, invoice_id=51, invoice_number="BC-5", account_id="acc", fingerprint="f2",
                            order_date_modified=later, status=OrderLinkStatus.DRIFT, run_id=2, now=later)
    assert (first.created_run, first.created_at, first.profile_version) == (1, NOW, 3)
    assert (again.invoice_id, again.fingerprint, again.status, again.order_date_modified) == \
        (51, "f2", OrderLinkStatus.DRIFT, later)
    assert (again.created_run, again.created_at, again.updated_at) == (1, NOW, later)
    assert again.profile_version == 3                       # None given: the last known version stays
    third = save_order_link(order_id=5, invoice_id=51, invoice_number="BC-5", account_id="acc", fingerprint="f2",
                            order_date_modified=later, now=later, profile_version=4)
    assert third.profile_version == 4 and get_order_link(5) == third


def test_many_order_links_saved_at_once_follow_the_same_rules(db: SqliteDatabase) -> None:
    later = NOW + timedelta(hours=2)

    def link(order_id: int, invoice_id: int, run: int, at: datetime, version: int | None) -> OrderLink:
        return OrderLink(order_id=order_id, invoice_id=invoice_id, invoice_number=f"BC-{order_id}", account_id="acc",
                         fingerprint=f"f{invoice_id}", order_date_modified=at, status=OrderLinkStatus.SYNCED,
                         created_run=run, created_at=at, updated_at=at, profile_version=version)

    assert save_order_links([link(1, 10, 1, NOW, 2), link(2, 20, 1, NOW, None),
                             link(1, 11, 2, later, None)]) == 3          # order 1 twice: the later one wins
    one, two = get_order_link(1), get_order_link(2)
    assert one is not None and two is not None
    assert (one.invoice_id, one.fingerprint, one.updated_at) == (11, "f11", later)
    assert (one.created_run, one.created_at, one.profile_version) == (1, NOW, 2)
    assert (two.invoice_id, two.profile_version) == (20, None)


def test_item_and_payment_links(db: SqliteDatabase) -> None:
    link_item("SKU-1", 10, now=NOW)
    moved = link_item("SKU-1", 11, now=NOW + timedelta(minutes=1))
    assert (moved.item_id, moved.created_at, moved.updated_at) == (11, NOW, NOW + timedelta(minutes=1))
    assert find_item_link("SKU-2") is None
    paid = link_payment("tx-1", 99, order_id=5, amount=Decimal("12.30"), now=NOW)
    assert paid.amount == Decimal("12.30") and paid == find_payment_link("tx-1")
    with pytest.raises(IntegrityError):                     # one FreshBooks payment per transaction
        link_payment("tx-1", 100, order_id=5, amount=Decimal("1"), now=NOW)
    set_payment_amount("tx-1", Decimal("2.50"))
    found = find_payment_link("tx-1")
    assert found is not None and found.amount == Decimal("2.50")
    assert statements.update(PaymentLinkRow, {"amount": Decimal("3")}, '"transaction_id" = ?', ("none",)) == 0


def test_inbox_rows_found_and_resolved_by_order(db: SqliteDatabase) -> None:
    details = ErrorDetails(kind=ErrorKind.VALIDATION, title="No email", message="Order 7 has no email address.")
    record_error(7, ErrorStage.VALIDATE, details, {"id": 7}, now=NOW)
    record_error(None, ErrorStage.VALIDATE, details, {}, now=NOW)
    assert active_error(7, ErrorStage.VALIDATE) is not None
    assert active_error(7, ErrorStage.PAYMENT) is None
    assert resolve_errors(7, [ErrorStage.PAYMENT], now=NOW) == 0
    assert resolve_errors(7, now=NOW) == 1
    assert active_error(7, ErrorStage.VALIDATE) is None
    assert active_error(None, ErrorStage.VALIDATE) is not None       # the row without an order is its own


def _copy(**changes: object) -> OrderCopy:
    values: dict[str, object] = dict(
        order_id=3, date_created=NOW, date_modified=NOW, status_id=11, status="Awaiting Fulfillment",
        customer="Ann", email="ann@example.com", currency="USD", total=Decimal("10.00"), tax=Decimal("0.80"),
        refunded=Decimal("0"), invoice_id=30, invoice_number="BC-3", invoice_amount=Decimal("10.00"),
        invoice_tax=Decimal("0.80"), state=OrderCopyState.SYNCED, note="",
        detail={"order": {"total": Decimal("10.00")}, "invoice": {"amount": Decimal("10.00")}})
    values.update(changes)
    return OrderCopy(**values)  # type: ignore[arg-type]


def test_order_copy_keeps_the_invoice_side_an_unchanged_order_leaves_out(db: SqliteDatabase) -> None:
    save_order_copy(_copy(), now=NOW)
    save_order_copy(_copy(invoice_id=None, invoice_number=None, invoice_amount=None, invoice_tax=None,
                          status="Shipped", detail={"order": {"total": Decimal("10.00")}, "invoice": None}),
                    now=datetime(2026, 1, 2, tzinfo=UTC))
    copy = get_order_copy(3)
    assert copy is not None
    assert (copy.status, copy.invoice_id, copy.invoice_number, copy.invoice_amount) == \
        ("Shipped", 30, "BC-3", Decimal("10.00"))
    assert copy.detail["invoice"] == {"amount": Decimal("10.00")}
