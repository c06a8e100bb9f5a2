"""Redaction of secrets from anything a user or a log can see: headers, URLs, JSON bodies, free text."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any

__all__ = ["REDACTED", "SECRET_KEYS", "forget_secret", "redact", "redact_headers", "redact_mapping",
           "register_secret"]

REDACTED = "***"

# Keys whose values are secrets wherever they appear (JSON bodies, form bodies, query strings, headers).
SECRET_KEYS = frozenset({
    "access_token", "refresh_token", "client_secret", "id_token", "password", "token",
    "authorization", "x-auth-token", "bigcommerce_token", "freshbooks_client_secret",
})

_known: set[str] = set()
_lock = threading.Lock()

_KV_PATTERN = re.compile(
    r"(?i)(?P<key>\"?(?:" + "|".join(sorted((re.escape(k) for k in SECRET_KEYS), key=len, reverse=True))
    + r")\"?\s*[:=]\s*\"?)(?P<value>[^\"&\s,}]+)"
)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
# OAuth authorization codes travel as `code=` in query strings and form bodies ("code" alone is too common a
# JSON key, e.g. currency codes, to blank everywhere).
_QUERY_CODE = re.compile(r"(?i)([?&]code=)[^&\s\"]+")


def register_secret(value: str | None) -> None:
    """Remember a live secret so it is scrubbed from any text, whatever key it sits under."""
    if value and len(value) >= 6:
        with _lock:
            _known.add(value)


def forget_secret(value: str | None) -> None:
    with _lock:
        _known.discard(value or "")


def redact(text: str) -> str:
    """Scrub known secrets, `key=value`/`"key": "value"` secrets and bearer tokens from free text."""
    if not text:
        return text
    with _lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        text = text.replace(secret, REDACTED)
    text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
    text = _QUERY_CODE.sub(lambda m: m.group(1) + REDACTED, text)
    return _KV_PATTERN.sub(lambda m: m.group("key") + REDACTED, text)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: (REDACTED if k.lower() in SECRET_KEYS else redact(v)) for k, v in headers.items()}


def redact_mapping(data: Any) -> Any:
    """A deep copy of JSON-like data with secret keys blanked and secret values scrubbed."""
    if isinstance(data, Mapping):
        return {k: (REDACTED if str(k).lower() in SECRET_KEYS and v not in (None, "")
                    else redact_mapping(v)) for k, v in data.items()}
    if isinstance(data, list):
        return [redact_mapping(v) for v in data]
    if isinstance(data, str):
        return redact(data)
    return data
