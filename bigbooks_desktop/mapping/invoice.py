"""A BigCommerce order -> the FreshBooks invoice plan whose total equals the order total to the cent."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError as PydanticValidationError

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.core.money import currency_exponent, quantize
from bigbooks_desktop.mapping import freshbooks_math
from bigbooks_desktop.mapping.discounts import DiscountSource, allocate, discount_sources
from bigbooks_desktop.mapping.order_checks import OrderComponent, check_order, components
from bigbooks_desktop.mapping.order_taxes import TaxCombo, TaxSlotResolver, combo_rate, plain, slot_combo
from bigbooks_desktop.mapping.profile import MappingProfile
from bigbooks_desktop.mapping.templates import fill_lines

__all__ = ["InvoicePlan", "invoice_from_order", "local_date"]


@dataclass(frozen=True)
class InvoicePlan:
    """What the sync writes for one order, and the numbers it promises.

    `expected_total` is what FreshBooks computes for the order's own lines (every line but the rounding line);
    `rounding_adjustment` is the amount of the untaxed rounding line (zero when there is none), so
    `expected_total + rounding_adjustment == order_total`, which is `freshbooks_total`, the invoice amount
    FreshBooks will show.
    """

    draft: fb.InvoiceDraft
    expected_total: Decimal
    order_total: Decimal
    rounding_adjustment: Decimal
    taxes_needed: list[fb.TaxDraft] = field(default_factory=list)
    skus: list[tuple[str, str, Decimal]] = field(default_factory=list)   # (sku, name, ex-tax unit price)

    @property
    def freshbooks_total(self) -> Decimal:
        """The invoice amount FreshBooks will compute for the whole draft (equals order_total)."""
        return self.expected_total + self.rounding_adjustment

    def fingerprint(self) -> str:
        """A stable hash of what would be written (for drift and edit detection)."""
        payload = self.draft.model_dump(mode="json")
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()


def local_date(moment: datetime, timezone: str, *, what: str) -> date:
    """The calendar date of an aware datetime in the store's timezone."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DataError(f"The store timezone {timezone!r} is unknown; check the store settings ({what}).",
                        field="timezone") from exc
    return moment.astimezone(zone).date()


class _LineBuilder:
    """Turns exact-side BigCommerce amounts into FreshBooks lines with their tax slots."""

    def __init__(self, *, currency: str, inclusive: bool, profile: MappingProfile,
                 resolver: TaxSlotResolver) -> None:
        self.currency = currency
        self.inclusive = inclusive
        self.profile = profile
        self.resolver = resolver

    def cents(self, amount: Decimal) -> Decimal:
        return quantize(amount, self.currency)

    def ex_amount(self, exact: Decimal, combo: TaxCombo) -> Decimal:
        """The ex-tax line amount FreshBooks needs so that amount + its taxes gives the BigCommerce figure."""
        target = self.cents(exact)
        if not self.inclusive or not combo:
            return target
        rates = [rate for _n, rate in slot_combo(combo)]
        central = self.cents(target / (1 + combo_rate(combo) / freshbooks_math.HUNDRED))
        step = Decimal(1).scaleb(-currency_exponent(self.currency))
        for delta in (0, -1, 1, -2, 2):
            candidate = central + step * delta
            taxes = sum((self.cents(candidate * r / freshbooks_math.HUNDRED) for r in rates), Decimal(0))
            if candidate + taxes == target:
                return candidate
        return central

    def unit_cost(self, amount: Decimal, qty: Decimal) -> Decimal:
        """amount / qty in the minor unit when that is exact, else with up to unit_cost_max_places."""
        unit = self.cents(amount / qty)
        if self.cents(unit * qty) == amount:
            return unit
        places = max(self.profile.unit_cost_max_places, currency_exponent(self.currency))
        return quantize(amount / qty, places=places)

    def line(self, *, name: str, description: str, qty: Decimal, amount: Decimal, combo: TaxCombo,
             kind: str) -> fb.LineDraft:
        slots = self.resolver.slots(combo)
        values: dict[str, object] = {}
        for index, (tax_name, rate) in enumerate(slots, start=1):
            values[f"tax_name{index}"] = tax_name
            values[f"tax_amount{index}"] = rate
        return fb.LineDraft(name=name[:200] or kind.title(), description=description, qty=qty,
                            unit_cost=self.unit_cost(amount, qty), kind=kind, **values)


def _component_lines(builder: _LineBuilder, comps: Sequence[OrderComponent],
                     shares: dict[int, Decimal]) -> list[fb.LineDraft]:
    lines = []
    for index, comp in enumerate(comps):
        share = shares.get(index, Decimal(0))
        amount = builder.ex_amount(comp.exact_total - share, comp.combo)
        description = comp.description
        if share:
            description = "\n".join(filter(None, [description, f"Price after a discount of {plain(share)}"]))
        lines.append(builder.line(name=comp.name, description=description, qty=comp.qty, amount=amount,
                                  combo=comp.combo, kind=comp.kind))
    return lines


