"""The issue's first promise, checked on every CI run: a 2,000-order store syncs to exactly one invoice per
eligible order, each total equal to its order's to the cent, payments and refunds matching, and the
reconciliation finds zero unexplained differences. (Speed is measured in benchmarks/, not here.)"""

from __future__ import annotations

from collections import Counter

import pytest
from sync_harness import check_books, rig

from bigbooks_desktop.store.error_queue import ACTIVE_STATUSES, list_errors

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]


async def test_two_thousand_orders_sync_exactly_once_to_the_cent() -> None:
    async with rig(orders=2000, seed=11, time_scale=10_000) as r:
        summary = await r.sync()
        assert summary.status == "finished", summary.problem
        findings = check_books(r.state())
        assert findings["duplicates"] == {} and findings["unexpected"] == []
        assert findings["wrong_total"] == []
        inbox = {e.order_id: e for e in list_errors(status=ACTIVE_STATUSES, limit=5000)}
        assert set(findings["missing"]) == set(inbox), "every eligible order without an invoice is in the inbox"
        assert all(e.message.strip() for e in inbox.values())
        assert findings["invoices"] == len(findings["eligible"]) - len(findings["missing"]) > 1000

        markers = Counter(note.split("]")[0] for p in findings["payments"]
                          for note in str(p.get("note", "")).split("[BigBooks ")[1:])
        assert markers and max(markers.values()) == 1, "one FreshBooks payment per captured transaction"

        report = await r.reconcile()
        assert report.unexplained_differences == 0, [o.to_json() for o in report.mismatches()][:5]

        again = await r.sync()                          # nothing new: nothing written
        assert again.counts.get("invoices_created", 0) == 0 and again.counts.get("payments_created", 0) == 0
