"""FreshBooks sandbox invoice money math and paid/outstanding/status moves, with hand-computed cases."""

from __future__ import annotations

from typing import Any

import pytest

from .freshbooks_harness import Session, session


def line(name: str, qty: str, unit: str, **taxes: Any) -> dict[str, Any]:
    return {"name": name, "qty": qty, "unit_cost": {"amount": unit}, **taxes}


async def amounts(s: Session, invoice_id: int) -> dict[str, Any]:
    inv = await s.fetch("invoices/invoices", "invoice", invoice_id)
    return {key: inv[key]["amount"] for key in ("amount", "paid", "outstanding", "discount_total")} | {
        key: inv[key] for key in ("status", "v3_status", "payment_status", "display_status", "date_paid")
    }


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("lines", "fields", "amount", "line_amounts"),
    [
        # the Java fixture: 4 x 5.00 @ HST 13 and 6 x 4.00, 10 % discount; tax on the discounted 18.00 = 2.34
        (
            [line("Bowls", "4", "5.00", taxName1="HST", taxAmount1="13"), line("Mugs", "6", "4.00")],
            {"discount_value": "10"},
            "41.94",
            ["20.00", "24.00"],
        ),
        # two taxes: 3 x 19.99 = 59.97; GST 5 % = 2.9985 -> 3.00; PST 7 % = 4.1979 -> 4.20
        (
            [line("Kit", "3", "19.99", taxName1="GST", taxAmount1="5", taxName2="PST", taxAmount2="7")],
            {},
            "67.17",
            ["59.97"],
        ),
        # compound: GST 5 % of 100 = 5.00, then QST 9.975 % of 105.00 = 10.47375 -> 10.47
        (
            [
                line(
                    "Svc",
                    "1",
                    "100.00",
                    taxName1="GST",
                    taxAmount1="5",
                    taxName2="QST",
                    taxAmount2="9.975",
                    compounded_tax=True,
                )
            ],
            {},
            "115.47",
            ["100.00"],
        ),
        # not compound: QST on 100.00 = 9.975 -> 9.98
        (
            [line("Svc", "1", "100.00", taxName1="GST", taxAmount1="5", taxName2="QST", taxAmount2="9.975")],
            {},
            "114.98",
            ["100.00"],
        ),
        # half-up at the cent: 0.50 @ 5 % = 0.025 -> 0.03 (half-even would give 0.02);
        # 1.5 x 0.99 = 1.485 -> 1.49
        (
            [line("Tiny", "1", "0.50", taxName1="GST", taxAmount1="5"), line("Odd", "1.5", "0.99")],
            {},
            "2.02",
            ["0.50", "1.49"],
        ),
        # discount line: 2 x 50.00 @ 8.875 % = 8.875 -> 8.88; -10.00 @ 8.875 % = -0.8875 -> -0.89;
        # 100 - 10 + 7.99
        (
            [
                line("Shoes", "2", "50.00", taxName1="Sales Tax", taxAmount1="8.875"),
                line("Coupon", "1", "-10.00", taxName1="Sales Tax", taxAmount1="8.875"),
            ],
            {},
            "97.99",
            ["100.00", "-10.00"],
        ),
    ],
)
async def test_invoice_amount_is_computed_like_freshbooks(
    lines: list[dict[str, Any]], fields: dict[str, Any], amount: str, line_amounts: list[str]
) -> None:
    async with session() as s:
        client = await s.client()
        invoice = await s.invoice(client["id"], lines, **fields)
        assert invoice["amount"] == {"amount": amount, "code": "USD"}
        assert invoice["outstanding"]["amount"] == amount
        assert [item["amount"]["amount"] for item in invoice["lines"]] == line_amounts
        if fields.get("discount_value") == "10":
            assert invoice["discount_total"]["amount"] == "-4.40"


