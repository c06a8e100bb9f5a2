"""FreshBooksClient payments and credits: editing a payment, overpayments, credit types and taxed credit lines,
a client's open credit, and the sandbox's tax rounding rule seen through the client."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fb_wire import Recorder, fixture, make_client, reply, sandbox_client

from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
from bigbooks_desktop.connectors.freshbooks.parsing import (
    FreshBooksParseError,
    parse_credit_balance,
    parse_credit_note,
    parse_payment,
)
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import ValidationError

D = Decimal


def _line(name: str, qty: str, unit: str, tax: tuple[str, str] | None = None) -> fb.LineDraft:
    if tax is None:
        return fb.LineDraft(name=name, qty=D(qty), unit_cost=D(unit))
    return fb.LineDraft(name=name, qty=D(qty), unit_cost=D(unit), tax_name1=tax[0], tax_amount1=D(tax[1]))


async def _customer(client: FreshBooksClient, email: str = "ada@example.com") -> fb.Client:
    return await client.create_client(fb.ClientDraft(email=email, currency_code="USD"))


async def _invoice(client: FreshBooksClient, customer: fb.Client, number: str, *lines: fb.LineDraft) -> fb.Invoice:
    return await client.create_invoice(
        fb.InvoiceDraft(customerid=customer.id, invoice_number=number, create_date=date(2026, 3, 1),
                        currency_code="USD", lines=lines)
    )


async def _pay(client: FreshBooksClient, invoice: fb.Invoice, amount: str, **fields: Any) -> fb.Payment:
    return await client.create_payment(
        fb.PaymentDraft(invoiceid=invoice.id, amount=D(amount), date=date(2026, 3, 2), **fields)
    )


@pytest.mark.asyncio
async def test_update_payment_lowers_zeroes_and_refuses_a_negative_amount() -> None:
    async with await sandbox_client() as client:
        customer = await _customer(client)
        invoice = await _invoice(client, customer, "BC-1", _line("Work", "1", "3300.00"))
        payment = await _pay(client, invoice, "3300.00")

        lowered = await client.update_payment(payment.id, amount=D("10.00"), note="partial refund")
        assert (lowered.id, lowered.amount, lowered.note) == (payment.id, D("10.00"), "partial refund")
        now = await client.get_invoice(invoice.id)
        assert (now.paid, now.outstanding, now.payment_status, now.status) == (
            D("10.00"), D("3290.00"), "partial", 2)

        zeroed = await client.update_payment(payment.id, amount=D("0"), note="Payment refunded.")
        assert zeroed.amount == D("0.00") and zeroed.vis_state == 0
        now = await client.get_invoice(invoice.id)
        assert (now.paid, now.outstanding, now.payment_status) == (D("0.00"), D("3300.00"), "unpaid")
        assert [p.amount for p in await client.list_payments(invoice.id)] == [D("0.00")]

        with pytest.raises(ValidationError) as refused:
            await client.update_payment(payment.id, amount=D("-1.00"), note="x")
        assert refused.value.field == "amount"


@pytest.mark.asyncio
async def test_an_overpayment_reports_its_credit_which_then_pays_another_invoice() -> None:
    async with await sandbox_client() as client:
        customer = await _customer(client)
        assert await client.get_client_credit_balance(customer.id) == {}
        first = await _invoice(client, customer, "BC-2", _line("Work", "1", "180.00"))
        payment = await _pay(client, first, "3300.00")
        assert payment.amount == D("180.00") and payment.overpaymentid is not None

        credit = await client.get_credit_note(payment.overpaymentid)
        assert (credit.credit_type, credit.amount, credit.clientid) == ("overpayment", D("3120.00"), customer.id)
        assert credit.description == "Overpayment: invoice #BC-2"
        assert await client.get_client_credit_balance(customer.id) == {"USD": D("3120.00")}

        second = await _invoice(client, customer, "BC-3", _line("More", "1", "20.00"))
        applied = await _pay(client, second, "20.00", creditid=credit.id, type="Credit")
        assert (applied.from_credit, applied.creditid, applied.overpaymentid) == (True, credit.id, None)
        assert (await client.get_invoice(second.id)).payment_status == "paid"
        assert await client.get_client_credit_balance(customer.id) == {"USD": D("3100.00")}

        third = await _invoice(client, customer, "BC-4", _line("Big", "1", "5000.00"))
        with pytest.raises(ValidationError) as too_much:   # more than the credit has left
            await _pay(client, third, "3100.01", creditid=credit.id, type="Credit")
        assert too_much.value.field == "amount"

        # editing the application gives part of the credit back
        await client.update_payment(applied.id, amount=D("5.00"), note="")
        assert await client.get_client_credit_balance(customer.id) == {"USD": D("3115.00")}


@pytest.mark.asyncio
async def test_credit_notes_carry_a_type_and_taxed_lines() -> None:
    async with await sandbox_client() as client:
        customer = await _customer(client)
        goodwill = await client.create_credit_note(
            fb.CreditNoteDraft(clientid=customer.id, create_date=date(2026, 3, 1), currency_code="USD",
                               lines=(_line("Sorry", "1", "10.00"),))
        )
        assert goodwill.credit_type == "goodwill"
        prepayment = await client.create_credit_note(
            fb.CreditNoteDraft(clientid=customer.id, create_date=date(2026, 3, 1), currency_code="USD",
                               credit_type="prepayment",
                               lines=(_line("Deposit", "3", "19.99", ("GST", "5")), _line("Fee", "1", "2.00")))
        )
        # 59.97 + GST 2.9985 -> 3.00, + 2.00 (the invoice math; how FreshBooks taxes credits is unverified, P4)
        assert (prepayment.credit_type, prepayment.amount) == ("prepayment", D("64.97"))
        assert [(ln.tax_name1, ln.tax_amount1) for ln in prepayment.lines] == [("GST", D("5")), ("", D("0"))]
        assert (await client.get_credit_note(prepayment.id)).credit_type == "prepayment"
        assert await client.get_client_credit_balance(customer.id) == {"USD": D("74.97")}

        with pytest.raises(ValidationError) as refused:
            await client.create_credit_note(
                fb.CreditNoteDraft(clientid=customer.id, create_date=date(2026, 3, 1), currency_code="USD",
                                   credit_type="overpayment")
            )
        assert refused.value.field == "credit_type"


@pytest.mark.asyncio
@pytest.mark.parametrize(("rule", "amount"), [("line-half-up", "0.51"), ("invoice-half-even", "0.49")])
async def test_the_sandbox_tax_rounding_rule_shows_in_invoice_amounts(rule: str, amount: str) -> None:
    # API-PROBES T1b: 3 lines of 1 x 0.15 @ 10 %
    async with await sandbox_client(freshbooks_tax_rounding=rule) as client:
        customer = await _customer(client)
        lines = [_line(f"L{n}", "1", "0.15", ("T10", "10")) for n in range(3)]
        invoice = await _invoice(client, customer, "T1b", *lines)
        assert invoice.amount == D(amount) and all(ln.amount == D("0.15") for ln in invoice.lines)


# ---- wire shapes, without the sandbox -----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_update_payment_and_credit_note_bodies() -> None:
    node_note = fixture("node/CreditNote__01_GET_200.json")["response"]["result"]["credit_notes"]
    answers = {
        "PUT": fixture("node/Payment__05_PUT_200.json"),
        # the Node POST echo has no id, so the POSTs are answered with the GET fixture (ids made numeric)
        "POST": {"response": {"result": {"credit_note": {**node_note, "id": 31313, "clientid": 2}}}},
    }
    rec = Recorder(lambda request: reply(answers[request.method]))
    async with make_client(rec) as client:
        payment = await client.update_payment(7658, amount=D("10.00"), note="Payment refunded.")
        await client.create_credit_note(
            fb.CreditNoteDraft(clientid=2, create_date=date(2021, 10, 4), currency_code="USD",
                               credit_type="prepayment", lines=(_line("Design", "3", "80.00", ("HST", "13")),))
        )
        await client.create_credit_note(
            fb.CreditNoteDraft(clientid=2, create_date=date(2021, 10, 4), currency_code="USD")
        )
    assert isinstance(payment, fb.Payment) and payment.overpaymentid is None
    update, prepayment, plain = rec.bodies()
    assert rec.requests[0].method == "PUT" and rec.requests[0].url.path.endswith("/payments/payments/7658")
    assert update == {"payment": {"amount": {"amount": "10.00"}, "note": "Payment refunded."}}
    node_update = fixture("node/Payment__05_PUT_200.request.json")["payment"]
    assert set(update["payment"]) <= set(node_update)
    assert prepayment["credit_note"]["credit_type"] == "prepayment"
    assert prepayment["credit_note"]["lines"][0]["taxName1"] == "HST"
    assert prepayment["credit_note"]["lines"][0]["taxAmount1"] == "13"
    assert "credit_type" not in plain["credit_note"]   # FreshBooks' default (goodwill) applies


def test_overpaymentid_credit_type_and_description_parse() -> None:
    body = fixture("java/get_payment_response.json")["response"]["result"]["payment"]
    assert parse_payment(body).overpaymentid is None
    assert parse_payment({**body, "overpaymentid": 10320}).overpaymentid == 10320   # [PM] Make Payment
    assert parse_payment({**body, "overpaymentid": "10865342"}).overpaymentid == 10865342

    node = fixture("node/CreditNote__01_GET_200.json")["response"]["result"]["credit_notes"]
    record = {**node, "clientid": 2, "id": 31313}
    assert parse_credit_note(record).credit_type == "goodwill"
    overpayment = {**record, "credit_type": "overpayment", "description": "Overpayment: invoice #TH - 0124"}
    parsed = parse_credit_note(overpayment)
    assert (parsed.credit_type, parsed.description) == ("overpayment", "Overpayment: invoice #TH - 0124")
    assert parse_credit_note({k: v for k, v in record.items() if k != "credit_type"}).credit_type == "goodwill"


def test_credit_balance_parses_per_currency() -> None:
    nested = [{"amount": {"amount": "10.00", "code": "USD"}}, {"amount": {"amount": "2.5", "code": "CAD"}},
              {"amount": {"amount": "1.00", "code": "USD"}}]
    assert parse_credit_balance(nested) == {"USD": D("11.00"), "CAD": D("2.5")}
    assert parse_credit_balance([{"amount": "3.00", "code": "EUR"}]) == {"EUR": D("3.00")}
    assert parse_credit_balance(None) == {} and parse_credit_balance([]) == {}
    for junk in ("12", [3], [{"amount": {"amount": "x", "code": "USD"}}]):
        with pytest.raises(FreshBooksParseError):
            parse_credit_balance(junk)
