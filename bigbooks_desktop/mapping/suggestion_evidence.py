"""What real orders say about a candidate source for a mapping suggestion: is it filled, and do its values
look like what the FreshBooks field holds (emails for an email, 3-letter codes for a currency, names rather than
2-letter codes for a country)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bigbooks_desktop.mapping.catalogue import TargetField
from bigbooks_desktop.mapping.source_data import as_text, is_empty, lookup

__all__ = ["Evidence", "sample_evidence", "sample_values"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s().-]{6,}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
_POSTAL = re.compile(r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9 -]{1,9}$")
_NAME = re.compile(r"^[^\d@\n]{1,60}$")


def _country_name(text: str) -> bool:
    return len(text) > 3 and not any(c.isdigit() for c in text)


# (words the target's name must hold (stemmed, see suggestion_words), test of one value, what passing values are)
_SHAPES: tuple[tuple[frozenset[str], Callable[[str], bool], str], ...] = (
    (frozenset({"email"}), lambda v: bool(_EMAIL.match(v)), "look like emails"),
    (frozenset({"phon"}), lambda v: bool(_PHONE.match(v)), "look like phone numbers"),
    (frozenset({"currency"}), lambda v: bool(_CURRENCY.match(v)), "are 3-letter currency codes"),
    (frozenset({"country", "cod"}), lambda v: bool(_COUNTRY_CODE.match(v)), "are 2-letter country codes"),
    (frozenset({"country"}), _country_name, "are country names, not codes"),
    (frozenset({"postal"}), lambda v: bool(_POSTAL.match(v)), "look like postal codes"),
    (frozenset({"first", "nam"}), lambda v: bool(_NAME.match(v)), "look like names"),
    (frozenset({"last", "nam"}), lambda v: bool(_NAME.match(v)), "look like names"),
)
_IDENTIFIER = frozenset({"number", "id"})


@dataclass(frozen=True)
class Evidence:
    """`score` 0..1 (0.5 is "no opinion"); `reasons` say what the samples showed."""

    score: float
    reasons: tuple[str, ...]


def sample_values(samples: Sequence[Mapping[str, Any]], path: str) -> list[Any]:
    """The values at `path` in the samples that have its group (a line field in samples without a line is
    not there, rather than empty)."""
    values = []
    for sample in samples:
        try:
            values.append(lookup(sample, path))
        except KeyError:
            continue
    return values


def _shape(target: TargetField, target_words: frozenset[str],
           filled: list[str]) -> tuple[float, str | None]:
    """The share of filled values that look right for the target, and the reason (None when every value
    simply fits)."""
    total = len(filled)
    for needed, test, noun in _SHAPES:
        if needed <= target_words:
            hits = sum(1 for v in filled if test(v.strip()))
            return hits / total, f"samples: {hits}/{total} {noun}"
    if target_words & _IDENTIFIER and target.type == "text":
        distinct = len(set(filled))
        return distinct / total, f"samples: {distinct}/{total} distinct, as an identifier must be"
    if target.max_length is not None:
        fits = sum(1 for v in filled if len(v) <= target.max_length)
        return fits / total, None if fits == total else f"samples: {total - fits}/{total} too long"
    return 1.0, None


def sample_evidence(target: TargetField, target_words: frozenset[str], values: list[Any]) -> Evidence | None:
    """How well a source's sample `values` suit `target` (`target_words`: its name's words), or None
    without samples. Filled share counts 40 %, the shape of the filled values 60 % (no filled value: no
    opinion on shape)."""
    if not values:
        return None
    filled = [as_text(v) for v in values if not is_empty(v)]
    fill = len(filled) / len(values)
    if not filled:
        return Evidence(0.4 * fill + 0.6 * 0.5, (f"samples: empty in all {len(values)}",))
    shape, why = _shape(target, target_words, filled)
    reasons = [f"samples: filled in {len(filled)}/{len(values)}"] if fill < 1 else []
    if why is not None:
        reasons.append(why)
    return Evidence(0.4 * fill + 0.6 * shape, tuple(reasons))
