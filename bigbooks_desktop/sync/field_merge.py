"""Who wins, field by field, when a FreshBooks item or client follows a BigCommerce product or customer.

Three versions of each field are compared: what BigCommerce says now (`desired`), the baseline kept in
`store.entity_state` (`synced`), and what FreshBooks holds now (`current`). The baseline has two sides per
field: the FreshBooks value last written or agreed to (`name`), and the BigCommerce value last seen
(`store.name`, when it differs): after the user keeps FreshBooks' value in a conflict, or for a field FreshBooks
keeps, the two differ, and only a new BigCommerce change counts as one.

- BigCommerce is the source of truth: a field BigCommerce changed since the baseline is written to FreshBooks;
  a field only FreshBooks changed is written back to BigCommerce's value (an overwrite, recorded in the
  activity log with the old and new value).
- A field the profile marks "FreshBooks keeps its own value" is never written once the record exists.
- A field changed on both sides since the baseline, to different values, is a conflict: nothing is written to
  that field, and the record waits in the inbox with both values and a choice (`choose`).
- With no baseline (a record BigBooks matched rather than created), FreshBooks' differing values are
  overwritten by BigCommerce's: there is no way to tell an edit from an old value, and BigCommerce wins.

Values are compared as text (money already rendered to its currency's places), so "19.9" and "19.90" never
look like a change: the callers normalise.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

__all__ = ["STORE", "Choice", "Conflict", "Merge", "merge_fields"]

STORE = "store."          # the baseline's key prefix for BigCommerce's value last seen


class Choice:
    """What the user picked for a conflict in the inbox."""

    BIGCOMMERCE = "bigcommerce"
    FRESHBOOKS = "freshbooks"


@dataclass(frozen=True)
class Conflict:
    field: str
    bigcommerce: str
    freshbooks: str
    baseline: str | None


@dataclass(frozen=True)
class Merge:
    """The fields to write (`writes`, field -> value), which of them overwrite a different FreshBooks value
    (`overwrites`: field -> (old, new)), the conflicts, and the new baseline once the writes are done (both
    sides: see the module docstring)."""

    writes: dict[str, str] = field(default_factory=dict)
    overwrites: dict[str, tuple[str, str]] = field(default_factory=dict)
    conflicts: tuple[Conflict, ...] = ()
    baseline: dict[str, str] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.writes)


def merge_fields(desired: Mapping[str, str], synced: Mapping[str, str] | None, current: Mapping[str, str], *,
                 keep_freshbooks: Collection[str] = (), choices: Mapping[str, str] | None = None) -> Merge:
    """See the module docstring. `choices` (field -> `Choice`) settles conflicts the user decided: BigCommerce's
    value is written, or FreshBooks' is kept and becomes the baseline."""
    picked = dict(choices or {})
    writes: dict[str, str] = {}
    overwrites: dict[str, tuple[str, str]] = {}
    conflicts: list[Conflict] = []
    baseline: dict[str, str] = {}
    for name, want in desired.items():
        have = current.get(name, "")
        books_before = synced.get(name) if synced is not None else None
        store_before = synced.get(STORE + name, books_before) if synced is not None else None
        choice = picked.get(name)
        if name in keep_freshbooks or choice == Choice.FRESHBOOKS:
            _agree(baseline, name, books=have, store=want)
            continue
        if want == have:
            _agree(baseline, name, books=want, store=want)
            continue
        store_changed = store_before is None or want != store_before
        books_changed = books_before is not None and have != books_before
        if choice != Choice.BIGCOMMERCE:
            if not store_changed and not books_changed:
                # a difference already settled (the user kept FreshBooks' value): nothing new on either side
                _agree(baseline, name, books=have, store=want)
                continue
            if store_changed and books_changed:
                conflicts.append(Conflict(field=name, bigcommerce=want, freshbooks=have, baseline=books_before))
                if books_before is not None:
                    seen = store_before if store_before is not None else books_before
                    _agree(baseline, name, books=books_before, store=seen)
                continue
        writes[name] = want
        overwrites[name] = (have, want)
        _agree(baseline, name, books=want, store=want)
    return Merge(writes=writes, overwrites=overwrites, conflicts=tuple(conflicts), baseline=baseline)


def _agree(baseline: dict[str, str], name: str, *, books: str, store: str) -> None:
    baseline[name] = books
    if store != books:
        baseline[STORE + name] = store