@pytest.mark.asyncio
async def test_draft_sent_partial_paid_and_unpaid_again() -> None:
    async with session() as s:
        client = await s.client()
        invoice = await s.invoice(
            client["id"], [line("A", "1", "100.00", taxName1="GST", taxAmount1="5")], currency_code="USD"
        )
        assert await amounts(s, invoice["id"]) == {
            "amount": "105.00",
            "paid": "0.00",
            "outstanding": "105.00",
            "discount_total": "0.00",
            "status": 1,
            "v3_status": "draft",
            "payment_status": "unpaid",
            "display_status": "draft",
            "date_paid": None,
        }

        status, body = await s.call(
            "PUT",
            f"invoices/invoices/{invoice['id']}",
            {"invoice": {"action_mark_as_sent": True, "notes": "dropped"}},
        )
        assert status == 200
        sent = body["response"]["result"]["invoice"]
        assert (sent["status"], sent["v3_status"], sent["display_status"]) == (2, "sent", "sent")
        assert sent["notes"] == ""  # an action applies alone; other fields are silently dropped

        first = await s.pay(invoice["id"], "40.00")
        assert first["clientid"] == client["id"] and first["amount"] == {"amount": "40.00", "code": "USD"}
        state = await amounts(s, invoice["id"])
        assert (state["paid"], state["outstanding"]) == ("40.00", "65.00")
        assert (state["status"], state["v3_status"], state["payment_status"]) == (2, "partial", "partial")

        second = await s.pay(invoice["id"], "65.00", date="2026-03-05")
        state = await amounts(s, invoice["id"])
        assert (state["paid"], state["outstanding"]) == ("105.00", "0.00")
        assert (state["status"], state["v3_status"], state["payment_status"]) == (4, "paid", "paid")
        assert state["date_paid"] == "2026-03-05"

        status, _ = await s.call("PUT", f"payments/payments/{second['id']}", {"payment": {"vis_state": 1}})
        assert status == 200
        state = await amounts(s, invoice["id"])
        assert (state["paid"], state["outstanding"], state["payment_status"]) == ("40.00", "65.00", "partial")
        await s.call("PUT", f"payments/payments/{first['id']}", {"payment": {"vis_state": 1}})
        state = await amounts(s, invoice["id"])
        assert (state["paid"], state["status"], state["v3_status"], state["payment_status"]) == (
            "0.00",
            2,
            "sent",
            "unpaid",
        )


@pytest.mark.asyncio
async def test_payment_on_a_draft_sends_it_and_payment_update_moves_balances() -> None:
    async with session() as s:
        client = await s.client()
        invoice = await s.invoice(client["id"], [line("A", "2", "10.00")])
        payment = await s.pay(invoice["id"], "5.00")
        assert (await amounts(s, invoice["id"]))["status"] == 2
        await s.call(
            "PUT", f"payments/payments/{payment['id']}", {"payment": {"amount": {"amount": "20.00"}}}
        )
        assert (await amounts(s, invoice["id"]))["payment_status"] == "paid"


@pytest.mark.asyncio
async def test_credit_note_applied_as_a_credit_payment() -> None:
    async with session() as s:
        client = await s.client()
        other = await s.client(email="other@example.com")
        invoice = await s.invoice(client["id"], [line("A", "1", "50.00")])
        note = await s.create(
            "credit_notes/credit_notes",
            "credit_note",
            {
                "clientid": client["id"],
                "create_date": "2026-03-01",
                "lines": [line("Refund", "1", "20.00", taxName1="GST", taxAmount1="5")],
            },
        )
        assert note["amount"]["amount"] == "21.00"
        assert note["credit_number"] == "0000001" and note["payment_status"] == "unpaid"

        credit = await s.pay(invoice["id"], "15.00", creditid=note["id"])
        assert (credit["type"], credit["from_credit"], credit["creditid"]) == ("Credit", True, note["id"])
        state = await amounts(s, invoice["id"])
        assert (state["paid"], state["outstanding"], state["payment_status"]) == ("15.00", "35.00", "partial")
        after = await s.fetch("credit_notes/credit_notes", "credit_note", note["id"])
        assert (after["paid"]["amount"], after["payment_status"]) == ("15.00", "partial")

        status, body = await s.call(
            "POST",
            "payments/payments",
            {"payment": {"invoiceid": invoice["id"], "amount": {"amount": "6.01"}, "creditid": note["id"]}},
        )
        assert status == 422 and body["response"]["errors"][0]["field"] == "amount"

        other_invoice = await s.invoice(other["id"], [line("B", "1", "5.00")])
        status, body = await s.call(
            "POST",
            "payments/payments",
            {
                "payment": {
                    "invoiceid": other_invoice["id"],
                    "amount": {"amount": "1.00"},
                    "creditid": note["id"],
                }
            },
        )
        assert status == 422 and body["response"]["errors"][0]["field"] == "creditid"

        await s.call("PUT", f"payments/payments/{credit['id']}", {"payment": {"vis_state": 1}})
        assert (await amounts(s, invoice["id"]))["payment_status"] == "unpaid"
        assert (await s.fetch("credit_notes/credit_notes", "credit_note", note["id"]))["paid"][
            "amount"
        ] == "0.00"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("body", "errno", "field"),
    [
        ({"amount": {"amount": "5.00"}}, 1001, "invoiceid"),
        ({"invoiceid": "DELETED", "amount": {"amount": "5.00"}}, 1004, "invoiceid"),
        ({"invoiceid": "INVOICE"}, 1001, "amount"),
        ({"invoiceid": "INVOICE", "amount": {"amount": "0"}}, 1004, "amount"),
        ({"invoiceid": "INVOICE", "amount": {"amount": "-3.00"}}, 1004, "amount"),
        ({"invoiceid": 1, "amount": {"amount": "5.00"}}, 1004, "invoiceid"),
    ],
)
async def test_payment_validation(body: dict[str, Any], errno: int, field: str) -> None:
    async with session() as s:
        client = await s.client()
        invoice = await s.invoice(client["id"], [line("A", "1", "10.00")])
        deleted = await s.invoice(client["id"], [line("A", "1", "10.00")])
        assert (await s.call("DELETE", f"invoices/invoices/{deleted['id']}"))[0] == 200
        ids = {"INVOICE": invoice["id"], "DELETED": deleted["id"]}
        payload = {
            key: ids.get(value, value) if isinstance(value, str) else value for key, value in body.items()
        }
        status, response = await s.call("POST", "payments/payments", {"payment": payload})
        assert status == 422
        error = response["response"]["errors"][0]
        assert (error["errno"], error["field"], error["object"]) == (errno, field, "payment")


