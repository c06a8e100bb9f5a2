"""BigCommerce tax rows -> the FreshBooks tax slots of an invoice line (name and percent, at most two)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_UP, Decimal

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.profile import MappingProfile

__all__ = ["RATE_STEP", "TaxCombo", "TaxSlotResolver", "component_combo", "plain"]

TaxCombo = tuple[tuple[str, Decimal], ...]     # BigCommerce (tax name, rate percent) pairs on one line
RATE_STEP = Decimal("0.001")                   # FreshBooks keeps line tax percentages to 3 decimals


def plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 8.875, 20, 0.5."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _distinct(rows: Iterable[bc.OrderTax]) -> TaxCombo:
    seen: list[tuple[str, Decimal]] = []
    for row in rows:
        pair = (row.name.strip() or "Tax", row.rate.quantize(RATE_STEP, rounding=ROUND_UP))
        if row.rate > 0 and pair not in seen:
            seen.append(pair)
    return tuple(seen)


_ITEM_TYPES = {"shipping": ("shipping",), "handling": ("handling",),
               "wrapping": ("gift-wrapping", "gift_wrapping", "wrapping")}


def component_combo(detail: bc.OrderDetail, *, kind: str, label: str, charged_tax: Decimal,
                    order_product_id: int | None = None) -> TaxCombo:
    """The taxes BigCommerce charged on one order component, from the order's tax rows.

    A component BigCommerce charged no tax on gets none. Rows are matched on order_product_id (products) or
    line_item_type (shipping/handling/wrapping); without a match, rows not tied to a product are used,
    then the order's only tax combination; a taxed component with no rate anywhere is a DataError.
    """
    if charged_tax == 0:
        return ()
    rows = detail.taxes
    if kind == "item":
        matched = _distinct(r for r in rows if r.order_product_id == order_product_id
                            and r.line_item_type in ("item", ""))
    else:
        matched = _distinct(r for r in rows if r.line_item_type in _ITEM_TYPES.get(kind, (kind,)))
    if matched:
        return matched
    unassigned = _distinct(r for r in rows if r.order_product_id is None)
    if unassigned:
        return unassigned
    everything = _distinct(rows)
    if everything and _single_combo(rows):
        return everything
    raise DataError(f"BigCommerce charged {plain(charged_tax)} tax on {label} in order {detail.order.id}, "
                    "but the order lists no tax rate for it. Check the order's taxes in BigCommerce.",
                    field="tax")


def _single_combo(rows: Sequence[bc.OrderTax]) -> bool:
    groups: dict[tuple[int | None, str], TaxCombo] = {}
    for row in rows:
        key = (row.order_product_id, row.line_item_type)
        groups[key] = groups.get(key, ()) + _distinct([row])
    return len({tuple(sorted(combo)) for combo in groups.values()}) == 1


class TaxSlotResolver:
    """Turns BigCommerce tax combinations into FreshBooks (name, percent) slots and collects missing taxes.

    Names go through `profile.tax_names`. FreshBooks matches line taxes by name and rate and keeps tax names
    unique, so a rate differing from the FreshBooks tax of that name is written as "{name} {rate}%". Rates
    are kept to FreshBooks' 3 decimals ("up to 3 decimal places", API-FACTS Q1); a 4-decimal BigCommerce rate
    keeps its own name and is rounded up (4.8125 -> 4.813), so FreshBooks' percentage never falls short of what
    was charged and the tax fit only has to round it down to BigCommerce's cent (splitting a line can always
    lose a rounding cent, not always gain one).
    """

    def __init__(self, *, profile: MappingProfile, freshbooks_taxes: Sequence[fb.Tax], order_id: int) -> None:
        self._profile = profile
        self._existing = {(t.name.strip().lower(), t.amount.quantize(RATE_STEP)): t.name
                          for t in freshbooks_taxes}
        self._names = {t.name.strip().lower() for t in freshbooks_taxes}
        self._order_id = order_id
        self.needed: list[fb.TaxDraft] = []

    def _freshbooks_name(self, bc_name: str, rate: Decimal) -> str:
        name = self._profile.tax_names.get(bc_name, bc_name).strip() or "Tax"
        for candidate in (name, f"{name} {plain(rate)}%"):
            found = self._existing.get((candidate.lower(), rate))
            if found is not None:
                return found
            if candidate.lower() not in self._names:
                break
        else:
            candidate = f"{name} {plain(rate)}%"
        if self._profile.missing_tax_policy == "inbox":
            raise DataError(f"FreshBooks has no tax {candidate!r} at {plain(rate)}% "
                            f"(order {self._order_id}). Create it in FreshBooks, map the BigCommerce tax "
                            "name to an existing one in the mapping profile, or let the profile create "
                            "missing taxes.", field="tax",
                            details={"cause": {"code": "unknown_tax", "tax_name": bc_name, "rate": plain(rate),
                                               "freshbooks_name": candidate}})
        if all(d.name != candidate for d in self.needed):
            self.needed.append(fb.TaxDraft(name=candidate, amount=rate))
        return candidate

    def slots(self, combo: TaxCombo) -> tuple[tuple[str, Decimal], ...]:
        """The (FreshBooks name, percent) of each tax in a combination, in order (a line holds the first two)."""
        return tuple((self._freshbooks_name(name, rate), rate) for name, rate in combo)
