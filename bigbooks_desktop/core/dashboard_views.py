"""What the dashboard and the runs screen show, as the service answers it: figures per period and per day, the
BigCommerce API budget per rate-limit window, the activity log, an undo's preview, and the reconciliation
report's rows with their filter. Frozen, typed (enums, aware datetimes, Decimal money). No Qt, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from enum import StrEnum

from bigbooks_desktop.core.reconciliation_views import (
    ReconciledOrderView,
    ReconcileState,
    ReconciliationSummaryView,
)
from bigbooks_desktop.core.views import ObjectKind, RunView, UndoOutcomeView

__all__ = [
    "ActivityLevel",
    "ActivityView",
    "ApiBudgetView",
    "ApiWindowView",
    "DashboardView",
    "DayPointView",
    "KeptInStepView",
    "Period",
    "PeriodFiguresView",
    "ReconciliationFilter",
    "ReconciliationReportView",
    "ReconciliationRowView",
    "UndoPreviewView",
]


def _aware(name: str, value: datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


class ActivityLevel(StrEnum):
    """store.runs.ActivityLevel."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Period(StrEnum):
    """The dashboard's periods, in the computer's local time: since midnight, since Monday, since the 1st."""

    TODAY = "today"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityView:
    """One line of the activity log (newest first in lists)."""

    id: int
    at: datetime
    level: ActivityLevel
    run_id: int | None
    order_id: int | None
    message: str

    def __post_init__(self) -> None:
        _aware("at", self.at)


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodFiguresView:
    """What the sync runs of one period did (dry runs and undos left out). `invoiced`: currency -> the amount
    of the invoices created in the period that are still live in FreshBooks. `success_rate`: orders synced
    out of orders synced or failed, 0..1 (None when no order was attempted)."""

    period: Period
    starts_at: datetime
    runs: int
    orders_synced: int
    orders_failed: int
    invoices_created: int
    invoiced: Mapping[str, Decimal] = field(default_factory=dict)
    success_rate: Decimal | None = None

    def __post_init__(self) -> None:
        _aware("starts_at", self.starts_at)


