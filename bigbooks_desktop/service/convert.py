"""The engine's, the store's and the accounts' records turned into the core views the facade returns.

The engine hands some parts of a run's summary over as plain dicts (`RunSummary.failed`, `planned`,
`api_calls`, `first_run`, typed `dict[str, Any]` there), and the reconciliation summary is a dict too: they
are read here, once, by name, into typed views. Nothing past this module sees a dict or `Any`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from bigbooks_desktop.accounts import AccountsStatus, ConnectionStatus
from bigbooks_desktop.core import reconciliation_views as rv
from bigbooks_desktop.core import views as v
from bigbooks_desktop.mapping.freshbooks_math import TaxRounding
from bigbooks_desktop.store.error_queue import ErrorEntry
from bigbooks_desktop.sync.context import SyncProgress
from bigbooks_desktop.sync.engine import RunSummary
from bigbooks_desktop.sync.reconcile import OrderReconciliation, ReconciliationReport
from bigbooks_desktop.sync.undo import UndoReport

__all__ = [
    "connections_view",
    "counts_view",
    "inbox_detail_view",
    "inbox_view",
    "progress_view",
    "reconciliation_view",
    "summary_view",
    "tax_rounding_view",
    "undo_view",
]

log = logging.getLogger(__name__)
E = TypeVar("E", bound=StrEnum)

_STAGES = frozenset(s.value for s in v.SyncStage)
_RESULTS = frozenset(r.value for r in v.OrderResult)
_INBOX_STAGES = frozenset(s.value for s in v.InboxStage)
_COUNT_FIELDS = ("orders_seen", "orders_synced", "orders_skipped", "orders_failed", "invoices_created",
                 "invoices_updated", "clients_created", "items_created", "payments_created", "credits_created")


def _lenient(enum: type[E], value: str, fallback: E) -> E:
    """A value this version does not know becomes `fallback` (logged): a progress event or a finished run's
    summary must not fail because the engine learned a new word."""
    try:
        return enum(value)
    except ValueError:
        log.warning("unknown %s %r", enum.__name__, value)
        return fallback


def _when(text: str | None) -> datetime | None:
    """ISO text to an aware datetime (naive text is UTC, the store's zone); empty or None -> None."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC)


def _required_when(text: str) -> datetime:
    moment = _when(text)
    if moment is None:
        raise ValueError("a required time is missing")
    return moment


def _text(value: str) -> str | None:
    return value or None


def _money(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


# -- runs and counts ---------------------------------------------------------------------------------------


def counts_view(counts: Mapping[str, int]) -> v.CountsView:
    """The run counters by name; the engine's other tallies go to `extra`."""
    def n(name: str) -> int:
        return int(counts.get(name, 0))

    return v.CountsView(orders_seen=n("orders_seen"), orders_synced=n("orders_synced"),
                        orders_skipped=n("orders_skipped"), orders_failed=n("orders_failed"),
                        invoices_created=n("invoices_created"), invoices_updated=n("invoices_updated"),
                        clients_created=n("clients_created"), items_created=n("items_created"),
                        payments_created=n("payments_created"), credits_created=n("credits_created"),
                        extra={name: int(k) for name, k in counts.items() if name not in _COUNT_FIELDS})


# -- the inbox ---------------------------------------------------------------------------------------------


def inbox_view(entry: ErrorEntry) -> v.InboxView:
    return v.InboxView(id=entry.id, order_id=entry.order_id, stage=v.InboxStage(entry.stage.value),
                       kind=entry.kind, title=entry.title, message=entry.message,
                       status=v.InboxStatus(entry.status.value), attempts=entry.attempts,
                       next_retry_at=entry.next_retry_at, edits=dict(entry.edits), created_at=entry.created_at,
                       updated_at=entry.updated_at, subject=entry.subject)


def inbox_detail_view(entry: ErrorEntry) -> v.InboxDetailView:
    """The row with its order snapshot (the same fields as `inbox_view`, spelled out so mypy checks them)."""
    return v.InboxDetailView(id=entry.id, order_id=entry.order_id, stage=v.InboxStage(entry.stage.value),
                             kind=entry.kind, title=entry.title, message=entry.message,
                             status=v.InboxStatus(entry.status.value), attempts=entry.attempts,
                             next_retry_at=entry.next_retry_at, edits=dict(entry.edits),
                             created_at=entry.created_at, updated_at=entry.updated_at,
                             subject=entry.subject, payload=dict(entry.payload))


# -- connections -------------------------------------------------------------------------------------------


def _connection_view(status: ConnectionStatus) -> v.ConnectionView:
    return v.ConnectionView(
        service=v.ServiceName(status.service), connected=status.connected,
        account_name=_text(status.account_name), account_id=_text(status.account_id),
        user_email=_text(status.user_email), plan=_text(status.plan),
        method=v.SignInMethod(status.method) if status.method else None, base_url=_text(status.base_url),
        token_expires_at=_when(status.token_expires_at), last_refresh_at=_when(status.last_refresh_at),
        refresh_interrupted=status.refresh_interrupted, problem=_text(status.problem))


def tax_rounding_view(rule: TaxRounding, learned: bool) -> v.TaxRoundingView:
    return v.TaxRoundingView(rule=v.TaxRoundingRule(rule), learned=learned)


def connections_view(status: AccountsStatus, rounding: v.TaxRoundingView | None) -> v.ConnectionsView:
    return v.ConnectionsView(bigcommerce=_connection_view(status.bigcommerce),
                             freshbooks=_connection_view(status.freshbooks), keychain=status.keychain,
                             keychain_available=status.keychain_available,
                             insecure_file_store=status.insecure_file_store, data_dir=Path(status.data_dir),
                             freshbooks_tax_rounding=rounding)


# -- sync progress and summaries ---------------------------------------------------------------------------


def progress_view(progress: SyncProgress) -> v.SyncProgressView:
    """The engine's stage text is either a phase ("listing") or, while syncing, the order's result."""
    stage_text = progress.stage
    if stage_text in _STAGES:
        stage, result = v.SyncStage(stage_text), None
    elif stage_text in _RESULTS:
        stage, result = v.SyncStage.SYNCING, v.OrderResult(stage_text)
    else:
        stage, result = _lenient(v.SyncStage, stage_text, v.SyncStage.OTHER), None
    return v.SyncProgressView(done=progress.done, total=progress.total, stage=stage, result=result,
                              order_id=progress.order_id, message=progress.message)


def _planned(plan: Mapping[str, Any]) -> v.PlannedOrderView:
    return v.PlannedOrderView(
        order_id=int(plan["order_id"]), action=v.PlanAction(plan["action"]),
        invoice_number=str(plan["invoice_number"]), currency=str(plan["currency"]), total=_money(plan["total"]),
        client=v.ClientPlan(plan["client"]), items_to_create=tuple(plan.get("items_to_create", ())),
        taxes_to_create=tuple(plan.get("taxes_to_create", ())), payments=int(plan.get("payments", 0)),
        payment_total=_money(plan.get("payment_total", 0)), credits=int(plan.get("credits", 0)),
        credit_total=_money(plan.get("credit_total", 0)))


def _planned_totals(totals: Mapping[str, Any]) -> v.PlannedTotalsView:
    if not totals:
        return v.PlannedTotalsView()
    amounts = {currency: v.PlannedAmountsView(invoices=_money(bucket["invoices"]),
                                              payments=_money(bucket["payments"]),
                                              credits=_money(bucket["credits"]))
               for currency, bucket in totals.get("amounts", {}).items()}
    return v.PlannedTotalsView(
        invoices_to_create=int(totals["invoices_to_create"]), clients_to_create=int(totals["clients_to_create"]),
        items_to_create=tuple(totals["items_to_create"]), taxes_to_create=tuple(totals["taxes_to_create"]),
        payments_to_create=int(totals["payments_to_create"]), credits_to_create=int(totals["credits_to_create"]),
        amounts=amounts)


def _api_calls(stats: Mapping[str, Any]) -> v.ApiCallsView:
    return v.ApiCallsView(total=int(stats.get("total", 0)), requests=dict(stats.get("requests", {})),
                          statuses=dict(stats.get("statuses", {})), retries=int(stats.get("retries", 0)),
                          rate_limited=int(stats.get("rate_limited", 0)),
                          transport_failures=int(stats.get("transport_failures", 0)),
                          waited_seconds=float(stats.get("waited_seconds", 0.0)))


def _first_run(report: Mapping[str, Any] | None) -> v.FirstRunView | None:
    if report is None:
        return None
    return v.FirstRunView(
        matched=tuple(v.FirstRunMatchView(order_id=int(m["order_id"]), invoice_id=int(m["invoice_id"]),
                                          invoice_number=str(m["invoice_number"]), method=str(m["method"]),
                                          payments_linked=int(m.get("payments_linked", 0)),
                                          note=str(m.get("note", ""))) for m in report.get("matched", ())),
        ambiguous=tuple(v.FirstRunAmbiguityView(order_id=int(a["order_id"]),
                                                candidates=tuple(int(c) for c in a.get("candidates", ())),
                                                message=str(a["message"]), error_id=a.get("error_id"))
                        for a in report.get("ambiguous", ())),
        orders_checked=int(report.get("orders_checked", 0)), invoices_checked=int(report.get("invoices_checked", 0)),
        problems=tuple(str(p) for p in report.get("problems", ())))


def _stage(text: str | None) -> v.InboxStage | None:
    """A failed order's stage; None when the engine gave none (or one this version does not know: logged)."""
    if not text:
        return None
    if text in _INBOX_STAGES:
        return v.InboxStage(text)
    log.warning("unknown inbox stage %r", text)
    return None


def summary_view(summary: RunSummary) -> v.SyncSummaryView:
    results: dict[v.OrderResult, int] = {}
    for text, n in summary.results.items():
        key = _lenient(v.OrderResult, text, v.OrderResult.OTHER)
        results[key] = results.get(key, 0) + n
    failed = tuple(v.FailedOrderView(order_id=int(f["order_id"]), stage=_stage(f.get("stage")),
                                     message=str(f.get("message") or ""), error_id=f.get("error_id"))
                   for f in summary.failed)
    return v.SyncSummaryView(
        run_id=summary.run_id, mode=v.RunMode(summary.mode), status=v.RunStatus(summary.status),
        dry_run=summary.dry_run, started_at=_required_when(summary.started_at),
        finished_at=_required_when(summary.finished_at), counts=counts_view(summary.counts), results=results,
        failed=failed, inbox_active=summary.inbox_active, inbox_records=summary.inbox_records,
        cursor=_when(summary.cursor), problem=summary.problem, problem_kind=summary.problem_kind, note=summary.note,
        api_calls={v.ServiceName(name): _api_calls(stats) for name, stats in summary.api_calls.items() if stats},
        planned=tuple(_planned(p) for p in summary.planned), planned_totals=_planned_totals(summary.planned_totals),
        skipped=tuple(v.SkippedOrderView(order_id=int(s["order_id"]), reason=str(s.get("reason") or ""))
                      for s in summary.skipped),
        first_run=_first_run(summary.first_run))


# -- undo and reconciliation -------------------------------------------------------------------------------


def undo_view(report: UndoReport) -> v.UndoView:
    return v.UndoView(
        run_id=report.run_id, target_run_id=report.target_run_id, undone=len(report.undone),
        not_undone=len(report.not_undone), orders_undone=tuple(report.orders_undone),
        outcomes=tuple(v.UndoOutcomeView(kind=v.ObjectKind(o.kind.value), object_id=o.object_id,
                                         order_id=o.order_id, action=v.UndoAction(o.action.value), reason=o.reason)
                       for o in report.outcomes))


def _reconciled(row: OrderReconciliation) -> rv.ReconciledOrderView:
    return rv.ReconciledOrderView(
        order_id=row.order_id, status_id=row.status_id, eligible=row.eligible,
        state=rv.ReconcileState(row.state.value), currency=row.currency, invoice_id=row.invoice_id,
        invoice_number=row.invoice_number, bc_total=row.bc_total, bc_gift_certificates=row.bc_gift_certificates,
        bc_expected_amount=row.bc_expected_amount, fb_amount=row.fb_amount,
        bc_tax=None if row.bc_tax is None else dict(row.bc_tax),
        fb_tax=None if row.fb_tax is None else dict(row.fb_tax), tax_names_checked=row.tax_names_checked,
        bc_captured=row.bc_captured, bc_refunded_cash=row.bc_refunded_cash, bc_cash=row.bc_cash,
        fb_cash=row.fb_cash, bc_redeemed=row.bc_redeemed, fb_redeemed=row.fb_redeemed,
        bc_refunded=row.bc_refunded, fb_credited=row.fb_credited, bc_refund_tax=row.bc_refund_tax,
        fb_credit_tax=row.fb_credit_tax, fb_credit_applied=row.fb_credit_applied, rounding=row.rounding,
        findings=tuple(rv.FindingView(code=f.code.value, message=f.message, difference=f.difference,
                                      explained=f.explained, action=f.action) for f in row.findings))


def _counter(data: Mapping[str, Any]) -> dict[str, int]:
    return {str(k): int(n) for k, n in data.items()}


def reconciliation_view(report: ReconciliationReport) -> rv.ReconciliationView:
    s = report.summary()
    checked = s.get("checked", {})
    summary = rv.ReconciliationSummaryView(
        orders=int(s["orders"]), eligible=int(s["eligible"]), invoiced=int(s["invoiced"]), ok=int(s["ok"]),
        explained=int(s["explained"]), unexplained_orders=int(s["unexplained_orders"]), skipped=int(s["skipped"]),
        unexplained_differences=int(s["unexplained_differences"]), rounding_lines=int(s["rounding_lines"]),
        findings=_counter(s.get("findings", {})), unexplained_findings=_counter(s.get("unexplained_findings", {})),
        checked=rv.ReconciliationChecksView(invoices=int(checked.get("invoices", 0)),
                                            tax_names=int(checked.get("tax_names", 0)),
                                            refunds=int(checked.get("refunds", 0)), cash=int(checked.get("cash", 0))),
        requests=_counter(s.get("requests", {})))
    return rv.ReconciliationView(generated_at=report.generated_at, summary=summary,
                                 orders=tuple(_reconciled(row) for row in report.orders))