@pytest.mark.asyncio
async def test_invoice_validation_and_numbering() -> None:
    async with session() as s:
        client = await s.client()
        first = await s.invoice(client["id"], [])
        second = await s.invoice(client["id"], [])
        assert (first["invoice_number"], second["invoice_number"]) == ("0000001", "0000002")
        named = await s.invoice(client["id"], [], invoice_number="BC-1001")
        assert named["invoice_number"] == "BC-1001"
        for fields, errno, field in [
            ({"create_date": "2026-03-01"}, 1001, "customerid"),
            ({"customerid": client["id"]}, 1001, "create_date"),
            ({"customerid": 999, "create_date": "2026-03-01"}, 1004, "customerid"),
            (
                {"customerid": client["id"], "create_date": "2026-03-01", "invoice_number": "BC-1001"},
                1004,
                "invoice_number",
            ),
        ]:
            status, body = await s.call("POST", "invoices/invoices", {"invoice": fields})
            assert status == 422, fields
            error = body["response"]["errors"][0]
            assert (error["errno"], error["field"]) == (errno, field)
        status, body = await s.call(
            "PUT", f"invoices/invoices/{second['id']}", {"invoice": {"invoice_number": "BC-1001"}}
        )
        assert status == 422 and body["response"]["errors"][0]["field"] == "invoice_number"


@pytest.mark.asyncio
async def test_currency_is_kept_on_the_invoice_lines_and_payments() -> None:
    async with session() as s:
        client = await s.client(currency_code="CAD")
        invoice = await s.invoice(client["id"], [line("A", "1", "10.00")])
        assert invoice["currency_code"] == "CAD" and invoice["amount"]["code"] == "CAD"
        assert invoice["lines"][0]["unit_cost"]["code"] == "CAD"
        eur = await s.invoice(client["id"], [line("A", "1", "10.00")], currency_code="EUR")
        assert eur["amount"]["code"] == "EUR"
        assert (await s.pay(eur["id"], "10.00"))["amount"]["code"] == "EUR"


@pytest.mark.asyncio
async def test_a_refused_update_changes_nothing() -> None:
    async with session() as s:
        client = await s.client()
        invoice = await s.invoice(client["id"], [line("A", "1", "10.00")], notes="before")
        path = f"invoices/invoices/{invoice['id']}"
        status, body = await s.call("PUT", path, {"invoice": {"notes": "after", "create_date": "not-a-date"}})
        assert status == 422 and body["response"]["errors"][0]["errno"] == 1004
        status, _ = await s.call("PUT", path, {"invoice": {"vis_state": "x"}})
        assert status == 422
        assert (await s.fetch("invoices/invoices", "invoice", invoice["id"]))["notes"] == "before"
