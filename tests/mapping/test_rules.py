"""Mapping rules: order of evaluation, terminal and accumulating actions, broken rules sent to the inbox,
JSON round trip, and checks that point at the right rule, field and column."""

from __future__ import annotations

import json
from decimal import Decimal as D
from typing import Any

import pydantic
import pytest

from bigbooks_desktop.mapping.rules import (
    DraftAction,
    InboxAction,
    Rule,
    RuleError,
    RuleOutcome,
    SetFieldAction,
    SetTermsAction,
    SkipAction,
    apply_rules,
    check_rules,
    rules_from_json,
    rules_to_json,
)

ORDER: dict[str, Any] = {
    "order": {"id": 519, "channel_id": 2, "total_inc_tax": D("612.50"), "status": "Completed"},
    "customer": {"group_id": 3},
    "custom_fields": {"po_number": "A17"},
}
KNOWN = {"order.id": "integer", "order.channel_id": "integer", "order.total_inc_tax": "number",
         "order.status": "text", "customer.group_id": "integer", "custom_fields.*": "text"}
TARGETS = {"invoice.po_number": "text", "invoice.notes": "text", "invoice.discount_value": "number"}


def rule(name: str, when: str, action: Any, *, enabled: bool = True) -> Rule:
    return Rule(name=name, when=when, action=action, enabled=enabled)


def test_the_issues_example() -> None:
    big_wholesale = rule("Big wholesale orders", "order.channel_id == 2 and order.total_inc_tax > 500",
                         DraftAction())
    assert apply_rules([big_wholesale], ORDER) == RuleOutcome(draft=True, set_by={"draft": "Big wholesale orders"},
                                                              matched=("Big wholesale orders",))
    small = {**ORDER, "order": {**ORDER["order"], "total_inc_tax": D("500.00")}}
    assert apply_rules([big_wholesale], small) == RuleOutcome()
    assert check_rules([big_wholesale], KNOWN, TARGETS) == []


def test_no_rules_no_change() -> None:
    assert apply_rules([], ORDER) == RuleOutcome()


def test_rules_run_in_order_and_later_ones_override() -> None:
    outcome = apply_rules([
        rule("PO", "custom_fields.po_number != null", SetFieldAction(
            target="invoice.po_number", value_expression="'PO ' + custom_fields.po_number")),
        rule("Net 30", "true", SetTermsAction(due_days=30, terms_text="Net 30")),
        rule("Never", "false", SetFieldAction(target="invoice.po_number", value_expression="'no'")),
        rule("Group 3 PO", "customer.group_id == 3", SetFieldAction(
            target="invoice.po_number", value_expression="'G3-' + custom_fields.po_number")),
        rule("Net 15", "order.total_inc_tax < 1000", SetTermsAction(due_days=15)),
        rule("Notes", "true", SetFieldAction(target="invoice.notes", value_expression="lower(order.status)")),
        rule("Off", "true", DraftAction(), enabled=False),
    ], ORDER)
    assert outcome.fields == {"invoice.po_number": "G3-A17", "invoice.notes": "completed"}
    assert (outcome.due_days, outcome.terms_text) == (15, None)  # set_terms replaces the earlier terms whole
    assert outcome.set_by == {"invoice.po_number": "Group 3 PO", "terms": "Net 15", "invoice.notes": "Notes"}
    assert outcome.matched == ("PO", "Net 30", "Group 3 PO", "Net 15", "Notes")
    assert not outcome.draft and outcome.skip_reason is None and outcome.inbox_message is None
    assert outcome.errors == ()


def test_skip_is_terminal_and_named() -> None:
    outcome = apply_rules([
        rule("Draft all", "true", DraftAction()),
        rule("Skip channel 2", "order.channel_id == 2", SkipAction(reason="Marketplace orders are booked apart")),
        rule("Inbox big", "order.total_inc_tax > 100", InboxAction(message="Check me")),
        rule("Later", "true", SetTermsAction(due_days=5)),
    ], ORDER)
    assert outcome.skip_reason == "Marketplace orders are booked apart"
    assert outcome.decided_by == "Skip channel 2" and outcome.inbox_message is None
    assert outcome.matched == ("Draft all", "Skip channel 2") and outcome.due_days is None
    default_reason = apply_rules([rule("Quiet", "true", SkipAction())], ORDER)
    assert default_reason.skip_reason == "Skipped by rule “Quiet”"


