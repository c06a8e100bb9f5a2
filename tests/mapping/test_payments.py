"""Transactions, store credit and gift certificates -> FreshBooks payments; refunds -> credit notes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.payments import credit_from_refund, payments_from_order
from bigbooks_desktop.mapping.profile import default_profile

from .fb_arith import invoice_tax, invoice_total
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
    assert [p.key for p in payments_from_order(detail, with_tests, invoice_id=9)] == ["txn:2", "txn:5"]


def test_store_credit_and_gift_certificates_pay_from_the_clients_credit() -> None:
    detail = detail_with(txn(1, "70"), store_credit="20", gift="10")
    plans = payments_from_order(detail, default_profile(), invoice_id=9)
    assert [(p.key, p.draft.amount, p.draft.type, p.source, p.from_credit) for p in plans] == [
        ("txn:1", D("70.00"), "Credit Card", "transaction", False),
        ("storecredit:100", D("20.00"), "Credit", "store_credit", True),
        ("giftcert:100", D("10.00"), "Credit", "gift_certificate", True)]
    assert "Store credit" in plans[1].draft.note
    # the "revenue_line" policy records them as payments, as earlier versions did
    revenue = default_profile().model_copy(update={"gift_certificate_policy": "revenue_line"})
    assert [(p.draft.type, p.from_credit) for p in payments_from_order(detail, revenue, invoice_id=9)] == [
        ("Credit Card", False), ("Other", False), ("Other", False)]


def test_store_credit_transaction_is_not_counted_twice() -> None:
    detail = detail_with(txn(1, "80"), txn(2, "20", method="store_credit", gateway="storecredit"),
                         store_credit="20")
    plans = payments_from_order(detail, default_profile(), invoice_id=9)
    assert [(p.key, p.from_credit) for p in plans] == [("txn:1", False), ("txn:2", True)]


def test_captures_are_recorded_in_full_even_above_the_total() -> None:
    # FreshBooks turns what exceeds the invoice's balance into client credit (API-FACTS Q6): nothing is cut
    detail = detail_with(txn(1, "80"), txn(2, "80", event="settled"))
    plans = payments_from_order(detail, default_profile(), invoice_id=9)
    assert [p.draft.amount for p in plans] == [D("80.00"), D("80.00")]


STATE = (("State", D("6.25")),)


def taxed_order() -> bc.OrderDetail:
    # two lines of 3 x 20.00 at 6.25 % (3.75 tax each) and 10.00 shipping taxed 0.63
    return build(Spec(lines=[Line(D("20"), 3, STATE, name="Mug"), Line(D("20"), 3, STATE, name="Cup")],
                      shipping=D("10"), shipping_combo=STATE))


def refund(total: str = "26.56", tax: str = "1.56", *, provider: str = "storecredit",
           items: tuple[bc.RefundItem, ...] | None = None) -> bc.Refund:
    if items is None:
        items = (bc.RefundItem(item_type="PRODUCT", item_id=1001, quantity=1),
                 bc.RefundItem(item_type="SHIPPING", item_id=1, requested_amount=D("5.315")))
    return bc.Refund(id=12, order_id=100, created=datetime(2026, 3, 8, 12, tzinfo=UTC),
                     reason="Customer requires a refund.", total_amount=D(total), total_tax=D(tax), items=items,
                     payments=(bc.RefundPayment(provider_id=provider, amount=D(total), offline=True),))


def test_refund_becomes_a_credit_note_with_the_items_and_their_tax() -> None:
    # 1 of 3 mugs: 20.00 + round(3.75 / 3) = 1.25 tax; half the shipping 5.32 incl. 0.31 tax (0.63 x 5.32/10.63)
    detail = taxed_order()
    plan = credit_from_refund(refund("26.56", "1.56"), detail, default_profile(), client_id=5)
    assert plan.key == "refund:12" and plan.amount == D("26.56") and plan.tax == D("1.56")
    note = plan.credit_note
    assert (note.clientid, note.currency_code, note.create_date) == (5, "USD", date(2026, 3, 8))
    assert [(x.name, x.qty, x.unit_cost, x.tax_name1) for x in note.lines] == [
        ("Mug", 1, D("20.00"), "State"), ("Shipping", 1, D("5.00"), "State")]
    assert invoice_total(note.lines) == D("26.56") and invoice_tax(note.lines) == D("1.56")
    assert plan.cash == 0 and "store credit" in note.notes          # refunded to store credit: not money


def test_order_level_refund_is_untaxed_and_money_back_is_cash() -> None:
    items = (bc.RefundItem(item_type="ORDER", item_id=100, requested_amount=D("3.00"), reason="Overcharged"),)
    plan = credit_from_refund(refund("3.00", "0", provider="stripev3", items=items), taxed_order(),
                              default_profile(), client_id=5)
    (line,) = plan.credit_note.lines
    assert (line.unit_cost, line.tax_name1, line.description) == (D("3.00"), "", "Overcharged")
    assert plan.cash == D("3.00")


def test_a_full_refund_carries_the_whole_orders_tax() -> None:
    detail = taxed_order()
    items = (bc.RefundItem(item_type="PRODUCT", item_id=1001, quantity=3),
             bc.RefundItem(item_type="PRODUCT", item_id=1002, quantity=3),
             bc.RefundItem(item_type="SHIPPING", item_id=1, requested_amount=D("10.63")))
    plan = credit_from_refund(refund(str(detail.order.total_inc_tax), str(detail.order.total_tax), items=items),
                              detail, default_profile(), client_id=5)
    assert invoice_tax(plan.credit_note.lines) == detail.order.total_tax == D("8.13")
    assert invoice_total(plan.credit_note.lines) == detail.order.total_inc_tax


@pytest.mark.parametrize("total", ["0", "100000"])
def test_refund_of_nothing_or_too_much_is_a_data_error(total: str) -> None:
    with pytest.raises(DataError) as caught:
        credit_from_refund(refund(total=total), taxed_order(), default_profile(), client_id=5)
    assert caught.value.field == "refund"
