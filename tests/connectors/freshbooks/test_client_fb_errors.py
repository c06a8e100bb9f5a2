"""FreshBooksClient error mapping (three shapes, 200-with-errors), retries, backoff and token redaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fb_wire import TOKEN, Recorder, Sleeps, fixture, make_client, reply

from bigbooks_desktop.core import freshbooks as fb
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

CASES: list[tuple[str, Any, int, type[BigBooksError]]] = [
    ("python not found", fixture("python/get_client_response__not_found.json"), 404, NotFoundError),
    ("java old not found", fixture("java/get_client_response__not_found_old.json"), 404, NotFoundError),
    ("java rpc not found", fixture("java/get_client_response__not_found_new.json"), 404, NotFoundError),
    ("java rpc no auth", fixture("java/get_client_response__no_auth.json"), 401, AuthExpiredError),
    ("python auth no auth", fixture("python/auth_me_response__no_auth.json"), 401, AuthExpiredError),
    ("java auth no auth", fixture("java/auth_response__no_auth.json"), 401, AuthExpiredError),
    ("node auth 401", fixture("node/APIClient__02_GET_401.json"), 401, AuthExpiredError),
    ("node errno 1003", fixture("node/APIClient__03_GET_401.json"), 401, AuthExpiredError),
    ("node 404", fixture("node/APIClient__04_GET_404.json"), 404, NotFoundError),
    ("node legacy item", fixture("node/Error__accounting_error_shapes.json")[0], 404, NotFoundError),
    ("node rpc item", fixture("node/Error__accounting_error_shapes.json")[1], 404, NotFoundError),
    ("invalid_token", fixture("node/Error__auth_error_shapes.json")[0], 401, AuthExpiredError),
    ("unauthenticated", fixture("node/Error__auth_error_shapes.json")[1], 401, AuthExpiredError),
    ("invalid_resource", fixture("node/Error__auth_error_shapes.json")[2], 422, ValidationError),
    (
        "invalid_grant",
        {"error": "invalid_grant", "error_description": "refresh token revoked"},
        400,
        AuthRevokedError,
    ),
    ("200 with errors", fixture("python/get_client_response__not_found.json"), 200, NotFoundError),
    (
        "200 with 1001",
        {
            "response": {
                "errors": [
                    {
                        "errno": 1001,
                        "field": "customerid",
                        "message": "Field customerid is required.",
                        "object": "invoice",
                    }
                ]
            }
        },
        200,
        ValidationError,
    ),
    (
        "422 with 1004",
        {
            "response": {
                "errors": [
                    {
                        "errno": 1004,
                        "field": "invoice_number",
                        "object": "invoice",
                        "message": "Invoice number has already been taken.",
                    }
                ]
            }
        },
        422,
        ValidationError,
    ),
    (
        "inactive",
        {"response": {"errors": [{"errno": 1042, "message": "Account inactive."}]}},
        400,
        PermanentError,
    ),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("label, body, status, expected", CASES, ids=[c[0] for c in CASES])
async def test_error_shapes_map_into_the_core_tree(
    label: str, body: Any, status: int, expected: type[BigBooksError]
) -> None:
    rec = Recorder(lambda request: reply(body, status))
    async with make_client(rec) as client:
        with pytest.raises(BigBooksError) as caught:
            await client.get_client(12345)
    error = caught.value
    assert type(error) is expected, (label, error)
    assert error.service == "FreshBooks" and error.status == status
    assert error.message and TOKEN not in str(error) and TOKEN not in repr(error.to_dict())
    assert len(rec.requests) == 1  # none of these is retried


@pytest.mark.asyncio
async def test_rpc_and_legacy_shapes_carry_errno_field_and_value() -> None:
    for body in (
        fixture("java/get_client_response__not_found_new.json"),
        fixture("java/get_client_response__not_found_old.json"),
    ):
        async with make_client(Recorder(lambda request, b=body: reply(b, 404))) as client:
            with pytest.raises(NotFoundError) as caught:
                await client.get_client(12345)
        assert caught.value.details["errno"] == 1012 and caught.value.details["field"] == "userid"
        assert "client 12345" in caught.value.message


@pytest.mark.asyncio
async def test_validation_error_names_the_field() -> None:
    body = CASES[17][1]
    async with make_client(Recorder(lambda request: reply(body, 422))) as client:
        with pytest.raises(ValidationError) as caught:
            await client.create_invoice(
                fb.InvoiceDraft(
                    customerid=1, invoice_number="X", currency_code="USD", create_date=date(2024, 1, 1)
                )
            )
    assert caught.value.field == "invoice_number" and "invoice_number" in caught.value.message


@pytest.mark.asyncio
async def test_403_names_the_missing_scope() -> None:
    body = {
        "response": {
            "errors": [
                {
                    "errno": 1003,
                    "message": (
                        "Insufficient scopes. Provided scopes: [user:profile:read, user:invoices:read]. "
                        "Needed scopes: [user:invoices:write]."
                    ),
                }
            ]
        }
    }
    async with make_client(Recorder(lambda request: reply(body, 403))) as client:
        with pytest.raises(PermissionDeniedError) as caught:
            await client.mark_invoice_sent(1)
    assert caught.value.details["missing_scopes"] == ["user:invoices:write"]
    assert (
        "user:invoices:write" in caught.value.message
        and "Sign in to FreshBooks again" in caught.value.message
    )


@pytest.mark.asyncio
async def test_get_is_retried_on_503_then_succeeds() -> None:
    sleeps = Sleeps()
    rec = Recorder(
        [
            reply({"error": "unavailable"}, 503),
            reply({}, 502),
            reply(fixture("java/get_client_response.json")),
        ]
    )
    async with make_client(rec, sleeps=sleeps) as client:
        got = await client.get_client(12345)
        assert client.stats.retries == 2
    assert got.id == 12345 and len(rec.requests) == 3
    assert sleeps.calls == [0.25, 0.5]  # exponential with jitter (rng pinned at 0.5)


@pytest.mark.asyncio
async def test_get_gives_up_after_max_retries_with_a_transient_error() -> None:
    rec = Recorder(lambda request: reply(fixture("node/APIClient__05_GET_500.json"), 500))
    async with make_client(rec, max_retries=2) as client:
        with pytest.raises(TransientError) as caught:
            await client.get_identity()
    assert len(rec.requests) == 3 and "write_outcome" not in caught.value.details


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "failure", [reply({}, 503), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("x")]
)
async def test_post_is_never_retried_blindly(failure: Any) -> None:
    rec = Recorder([failure, reply(fixture("node/Payment__04_POST_200.json"))])
    async with make_client(rec) as client:
        with pytest.raises(TransientError) as caught:
            await client.create_payment(
                fb.PaymentDraft(invoiceid=1, amount=Decimal("5.00"), date=date(2024, 1, 1))
            )
    assert len(rec.requests) == 1
    assert caught.value.details["write_outcome"] == "unknown"


@pytest.mark.asyncio
async def test_post_is_retried_when_nothing_was_sent_or_on_429() -> None:
    sleeps = Sleeps()
    rec = Recorder(
        [
            httpx.ConnectError("refused"),
            reply(fixture("node/APIClient__07_GET_429.json"), 429, {"Retry-After": "7"}),
            reply(fixture("node/Payment__04_POST_200.json")),
        ]
    )
    async with make_client(rec, sleeps=sleeps) as client:
        payment = await client.create_payment(
            fb.PaymentDraft(invoiceid=1, amount=Decimal("5"), date=date(2024, 1, 1))
        )
    assert payment.id == 115804 and len(rec.requests) == 3
    assert 7.0 in sleeps.calls  # Retry-After honoured


@pytest.mark.asyncio
async def test_429_slows_every_request_through_the_shared_backoff() -> None:
    sleeps = Sleeps()
    rec = Recorder(
        [
            reply({}, 429, {"Retry-After": "3"}),
            reply(fixture("java/get_tax_response.json")),
            reply(fixture("java/get_item_response.json")),
        ]
    )
    async with make_client(rec, sleeps=sleeps) as client:
        await client.create_tax(fb.TaxDraft(name="HST", amount=Decimal("13")))
        assert client.stats.rate_limited == 1
        await client.create_item(fb.ItemDraft(name="x", sku="x", unit_cost=Decimal("1")))
    assert sleeps.calls == [0.0, 3.0]


@pytest.mark.asyncio
async def test_429s_without_retry_after_are_survived_with_growing_backoff() -> None:
    sleeps = Sleeps()
    taxes_page = reply(fixture("java/list_taxes_response.json"))
    rec = Recorder([reply({}, 429), reply({}, 429), reply({}, 429), taxes_page])
    async with make_client(rec, sleeps=sleeps) as client:
        taxes = await client.list_taxes()
    assert taxes and client.stats.rate_limited == 3 and len(rec.requests) == 4
    waits = [s for s in sleeps.calls if s > 0]           # the shared backoff's pauses, no header to go by
    assert len(waits) == 3 and waits == sorted(waits) and waits[-1] > waits[0]


@pytest.mark.asyncio
async def test_long_retry_after_surfaces_as_rate_limited() -> None:
    rec = Recorder(lambda request: reply({}, 429, {"Retry-After": "600"}))
    async with make_client(rec) as client:
        with pytest.raises(RateLimitedError) as caught:
            await client.list_taxes()
    assert caught.value.retry_after == 600 and len(rec.requests) == 1


@pytest.mark.asyncio
async def test_delete_that_timed_out_then_404s_counts_as_done() -> None:
    rec = Recorder([httpx.ReadTimeout("slow"), reply(fixture("node/APIClient__04_GET_404.json"), 404)])
    async with make_client(rec) as client:
        await client.delete_invoice(7)
    assert [r.method for r in rec.requests] == ["DELETE", "DELETE"]


@pytest.mark.asyncio
async def test_plain_404_on_delete_is_not_found() -> None:
    rec = Recorder([reply(fixture("node/APIClient__04_GET_404.json"), 404)])
    async with make_client(rec) as client:
        with pytest.raises(NotFoundError):
            await client.delete_invoice(7)


@pytest.mark.asyncio
async def test_non_json_error_page_is_judged_by_status() -> None:
    rec = Recorder([httpx.Response(418, content=b"<html>teapot</html>")])
    async with make_client(rec) as client:
        with pytest.raises(PermanentError):
            await client.get_invoice(1)


@pytest.mark.asyncio
async def test_no_token_in_any_log_line_or_error() -> None:
    lines: list[str] = []
    echo = {"error": "invalid_token", "error_description": f"The access token Bearer {TOKEN} is invalid"}
    rec = Recorder(
        [
            reply(fixture("java/get_client_response.json")),
            reply(echo, 401),
            reply({}, 503),
            httpx.ConnectError(f"Authorization: Bearer {TOKEN}"),
        ]
    )
    async with make_client(rec, log_lines=lines, max_retries=0) as client:
        await client.get_client(12345)
        errors = []
        for _ in range(3):
            with pytest.raises(BigBooksError) as caught:
                await client.get_client(12345)
            errors.append(caught.value)
    assert rec.requests[0].headers["authorization"] == f"Bearer {TOKEN}"  # it was sent...
    assert len(lines) >= 8 and any("authorization" in line.lower() for line in lines)
    for text in [
        *lines,
        *(str(e) for e in errors),
        *(repr(e.to_dict()) for e in errors),
        *(repr(e.details) for e in errors),
    ]:
        assert TOKEN not in text  # ...and never shown
    assert isinstance(errors[0], AuthExpiredError)
