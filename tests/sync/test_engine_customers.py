"""The sync engine and registered customers (one customer read per customer per run), and a full sync over
real loopback sockets."""

from __future__ import annotations

from typing import Any

import pytest
from sync_harness import EPOCH, check_books, rig

from bigbooks_desktop import accounts
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.server import SandboxThread
from bigbooks_desktop.store.db import close_database, open_database
from bigbooks_desktop.store.error_queue import ACTIVE_STATUSES, list_errors
from bigbooks_desktop.sync.engine import SyncEngine

pytestmark = pytest.mark.asyncio



def _customer_reads(api_calls: dict[str, Any]) -> int:
    return sum(n for route, n in api_calls["bigcommerce"]["requests"].items() if "/v3/customers" in route)


async def test_customer_record_fills_what_the_billing_address_lacks() -> None:
    async with rig(orders=5) as r:
        customer = r.sandbox.bigcommerce.store.customers[0]
        customer["company"] = "Nuñez Trading"                 # the record knows the company; checkout did not
        saved = customer["addresses"][0]
        blank = {"company": "", "phone": "", "street_1": "", "street_2": "", "city": "", "state": "",
                 "zip": ""}
        order = await r.admin("POST", "/orders", {"status_id": 11, "customer_id": customer["id"],
                                                  "billing_address": blank})
        summary = await r.sync()
        assert _customer_reads(summary.api_calls) >= 1
        invoice = next(i for i in r.state()["freshbooks"]["invoices"]
                       if i["invoice_number"] == f"BC-{order['id']}")
        client = next(c for c in r.state()["freshbooks"]["clients"] if c["id"] == invoice["customerid"])
        assert client["email"].lower() == customer["email"].lower()
        assert (client["fname"], client["lname"]) == (customer["first_name"], customer["last_name"])
        assert (client["organization"], client["bus_phone"]) == ("Nuñez Trading", customer["phone"])
        assert (client["p_street"], client["p_city"], client["p_code"]) == \
            (saved["address1"], saved["city"], saved["postal_code"])


async def test_customers_are_read_once_per_customer_and_not_again_when_nothing_changed() -> None:
    async with rig(orders=60) as r:
        first = await r.sync()
        registered = {o["customer_id"] for o in r.state()["bigcommerce"]["orders"] if o["customer_id"]}
        reads = _customer_reads(first.api_calls)
        assert 0 < reads <= len(registered)
        second = await r.sync()
        assert _customer_reads(second.api_calls) == 0
        invoiced = first.counts["invoices_created"]
        bc_calls, fb_calls = first.api_calls["bigcommerce"]["total"], first.api_calls["freshbooks"]["total"]
        print(f"per invoiced order: BigCommerce {bc_calls / invoiced:.2f}, "
              f"FreshBooks {fb_calls / invoiced:.2f}, customer reads {reads} for {len(registered)} customers")


@pytest.mark.slow
async def test_full_sync_over_real_loopback_sockets() -> None:
    with SandboxThread(SandboxConfig(orders=25, seed=5, time_scale=1000.0)) as served:
        open_database()
        try:
            await accounts.connect_sandbox(served.info["admin_url"])
            bigcommerce = await accounts.open_bigcommerce_client()
            freshbooks = await accounts.open_freshbooks_client()
            async with bigcommerce, freshbooks:
                summary = await SyncEngine(bigcommerce=bigcommerce, freshbooks=freshbooks).run(since=EPOCH)
                again = await SyncEngine(bigcommerce=bigcommerce, freshbooks=freshbooks).run(since=EPOCH)
            books = check_books(served.sandbox.state())
            inbox = {e.order_id for e in list_errors(status=ACTIVE_STATUSES)}
        finally:
            accounts.forget_shared_auth()
            close_database()
    assert served.base_url.startswith("http://127.0.0.1:")
    assert books["duplicates"] == {} and books["wrong_total"] == [] and books["unexpected"] == []
    assert set(books["missing"]) == inbox
    assert summary.counts["invoices_created"] == len(books["eligible"]) - len(inbox) > 0
    assert again.counts.get("invoices_created", 0) == again.counts.get("payments_created", 0) == 0
