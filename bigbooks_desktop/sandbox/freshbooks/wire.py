"""FreshBooks wire helpers: JSON responses, the legacy accounting error shape and the OAuth error shape."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from bigbooks_desktop.core.jsonwire import dumps

__all__ = [
    "ACCESS_DENIED_MESSAGE",
    "AccountingError",
    "auth_error",
    "json_response",
]

ACCESS_DENIED_MESSAGE = "The server could not verify that you are authorized to access the URL requested."


def json_response(body: Any, status: int = 200) -> Response:
    """A JSON response written with core.jsonwire (Decimal stays exact)."""
    return Response(dumps(body), status_code=status, media_type="application/json")


def auth_error(error: str, description: str, status: int) -> Response:
    """The auth-service error shape {"error", "error_description"} (python/auth_me_response__no_auth.json)."""
    return json_response({"error": error, "error_description": description}, status)


class AccountingError(Exception):
    """An accounting failure, rendered as {"response": {"errors": [{errno, field, message, object, value}]}}.

    errnos ([DOC:errors] in SUMMARY §9): 1001 required field, 1003 access denied, 1004 invalid value,
    1012 not found, 1013 bad per_page, 1014 bad page.
    """

    def __init__(
        self,
        *,
        errno: int,
        message: str,
        status: int,
        field: str | None = None,
        obj: str | None = None,
        value: Any = None,
    ) -> None:
        super().__init__(message)
        self.errno = errno
        self.message = message
        self.status = status
        self.field = field
        self.obj = obj
        self.value = value

    def response(self) -> Response:
        if self.errno == 1003:  # `node/APIClient__03_GET_401.json`: only message and errno
            entry: dict[str, Any] = {"message": self.message, "errno": self.errno}
        else:
            entry = {
                "errno": self.errno,
                "field": self.field,
                "message": self.message,
                "object": self.obj,
                "value": None if self.value is None else str(self.value),
            }
        return json_response({"response": {"errors": [entry]}}, self.status)

    @classmethod
    def not_found(cls, obj: str, field: str, value: Any) -> AccountingError:
        return cls(
            errno=1012,
            message=f"{obj.replace('_', ' ').capitalize()} not found.",
            status=404,
            field=field,
            obj=obj,
            value=value,
        )

    @classmethod
    def required(cls, obj: str, field: str) -> AccountingError:
        return cls(errno=1001, message=f"Field {field} is required.", status=422, field=field, obj=obj)

    @classmethod
    def invalid(cls, obj: str, field: str, value: Any, message: str) -> AccountingError:
        return cls(errno=1004, message=message, status=422, field=field, obj=obj, value=value)
