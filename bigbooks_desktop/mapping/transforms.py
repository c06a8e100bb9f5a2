"""Transforms: the small steps that shape a value on its way into a FreshBooks field.

A field mapping reads a value (say the billing company) and may pass it through a chain of transforms, in
order: trim spaces, change case, cut to the field's length, fall back to another field when empty, join
or split text, look a value up in a table (status names, country names, a customer group's terms), write a
date or a number the way your books want it, replace text, add a prefix or suffix, drop empty lines, or
read text as a number. Each step says what it needs: a number format needs a number, a date format a date;
`check_chain` tells you before any order is synced when a chain cannot work, or when its result may be
longer than FreshBooks' field. Dates are written in the store's timezone; numbers are exact decimals, never
floating point, rounded half up like BigCommerce's money.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, TypeAdapter, field_validator

from bigbooks_desktop.mapping.catalogue import (
    TargetField,
    TargetScope,
    ValueType,
    path_problem,
    source_field,
    template_length,
    template_problems,
)
from bigbooks_desktop.mapping.countries import COUNTRY_NAMES
from bigbooks_desktop.mapping.format_transforms import DateFormat, NumberFormat, ToNumber
from bigbooks_desktop.mapping.source_data import is_empty, lookup, render_template
from bigbooks_desktop.mapping.transform_base import (
    ChainIssue,
    Flow,
    Step,
    TransformContext,
    fits,
    longest,
    path_length,
    text_of,
    type_noun,
)

__all__ = [
    "TRANSFORMS", "ChainIssue", "Concatenate", "DateFormat", "DefaultIfEmpty", "DropEmptyLines", "Flow",
    "Lookup", "Lower", "NumberFormat", "Prefix", "Replace", "Split", "Suffix", "TitleCase", "ToNumber",
    "Transform", "TransformContext", "TransformInfo", "Trim", "Truncate", "Upper", "apply_chain",
    "check_chain", "fits", "transform_adapter", "type_noun",
]

ELLIPSIS = "…"
_CASE_GROWTH = 3       # a character's upper/title case is at most 3 characters ("ΐ".upper() == "Ϊ́")


class Trim(Step):
    label: ClassVar[str] = "Trim spaces"
    description: ClassVar[str] = "Removes spaces and line breaks at the start and end."
    name: Literal["trim"] = "trim"

    def apply(self, value: Any, ctx: TransformContext) -> Any:
        return text_of(value, ctx).strip()


class _CaseStep(Step):
    def flow(self, before: Flow, max_length: int | None) -> Flow:
        return Flow("text", None if before.length is None else before.length * _CASE_GROWTH)


class Lower(_CaseStep):
    label: ClassVar[str] = "Lower case"
    description: ClassVar[str] = "jane@EXAMPLE.com -> jane@example.com"
    name: Literal["lower"] = "lower"

    def apply(self, value: Any, ctx: TransformContext) -> Any:
        return text_of(value, ctx).lower()


class Upper(_CaseStep):
    label: ClassVar[str] = "Upper case"
    description: ClassVar[str] = "sw1a 1aa -> SW1A 1AA"
    name: Literal["upper"] = "upper"

    def apply(self, value: Any, ctx: TransformContext) -> Any:
        return text_of(value, ctx).upper()


_WORD = re.compile(r"[^\s\-]+")


class TitleCase(_CaseStep):
    label: ClassVar[str] = "Title case"
    description: ClassVar[str] = "Capitalises each word and lowers the rest: jane DOE-smith -> Jane Doe-Smith."
    name: Literal["title"] = "title"

    def apply(self, value: Any, ctx: TransformContext) -> Any:
        return _WORD.sub(lambda m: m[0][:1].title() + m[0][1:].lower(), text_of(value, ctx))


class Truncate(Step):
    label: ClassVar[str] = "Cut to length"
    description: ClassVar[str] = ("Cuts text to a length (by default the FreshBooks field's), optionally ending "
                                  "with an ellipsis; never splits a letter from its accent.")
    name: Literal["truncate"] = "truncate"
    length: int | None = Field(default=None, ge=1)
    ellipsis: bool = False

    def apply(self, value: Any, ctx: TransformContext) -> Any:
        text = text_of(value, ctx)
        limit = self.length or ctx.max_length
        if limit is None or len(text) <= limit:
            return text
        cut = limit - (1 if self.ellipsis else 0)
        while cut > 0 and unicodedata.combining(text[cut]):
            cut -= 1        # text[cut] would be dropped: keep no base letter without its mark
        kept = text[:cut]
        return kept.rstrip() + ELLIPSIS if self.ellipsis else kept

    def flow(self, before: Flow, max_length: int | None) -> Flow:
        limit = self.length or max_length
        if limit is None:
            return Flow("text", before.length)
        return Flow("text", limit if before.length is None else min(limit, before.length))


class DefaultIfEmpty(Step):
    label: ClassVar[str] = "If empty, use"
    description: ClassVar[str] = ("When the value is empty, uses the first of these fields that is not, then "
                                  "the text (which may name fields: \"Product {line.product_id}\").")
    name: Literal["default_if_empty"] = "default_if_empty"
    paths: tuple[str, ...] = ()
    text: str = ""

    def apply(self, value: Any, ctx: TransformContext) -> Any:
        if not is_empty(value):
            return value
        for path in self.paths:
            found = lookup(ctx.data, path)
            if not is_empty(found):
                return found
        return render_template(self.text, ctx.data, timezone=ctx.timezone, tidy_lines=False) if self.text \
            else value

    def flow(self, before: Flow, max_length: int | None) -> Flow:
        types = {before.type}
        lengths = [before.length]
        for path in self.paths:
            found = source_field(path)
            types.add(found.type if found is not None else "text")
            lengths.append(path_length(path))
        if self.text:
            types.add("text")
            lengths.append(template_length(self.text))
        return Flow(types.pop() if len(types) == 1 else "text", longest(*lengths))

    def problems(self, before: Flow, scope: TargetScope) -> list[str]:
        found = [p for path in self.paths if (p := path_problem(path, scope)) is not None]
        return found + template_problems(self.text, scope)


class Concatenate(Step):
    label: ClassVar[str] = "Join with fields"
    description: ClassVar[str] = "Joins the value and these fields with a separator, skipping empty ones."
    name: Literal["concatenate"] = "concatenate"
    paths: tuple[str, ...] = Field(min_length=1)
    separator: str = " "
    skip_empty: bool = True

    def apply(self, value: Any, ctx: TransformContext) -> Any:
        parts = [text_of(value, ctx)] + [text_of(lookup(ctx.data, p), ctx) for p in self.paths]
        return self.separator.join(p for p in parts if p or not self.skip_empty)

    def flow(self, before: Flow, max_length: int | None) -> Flow:
        lengths = [before.length] + [path_length(p) for p in self.paths]
        if any(n is None for n in lengths):
            return Flow("text", None)
        return Flow("text", sum(n for n in lengths if n is not None) + len(self.separator) * len(self.paths))

    def problems(self, before: Flow, scope: TargetScope) -> list[str]:
        return [p for path in self.paths if (p := path_problem(path, scope)) is not None]


class Split(Step):
    label: ClassVar[str] = "Take part"
    description: ClassVar[str] = ("Splits text at a separator and keeps part N (1 = first, -1 = last); empty "
                                  "when there is no such part.")
    name: Literal["split"] = "split"
    separator: str = Field(min_length=1)
    part: int = 1

    @field_validator("part")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("parts count from 1 (first) or -1 (last); 0 is neither")
        return value

    def apply(self, value: Any, ctx: TransformContext) -> Any:
        pieces = text_of(value, ctx).split(self.separator)
        index = self.part - 1 if self.part > 0 else self.part
        return pieces[index] if -len(pieces) <= index < len(pieces) else ""


class Lookup(Step):
    label: ClassVar[str] = "Look up"
    description: ClassVar[str] = ("Replaces a value found in a table (\"10\" -> \"Completed\"); the built-in "
                                  "country table turns ISO codes into English names. Values not found become "
                                  "the default, or stay as they are when there is no default.")
    name: Literal["lookup"] = "lookup"
    table: dict[str, str] = Field(default_factory=dict)
    countries: bool = False
    default: str | None = None
    ignore_case: bool = False

    def _entries(self) -> dict[str, str]:
        entries = {**COUNTRY_NAMES, **self.table} if self.countries else dict(self.table)
        return {k.casefold(): v for k, v in entries.items()} if self.ignore_case else entries

    def apply(self, value: Any, ctx: TransformContext) -> Any:
        key = text_of(value, ctx)
        found = self._entries().get(key.casefold() if self.ignore_case else key)
        if found is not None:
            return found
        return key if self.default is None else self.default

    def flow(self, before: Flow, max_length: int | None) -> Flow:
        values = [len(v) for v in self._entries().values()]
        fallback = before.length if self.default is None else len(self.default)
        return Flow("text", longest(max(values, default=0), fallback))


class Replace(Step):
    label: ClassVar[str] = "Replace text"
    description: ClassVar[str] = "Replaces every occurrence of some text (exactly as written, case included)."
    name: Literal["replace"] = "replace"
    old: str = Field(min_length=1)
    new: str = ""

    def apply(self, value: Any, ctx: TransformContext) -> Any:
        return text_of(value, ctx).replace(self.old, self.new)

    def flow(self, before: Flow, max_length: int | None) -> Flow:
        if before.length is None or len(self.new) <= len(self.old):
            return Flow("text", before.length)
        return Flow("text", before.length + (before.length // len(self.old)) * (len(self.new) - len(self.old)))


class _Affix(Step):
    text: str = Field(min_length=1)
    skip_empty: bool = True

    def _join(self, value: str) -> str:
        raise NotImplementedError

    def apply(self, value: Any, ctx: TransformContext) -> Any:
        text = text_of(value, ctx)
        return text if (self.skip_empty and not text) else self._join(text)

    def flow(self, before: Flow, max_length: int | None) -> Flow:
        return Flow("text", None if before.length is None else before.length + len(self.text))


class Prefix(_Affix):
    label: ClassVar[str] = "Add before"
    description: ClassVar[str] = "Puts text before the value (by default only when the value is not empty)."
    name: Literal["prefix"] = "prefix"

    def _join(self, value: str) -> str:
        return self.text + value


class Suffix(_Affix):
    label: ClassVar[str] = "Add after"
    description: ClassVar[str] = "Puts text after the value (by default only when the value is not empty)."
    name: Literal["suffix"] = "suffix"

    def _join(self, value: str) -> str:
        return value + self.text


class DropEmptyLines(Step):
    label: ClassVar[str] = "Drop empty lines"
    description: ClassVar[str] = "Removes blank lines, and by default the spaces at the ends of each line."
    name: Literal["drop_empty_lines"] = "drop_empty_lines"
    trim_lines: bool = True

    def apply(self, value: Any, ctx: TransformContext) -> Any:
        lines = text_of(value, ctx).splitlines()
        return "\n".join(line.strip() if self.trim_lines else line for line in lines if line.strip())


Transform = Annotated[
    Trim | Lower | Upper | TitleCase | Truncate | DefaultIfEmpty | Concatenate | Split | Lookup | DateFormat
    | NumberFormat | Replace | Prefix | Suffix | DropEmptyLines | ToNumber,
    Field(discriminator="name"),
]

transform_adapter: TypeAdapter[Transform] = TypeAdapter(Transform)


@dataclass(frozen=True)
class TransformInfo:
    """A transform as the editor lists it."""

    name: str
    label: str
    description: str
    model: type[Step]


_ALL: tuple[type[Step], ...] = (Trim, Lower, Upper, TitleCase, Truncate, DefaultIfEmpty, Concatenate, Split,
                                 Lookup, DateFormat, NumberFormat, Replace, Prefix, Suffix, DropEmptyLines,
                                 ToNumber)
TRANSFORMS: Mapping[str, TransformInfo] = MappingProxyType({
    str(m.model_fields["name"].default): TransformInfo(str(m.model_fields["name"].default), m.label,
                                                      m.description, m) for m in _ALL
})


def apply_chain(chain: Sequence[Transform], value: Any, ctx: TransformContext) -> Any:
    """The value after each transform in turn."""
    for step in chain:
        value = step.apply(value, ctx)
    return value


def check_chain(chain: Sequence[Transform], source_type: ValueType, target: TargetField, *,
                source_length: int | None = None) -> list[ChainIssue]:
    """Errors where a step cannot take what the one before gives it, or the result cannot go into `target`;
    a warning when a text result is not bounded within the target's length (end with Cut to length)."""
    issues: list[ChainIssue] = []
    flow = Flow(source_type, source_length)
    for index, step in enumerate(chain):
        issues += [ChainIssue(index, "error", message) for message in step.problems(flow, target.scope)]
        flow = step.flow(flow, target.max_length)
    if not fits(flow.type, target.type):
        hint = " (add Read as number, whole)" if target.type == "integer" and flow.type in ("text", "number") \
            else ""
        issues.append(ChainIssue(None, "error", f"{target.label} takes {type_noun(target.type)}, but the mapping "
                                 f"gives {type_noun(flow.type)}{hint}"))
    elif target.type == "text" and target.max_length is not None and target.limit_documented:
        if flow.length is None:
            issues.append(ChainIssue(None, "warning", f"may be longer than the {target.max_length} characters "
                                     f"{target.label} takes; end with Cut to length"))
        elif flow.length > target.max_length:
            issues.append(ChainIssue(None, "warning", f"can be up to {flow.length} characters, but {target.label} "
                                     f"takes {target.max_length}; end with Cut to length"))
    return issues
