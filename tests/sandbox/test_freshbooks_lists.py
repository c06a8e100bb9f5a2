"""FreshBooks sandbox lists and objects: pagination, search, soft delete, lines, seed, dump and reset."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bigbooks_desktop.sandbox.freshbooks import PRIMARY_ACCOUNT_ID, SECOND_ACCOUNT_ID, SEEDED_TAXES

from .freshbooks_harness import API, session


def result(body: Any) -> dict[str, Any]:
    found: dict[str, Any] = body["response"]["result"]
    return found


@pytest.mark.asyncio
async def test_pagination_caps_per_page_and_reports_pages_and_total() -> None:
    async with session() as s:
        for index in range(105):
            await s.client(email=f"c{index}@example.com")
        status, body = await s.call("GET", "users/clients", per_page=500)
        page = result(body)
        assert status == 200
        assert (page["page"], page["pages"], page["per_page"], page["total"]) == (1, 2, 100, 105)
        assert len(page["clients"]) == 100
        page = result((await s.call("GET", "users/clients", per_page=100, page=2))[1])
        assert len(page["clients"]) == 5 and page["page"] == 2
        page = result((await s.call("GET", "users/clients", per_page=10, page=0))[1])
        assert page["page"] == 1 and len(page["clients"]) == 10 and page["pages"] == 11
        page = result((await s.call("GET", "users/clients", per_page=100, page=3))[1])
        assert page["clients"] == [] and page["total"] == 105
        assert result((await s.call("GET", "users/clients"))[1])["per_page"] == 15

        for params, errno in [({"page": "abc"}, 1014), ({"per_page": "1.5"}, 1013)]:
            status, body = await s.call("GET", "users/clients", **params)
            assert status == 400
            assert body["response"]["errors"][0]["errno"] == errno


@pytest.mark.asyncio
async def test_client_email_search_ignores_case_but_matches_whole() -> None:
    async with session() as s:
        ada = await s.client(email="Ada.Lovelace@Example.com")
        await s.client(email="ada.lovelace@example.com.au")
        await s.client(email="other@example.com")

        async def found(*query: tuple[str, str]) -> list[int]:
            response = await s.http.get(
                f"{API}/accounting/account/{PRIMARY_ACCOUNT_ID}/users/clients",
                params=list(query),
                headers=s.headers,
            )
            return [obj["id"] for obj in response.json()["response"]["result"]["clients"]]

        assert await found(("search[email]", "ada.lovelace@example.com")) == [ada["id"]]
        assert await found(("search[email]", "ADA.LOVELACE@EXAMPLE.COM")) == [ada["id"]]
        assert await found(("search[emails][]", "ADA.lovelace@example.COM")) == [ada["id"]]
        assert await found(("search[email]", "ada.lovelace@example")) == []


@pytest.mark.asyncio
async def test_search_filters_the_app_uses() -> None:
    async with session() as s:
        ada = await s.client(email="ada@example.com")
        bob = await s.client(email="bob@example.com")
        await s.client(email="ada@example.com.au")

        async def ids(path: str, key: str, query: list[tuple[str, Any]]) -> list[int]:
            response = await s.http.get(
                f"{API}/accounting/account/{PRIMARY_ACCOUNT_ID}/{path}", params=query, headers=s.headers
            )
            return [obj["id"] for obj in response.json()["response"]["result"][key]]

        assert await ids("users/clients", "clients", [("search[email]", "ada@example.com")]) == [ada["id"]]
        assert await ids("users/clients", "clients", [("search[userid]", bob["id"])]) == [bob["id"]]
        both = [("search[userids][]", ada["id"]), ("search[userids][]", bob["id"])]
        assert await ids("users/clients", "clients", both) == [ada["id"], bob["id"]]

        # owes 1.00, so the 0.01 payment below is not an overpayment (which would give ada a credit note)
        inv_a = await s.invoice(
            ada["id"], [{"name": "A", "qty": "1", "unit_cost": {"amount": "1.00"}}], invoice_number="BC-1"
        )
        inv_b = await s.invoice(bob["id"], [])
        assert await ids("invoices/invoices", "invoices", [("search[invoice_number]", "BC-1")]) == [
            inv_a["id"]
        ]
        assert await ids("invoices/invoices", "invoices", [("search[customerid]", bob["id"])]) == [
            inv_b["id"]
        ]
        assert await ids("invoices/invoices", "invoices", [("search[invoiceid]", inv_b["id"])]) == [
            inv_b["id"]
        ]
        assert await ids(
            "invoices/invoices",
            "invoices",
            [("search[invoiceids][]", inv_a["id"]), ("search[invoiceids][]", inv_b["id"])],
        ) == [inv_a["id"], inv_b["id"]]

        pay_a = await s.pay(inv_a["id"], "0.01")
        assert await ids("payments/payments", "payments", [("search[invoiceid]", inv_a["id"])]) == [
            pay_a["id"]
        ]
        assert await ids("payments/payments", "payments", [("search[clientid]", ada["id"])]) == [pay_a["id"]]
        assert await ids("payments/payments", "payments", [("search[clientid]", bob["id"])]) == []

        item = await s.create("items/items", "item", {"name": "Shoe", "sku": "SH-1"})
        await s.create("items/items", "item", {"name": "Shoe XL", "sku": "SH-10"})
        assert await ids("items/items", "items", [("search[sku]", "SH-1")]) == [item["id"]]
        assert await ids("items/items", "items", [("search[itemid]", item["id"])]) == [item["id"]]

        taxes = await ids("taxes/taxes", "taxes", [("search[name]", "sales")])
        assert len(taxes) == 1

        note = await s.create(
            "credit_notes/credit_notes", "credit_note", {"clientid": bob["id"], "create_date": "2026-03-01"}
        )
        assert await ids("credit_notes/credit_notes", "credit_notes", [("search[clientid]", bob["id"])]) == [
            note["id"]
        ]
        assert await ids("credit_notes/credit_notes", "credit_notes", [("search[clientid]", ada["id"])]) == []


@pytest.mark.asyncio
async def test_vis_state_soft_delete_applies_alone_and_lists_hide_deleted() -> None:
    async with session() as s:
        keep = await s.client(email="keep@example.com")
        gone = await s.client(email="gone@example.com", fname="Gone")
        archived = await s.client(email="arch@example.com")
        status, body = await s.call(
            "PUT", f"users/clients/{gone['id']}", {"client": {"vis_state": 1, "fname": "Changed"}}
        )
        assert status == 200
        assert result(body)["client"]["vis_state"] == 1 and result(body)["client"]["fname"] == "Gone"
        await s.call("PUT", f"users/clients/{archived['id']}", {"client": {"vis_state": 2}})

        listed = [c["id"] for c in result((await s.call("GET", "users/clients"))[1])["clients"]]
        assert listed == [keep["id"], archived["id"]]
        deleted = result((await s.call("GET", "users/clients", **{"search[vis_state]": 1}))[1])["clients"]
        assert [c["id"] for c in deleted] == [gone["id"]]
        assert (await s.fetch("users/clients", "client", gone["id"]))["vis_state"] == 1

        status, body = await s.call("PUT", f"users/clients/{keep['id']}", {"client": {"fname": "Kept"}})
        assert (
            result(body)["client"]["fname"] == "Kept"
            and result(body)["client"]["email"] == "keep@example.com"
        )


@pytest.mark.asyncio
async def test_http_delete_only_where_freshbooks_uses_it() -> None:
    async with session() as s:
        client = await s.client()
        invoice = await s.invoice(client["id"], [])
        status, body = await s.call("DELETE", f"invoices/invoices/{invoice['id']}")
        assert (status, body) == (200, {"response": {}})
        assert (await s.fetch("invoices/invoices", "invoice", invoice["id"]))["vis_state"] == 1
        assert result((await s.call("GET", "invoices/invoices"))[1])["invoices"] == []

        tax = await s.create("taxes/taxes", "tax", {"name": "Temp", "amount": "1"})
        assert (await s.call("DELETE", f"taxes/taxes/{tax['id']}")) == (200, {"response": {}})
        assert (await s.call("GET", f"taxes/taxes/{tax['id']}"))[0] == 404

        assert (await s.call("DELETE", f"users/clients/{client['id']}"))[0] == 405


@pytest.mark.asyncio
async def test_lines_only_with_include_and_replaced_whole_on_put() -> None:
    async with session() as s:
        client = await s.client()
        created = await s.create(
            "invoices/invoices",
            "invoice",
            {
                "customerid": client["id"],
                "create_date": "2026-03-01",
                "lines": [
                    {"name": "A", "qty": 1, "unit_cost": {"amount": "10.00"}},
                    {"name": "B", "qty": 2, "unit_cost": {"amount": "5.00"}},
                ],
            },
        )
        assert "lines" not in created and created["amount"]["amount"] == "20.00"
        listed = result((await s.call("GET", "invoices/invoices", **{"include[]": "lines"}))[1])["invoices"]
        assert [li["name"] for li in listed[0]["lines"]] == ["A", "B"]
        assert "lines" not in result((await s.call("GET", "invoices/invoices"))[1])["invoices"][0]

        path = f"invoices/invoices/{created['id']}"
        status, body = await s.call(
            "PUT",
            path,
            {"invoice": {"lines": [{"name": "C", "qty": "3", "unit_cost": {"amount": "1.00"}}]}},
            **{"include[]": "lines"},
        )
        updated = result(body)["invoice"]
        assert [(li["name"], li["lineid"]) for li in updated["lines"]] == [("C", 1)]
        assert updated["amount"]["amount"] == "3.00"

        with_lines = {"include[]": "lines"}
        status, body = await s.call("PUT", path, {"invoice": {"notes": "thanks"}}, **with_lines)
        assert status == 200
        assert [li["name"] for li in result(body)["invoice"]["lines"]] == ["C"]
        assert result(body)["invoice"]["notes"] == "thanks"


@pytest.mark.asyncio
async def test_seed_two_businesses_dump_and_reset() -> None:
    async with session() as s:
        taxes = result((await s.call("GET", "taxes/taxes"))[1])["taxes"]
        assert [(t["name"], t["amount"]) for t in taxes] == [
            (name, str(rate).rstrip("0").rstrip(".") if "." in str(rate) else str(rate))
            for name, rate, _, _ in SEEDED_TAXES
        ]
        assert result((await s.call("GET", "users/clients"))[1])["clients"] == []
        assert result((await s.call("GET", "invoices/invoices"))[1])["invoices"] == []

        second = await s.http.get(
            f"{API}/accounting/account/{SECOND_ACCOUNT_ID}/users/clients", headers=s.headers
        )
        assert [c["organization"] for c in second.json()["response"]["result"]["clients"]] == [
            "Maple Side Client Inc."
        ]

        s.sandbox.seed_items([{"sku": "BC-SKU-1", "name": "Blue shoe", "price": Decimal("59.5")}])
        found = result((await s.call("GET", "items/items", **{"search[sku]": "BC-SKU-1"}))[1])["items"]
        assert found[0]["unit_cost"] == {"amount": "59.50", "code": "USD"}

        client = await s.client()
        await s.invoice(client["id"], [{"name": "A", "qty": 1, "unit_cost": {"amount": "1.00"}}])
        dump = s.sandbox.dump()
        assert set(dump) == {"clients", "invoices", "payments", "items", "taxes", "credit_notes"}
        mine = [inv for inv in dump["invoices"] if inv["accountid"] == PRIMARY_ACCOUNT_ID]
        assert len(mine) == 1 and mine[0]["lines"][0]["name"] == "A"
        assert {c["accountid"] for c in dump["clients"]} == {PRIMARY_ACCOUNT_ID, SECOND_ACCOUNT_ID}
        assert all("accountid" in tax for tax in dump["taxes"])

        s.sandbox.reset()
        after = s.sandbox.dump()
        assert [c for c in after["clients"] if c["accountid"] == PRIMARY_ACCOUNT_ID] == []
        assert [i["sku"] for i in after["items"] if i["accountid"] == PRIMARY_ACCOUNT_ID] == ["BC-SKU-1"]
        assert len([t for t in after["taxes"] if t["accountid"] == PRIMARY_ACCOUNT_ID]) == len(SEEDED_TAXES)


@pytest.mark.asyncio
async def test_timestamps_are_us_eastern() -> None:
    async with session() as s:
        s.clock.now = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC = 2025-12-31 19:00:00 EST
        client = await s.client()
        assert client["updated"] == "2025-12-31 19:00:00"
        assert client["signup_date"] == "2026-01-01 00:00:00"  # the one UTC accounting timestamp


@pytest.mark.asyncio
async def test_date_and_updated_range_filters_have_day_granularity() -> None:
    async with session() as s:
        client = await s.client()
        march = await s.invoice(client["id"], [], create_date="2026-03-01")
        april = await s.invoice(client["id"], [], create_date="2026-04-10")
        found = result((await s.call("GET", "invoices/invoices", **{"search[date_min]": "2026-04-01"}))[1])
        assert [inv["id"] for inv in found["invoices"]] == [april["id"]]
        found = result((await s.call("GET", "invoices/invoices", **{"search[date_max]": "2026-03-01"}))[1])
        assert [inv["id"] for inv in found["invoices"]] == [march["id"]]
        today = march["updated"][:10]
        found = result((await s.call("GET", "users/clients", **{"search[updated_min]": today}))[1])
        assert [c["id"] for c in found["clients"]] == [client["id"]]
        s.clock.advance(2 * 86400)
        await s.sign_in()  # the 12 h access token has expired meanwhile
        later = s.sandbox.ledger.today()
        found = result((await s.call("GET", "users/clients", **{"search[updated_min]": later}))[1])
        assert found["clients"] == []
