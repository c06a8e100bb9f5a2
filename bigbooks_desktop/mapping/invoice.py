"""A BigCommerce order -> the FreshBooks invoice whose tax per name and total equal the order's to the cent.

The order's parts and their taxes come from `order_checks` (BigCommerce's rules), the lines from `tax_fit`
(taxed lines only; no rounding line). An order that cannot be represented exactly is a DataError naming the
difference, for the inbox.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError as PydanticValidationError

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.mapping import freshbooks_math
from bigbooks_desktop.mapping.discounts import DiscountSource, discount_sources
from bigbooks_desktop.mapping.freshbooks_math import DEFAULT_RULE, TaxRounding
from bigbooks_desktop.mapping.order_checks import GIFT_CERTIFICATE, OrderComponent, components, spread
from bigbooks_desktop.mapping.order_taxes import TaxSlotResolver, plain
from bigbooks_desktop.mapping.profile import MappingProfile
from bigbooks_desktop.mapping.profile_fields import order_fields
from bigbooks_desktop.mapping.rules import RuleOutcome
from bigbooks_desktop.mapping.tax_fit import Piece, TaxFitError, fit, price_points

__all__ = ["InvoicePlan", "invoice_from_order", "local_date"]


@dataclass(frozen=True)
class InvoicePlan:
    """What the sync writes for one order, and the numbers it promises.

    `expected_total` is the invoice amount FreshBooks will compute under `rule`; `taxes` its tax per FreshBooks
    tax name, equal to the tax BigCommerce charged per name. `expected_total == order_total -
    gift_certificates_sold`: a gift certificate sold is not revenue (profile `gift_certificate_policy`).
    """

    draft: fb.InvoiceDraft
    expected_total: Decimal
    order_total: Decimal
    taxes: dict[str, Decimal]
    rule: TaxRounding = DEFAULT_RULE
    gift_certificates_sold: Decimal = Decimal(0)
    taxes_needed: list[fb.TaxDraft] = field(default_factory=list)
    skus: list[tuple[str, str, Decimal]] = field(default_factory=list)   # (sku, name, ex-tax unit price)

    def fingerprint(self) -> str:
        """A stable hash of what would be written (for drift and edit detection)."""
        payload = fb.stable_dump(self.draft)
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


def _pieces(comps: Sequence[OrderComponent], sources: Sequence[DiscountSource], *, profile: MappingProfile,
            resolver: TaxSlotResolver, currency: str, policy: str) -> tuple[list[Piece], dict[str, Decimal]]:
    """The invoice's lines before the tax fit, and the tax per FreshBooks name they must come to.

    "lines" policy: a discounted item at its undiscounted unit price, the discount as taxed negative lines per
    discount and tax combination (what is left of the item's net). "allocate": the discounted net itself. A
    part with three or more taxes keeps the first two in its slots; each further tax rides on a pair of lines,
    +net with (that tax, the second tax) and -net with the second tax, so every rate reports its own base and
    tax and nothing untaxed appears.
    """
    pieces: list[Piece] = []
    targets: dict[str, Decimal] = {}
    pools: dict[tuple[str, tuple[tuple[str, Decimal], ...]], Decimal] = {}
    for comp in comps:
        slots = resolver.slots(comp.combo)
        for (name, rate, amount), (fb_name, _fb_rate) in zip(comp.taxes, slots, strict=True):
            del name, rate
            targets[fb_name] = targets.get(fb_name, Decimal(0)) + amount
        main = slots[:2]
        if policy == "lines" and comp.discount > 0:
            price = quantize(comp.gross / comp.qty, currency)
            pieces += [replace(p, rounded=price * comp.qty != comp.gross) for p in price_points(
                name=comp.name, description=comp.description, qty=comp.qty, amount=price * comp.qty, slots=main,
                kind=comp.kind, currency=currency)]
            kinds = sorted(comp.discounts)
            shares = spread(comp.net - price * comp.qty, [comp.discounts[k] for k in kinds], currency)
            for kind, share in zip(kinds, shares, strict=True):
                pools[(kind, main)] = pools.get((kind, main), Decimal(0)) + share
        else:
            description = comp.description
            if comp.discount > 0:
                description = "\n".join(filter(None, [description,
                                                      f"Price after a discount of {plain(comp.discount)}"]))
            pieces += price_points(name=comp.name, description=description, qty=comp.qty, amount=comp.net,
                                   slots=main, kind=comp.kind, currency=currency)
        for extra in slots[2:]:
            label = f"{extra[0]} on {comp.name}"
            pieces.append(Piece(name=label, description="FreshBooks holds two taxes a line: this line carries "
                                f"{extra[0]} on the item above", qty=Decimal(1), amount=comp.net,
                                slots=(extra, slots[1]), kind="tax_base"))
            pieces.append(Piece(name=f"{label} (offset)", description="Takes the line above back out of the "
                                "sales total", qty=Decimal(1), amount=-comp.net, slots=(slots[1],),
                                kind="tax_base"))
    labels: dict[str, list[str]] = {s.kind: [] for s in sources}
    for source in sources:
        labels[source.kind].append(source.label)
    groups = {main for (_kind, main) in pools}
    for (kind, main), amount in pools.items():
        if amount == 0:
            continue
        label = " + ".join(labels.get(kind) or [profile.manual_discount_line_name if kind == "manual"
                                                else "Coupon"])
        note = ""
        if len(groups) > 1:
            rates_text = ", ".join(f"{n} {plain(r)}%" for n, r in main)
            note = f"On items taxed {rates_text}" if main else "On untaxed items"
        pieces.append(Piece(name=label, description=note, qty=Decimal(1), amount=amount, slots=main,
                            kind="discount"))
    return pieces, targets


def _discounted_after_tax(comps: Sequence[OrderComponent], sources: Sequence[DiscountSource], *,
                          resolver: TaxSlotResolver, profile: MappingProfile, currency: str, rule: TaxRounding,
                          targets: dict[str, Decimal], error: TaxFitError, order_id: int) -> list[Piece]:
    """An order whose tax BigCommerce charged on the undiscounted amounts (BigCommerce's documentation
    examples, and tax providers that do so): the parts at their full price, taxed, and each discount as an
    untaxed line taken off after tax, which is what the customer was charged. Used only when that reproduces
    BigCommerce's tax exactly; otherwise the order is refused with the difference."""
    if not any(c.discount for c in comps):
        raise _refusal(order_id, rule, error)
    pieces: list[Piece] = []
    for comp in comps:
        slots = resolver.slots(comp.combo)
        pieces += price_points(name=comp.name, description=comp.description, qty=comp.qty,
                               amount=comp.net + comp.discount, slots=slots[:2], kind=comp.kind,
                               currency=currency)
    for kind in ("coupon", "manual"):
        amount = sum((c.discounts.get(kind, Decimal(0)) for c in comps), Decimal(0))
        if amount:
            label = " + ".join(s.label for s in sources if s.kind == kind) or profile.manual_discount_line_name
            pieces.append(Piece(name=label, description="Taken off the total after tax", qty=Decimal(1),
                                amount=-quantize(amount, currency), slots=(), kind="discount"))
    if any(len(resolver.slots(c.combo)) > 2 for c in comps):
        raise _refusal(order_id, rule, error)
    try:
        return fit(pieces, targets, currency, rule)
    except TaxFitError:
        raise _refusal(order_id, rule, error) from error


def _refusal(order_id: int, rule: TaxRounding, error: TaxFitError) -> DataError:
    return DataError(f"Order {order_id}: no set of taxed invoice lines makes FreshBooks' tax (rounded "
                     f"{rule.replace('-', ' ')}) equal what BigCommerce charged: {error}. Create this invoice "
                     "by hand in FreshBooks and link it from the inbox, or ignore the order.", field="tax")


def invoice_from_order(detail: bc.OrderDetail, profile: MappingProfile, *, customer_id: int,
                       store_timezone: str, freshbooks_taxes: Sequence[fb.Tax],
                       rule: TaxRounding = DEFAULT_RULE, customer: bc.Customer | None = None,
                       rules: RuleOutcome | None = None) -> InvoicePlan:
    """The FreshBooks invoice for a BigCommerce order (see the module rules): amounts, taxes and discount lines
    from the order, the invoice's fields and product lines' names and descriptions from the profile's field
    mappings (reading `customer`, the shopper's record, when given), then what the profile's rules decided
    for the order (`rules`: fields set, terms, draft). Raises only DataError."""
    try:
        return _invoice_from_order(detail, profile, customer_id=customer_id, store_timezone=store_timezone,
                                   freshbooks_taxes=freshbooks_taxes, rule=rule, customer=customer, rules=rules)
    except DataError:
        raise
    except (ArithmeticError, InvalidOperation, PydanticValidationError, ValueError, TypeError,
            LookupError) as exc:
        raise DataError(f"Order {detail.order.id} has data the mapping cannot read ({type(exc).__name__}). "
                        "Check the order's amounts and lines in BigCommerce.", field="order") from exc


def _invoice_from_order(detail: bc.OrderDetail, profile: MappingProfile, *, customer_id: int,
                        store_timezone: str, freshbooks_taxes: Sequence[fb.Tax], rule: TaxRounding,
                        customer: bc.Customer | None, rules: RuleOutcome | None) -> InvoicePlan:
    order = detail.order
    currency = order.transaction_currency
    if not currency:
        raise DataError(f"Order {order.id} has no currency code.", field="currency")
    comps = components(detail, profile, timezone=store_timezone, customer=customer)
    sold = Decimal(0)
    if profile.gift_certificate_policy == "client_credit":
        sold = sum((c.net + c.tax for c in comps if c.kind == GIFT_CERTIFICATE), Decimal(0))
        comps = [c for c in comps if c.kind != GIFT_CERTIFICATE]
    resolver = TaxSlotResolver(profile=profile, freshbooks_taxes=freshbooks_taxes, order_id=order.id)
    sources = discount_sources(detail, profile)
    # the profile's discount presentation first; discounts as their own lines can fail to round to
    # BigCommerce's tax where a discount is tiny, and then the discounted prices are used
    policies = dict.fromkeys([profile.discount_policy, "allocate"])
    for policy in policies:
        pieces, targets = _pieces(comps, sources, profile=profile, resolver=resolver, currency=currency,
                                  policy=policy)
        try:
            pieces = fit(pieces, targets, currency, rule)
            break
        except TaxFitError as exc:
            failure = exc
    else:
        pieces = _discounted_after_tax(comps, sources, resolver=resolver, profile=profile, currency=currency,
                                       rule=rule, targets=targets, error=failure, order_id=order.id)
    lines = [piece.line() for piece in pieces]
    order_total = quantize(order.total_inc_tax, currency)
    computed = freshbooks_math.total(lines, currency, rule)
    if computed != order_total - sold:       # cannot happen when the fit held; a guard against a broken part
        raise DataError(f"Order {order.id}: its invoice would come to {plain(computed)} but the order's total "
                        f"is {plain(order_total - sold)} {currency}.", field="total")
    fields = order_fields(profile, detail, "invoice", timezone=store_timezone, customer=customer, rules=rules)
    draft = fb.InvoiceDraft(customerid=customer_id, invoice_number=fields["invoice.invoice_number"],
                            create_date=fields["invoice.create_date"],
                            currency_code=fields["invoice.currency_code"],
                            po_number=fields.get("invoice.po_number") or "", notes=fields.get("invoice.notes") or "",
                            terms=fields.get("invoice.terms") or "",
                            due_offset_days=fields.get("invoice.due_offset_days"), lines=tuple(lines),
                            mark_as_sent=profile.invoice_mode == "sent" and not (rules is not None and rules.draft))
    skus = [(c.sku, c.name, quantize(c.gross / c.qty, currency)) for c in comps if c.kind == "item" and c.sku]
    return InvoicePlan(draft=draft, expected_total=computed, order_total=order_total,
                       taxes=freshbooks_math.tax_by_name(lines, currency, rule), rule=rule,
                       gift_certificates_sold=sold, taxes_needed=list(resolver.needed), skus=skus)
