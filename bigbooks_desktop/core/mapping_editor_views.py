"""The mapping editor's views: an editable draft of a profile (field mappings, rules, their issues) as frozen data.

The service (`service.mapping_editor`) turns a stored profile into an `EditorProfileView` and back; the window
edits drafts only through the service's `editor_*` functions, which answer a new draft with its issues
recomputed. Everything not edited here (policies, payment types...) travels inside `profile_json` untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bigbooks_desktop.core.profile_views import IssueSeverity

__all__ = [
    "EditorIssueView",
    "EditorProfileView",
    "FieldMappingView",
    "IssueWhere",
    "Params",
    "RuleActionKind",
    "RuleView",
    "SourceKind",
    "SuggestionView",
    "TransformChoiceView",
    "TransformView",
]

# (key, value as text) pairs: a transform's or a rule action's settings as the editor shows them
Params = tuple[tuple[str, str], ...]


class SourceKind(StrEnum):
    PATH = "path"             # an order field, e.g. billing_address.company
    CONSTANT = "constant"     # fixed text
    TEMPLATE = "template"     # text with {field} placeholders


class RuleActionKind(StrEnum):
    SKIP = "skip"
    INBOX = "inbox"
    DRAFT = "draft"
    SET_FIELD = "set_field"
    SET_TERMS = "set_terms"


class IssueWhere(StrEnum):
    MAPPING = "mapping"       # `key` is the mapping's target
    RULE = "rule"             # `key` is the rule's name, `index` its place
    PROFILE = "profile"


@dataclass(frozen=True, slots=True)
class TransformView:
    """One step of a mapping's chain. `raw_json`: the step as stored (kept so an unedited step is unchanged);
    empty for a step added in the editor."""

    name: str
    label: str
    params: Params
    raw_json: str = ""


@dataclass(frozen=True, slots=True)
class FieldMappingView:
    """Which source fills `target`: an order field's path, fixed text or a template (`source_text`)."""

    target: str
    target_label: str
    source_kind: SourceKind
    source_text: str
    transforms: tuple[TransformView, ...] = ()
    tidy_lines: bool = True       # templates: trim lines and leave out empty ones


@dataclass(frozen=True, slots=True)
class RuleView:
    """A rule as the editor lists it; `action_params` are the action's settings ("reason", "message",
    "target", "value_expression", "due_days", "terms_text"), `action_summary` says it in words."""

    name: str
    when: str
    action_kind: RuleActionKind
    action_summary: str
    enabled: bool = True
    action_params: Params = ()
    raw_json: str = ""


@dataclass(frozen=True, slots=True)
class EditorIssueView:
    """A problem pointing at its mapping (`index` in `field_mappings`) or rule (`index` in `rules`); `part`
    says which part ("source", "transform 2", "when", "action.value_expression"...)."""

    where: IssueWhere
    index: int
    key: str
    part: str
    severity: IssueSeverity
    message: str


@dataclass(frozen=True, slots=True)
class EditorProfileView:
    """An editable draft of a profile. `version` None: not stored yet (the built-in default, or a template).
    `profile_json` is the profile as opened, carrying every setting the editor does not show."""

    name: str
    version: int | None
    field_mappings: tuple[FieldMappingView, ...]
    rules: tuple[RuleView, ...]
    issues: tuple[EditorIssueView, ...]
    profile_json: str

    @property
    def valid(self) -> bool:
        return not any(i.severity is IssueSeverity.ERROR for i in self.issues)

    def mapping(self, target: str) -> FieldMappingView | None:
        return next((m for m in self.field_mappings if m.target == target), None)

    def mapping_issues(self, target: str) -> tuple[EditorIssueView, ...]:
        return tuple(i for i in self.issues if i.where is IssueWhere.MAPPING and i.key == target)

    def rule_issues(self, index: int) -> tuple[EditorIssueView, ...]:
        return tuple(i for i in self.issues if i.where is IssueWhere.RULE and i.index == index)


@dataclass(frozen=True, slots=True)
class TransformChoiceView:
    """A transform the editor can add (from the transforms registry)."""

    name: str
    label: str
    description: str


@dataclass(frozen=True, slots=True)
class SuggestionView:
    """A likely source for an unmapped target: `kind` path or template, `confidence` 0..1."""

    target: str
    target_label: str
    source: str
    kind: SourceKind
    confidence: float
    reasons: tuple[str, ...]
