"""What an accountant checks on one invoiced order, from records already read from both sides (no I/O).

The books the engine writes (`sync.settlements`, `sync.corrections`, `mapping.invoice`, `mapping.payments`)
and what is compared here:

- **Amount**: the invoice, plus its supplementary invoices, less its correction credit notes, equals the order's
  total less the gift certificates sold in it (profile `gift_certificate_policy` "client_credit").
- **Tax per name**: FreshBooks' tax per tax name on those documents (from their lines, rounded under the
  account's rule, `sync.tax_rounding`) equals BigCommerce's taxes rows summed per name. Names are compared as
  the mapping writes them: through `profile.tax_names`, without the " {rate}%" the mapping appends when
  FreshBooks already has the name at another rate (`mapping.order_taxes.TaxSlotResolver`).
- **Rounding lines**: an untaxed `profile.rounding_line_name` line (older versions) is a finding.
- **Refunds**: one credit note per refund (`[BigBooks refund:ID]`), amount = total_amount, tax = total_tax;
  applied to the invoice for exactly the money the refund paid back through a gateway (a store-credit refund
  stays open on purpose). A write-off credit note (`[BigBooks writeoff:ORDER]`) is applied in full, and a
  Refunded order's invoice has no balance left.
- **Cash**: live money payments plus the overpayment credits FreshBooks made from them equal the money captured
  minus the money refunded to gateways; client credit applied as payment equals the gift certificates and
  store credit spent.
- **Duplicates**: one live payment per BigBooks marker, one live credit note per refund.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_UP, Decimal
from typing import Any

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.mapping.freshbooks_math import TaxRounding, line_slots, tax_by_name
from bigbooks_desktop.mapping.order_taxes import RATE_STEP, plain
from bigbooks_desktop.mapping.payments import PaymentPlan, refund_cash
from bigbooks_desktop.mapping.profile import MappingProfile
from bigbooks_desktop.sync.reconcile_report import Finding, FindingCode, TaxTable

__all__ = ["InvoiceRecords", "OrderRecords", "bigcommerce_tax", "compare", "correction_marker", "freshbooks_tax",
           "is_credit_application", "is_gift_certificate", "markers", "settlement_marker"]

_ZERO = Decimal(0)
_MARKER = re.compile(r"\[BigBooks ([^\]]+)\]")
_SETTLEMENTS = ("apply:", "writeoff:")     # credit applications that settle refunds, write-offs, corrections


def markers(text: str) -> list[str]:
    """The keys of the `[BigBooks key]` markers in a note, in order."""
    return _MARKER.findall(text)


def correction_marker(order_id: int) -> str:
    """What the supplementary invoices and correction credit notes of an order carry (`sync.corrections`)."""
    return f"[BigBooks correction:{order_id}:"


def settlement_marker(payment: fb.Payment) -> bool:
    return any(key.startswith(_SETTLEMENTS) for key in markers(payment.note))


def is_credit_application(payment: fb.Payment) -> bool:
    """A payment that applies client credit (a credit note) instead of recording money."""
    return payment.creditid is not None or payment.from_credit or payment.type.strip().lower() == "credit"


def is_gift_certificate(product: bc.OrderProduct) -> bool:
    return product.type.replace("_", "").strip().lower() == "giftcertificate"


@dataclass(frozen=True)
class OrderRecords:
    """BigCommerce's side of one order."""

    order: bc.Order
    refunds: tuple[bc.Refund, ...] = ()
    products: tuple[bc.OrderProduct, ...] = ()
    taxes: tuple[bc.OrderTax, ...] = ()
    plans: tuple[PaymentPlan, ...] | None = None   # the payments the engine records (None: could not be mapped)


@dataclass(frozen=True)
class InvoiceRecords:
    """FreshBooks' side of one order: its invoice and what hangs off it."""

    invoice: fb.Invoice
    supplements: tuple[fb.Invoice, ...] = ()
    payments: tuple[fb.Payment, ...] = ()                  # live, on the invoice and its supplements
    credit_notes: tuple[fb.CreditNote, ...] | None = None  # the client's live credit notes (None: not read)
    linked_credits: dict[str, int] = field(default_factory=dict)   # store links: "refund:ID" -> credit note id

    @property
    def documents(self) -> tuple[fb.Invoice, ...]:
        return (self.invoice, *self.supplements)


