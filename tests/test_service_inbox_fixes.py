"""The inbox's fixes without Qt: rows grouped by the cause the engine records (never parsed from prose), each
fix saved where the engine reads it, retried through the sync coordinator until FreshBooks has the invoice,
ignore with a stored reason, every fix in the row's history, the raw payload as redacted JSON."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import pytest_asyncio

from bigbooks_desktop.core.errors import ErrorKind, ValidationError
from bigbooks_desktop.core.inbox_views import CauseCode, FixKind
from bigbooks_desktop.core.views import InboxStatus
from bigbooks_desktop.service.inbox_causes import cause_of
from bigbooks_desktop.service.inbox_fixes import valid_email
from bigbooks_desktop.store.error_queue import ErrorEntry, ErrorStage, ErrorStatus

pytestmark = pytest.mark.asyncio


def _entry(*, cause: dict[str, Any], kind: ErrorKind = ErrorKind.VALIDATION, title: str = "Order needs attention",
           stage: ErrorStage = ErrorStage.VALIDATE, payload: dict[str, Any] | None = None) -> ErrorEntry:
    now = datetime.now(UTC)
    return ErrorEntry(id=1, order_id=100, stage=stage, kind=kind, title=title, message="text never parsed",
                      payload=payload or {}, edits={}, attempts=1, next_retry_at=None, status=ErrorStatus.WAITING,
                      run_id=None, created_at=now, updated_at=now, resolved_at=None, cause=cause)


@pytest.mark.parametrize(("cause", "expected"), [
    ({"code": "missing_email"}, ("missing_email", CauseCode.MISSING_EMAIL, "no email", FixKind.EMAIL)),
    ({"code": "unknown_sku", "skus": ["MUG-1"]},
     ("unknown_sku:MUG-1", CauseCode.UNKNOWN_SKU, "unknown SKU MUG-1", FixKind.SKU_ITEM)),
    ({"code": "unknown_sku", "skus": ["TEE-2", "CAP-1"]},
     ("unknown_sku:CAP-1+TEE-2", CauseCode.UNKNOWN_SKU, "unknown SKUs CAP-1, TEE-2", FixKind.SKU_ITEM)),
    ({"code": "unknown_tax", "tax_name": "VAT", "rate": "20"},
     ("unknown_tax:VAT@20", CauseCode.UNKNOWN_TAX, "unknown tax VAT (20%)", FixKind.TAX)),
    ({"code": "ambiguous_invoice", "invoice_ids": [4, 5]},
     ("ambiguous_invoice", CauseCode.AMBIGUOUS_INVOICE, "may match an invoice entered by hand",
      FixKind.PICK_INVOICE)),
    ({}, ("other:validate:Order needs attention", CauseCode.OTHER, "Order needs attention", FixKind.NONE)),
])
async def test_causes_come_from_the_recorded_cause(cause: dict[str, Any], expected: tuple[Any, ...]) -> None:
    assert cause_of(_entry(cause=cause)) == expected


async def test_rows_without_a_cause_fall_back_on_kind_and_payload() -> None:
    assert cause_of(_entry(cause={}, kind=ErrorKind.TRANSIENT))[1] is CauseCode.TEMPORARY
    assert cause_of(_entry(cause={}, payload={"candidate_invoice_ids": [3]}))[1] is CauseCode.AMBIGUOUS_INVOICE


@pytest.mark.parametrize("bad", ["", "  ", "ann", "ann@", "@example.com", "ann@example", "a b@example.com",
                                 "ann@example.com, bob@example.com", "ann@@example.com"])
async def test_malformed_emails_are_refused_with_the_field(bad: str) -> None:
    with pytest.raises(ValidationError) as refused:
        valid_email(bad)
    assert refused.value.field == "email"


async def test_good_emails_are_trimmed() -> None:
    assert valid_email("  Ann.O'Neil+shop@mail.example.co.uk ") == "Ann.O'Neil+shop@mail.example.co.uk"


@pytest_asyncio.fixture
async def service() -> AsyncIterator[Any]:
    """40 orders, seed 7, unknown SKUs sent to the inbox; one sync through the coordinator."""
    from bigbooks_desktop import accounts
    from bigbooks_desktop.core.preferences import load_preferences, save_preferences
    from bigbooks_desktop.mapping.profile import default_profile
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread
    from bigbooks_desktop.service import BigBooksService

    save_preferences(load_preferences().model_copy(update={"backfill_start": date(2000, 1, 1)}))
    with SandboxThread(SandboxConfig(orders=40, seed=7, time_scale=200)) as sandbox:
        svc = BigBooksService(allow_file_store=True,
                              profile=default_profile().model_copy(update={"unknown_sku_policy": "inbox"}))
        await svc.connect_sandbox(sandbox.info["admin_url"])
        await svc.sync_now()
        yield svc
        await svc.close_sync()
        await svc.aclose()
        accounts.forget_shared_auth()


async def _invoice(number: str) -> Any:
    from bigbooks_desktop import accounts

    async with await accounts.open_freshbooks_client(allow_file_store=True) as freshbooks:
        return await freshbooks.find_invoice_by_number(number)


@pytest.mark.sockets
async def test_groups_fixes_retries_ignore_and_history(service: Any) -> None:
    from bigbooks_desktop.store.links import find_item_link

    groups = await service.inbox_groups()
    by_key = {g.key: g for g in groups.groups}
    assert groups.total == sum(g.count for g in groups.groups) > 5
    assert groups.groups[0].summary == "2 orders: unknown SKU POS-135"        # the biggest group first
    assert by_key["missing_email"].summary == "1 order: no email"

    # the email: refused when malformed (nothing saved), then saved, recorded and retried into an invoice
    email_row = by_key["missing_email"].items[0]
    with pytest.raises(ValidationError) as refused:
        await service.set_inbox_email(email_row.id, "not-an-email")
    assert refused.value.field == "email"
    untouched = await service.inbox_fix(email_row.id)
    assert untouched.item.edits == {} and untouched.history == () and untouched.fix is FixKind.EMAIL
    fixed = await service.set_inbox_email(email_row.id, " ann@example.com ")
    assert fixed.email == "ann@example.com" and fixed.history[-1].text == "Email set to ann@example.com"
    summary = await service.retry_inbox_items([email_row.id])
    assert summary.mode.value == "once"                                      # the coordinator's run
    assert (await _invoice(f"BC-{email_row.order_id}")) is not None

    # a SKU mapped to an existing item: every row of the group, and later orders (the stored link)
    mug = (await service.freshbooks_items(search="mug"))[0]
    assert all("mug" in i.name.lower() or "mug" in i.sku.lower() for i in await service.freshbooks_items(search="MUG"))
    pos = by_key["unknown_sku:POS-135"]
    detail = await service.inbox_fix(pos.items[0].id)
    assert [s.sku for s in detail.skus] == ["POS-135"] and detail.skus[0].price > 0
    await service.map_inbox_sku(pos.items[0].id, "POS-135", mug.id)
    link = find_item_link("POS-135")
    assert link is not None and link.item_id == mug.id
    await service.retry_inbox_cause(pos.key)
    for item in pos.items:
        assert (await _invoice(f"BC-{item.order_id}")) is not None

    # a SKU created as a new item by the next sync
    apr = by_key["unknown_sku:APR-152"].items[0]
    with pytest.raises(ValidationError):
        await service.create_inbox_item(apr.id, "APR-152", name="  ")
    created = await service.create_inbox_item(apr.id, "APR-152", name="Linen apron")
    assert created.skus[0].create_as == "Linen apron"
    await service.retry_inbox_items([apr.id])
    assert (await _invoice(f"BC-{apr.order_id}")) is not None
    assert any(i.sku == "APR-152" and i.name == "Linen apron" for i in await service.freshbooks_items(refresh=True))

    # ignore: a reason is required and kept
    bla = by_key["unknown_sku:BLA-134-S0"].items[0]
    with pytest.raises(ValidationError):
        await service.ignore_inbox_with_reason(bla.id, " ")
    ignored = await service.ignore_inbox_with_reason(bla.id, "a sample, invoiced by hand")
    assert ignored.status is InboxStatus.IGNORED
    shown = await service.inbox_fix(bla.id)
    assert shown.ignored_reason == "a sample, invoiced by hand"
    assert json.loads(shown.raw_json)["cause"]["skus"] == ["BLA-134-S0"]

    left = await service.inbox_groups()
    gone = {"missing_email", "unknown_sku:POS-135", "unknown_sku:APR-152", "unknown_sku:BLA-134-S0"}
    assert not gone & {g.key for g in left.groups} and left.total == groups.total - 5


@pytest.mark.sockets
async def test_an_unknown_tax_is_recorded_as_a_cause_and_mapped_only_to_the_same_rate(service: Any) -> None:
    """Taxes: with the "inbox" missing-tax policy the engine records which tax and rate; the fix refuses a
    FreshBooks tax of another rate."""
    from bigbooks_desktop.store import error_queue

    service.profile = service.profile.model_copy(update={"missing_tax_policy": "inbox", "tax_names": {}})
    rows = [e for e in error_queue.list_errors(status=error_queue.ACTIVE_STATUSES) if e.cause.get("code")
            == "unknown_tax"]
    if not rows:       # every tax this store charges already exists in FreshBooks: make one row fail on a tax
        target = next(iter((await service.inbox_groups()).groups)).items[0]
        entry = error_queue.record_error(target.order_id, ErrorStage.TAX, error_queue.ErrorDetails(
            kind=ErrorKind.VALIDATION, title="Order needs attention", message="x",
            cause={"code": "unknown_tax", "tax_name": "State Tax", "rate": "7.25", "freshbooks_name": "State Tax"}))
        rows = [entry]
    fix = await service.inbox_fix(rows[0].id)
    assert fix.fix is FixKind.TAX and fix.tax is not None and fix.code is CauseCode.UNKNOWN_TAX
    taxes = await service.freshbooks_taxes()
    other = next(t for t in taxes if t.rate.normalize() != fix.tax.rate.normalize())
    with pytest.raises(ValidationError) as refused:
        await service.map_inbox_tax(rows[0].id, other.name)
    assert refused.value.field == "tax"
    same = next((t for t in taxes if t.rate.normalize() == fix.tax.rate.normalize()), None)
    if same is None:           # the merchant makes the FreshBooks tax at that rate (as the advice says)
        from bigbooks_desktop.core import freshbooks as fb

        async with service._clients() as (_bigcommerce, freshbooks):
            await freshbooks.create_tax(fb.TaxDraft(name="State Sales Tax", amount=fix.tax.rate))
        same = next(t for t in await service.freshbooks_taxes(refresh=True)
                    if t.rate.normalize() == fix.tax.rate.normalize())
    if same is not None:
        mapped = await service.map_inbox_tax(rows[0].id, same.name)
        assert mapped.tax is not None and mapped.tax.mapped_to == same.name
        # kept for every later order: the profile in use gained the mapping, as its next stored version
        kept = await service.active_profile()
        assert kept.version is not None and kept.profile.tax_names[fix.tax.tax_name] == same.name
        assert kept.profile.missing_tax_policy == "inbox"          # the rest of the profile in use, unchanged
        assert "From the error inbox" in (await service.profile_history())[0].note
