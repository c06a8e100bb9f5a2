"""Links (orders, clients, items, payments, credits, taxes) and cursors."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from peewee import IntegrityError, SqliteDatabase

from bigbooks_desktop.store import links
from bigbooks_desktop.store.cursors import clear_cursors, get_cursor, list_cursors, set_cursor
from bigbooks_desktop.store.intents import IntentKind, IntentSpec, begin_intents, pending_intents
from bigbooks_desktop.store.links import OrderLink, OrderLinkStatus

from .conftest import NOW


def test_order_link_upsert_keeps_first_run(db: SqliteDatabase) -> None:
    first = links.save_order_link(order_id=100, invoice_id=7, invoice_number="BC-100", account_id="acc",
                                  fingerprint="f1", order_date_modified=NOW, run_id=1, now=NOW)
    later = NOW + timedelta(hours=1)
    second = links.save_order_link(order_id=100, invoice_id=7, invoice_number="BC-100", account_id="acc",
                                   fingerprint="f2", order_date_modified=later, status=OrderLinkStatus.DRIFT,
                                   run_id=2, now=later)
    assert first.created_run == 1 and second.created_run == 1
    assert second.fingerprint == "f2" and second.status is OrderLinkStatus.DRIFT
    assert second.created_at == NOW and second.updated_at == later and second.order_date_modified == later
    assert links.find_order_link_by_invoice(7) == second
    assert links.get_order_link(999) is None
    voided = links.set_order_link_status(100, OrderLinkStatus.VOIDED, now=later)
    assert voided is not None and voided.status is OrderLinkStatus.VOIDED
    assert [link.order_id for link in links.list_order_links(status=OrderLinkStatus.VOIDED)] == [100]


def test_client_item_tax_links(db: SqliteDatabase) -> None:
    key = links.customer_key(customer_id=0, email="  Ann@Example.com ")
    assert key == "guest:ann@example.com"
    assert links.customer_key(customer_id=42, email=None) == "customer:42"
    with pytest.raises(ValueError, match="e-mail"):
        links.customer_key(customer_id=0, email="")
    links.link_client(key, 5, fingerprint="a", now=NOW)
    updated = links.link_client(key, 5, fingerprint="b", now=NOW + timedelta(seconds=1))
    assert updated.fingerprint == "b" and updated.created_at == NOW
    assert links.find_client_link("customer:1") is None

    links.link_item("SKU-1", 11, now=NOW)
    assert links.find_item_link("SKU-1") is not None
    assert [i.sku for i in links.list_item_links()] == ["SKU-1"]

    links.link_tax("State", Decimal("8.250"), tax_name="State 8.25%", tax_id=3, now=NOW)
    found = links.find_tax_link("State", Decimal("8.25"))
    assert found is not None and found.tax_id == 3 and found.rate == Decimal("8.25")
    links.link_tax("State", Decimal("8.25"), tax_name="Renamed", now=NOW)
    assert len(links.list_tax_links()) == 1


def test_payment_and_credit_are_linked_once(db: SqliteDatabase) -> None:
    payment = links.link_payment("tx-1", 21, order_id=100, amount=Decimal("10.10"), now=NOW)
    assert payment.amount == Decimal("10.10") and isinstance(payment.amount, Decimal)
    with pytest.raises(IntegrityError):
        links.link_payment("tx-1", 22, order_id=100, amount=Decimal("10.10"))
    credit = links.link_credit("r-1", order_id=100, amount=Decimal("0.30"), credit_note_id=31, now=NOW)
    assert credit.credit_note_id == 31 and credit.payment_id is None
    with pytest.raises(IntegrityError):
        links.link_credit("r-1", order_id=100, amount=Decimal("0.30"), payment_id=32)
    with pytest.raises(ValueError, match="credit note id or payment id"):
        links.link_credit("r-2", order_id=100, amount=Decimal("1"))
    assert [p.transaction_id for p in links.payment_links_for_order(100)] == ["tx-1"]
    assert [c.refund_id for c in links.credit_links_for_order(100)] == ["r-1"]
    links.save_order_link(order_id=100, invoice_id=7, invoice_number="BC-100", account_id="a",
                          fingerprint="f", order_date_modified=None)
    links.forget_order(100)
    assert links.get_order_link(100) is None and links.payment_links_for_order(100) == []
    assert links.find_credit_link("r-1") is None


def test_cursors(db: SqliteDatabase) -> None:
    assert get_cursor("orders") is None
    set_cursor("orders", "2025-01-01T00:00:00Z", now=NOW)
    set_cursor("orders", "2025-02-01T00:00:00Z", now=NOW)
    set_cursor("refunds", "5", now=NOW)
    assert get_cursor("orders") == "2025-02-01T00:00:00Z"
    assert [c.stream for c in list_cursors()] == ["orders", "refunds"]
    assert clear_cursors("refunds") == 1
    assert clear_cursors() == 1 and get_cursor("orders") is None


def test_two_thousand_links_and_intents_are_quick(db: SqliteDatabase) -> None:
    order_links = [OrderLink(order_id=n, invoice_id=10_000 + n, invoice_number=f"BC-{n}", account_id="acc",
                             fingerprint=f"fp{n}", order_date_modified=NOW, status=OrderLinkStatus.SYNCED,
                             created_run=1, created_at=NOW, updated_at=NOW) for n in range(1, 2001)]
    specs = [IntentSpec(kind=IntentKind.INVOICE, natural_key=f"invoice:BC-{n}", order_id=n,
                        payload={"total": Decimal("12.34")}) for n in range(1, 2001)]
    started = time.perf_counter()
    links.save_order_links(order_links)
    intents = begin_intents(specs, run_id=1, now=NOW)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"bulk writes took {elapsed:.2f}s"
    assert len(links.get_order_links(range(1, 2001))) == 2000
    assert len(intents) == 2000 and not any(i.resumed for i in intents)
    assert intents[0].payload == {"total": Decimal("12.34")}
    assert len(pending_intents()) == 2000
