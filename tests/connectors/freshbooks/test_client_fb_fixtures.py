"""FreshBooksClient against the recorded SDK fixtures: parsing, request shapes, envelopes and pagination."""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fb_wire import ACCOUNT, API, Recorder, fixture, make_client, reply

from bigbooks_desktop.connectors.freshbooks.parsing import FreshBooksParseError
from bigbooks_desktop.core import freshbooks as fb

EASTERN = ZoneInfo("America/New_York")
BASE = f"/accounting/account/{ACCOUNT}"


def _one(name: str) -> Recorder:
    return Recorder(lambda request: reply(fixture(name)))


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "name, first_account",
    [
        ("python/auth_me_response.json", "ABC123"),
        ("java/auth_me_response.json", "ABC123"),
        ("node/User__01_GET_200.json", "xZNQ1X"),
    ],
)
async def test_identity_has_no_result_level_and_lists_businesses(name: str, first_account: str) -> None:
    rec = _one(name)
    async with make_client(rec) as client:
        me = await client.get_identity()
    assert str(rec.requests[0].url) == f"{API}/auth/api/v1/users/me"
    raw = fixture(name)["response"]
    assert me.id == raw["id"] and me.email == raw["email"]
    assert me.businesses[0].account_id == first_account
    assert len(me.businesses) == len(raw["business_memberships"])
    member = raw["business_memberships"][0]
    assert me.businesses[0].business_id == member["business"]["id"]  # not the membership id
    assert me.businesses[0].business_id != member["id"]
    assert me.businesses[0].role == member["role"]


@pytest.mark.asyncio
async def test_java_invoice_with_lines_and_taxes_parses_every_field_we_read() -> None:
    rec = _one("java/get_invoice_response.json")
    async with make_client(rec) as client:
        invoice = await client.get_invoice(987654)
    request = rec.requests[0]
    assert request.url.path == f"{BASE}/invoices/invoices/987654"
    assert request.url.params.get_list("include[]") == ["lines"]
    assert request.headers["authorization"].startswith("Bearer ")
    assert invoice.id == 987654 and invoice.customerid == 12345 and invoice.accountid == "ACM123"
    assert invoice.invoice_number == "ACM0002" and invoice.currency_code == "CAD"
    assert invoice.amount == Decimal("41.94") and isinstance(invoice.amount, Decimal)
    assert invoice.paid == Decimal("20.00") and invoice.outstanding == Decimal("21.94")
    assert invoice.discount_value == Decimal("10")
    assert (invoice.status, invoice.v3_status, invoice.payment_status, invoice.display_status) == (
        2,
        "partial",
        "partial",
        "sent",
    )
    assert invoice.create_date == date(2021, 4, 16) and invoice.due_date == date(2021, 4, 16)
    assert invoice.updated == datetime(2021, 4, 16, 10, 31, 58, tzinfo=EASTERN)
    assert invoice.updated.utcoffset() is not None
    assert invoice.po_number == "" and invoice.terms == ""  # null -> ""
    bowls, mugs = invoice.lines
    assert (bowls.lineid, bowls.name, bowls.qty, bowls.unit_cost, bowls.amount) == (
        1,
        "Bowls",
        Decimal("4"),
        Decimal("5.00"),
        Decimal("20.00"),
    )
    assert (bowls.tax_name1, bowls.tax_amount1, bowls.tax_name2, bowls.tax_amount2) == (
        "HST1",
        Decimal("13"),
        "",
        Decimal("0"),
    )
    assert mugs.unit_cost == Decimal("4.00") and mugs.qty == Decimal("6") and mugs.tax_name1 == ""


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "name",
    [
        "java/list_invoices_response.json",
        "node/Invoice__02_GET_200.json",
        "node/Invoice__03_GET_200.json",
        "node/Invoice__04_GET_200.json",
    ],
)
async def test_invoice_lists_parse(name: str) -> None:
    raw = fixture(name)["response"]["result"]["invoices"]
    async with make_client(_one(name)) as client:
        invoices = [inv async for inv in client.iter_invoices()]
    assert [inv.id for inv in invoices] == [int(r["id"]) for r in raw]
    for inv, r in zip(invoices, raw, strict=True):
        assert inv.amount == Decimal(r["amount"]["amount"]) and inv.customerid == int(r["customerid"])
        assert len(inv.lines) == len(r.get("lines") or [])


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "name",
    ["node/Invoice__01_GET_200.json", "node/Invoice__05_POST_200.json", "node/Invoice__06_PUT_200.json"],
)
async def test_single_node_invoices_parse(name: str) -> None:
    raw = fixture(name)["response"]["result"]["invoice"]
    async with make_client(_one(name)) as client:
        invoice = await client.get_invoice(int(raw["id"]))
    assert (
        invoice.amount == Decimal(raw["amount"]["amount"]) and invoice.invoice_number == raw["invoice_number"]
    )
    assert invoice.create_date == date.fromisoformat(raw["create_date"])