def _money(value: Decimal) -> str:
    return format(value, "f")


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, _ZERO)


# ------------------------------------------------------------------------------------------- tax per name


def _without_rate(name: str, rate: Decimal) -> str:
    suffix = f" {plain(rate)}%"
    return name[: -len(suffix)] if name.endswith(suffix) and len(name) > len(suffix) else name


def bigcommerce_tax(taxes: Iterable[bc.OrderTax], *, skip_products: set[int], profile: MappingProfile,
                    currency: str) -> TaxTable:
    """BigCommerce's taxes rows summed per the FreshBooks name the mapping gives them."""
    table: TaxTable = {}
    for row in taxes:
        if row.order_product_id is not None and row.order_product_id in skip_products:
            continue
        name = row.name.strip() or "Tax"
        mapped = profile.tax_names.get(name, name).strip() or "Tax"
        label = _without_rate(mapped, row.rate.quantize(RATE_STEP, rounding=ROUND_UP))   # as the mapping writes it
        table[label] = table.get(label, _ZERO) + row.line_amount
    return {label: quantize(amount, currency) for label, amount in table.items()}


def freshbooks_tax(documents: Iterable[tuple[Sequence[fb.Line], int]], currency: str,
                   rule: TaxRounding) -> TaxTable:
    """FreshBooks' tax per name over documents (lines, +1 or -1), each rounded as FreshBooks rounds it."""
    table: TaxTable = {}
    for lines, sign in documents:
        labels: dict[str, str] = {}
        for line in lines:
            for name, rate in line_slots(line):
                labels.setdefault(name, _without_rate(name, rate))
        for name, amount in tax_by_name(lines, currency, rule).items():
            label = labels.get(name, name)
            table[label] = table.get(label, _ZERO) + sign * amount
    return table


def _aligned(bc_tax: TaxTable, fb_tax: TaxTable) -> tuple[TaxTable, TaxTable]:
    """Both tables under one spelling per name (FreshBooks matches tax names without case), zeros dropped."""
    spelling: dict[str, str] = {}
    for name in (*bc_tax, *fb_tax):
        spelling.setdefault(name.casefold(), name)

    def merged(table: TaxTable) -> TaxTable:
        out: TaxTable = {}
        for name, amount in table.items():
            key = spelling[name.casefold()]
            out[key] = out.get(key, _ZERO) + amount
        return {name: amount for name, amount in out.items() if amount}

    return merged(bc_tax), merged(fb_tax)


# ------------------------------------------------------------------------------------------- the checks


def compare(order: OrderRecords, books: InvoiceRecords, profile: MappingProfile,
            rule: TaxRounding) -> tuple[dict[str, Any], list[Finding]]:
    """The order's figures (OrderReconciliation fields) and its findings."""
    figures: dict[str, Any] = {}
    findings: list[Finding] = []
    notes = books.credit_notes or ()
    _amount_and_tax(order, books, notes, profile, rule, figures, findings)
    settling = _refunds(order, books, notes, rule, figures, findings)
    _money_checks(order, books, notes, settling, figures, findings)
    return figures, findings