def test_inbox_is_terminal_and_first_match_wins() -> None:
    outcome = apply_rules([
        rule("Not this", "order.channel_id == 1", SkipAction(reason="x")),
        rule("Big", "order.total_inc_tax > 100", InboxAction(message="Over 100: check the PO")),
        rule("Also big", "order.total_inc_tax > 50", InboxAction(message="Over 50")),
        rule("Skip", "true", SkipAction(reason="never reached")),
    ], ORDER)
    assert (outcome.inbox_message, outcome.decided_by, outcome.skip_reason) == ("Over 100: check the PO", "Big",
                                                                                None)
    assert outcome.matched == ("Big",)


def test_disabled_rules_do_not_run_even_when_broken() -> None:
    outcome = apply_rules([rule("Broken but off", "order.status > 5", SkipAction(), enabled=False),
                           rule("Draft", "true", DraftAction())], ORDER)
    assert outcome.draft and outcome.errors == () and outcome.matched == ("Draft",)


@pytest.mark.parametrize(("when", "field", "position", "words"), [
    ("order.status > 5", "when", 13, "Cannot order text and a number with '>' at column 14"),
    ("order.total_inc_tax", "when", None, "the condition gave a number, not true or false"),
    ("order.missing", "when", None, "the condition gave null, not true or false"),
    ("1 / 0 == 1", "when", 2, "Division by zero"),
])
def test_a_broken_condition_sends_the_order_to_the_inbox(when: str, field: str, position: int | None,
                                                         words: str) -> None:
    outcome = apply_rules([rule("Draft", "true", DraftAction()), rule("Bad one", when, SkipAction(reason="x")),
                           rule("Later", "true", SetTermsAction(due_days=1))], ORDER)
    assert outcome.skip_reason is None and outcome.decided_by == "Bad one"
    assert outcome.inbox_message is not None and outcome.inbox_message.startswith("Rule 2 “Bad one” could not run")
    assert words in outcome.inbox_message
    assert outcome.errors == (RuleError(1, "Bad one", field, position, outcome.errors[0].message),)
    assert words in outcome.errors[0].message
    assert outcome.matched == ("Draft",) and outcome.due_days is None  # later rules did not run


def test_a_broken_value_sends_the_order_to_the_inbox() -> None:
    outcome = apply_rules([rule("PO", "true", SetFieldAction(target="invoice.po_number",
                                                             value_expression="'PO ' + order.id"))], ORDER)
    assert outcome.errors[0].field == "action.value_expression" and outcome.errors[0].position == 6
    assert outcome.fields == {} and outcome.inbox_message is not None and "joins text to text" in outcome.inbox_message


def test_values_are_checked_against_targets_when_given() -> None:
    rules = [rule("Discount", "true", SetFieldAction(target="invoice.discount_value", value_expression="'ten'"))]
    assert apply_rules(rules, ORDER).fields == {"invoice.discount_value": "ten"}
    refused = apply_rules(rules, ORDER, targets=TARGETS)
    assert refused.inbox_message is not None and "invoice.discount_value needs a number, not text" in (
        refused.inbox_message)
    unknown = [rule("X", "true", SetFieldAction(target="invoice.nope", value_expression="1"))]
    assert "not a known invoice field" in (apply_rules(unknown, ORDER, targets=TARGETS).inbox_message or "")
    fine = [rule("D", "true", SetFieldAction(target="invoice.discount_value", value_expression="order.id / 100"))]
    assert apply_rules(fine, ORDER, targets=TARGETS).fields == {"invoice.discount_value": D("5.19")}


def test_json_round_trip() -> None:
    rules = (
        rule("Skip tests", "lower(order.status) == 'test'", SkipAction(reason="Test order")),
        rule("Draft big", "order.total_inc_tax > 500", DraftAction(), enabled=False),
        rule("PO", "custom_fields.po_number != null",
             SetFieldAction(target="invoice.po_number", value_expression="\"PO \" + custom_fields.po_number")),
        rule("Net 30", "customer.group_id in [3, 4]", SetTermsAction(due_days=30, terms_text="Net 30")),
        rule("Check", "order.channel_id == 9", InboxAction(message="Channel 9 needs a look")),
    )
    text = rules_to_json(rules)
    assert [item["action"]["kind"] for item in json.loads(text)] == ["skip", "draft", "set_field", "set_terms",
                                                                       "inbox"]
    assert rules_from_json(text) == rules
    assert Rule.model_validate_json(rules[2].model_dump_json()) == rules[2]
    assert rules[0].parsed() is rules[0].parsed() and rules[0].parsed().fields == {"order.status"}


