"""The facade's stored mapping profiles: save, put in use, history, restore, checks, the preview of a candidate
profile on the sandbox's last orders, and the version a sync records on the links it writes."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from bigbooks_desktop.core.errors import NotFoundError, ValidationError
from bigbooks_desktop.core.profile_views import PreviewOutcome, ProfileAuthor
from bigbooks_desktop.mapping.profile import MappingProfile, default_profile
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.service import BigBooksService
from bigbooks_desktop.store import links

NAME = "Standard invoices"
BAD_RULE = {"name": "Nope rule", "when": "order.nope == 1", "action": {"kind": "skip"}}


def _with_invoice_number(template: str) -> MappingProfile:
    data = json.loads(default_profile().to_json())
    for mapping in data["field_mappings"]:
        if mapping["target"] == "invoice.invoice_number":
            mapping["source"] = {"kind": "template", "text": template}
    return MappingProfile.from_json(json.dumps(data))


@pytest.mark.asyncio
async def test_save_activate_history_restore_and_the_profile_the_sync_uses() -> None:
    service = BigBooksService()
    try:
        active = await service.active_profile()
        assert (active.name, active.version, active.activated_at) == (NAME, None, None)
        assert await service.profiles() == ()
        first = await service.save_profile(default_profile(), note="first")
        assert (first.version, first.active, first.created, first.created_by) == (1, True, True, ProfileAuthor.WINDOW)
        same = await service.save_profile(default_profile(), note="again")
        assert (same.version, same.created) == (1, False)

        allocate = default_profile().model_copy(update={"discount_policy": "allocate"})
        second = await service.save_profile(allocate, note="spread discounts", activate=False)
        assert (second.version, second.active) == (2, False)
        assert service.profile.discount_policy == "lines"                  # v1 still in use
        await service.activate_profile(NAME, 2, created_by=ProfileAuthor.CLI)
        assert service.profile.discount_policy == "allocate"
        assert (await service.active_profile()).version == 2
        assert [(v.version, v.active, v.note) for v in await service.profile_history(NAME)] == [
            (2, True, "spread discounts"), (1, False, "first")]

        restored = await service.restore_profile(NAME, 1)
        assert (restored.version, restored.note, restored.active) == (3, "restored from v1", True)
        assert service.profile.discount_policy == "lines"
        assert [(a.version, a.note) for a in await service.profile_activations()][:2] == [
            (3, "restored from v1"), (2, "")]
        [summary] = await service.profiles()
        assert (summary.name, summary.latest_version, summary.versions, summary.active_version) == (NAME, 3, 3, 3)

        exported = await service.export_profile(NAME, 2)
        assert MappingProfile.from_json(exported).discount_policy == "allocate"
        with pytest.raises(NotFoundError, match="no mapping profile called"):
            await service.activate_profile("Nope")
        with pytest.raises(NotFoundError, match="has no version 9; it has versions 1 to 3"):
            await service.export_profile(NAME, 9)

        service.profile = allocate                       # set on this service only (tests, the demo)
        assert service.profile.discount_policy == "allocate" and service._profile_in_use()[1] is None
        await service.activate_profile(NAME, 1)          # a version put in use here takes over again
        assert service.profile.discount_policy == "lines" and service._profile_in_use()[1] == 1
    finally:
        await service.aclose()


@pytest.mark.asyncio
async def test_a_bad_rule_is_refused_naming_it_and_a_file_that_is_not_json_says_so() -> None:
    service = BigBooksService()
    try:
        text = json.dumps({**json.loads(default_profile().to_json()), "rules": [BAD_RULE]})
        check = await service.check_profile(text)
        assert not check.valid and check.name == NAME
        assert [(e.place, "order.nope" in e.message) for e in check.errors] == [("rules[0] “Nope rule” when", True)]
        with pytest.raises(ValidationError, match=r"rules\[0\] “Nope rule” when") as refused:
            await service.import_profile(text, note="bad")
        assert refused.value.details["issues"][0]["place"] == "rules[0] “Nope rule” when"
        assert await service.profiles() == ()                                  # nothing stored
        with pytest.raises(ValidationError, match="not JSON"):
            service.profile_from_text("{oops")
        unknown = await service.check_profile('{"colour": "blue"}')
        assert not unknown.valid and unknown.errors[0].place == "colour"
        assert (await service.check_profile(default_profile().to_json())).valid
    finally:
        await service.aclose()


@pytest.mark.asyncio
async def test_preview_shows_the_last_orders_as_the_candidate_would_invoice_them_and_writes_nothing() -> None:
    sandbox = Sandbox(SandboxConfig(orders=30, seed=3, time_scale=1000.0))
    service = BigBooksService(transport=sandbox.transport())
    try:
        await service.connect_sandbox("http://sandbox.test/_sandbox")
        books_before = sandbox.state()["freshbooks"]
        preview = await service.preview_profile(_with_invoice_number("SHOP-{order.id}"), orders=8)
        assert len(preview.orders) == 8
        dates = [o.order_date for o in preview.orders]
        assert dates == sorted(dates, reverse=True)                            # the newest orders
        invoiced = [o for o in preview.orders if o.outcome is PreviewOutcome.INVOICE]
        assert invoiced, [(o.order_id, o.outcome, o.reason, o.errors) for o in preview.orders]
        for order in invoiced:
            assert order.invoice_number == f"SHOP-{order.order_id}" and order.client and order.lines
            assert order.total == sum((line.amount for line in order.lines), Decimal(0)) + (order.tax or 0)
        for order in preview.orders:
            if order.outcome is PreviewOutcome.SKIPPED:
                assert order.reason and not order.lines
            if order.outcome is PreviewOutcome.ERROR:
                assert order.errors and all(e.field and e.message for e in order.errors)
        by_currency = {t.currency: t for t in preview.totals}
        for currency, total in by_currency.items():
            mine = [o for o in invoiced if o.currency == currency]
            assert total.invoices == len(mine) and total.total == sum(o.total or 0 for o in mine)
        assert sandbox.state()["freshbooks"] == books_before                   # nothing written there
        assert await service.list_runs() == [] and (await service.list_orders(limit=5)).total == 0   # nor here
        with pytest.raises(ValidationError):
            await service.preview_profile(default_profile(), orders=0)
    finally:
        await service.aclose()


@pytest.mark.asyncio
async def test_a_sync_records_the_version_in_use_on_the_links_it_writes() -> None:
    sandbox = Sandbox(SandboxConfig(orders=20, seed=3, time_scale=1000.0))
    service = BigBooksService(transport=sandbox.transport())
    try:
        await service.connect_sandbox("http://sandbox.test/_sandbox")
        await service.save_profile(default_profile(), note="first")
        allocate = default_profile().model_copy(update={"discount_policy": "allocate"})
        saved = await service.save_profile(allocate, note="second")
        assert saved.version == 2 and saved.active
        summary = await service.sync_once(since=date(2000, 1, 1))
        assert summary.counts.invoices_created > 0
        written = [link for link in links.list_order_links(limit=1000) if link.invoice_id is not None]
        assert written and {link.profile_version for link in written} == {2}
    finally:
        await service.aclose()
