"""The states the app's layers share (runs, inbox rows, sign-ins, sync stages and results, dry-run plans, undo
outcomes): the store keeps runs, inbox rows and written objects in these very enums (`store.runs.RunMode`,
`store.error_queue.ErrorStage` / `ErrorStatus`, `store.intents.IntentKind` are these), and the service's views
carry them to the window; the engine's own result enums repeat their values, pinned equal by
tests/test_service.py. `core.views` re-exports every one. No Qt, no I/O."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ClientPlan",
    "InboxStage",
    "InboxStatus",
    "ObjectKind",
    "OrderResult",
    "PlanAction",
    "RunMode",
    "RunStatus",
    "ServiceName",
    "SignInMethod",
    "SyncStage",
    "TaxRoundingRule",
    "UndoAction",
]


class RunMode(StrEnum):
    """How a sync run was started (store.runs.RunMode)."""

    ONCE = "once"
    WATCH = "watch"
    DRY_RUN = "dry-run"
    BACKFILL = "backfill"
    RETRY = "retry"
    UNDO = "undo"


class RunStatus(StrEnum):
    """store.runs.RunStatus. INTERRUPTED: the process stopped mid-run (window closed, killed, power cut)."""

    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class InboxStage(StrEnum):
    """Where an order's sync failed (store.error_queue.ErrorStage)."""

    INGEST = "ingest"
    VALIDATE = "validate"
    TRANSFORM = "transform"
    CLIENT = "client"
    ITEM = "item"
    TAX = "tax"
    INVOICE = "invoice"
    PAYMENT = "payment"
    REFUND = "refund"
    UPDATE = "update"
    VOID = "void"
    UNDO = "undo"


class InboxStatus(StrEnum):
    """store.error_queue.ErrorStatus: open, retrying and waiting are active; resolved and ignored are history."""

    OPEN = "open"
    RETRYING = "retrying"
    WAITING = "waiting"
    RESOLVED = "resolved"
    IGNORED = "ignored"


class ServiceName(StrEnum):
    BIGCOMMERCE = "bigcommerce"
    FRESHBOOKS = "freshbooks"


class SignInMethod(StrEnum):
    """How a service was signed in to (accounts.connections)."""

    API_ACCOUNT = "api_account"
    APP_INSTALL = "app_install"
    OAUTH = "oauth"
    SANDBOX = "sandbox"


class TaxRoundingRule(StrEnum):
    """How a FreshBooks account rounds line taxes (mapping.freshbooks_math.TaxRounding)."""

    LINE_HALF_UP = "line-half-up"
    LINE_HALF_EVEN = "line-half-even"
    INVOICE_HALF_UP = "invoice-half-up"
    INVOICE_HALF_EVEN = "invoice-half-even"


class SyncStage(StrEnum):
    """What a running sync is doing. SYNCING progress events carry the order's `OrderResult`."""

    WAITING = "waiting"          # another process holds the profile's sync lock
    STARTING = "starting"
    LISTING = "listing"
    MATCHING = "matching"        # linking invoices entered by hand before the first sync
    CATALOG = "catalog"          # catalog sync: FreshBooks items following the products
    CUSTOMERS = "customers"      # customer sync: FreshBooks clients following the customer accounts
    RETRYING = "retrying"
    SYNCING = "syncing"
    FINISHING = "finishing"
    OTHER = "other"              # a stage this version does not know (the message says what)


class OrderResult(StrEnum):
    """How one order ended in a run (sync.order_pipeline.OrderOutcome.result)."""

    SYNCED = "synced"
    UNCHANGED = "unchanged"
    INELIGIBLE = "ineligible"
    DRIFT = "drift"
    FLAGGED = "flagged"
    VOIDED = "voided"
    FAILED = "failed"
    PAUSED = "paused"
    SKIPPED = "skipped"          # left alone on purpose (undone, an ambiguous first-run match)
    PLANNED = "planned"          # dry run
    OTHER = "other"              # a result this version does not know


class PlanAction(StrEnum):
    """What a dry run found a sync would do for an order."""

    CREATE = "create"
    UPDATE = "update"
    PAYMENTS = "payments"
    DRIFT_CHECK = "drift-check"


class ClientPlan(StrEnum):
    CREATE = "create"
    EXISTING = "existing"


class ObjectKind(StrEnum):
    """A FreshBooks object a run wrote (store.intents.IntentKind)."""

    CLIENT = "client"
    ITEM = "item"
    TAX = "tax"
    INVOICE = "invoice"
    PAYMENT = "payment"
    CREDIT = "credit"
    UPDATE = "update"
    VOID = "void"


class UndoAction(StrEnum):
    """What undo did with one object (sync.undo.UndoAction)."""

    DELETED = "deleted"
    ALREADY_GONE = "already_gone"
    KEPT = "kept"
    FAILED = "failed"
