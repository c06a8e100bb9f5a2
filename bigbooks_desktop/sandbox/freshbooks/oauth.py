"""FreshBooks OAuth 2.0 emulation: consent page, code exchange, rotating refresh tokens, bearer checks.

Rules from SUMMARY §4: authorization-code grant only; the token endpoint is on the API host and takes JSON or
form bodies; codes live `freshbooks_code_ttl` seconds and work once; access tokens live
`freshbooks_token_ttl`; every refresh returns a new refresh token and the old one stops working
(invalid_grant, HTTP 400). A bad client secret gives invalid_client (HTTP 401).
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.freshbooks.accounts import BUSINESSES
from bigbooks_desktop.sandbox.freshbooks.wire import auth_error, json_response

__all__ = ["ALL_SCOPES", "AccessGrant", "OAuthServer"]

# Every scope the sandbox app is registered for; a request without `scope` gets all of them.
ALL_SCOPES = (
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


@dataclass
class AccessGrant:
    """What a code, access token or refresh token stands for."""

    scopes: tuple[str, ...]
    redirect_uri: str
    expires_at: float


class OAuthServer:
    """Issued codes and tokens, and the HTTP handlers of the auth host and the token endpoint."""

    def __init__(self, config: SandboxConfig) -> None:
        self._config = config
        self.codes: dict[str, AccessGrant] = {}
        self.access_tokens: dict[str, AccessGrant] = {}
        self.refresh_tokens: dict[str, AccessGrant] = {}

    def clear(self) -> None:
        self.codes.clear()
        self.access_tokens.clear()
        self.refresh_tokens.clear()

    # -- helpers ---------------------------------------------------------------------------------------------
    def redirect_allowed(self, uri: str) -> bool:
        """True when `uri` equals a registered redirect URI, where a `*` port matches any port."""
        for pattern in self._config.freshbooks_redirect_uris:
            regex = "^" + re.escape(pattern).replace(r"\*", r"\d{1,5}") + "$"
            if re.match(regex, uri) and not urlsplit(uri).query:
                return True
        return False

    def bearer(self, request: Request) -> AccessGrant | None:
        """The live grant behind the request's bearer token, or None (missing, unknown or expired)."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        grant = self.access_tokens.get(token.strip())
        if grant is None or grant.expires_at <= self._config.clock():
            return None
        return grant

    def _issue(self, *, scopes: tuple[str, ...], redirect_uri: str) -> dict[str, Any]:
        now = self._config.clock()
        access, refresh = secrets.token_hex(32), secrets.token_hex(32)
        self.access_tokens[access] = AccessGrant(
            scopes, redirect_uri, now + self._config.freshbooks_token_ttl
        )
        self.refresh_tokens[refresh] = AccessGrant(scopes, redirect_uri, float("inf"))
        return {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_in": int(self._config.freshbooks_token_ttl),
            "scope": " ".join(scopes),
            "created_at": int(now),
        }

    # -- auth host: consent ----------------------------------------------------------------------------------
    async def authorize(self, request: Request) -> Response:
        if request.method == "POST":
            params = await _body(request)
        else:
            params = dict(request.query_params)
        client_id, redirect_uri = str(params.get("client_id", "")), str(params.get("redirect_uri", ""))
        state = str(params.get("state", ""))
        if client_id != self._config.freshbooks_client_id:
            return _error_page(
                "Unknown application", "The client_id does not match a registered application."
            )
        if not self.redirect_allowed(redirect_uri):
            return _error_page(
                "Redirect URI not registered", "The redirect_uri is not one registered for this application."
            )
        if params.get("response_type") != "code":
            return _redirect(redirect_uri, {"error": "unsupported_response_type", "state": state})
        requested = tuple(str(params.get("scope") or "").split())
        if any(scope not in ALL_SCOPES for scope in requested):
            return _redirect(redirect_uri, {"error": "invalid_scope", "state": state})
        scopes = requested or ALL_SCOPES
        if "user:profile:read" not in scopes:  # added by default ([DOC:scopes])
            scopes = ("user:profile:read", *scopes)
        decision = params.get("decision") if request.method == "POST" else None
        if decision is None and self._config.freshbooks_auto_consent:
            decision = "approve"
        if decision is None:
            return _consent_page(params, scopes)
        if decision != "approve":
            return _redirect(redirect_uri, {"error": "access_denied", "state": state})
        code = secrets.token_urlsafe(24)
        self.codes[code] = AccessGrant(
            scopes, redirect_uri, self._config.clock() + self._config.freshbooks_code_ttl
        )
        return _redirect(redirect_uri, {"code": code, "state": state})

    # -- api host: token endpoint ----------------------------------------------------------------------------
    async def token(self, request: Request) -> Response:
        body = await _body(request)
        if (
            body.get("client_id") != self._config.freshbooks_client_id
            or body.get("client_secret") != self._config.freshbooks_client_secret
        ):
            return auth_error(
                "invalid_client",
                "Client authentication failed due to unknown client, no client "
                "authentication included, or unsupported authentication method.",
                401,
            )
        grant_type = body.get("grant_type")
        if grant_type == "authorization_code":
            grant = self.codes.pop(str(body.get("code", "")), None)  # single use, even when it fails below
            if grant is None or grant.expires_at <= self._config.clock():
                return _invalid_grant()
            if body.get("redirect_uri") != grant.redirect_uri:
                return _invalid_grant()
            return json_response(self._issue(scopes=grant.scopes, redirect_uri=grant.redirect_uri))
        if grant_type == "refresh_token":
            redirect_uri = str(body.get("redirect_uri") or "")
            if not redirect_uri:
                return auth_error(
                    "invalid_request", "The request is missing a required parameter: redirect_uri.", 400
                )
            grant = self.refresh_tokens.pop(str(body.get("refresh_token", "")), None)
            if grant is None or not self.redirect_allowed(redirect_uri):
                return _invalid_grant()
            return json_response(self._issue(scopes=grant.scopes, redirect_uri=redirect_uri))
        return auth_error(
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
            400,
        )

    # -- api host: identity ----------------------------------------------------------------------------------
    def unauthenticated(self) -> Response:
        return auth_error("unauthenticated", "This action requires authentication to continue.", 401)


