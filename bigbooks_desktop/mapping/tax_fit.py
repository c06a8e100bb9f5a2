"""Invoice lines whose FreshBooks taxes equal, per tax name and to the cent, the taxes BigCommerce charged.

FreshBooks computes tax as a percentage of each line's amount (qty x unit_cost, unit costs in whole cents),
rounded by a rule nobody outside FreshBooks has confirmed (`freshbooks_math`). BigCommerce rounds once per order
line on the discounted amount. The two agree on most lines but not all: a discount taken off as its own line, a
unit price that is not a whole cent, or tax carved out of a tax-inclusive price can each leave FreshBooks a cent
off. The lines here are always taxed, never an untaxed patch:

1. a part whose net is not qty x a whole-cent price becomes two price points of the same item
   (`price_points`: 3 for 10.00 -> 2 x 3.33 and 1 x 3.34);
2. where FreshBooks' rounding still misses by a cent, a discount line and an item of the same taxes whose
   ex-tax price is a rounded figure trade a few cents (the discount line is what is left of the items' net, so
   their sum stays exact); failing that, one line
   is split into two taxed lines of the same taxes whose amounts add up to the original, chosen so the rounding
   lands on BigCommerce's figure. Discount lines are split first, then lines with several units (two price
   points), then single units.

Under a per-invoice rounding rule, splitting cannot change the tax (it depends only on the summed base), so a
difference there is reported, never patched.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal

from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.money import currency_exponent
from bigbooks_desktop.mapping import freshbooks_math
from bigbooks_desktop.mapping.freshbooks_math import TaxRounding

__all__ = ["Piece", "TaxFitError", "fit", "price_points"]

_SEARCH_CENTS = 80          # how far a split may move from the line's own amounts, in minor units


class TaxFitError(ValueError):
    """No set of taxed lines reproduces BigCommerce's taxes; `differences` is name -> (FreshBooks, target)."""

    def __init__(self, differences: dict[str, tuple[Decimal, Decimal]]) -> None:
        self.differences = differences
        super().__init__(", ".join(f"{n}: {have} instead of {want}" for n, (have, want) in differences.items()))


@dataclass(frozen=True)
class Piece:
    """One invoice line to be: amount is qty x a whole-minor-unit unit cost, in the minor unit."""

    name: str
    description: str
    qty: Decimal
    amount: Decimal
    slots: tuple[tuple[str, Decimal], ...]      # FreshBooks (tax name, percent), at most two
    kind: str
    rounded: bool = False                       # its unit price is a rounded figure (ex-tax of an inc price)

    def line(self) -> fb.LineDraft:
        values: dict[str, object] = {}
        for index, (tax_name, rate) in enumerate(self.slots, start=1):
            values[f"tax_name{index}"] = tax_name
            values[f"tax_amount{index}"] = rate
        return fb.LineDraft(name=self.name[:200] or self.kind.title(), description=self.description,
                            qty=self.qty, unit_cost=self.amount / self.qty, kind=self.kind, **values)


def _unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-currency_exponent(currency))


def price_points(*, name: str, description: str, qty: Decimal, amount: Decimal, slots: tuple[tuple[str, Decimal], ...],
                 kind: str, currency: str) -> list[Piece]:
    """One line (qty x unit) when `amount` divides into whole minor units, else two price points."""
    unit = _unit(currency)
    base = Piece(name=name, description=description, qty=qty, amount=amount, slots=slots, kind=kind)
    if qty == 1 or (amount / qty) % unit == 0:
        return [base]
    if qty != qty.to_integral_value() or qty < 1:
        return [replace(base, qty=Decimal(1),
                        description="\n".join(filter(None, [description, f"Quantity {qty}"])))]
    low = (amount / qty).quantize(unit, rounding=ROUND_FLOOR)
    high_count = ((amount - low * qty) / unit).to_integral_value()
    return [replace(base, qty=qty - high_count, amount=low * (qty - high_count)),
            replace(base, qty=high_count, amount=(low + unit) * high_count,
                    description=_second(description, "the same item at a second price point"))]


def _second(description: str, what: str) -> str:
    return "\n".join(filter(None, [description, f"({what}, so each tax rounds as BigCommerce charged it)"]))


