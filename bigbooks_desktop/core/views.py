"""What the service facade answers: frozen, typed views of runs, inbox rows, connections, sync progress and
summaries, and undo reports. The GUI and the CLI read these and nothing else. No Qt, no I/O.

Money is `Decimal`, times are timezone-aware `datetime`s, states are the enums of `core.view_states`
(re-exported here). The enums repeat the values of the store's and the engine's own enums (this layer sits
below them); tests/test_service.py pins them equal, so a value added on one side fails a test instead of a
conversion at run time.

JSON is written in one place, the command line's encoder (`commands/jsonout.py`): a dataclass becomes an
object of its fields in order, except a field marked `JSON_INLINE`, a mapping whose keys join its parent's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TypeAlias

from bigbooks_desktop.core.errors import ErrorKind
from bigbooks_desktop.core.preferences import InvoiceMode, LogLevel
from bigbooks_desktop.core.view_states import (
    ClientPlan,
    InboxStage,
    InboxStatus,
    ObjectKind,
    OrderResult,
    PlanAction,
    RunMode,
    RunStatus,
    ServiceName,
    SignInMethod,
    SyncStage,
    TaxRoundingRule,
    UndoAction,
)

__all__ = [
    "JSON_INLINE",
    "ApiCallsView",
    "BigCommerceAppView",
    "BusinessView",
    "ClientPlan",
    "ConnectionView",
    "ConnectionsView",
    "CountsView",
    "DiagnosticsView",
    "FailedOrderView",
    "FirstRunAmbiguityView",
    "FirstRunMatchView",
    "FirstRunView",
    "FreshBooksAppView",
    "InboxDetailView",
    "InboxStage",
    "InboxStatus",
    "InboxView",
    "JsonValue",
    "ObjectKind",
    "OrderResult",
    "PlanAction",
    "PlannedAmountsView",
    "PlannedOrderView",
    "PlannedTotalsView",
    "PreferencesView",
    "RunMode",
    "RunStatus",
    "RunView",
    "ServiceName",
    "SignInMethod",
    "SkippedOrderView",
    "SyncProgressView",
    "SyncStage",
    "SyncSummaryView",
    "TaxRoundingRule",
    "TaxRoundingView",
    "UndoAction",
    "UndoOutcomeView",
    "UndoView",
]

# Free-form JSON kept as data (an inbox row's order snapshot, the user's edits): typed, never `Any`.
JsonValue: TypeAlias = "str | int | float | bool | Decimal | list[JsonValue] | Mapping[str, JsonValue] | None"

JSON_INLINE: Mapping[str, object] = {"json": "inline"}   # field metadata: the mapping's keys join the parent's


def _aware(name: str, value: datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


# -- runs --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CountsView:
    """What a run did. `extra`: the engine's other tallies (orders_held, credits_applied, taxes_created...)."""

    orders_seen: int = 0
    orders_synced: int = 0
    orders_skipped: int = 0
    orders_failed: int = 0
    invoices_created: int = 0
    invoices_updated: int = 0
    clients_created: int = 0
    items_created: int = 0
    payments_created: int = 0
    credits_created: int = 0
    extra: Mapping[str, int] = field(default_factory=dict, metadata=JSON_INLINE)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunView:
    """One sync run. `orders_created`: the orders whose FreshBooks invoice this run created. A run that stopped
    before saving its counts (`counts_rebuilt`) shows at least what it recorded creating."""

    id: int
    mode: RunMode
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    counts: CountsView
    error: str | None
    orders_created: tuple[int, ...] = ()
    counts_rebuilt: bool = False

    def __post_init__(self) -> None:
        _aware("started_at", self.started_at)
        _aware("finished_at", self.finished_at)


# -- the inbox ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxView:
    """An order that needs attention: what failed, why, what to do, and when it is retried next."""

    id: int
    order_id: int | None
    stage: InboxStage
    kind: ErrorKind
    title: str
    message: str
    status: InboxStatus
    attempts: int
    next_retry_at: datetime | None
    edits: Mapping[str, JsonValue]
    created_at: datetime
    updated_at: datetime
    subject: str | None = None          # a row about an item or client, not an order: "item:SKU", "client:KEY"

    def __post_init__(self) -> None:
        for name in ("next_retry_at", "created_at", "updated_at"):
            _aware(name, getattr(self, name))


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxDetailView(InboxView):
    """One inbox row with the order snapshot it failed on."""

    payload: Mapping[str, JsonValue]


# -- connections -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionView:
    """One service's sign-in as the user sees it (never a token). Text fields are None when unknown."""

    service: ServiceName
    connected: bool
    account_name: str | None = None        # store name / FreshBooks business name
    account_id: str | None = None          # store hash / FreshBooks account id
    user_email: str | None = None
    plan: str | None = None                # BigCommerce plan name
    method: SignInMethod | None = None
    base_url: str | None = None
    token_expires_at: datetime | None = None
    last_refresh_at: datetime | None = None
    refresh_interrupted: bool = False
    problem: str | None = None

    def __post_init__(self) -> None:
        _aware("token_expires_at", self.token_expires_at)
        _aware("last_refresh_at", self.last_refresh_at)


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxRoundingView:
    """How the FreshBooks account rounds tax; `learned` False: still the assumed default."""

    rule: TaxRoundingRule
    learned: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionsView:
    """Who is signed in where, where tokens are kept, and the FreshBooks account's tax rounding."""

    bigcommerce: ConnectionView
    freshbooks: ConnectionView
    keychain: str
    keychain_available: bool
    insecure_file_store: bool
    data_dir: Path
    freshbooks_tax_rounding: TaxRoundingView | None = None   # None until FreshBooks is connected


