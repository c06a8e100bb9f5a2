"""The service's views of stored mapping profiles: versions, what is in use, checks and previews (frozen, typed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "DEFAULT_PROFILE_NAME",
    "IssueSeverity",
    "MappingFieldView",
    "PreviewFieldErrorView",
    "PreviewLineTaxView",
    "PreviewLineView",
    "PreviewOrderView",
    "PreviewOutcome",
    "PreviewTotalView",
    "ProfileActivationView",
    "ProfileAuthor",
    "ProfileCheckView",
    "ProfileIssueView",
    "ProfilePreviewView",
    "ProfileSummaryView",
    "ProfileTemplateView",
    "ProfileVersionView",
]

# The built-in profile's name while the profile model carries none of its own.
DEFAULT_PROFILE_NAME = "Standard invoices"


class ProfileAuthor(StrEnum):
    """Where a stored version (or an activation) came from."""

    WINDOW = "window"       # the app's mapping editor
    CLI = "cli"             # `bigbooks mapping ...`
    IMPORT = "import"       # a profile file imported (from the window or the command line)


class IssueSeverity(StrEnum):
    ERROR = "error"         # the profile is refused
    WARNING = "warning"     # saved, but worth a look


@dataclass(frozen=True, slots=True)
class ProfileIssueView:
    """One problem in a profile: `place` says where ("rules[2] “Wholesale” when", "invoice_mode")."""

    severity: IssueSeverity
    place: str
    message: str


@dataclass(frozen=True, slots=True)
class ProfileCheckView:
    """A profile file or edit checked without saving it: `valid` when it has no errors (warnings allowed)."""

    name: str
    valid: bool
    errors: tuple[ProfileIssueView, ...]
    warnings: tuple[ProfileIssueView, ...]


@dataclass(frozen=True, slots=True)
class ProfileVersionView:
    """One stored version. `created` is False when a save found the same profile already stored as this version
    (nothing new was written); `warnings` are the checks' warnings for the profile just saved."""

    name: str
    version: int
    created_at: datetime
    note: str
    created_by: ProfileAuthor
    active: bool
    created: bool = True
    warnings: tuple[ProfileIssueView, ...] = ()


@dataclass(frozen=True, slots=True)
class ProfileSummaryView:
    """A named profile: its newest version, how many versions it has, and which of them is in use (if any)."""

    name: str
    latest_version: int
    versions: int
    active_version: int | None      # the version in use when this profile is the active one, else None
    updated_at: datetime            # when the newest version was saved


@dataclass(frozen=True, slots=True)
class ProfileActivationView:
    """A version put in use, when and by what."""

    name: str
    version: int
    at: datetime
    created_by: ProfileAuthor
    note: str


class PreviewOutcome(StrEnum):
    INVOICE = "invoice"     # an invoice would be written
    SKIPPED = "skipped"     # the order is not invoiced (its status, the profile's rules)
    ERROR = "error"         # the order would wait in the inbox: see the field errors


@dataclass(frozen=True, slots=True)
class PreviewLineTaxView:
    name: str
    rate: Decimal           # percent


@dataclass(frozen=True, slots=True)
class PreviewLineView:
    name: str
    description: str
    quantity: Decimal
    unit_cost: Decimal
    amount: Decimal         # quantity x unit cost, rounded as FreshBooks rounds it, before tax
    taxes: tuple[PreviewLineTaxView, ...]


@dataclass(frozen=True, slots=True)
class PreviewFieldErrorView:
    field: str              # "email", "tax", "total", "profile"...
    message: str


@dataclass(frozen=True, slots=True)
class PreviewOrderView:
    """What one order's invoice would look like under the candidate profile."""

    order_id: int
    order_date: datetime
    status: str
    currency: str
    order_total: Decimal
    outcome: PreviewOutcome
    invoice_number: str | None
    client: str             # organization, else first and last name
    client_email: str | None
    lines: tuple[PreviewLineView, ...]
    tax: Decimal | None
    total: Decimal | None   # the invoice amount FreshBooks would show
    notes: str
    errors: tuple[PreviewFieldErrorView, ...]
    reason: str = ""        # why an order is skipped
    po_number: str | None = None    # the invoice's PO number (None when no invoice would be made)


@dataclass(frozen=True, slots=True)
class PreviewTotalView:
    currency: str
    invoices: int
    tax: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class ProfilePreviewView:
    """The last orders as the candidate profile would invoice them; nothing is written anywhere."""

    name: str
    orders: tuple[PreviewOrderView, ...]
    totals: tuple[PreviewTotalView, ...]    # per currency, of the orders that would be invoiced
    issues: tuple[ProfileIssueView, ...]    # the profile's own check
    generated_at: datetime


@dataclass(frozen=True, slots=True)
class ProfileTemplateView:
    """A starting point for a new profile (standard, paid only, drafts for review, B2B...)."""

    key: str              # what `bigbooks mapping new KEY FILE` takes
    label: str
    description: str


@dataclass(frozen=True, slots=True)
class MappingFieldView:
    """A field a mapping or rule can read (`side` "source": a BigCommerce order's) or write ("target": a
    FreshBooks invoice's, line's or client's)."""

    side: str
    path: str
    type: str             # text, number, integer, bool, datetime, date, list
    label: str
    description: str
    sample: str           # an example value (sources)
    required: bool        # targets
    max_length: int | None
