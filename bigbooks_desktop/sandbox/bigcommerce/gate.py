"""The front door of the BigCommerce API: store hash, X-Auth-Token, rate limit and error shape per version."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bigbooks_desktop.sandbox.bigcommerce.wire import BadQuery, v2_error, v3_error

if TYPE_CHECKING:
    from bigbooks_desktop.sandbox.bigcommerce import BigCommerceSandbox

__all__ = ["api_route"]

Handler = Callable[[Request], Response]


def error_for(version: str, status: int, message: str) -> Response:
    return v2_error(status, message) if version == "v2" else v3_error(status, message)


def api_route(sandbox: BigCommerceSandbox, version: str, path: str, handler: Handler) -> Route:
    """A GET route under /stores/{store_hash}/{version}{path} behind the store's checks."""

    async def endpoint(request: Request) -> Response:
        if request.path_params.get("store_hash") != sandbox.config.store_hash:
            response = error_for(version, 404, "The requested resource was not found.")
        elif not sandbox.token_is_valid(request.headers.get("x-auth-token", "")):
            response = error_for(
                version,
                401,
                "You are not authorized to access this resource: "
                "the X-Auth-Token header is missing or invalid.",
            )
        elif not sandbox.rate.take():
            response = error_for(
                version, 429, "Too many requests: the store's API quota for this window is used up."
            )
        else:
            try:
                response = handler(request)
            except BadQuery as exc:
                response = error_for(version, exc.status, exc.message)
        response.headers.update(sandbox.rate.headers())
        return response

    return Route(f"/stores/{{store_hash}}/{version}{path}", endpoint, methods=["GET"])