CLIENT_FIXTURES = [
    "python/get_client_response.json",
    "python/create_client_response.json",
    "java/get_client_response.json",
    "java/create_client_response.json",
    "node/Client__03_GET_200.json",
    "node/Client__04_POST_200.json",
    "node/Client__06_PUT_200.json",
]


@pytest.mark.asyncio
@pytest.mark.parametrize("name", CLIENT_FIXTURES)
async def test_clients_parse_with_string_or_int_ids(name: str) -> None:
    raw = fixture(name)["response"]["result"]["client"]
    async with make_client(_one(name)) as client:
        got = await client.get_client(int(raw["id"]))
    assert got.id == int(raw["id"]) and isinstance(got.id, int)
    for key in ("email", "fname", "lname", "organization", "p_street", "currency_code"):
        assert getattr(got, key) == (raw.get(key) or "")
    if raw.get("updated"):
        assert got.updated is not None and got.updated.tzinfo is not None


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "name",
    [
        "python/list_clients_response.json",
        "java/list_clients_response.json",
        "node/Client__01_GET_200.json",
        "node/Client__02_GET_200.json",
    ],
)
async def test_client_lists_parse(name: str) -> None:
    raw = fixture(name)["response"]["result"]["clients"]
    rec = _one(name)
    async with make_client(rec) as client:
        found = await client.find_client_by_email(raw[0]["email"])
    assert found is not None and found.id == int(raw[0]["id"])
    params = rec.requests[0].url.params
    assert params["search[email]"] == raw[0]["email"] and params["search[vis_state]"] == "0"
    assert params["per_page"] == "100" and params["page"] == "1"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "name",
    [
        "java/get_payment_response.json",
        "node/Payment__01_GET_200.json",
        "node/Payment__04_POST_200.json",
        "node/Payment__05_PUT_200.json",
    ],
)
async def test_payments_parse(name: str) -> None:
    raw = fixture(name)["response"]["result"]["payment"]
    async with make_client(_one(name)) as client:
        payment = await client.create_payment(
            fb.PaymentDraft(invoiceid=int(raw["invoiceid"]), amount=Decimal("1"), date=date(2020, 1, 1))
        )
    assert payment.id == int(raw["id"]) and payment.invoiceid == int(raw["invoiceid"])
    assert (
        payment.amount == Decimal(raw["amount"]["amount"]) and payment.currency_code == raw["amount"]["code"]
    )
    assert payment.date == date.fromisoformat(raw["date"]) and payment.type == raw["type"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "name",
    ["java/list_payments_response.json", "node/Payment__02_GET_200.json", "node/Payment__03_GET_200.json"],
)
async def test_payment_lists_filter_by_invoice(name: str) -> None:
    raw = fixture(name)["response"]["result"]["payments"]
    invoice_id = int(raw[0]["invoiceid"])
    rec = _one(name)
    async with make_client(rec) as client:
        payments = await client.list_payments(invoice_id)
    assert [p.id for p in payments] == [int(r["id"]) for r in raw if int(r["invoiceid"]) == invoice_id]
    assert rec.requests[0].url.params["search[invoiceid]"] == str(invoice_id)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "name",
    [
        "java/get_item_response.json",
        "node/Item__01_GET_200.json",
        "node/Item__03_PUT_200.json",
        "node/Item__05_POST_200.json",
    ],
)
async def test_items_parse(name: str) -> None:
    raw = fixture(name)["response"]["result"]["item"]
    async with make_client(_one(name)) as client:
        item = await client.create_item(fb.ItemDraft(name="x", sku="x", unit_cost=Decimal("1")))
    assert item.id == int(raw["id"]) and item.sku == raw["sku"]
    assert item.unit_cost == Decimal(raw["unit_cost"]["amount"])
    assert item.tax1 == (int(raw["tax1"]) or None)


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ["java/list_items_response.json", "node/Item__02_GET_200.json"])
async def test_find_item_by_sku(name: str) -> None:
    raw = fixture(name)["response"]["result"]["items"][0]
    rec = _one(name)
    async with make_client(rec) as client:
        assert (await client.find_item_by_sku(raw["sku"])).id == int(raw["id"])  # type: ignore[union-attr]
        assert await client.find_item_by_sku("no-such-" + raw["sku"]) is None  # exact match, client side too
    assert rec.requests[0].url.params["search[sku]"] == raw["sku"]