@dataclass(frozen=True, slots=True, kw_only=True)
class DayPointView:
    """One local day of the chart: sync runs, runs that failed, orders synced and orders that failed."""

    day: date
    runs: int
    failed_runs: int
    orders_synced: int
    orders_failed: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiWindowView:
    """One BigCommerce rate-limit window of a run: `used` of `quota` requests counted by BigCommerce (other apps
    on the store included), `ours` of them answered to BigBooks; it ended at `ends_at`."""

    run_id: int
    ends_at: datetime
    window_seconds: float
    quota: int
    used: int
    ours: int

    def __post_init__(self) -> None:
        _aware("ends_at", self.ends_at)

    @property
    def share(self) -> Decimal:
        """used / quota, 0..1."""
        return Decimal(self.used) / Decimal(self.quota) if self.quota else Decimal(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiBudgetView:
    """The API budget of the newest run that talked to BigCommerce: its windows, oldest first, the latest and
    the busiest. Empty when no run has recorded one yet."""

    run_id: int | None = None
    windows: tuple[ApiWindowView, ...] = ()

    @property
    def latest(self) -> ApiWindowView | None:
        return self.windows[-1] if self.windows else None

    @property
    def busiest(self) -> ApiWindowView | None:
        return max(self.windows, key=lambda w: (w.share, w.ends_at)) if self.windows else None

    @property
    def requests(self) -> int:
        """The run's requests that got an answer with the budget in it."""
        return sum(w.ours for w in self.windows)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeptInStepView:
    """The FreshBooks items and clients catalog and customer sync keep in step (store.entity_state), by state,
    and whether the profile in use has each sync on."""

    catalog_on: bool = False
    customers_on: bool = False
    items_in_step: int = 0
    items_archived: int = 0           # the product was hidden or deleted: archived in FreshBooks, never deleted
    clients_in_step: int = 0
    clients_flagged: int = 0          # the customer was deleted in BigCommerce: its client kept, flagged

    @property
    def shown(self) -> bool:
        """Worth a line on the dashboard: a sync is on, or there is something it kept in step."""
        return self.catalog_on or self.customers_on or bool(
            self.items_in_step or self.items_archived or self.clients_in_step or self.clients_flagged)

    @property
    def sentence(self) -> str:
        """`Catalog: 312 items in step, 4 archived · Customers: 88 clients in step`."""
        parts = []
        if self.catalog_on or self.items_in_step or self.items_archived:
            text = f"Catalog: {_things(self.items_in_step, 'item')} in step"
            text += f", {self.items_archived} archived" if self.items_archived else ""
            parts.append(text + ("" if self.catalog_on else " (catalog sync is off)"))
        if self.customers_on or self.clients_in_step or self.clients_flagged:
            text = f"Customers: {_things(self.clients_in_step, 'client')} in step"
            text += f", {self.clients_flagged} deleted in BigCommerce (kept, flagged)" if self.clients_flagged \
                else ""
            parts.append(text + ("" if self.customers_on else " (customer sync is off)"))
        return " · ".join(parts)


def _things(count: int, what: str) -> str:
    return f"{count} {what}{'' if count == 1 else 's'}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DashboardView:
    """Everything the dashboard shows, read at `generated_at` in the zone named `zone_name`."""

    generated_at: datetime
    zone_name: str
    periods: tuple[PeriodFiguresView, ...]          # today, this week, this month
    days: tuple[DayPointView, ...]                  # oldest first, every day (zeros included)
    api_budget: ApiBudgetView
    activity: tuple[ActivityView, ...]              # newest first
    last_run: RunView | None                        # the newest sync run (not a dry run or an undo)
    last_run_text: str
    inbox_active: int
    next_sync_at: datetime | None = None            # auto-sync's next run (None: off, or running now)
    auto_sync_seconds: float | None = None
    kept_in_step: KeptInStepView = field(default_factory=KeptInStepView)

    def __post_init__(self) -> None:
        _aware("generated_at", self.generated_at)
        _aware("next_sync_at", self.next_sync_at)

    def period(self, which: Period) -> PeriodFiguresView:
        return next(p for p in self.periods if p.period is which)


# -- runs: undo preview ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class UndoPreviewView:
    """What undoing run `target_run_id` would do, found by the same reads as the undo, without deleting:
    `will_remove` (action DELETED) and `cannot_remove` (KEPT or FAILED, each with its reason)."""

    target_run_id: int
    will_remove: tuple[UndoOutcomeView, ...]
    cannot_remove: tuple[UndoOutcomeView, ...]

    @property
    def orders(self) -> tuple[int, ...]:
        """Orders whose invoice would be removed (not synced again until released)."""
        return tuple(sorted({o.order_id for o in self.will_remove if o.order_id is not None
                             and o.kind is ObjectKind.INVOICE}))

    @property
    def nothing_to_do(self) -> bool:
        return not self.will_remove and not self.cannot_remove


# -- runs: reconciliation ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconciliationRowView:
    """One order of the reconciliation report, with the order's date and customer from the local copy (None
    and "" for an order the sync never copied)."""

    order: ReconciledOrderView
    order_date: datetime | None
    customer: str = ""

    def __post_init__(self) -> None:
        _aware("order_date", self.order_date)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.order.findings)

    @property
    def difference(self) -> Decimal | None:
        """The invoice's amount minus what it should amount to (None when not compared)."""
        expected = self.order.bc_expected_amount
        return None if expected is None or self.order.fb_amount is None else self.order.fb_amount - expected


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconciliationFilter:
    """Rows to show: with a finding of `code`, in `state`, in `currency`, ordered from `date_from` to
    `date_to` (local days, both included). None: any."""

    code: str | None = None
    state: ReconcileState | None = None
    currency: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def matches(self, row: ReconciliationRowView, zone: tzinfo | None = None) -> bool:
        if self.code is not None and self.code not in row.codes:
            return False
        if self.state is not None and row.order.state is not self.state:
            return False
        if self.currency is not None and row.order.currency != self.currency:
            return False
        if self.date_from is not None or self.date_to is not None:
            if row.order_date is None:
                return False
            day = row.order_date.astimezone(zone).date()
            if (self.date_from is not None and day < self.date_from) or \
                    (self.date_to is not None and day > self.date_to):
                return False
        return True


@dataclass(frozen=True, slots=True, kw_only=True)
class ReconciliationReportView:
    generated_at: datetime
    summary: ReconciliationSummaryView
    rows: tuple[ReconciliationRowView, ...]

    def __post_init__(self) -> None:
        _aware("generated_at", self.generated_at)

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(sorted({r.order.currency for r in self.rows}))

    @property
    def codes(self) -> tuple[str, ...]:
        """Every finding code in the report."""
        return tuple(sorted({c for r in self.rows for c in r.codes}))

    def filtered(self, wanted: ReconciliationFilter, zone: tzinfo | None = None) -> tuple[ReconciliationRowView, ...]:
        return tuple(r for r in self.rows if wanted.matches(r, zone))
