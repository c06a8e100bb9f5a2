"""FreshBooks error bodies (legacy accounting, google.rpc, OAuth) turned into the core error tree.

| what FreshBooks says                                   | core error              |
|--------------------------------------------------------|-------------------------|
| HTTP 401, errno 1003, `invalid_token`/`unauthenticated` | AuthExpiredError        |
| `invalid_grant`                                         | AuthRevokedError        |
| HTTP 403 (scopes listed in the message)                 | PermissionDeniedError   |
| errno 1012 / 1011, HTTP 404                             | NotFoundError           |
| errno 1001/1004/1005/1007/1008/1013/1014/1017/1018/1019,| ValidationError (field) |
| HTTP 400/422, `invalid_resource`                        |                         |
| HTTP 429                                                | RateLimitedError        |
| HTTP 5xx, errno 409 / HTTP 409 (concurrent change)      | TransientError          |
| errno 1042 (inactive account), other 4xx                | PermanentError          |

The legacy shape `{"response": {"errors": [...]}}` is an error whatever the HTTP status (200 included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bigbooks_desktop.core.errors import (
    AuthExpiredError,
    AuthRevokedError,
    BigBooksError,
    NotFoundError,
    PermanentError,
    PermissionDeniedError,
    RateLimitedError,
    TransientError,
    ValidationError,
)

__all__ = ["SERVICE", "FreshBooksProblem", "error_from_response", "problem_from_body"]

SERVICE = "FreshBooks"

_VALIDATION_ERRNOS = frozenset({1001, 1004, 1005, 1007, 1008, 1013, 1014, 1017, 1018, 1019})
_NOT_FOUND_ERRNOS = frozenset({1011, 1012})
_AUTH_EXPIRED_CODES = frozenset({"invalid_token", "unauthenticated", "unauthorized", "expired_token"})
_SCOPE = re.compile(r"user:[a-z_]+:(?:read|write)|[a-z_]+:[a-z_]+:(?:read|write)")


@dataclass(frozen=True)
class FreshBooksProblem:
    """What an error body said, whichever of the three shapes it came in."""

    shape: str                       # "accounting", "rpc" or "auth"
    message: str
    errno: int | None = None
    field: str | None = None
    obj: str | None = None
    value: str | None = None
    code: str | None = None          # OAuth `error` code


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def problem_from_body(body: Any) -> FreshBooksProblem | None:
    """The first error in a FreshBooks body, or None when the body is not an error body."""
    if not isinstance(body, dict):
        return None
    response = body.get("response")
    if isinstance(response, dict) and isinstance(response.get("errors"), list) and response["errors"]:
        first = response["errors"][0]
        if isinstance(first, dict):
            return FreshBooksProblem(shape="accounting", message=str(first.get("message") or ""),
                                     errno=_as_int(first.get("errno")), field=_text(first.get("field")),
                                     obj=_text(first.get("object")), value=_text(first.get("value")))
        return FreshBooksProblem(shape="accounting", message=str(first))
    if "code" in body and "message" in body and "response" not in body:
        raw_details = body.get("details")
        details: list[Any] = raw_details if isinstance(raw_details, list) else []
        info: dict[str, Any] = next((d for d in details if isinstance(d, dict)), {})
        raw_meta = info.get("metadata")
        meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
        return FreshBooksProblem(shape="rpc", message=str(meta.get("message") or body.get("message") or ""),
                                 errno=_as_int(info.get("reason")), field=_text(meta.get("field")),
                                 obj=_text(meta.get("object")), value=_text(meta.get("value")))
    if isinstance(body.get("error"), str):
        return FreshBooksProblem(shape="auth", code=body["error"],
                                 message=str(body.get("error_description") or body["error"]))
    return None


def _missing_scopes(text: str) -> list[str]:
    """Scopes named as needed but not as provided; all named scopes when the message has no such split."""
    lowered = text.lower()
    split = re.search(r"\b(provided|granted|has|have)\b", lowered)
    needed_at = re.search(r"\b(needed|required|requires|need|missing)\b", lowered)
    every = list(dict.fromkeys(_SCOPE.findall(text)))
    if split and needed_at:
        if split.start() < needed_at.start():
            provided = set(_SCOPE.findall(text[split.start():needed_at.start()]))
            needed = _SCOPE.findall(text[needed_at.start():])
        else:
            needed = _SCOPE.findall(text[needed_at.start():split.start()])
            provided = set(_SCOPE.findall(text[split.start():]))
        missing = [s for s in dict.fromkeys(needed) if s not in provided]
        if missing:
            return missing
    return every


def _where(method: str, path: str) -> str:
    return f"{method.upper()} {path}"


def error_from_response(*, status: int, body: Any, method: str, path: str,
                        retry_after: float | None = None) -> BigBooksError | None:
    """The core error for a FreshBooks response, or None when it is a success."""
    problem = problem_from_body(body)
    if problem is None and status < 400:
        return None
    p = problem or FreshBooksProblem(shape="none", message="")
    said = p.message.strip().rstrip(".") if p.message else f"HTTP {status}"
    details: dict[str, Any] = {"request": _where(method, path), "shape": p.shape}
    for key, val in (("errno", p.errno), ("field", p.field), ("object", p.obj), ("value", p.value),
                     ("error", p.code)):
        if val is not None:
            details[key] = val
    common: dict[str, Any] = {"service": SERVICE, "status": status, "details": details}

    if p.code == "invalid_grant":
        return AuthRevokedError(f"FreshBooks refused the saved sign-in ({said}). Sign in to FreshBooks again "
                                "in Settings → Connections.", **common)
    if status == 403:
        scopes = _missing_scopes(p.message)
        details["missing_scopes"] = scopes
        need = f" It needs: {', '.join(scopes)}." if scopes else ""
        return PermissionDeniedError(f"FreshBooks did not allow {_where(method, path)} ({said}).{need} "
                                     "Sign in to FreshBooks again and approve every permission "
                                     "BigBooks asks for.",
                                     **common)
    if status == 401 or p.errno == 1003 or p.code in _AUTH_EXPIRED_CODES:
        return AuthExpiredError(f"FreshBooks no longer accepts the saved sign-in ({said}). Sign in to "
                                "FreshBooks again in Settings → Connections.", **common)
    if status == 429:
        wait = f" Waiting {retry_after:.0f} s before trying again." if retry_after is not None else ""
        return RateLimitedError(f"FreshBooks asked BigBooks to slow down (HTTP 429).{wait} Nothing needs "
                                "doing; sync continues by itself.", retry_after=retry_after, **common)
    if p.errno in _NOT_FOUND_ERRNOS or status == 404:
        what = (p.obj or "record").replace("_", " ")
        gone = "was deleted in FreshBooks" if p.errno == 1011 else "does not exist in FreshBooks"
        ident = f" {p.value}" if p.value else ""
        return NotFoundError(f"The {what}{ident} {gone} ({said}). If it was removed on purpose, re-sync the "
                             "order so BigBooks creates it again.", **common)
    if p.errno == 409 or status == 409:
        return TransientError(f"FreshBooks reports the record was changed by another request at the "
                              f"same time ({said}). It will be read again and retried.", **common)
    if p.errno == 1042:
        return PermanentError(f"The FreshBooks account is inactive ({said}). Reactivate the FreshBooks "
                              "subscription, then sync again.", **common)
    if (p.errno in _VALIDATION_ERRNOS or status in (400, 422) or p.code == "invalid_resource"
            or (p.field and p.errno is None)):
        field = f" (field “{p.field}”)" if p.field else ""
        return ValidationError(f"FreshBooks rejected the data{field}: {said}. Fix the value in the order "
                               "or the mapping, then sync it again.", field=p.field, **common)
    if status >= 500:
        return TransientError(f"FreshBooks had a server problem (HTTP {status}: {said}). It will be tried "
                              "again later.", **common)
    return PermanentError(f"FreshBooks refused {_where(method, path)} ({said}). Retrying will not help; "
                          "check the FreshBooks account and the order.", **common)
