"""The runs screen through the facade: undo's preview, the dry-run preview of the next sync, and the
reconciliation report as rows with the order's date, filtered and exported as CSV. `BigBooksService` takes these
from the `RunsPage` mixin (the history itself is `list_runs`, the undo `undo_run`). Qt-free.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from bigbooks_desktop import accounts
from bigbooks_desktop.core import dashboard_views as d
from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.errors import ValidationError
from bigbooks_desktop.service import convert
from bigbooks_desktop.store.dashboard_figures import order_facts
from bigbooks_desktop.store.db import current_database
from bigbooks_desktop.sync.reconcile import ReconciliationReport, reconcile
from bigbooks_desktop.sync.undo import preview_undo

if TYPE_CHECKING:
    import httpx

    from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
    from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
    from bigbooks_desktop.mapping.profile import MappingProfile
    from bigbooks_desktop.service.facade import ProgressListener

__all__ = ["RunsPage"]

_REPORT_KEY = "_runs_page_reconciliation"     # the last report, kept on the service for the export
_REMOVED = frozenset({v.UndoAction.DELETED, v.UndoAction.ALREADY_GONE})


class RunsPage:
    """Mixin of `BigBooksService`: see the module docstring."""

    if TYPE_CHECKING:  # provided by BigBooksService
        _transport: httpx.AsyncBaseTransport | None
        _allow_file_store: bool
        profile: MappingProfile

        def _clients(self) -> AbstractAsyncContextManager[tuple[BigCommerceClient, FreshBooksClient]]:
            raise NotImplementedError

        async def sync_once(self, *, since: date | datetime | None = None, dry_run: bool = False,
                            progress: ProgressListener | None = None, retries_only: bool = False,
                            mode: v.RunMode | None = None) -> v.SyncSummaryView:
            raise NotImplementedError

    # -- undo ----------------------------------------------------------------------------------------------

    async def preview_undo(self, run_id: int) -> d.UndoPreviewView:
        """What `undo_run(run_id)` would remove from FreshBooks and what it could not, and why, found with the
        same reads and deleting nothing. ValidationError as `undo_run` (unknown, running, undo or dry run)."""
        freshbooks = await accounts.open_freshbooks_client(transport=self._transport,
                                                           allow_file_store=self._allow_file_store)
        async with freshbooks:
            report = await preview_undo(run_id, freshbooks=freshbooks)
        outcomes = convert.undo_view(report).outcomes
        return d.UndoPreviewView(
            target_run_id=run_id,
            will_remove=tuple(o for o in outcomes if o.action in _REMOVED),
            cannot_remove=tuple(o for o in outcomes if o.action not in _REMOVED))

    # -- dry run -------------------------------------------------------------------------------------------

    async def preview_sync(self, *, progress: Callable[[v.SyncProgressView], None] | None = None
                           ) -> v.SyncSummaryView:
        """What the next sync would write, without writing anything (the engine's dry run from the cursor, or
        from the backfill start before the first sync): `planned_totals` has the counts and the amounts per
        currency, `planned` each order, `skipped` the orders left alone and why. Recorded as a dry-run run."""
        return await self.sync_once(dry_run=True, progress=progress)

    # -- reconciliation ------------------------------------------------------------------------------------

    async def reconciliation_report(self) -> d.ReconciliationReportView:
        """Every order against its FreshBooks invoice, payments and credits (reads only), each row with the
        order's date and customer from the local copy. Kept for `export_reconciliation_csv`."""
        async with self._clients() as (bigcommerce, freshbooks):
            report = await reconcile(bigcommerce=bigcommerce, freshbooks=freshbooks, profile=self.profile)
        self.__dict__[_REPORT_KEY] = report
        return await asyncio.to_thread(_report_view, report)

    async def export_reconciliation_csv(self, path: Path, *, wanted: d.ReconciliationFilter | None = None,
                                        zone: tzinfo | None = None) -> int:
        """Write the last report's rows that `wanted` lets through (local days in `zone`, None: this computer's)
        to `path` in the reconcile module's CSV format (as `bigbooks reconcile --csv`); returns the rows written.
        ValidationError before any report was made, or when the file cannot be written."""
        report = self.__dict__.get(_REPORT_KEY)
        if not isinstance(report, ReconciliationReport):
            raise ValidationError("Run the reconciliation first; the export writes its report.",
                                  title="No report to export")

        def write() -> int:
            keep = {r.order.order_id for r in _report_view(report).filtered(wanted or d.ReconciliationFilter(),
                                                                            zone)}
            chosen = ReconciliationReport(orders=tuple(o for o in report.orders if o.order_id in keep),
                                          generated_at=report.generated_at, requests=dict(report.requests))
            return chosen.write_csv(path)

        try:
            return await asyncio.to_thread(write)
        except OSError as exc:
            raise ValidationError(f"Could not write {path}: {exc.strerror or exc}. Choose another folder.",
                                  field="path", title="CSV not written") from exc


def _report_view(report: ReconciliationReport) -> d.ReconciliationReportView:
    """The report's rows with each order's date and customer (on a worker thread: closes its connection)."""
    try:
        facts = order_facts([row.order_id for row in report.orders])
    finally:
        current_database().close()
    view = convert.reconciliation_view(report)
    rows = []
    for row in view.orders:
        known = facts.get(row.order_id)
        rows.append(d.ReconciliationRowView(order=row, order_date=known.date_created if known else None,
                                            customer=known.customer if known else ""))
    return d.ReconciliationReportView(generated_at=view.generated_at, summary=view.summary, rows=tuple(rows))