# -- sync progress and summaries ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncProgressView:
    """One progress event: `done` of `total` orders; `result` is the order's outcome on SYNCING events."""

    done: int
    total: int
    stage: SyncStage
    result: OrderResult | None = None
    order_id: int | None = None
    message: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FailedOrderView:
    order_id: int
    stage: InboxStage | None
    message: str
    error_id: int | None      # its inbox row


@dataclass(frozen=True, slots=True, kw_only=True)
class SkippedOrderView:
    order_id: int
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedOrderView:
    order_id: int
    action: PlanAction
    invoice_number: str
    currency: str
    total: Decimal
    client: ClientPlan
    items_to_create: tuple[str, ...] = ()
    taxes_to_create: tuple[str, ...] = ()
    payments: int = 0
    payment_total: Decimal = Decimal(0)
    credits: int = 0
    credit_total: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedAmountsView:
    invoices: Decimal
    payments: Decimal
    credits: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedTotalsView:
    """What a dry run would create, in all: counts, and amounts per currency."""

    invoices_to_create: int = 0
    clients_to_create: int = 0
    items_to_create: tuple[str, ...] = ()
    taxes_to_create: tuple[str, ...] = ()
    payments_to_create: int = 0
    credits_to_create: int = 0
    amounts: Mapping[str, PlannedAmountsView] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiCallsView:
    """One service's API calls during a run."""

    total: int = 0
    requests: Mapping[str, int] = field(default_factory=dict)     # "GET /path/{id}" -> calls
    statuses: Mapping[str, int] = field(default_factory=dict)     # HTTP status -> responses
    retries: int = 0
    rate_limited: int = 0
    transport_failures: int = 0
    waited_seconds: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class FirstRunMatchView:
    order_id: int
    invoice_id: int
    invoice_number: str
    method: str               # "invoice_number", "po_number" or "client_date_total"
    payments_linked: int = 0
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FirstRunAmbiguityView:
    order_id: int
    candidates: tuple[int, ...]
    message: str
    error_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FirstRunView:
    """Invoices entered by hand in FreshBooks that the first sync linked to their orders."""

    matched: tuple[FirstRunMatchView, ...] = ()
    ambiguous: tuple[FirstRunAmbiguityView, ...] = ()
    orders_checked: int = 0
    invoices_checked: int = 0
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncSummaryView:
    """What one sync run did. `problem`: why it could not finish; `note`: what to know although it worked."""

    run_id: int | None
    mode: RunMode
    status: RunStatus
    dry_run: bool
    started_at: datetime
    finished_at: datetime
    counts: CountsView
    results: Mapping[OrderResult, int]
    failed: tuple[FailedOrderView, ...]
    inbox_active: int
    cursor: datetime | None
    problem: str | None = None
    problem_kind: str | None = None      # the core.errors.ErrorKind value behind `problem` (exit codes)
    note: str | None = None
    api_calls: Mapping[ServiceName, ApiCallsView] = field(default_factory=dict)
    planned: tuple[PlannedOrderView, ...] = ()
    planned_totals: PlannedTotalsView = field(default_factory=PlannedTotalsView)
    skipped: tuple[SkippedOrderView, ...] = ()
    first_run: FirstRunView | None = None
    inbox_records: int = 0               # how many of `inbox_active` are about items or clients, not orders

    def __post_init__(self) -> None:
        for name in ("started_at", "finished_at", "cursor"):
            _aware(name, getattr(self, name))


# -- undo --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class UndoOutcomeView:
    kind: ObjectKind
    object_id: int
    order_id: int | None
    action: UndoAction
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UndoView:
    """What undoing a sync run removed from FreshBooks and what it kept, and why."""

    run_id: int                       # the undo's own run
    target_run_id: int
    undone: int
    not_undone: int
    orders_undone: tuple[int, ...]    # orders whose invoice was removed (not synced again until released)
    outcomes: tuple[UndoOutcomeView, ...]


# -- signing in, preferences, diagnostics ------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessView:
    """A FreshBooks business the signed-in user belongs to (the sign-in asks which one to write to)."""

    account_id: str
    business_id: int
    name: str
    role: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FreshBooksAppView:
    """The FreshBooks app the browser sign-in uses, as far as it is known (environment, then the last sign-in).
    Never the secret itself: `has_client_secret` says whether one is known."""

    client_id: str | None
    has_client_secret: bool
    auth_url: str
    api_url: str
    redirect_uri: str          # what the app must have registered (https for FreshBooks itself)


@dataclass(frozen=True, slots=True, kw_only=True)
class BigCommerceAppView:
    """The registered BigCommerce app for the install (OAuth) sign-in, as far as the environment knows it."""

    client_id: str | None
    has_client_secret: bool
    login_url: str
    api_base: str
    callback_url: str          # the auth callback the app must have registered (https://localhost)


@dataclass(frozen=True, slots=True, kw_only=True)
class PreferencesView:
    """The user's preferences (core.preferences.Preferences, field for field; tests/test_service_sign_in.py pins
    them equal). The window builds one to save; the service validates it. `problem`: why the preferences file
    was not used when it was read (defaults are in effect); ignored on save."""

    poll_interval_seconds: int
    background_polling: bool
    close_to_tray: bool
    backfill_start: date | None
    concurrency: int
    max_automatic_retries: int
    invoice_mode: InvoiceMode
    plaintext_credentials_opt_in: bool
    log_level: LogLevel
    problem: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DiagnosticsView:
    """A diagnostics bundle written for a bug report: where, what it holds, and its size in bytes."""

    path: Path
    files: tuple[str, ...]
    size: int
