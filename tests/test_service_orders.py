"""The facade's pages of orders beside their invoices, from the local copy the sync keeps."""

from __future__ import annotations

from datetime import date

import pytest

from bigbooks_desktop.core.order_views import OrderPageView, OrderRowState
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.service import BigBooksService


@pytest.mark.asyncio
async def test_orders_page_beside_their_invoices_without_calling_either_api() -> None:
    sandbox = Sandbox(SandboxConfig(orders=60, seed=3, time_scale=1000.0))
    service = BigBooksService(transport=sandbox.transport())
    try:
        await service.connect_sandbox("http://sandbox.test/_sandbox")
        await service.sync_once(since=date(2000, 1, 1))
        requests_before = dict(sandbox.state()["requests"])
        first = await service.list_orders(limit=25)
        assert isinstance(first, OrderPageView) and first.total == 60 and len(first.rows) == 25
        second = await service.list_orders(offset=25, limit=25)
        assert not {r.order_id for r in first.rows} & {r.order_id for r in second.rows}
        synced = await service.list_orders(state=OrderRowState.SYNCED, limit=100)
        assert synced.rows and all(r.invoice_number for r in synced.rows)
        # an invoice equals its order's total, less a gift certificate sold (not revenue)
        assert all(r.difference is not None and r.difference <= 0 for r in synced.rows)
        assert sum(1 for r in synced.rows if r.difference == 0) >= len(synced.rows) - 3
        waiting = await service.list_orders(state=OrderRowState.NEEDS_ATTENTION, limit=100)
        assert all(r.note for r in waiting.rows)
        assert dict(sandbox.state()["requests"]) == requests_before        # tables never wait on an API
    finally:
        await service.aclose()
