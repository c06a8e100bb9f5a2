"""The tax fit's search counter (`_Wrong`) against the plain per-name arithmetic it stands for: the tax of each
line by name, rounded in minor units, and how far the changed lines leave each name from what is missing."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from bigbooks_desktop.mapping.tax_fit import _Cents, _Wrong

RATES = [Decimal(r) for r in ("8.25", "5", "7.5", "13", "9.975", "20", "6.35", "0.5")]
NAMES = ["State", "City", "GST", "PST"]


def _tax(units: int, rate: Decimal, even: bool) -> int:
    """One line's tax in minor units: units x rate / 100, rounded as FreshBooks' per-line rules do."""
    exact = Decimal(units) * rate / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN if even else ROUND_HALF_UP))


def _plain(want: dict[str, int], slots: tuple[tuple[str, Decimal], ...], before: list[int], after: list[int],
           even: bool) -> int:
    """What is still wrong, the long way: a dict of taxes per name (a name's last rate, as a dict keeps it)."""
    def taxes(amounts: list[int]) -> dict[str, int]:
        by_name: dict[str, int] = {}
        rates = dict(slots)
        for name, rate in rates.items():
            by_name[name] = sum(_tax(a, rate, even) for a in amounts)
        return by_name
    was, now = taxes(before), taxes(after)
    changes = {name: now[name] - was[name] for name in now}
    names = set(want) | set(changes)
    return sum(abs(want.get(n, 0) - changes.get(n, 0)) for n in names)


slot = st.tuples(st.sampled_from(NAMES), st.sampled_from(RATES))
amount = st.integers(min_value=-50_000, max_value=50_000)


@settings(max_examples=400, deadline=None)
@given(slots=st.lists(slot, min_size=1, max_size=2).map(tuple),
       want=st.dictionaries(st.sampled_from(NAMES), st.integers(min_value=-5, max_value=5), max_size=3),
       before=st.lists(amount, min_size=1, max_size=2), after=st.lists(amount, min_size=1, max_size=3),
       even=st.booleans())
def test_the_search_counter_equals_the_per_name_sum(slots: tuple[tuple[str, Decimal], ...], want: dict[str, int],
                                                     before: list[int], after: list[int], even: bool) -> None:
    cents = _Cents("USD", even=even)
    counter = _Wrong(want, slots, before, cents)
    assert counter.after(*after) == _plain(want, slots, before, after, even)


def test_a_name_twice_on_a_line_and_a_name_the_line_lacks() -> None:
    cents = _Cents("USD", even=False)
    slots = (("State", Decimal("8.25")), ("State", Decimal("5")))       # the last rate counts, as in a dict
    counter = _Wrong({"State": 1, "City": 2}, slots, [1000], cents)
    assert counter.after(1000) == 1 + 2                  # nothing changed: all that is missing stays missing
    assert counter.after(1010) == abs(1 - (_tax(1010, Decimal(5), False) - 50)) + 2