@pytest.mark.asyncio
async def test_taxes_parse_rates_as_decimal() -> None:
    async with make_client(_one("java/list_taxes_response.json")) as client:
        taxes = await client.list_taxes()
    raw = fixture("java/list_taxes_response.json")["response"]["result"]["taxes"]
    assert [(t.id, t.name, t.amount) for t in taxes] == [
        (r["id"], r["name"], Decimal(r["amount"])) for r in raw
    ]
    async with make_client(_one("java/get_tax_response.json")) as client:
        tax = await client.create_tax(fb.TaxDraft(name="HST", amount=Decimal("13")))
    assert (tax.id, tax.amount, tax.number, tax.compound) == (7840, Decimal("13"), "RT 1234", False)


def _numeric_client(body: Any) -> Any:
    """The Node credit-note fixtures carry `clientid: "test-client-id"`, not an id; give them a real one."""
    body = copy.deepcopy(body)
    result = body["response"]["result"]
    for note in (
        result["credit_notes"] if isinstance(result["credit_notes"], list) else [result["credit_notes"]]
    ):
        note["clientid"] = "2"
    return body


@pytest.mark.asyncio
async def test_credit_notes_parse_and_junk_ids_are_refused() -> None:
    async with make_client(_one("node/CreditNote__03_GET_200.json")) as client:
        with pytest.raises(FreshBooksParseError, match=r"credit_note \S* ?field clientid"):
            await client.list_credit_notes(2)
    body = _numeric_client(fixture("node/CreditNote__03_GET_200.json"))
    rec = Recorder(lambda request: reply(body))
    async with make_client(rec) as client:
        (note,) = await client.list_credit_notes(2)
    assert (note.id, note.clientid, note.credit_number, note.amount) == (
        31313,
        2,
        "00001122",
        Decimal("300.00"),
    )
    assert [(ln.name, ln.qty, ln.unit_cost, ln.amount) for ln in note.lines] == [
        ("Design", Decimal("2"), Decimal("200.00"), Decimal("400.00")),
        ("General", Decimal("2"), Decimal("90.00"), Decimal("180.00")),
    ]
    assert rec.requests[0].url.params["search[clientid]"] == "2"
    # a single credit note comes back under the plural key in the Node fixtures
    single = _numeric_client(fixture("node/CreditNote__01_GET_200.json"))
    draft = fb.CreditNoteDraft(clientid=2, create_date=date(2021, 10, 4), currency_code="USD")
    async with make_client(Recorder(lambda request: reply(single))) as client:
        created = await client.create_credit_note(draft)
    assert created.id == 31313 and created.amount == Decimal("300.00") and created.currency_code == "USD"
    # the Node POST/PUT mocks echo the request (no id): refused loudly rather than invented
    echoed = fixture("node/CreditNote__04_POST_200.json")
    async with make_client(Recorder(lambda request: reply(echoed))) as client:
        with pytest.raises(FreshBooksParseError, match=r"credit_note field id"):
            await client.create_credit_note(draft)


