"""An order BigCommerce sends in a form BigBooks cannot read: listed in a page of orders, it goes to the inbox
with what BigCommerce sent and a message naming the order and the field, labelled as BigCommerce's data (not a
bug of ours); every other order of the page is synced; once the store's data is right again, a retry invoices
it, exactly once."""

from __future__ import annotations

import pytest
from sync_harness import EPOCH, check_books, rig

from bigbooks_desktop.store.error_queue import ACTIVE_STATUSES, ErrorStage, list_errors, retry_error_now

pytestmark = pytest.mark.asyncio


async def test_an_unreadable_order_waits_in_the_inbox_with_its_payload_and_the_page_is_synced() -> None:
    async with rig(orders=40, seed=5) as r:
        records = r.sandbox.bigcommerce.records()
        record = next(rec for rec in records if rec["order"]["status_id"] in (2, 10, 11) and rec["transactions"])
        order_id = record["order"]["id"]
        good_total = record["order"]["total_inc_tax"]
        record["order"]["total_inc_tax"] = "twelve dollars"            # the v2 renderer sends strings as they are
        summary = await r.sync(since=EPOCH)
        entry = next(e for e in list_errors(status=ACTIVE_STATUSES) if e.order_id == order_id)
        assert entry.stage is ErrorStage.INGEST
        assert entry.kind.value == "permanent"
        assert entry.message.startswith(f"BigCommerce sent data BigBooks cannot read: order {order_id} field "
                                        "total_inc_tax")
        assert entry.payload["order"]["total_inc_tax"] == "twelve dollars"
        assert entry.payload["order"]["id"] == order_id
        invoices = {i["invoice_number"] for i in r.state()["freshbooks"]["invoices"]}
        assert f"BC-{order_id}" not in invoices
        assert summary.counts["invoices_created"] >= 20               # the rest of the page went on
        # the store sends the order right again: the retry reads it by id and invoices it once
        record["order"]["total_inc_tax"] = good_total
        retry_error_now(entry.id)
        r.tick()
        await r.sync(since=None)
        invoices = [i for i in r.state()["freshbooks"]["invoices"] if i["invoice_number"] == f"BC-{order_id}"]
        assert len(invoices) == 1
        assert not [e for e in list_errors(status=ACTIVE_STATUSES) if e.order_id == order_id]
        books = check_books(r.state())
        assert books["duplicates"] == {} and books["wrong_total"] == []
        assert set(books["missing"]) <= {e.order_id for e in list_errors(status=ACTIVE_STATUSES)}
