"""A profile's rules and templates in the engine, against the sandbox: skip, inbox (then fixed by changing the
rule and retrying), draft and set_field rules; each template syncs the store exactly once with the totals."""

from __future__ import annotations

from typing import Any

import pytest
from sync_harness import check_books, rig

from bigbooks_desktop.connectors.bigcommerce import wire
from bigbooks_desktop.core import inbox_views as iv
from bigbooks_desktop.mapping.eligibility import is_invoiceable
from bigbooks_desktop.mapping.profile import MappingProfile
from bigbooks_desktop.mapping.profile_templates import PAID_STATUS_IDS, TEMPLATES
from bigbooks_desktop.mapping.rules import DraftAction, InboxAction, Rule, SetFieldAction, SkipAction
from bigbooks_desktop.service.inbox_causes import cause_of
from bigbooks_desktop.store.error_queue import ACTIVE_STATUSES, list_errors, retry_error_now
from bigbooks_desktop.store.order_copies import get_order_copy


def _eligible(state: dict[str, Any], profile: MappingProfile) -> list[int]:
    orders = [wire.parse_order(raw) for raw in state["bigcommerce"]["orders"]]
    return sorted(o.id for o in orders if is_invoiceable(o, profile))


def _invoices(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The sync's invoices (the sandbox account also holds one entered by hand)."""
    return {i["invoice_number"]: i for i in state["freshbooks"]["invoices"]
            if i["vis_state"] != 1 and i["invoice_number"].startswith("BC-")}


def _clean(books: dict[str, Any], *, missing: set[int] | None = None) -> None:
    assert books["duplicates"] == {} and books["wrong_total"] == [] and books["wrong_tax"] == []
    assert books["unexpected"] == [] and set(books["missing"]) == (missing or set())


@pytest.mark.asyncio
async def test_skip_draft_and_set_field_rules() -> None:
    async with rig(orders=40) as r:
        # two orders awaiting payment (a bank deposit), invoiced by this profile: the rule keeps them drafts
        drafted = [(await r.admin("POST", "/orders", {"status_id": 7}))["id"] for _ in range(2)]
        statuses = (*MappingProfile().invoice_status_ids, 7)
        eligible = _eligible(r.state(), MappingProfile())
        skipped, with_po = eligible[:2], eligible[4:7]
        for order_id in with_po:      # a "PO Number" checkout field, as a B2B store asks for one
            billing = r.sandbox.bigcommerce.record(order_id)["order"]["billing_address"]
            billing["form_fields"] = [{"name": "PO Number", "value": f"PO-{order_id}"}]
        r.profile = MappingProfile(invoice_status_ids=statuses, rules=(
            Rule(name="Booked elsewhere", when=f"order.id in {skipped}",
                 action=SkipAction(reason="Invoiced by the wholesale team")),
            Rule(name="Review", when="order.status_id == 7", action=DraftAction()),
            Rule(name="PO from checkout", when="custom_fields.po_number != ''", action=SetFieldAction(
                target="invoice.po_number", value_expression="custom_fields.po_number")),
        ))
        summary = await r.sync()
        assert summary.results["skipped"] == 2 and summary.counts["orders_skipped"] >= 2
        state = r.state()
        _clean(check_books(state, r.profile), missing=set(skipped))
        invoices = _invoices(state)
        for order_id in skipped:
            copy = get_order_copy(order_id)
            assert copy is not None and copy.outcome == "skipped"
            assert copy.note == "Skipped by rule “Booked elsewhere”: Invoiced by the wholesale team"
        for order_id in drafted:          # unpaid, so only the rule decides: still a draft
            assert invoices[f"BC-{order_id}"]["status"] == 1, order_id
        sent = [i for i in eligible if i not in skipped]
        assert all(invoices[f"BC-{i}"]["status"] != 1 for i in sent)
        assert {invoices[f"BC-{i}"]["po_number"] for i in with_po} == {f"PO-{i}" for i in with_po}
        assert invoices[f"BC-{sent[-1]}"]["po_number"] == str(sent[-1])          # the mapping's default
        # a second run writes nothing new: the skipped orders stay skipped, nothing is rewritten
        again = await r.sync()
        assert again.counts.get("invoices_created", 0) == 0 and again.counts.get("invoices_updated", 0) == 0
        assert len(_invoices(r.state())) == len(invoices)


@pytest.mark.asyncio
async def test_inbox_rule_then_fixed_by_changing_the_rule_and_retrying() -> None:
    async with rig(orders=40) as r:
        held = _eligible(r.state(), r.profile)[0]
        hold = Rule(name="Big order check", when=f"order.id == {held}",
                    action=InboxAction(message="Wholesale order: check the PO before invoicing"))
        r.profile = MappingProfile(rules=(hold,))
        await r.sync()
        rows = list_errors(status=ACTIVE_STATUSES, order_id=held)
        assert len(rows) == 1
        row = rows[0]
        assert "Wholesale order: check the PO before invoicing" in row.message and "Big order check" in row.message
        assert row.cause == {"code": "rule", "rule": "Big order check"}
        assert cause_of(row)[1] is iv.CauseCode.RULE
        _clean(check_books(r.state(), r.profile), missing={held})

        r.profile = MappingProfile(rules=(hold.model_copy(update={"enabled": False}),))
        retry_error_now(row.id)
        summary = await r.sync()
        assert summary.counts["orders_synced"] >= 1
        assert list_errors(status=ACTIVE_STATUSES, order_id=held) == []
        _clean(check_books(r.state(), r.profile))


@pytest.mark.asyncio
async def test_a_rule_that_cannot_run_sends_the_order_to_the_inbox_naming_it() -> None:
    async with rig(orders=40) as r:
        r.profile = MappingProfile(rules=(Rule(name="Bad maths", when="order.total_inc_tax / 0 > 1",
                                               action=DraftAction()),))
        await r.sync()
        rows = list_errors(status=ACTIVE_STATUSES)
        eligible = set(_eligible(r.state(), r.profile))
        assert {e.order_id for e in rows} >= eligible
        assert all(e.cause.get("rule") == "Bad maths" and e.cause.get("broken") for e in rows
                   if e.order_id in eligible)
        assert _invoices(r.state()) == {}


@pytest.mark.asyncio
@pytest.mark.parametrize("name", sorted(TEMPLATES))
async def test_each_template_syncs_the_store_exactly_once(name: str) -> None:
    async with rig(orders=40) as r:
        r.profile = TEMPLATES[name].build()
        assert [i for i in r.profile.check() if i.severity == "error"] == []
        await r.sync()
        state = r.state()
        unpaid = set()
        if name == "paid_only":
            unpaid = {o.id for o in map(wire.parse_order, state["bigcommerce"]["orders"])
                      if is_invoiceable(o, r.profile) and o.status_id not in PAID_STATUS_IDS}
        books = check_books(state, r.profile)
        no_email = {e.order_id for e in list_errors(status=ACTIVE_STATUSES) if e.cause.get("code") == "missing_email"}
        _clean(books, missing=unpaid | no_email)
        assert books["invoices"] >= 10
        again = await r.sync()                                     # exactly once: a second run adds nothing
        assert check_books(r.state(), r.profile)["invoices"] == books["invoices"]
        assert again.counts.get("invoices_created", 0) == 0
        invoices = _invoices(state)
        if name == "drafts_for_review":
            # a payment marks a draft sent (as FreshBooks does); an unpaid one stays a draft
            assert all(i["status"] == 1 for i in invoices.values() if i["paid"]["amount"] in ("0", "0.00"))
        if name == "sku_in_descriptions":
            described = [line["description"] for i in invoices.values() for line in i["lines"]
                         if line["description"].startswith("SKU: ")]
            assert len(described) >= 10
        if name == "b2b":
            assert all(i["terms"] == "Net 30" and i["due_offset_days"] == 30 for i in invoices.values())
            clients = [c for c in state["freshbooks"]["clients"] if c["vis_state"] == 0]
            assert all(c["organization"] for c in clients)