def _amount_and_tax(order: OrderRecords, books: InvoiceRecords, notes: Sequence[fb.CreditNote],
                    profile: MappingProfile, rule: TaxRounding, figures: dict[str, Any],
                    findings: list[Finding]) -> None:
    head = order.order
    currency = head.transaction_currency
    certificates = [p for p in order.products if is_gift_certificate(p)] \
        if profile.gift_certificate_policy == "client_credit" else []
    sold = quantize(_sum(p.total_inc_tax for p in certificates), currency)
    corrections = [n for n in notes if correction_marker(head.id) in n.notes]
    amount = _sum(d.amount for d in books.documents) - _sum(n.amount for n in corrections)
    expected = quantize(head.total_inc_tax, currency) - sold
    figures.update(bc_gift_certificates=sold, fb_amount=amount)
    if amount != expected:
        parts = ""
        if books.supplements or corrections:
            parts = (f" (invoice {_money(books.invoice.amount)}"
                     + "".join(f" + {s.invoice_number} {_money(s.amount)}" for s in books.supplements)
                     + "".join(f" - credit note {n.credit_number} {_money(n.amount)}" for n in corrections) + ")")
        target = f"the order total {_money(quantize(head.total_inc_tax, currency))}"
        if sold:
            target += f" less gift certificates sold {_money(sold)} = {_money(expected)}"
        findings.append(Finding(FindingCode.TOTAL_DIFFERS, f"Invoiced {_money(amount)}{parts} differs from "
                                f"{target} by {_money(amount - expected)}.", amount - expected))
    documents = [(d.lines, 1) for d in books.documents] + [(n.lines, -1) for n in corrections]
    bc_tax, fb_tax = _aligned(
        bigcommerce_tax(order.taxes, skip_products={p.id for p in certificates}, profile=profile,
                        currency=currency),
        freshbooks_tax(documents, currency, rule))
    figures.update(bc_tax=bc_tax, fb_tax=fb_tax, tax_names_checked=len(set(bc_tax) | set(fb_tax)))
    for name in sorted(set(bc_tax) | set(fb_tax)):
        have, want = quantize(fb_tax.get(name, _ZERO), currency), quantize(bc_tax.get(name, _ZERO), currency)
        if have != want:
            findings.append(Finding(FindingCode.TAX_DIFFERS, f"Tax {name}: FreshBooks {_money(have)}, BigCommerce "
                                    f"charged {_money(want)} (difference {_money(have - want)}, rounded "
                                    f"{rule.replace('-', ' ')}).", have - want))
    wanted = profile.rounding_line_name.strip().casefold()
    rounding = _ZERO
    for document in books.documents:
        lines = [line for line in document.lines if line.name.strip().casefold() == wanted]
        if lines:
            value = _sum(line.amount for line in lines)
            rounding += value
            findings.append(Finding(FindingCode.ROUNDING_LINE, f"Invoice {document.invoice_number} has an untaxed "
                                    f"\"{lines[0].name}\" line of {_money(value)}: it books tax money as "
                                    "untaxed sales.", value))
    figures["rounding"] = quantize(rounding, currency)


def _notes_tagged(notes: Sequence[fb.CreditNote], tag: str, linked: int | None) -> list[fb.CreditNote]:
    """The live credit notes carrying `tag` (or linked in the store), the linked one first, then by id."""
    found = [n for n in notes if tag in n.notes or n.id == linked]
    return sorted(found, key=lambda n: (n.id != linked, n.id))


def _applied(payments: Iterable[fb.Payment], note_ids: set[int]) -> Decimal:
    return _sum(p.amount for p in payments if is_credit_application(p) and p.creditid in note_ids)


