"""The mapping editor's service calls, without Qt: a profile as a draft and back losing nothing (a draft saved
unchanged stores nothing new), map/unmap/transforms/rules each answering a new draft with its issues in place,
save and put in use, the preview of a draft on the sandbox's orders, and suggestions with recent orders as
samples."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import pytest_asyncio

from bigbooks_desktop.core.errors import ValidationError
from bigbooks_desktop.core.mapping_editor_views import IssueWhere, RuleActionKind, RuleView, SourceKind
from bigbooks_desktop.core.profile_views import IssueSeverity, PreviewOutcome
from bigbooks_desktop.mapping.profile import default_profile
from bigbooks_desktop.mapping.profile_templates import TEMPLATES
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.service import BigBooksService
from bigbooks_desktop.service.editor_convert import build_profile, draft_of

NAME = "Standard invoices"


@pytest_asyncio.fixture
async def service() -> AsyncIterator[BigBooksService]:
    made = BigBooksService()
    try:
        yield made
    finally:
        await made.aclose()


@pytest_asyncio.fixture
async def signed_in() -> AsyncIterator[BigBooksService]:
    sandbox = Sandbox(SandboxConfig(orders=12, seed=5, time_scale=1000.0))
    made = BigBooksService(transport=sandbox.transport())
    await made.connect_sandbox("http://sandbox.test/_sandbox")
    try:
        yield made
    finally:
        await made.aclose()


@pytest.mark.parametrize("key", ["default", *TEMPLATES])
def test_every_template_comes_back_from_its_draft_unchanged(key: str) -> None:
    profile = default_profile() if key == "default" else TEMPLATES[key].build()
    draft = draft_of(profile, None)
    rebuilt, issues = build_profile(draft)
    assert rebuilt.to_json() == profile.to_json()
    assert [i for i in issues if i.severity is IssueSeverity.ERROR] == []


@pytest.mark.asyncio
async def test_a_draft_saved_unchanged_stores_nothing_new(service: BigBooksService) -> None:
    draft = await service.editor_open()
    assert (draft.name, draft.version) == (NAME, None)
    assert draft.profile_json == default_profile().to_json()
    first = await service.editor_save(draft, "first")
    assert (first.version, first.created) == (1, True)
    again = await service.editor_save(await service.editor_open(NAME), "again")
    assert (again.version, again.created) == (1, False)
    assert len(await service.profile_history(NAME)) == 1
    # a step's settings shown as text and read back (not from its stored JSON) are the same step
    reopened = await service.editor_open(NAME)
    stripped = replace(reopened, field_mappings=tuple(
        replace(m, transforms=tuple(replace(t, raw_json="") for t in m.transforms if t.name != "lookup"))
        if m.target != "client.note" else m for m in reopened.field_mappings))
    assert (await service.editor_save(stripped)).created is False


@pytest.mark.asyncio
async def test_map_unmap_and_transforms_recheck_the_draft(service: BigBooksService) -> None:
    draft = await service.editor_open()
    mapped = service.editor_map(draft, "client.currency_code", "order.customer_message")
    found = mapped.mapping("client.currency_code")
    assert found is not None and (found.source_kind, found.source_text) == (SourceKind.PATH, "order.customer_message")
    assert [i.severity for i in mapped.mapping_issues("client.currency_code")] == [IssueSeverity.WARNING]  # length
    cut = service.editor_set_transforms(mapped, "client.currency_code", [service.editor_new_transform("truncate")])
    assert cut.mapping_issues("client.currency_code") == ()
    wrong = service.editor_map(draft, "invoice.invoice_number", "line.name")        # a line field on the invoice
    assert [i.part for i in wrong.mapping_issues("invoice.invoice_number")] == ["source"]
    assert not wrong.valid
    with pytest.raises(ValidationError):
        await service.editor_save(wrong)
    bad_step = service.editor_set_transforms(draft, "line.name", [
        replace(service.editor_new_transform("truncate"), params=(("length", "zero"), ("ellipsis", "false")))])
    issue = bad_step.mapping_issues("line.name")[0]
    assert (issue.where, issue.part) == (IssueWhere.MAPPING, "transform 1")
    assert "Cut to length" in issue.message
    unmapped = service.editor_unmap(draft, "invoice.po_number")
    assert unmapped.mapping("invoice.po_number") is None
    assert len(unmapped.field_mappings) == len(draft.field_mappings) - 1
    constant = service.editor_set_source(unmapped, "invoice.terms", SourceKind.CONSTANT, "Net 30")
    terms = constant.mapping("invoice.terms")
    assert terms is not None and terms.source_text == "Net 30" and constant.valid


@pytest.mark.asyncio
async def test_rules_are_edited_moved_removed_and_their_problems_point_at_them(service: BigBooksService) -> None:
    draft = await service.editor_open()
    rule = RuleView(name="Big orders", when="order.total_inc_tax > 500", action_kind=RuleActionKind.DRAFT,
                    action_summary="")
    one = service.editor_set_rule(draft, None, rule)
    assert one.valid and one.rules[0].action_summary == "Create as a draft"
    broken = service.editor_set_rule(one, 0, replace(rule, when="order.total_inc_tax >"))
    assert broken.rules[0].when == "order.total_inc_tax >"            # kept as typed, though it does not read
    assert [(i.index, i.part) for i in broken.rule_issues(0)] == [(0, "when")]
    misspelt = service.editor_set_rule(one, 0, replace(rule, when="order.totl > 5"))
    assert "did you mean" in misspelt.rule_issues(0)[0].message
    terms = RuleView(name="Wholesale terms", when="customer.is_guest == false", action_kind=RuleActionKind.SET_TERMS,
                     action_summary="", action_params=(("due_days", "30"), ("terms_text", "Net 30")))
    two = service.editor_set_rule(one, None, terms)
    assert two.rules[1].action_summary == "Due in 30 days, “Net 30”"
    moved = service.editor_move_rule(two, 1, 0)
    assert [r.name for r in moved.rules] == ["Wholesale terms", "Big orders"]
    assert [r.name for r in service.editor_remove_rule(moved, 0).rules] == ["Big orders"]
    saved = await service.editor_save(moved, "rules")
    reopened = await service.editor_open(saved.name)
    assert [r.name for r in reopened.rules] == ["Wholesale terms", "Big orders"]
    assert reopened.rules[0].action_params == (("due_days", "30"), ("terms_text", "Net 30"))


@pytest.mark.asyncio
async def test_save_and_put_in_use(service: BigBooksService) -> None:
    draft = service.editor_set_source(await service.editor_open(), "invoice.terms", SourceKind.CONSTANT, "Net 30")
    saved = await service.editor_save(draft, "terms", activate=True)
    assert (saved.version, saved.active) == (1, True)
    active = await service.active_profile()
    assert active.version == 1
    assert any(m.target == "invoice.terms" for m in active.profile.field_mappings)


@pytest.mark.asyncio
async def test_preview_and_suggestions_read_the_sandbox(signed_in: BigBooksService) -> None:
    service = signed_in
    draft = service.editor_set_source(await service.editor_open(), "invoice.po_number", SourceKind.TEMPLATE,
                                      "PO-{order.id}")
    preview = await service.editor_preview(draft, orders=3)
    invoiced = [o for o in preview.orders if o.outcome is PreviewOutcome.INVOICE]
    assert invoiced and all(o.po_number == f"PO-{o.order_id}" for o in invoiced)
    suggestions = await service.editor_suggestions(service.editor_unmap(draft, "client.fname"))
    first = next(s for s in suggestions if s.target == "client.fname")
    assert first.source in ("customer.first_name", "billing_address.first_name") and 0 < first.confidence <= 1
    accepted = service.editor_accept(draft, [first])
    assert accepted.mapping("client.fname") is not None and accepted.valid
