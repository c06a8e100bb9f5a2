"""The one error tree: every error a user can meet has a title, a message saying what to do, and a kind.

    BigBooksError                      (kind, title, message, service, retryable)
    ├── AuthError                      kind "auth": sign in again
    │   ├── NotSignedInError           no credentials stored for a service
    │   ├── AuthExpiredError           the access token expired and could not be refreshed
    │   └── AuthRevokedError           the grant / API account was revoked or the refresh token was refused
    ├── PermissionDeniedError          kind "permission": a scope is missing (HTTP 403)
    ├── NotFoundError                  kind "not-found" (HTTP 404)
    ├── ValidationError                kind "validation": the service refused the data (field, message)
    ├── DataError                      kind "validation": the order cannot sync as it is (no email, unknown SKU)
    ├── RateLimitedError               kind "rate-limit": HTTP 429, with `retry_after` seconds when known
    ├── TransientError                 kind "transient": network failure, timeout, 5xx; worth retrying
    ├── PermanentError                 kind "permanent": the service said no and retrying will not change it
    │   └── UnreadableDataError        a service sent data BigBooks cannot read (resource, id, field, payload)
    ├── ConfigurationError             kind "config": a setting or the keychain is unusable
    │   └── KeychainUnavailableError   no secure credential store on this machine
    └── BugError                       kind "bug": our fault; the message asks for a report

Third-party exceptions (httpx, peewee, keyring) are converted into this tree at the layer that meets them.
Messages are redacted of secrets when the error is created.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar

from bigbooks_desktop.core.redact import redact, redact_mapping

__all__ = [
    "AuthError",
    "AuthExpiredError",
    "AuthRevokedError",
    "BigBooksError",
    "BugError",
    "ConfigurationError",
    "DataError",
    "ErrorKind",
    "KeychainUnavailableError",
    "NotFoundError",
    "NotSignedInError",
    "PermanentError",
    "PermissionDeniedError",
    "RateLimitedError",
    "TransientError",
    "UnreadableDataError",
    "ValidationError",
]


class ErrorKind(StrEnum):
    AUTH = "auth"
    PERMISSION = "permission"
    VALIDATION = "validation"
    NOT_FOUND = "not-found"
    RATE_LIMIT = "rate-limit"
    TRANSIENT = "transient"
    PERMANENT = "permanent"
    CONFIG = "config"
    BUG = "bug"


class BigBooksError(Exception):
    """Base of every error the app shows. `message` tells the user what happened and what to do."""

    kind: ClassVar[ErrorKind] = ErrorKind.BUG
    default_title: ClassVar[str] = "Something went wrong"
    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, title: str | None = None, service: str | None = None,
                 status: int | None = None, details: dict[str, Any] | None = None) -> None:
        self.message = redact(message)
        self.title = title or self.default_title
        self.service = service
        self.status = status
        self.details = details or {}
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the inbox, the CLI's JSON and the GUI."""
        return {"kind": str(self.kind), "title": self.title, "message": self.message,
                "service": self.service, "status": self.status, "retryable": self.retryable}

    def __str__(self) -> str:
        return f"{self.title}: {self.message}"


class AuthError(BigBooksError):
    kind = ErrorKind.AUTH
    default_title = "Sign-in needed"


class NotSignedInError(AuthError):
    default_title = "Not signed in"


class AuthExpiredError(AuthError):
    default_title = "Sign-in expired"


class AuthRevokedError(AuthError):
    default_title = "Access was revoked"


class PermissionDeniedError(BigBooksError):
    kind = ErrorKind.PERMISSION
    default_title = "Permission missing"


class NotFoundError(BigBooksError):
    kind = ErrorKind.NOT_FOUND
    default_title = "Not found"


class ValidationError(BigBooksError):
    kind = ErrorKind.VALIDATION
    default_title = "Rejected by the service"

    def __init__(self, message: str, *, field: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.field = field

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "field": self.field}


class DataError(ValidationError):
    """The order's own data stops it from syncing; the user can fix it in the inbox."""

    default_title = "Order needs attention"


class RateLimitedError(BigBooksError):
    kind = ErrorKind.RATE_LIMIT
    default_title = "Rate limit reached"
    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class TransientError(BigBooksError):
    kind = ErrorKind.TRANSIENT
    default_title = "Temporary problem"
    retryable = True


class PermanentError(BigBooksError):
    kind = ErrorKind.PERMANENT
    default_title = "Request refused"


class UnreadableDataError(PermanentError):
    """A service answered with data BigBooks cannot read (a field missing, of the wrong type, out of range).

    Not our bug and not the user's: the message names the service, the record and the field, e.g.
    "BigCommerce sent data BigBooks cannot read: order 118 field date_created: not a date". `payload` keeps
    the record as received (secrets redacted) so the order can wait in the inbox with it; retrying the same
    data will not help, so the kind is "permanent" (the CLI exits 1, the window shows a warning, not a bug).
    """

    default_title = "Data BigBooks cannot read"

    def __init__(self, what: str, *, service: str, resource: str | None = None,
                 record_id: int | str | None = None, field: str | None = None,
                 payload: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        where = " ".join(str(part) for part in (resource, record_id) if part not in (None, ""))
        if field:
            where = f"{where} field {field}" if where else f"field {field}"
        text = f"{where}: {what}" if where else what
        kwargs.setdefault("title", f"Unreadable {service} data")
        super().__init__(f"{service} sent data BigBooks cannot read: {text}", service=service, **kwargs)
        self.what = redact(what)
        self.resource = resource
        self.record_id = record_id
        self.field = field
        self.payload: dict[str, Any] | None = (dict(redact_mapping(payload)) if isinstance(payload, Mapping)
                                               else None)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "resource": self.resource, "record_id": self.record_id,
                "field": self.field}


class ConfigurationError(BigBooksError):
    kind = ErrorKind.CONFIG
    default_title = "Setup problem"


class KeychainUnavailableError(ConfigurationError):
    default_title = "No secure password store"


class BugError(BigBooksError):
    kind = ErrorKind.BUG
    default_title = "Unexpected error"

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message + " This is a bug in BigBooks Desktop; please report it with the log file "
                         "(logs/bigbooks.log in the data folder; `bigbooks status` shows where that is).",
                         **kwargs)
