"""The common ground of transforms: the context a step runs in, what the checker tracks, and the step base.

See `mapping.transforms` for the steps themselves and what a merchant can do with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from bigbooks_desktop.mapping.catalogue import TargetScope, ValueType, source_field
from bigbooks_desktop.mapping.source_data import as_text

__all__ = ["ChainIssue", "Flow", "Step", "TransformContext", "fits", "longest", "path_length", "text_of",
           "type_noun"]


@dataclass(frozen=True)
class TransformContext:
    """What a step may consult: the store's timezone, the order's source data (for steps that read other
    fields) and the target's longest length (for Truncate without a length)."""

    timezone: str = "UTC"
    data: Mapping[str, Any] = field(default_factory=dict)
    max_length: int | None = None


@dataclass(frozen=True)
class Flow:
    """What the checker knows about a value at one point of a chain: its type and the longest its text can be."""

    type: ValueType
    length: int | None


@dataclass(frozen=True)
class ChainIssue:
    """`step`: index of the transform at fault; None when the chain's result does not suit the target."""

    step: int | None
    severity: Literal["error", "warning"]
    message: str


def fits(value: ValueType, target: ValueType) -> bool:
    """Whether a value of type `value` can be written to a field of type `target`: any value becomes text, a
    date-time becomes its date in the store's timezone; otherwise the types must match."""
    return target == "text" or value == target or (target == "date" and value == "datetime")


_NOUN: dict[str, str] = {"text": "text", "number": "a number", "integer": "a whole number", "bool": "true/false",
                         "datetime": "a date and time", "date": "a date", "list": "a list"}


def type_noun(kind: str) -> str:
    """A type as a merchant reads it: "integer" -> "a whole number"."""
    return _NOUN.get(kind, kind)


def longest(*lengths: int | None) -> int | None:
    return None if any(n is None for n in lengths) else max((n for n in lengths if n is not None), default=0)


def path_length(path: str) -> int | None:
    found = source_field(path)
    return found.max_length if found is not None else None


class Step(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    label: ClassVar[str]
    description: ClassVar[str]
    accepts: ClassVar[frozenset[ValueType] | None] = None     # None: any value, read as text

    def apply(self, value: Any, ctx: TransformContext) -> Any:
        raise NotImplementedError

    def flow(self, before: Flow, max_length: int | None) -> Flow:
        """The type and length bound after this step (default: text of the same length)."""
        del max_length
        return Flow("text", before.length)

    def problems(self, before: Flow, scope: TargetScope) -> list[str]:
        """What stops this step working on a `before` value for a target of `scope`."""
        del scope
        if self.accepts is not None and before.type not in self.accepts:
            wanted = " or ".join(type_noun(kind) for kind in sorted(self.accepts))
            return [f"{self.label} needs {wanted}, but gets {type_noun(before.type)}"]
        return []


def text_of(value: Any, ctx: TransformContext) -> str:
    return as_text(value, timezone=ctx.timezone)


