"""The mapping editor's conversions: a `MappingProfile` as an `EditorProfileView` draft and back, with every
problem (a setting that does not read, and the profile's own check) pointing at its mapping or rule. Qt-free.

Settings are shown as text: plain text as it is, numbers and true/false as written, lists of fields separated
by commas, tables as JSON. A step or rule that was not edited keeps its stored JSON (`raw_json`), so a draft
saved unchanged is the profile it was opened from, byte for byte.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable, Sequence
from typing import TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from bigbooks_desktop.core import mapping_editor_views as ev
from bigbooks_desktop.core.profile_views import IssueSeverity
from bigbooks_desktop.mapping.catalogue import TARGET_FIELDS
from bigbooks_desktop.mapping.field_mappings import ConstantSource, FieldMapping, PathSource, TemplateSource
from bigbooks_desktop.mapping.profile import MappingProfile
from bigbooks_desktop.mapping.rules import (
    DraftAction,
    InboxAction,
    Rule,
    SetFieldAction,
    SetTermsAction,
    SkipAction,
)
from bigbooks_desktop.mapping.transforms import TRANSFORMS, Transform, transform_adapter

__all__ = ["action_summary", "build_profile", "draft_of", "mapping_view", "new_transform", "recheck",
           "rule_view", "transform_view"]

_ACTIONS: dict[ev.RuleActionKind, type[BaseModel]] = {
    ev.RuleActionKind.SKIP: SkipAction, ev.RuleActionKind.INBOX: InboxAction, ev.RuleActionKind.DRAFT: DraftAction,
    ev.RuleActionKind.SET_FIELD: SetFieldAction, ev.RuleActionKind.SET_TERMS: SetTermsAction,
}
T = TypeVar("T")
V = TypeVar("V")
_OMIT = object()       # a setting left empty: the step's or action's default


# -- settings as text ---------------------------------------------------------------------------------------


def _kind(model: type[BaseModel], key: str) -> str:
    annotation = model.model_fields[key].annotation
    if annotation in (str, bool, int):
        return typing.cast("type", annotation).__name__
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        inner = [a for a in args if a is not type(None)]
        if inner in ([str], [int]):
            return f"optional {inner[0].__name__}"
    return "tuple" if typing.get_origin(annotation) is tuple else "json"


def _text(kind: str, value: object) -> str:
    if value is None:
        return ""
    if kind in ("str", "optional str"):
        return str(value)
    if kind == "bool":
        return "true" if value else "false"
    if kind in ("int", "optional int"):
        return str(value)
    if kind == "tuple":
        return ", ".join(str(v) for v in value) if isinstance(value, tuple | list) else str(value)
    return json.dumps(value, ensure_ascii=False)


def _value(kind: str, text: str) -> object:
    if kind == "str":
        return text
    if kind == "optional str":
        return text or None
    if kind == "tuple":
        return [part.strip() for part in text.split(",") if part.strip()]
    if not text.strip():
        return None if kind.startswith("optional") else _OMIT
    if kind == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return text.strip()        # int and bool: pydantic reads "30", "true", "no"


def _params(model: type[BaseModel], values: dict[str, object], skip: str) -> ev.Params:
    return tuple((key, _text(_kind(model, key), values.get(key))) for key in model.model_fields if key != skip)


def _values(model: type[BaseModel], params: ev.Params) -> dict[str, object]:
    values: dict[str, object] = {}
    for key, text in params:
        if key in model.model_fields:
            value = _value(_kind(model, key), text)
            if value is not _OMIT:
                values[key] = value
    return values


def _problem(exc: PydanticValidationError, *, drop: int = 0) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in tuple(error["loc"])[drop:])
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


# -- transforms -------------------------------------------------------------------------------------------


def transform_view(step: Transform) -> ev.TransformView:
    info = TRANSFORMS[step.name]
    return ev.TransformView(name=step.name, label=info.label,
                            params=_params(info.model, step.model_dump(), "name"), raw_json=step.model_dump_json())


def new_transform(name: str) -> ev.TransformView:
    """A step of the registry with its default settings (empty text where it has none)."""
    info = TRANSFORMS[name]
    values = {key: field.get_default(call_default_factory=True) for key, field in info.model.model_fields.items()
              if not field.is_required()}
    return ev.TransformView(name=name, label=info.label, params=_params(info.model, values, "name"))


def _transform(view: ev.TransformView) -> Transform:
    """The step `view` describes (its stored JSON when its settings were not changed); PydanticValidationError."""
    if view.raw_json:
        stored: Transform = transform_adapter.validate_json(view.raw_json)
        if transform_view(stored).params == view.params:
            return stored
    info = TRANSFORMS.get(view.name)
    if info is None:
        raise KeyError(view.name)
    return transform_adapter.validate_python({"name": view.name, **_values(info.model, view.params)})


# -- field mappings ---------------------------------------------------------------------------------------


def mapping_view(mapping: FieldMapping) -> ev.FieldMappingView:
    source = mapping.source
    target = TARGET_FIELDS.get(mapping.target)
    if isinstance(source, PathSource):
        kind, text, tidy = ev.SourceKind.PATH, source.path, True
    elif isinstance(source, ConstantSource):
        kind, text, tidy = ev.SourceKind.CONSTANT, source.value, True
    else:
        kind, text, tidy = ev.SourceKind.TEMPLATE, source.text, source.tidy_lines
    return ev.FieldMappingView(target=mapping.target, target_label=target.label if target else mapping.target,
                               source_kind=kind, source_text=text, tidy_lines=tidy,
                               transforms=tuple(transform_view(t) for t in mapping.transforms))


def _issue(where: ev.IssueWhere, index: int, key: str, part: str, message: str,
           severity: IssueSeverity = IssueSeverity.ERROR) -> ev.EditorIssueView:
    return ev.EditorIssueView(where=where, index=index, key=key, part=part, severity=severity, message=message)


def _mapping(view: ev.FieldMappingView, index: int) -> tuple[FieldMapping | None, list[ev.EditorIssueView]]:
    where, issues = ev.IssueWhere.MAPPING, list[ev.EditorIssueView]()
    source: PathSource | ConstantSource | TemplateSource
    if view.source_kind is ev.SourceKind.PATH:
        if not view.source_text.strip():
            return None, [_issue(where, index, view.target, "source", "Choose an order field")]
        source = PathSource(path=view.source_text.strip())
    elif view.source_kind is ev.SourceKind.CONSTANT:
        source = ConstantSource(value=view.source_text)
    else:
        source = TemplateSource(text=view.source_text, tidy_lines=view.tidy_lines)
    steps: list[Transform] = []
    for number, step in enumerate(view.transforms, start=1):
        try:
            steps.append(_transform(step))
        except PydanticValidationError as exc:
            issues.append(_issue(where, index, view.target, f"transform {number}",
                                 f"{step.label}: {_problem(exc, drop=1)}"))
        except KeyError:
            issues.append(_issue(where, index, view.target, f"transform {number}", f"Unknown step {step.name}"))
    return FieldMapping(target=view.target, source=source, transforms=tuple(steps)), issues


# -- rules ------------------------------------------------------------------------------------------------


def action_summary(kind: ev.RuleActionKind, params: ev.Params) -> str:
    """The action in words: "Skip: wholesale", "Set invoice.po_number = order.id", "Due in 30 days"."""
    value = dict(params)
    if kind is ev.RuleActionKind.SKIP:
        return "Skip" + (f": {value['reason']}" if value.get("reason") else "")
    if kind is ev.RuleActionKind.INBOX:
        return f"To the inbox: {value.get('message', '')}"
    if kind is ev.RuleActionKind.DRAFT:
        return "Create as a draft"
    if kind is ev.RuleActionKind.SET_FIELD:
        return f"Set {value.get('target', '?')} = {value.get('value_expression', '')}"
    terms = f", “{value['terms_text']}”" if value.get("terms_text") else ""
    return f"Due in {value.get('due_days', '?')} days{terms}"


def rule_view(rule: Rule) -> ev.RuleView:
    kind = ev.RuleActionKind(rule.action.kind)
    params = _params(_ACTIONS[kind], rule.action.model_dump(), "kind")
    return ev.RuleView(name=rule.name, when=rule.when, action_kind=kind, action_summary=action_summary(kind, params),
                       enabled=rule.enabled, action_params=params, raw_json=rule.model_dump_json())


def _same_rule(a: ev.RuleView, b: ev.RuleView) -> bool:
    return (a.name, a.when, a.action_kind, a.enabled, a.action_params) == \
        (b.name, b.when, b.action_kind, b.enabled, b.action_params)


def _rule(view: ev.RuleView, index: int) -> tuple[Rule | None, list[ev.EditorIssueView]]:
    if view.raw_json:
        stored = Rule.model_validate_json(view.raw_json)
        if _same_rule(rule_view(stored), view):
            return stored, []
    model = _ACTIONS[view.action_kind]
    data = {"name": view.name, "when": view.when, "enabled": view.enabled,
            "action": {"kind": view.action_kind.value, **_values(model, view.action_params)}}
    try:
        return Rule.model_validate(data), []
    except PydanticValidationError as exc:
        issues = []
        for error in exc.errors():
            location = tuple(str(p) for p in error["loc"] if p != view.action_kind.value)
            part = ".".join(location) or "rule"
            message = str(error["msg"]).removeprefix("Value error, ")
            issues.append(_issue(ev.IssueWhere.RULE, index, view.name, part, message))
        return None, issues


# -- the whole draft --------------------------------------------------------------------------------------


def _readable(views: Sequence[V], read: Callable[[V, int], tuple[T | None, list[ev.EditorIssueView]]],
              problems: list[ev.EditorIssueView]) -> tuple[list[T], list[int]]:
    """The parts of `views` that read (and at which index of the draft each stands); every issue into
    `problems`."""
    parts: list[T] = []
    at: list[int] = []
    for index, view in enumerate(views):
        part, found = read(view, index)
        problems += found
        if part is not None:
            parts.append(part)
            at.append(index)
    return parts, at


def build_profile(draft: ev.EditorProfileView) -> tuple[MappingProfile, list[ev.EditorIssueView]]:
    """The profile a draft describes, leaving out what does not read (each such part an issue), and every
    issue: those parts' and the profile's own check's, pointing at the draft's mappings and rules."""
    base = MappingProfile.from_json(draft.profile_json)
    problems: list[ev.EditorIssueView] = []
    mappings, mapping_at = _readable(draft.field_mappings, _mapping, problems)
    rules, rule_at = _readable(draft.rules, _rule, problems)
    profile = base.model_copy(update={"name": draft.name, "field_mappings": tuple(mappings),
                                      "rules": tuple(rules)})
    for issue in profile.check():
        mapped = issue.where == "field_mapping"
        at = (mapping_at if mapped else rule_at)[issue.index]
        message = issue.message
        if issue.suggestion and issue.suggestion not in message:
            message += f" (did you mean {issue.suggestion}?)"
        problems.append(_issue(ev.IssueWhere.MAPPING if mapped else ev.IssueWhere.RULE, at, issue.name,
                               issue.part, message,
                               IssueSeverity.WARNING if issue.severity == "warning" else IssueSeverity.ERROR))
    return profile, problems


def recheck(draft: ev.EditorProfileView, *, field_mappings: Sequence[ev.FieldMappingView] | None = None,
            rules: Sequence[ev.RuleView] | None = None) -> ev.EditorProfileView:
    """`draft` with new mappings and/or rules, and its issues found again."""
    changed = ev.EditorProfileView(
        name=draft.name, version=draft.version,
        field_mappings=tuple(draft.field_mappings if field_mappings is None else field_mappings),
        rules=tuple(draft.rules if rules is None else rules), issues=(), profile_json=draft.profile_json)
    _, issues = build_profile(changed)
    return ev.EditorProfileView(name=changed.name, version=changed.version, field_mappings=changed.field_mappings,
                                rules=changed.rules, issues=tuple(issues), profile_json=changed.profile_json)


def draft_of(profile: MappingProfile, version: int | None) -> ev.EditorProfileView:
    """A profile as a draft to edit."""
    draft = ev.EditorProfileView(name=profile.name, version=version,
                                 field_mappings=tuple(mapping_view(m) for m in profile.field_mappings),
                                 rules=tuple(rule_view(r) for r in profile.rules), issues=(),
                                 profile_json=profile.to_json())
    return recheck(draft)