def _refunds(order: OrderRecords, books: InvoiceRecords, notes: Sequence[fb.CreditNote], rule: TaxRounding,
             figures: dict[str, Any], findings: list[Finding]) -> set[int]:
    """Each refund's credit note, its tax and its application; the write-off. Returns the ids of the credit
    notes that settle refunds, write-offs and corrections (their applications are not redemptions)."""
    head = order.order
    currency = head.transaction_currency
    figures["bc_refund_tax"] = quantize(_sum(r.total_tax for r in order.refunds), currency)
    if books.credit_notes is None:
        return set()
    full = head.status_id == bc.OrderStatus.REFUNDED or \
        _sum(r.total_amount for r in order.refunds) >= head.total_inc_tax > 0
    settling = {n.id for n in notes if correction_marker(head.id) in n.notes}
    credited = credit_tax = applied_total = shortfall = _ZERO
    for refund in sorted(order.refunds, key=lambda r: r.id):
        amount, tax = quantize(refund.total_amount, currency), quantize(refund.total_tax, currency)
        cash = min(quantize(refund_cash(refund), currency), amount)
        linked = books.linked_credits.get(f"refund:{refund.id}")
        found = _notes_tagged(notes, f"[BigBooks refund:{refund.id}]", linked)
        if not found:
            gone = f" (BigBooks wrote credit note id {linked}; it was deleted in FreshBooks)" if linked else ""
            findings.append(Finding(FindingCode.REFUND_NOT_CREDITED, f"Refund {refund.id} of {_money(amount)} (tax "
                                    f"{_money(tax)}) has no credit note in FreshBooks{gone}.", -amount))
            continue
        note = found[0]
        if correction_marker(head.id) in note.notes:
            # a money-only refund of an edit that lowered the sent invoice: the edit's correction credit note
            # already took the sale back (compared with the invoice above); the refund returns its cash
            credited += amount
            applied = quantize(_applied(books.payments, {note.id}), currency)
            applied_total += min(applied, cash)
            shortfall += max(cash - applied, _ZERO)
            continue
        note_tax = quantize(_sum(tax_by_name(note.lines, currency, rule).values()), currency)
        credited += _sum(n.amount for n in found)
        credit_tax += _sum(_sum(tax_by_name(n.lines, currency, rule).values()) for n in found)
        if len(found) > 1:
            extra = found[1:]
            findings.append(Finding(FindingCode.DUPLICATE_CREDIT_NOTE, f"Refund {refund.id} has {len(found)} credit "
                                    "notes: " + ", ".join(f"{n.credit_number or n.id} ({_money(n.amount)})"
                                                          for n in found) + "; one is expected.",
                                    _sum(n.amount for n in extra)))
        if note.amount != amount:
            findings.append(Finding(FindingCode.REFUND_TOTAL_DIFFERS, f"Credit note {note.credit_number} for refund "
                                    f"{refund.id} is {_money(note.amount)}, the refund {_money(amount)} (difference "
                                    f"{_money(note.amount - amount)}).", note.amount - amount))
        if note_tax != tax:
            findings.append(Finding(FindingCode.REFUND_TAX_DIFFERS, f"Credit note {note.credit_number} for refund "
                                    f"{refund.id} carries tax {_money(note_tax)}, the refund gave back "
                                    f"{_money(tax)} (difference {_money(note_tax - tax)}).", note_tax - tax))
        ids = {n.id for n in found}
        applied = quantize(_applied(books.payments, ids), currency)
        applied_total += applied
        settling |= ids
        shortfall += max(cash - applied, _ZERO)
        _check_application(findings, what=f"Credit note {note.credit_number} for refund {refund.id}",
                           applied=applied, wanted=cash, full=full,
                           why=f"the refund paid {_money(cash)} back to the customer")
    writeoffs = _notes_tagged(notes, f"[BigBooks writeoff:{head.id}]", None)
    if writeoffs:
        if len(writeoffs) > 1:
            findings.append(Finding(FindingCode.DUPLICATE_CREDIT_NOTE, f"{len(writeoffs)} write-off credit notes "
                                    "for the order: " + ", ".join(f"{n.credit_number or n.id} ({_money(n.amount)})"
                                                                  for n in writeoffs) + "; one is expected.",
                                    _sum(n.amount for n in writeoffs[1:])))
        settling |= {n.id for n in writeoffs}
        applied = quantize(_applied(books.payments, {writeoffs[0].id}), currency)
        shortfall += max(writeoffs[0].amount - applied, _ZERO)
        _check_application(findings, what=f"Write-off credit note {writeoffs[0].credit_number}", applied=applied,
                           wanted=writeoffs[0].amount, full=full, why="it writes off the uncollected balance")
    if head.status_id == bc.OrderStatus.REFUNDED:
        balance = _sum(d.outstanding for d in books.documents) - shortfall
        if balance > 0:
            findings.append(Finding(FindingCode.BALANCE_NOT_WRITTEN_OFF, f"The order is Refunded but its invoice "
                                    f"still shows {_money(balance)} outstanding that no credit accounts for.",
                                    balance))
    figures.update(fb_credited=quantize(credited, currency), fb_credit_tax=quantize(credit_tax, currency),
                   fb_credit_applied=quantize(applied_total, currency))
    return settling