def _discount_lines(builder: _LineBuilder, comps: Sequence[OrderComponent], sources: Sequence[DiscountSource],
                    *, taxed: bool) -> list[fb.LineDraft]:
    lines: list[fb.LineDraft] = []
    for source in sources:
        if not taxed:
            lines.append(builder.line(name=source.label, description="Taken off the total after tax",
                                      qty=Decimal(1), amount=-builder.cents(source.amount), combo=(),
                                      kind="discount"))
            continue
        by_combo: dict[TaxCombo, Decimal] = {}
        for index, share in allocate(source, comps).items():
            by_combo[comps[index].combo] = by_combo.get(comps[index].combo, Decimal(0)) + share
        for combo, share in by_combo.items():
            note = ""
            if len(by_combo) > 1:
                rates_text = ", ".join(f"{n} {plain(r)}%" for n, r in combo)
                note = f"On items taxed {rates_text}" if combo else "On untaxed items"
            lines.append(builder.line(name=source.label, description=note, qty=Decimal(1),
                                      amount=-builder.ex_amount(share, combo), combo=combo, kind="discount"))
    return lines


def invoice_from_order(detail: bc.OrderDetail, profile: MappingProfile, *, customer_id: int,
                       store_timezone: str, freshbooks_taxes: Sequence[fb.Tax]) -> InvoicePlan:
    """The FreshBooks invoice for a BigCommerce order (see the module rules). Raises only DataError."""
    try:
        return _invoice_from_order(detail, profile, customer_id=customer_id, store_timezone=store_timezone,
                                   freshbooks_taxes=freshbooks_taxes)
    except DataError:
        raise
    except (ArithmeticError, InvalidOperation, PydanticValidationError, ValueError, TypeError,
            LookupError) as exc:
        raise DataError(f"Order {detail.order.id} has data the mapping cannot read ({type(exc).__name__}). "
                        "Check the order's amounts and lines in BigCommerce.", field="order") from exc


def _invoice_from_order(detail: bc.OrderDetail, profile: MappingProfile, *, customer_id: int,
                        store_timezone: str, freshbooks_taxes: Sequence[fb.Tax]) -> InvoicePlan:
    order = detail.order
    currency = order.transaction_currency
    if not currency:
        raise DataError(f"Order {order.id} has no currency code.", field="currency")
    comps = components(detail, profile)
    discount_reduces_tax = check_order(detail, comps)
    sources = discount_sources(detail, profile)
    resolver = TaxSlotResolver(profile=profile, freshbooks_taxes=freshbooks_taxes, order_id=order.id)
    builder = _LineBuilder(currency=currency, inclusive=order.is_tax_inclusive_pricing, profile=profile,
                           resolver=resolver)
    has_tax = any(comp.combo for comp in comps)
    taxed_discount = discount_reduces_tax and has_tax
    shares: dict[int, Decimal] = {}
    if profile.discount_policy == "allocate" and sources and (taxed_discount or not has_tax):
        for source in sources:
            for index, share in allocate(source, comps).items():
                shares[index] = shares.get(index, Decimal(0)) + share
        lines = _component_lines(builder, comps, shares)
    else:
        lines = _component_lines(builder, comps, {}) + _discount_lines(builder, comps, sources,
                                                                        taxed=taxed_discount)
    order_total = quantize(order.total_inc_tax, currency)
    computed = freshbooks_math.total(lines, currency)
    rounding = order_total - computed
    limit = quantize(Decimal("0.01"), currency) * (sum((c.qty for c in comps), Decimal(0)) + len(lines) + 2)
    if abs(rounding) > limit:
        raise DataError(f"Order {order.id}: its lines and taxes come to {plain(computed)} but its total is "
                        f"{plain(order_total)} {currency}. The order's amounts do not add up; check its "
                        "taxes and discounts in BigCommerce.", field="total")
    if rounding:
        lines.append(fb.LineDraft(name=profile.rounding_line_name, qty=Decimal(1), unit_cost=rounding,
                                  kind="rounding",
                                  description="Difference between BigCommerce's tax rounding and FreshBooks' "
                                              "per-line percentages"))
    notes = fill_lines(profile.notes_template, customer_message=order.customer_message.strip(),
                       staff_notes=order.staff_notes.strip() if profile.include_staff_notes else "",
                       custom_fields="\n".join(f.display() for f in order.billing_address.form_fields
                                                if f.display()),
                       order_id=str(order.id))
    staff_missing = "{staff_notes}" not in profile.notes_template
    if profile.include_staff_notes and staff_missing and order.staff_notes.strip():
        notes = "\n".join(filter(None, [notes, order.staff_notes.strip()]))
    try:
        number = profile.invoice_number_template.format(order_id=order.id)
    except (KeyError, IndexError, ValueError) as exc:
        raise DataError(f"The invoice number template {profile.invoice_number_template!r} is not valid "
                        "(placeholder: {order_id}).", field="profile") from exc
    create_date = local_date(order.date_created, store_timezone, what=f"order {order.id} creation")
    draft = fb.InvoiceDraft(customerid=customer_id, invoice_number=number, create_date=create_date,
                            currency_code=currency, po_number=str(order.id), notes=notes, lines=tuple(lines),
                            mark_as_sent=profile.invoice_mode == "sent")
    skus = [(c.sku, c.name, builder.unit_cost(builder.ex_amount(c.exact_total, c.combo), c.qty))
            for c in comps if c.kind == "item" and c.sku]
    return InvoicePlan(draft=draft, expected_total=computed,
                       order_total=order_total, rounding_adjustment=rounding,
                       taxes_needed=list(resolver.needed), skus=skus)
