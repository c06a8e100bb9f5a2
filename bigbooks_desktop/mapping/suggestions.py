"""Mapping suggestions: for a FreshBooks field nobody has mapped yet, the order fields most likely to fill it.

Each readable field (and each checkout field seen in the samples) that the target's scope may read and whose
type can flow into the target is scored. The name decides most: rapidfuzz token similarity between the
target's name and label and the source's, after `suggestion_words` normalised both and rewrote FreshBooks
words into BigCommerce ones (its synonym table). A weighted blend of the context then keeps or takes away up to
half of that score:

- entity (35 %): a client's billing fields read the billing address, its shipping fields the shipping
  address, its own fields the customer, an invoice the order and a line the line; but for what an account
  need not hold (company, phone) the billing address, the invoice's bill-to party (`_RECORD_OPTIONAL`);
- type (20 %): the same type scores full, a convertible one less (a date-time for a date, a number for text);
  a type that cannot flow into the target is never suggested;
- samples (45 %, when samples are given): how often the source is filled in real orders and whether its
  values look like the target's (`suggestion_evidence`).

So a poor name is never rescued by its context (a confidence is at most the name's score). A source that
already fills another field is marked down (one order field rarely fills two FreshBooks fields), and a
candidate with a rival within 10 % loses up to 40 % (two equally good sources make each less likely to be the
one). The result is the confidence, 0..1 (benchmarks/mapping_suggestions.py checks it against how often the
top suggestion is right); `reasons` say what went into it. A long text field (notes, a line description) also
gets a template that joins its good text candidates, one per line.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from rapidfuzz import fuzz

from bigbooks_desktop.mapping.catalogue import (
    CUSTOM_FIELDS,
    SOURCE_FIELDS,
    TARGET_FIELDS,
    SourceField,
    TargetField,
    ValueType,
    path_problem,
)
from bigbooks_desktop.mapping.field_mappings import FieldMapping, PathSource, TemplateSource, check_mappings
from bigbooks_desktop.mapping.source_data import template_placeholders
from bigbooks_desktop.mapping.suggestion_evidence import sample_evidence, sample_values
from bigbooks_desktop.mapping.suggestion_words import phrase, rewrites, words
from bigbooks_desktop.mapping.transforms import Truncate

__all__ = ["Suggestion", "accept", "main_path", "suggest", "suggest_all"]

_W_ENTITY, _W_TYPE, _W_SAMPLES = 0.35, 0.20, 0.45     # the context's blend (samples only when given)
_CONTEXT_SWAY = 0.5                                   # how much of the name's score a poor context can take away
_SYNONYM_MATCH = 0.9                                  # how well a synonym's rewrite must match to count
_TIE_DISCOUNT = 0.4                                   # the most a near-equal rival takes off a confidence
_MAPPED_FACTOR = 0.75                                 # a source already filling another field
_TEMPLATE_NAME = 0.8                                  # how well each part of a suggested template must match by name
_LONG_TEXT = 1000                                     # a text target this long can hold several sources (a template)

# (target type, source type) -> fit; a pair not listed cannot flow (field_mappings._coerce, transforms)
_TYPE_FIT: dict[tuple[ValueType, ValueType], float] = {
    ("date", "datetime"): 0.9, ("number", "integer"): 0.8, ("integer", "number"): 0.3,
    ("text", "integer"): 0.6, ("text", "list"): 0.5, ("text", "number"): 0.4, ("text", "datetime"): 0.4,
    ("text", "date"): 0.4, ("text", "bool"): 0.2,
}
# the target's entity -> the source group -> affinity. FreshBooks SUMMARY §8: p_* is the billing address,
# s_* the shipping address, the rest the client (whom invoices call `customerid`); §6: an invoice per order.
_AFFINITY: dict[str, dict[str, float]] = {
    "invoice": {"order": 1.0, "custom_fields": 0.8, "customer": 0.5, "billing_address": 0.5,
                "shipping_address": 0.4},
    "line": {"line": 1.0, "order": 0.4, "custom_fields": 0.4},
    "client": {"customer": 1.0, "billing_address": 0.85, "shipping_address": 0.5, "order": 0.5,
               "custom_fields": 0.6},
    "client billing": {"billing_address": 1.0, "customer": 0.6, "shipping_address": 0.4, "order": 0.4,
                       "custom_fields": 0.5},
    "client shipping": {"shipping_address": 1.0, "billing_address": 0.6, "customer": 0.5, "order": 0.4,
                        "custom_fields": 0.5},
}
# What a customer record must hold. BigCommerce requires an account's email, first and last name (customers.v3
# `customer_Post`: `required: [email, first_name, last_name]`, each `minLength: 1`) and leaves its company and
# phone optional (`minLength: 0`): /work/shared/reference/bigcommerce/specs/bigcommerce-docs/reference/
# customers.v3.yml. The account names who the client is (one FreshBooks client per account, mapping/clients.py
# `client_key`); an optional field of it may be empty or out of date, while the billing address is what the
# shopper gave for this very order. And an invoice is addressed to its bill-to party: FreshBooks copies the
# client's contact onto the invoice beside the billing address (SUMMARY §6: an invoice's `organization`,
# `fname`, `lname`, `email` with `street`, `city`, ...; /work/shared/reference/freshbooks/SUMMARY.md and
# fixtures/freshbooks-java-sdk/get_invoice_response.json). So for a client's own field, an optional field of
# the record weighs as the billing address's p_* fields weigh the record (0.6, below the billing address's
# 0.85): among equally named sources the billing address wins, while the record keeps what it must hold.
_RECORD_REQUIRED = frozenset({"email", "first_name", "last_name"})    # with the next: the account's text fields
_RECORD_OPTIONAL = frozenset({"company", "phone"})
_OPTIONAL_RECORD_AFFINITY = _AFFINITY["client billing"]["customer"]


@dataclass(frozen=True)
class Suggestion:
    """A candidate for `target`: an order field's path (`kind` "path") or a template's text ("template"),
    with its `confidence` (0..1) and the `reasons` behind it."""

    target: str
    source: str
    kind: Literal["path", "template"]
    confidence: float
    reasons: tuple[str, ...]

    def as_field_mapping(self) -> FieldMapping:
        """The mapping this suggestion becomes when the user accepts it: ending with "Cut to length" when
        the source may be longer than the target takes (the check's warning, answered)."""
        source = PathSource(path=self.source) if self.kind == "path" else TemplateSource(text=self.source)
        mapping = FieldMapping(target=self.target, source=source)
        if any(i.severity == "warning" and i.part == "result" for i in check_mappings([mapping])):
            mapping = mapping.model_copy(update={"transforms": (Truncate(),)})
        return mapping


def main_path(source: PathSource | TemplateSource | Suggestion) -> str | None:
    """The order field a mapping or suggestion mainly reads: its path, or a template's first placeholder."""
    if isinstance(source, PathSource):
        return source.path
    if isinstance(source, Suggestion) and source.kind == "path":
        return source.source
    paths = template_placeholders(source.text if isinstance(source, TemplateSource) else source.source)
    return paths[0] if paths else None


def accept(suggestions: Mapping[str, Sequence[Suggestion]]) -> list[FieldMapping]:
    """"Accept all": the top suggestion of every target that has one, as field mappings."""
    return [found[0].as_field_mapping() for found in suggestions.values() if found]


def _entity(target: TargetField) -> str:
    name = target.path.split(".", 1)[1]
    if target.scope == "client" and name.startswith(("p_", "s_")):
        return "client billing" if name.startswith("p_") else "client shipping"
    return target.scope


def _similarity(a: str, b: str) -> float:
    """0..1: the mean of rapidfuzz's token-set ratio (generous: "phone" is all of "business phone") and
    token-sort ratio (strict: the whole phrase)."""
    return (fuzz.token_set_ratio(a, b) + fuzz.token_sort_ratio(a, b)) / 200


def _numbers(texts: Iterable[str]) -> set[str]:
    return {w for text in texts for w in text.split() if w.isdigit()}


def _target_phrases(target: TargetField) -> list[tuple[str, str | None]]:
    """The target's name and label as phrases, each with its synonym rewrites (and the synonyms' reason)."""
    found: list[tuple[str, str | None]] = []
    for own in (words(target.path.split(".", 1)[1], field_name=True), words(target.label)):
        found.append((" ".join(own), None))
        for rewritten, synonyms in rewrites(own):
            why = "synonym: " + ", ".join(f"{s.freshbooks} = {s.bigcommerce}" for s in synonyms)
            found.append((" ".join(rewritten), why))
    return found


def _name_score(phrases: list[tuple[str, str | None]], source: SourceField) -> tuple[float, list[str]]:
    """The best similarity between the target's phrases and the source's name and label. A synonym counts
    only when its rewrite matches nearly whole (it says two words are the same; a rewrite that half-matches
    proves nothing). Halved when both name a numbered thing and the numbers differ ("street 2" is not
    "street 1", whose label "Street" would otherwise match "street line 2" well)."""
    theirs = [phrase(source.path.split(".", 1)[1]), phrase(source.label)]
    direct = max(_similarity(p, s) for p, why in phrases if why is None for s in theirs)
    best, best_why = direct, None
    for mine, why in phrases:
        if why is not None:
            score = max(_similarity(mine, s) for s in theirs)
            if score >= _SYNONYM_MATCH and score > best + 0.01:
                best, best_why = score, why
    reasons = [f"name {round(direct * 100)}%"]
    if best_why is not None:
        reasons.append(f"{best_why} ({round(best * 100)}%)")
    mine_numbers, their_numbers = _numbers(p for p, why in phrases if why is None), _numbers(theirs)
    if mine_numbers and their_numbers and not mine_numbers & their_numbers:
        best /= 2
        reasons.append(f"numbered {'/'.join(sorted(their_numbers))}, not {'/'.join(sorted(mine_numbers))}")
    return best, reasons


def _candidates(samples: Sequence[Mapping[str, Any]]) -> list[SourceField]:
    """Every readable field, the checkout-field wildcard replaced by each checkout field the samples hold."""
    fields = [f for p, f in SOURCE_FIELDS.items() if p != CUSTOM_FIELDS]
    keys = sorted({k for s in samples for k in s.get("custom_fields", {})})
    wildcard = SOURCE_FIELDS[CUSTOM_FIELDS]
    fields += [SourceField(f"custom_fields.{k}", "text", f"Checkout field: {k.replace('_', ' ')}",
                           wildcard.description, wildcard.sample) for k in keys]
    return fields


def _type_fit(target: TargetField, source: SourceField) -> float | None:
    if target.type == source.type:
        return 1.0
    return _TYPE_FIT.get((target.type, source.type))


def _score(target: TargetField, source: SourceField, phrases: list[tuple[str, str | None]],
           samples: Sequence[Mapping[str, Any]], mapped: Collection[str]) -> tuple[Suggestion, float] | None:
    """The suggestion of `source` for `target` and its name score; None when it cannot fill the target."""
    fit = _type_fit(target, source)
    if fit is None or path_problem(source.path, target.scope) is not None:
        return None
    name, reasons = _name_score(phrases, source)
    group, _, name_in_group = source.path.partition(".")
    entity = _AFFINITY[_entity(target)].get(group, 0.3)
    reasons.append(f"type {source.type} -> {target.type}" if fit < 1 else f"same type ({source.type})")
    if _entity(target) == "client" and group == "customer" and name_in_group in _RECORD_OPTIONAL:
        entity = _OPTIONAL_RECORD_AFFINITY
        reasons.append(f"entity: the account's {name_in_group} is optional in BigCommerce; the billing "
                       f"address is the invoice's bill-to party ({round(entity * 100)}%)")
    elif entity < 1:
        kind = _entity(target)
        reasons.append(f"entity: {group} for {'an' if kind[0] in 'aeiou' else 'a'} {kind} field "
                       f"({round(entity * 100)}%)")
    evidence = sample_evidence(target, frozenset(phrases[0][0].split()), sample_values(samples, source.path))
    context, weights = _W_ENTITY * entity + _W_TYPE * fit, _W_ENTITY + _W_TYPE
    if evidence is not None:
        context, weights = context + _W_SAMPLES * evidence.score, weights + _W_SAMPLES
        reasons += evidence.reasons
    blend = name * (1 - _CONTEXT_SWAY + _CONTEXT_SWAY * context / weights)
    if source.path in mapped:
        blend *= _MAPPED_FACTOR
        reasons.append("already fills another field")
    confidence = round(min(max(blend, 0.0), 1.0), 3)
    return Suggestion(target.path, source.path, "path", confidence, tuple(reasons)), name


def _template(target: TargetField, ranked: list[tuple[Suggestion, float]]) -> Suggestion | None:
    """For a long text target: the best text candidates whose names match well on their own (up to three),
    one per line; None unless at least two qualify."""
    if target.type != "text" or (target.max_length or _LONG_TEXT) < _LONG_TEXT:
        return None
    parts = [s for s, name in ranked if name >= _TEMPLATE_NAME and _source_type(s.source) == "text"][:3]
    if len(parts) < 2:
        return None
    text = "\n".join(f"{{{s.source}}}" for s in parts)
    confidence = round(0.9 * sum(s.confidence for s in parts) / len(parts), 3)
    return Suggestion(target.path, text, "template", confidence,
                      ("joins " + ", ".join(s.source for s in parts) + ", one per line",))


def _source_type(path: str) -> ValueType:
    return SOURCE_FIELDS.get(path, SOURCE_FIELDS[CUSTOM_FIELDS]).type


def _discount_ties(ranked: list[Suggestion]) -> list[Suggestion]:
    """Each suggestion's confidence lowered when another candidate scores nearly as well (within 10 %, up to
    `_TIE_DISCOUNT` off at a dead heat): two equally good sources make each less likely to be the one."""
    result = []
    for index, this in enumerate(ranked):
        rival = ranked[1] if index == 0 and len(ranked) > 1 else ranked[0] if index else None
        if rival is None or this.confidence <= 0:
            result.append(this)
            continue
        closeness = min(max((rival.confidence / this.confidence - 0.9) / 0.1, 0.0), 1.0)
        if closeness > 0:
            this = replace(this, confidence=round(this.confidence * (1 - _TIE_DISCOUNT * closeness), 3),
                           reasons=(*this.reasons, f"close to {rival.source} ({rival.confidence:.2f})"))
        result.append(this)
    return result


def suggest(target: str, *, samples: Sequence[Mapping[str, Any]] = (), mapped: Collection[str] = (),
            limit: int = 3) -> list[Suggestion]:
    """The `limit` best sources for the FreshBooks field `target`, best first. `samples`: `source_data` of
    real orders (with a line, for line fields); `mapped`: paths that already fill other fields. KeyError for
    a target this app does not write."""
    field = TARGET_FIELDS[target]
    phrases = _target_phrases(field)
    scored = (_score(field, source, phrases, samples, mapped) for source in _candidates(samples))
    ranked = sorted((s for s in scored if s is not None), key=lambda s: -s[0].confidence)
    suggestions = _discount_ties([s for s, _ in ranked])
    template = _template(field, ranked)
    if template is not None:
        suggestions.append(template)
        suggestions.sort(key=lambda s: -s.confidence)
    return suggestions[:limit]


def suggest_all(unmapped_targets: Iterable[str], samples: Sequence[Mapping[str, Any]] = (), *,
                mapped: Collection[str] = (), limit: int = 3) -> dict[str, list[Suggestion]]:
    """`suggest` for each target, in the order given (each independently: two targets may share a source)."""
    return {t: suggest(t, samples=samples, mapped=mapped, limit=limit) for t in unmapped_targets}
