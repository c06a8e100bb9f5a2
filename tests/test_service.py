"""The service facade over the in-process sandbox: sync, inbox edit and retry, run history, status."""

from __future__ import annotations

from datetime import date

import pytest

from bigbooks_desktop import accounts
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.service import BigBooksService


@pytest.mark.asyncio
async def test_sync_inbox_edit_retry_and_runs() -> None:
    sandbox = Sandbox(SandboxConfig(orders=60, seed=3, time_scale=1000.0))
    service = BigBooksService(transport=sandbox.transport())
    try:
        status = await service.connect_sandbox("http://sandbox.test/_sandbox")
        assert status.bigcommerce.connected and status.freshbooks.connected
        progress: list[tuple[int, int]] = []
        summary = await service.sync_once(since=date(2000, 1, 1), progress=lambda p: progress.append((p.done,
                                                                                                   p.total)))
        assert summary.status == "finished" and summary.counts["invoices_created"] > 0
        assert progress[-1][0] == progress[-1][1] > 0
        inbox = await service.list_inbox()
        assert inbox and all(item.message for item in inbox)
        for item in inbox:
            detail = await service.get_inbox_item(item.id)
            assert detail.payload
            await service.edit_inbox_item(item.id, {"email": f"buyer-{item.order_id}@example.com"})
        retried = await service.retry_inbox("all")
        assert retried is not None and retried.counts["orders_synced"] == len(inbox)
        assert await service.list_inbox() == []
        runs = await service.list_runs()
        assert [r.mode for r in runs[:2]] == ["retry", "backfill"]
    finally:
        await service.aclose()
        accounts.forget_shared_auth()