def _round_div(numerator: int, denominator: int, even: bool) -> int:
    """numerator / denominator rounded to an integer, halves away from zero or to even (Decimal's modes)."""
    quotient, remainder = divmod(abs(numerator), denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and (not even or quotient % 2 == 1)):
        quotient += 1
    return quotient if numerator >= 0 else -quotient


class _Cents:
    """Integer arithmetic for the search: amounts in minor units, each rate as a fraction of 100."""

    def __init__(self, currency: str, even: bool) -> None:
        self.unit = _unit(currency)
        self.even = even

    def units(self, amount: Decimal) -> int:
        return int(amount / self.unit)

    @staticmethod
    def rate(rate: Decimal) -> tuple[int, int]:
        num, den = rate.as_integer_ratio()
        return num, den * 100


def _by_name(pieces: Sequence[Piece], currency: str, rule: TaxRounding) -> dict[str, Decimal]:
    return freshbooks_math.tax_by_name([p.line() for p in pieces], currency, rule)


def _splits(qty: Decimal, units: int) -> Iterator[tuple[int, int, int, int]]:
    """(qty, amount, qty, amount) of two lines adding up to a line of `units` minor units, nearest to an
    even split of its own amounts: two price points for several units, two parts for one."""
    sign = 1 if units > 0 else -1
    if qty > 1 and qty == qty.to_integral_value():
        whole = int(qty)
        if units % whole:
            return
        price = units // whole
        firsts = range(1, whole) if whole <= 13 else sorted({1, 2, 3, whole // 2, whole - 2, whole - 1})
        for step in range(1, _SEARCH_CENTS):          # the price points nearest the line's own price first
            for first in firsts:
                rest = whole - first
                for delta in (step, -step):
                    high = price + delta
                    low_total = units - high * first
                    if low_total % rest or low_total * sign <= 0 or high * sign <= 0:
                        continue
                    yield first, high * first, rest, low_total
        return
    if qty != 1 or abs(units) < 2:
        return
    half = abs(units) // 2
    for offset in range(0, min(_SEARCH_CENTS, half)):
        for part in {half - offset, half + offset}:
            if 0 < part < abs(units):
                yield 1, units - part * sign, 1, part * sign


def _miss(current: dict[str, Decimal], targets: dict[str, Decimal]) -> dict[str, Decimal]:
    names = set(current) | set(targets)
    return {n: targets.get(n, Decimal(0)) - current.get(n, Decimal(0)) for n in names
            if targets.get(n, Decimal(0)) != current.get(n, Decimal(0))}


def _split_order(pieces: Sequence[Piece]) -> list[int]:
    """Which lines to try splitting first: discounts, then lines with several units, larger first."""
    def rank(i: int) -> tuple[int, Decimal]:
        p = pieces[i]
        return (0 if p.kind == "discount" else 1 if p.qty > 1 else 2, -abs(p.amount))
    return sorted((i for i, p in enumerate(pieces) if p.slots), key=rank)


class _Wrong:
    """How many minor units of tax stay wrong when lines of the same `slots` (of `units` minor units each)
    change their amounts: integer arithmetic over their own tax names (the search tries thousands of amounts
    per order, so no dict per try)."""

    def __init__(self, want: dict[str, int], slots: tuple[tuple[str, Decimal], ...], units: Sequence[int],
                 cents: _Cents) -> None:
        by_name = dict(slots)   # a name twice on a line counts its last rate, as the search always did (fit()
                                # checks every result with freshbooks_math, which sums both, so none is wrong)
        self.rates = [_Cents.rate(rate) for rate in by_name.values()]
        self.even = cents.even
        self.wanted = [want.get(name, 0) for name in by_name]
        self.outside = sum(abs(v) for name, v in want.items() if name not in by_name)
        self.before = [sum(_round_div(u * num, den, self.even) for u in units) for num, den in self.rates]

    def after(self, *amounts: int) -> int:
        """Tax left wrong when the lines become lines of `amounts` (minor units each)."""
        left = self.outside
        for k, (num, den) in enumerate(self.rates):
            change = sum(_round_div(a * num, den, self.even) for a in amounts) - self.before[k]
            left += abs(self.wanted[k] - change)
        return left


def _transfer(pieces: Sequence[Piece], want: dict[str, int], cents: _Cents) -> tuple[int, int, int, int] | None:
    """Move a few minor units between a discount line and an item of the same taxes whose unit price is itself
    rounded (the ex-tax price of a tax-inclusive one); the discount line is what is left of the items' net, so
    their sum stays exact: (i, units, j, units) or None."""
    wrong = sum(abs(v) for v in want.values())
    for i, discount in enumerate(pieces):
        if discount.kind != "discount" or not any(n in want for n, _r in discount.slots):
            continue
        d_units = cents.units(discount.amount)
        for j, other in enumerate(pieces):
            if j == i or other.slots != discount.slots or not other.rounded or \
                    other.qty != other.qty.to_integral_value():
                continue
            qty, o_units = int(other.qty), cents.units(other.amount)
            pair = _Wrong(want, discount.slots, (o_units, d_units), cents)
            for step in range(1, _SEARCH_CENTS // 4):
                for move in (step * qty, -step * qty):
                    new_o, new_d = o_units + move, d_units - move
                    if new_o * o_units <= 0 or new_d * d_units <= 0:
                        continue
                    if pair.after(new_o, new_d) < wrong:
                        return i, new_d, j, new_o
    return None


def _split(pieces: Sequence[Piece], want: dict[str, int], cents: _Cents,
           lateral: bool = False) -> tuple[int, tuple[int, int, int, int]] | None:
    """The first line (in `_split_order`) with a two-way split that leaves less tax wrong, and that split.
    `lateral`: one that leaves no more wrong (a third line can round a cent two lines cannot)."""
    wrong = sum(abs(v) for v in want.values()) + (1 if lateral else 0)
    for index in _split_order(pieces):
        piece = pieces[index]
        if not any(name in want for name, _rate in piece.slots):
            continue
        units = cents.units(piece.amount)
        line = _Wrong(want, piece.slots, (units,), cents)
        best: tuple[int, tuple[int, int, int, int]] | None = None
        for split in _splits(piece.qty, units):
            left = line.after(split[1], split[3])
            if left < wrong and (best is None or left < best[0]):
                best = (left, split)
                if left == 0:
                    break
        if best is not None:
            return index, best[1]
    return None


def fit(pieces: list[Piece], targets: dict[str, Decimal], currency: str, rule: TaxRounding) -> list[Piece]:
    """`pieces` adjusted until FreshBooks' tax per name (under `rule`) equals `targets`: first a few cents
    moved between a discount line and its items, then lines split in two.

    Raises TaxFitError naming the remaining difference per tax name when nothing gets there."""
    pieces = list(pieces)
    miss = _miss(_by_name(pieces, currency, rule), targets)
    if not miss or not rule.startswith("line"):
        if miss:
            raise _error(pieces, targets, currency, rule)
        return pieces
    cents = _Cents(currency, even=rule.endswith("half-even"))
    budget = 4 + 2 * sum((abs(cents.units(v)) for v in miss.values()), 0)
    laterals = 2
    for _ in range(budget):
        want = {name: cents.units(value) for name, value in miss.items()}
        moved = _transfer(pieces, want, cents)
        if moved is not None:
            i, d_units, j, o_units = moved
            pieces[i] = replace(pieces[i], amount=cents.unit * d_units)
            pieces[j] = replace(pieces[j], amount=cents.unit * o_units)
        else:
            chosen = _split(pieces, want, cents)
            if chosen is None and laterals:
                laterals -= 1
                chosen = _split(pieces, want, cents, lateral=True)
            if chosen is None:
                break
            index, (qty_a, units_a, qty_b, units_b) = chosen
            piece = pieces[index]
            what = "a second price point" if piece.qty > 1 else "second part of this line"
            pieces[index:index + 1] = [
                replace(piece, qty=Decimal(qty_a), amount=cents.unit * units_a),
                replace(piece, qty=Decimal(qty_b), amount=cents.unit * units_b,
                        description=_second(piece.description, what))]
        miss = _miss(_by_name(pieces, currency, rule), targets)
        if not miss:
            return pieces
    raise _error(pieces, targets, currency, rule)


def _error(pieces: Sequence[Piece], targets: dict[str, Decimal], currency: str, rule: TaxRounding) -> TaxFitError:
    have = _by_name(pieces, currency, rule)
    return TaxFitError({n: (have.get(n, Decimal(0)), targets.get(n, Decimal(0)))
                        for n in sorted(_miss(have, targets))})
