"""The BigCommerce login host: the app install consent page and the /oauth2/token code exchange."""

from __future__ import annotations

import html
import json
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from bigbooks_desktop.sandbox.bigcommerce.wire import json_response

if TYPE_CHECKING:
    from bigbooks_desktop.sandbox.bigcommerce import BigCommerceSandbox

__all__ = ["LOGIN_PREFIX", "SCOPES", "login_routes"]

LOGIN_PREFIX = "/bigcommerce/login"
# The read-only scopes the sync asks for (SUMMARY 1c), space-separated on the wire.
SCOPES = (
    "store_v2_orders_read_only store_v2_transactions_read_only store_v2_customers_read_only "
    "store_v2_products_read_only store_v2_information_read_only"
)
ACCOUNT_UUID = "8d4d492f-17a1-4d95-b396-e1c5720815a5"
OWNER = {"id": 9001, "username": "owner@sandbox.example", "email": "owner@sandbox.example"}


def is_loopback(uri: str) -> bool:
    """Only this machine may receive codes from the sandbox: https://localhost:PORT/... (what the app registers:
    BigCommerce wants an https auth callback) or http on 127.0.0.1/localhost."""
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and parts.hostname in ("127.0.0.1", "localhost") \
        and port is not None


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"</head><body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status_code=status,
    )


async def _fields(request: Request) -> dict[str, str]:
    raw = (await request.body()).decode("utf-8", "replace")
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data: Any = json.loads(raw)
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    return {k: v[0] for k, v in parse_qs(raw).items()}


def login_routes(sandbox: BigCommerceSandbox) -> list[Route]:
    config = sandbox.config

    async def install(request: Request) -> Response:
        if request.path_params["client_id"] != config.bigcommerce_client_id:
            return _page("Unknown app", "<p>No app with this client id is registered.</p>", 404)
        form = await _fields(request) if request.method == "POST" else {}
        redirect_uri = form.get("redirect_uri") or request.query_params.get("redirect_uri", "")
        if not is_loopback(redirect_uri):
            return _page(
                "Invalid redirect",
                "<p>The redirect_uri must be an address on this machine "
                "(https://localhost:PORT/... or http://127.0.0.1:PORT/...).</p>",
                400,
            )
        if request.method == "GET":
            scopes = "".join(f"<li>{html.escape(s)}</li>" for s in SCOPES.split())
            return _page(
                f"Install BigBooks Desktop on {sandbox.store_name()}",
                f"<p>Store: <strong>{html.escape(sandbox.store_name())}</strong> "
                f"(stores/{html.escape(config.store_hash)})</p><p>Requested access:</p><ul>{scopes}</ul>"
                f"<form method='post'><input type='hidden' name='redirect_uri' "
                f"value='{html.escape(redirect_uri, quote=True)}'>"
                "<button name='action' value='approve'>Approve</button> "
                "<button name='action' value='deny'>Deny</button></form>",
            )
        separator = "&" if "?" in redirect_uri else "?"
        if form.get("action") != "approve":
            query = urlencode(
                {"error": "access_denied", "error_description": "The merchant denied the install."}
            )
            return RedirectResponse(f"{redirect_uri}{separator}{query}", status_code=302)
        code = secrets.token_urlsafe(24)
        sandbox.oauth_codes[code] = redirect_uri
        query = urlencode(
            {
                "code": code,
                "scope": SCOPES,
                "context": f"stores/{config.store_hash}",
                "account_uuid": ACCOUNT_UUID,
            }
        )
        return RedirectResponse(f"{redirect_uri}{separator}{query}", status_code=302)

    async def token(request: Request) -> Response:
        body = await _fields(request)
        if body.get("client_id") != config.bigcommerce_client_id or not secrets.compare_digest(
            body.get("client_secret", ""), config.bigcommerce_client_secret
        ):
            return json_response(
                {"error": "invalid_client", "error_description": "Invalid client id or secret."}, 401
            )
        if body.get("grant_type") != "authorization_code":
            return json_response(
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant_type must be authorization_code.",
                },
                400,
            )
        code = body.get("code", "")
        redirect_uri = sandbox.oauth_codes.pop(code, None)
        if redirect_uri is None:
            return json_response(
                {
                    "error": "invalid_grant",
                    "error_description": "The authorization code is invalid or was already used.",
                },
                400,
            )
        if body.get("redirect_uri") != redirect_uri or body.get("context") != f"stores/{config.store_hash}":
            return json_response(
                {
                    "error": "invalid_grant",
                    "error_description": "redirect_uri or context does not match the install.",
                },
                400,
            )
        access_token = "bcapp_" + secrets.token_hex(16)
        sandbox.issued_tokens.add(access_token)
        return json_response(
            {
                "access_token": access_token,
                "scope": SCOPES,
                "user": dict(OWNER),
                "owner": dict(OWNER),
                "context": f"stores/{config.store_hash}",
                "account_uuid": ACCOUNT_UUID,
            }
        )

    return [
        Route(f"{LOGIN_PREFIX}/app/{{client_id}}/install", install, methods=["GET", "POST"]),
        Route(f"{LOGIN_PREFIX}/oauth2/token", token, methods=["POST"]),
    ]
