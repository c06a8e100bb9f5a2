"""The reconciliation report as the service answers it: frozen, typed views of what `sync.reconcile` found per
order (both sides' figures, findings with what to do) and its summary. No Qt, no I/O.

Field names are the report's own (`sync.reconcile_report`), so `bigbooks reconcile --json` keeps its shape.
A finding's `code` stays the reconcile module's text code: that module owns the list and grows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "FindingView",
    "ReconcileState",
    "ReconciledOrderView",
    "ReconciliationChecksView",
    "ReconciliationSummaryView",
    "ReconciliationView",
]


class ReconcileState(StrEnum):
    """One order's verdict (sync.reconcile_report.OrderState)."""

    OK = "ok"                    # everything agrees
    EXPLAINED = "explained"      # differences, each with a known reason
    UNEXPLAINED = "unexplained"  # at least one difference nobody accounted for
    SKIPPED = "skipped"          # not eligible and never invoiced


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingView:
    code: str                     # e.g. "total_differs", "tax_differs" (sync.reconcile_report.FindingCode)
    message: str
    difference: Decimal | None    # FreshBooks minus BigCommerce, when a number
    explained: bool
    action: str                   # what to do about it


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconciledOrderView:
    """One order's figures on both sides (None: not compared) and its findings."""

    order_id: int
    status_id: int
    eligible: bool
    state: ReconcileState
    currency: str
    invoice_id: int | None
    invoice_number: str | None
    bc_total: Decimal
    bc_gift_certificates: Decimal | None
    bc_expected_amount: Decimal | None       # what the invoice should amount to
    fb_amount: Decimal | None
    bc_tax: Mapping[str, Decimal] | None     # tax name -> amount
    fb_tax: Mapping[str, Decimal] | None
    tax_names_checked: int
    bc_captured: Decimal | None
    bc_refunded_cash: Decimal | None
    bc_cash: Decimal | None
    fb_cash: Decimal | None
    bc_redeemed: Decimal | None
    fb_redeemed: Decimal | None
    bc_refunded: Decimal
    fb_credited: Decimal | None
    bc_refund_tax: Decimal
    fb_credit_tax: Decimal | None
    fb_credit_applied: Decimal | None
    rounding: Decimal
    findings: tuple[FindingView, ...] = ()

    @property
    def unexplained(self) -> int:
        return sum(1 for f in self.findings if not f.explained)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconciliationChecksView:
    """How many comparisons were made, per kind."""

    invoices: int
    tax_names: int
    refunds: int
    cash: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconciliationSummaryView:
    orders: int
    eligible: int
    invoiced: int
    ok: int
    explained: int
    unexplained_orders: int
    skipped: int
    unexplained_differences: int          # what the user must look at
    rounding_lines: int
    findings: Mapping[str, int] = field(default_factory=dict)               # code -> findings
    unexplained_findings: Mapping[str, int] = field(default_factory=dict)   # code -> unexplained ones
    checked: ReconciliationChecksView = field(
        default_factory=lambda: ReconciliationChecksView(invoices=0, tax_names=0, refunds=0, cash=0))
    requests: Mapping[str, int] = field(default_factory=dict)               # API calls, per service


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconciliationView:
    generated_at: datetime
    summary: ReconciliationSummaryView
    orders: tuple[ReconciledOrderView, ...]

    def __post_init__(self) -> None:
        if self.generated_at.utcoffset() is None:
            raise ValueError("generated_at must be a timezone-aware datetime")

    def mismatches(self) -> list[ReconciledOrderView]:
        """Orders with any finding."""
        return [r for r in self.orders if r.state in (ReconcileState.EXPLAINED, ReconcileState.UNEXPLAINED)]
