"""Mapping rules: a condition and an action each, run in the order the merchant sees them.

For a merchant. Each rule says *when* (a condition in the rule language, see `expressions.py`) and *what*:

- **skip**: do not invoice the order (with a reason you will see in the orders list);
- **inbox**: send the order to the inbox with your message, for a person to decide;
- **draft**: create the invoice as a draft instead of marking it sent;
- **set_field**: set an invoice field from an expression, e.g. target `invoice.po_number`, value
  `"PO " + custom_fields.po_number`;
- **set_terms**: payment due in N days (0 to 365), optionally with terms text.

Rules run top to bottom; disabled rules are passed over. The first matching *skip* or *inbox* rule decides and
the rules below it do not run. *draft*, *set_field* and *set_terms* add up, and when two rules set the same
thing the lower one wins; the outcome records which rule set each thing. A rule that cannot be evaluated (an
error, or a condition that is not true/false) is never quietly passed over: the order goes to the inbox with
a message naming the rule, so one broken rule cannot change the books unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from bigbooks_desktop.mapping.expressions import (
    KIND_WORDS,
    Expression,
    ExpressionError,
    ExpressionIssue,
    check,
    evaluate,
    kind_of,
    parse,
    suggest,
)

__all__ = [
    "DraftAction",
    "InboxAction",
    "Rule",
    "RuleAction",
    "RuleError",
    "RuleIssue",
    "RuleOutcome",
    "SetFieldAction",
    "SetTermsAction",
    "SkipAction",
    "apply_rules",
    "check_rules",
    "rules_from_json",
    "rules_to_json",
]

_PATH = r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$"
_MODEL = ConfigDict(extra="forbid", frozen=True)


@lru_cache(maxsize=1024)
def _parsed(text: str) -> Expression:
    """Parse once per distinct text (an Expression is immutable, so rules share them safely)."""
    return parse(text)


def _valid_expression(text: str) -> str:
    try:
        _parsed(text)
    except ExpressionError as err:
        raise ValueError(err.message) from None
    return text


# Expression text, refused at validation when it does not parse (the message gives the column)
ExpressionText = Annotated[str, AfterValidator(_valid_expression)]


class SkipAction(BaseModel):
    """Do not invoice the order."""

    model_config = _MODEL
    kind: Literal["skip"] = "skip"
    # shown in the orders list; empty says which rule skipped it
    reason: str = Field(default="", max_length=500)


class DraftAction(BaseModel):
    """Create the invoice as a draft instead of marking it sent."""

    model_config = _MODEL
    kind: Literal["draft"] = "draft"


class SetFieldAction(BaseModel):
    """Set an invoice field to the value of an expression."""

    model_config = _MODEL
    kind: Literal["set_field"] = "set_field"
    # the invoice field, e.g. invoice.po_number
    target: str = Field(pattern=_PATH, max_length=200)
    # rule-language expression giving the value, e.g. "PO " + custom_fields.po_number
    value_expression: ExpressionText


class SetTermsAction(BaseModel):
    """Payment terms: due in `due_days` days, with optional terms text."""

    model_config = _MODEL
    kind: Literal["set_terms"] = "set_terms"
    # days from the invoice date to the due date
    due_days: int = Field(ge=0, le=365)
    # terms printed on the invoice; None leaves FreshBooks' own
    terms_text: str | None = Field(default=None, max_length=2_000)


class InboxAction(BaseModel):
    """Send the order to the inbox with a message for a person to act on."""

    model_config = _MODEL
    kind: Literal["inbox"] = "inbox"
    # what the inbox shows, e.g. "Wholesale order: check the PO before invoicing"
    message: str = Field(min_length=1, max_length=500)


RuleAction = Annotated[SkipAction | DraftAction | SetFieldAction | SetTermsAction | InboxAction,
                       Field(discriminator="kind")]


class Rule(BaseModel):
    """When `when` is true for an order, do `action`. Unparsable `when` text is refused with its column."""

    model_config = _MODEL
    # how outcomes, the inbox and the editor name this rule
    name: str = Field(min_length=1, max_length=100)
    # a condition in the rule language, e.g. order.channel_id == 2 and order.total_inc_tax > 500
    when: ExpressionText
    # what happens when the condition is true
    action: RuleAction
    # a disabled rule is kept but does not run
    enabled: bool = True

    def parsed(self) -> Expression:
        """The parsed condition (cached by text)."""
        return _parsed(self.when)


_RULES = TypeAdapter(tuple[Rule, ...])


def rules_to_json(rules: Sequence[Rule]) -> str:
    """Stable JSON for storage and export."""
    return _RULES.dump_json(tuple(rules), indent=2).decode()


def rules_from_json(text: str | bytes) -> tuple[Rule, ...]:
    """Read rules written by `rules_to_json` (unknown fields and bad expressions are refused)."""
    return _RULES.validate_json(text)


@dataclass(frozen=True)
class RuleError:
    """A rule that could not run for one order: which rule, which part of it, where and why."""

    index: int  # 0-based place in the list
    rule: str
    field: str  # "when" or "action.value_expression"
    position: int | None
    message: str


@dataclass(frozen=True)
class RuleOutcome:
    """What the rules decided for one order.

    `skip_reason` / `inbox_message` are set when a terminal rule (or a failing one) decided, named by
    `decided_by`. `set_by` maps each thing set ("draft", "terms", or a field target) to the rule that set it.
    """

    skip_reason: str | None = None
    inbox_message: str | None = None
    decided_by: str | None = None
    draft: bool = False
    fields: dict[str, Any] = field(default_factory=dict)
    due_days: int | None = None
    terms_text: str | None = None
    set_by: dict[str, str] = field(default_factory=dict)
    matched: tuple[str, ...] = ()
    errors: tuple[RuleError, ...] = ()


def _fits(value: Any, wanted: str | None) -> bool:
    kind = kind_of(value)
    if wanted is None or kind == "null":
        return True
    return kind == ("number" if wanted == "integer" else wanted)


def apply_rules(rules: Sequence[Rule], data: Mapping[str, Any], *,
                targets: Mapping[str, str] | None = None) -> RuleOutcome:
    """Run the enabled rules in order against one order's data (see the module docstring).

    With `targets` (field target -> type name), a set_field value of the wrong kind is an error too.
    """
    draft, fields, set_by, matched = False, dict[str, Any](), dict[str, str](), list[str]()
    terms: tuple[int | None, str | None] = (None, None)

    def finish(**decision: Any) -> RuleOutcome:
        return RuleOutcome(draft=draft, fields=fields, due_days=terms[0], terms_text=terms[1], set_by=set_by,
                           matched=tuple(matched), **decision)

    def failed(index: int, rule: Rule, part: str, message: str, position: int | None) -> RuleOutcome:
        error = RuleError(index, rule.name, part, position, message)
        return finish(inbox_message=f"Rule {index + 1} “{rule.name}” could not run ({part}): {message}",
                      decided_by=rule.name, errors=(error,))

    for index, rule in enumerate(rules):
        if not rule.enabled:
            continue
        try:
            result = evaluate(rule.parsed(), data)
        except ExpressionError as err:
            return failed(index, rule, "when", err.message, err.position)
        if not isinstance(result, bool):
            return failed(index, rule, "when", f"the condition gave {KIND_WORDS[kind_of(result)]}, "
                          "not true or false", None)
        if not result:
            continue
        matched.append(rule.name)
        action = rule.action
        if isinstance(action, SkipAction):
            return finish(skip_reason=action.reason or f"Skipped by rule “{rule.name}”", decided_by=rule.name)
        if isinstance(action, InboxAction):
            return finish(inbox_message=action.message, decided_by=rule.name)
        if isinstance(action, DraftAction):
            draft, set_by["draft"] = True, rule.name
        elif isinstance(action, SetTermsAction):
            terms, set_by["terms"] = (action.due_days, action.terms_text), rule.name
        else:
            try:
                value = evaluate(_parsed(action.value_expression), data)
            except ExpressionError as err:
                return failed(index, rule, "action.value_expression", err.message, err.position)
            wanted = targets.get(action.target) if targets is not None else None
            if targets is not None and (wanted is None or not _fits(value, wanted)):
                problem = "is not a known invoice field" if wanted is None else (
                    f"needs {KIND_WORDS[wanted]}, not {KIND_WORDS[kind_of(value)]}")
                return failed(index, rule, "action.value_expression", f"{action.target} {problem}", None)
            fields[action.target], set_by[action.target] = value, rule.name
    return finish()


@dataclass(frozen=True)
class RuleIssue:
    """A problem in one rule, found without running it, for the editor to point at."""

    index: int  # 0-based place in the list
    rule: str
    field: str  # "name", "when", "action.target" or "action.value_expression"
    position: int | None  # 0-based character offset in that field's text, when it has one
    message: str
    suggestion: str | None = None


def _expression_issues(index: int, rule: Rule, part: str, text: str, known: Mapping[str, str],
                       expect: str | None) -> list[RuleIssue]:
    try:
        found: list[ExpressionIssue] = check(_parsed(text), known, expect=expect)
    except ExpressionError as err:  # only reachable for rules built without validation (model_construct)
        return [RuleIssue(index, rule.name, part, err.position, err.message, err.suggestion)]
    return [RuleIssue(index, rule.name, part, i.position, i.message, i.suggestion) for i in found]


def check_rules(rules: Sequence[Rule], known: Mapping[str, str], targets: Mapping[str, str]) -> list[RuleIssue]:
    """Problems in every rule (enabled or not): unknown fields and targets, conditions that are not
    true/false, values that do not fit their target, and names used twice."""
    issues: list[RuleIssue] = []
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        if rule.name in seen:
            issues.append(RuleIssue(index, rule.name, "name", None,
                                    f"Another rule is already called “{rule.name}”; give each rule its own name"))
        seen.add(rule.name)
        issues += _expression_issues(index, rule, "when", rule.when, known, "bool")
        action = rule.action
        if not isinstance(action, SetFieldAction):
            continue
        wanted = targets.get(action.target)
        if wanted is None:
            hint = suggest(action.target, targets)
            issues.append(RuleIssue(index, rule.name, "action.target", None, f"Unknown invoice field {action.target}"
                                    + (f"; did you mean {hint}?" if hint else ""), hint))
        issues += _expression_issues(index, rule, "action.value_expression", action.value_expression, known, wanted)
    return issues