def _invalid_grant() -> Response:
    return auth_error(
        "invalid_grant",
        "The provided authorization grant is invalid, expired, revoked, does not "
        "match the redirection URI used in the authorization request, or was issued to another "
        "client.",
        400,
    )


async def _body(request: Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    if "json" in content_type:
        try:
            data = json_loads(await request.body())
        except ValueError:
            return {}
        return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    # urlencoded form, parsed here: Starlette's form parser needs python-multipart, which we do not ship
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))


def _redirect(uri: str, params: dict[str, str]) -> Response:
    return RedirectResponse(f"{uri}?{urlencode(params)}", status_code=302)


def _error_page(title: str, detail: str) -> Response:
    body = (
        f"<!doctype html><html><head><title>FreshBooks - {html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(detail)}</p></body></html>"
    )
    return HTMLResponse(body, status_code=400)


def _consent_page(params: dict[str, Any], scopes: tuple[str, ...]) -> Response:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(key)}" value="{html.escape(str(params.get(key, "")))}">'
        for key in ("client_id", "response_type", "redirect_uri", "scope", "state")
    )
    scope_items = "".join(f"<li>{html.escape(scope)}</li>" for scope in scopes)
    body = (
        "<!doctype html><html><head><title>FreshBooks - Authorize application</title></head><body>"
        f"<h1>Authorize access to {html.escape(BUSINESSES[0].name)}</h1>"
        f"<p>The application wants to:</p><ul>{scope_items}</ul>"
        f'<form method="post" action="">{hidden}'
        '<button type="submit" name="decision" value="approve">Approve</button> '
        '<button type="submit" name="decision" value="deny">Deny</button>'
        "</form></body></html>"
    )
    return HTMLResponse(body)