# ---- request bodies against the Node SDK's request fixtures --------------------------------------------


def _shape(value: Any) -> Any:
    """Keys and JSON types of a body, for comparing our requests with the SDK's."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value[:1]]
    return type(value).__name__


def _subset(ours: Any, theirs: Any) -> None:
    for key, value in ours.items():
        assert key in theirs, key
        if theirs[key] is None:
            continue
        if isinstance(value, dict):
            _subset(value, theirs[key])
        else:
            assert value == theirs[key], key


@pytest.mark.asyncio
async def test_write_bodies_match_the_node_request_shapes() -> None:
    rec = Recorder(
        lambda request: reply(
            fixture(
                {
                    "users/clients": "node/Client__04_POST_200.json",
                    "invoices/invoices": "java/get_invoice_response.json",
                    "payments/payments": "node/Payment__04_POST_200.json",
                    "items/items": "node/Item__05_POST_200.json",
                }["/".join(request.url.path.split("/")[4:6])]
            )
        )
    )
    async with make_client(rec) as client:
        await client.create_client(
            fb.ClientDraft(
                fname="Johnny", lname="Appleseed", email="jappleseed@gmail.com", organization="Apple Seed Co."
            )
        )
        await client.create_invoice(
            fb.InvoiceDraft(
                customerid=217572,
                invoice_number="SS007",
                create_date=date(2019, 11, 14),
                currency_code="USD",
                lines=(
                    fb.LineDraft(
                        name="Bowls",
                        qty=Decimal("4"),
                        unit_cost=Decimal("12.30"),
                        tax_name1="HST",
                        tax_amount1=Decimal("13"),
                        tax_name2="PST",
                        tax_amount2=Decimal("8.5"),
                    ),
                    fb.LineDraft(name="Mugs", qty=Decimal("1.5"), unit_cost=Decimal("4.00")),
                ),
            )
        )
        await client.create_payment(
            fb.PaymentDraft(invoiceid=197902, amount=Decimal("100.00"), date=date(2019, 10, 22), type="Cash")
        )
        await client.create_item(
            fb.ItemDraft(
                name="Monkeys",
                description="monkey descriptor",
                sku="FB0192374221",
                unit_cost=Decimal("1234.00"),
                currency_code="USD",
            )
        )
    client_body, invoice_body, payment_body, item_body = rec.bodies()
    assert client_body == fixture("node/Client__04_POST_200.request.json")
    node_invoice = fixture("node/Invoice__05_POST_200.request.json")
    assert list(invoice_body) == ["invoice"]
    _subset({k: v for k, v in invoice_body["invoice"].items() if k != "lines"}, node_invoice["invoice"])
    assert invoice_body["invoice"]["status"] == 1 and "action_mark_as_sent" not in invoice_body["invoice"]
    line1, line2 = invoice_body["invoice"]["lines"]
    assert line1 == {
        "type": 0,
        "name": "Bowls",
        "description": "",
        "qty": "4",
        "unit_cost": {"amount": "12.30", "code": "USD"},
        "taxName1": "HST",
        "taxAmount1": "13",
        "taxName2": "PST",
        "taxAmount2": "8.5",
    }
    assert line2["qty"] == "1.5" and "taxName1" not in line2 and "taxAmount1" not in line2
    node_line_keys = set(fixture("node/CreditNote__04_POST_200.request.json")["credit_notes"]["lines"][0])
    assert set(line1) - {"type"} <= node_line_keys  # camelCase tax keys as FreshBooks expects
    node_payment = fixture("node/Payment__04_POST_200.request.json")["payment"]
    assert payment_body["payment"]["amount"] == {"amount": "100.00"}
    assert (
        _shape(node_payment["amount"]["amount"])
        == _shape(payment_body["payment"]["amount"]["amount"])
        == "str"
    )
    _subset({k: v for k, v in payment_body["payment"].items() if k != "amount"}, node_payment)
    node_item = fixture("node/Item__05_POST_200.request.json")["item"]
    _subset(item_body["item"], node_item)
    assert rec.requests[1].url.params.get_list("include[]") == ["lines"]
    assert all(r.headers["content-type"] == "application/json" for r in rec.requests)


@pytest.mark.asyncio
async def test_mark_sent_deletes_and_updates_send_the_right_bodies() -> None:
    answers = {"PUT": fixture("java/get_invoice_response.json"), "DELETE": {"response": {}}}
    rec = Recorder(lambda request: reply(answers[request.method]))
    async with make_client(rec) as client:
        await client.mark_invoice_sent(987654)
        await client.update_invoice(
            987654,
            fb.InvoiceDraft(
                customerid=1,
                invoice_number="A1",
                create_date=date(2021, 1, 2),
                currency_code="CAD",
                lines=(fb.LineDraft(name="only", qty=Decimal("1"), unit_cost=Decimal("2.5")),),
            ),
        )
        await client.delete_invoice(987654)
        await client.delete_client(5)
        await client.delete_payment(6)
        await client.delete_item(7)
        await client.delete_credit_note(8)
    bodies = rec.bodies()
    assert bodies[0] == {"invoice": {"action_mark_as_sent": True}}  # alone
    assert fixture("node/Invoice__07_PUT_200.request.json") == {"invoice": {"vis_state": 1}}
    assert len(bodies[1]["invoice"]["lines"]) == 1 and "status" not in bodies[1]["invoice"]
    assert [(r.method, r.url.path.removeprefix(BASE)) for r in rec.requests[2:]] == [
        ("DELETE", "/invoices/invoices/987654"),
        ("PUT", "/users/clients/5"),
        ("PUT", "/payments/payments/6"),
        ("PUT", "/items/items/7"),
        ("PUT", "/credit_notes/credit_notes/8"),
    ]
    assert bodies[3] == fixture("node/Client__05_PUT_200.request.json")
    assert bodies[4:] == [
        {"payment": {"vis_state": 1}},
        {"item": {"vis_state": 1}},
        {"credit_note": {"vis_state": 1}},
    ]
    assert "content-type" not in rec.requests[2].headers


@pytest.mark.asyncio
async def test_delete_invoice_falls_back_to_vis_state_when_delete_is_refused() -> None:
    rec = Recorder(
        [
            reply({"response": {"errors": [{"errno": 405, "message": "Method not allowed."}]}}, 405),
            reply({"response": {"result": {"invoice": {}}}}),
        ]
    )
    async with make_client(rec) as client:
        await client.delete_invoice(42)
    assert [r.method for r in rec.requests] == ["DELETE", "PUT"]
    assert rec.bodies()[1] == {"invoice": {"vis_state": 1}}


@pytest.mark.asyncio
async def test_iterators_walk_every_page() -> None:
    template = fixture("java/list_invoices_response.json")["response"]["result"]["invoices"][0]

    def page(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params["page"])
        rows = [{**template, "id": number * 1000 + i, "invoiceid": number * 1000 + i} for i in range(2)]
        return reply(
            {
                "response": {
                    "result": {"invoices": rows, "page": number, "pages": 3, "per_page": 100, "total": 6}
                }
            }
        )

    rec = Recorder(page)
    async with make_client(rec) as client:
        ids = [inv.id async for inv in client.iter_invoices(customerid=12345, vis_state=0)]
    assert ids == [1000, 1001, 2000, 2001, 3000, 3001]
    assert [r.url.params["page"] for r in rec.requests] == ["1", "2", "3"]
    for r in rec.requests:
        assert r.url.params["per_page"] == "100" and r.url.params["search[customerid]"] == "12345"
        assert r.url.params["search[vis_state]"] == "0" and r.url.params.get_list("include[]") == ["lines"]


@pytest.mark.asyncio
async def test_find_invoice_by_number_searches_and_matches_exactly() -> None:
    rec = _one("java/list_invoices_response.json")
    async with make_client(rec) as client:
        found = await client.find_invoice_by_number("ACM0002")
        missing = await client.find_invoice_by_number("ACM000")
    assert found is not None and found.id == 987654 and missing is None
    assert rec.requests[0].url.params["search[invoice_number]"] == "ACM0002"