def _check_application(findings: list[Finding], *, what: str, applied: Decimal, wanted: Decimal, full: bool,
                       why: str) -> None:
    if applied < wanted:
        left = wanted - applied
        also = " although the order is fully refunded" if full else ""
        findings.append(Finding(FindingCode.OPEN_CREDIT, f"{what}: {_money(applied)} applied to the invoice, but "
                                f"{why}; {_money(left)} stays open as client credit{also}.", -left))
    elif applied > wanted:
        findings.append(Finding(FindingCode.CREDIT_OVERAPPLIED, f"{what}: {_money(applied)} applied to the invoice, "
                                f"but {why} (difference {_money(applied - wanted)}).", applied - wanted))


def _money_checks(order: OrderRecords, books: InvoiceRecords, notes: Sequence[fb.CreditNote],
                  settling: set[int], figures: dict[str, Any], findings: list[Finding]) -> None:
    head = order.order
    currency = head.transaction_currency
    overpayments = {n.id: n.amount for n in notes}
    payments = sorted(books.payments, key=lambda p: p.id)

    def worth(payment: fb.Payment) -> Decimal:
        """Money a payment brought in: its amount and the overpayment credit FreshBooks made from it."""
        extra = overpayments.get(payment.overpaymentid, _ZERO) if payment.overpaymentid is not None else _ZERO
        return payment.amount + extra

    by_marker: dict[str, list[fb.Payment]] = {}
    for payment in payments:
        for key in dict.fromkeys(markers(payment.note)):
            by_marker.setdefault(key, []).append(payment)
    for key, same in sorted(by_marker.items()):
        if len(same) > 1:
            findings.append(Finding(FindingCode.DUPLICATE_PAYMENT, f"{len(same)} live payments carry [BigBooks {key}]: "
                                    + ", ".join(f"id {p.id} ({_money(worth(p))})" for p in same)
                                    + "; one is expected.", _sum(worth(p) for p in same[1:])))
    if order.plans is None:
        return
    def total(values: Iterable[Decimal]) -> Decimal:
        return quantize(_sum(values), currency)

    money = [p for p in payments if not is_credit_application(p)]
    redeemed_fb = total(p.amount for p in payments if is_credit_application(p)
                        and p.creditid not in settling and not settlement_marker(p))
    cash_fb = total(worth(p) for p in money)
    overpaid = cash_fb - _sum(p.amount for p in money)
    captured = total(plan.draft.amount for plan in order.plans if not plan.from_credit)
    redeemed_bc = total(plan.draft.amount for plan in order.plans if plan.from_credit)
    refunded = total(refund_cash(r) for r in order.refunds)
    figures.update(bc_captured=captured, bc_refunded_cash=refunded, fb_cash=cash_fb, bc_redeemed=redeemed_bc,
                   fb_redeemed=redeemed_fb)
    kept = captured - refunded
    if cash_fb != kept:
        fb_parts = f"{len(money)} payment(s)" + (f" incl. overpayment credit {_money(overpaid)}" if overpaid else "")
        bc_parts = f"captured {_money(captured)}" + (f" - refunded to the customer {_money(refunded)}"
                                                     if refunded else "")
        findings.append(Finding(FindingCode.CASH_DIFFERS, f"Money: FreshBooks {_money(cash_fb)} ({fb_parts}), "
                                f"BigCommerce {_money(kept)} ({bc_parts}); difference {_money(cash_fb - kept)}.",
                                cash_fb - kept))
    if redeemed_fb != redeemed_bc:
        findings.append(Finding(FindingCode.REDEMPTION_DIFFERS, f"Client credit applied as payment: FreshBooks "
                                f"{_money(redeemed_fb)}, BigCommerce gift certificates and store credit spent "
                                f"{_money(redeemed_bc)} (difference {_money(redeemed_fb - redeemed_bc)}).",
                                redeemed_fb - redeemed_bc))
