"""Transactions, store credit and gift certificates -> FreshBooks payments; refunds -> credit notes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.payments import credit_from_refund, payments_from_order
from bigbooks_desktop.mapping.profile import default_profile

from .order_factory import Line, Spec, build


def txn(tid: int, amount: str, *, event: str = "purchase", status: str = "ok", gateway: str = "stripe",
        method: str = "credit_card", test: bool = False, day: int = 6) -> bc.Transaction:
    return bc.Transaction(id=tid, order_id=100, event=event, method=method, amount=D(amount), currency="USD",
                          gateway=gateway, gateway_transaction_id=f"ch_{tid}", status=status, test=test,
                          date_created=datetime(2026, 3, day, 2, 0, tzinfo=UTC))


def detail_with(*transactions: bc.Transaction, store_credit: str = "0", gift: str = "0") -> bc.OrderDetail:
    return build(Spec(lines=[Line(D("50"), 2)], transactions=list(transactions), store_credit=D(store_credit),
                      gift_certificate=D(gift)))


def test_partial_captures_become_separate_payments_in_store_time() -> None:
    detail = detail_with(txn(1, "0", event="authorization"), txn(2, "60", event="capture", day=6),
                         txn(3, "40", event="capture", day=7))
    plans = payments_from_order(detail, default_profile(), invoice_id=9, store_timezone="America/New_York")
    assert [p.key for p in plans] == ["txn:2", "txn:3"]
    assert [p.draft.amount for p in plans] == [D("60.00"), D("40.00")]
    assert plans[0].draft.date == date(2026, 3, 5)              # 02:00 UTC is the evening before in New York
    assert plans[0].draft.type == "Credit Card" and plans[0].draft.invoiceid == 9
    assert "stripe" in plans[0].draft.note and "ch_2" in plans[0].draft.note


def test_failed_test_and_refund_events_are_ignored() -> None:
    detail = detail_with(txn(1, "100", status="error"), txn(2, "100", test=True),
                         txn(3, "100", event="refund"), txn(4, "100", event="void"),
                         txn(5, "100", gateway="paypalexpress", method="token"))
    plans = payments_from_order(detail, default_profile(), invoice_id=9)
    assert [(p.key, p.draft.type) for p in plans] == [("txn:5", "PayPal")]
    with_tests = default_profile().model_copy(update={"record_test_payments": True})
    assert [p.key for p in payments_from_order(detail, with_tests, invoice_id=9)] == ["txn:2"]  # then capped


def test_store_credit_and_gift_certificate_from_order_fields() -> None:
    detail = detail_with(txn(1, "70"), store_credit="20", gift="10")
    plans = payments_from_order(detail, default_profile(), invoice_id=9)
    assert [(p.key, p.draft.amount, p.draft.type, p.source) for p in plans] == [
        ("txn:1", D("70.00"), "Credit Card", "transaction"),
        ("storecredit:100", D("20.00"), "Other", "store_credit"),
        ("giftcert:100", D("10.00"), "Other", "gift_certificate")]
    assert "Store credit" in plans[1].draft.note


def test_store_credit_transaction_is_not_counted_twice() -> None:
    detail = detail_with(txn(1, "80"), txn(2, "20", method="store_credit", gateway="storecredit"),
                         store_credit="20")
    plans = payments_from_order(detail, default_profile(), invoice_id=9)
    assert [p.key for p in plans] == ["txn:1", "txn:2"]


def test_never_pays_more_than_the_invoice_total() -> None:
    detail = detail_with(txn(1, "80"), txn(2, "80", event="settled"), store_credit="5")
    plans = payments_from_order(detail, default_profile(), invoice_id=9)
    assert [p.draft.amount for p in plans] == [D("80.00"), D("20.00")]
    assert plans[1].capped and "capped" in plans[1].draft.note
    assert sum(p.draft.amount for p in plans) == detail.order.total_inc_tax


def refund(total: str = "50", tax: str = "5") -> bc.Refund:
    return bc.Refund(id=12, order_id=100, created=datetime(2026, 3, 8, 12, tzinfo=UTC),
                     reason="Customer requires a refund.", total_amount=D(total), total_tax=D(tax),
                     items=(bc.RefundItem(item_type="PRODUCT", item_id=1001, quantity=1),
                            bc.RefundItem(item_type="SHIPPING")),
                     payments=(bc.RefundPayment(provider_id="storecredit", amount=D(total), offline=True),))


def test_refund_becomes_a_credit_note() -> None:
    detail = detail_with()
    plan = credit_from_refund(refund(), detail, default_profile(), client_id=5)
    assert plan.key == "refund:12" and plan.kind == "credit_note" and plan.amount == D("50.00")
    assert plan.credit_note is not None and plan.adjustment_line is None
    note = plan.credit_note
    assert (note.clientid, note.currency_code, note.create_date) == (5, "USD", date(2026, 3, 8))
    (line,) = note.lines
    assert line.unit_cost == D("50.00") and line.qty == 1
    assert "Customer requires a refund." in line.description
    assert "1 x Widget" in line.description and "Shipping" in line.description


def test_refund_as_negative_adjustment() -> None:
    profile = default_profile().model_copy(update={"refund_policy": "negative_adjustment"})
    plan = credit_from_refund(refund(), detail_with(), profile, client_id=5)
    assert plan.kind == "negative_adjustment" and plan.credit_note is None
    assert plan.adjustment_line is not None and plan.adjustment_line.unit_cost == D("-50.00")


@pytest.mark.parametrize("total", ["0", "100000"])
def test_refund_of_nothing_or_too_much_is_a_data_error(total: str) -> None:
    with pytest.raises(DataError) as caught:
        credit_from_refund(refund(total=total), detail_with(), default_profile(), client_id=5)
    assert caught.value.field == "refund"
