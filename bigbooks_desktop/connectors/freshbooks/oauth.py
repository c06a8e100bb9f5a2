"""FreshBooks OAuth 2 sign-in: the authorize URL, the state check, code exchange, refresh and /users/me.

A sign-in is a `PendingAuthorization`: a random `state` (secrets.token_urlsafe), the redirect URI, and a
deadline. `code_from_redirect()` accepts the redirect the loopback received, a URL the user pasted from the
browser's address bar, or a bare code; it refuses a wrong state, a second use and a late answer.
Token calls are plain functions over an `httpx.AsyncClient`, so tests inject a transport.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import httpx

from bigbooks_desktop.connectors.freshbooks.errors import SERVICE
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import (
    AuthError,
    AuthRevokedError,
    ConfigurationError,
    PermanentError,
    TransientError,
)
from bigbooks_desktop.core.redact import register_secret

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_AUTH_URL",
    "DEFAULT_SCOPES",
    "FreshBooksApp",
    "PendingAuthorization",
    "exchange_code",
    "refresh_tokens",
    "submit_consent_form",
    "tokens_from_wire",
]

DEFAULT_AUTH_URL = "https://auth.freshbooks.com"
DEFAULT_API_URL = "https://api.freshbooks.com"
DEFAULT_SCOPES = (
    "user:profile:read",
    "user:clients:read",
    "user:clients:write",
    "user:invoices:read",
    "user:invoices:write",
    "user:payments:read",
    "user:payments:write",
    "user:billable_items:read",
    "user:billable_items:write",
    "user:taxes:read",
    "user:taxes:write",
    "user:credit_notes:read",
    "user:credit_notes:write",
)
STATE_TTL_SECONDS = 600.0  # the user has ten minutes to finish consent in the browser


@dataclass(frozen=True, kw_only=True)
class FreshBooksApp:
    """The registered FreshBooks app and the hosts it talks to (from configuration, never hard-coded)."""

    client_id: str
    client_secret: str
    auth_url: str = DEFAULT_AUTH_URL  # consent host; sandbox: http://127.0.0.1:P/freshbooks/auth
    api_url: str = DEFAULT_API_URL  # api + token host; sandbox: http://127.0.0.1:P/freshbooks/api
    scopes: tuple[str, ...] = DEFAULT_SCOPES

    def __post_init__(self) -> None:
        register_secret(self.client_secret)

    def __repr__(self) -> str:
        return f"FreshBooksApp(client_id={self.client_id!r}, api_url={self.api_url!r})"

    @property
    def token_url(self) -> str:
        return self.api_url.rstrip("/") + "/auth/oauth/token"

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        query = {
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "state": state,
        }
        if self.scopes:
            query["scope"] = " ".join(self.scopes)
        return self.auth_url.rstrip("/") + "/oauth/authorize?" + urlencode(query)


@dataclass(kw_only=True)
class PendingAuthorization:
    """One sign-in attempt: its state, redirect URI and deadline. Single use."""

    app: FreshBooksApp
    redirect_uri: str
    state: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    ttl: float = STATE_TTL_SECONDS
    clock: Any = time.monotonic
    started: float = -1.0
    used: bool = False

    def __post_init__(self) -> None:
        if self.started < 0:
            self.started = self.clock()

    def __repr__(self) -> str:
        return f"PendingAuthorization(redirect_uri={self.redirect_uri!r}, used={self.used})"

    @property
    def authorize_url(self) -> str:
        return self.app.authorize_url(redirect_uri=self.redirect_uri, state=self.state)

    def code_from_redirect(self, answer: str | Mapping[str, str]) -> str:
        """The authorization code from redirect parameters, a pasted URL, or a pasted bare code."""
        if self.used:
            raise AuthError("This sign-in was already used. Start the sign-in again.", service=SERVICE)
        if self.clock() - self.started > self.ttl:
            raise AuthError(
                "The sign-in took too long and expired. Start the sign-in again.", service=SERVICE
            )
        if isinstance(answer, str):
            text = answer.strip()
            if "=" not in text and "/" not in text:
                if not text:
                    raise AuthError(
                        "Nothing was pasted. Paste the address the browser ended on.", service=SERVICE
                    )
                # A bare code: the user copied it from a page; there is no state to compare.
                self.used = True
                register_secret(text)
                return text
            query = urlsplit(text).query if "?" in text else text.lstrip("?")
            params = dict(parse_qsl(query, keep_blank_values=True))
        else:
            params = dict(answer)
        if not secrets.compare_digest(params.get("state", "").encode(), self.state.encode()):
            raise AuthError(
                "The sign-in answer does not match the sign-in that was started (state mismatch). "
                "Start the sign-in again.",
                service=SERVICE,
            )
        if params.get("error"):
            reason = params.get("error_description") or params["error"]
            raise AuthError(f"FreshBooks did not grant access: {reason}.", service=SERVICE)
        code = params.get("code", "")
        if not code:
            raise AuthError(
                "The address has no authorization code. Paste the full address the browser ended on.",
                service=SERVICE,
            )
        self.used = True
        register_secret(code)
        return code


def tokens_from_wire(data: Mapping[str, Any], *, now: datetime | None = None) -> fb.TokenSet:
    """A TokenSet from a token response; expiry = created_at + expires_in (created_at in epoch seconds)."""
    try:
        access, refresh = str(data["access_token"]), str(data["refresh_token"])
        expires_in = int(data.get("expires_in") or 43200)
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentError("FreshBooks sent a token answer without tokens.", service=SERVICE) from exc
    created = data.get("created_at")
    base = (
        datetime.fromtimestamp(int(created), UTC)
        if isinstance(created, int | str) and str(created).isdigit()
        else (now or datetime.now(UTC))
    )
    register_secret(access)
    register_secret(refresh)
    return fb.TokenSet(
        access_token=access,
        refresh_token=refresh,
        expires_at=base + timedelta(seconds=expires_in),
        scope=str(data.get("scope") or ""),
    )


async def _token_call(
    http: httpx.AsyncClient, app: FreshBooksApp, body: dict[str, str], *, refreshing: bool
) -> fb.TokenSet:
    try:
        response = await http.post(app.token_url, json=body, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise TransientError(
            f"Could not reach FreshBooks to sign in ({type(exc).__name__}). "
            "Check the connection and try again.",
            service=SERVICE,
        ) from exc
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.status_code == 200 and isinstance(data, dict):
        return tokens_from_wire(data)
    error = str(data.get("error", "")) if isinstance(data, dict) else ""
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientError(
            f"FreshBooks could not complete the sign-in right now (HTTP {response.status_code}). "
            "Try again in a moment.",
            service=SERVICE,
            status=response.status_code,
        )
    if error == "invalid_client":
        raise ConfigurationError(
            "FreshBooks refused the app's client id or secret. Check the FreshBooks app "
            "settings (BIGBOOKS_FRESHBOOKS_CLIENT_ID / _SECRET).",
            service=SERVICE,
            status=response.status_code,
        )
    if refreshing:
        raise AuthRevokedError(
            "FreshBooks no longer accepts this sign-in (the refresh was refused). "
            "Sign in to FreshBooks again; nothing was lost.",
            service=SERVICE,
            status=response.status_code,
            details={"error": error},
        )
    raise AuthError(
        f"FreshBooks refused the sign-in code ({error or response.status_code}). It may have "
        "expired or been used already. Start the sign-in again.",
        service=SERVICE,
        status=response.status_code,
        details={"error": error},
    )


async def exchange_code(
    http: httpx.AsyncClient, app: FreshBooksApp, *, code: str, redirect_uri: str
) -> fb.TokenSet:
    """Trade an authorization code for the first token pair."""
    return await _token_call(
        http,
        app,
        {
            "grant_type": "authorization_code",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "code": code,
            "redirect_uri": redirect_uri,
        },
        refreshing=False,
    )


async def refresh_tokens(
    http: httpx.AsyncClient, app: FreshBooksApp, *, refresh_token: str, redirect_uri: str
) -> fb.TokenSet:
    """Spend the (single-use) refresh token for a new pair. `AuthRevokedError` when FreshBooks refuses it."""
    return await _token_call(
        http,
        app,
        {
            "grant_type": "refresh_token",
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "refresh_token": refresh_token,
            "redirect_uri": redirect_uri,
        },
        refreshing=True,
    )


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {
                    "action": values.get("action", ""),
                    "method": values.get("method", "get").lower(),
                    "fields": [],
                    "buttons": [],
                }
            )
        elif self.forms and tag in ("input", "button"):
            kind = values.get("type", "submit" if tag == "button" else "text").lower()
            if not values.get("name"):
                return
            entry = (values["name"], values.get("value", ""))
            (self.forms[-1]["buttons"] if kind == "submit" else self.forms[-1]["fields"]).append(entry)


async def submit_consent_form(
    http: httpx.AsyncClient, authorize_url: str, *, approve_label: str = "approve"
) -> str:
    """Give consent without a browser (sandbox / demo): load the page, submit its Approve button like a user.

    Returns the redirect `Location` (the loopback URL with code and state), which then goes through the same
    `code_from_redirect` + `exchange_code` path as a browser sign-in.
    """
    try:
        page = await http.get(authorize_url)
        if page.is_redirect:
            return page.headers["location"]  # consent given already (auto-consent)
        parser = _FormParser()
        parser.feed(page.text)
        if page.status_code != 200 or not parser.forms:
            raise AuthError(f"The consent page could not be used (HTTP {page.status_code}).", service=SERVICE)
        form = parser.forms[0]
        body = dict(form["fields"])
        buttons = form["buttons"]
        chosen = next(
            (b for b in buttons if approve_label in (b[0] + b[1]).lower()), buttons[0] if buttons else None
        )
        if chosen is not None:
            body[chosen[0]] = chosen[1]
        target = urljoin(str(page.url), form["action"] or str(page.url))
        answer = (
            await http.post(target, data=body)
            if form["method"] == "post"
            else await http.get(target, params=body)
        )
    except httpx.HTTPError as exc:
        raise TransientError(
            f"Could not reach the consent page ({type(exc).__name__}).", service=SERVICE
        ) from exc
    if not answer.is_redirect:
        raise AuthError(
            f"The consent page did not redirect back (HTTP {answer.status_code}).", service=SERVICE
        )
    return answer.headers["location"]