@pytest.mark.parametrize(("payload", "words"), [
    ({"name": "x", "when": "order.id ==", "action": {"kind": "draft"}}, "found the end at column 12"),
    ({"name": "x", "when": "order.__class__", "action": {"kind": "draft"}}, "column 7"),
    ({"name": "x", "when": "true", "action": {"kind": "explode"}}, "does not match any of the expected tags"),
    ({"name": "x", "when": "true", "action": {"kind": "draft", "extra": 1}}, "Extra inputs are not permitted"),
    ({"name": "x", "when": "true", "action": {"kind": "set_terms", "due_days": 366}}, "less than or equal to 365"),
    ({"name": "x", "when": "true", "action": {"kind": "set_terms", "due_days": -1}}, "greater than or equal to 0"),
    ({"name": "x", "when": "true", "action": {"kind": "inbox", "message": ""}}, "at least 1 character"),
    ({"name": "x", "when": "true", "action": {"kind": "set_field", "target": "invoice._x",
                                              "value_expression": "1"}}, "should match pattern"),
    ({"name": "x", "when": "true", "action": {"kind": "set_field", "target": "invoice.po",
                                              "value_expression": "open('x')"}}, "Unknown function open()"),
    ({"name": "", "when": "true", "action": {"kind": "draft"}}, "at least 1 character"),
    ({"name": "x", "when": "true", "action": {"kind": "draft"}, "priority": 1}, "Extra inputs are not permitted"),
])
def test_bad_rules_are_refused(payload: dict[str, Any], words: str) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Rule.model_validate(payload)
    assert words in str(caught.value)


def test_rules_are_frozen() -> None:
    with pytest.raises(pydantic.ValidationError):
        rule("x", "true", DraftAction()).enabled = False


def test_model_copy_keeps_parsed_in_step() -> None:
    first = rule("x", "order.id == 519", DraftAction())
    changed = first.model_copy(update={"when": "order.id == 1"})
    assert apply_rules([first], ORDER).draft and not apply_rules([changed], ORDER).draft


def test_check_rules_points_at_rule_field_and_position() -> None:
    rules = [
        rule("Fine", "order.channel_id == 2 and order.total_inc_tax > 500", DraftAction()),
        rule("Typo", "order.channel_id == 2 and order.totl_inc_tax > 500", DraftAction()),
        rule("Not a condition", "order.total_inc_tax", SkipAction()),
        rule("Bad target", "true", SetFieldAction(target="invoice.po_numbr", value_expression="'x'")),
        rule("Bad value", "true", SetFieldAction(target="invoice.discount_value",
                                                 value_expression="'PO ' + custom_fields.po")),
        rule("Fine", "false", SetTermsAction(due_days=0), enabled=False),
    ]
    issues = check_rules(rules, KNOWN, TARGETS)
    found = [(i.index, i.rule, i.field, i.position, i.suggestion) for i in issues]
    assert found == [
        (1, "Typo", "when", 26, "order.total_inc_tax"),
        (2, "Not a condition", "when", 0, None),
        (3, "Bad target", "action.target", None, "invoice.po_number"),
        (4, "Bad value", "action.value_expression", 0, None),
        (5, "Fine", "name", None, None),
    ]
    messages = [i.message for i in issues]
    assert messages[0] == "Unknown field order.totl_inc_tax at column 27; did you mean order.total_inc_tax?"
    assert "a condition (true/false) is needed" in messages[1]
    assert messages[2] == "Unknown invoice field invoice.po_numbr; did you mean invoice.po_number?"
    assert "This gives text, but a number is needed" in messages[3]
    assert "Another rule is already called “Fine”" in messages[4]


def test_check_rules_type_of_value_against_target() -> None:
    ok = [rule("PO", "true", SetFieldAction(target="invoice.po_number", value_expression="custom_fields.po")),
          rule("Disc", "true", SetFieldAction(target="invoice.discount_value",
                                              value_expression="round(order.total_inc_tax * 0.05, 2)"))]
    assert check_rules(ok, KNOWN, TARGETS) == []
    bad = [rule("Disc", "true", SetFieldAction(target="invoice.discount_value", value_expression="order.x > 1"))]
    assert [(i.field, i.position) for i in check_rules(bad, KNOWN, TARGETS)] == [
        ("action.value_expression", 0), ("action.value_expression", 0)]
