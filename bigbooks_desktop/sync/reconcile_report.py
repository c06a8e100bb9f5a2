"""The reconciliation report: findings (a code, the exact amounts, what to do), per-order figures, JSON and CSV.

Every finding is unexplained unless a legitimate reason accounts for it (the order waits in the inbox, its
invoice was removed by undo, it was cancelled after sync). The summary counts findings per code and the
unexplained differences, which are what the user must look at.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = ["CSV_COLUMNS", "Finding", "FindingCode", "OrderReconciliation", "OrderState", "ReconciliationReport",
           "TaxTable", "plain_money", "tax_text"]

TaxTable = dict[str, Decimal]      # tax name -> amount


class FindingCode(StrEnum):
    # the order's invoice
    MISSING_INVOICE = "missing_invoice"              # eligible order, no invoice
    UNLINKED_INVOICE = "unlinked_invoice"            # the order's invoice number exists, unlinked
    INVOICE_DELETED = "invoice_deleted"              # linked invoice deleted (or gone) in FreshBooks
    DUPLICATE_INVOICE = "duplicate_invoice"          # another active invoice for the order (not a supplement)
    CURRENCY_DIFFERS = "currency_differs"
    TOTAL_DIFFERS = "total_differs"                  # invoiced amount vs order total less gift certificates sold
    TAX_DIFFERS = "tax_differs"                      # one tax name: invoiced tax vs BigCommerce's
    ROUNDING_LINE = "rounding_line"                  # an untaxed rounding line (older BigBooks versions)
    # refunds and credits
    REFUND_NOT_CREDITED = "refund_not_credited"      # a refund without its credit note
    REFUND_TOTAL_DIFFERS = "refund_total_differs"    # credit note amount vs refund total_amount
    REFUND_TAX_DIFFERS = "refund_tax_differs"        # credit note tax vs refund total_tax
    DUPLICATE_CREDIT_NOTE = "duplicate_credit_note"  # two live credit notes for one refund (or write-off)
    OPEN_CREDIT = "open_credit"                      # less credit applied to the invoice than the money paid back
    CREDIT_OVERAPPLIED = "credit_overapplied"        # more applied than the money the refund paid back
    BALANCE_NOT_WRITTEN_OFF = "balance_not_written_off"  # a Refunded order's invoice still shows a balance
    # money
    CASH_DIFFERS = "cash_differs"                    # money payments (+ overpayment credits) vs captured - refunded
    REDEMPTION_DIFFERS = "redemption_differs"        # credit applied as payment vs gift certificates/store credit
    DUPLICATE_PAYMENT = "duplicate_payment"          # two live payments with one BigBooks marker
    NOT_COMPARED = "not_compared"                    # a read or the payment mapping failed for this order
    # explained by design
    UNDONE = "undone"                                # removed by "undo a sync run"
    NO_LONGER_ELIGIBLE = "no_longer_eligible"        # invoiced, then cancelled/disputed/voided


_ACTIONS: dict[FindingCode, str] = {
    FindingCode.MISSING_INVOICE: "Run a sync. If the order still has no invoice, `bigbooks inbox list` says why.",
    FindingCode.UNLINKED_INVOICE: "Run a sync: it links the existing invoice instead of creating another.",
    FindingCode.INVOICE_DELETED: "Restore the invoice in FreshBooks (deleted items), or undo the sync run that "
                                 "made it and sync the order again.",
    FindingCode.DUPLICATE_INVOICE: "Keep the linked invoice; move any payment off the other one(s), then delete "
                                   "them in FreshBooks.",
    FindingCode.CURRENCY_DIFFERS: "Credit the invoice in full and invoice the order again in its own currency.",
    FindingCode.TOTAL_DIFFERS: "Compare the invoice's lines with the order in BigCommerce. If the invoice was "
                               "edited by hand, put it back: a draft in place, a sent invoice with a credit note "
                               "or a supplementary invoice dated today.",
    FindingCode.TAX_DIFFERS: "Check the tax name and rate on each invoice line against the order's taxes (and the "
                             "mapping profile's tax names). Correct a draft in place; a sent invoice with a credit "
                             "note and a corrected invoice, so the filed period keeps what was reported.",
    FindingCode.ROUNDING_LINE: "An older BigBooks wrote this untaxed line: it books tax money as untaxed sales. "
                               "Have it replaced by taxed lines (a draft in place; a sent invoice through a credit "
                               "note and a corrected invoice in the current period).",
    FindingCode.REFUND_NOT_CREDITED: "A new refund: run a sync, which posts its credit note (if it stays "
                                     "missing, `bigbooks inbox list` says why). A credit note deleted in "
                                     "FreshBooks: restore it from the deleted items.",
    FindingCode.REFUND_TOTAL_DIFFERS: "Compare the credit note's lines with the refund's items in BigCommerce and "
                                      "correct the credit note (or replace it and its application).",
    FindingCode.REFUND_TAX_DIFFERS: "The credit note does not reverse the tax the refund gave back: give its lines "
                                    "the order's tax names and rates (replace it if it was applied).",
    FindingCode.DUPLICATE_CREDIT_NOTE: "Keep one credit note per refund: remove the extra one's applications, "
                                       "then delete it in FreshBooks.",
    FindingCode.OPEN_CREDIT: "Apply the credit note to the invoice for the money the refund paid back "
                             "(FreshBooks: Apply credit), so the client keeps no credit it was already paid.",
    FindingCode.CREDIT_OVERAPPLIED: "Lower the credit applied to the invoice to the money the refund paid back; "
                                    "the rest is the client's store credit.",
    FindingCode.BALANCE_NOT_WRITTEN_OFF: "Run a sync: a Refunded order's uncollected balance is written off by a "
                                         "labelled credit note applied to the invoice.",
    FindingCode.CASH_DIFFERS: "Compare the invoice's payments with the order's transactions in BigCommerce: a "
                              "missing capture is added by the next sync; a payment entered by hand, or one not "
                              "lowered for money refunded, must be corrected in FreshBooks.",
    FindingCode.REDEMPTION_DIFFERS: "Check the credit applied to the invoice against the gift certificates and "
                                    "store credit spent in the order.",
    FindingCode.DUPLICATE_PAYMENT: "Delete the extra payment(s): one FreshBooks payment per BigCommerce "
                                   "transaction. An overpayment credit the extra one made goes with it.",
    FindingCode.NOT_COMPARED: "Run reconcile again; if it repeats, the message says what to fix.",
    FindingCode.UNDONE: "Nothing, unless you want the order in FreshBooks again (bigbooks inbox / sync).",
    FindingCode.NO_LONGER_ELIGIBLE: "Nothing: the cancellation policy decides what happens to the invoice.",
}
_INBOX_ACTION = "Resolve the order in the inbox (`bigbooks inbox list`), then reconcile again."


class OrderState(StrEnum):
    OK = "ok"                    # everything agrees
    EXPLAINED = "explained"      # differences, all of them with a known reason
    UNEXPLAINED = "unexplained"  # at least one difference nobody accounted for
    SKIPPED = "skipped"          # not eligible and never invoiced


def plain_money(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


def tax_text(taxes: TaxTable | None) -> str:
    """`GST=12.50;PST=20.00` (names sorted); empty when not compared."""
    if taxes is None:
        return ""
    return ";".join(f"{name}={plain_money(amount)}" for name, amount in sorted(taxes.items()))


@dataclass(frozen=True, slots=True)
class Finding:
    code: FindingCode
    message: str
    difference: Decimal | None = None     # FreshBooks minus BigCommerce, when a number
    explained: bool = False

    @property
    def action(self) -> str:
        """What to do about it (explained findings other than by design point at the inbox)."""
        if self.explained and self.code not in (FindingCode.UNDONE, FindingCode.NO_LONGER_ELIGIBLE):
            return _INBOX_ACTION
        return _ACTIONS[self.code]

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code.value, "message": self.message, "difference": self.difference,
                "explained": self.explained, "action": self.action}


@dataclass(frozen=True, slots=True)
class OrderReconciliation:
    """One order's figures on both sides (None: not compared) and its findings."""

    order_id: int
    status_id: int
    eligible: bool
    currency: str
    bc_total: Decimal
    bc_refunded: Decimal                          # refunds' total_amount
    invoice_id: int | None = None
    invoice_number: str | None = None
    bc_gift_certificates: Decimal | None = None   # gift certificates sold in the order, kept off the invoice
    fb_amount: Decimal | None = None              # invoice + supplements - correction credit notes
    bc_tax: TaxTable | None = None                # BigCommerce's taxes rows per (FreshBooks) tax name
    fb_tax: TaxTable | None = None                # FreshBooks' tax per name, from the lines under the account rule
    bc_captured: Decimal | None = None            # money captured (not gift certificates or store credit)
    bc_refunded_cash: Decimal | None = None       # money refunded through gateways
    fb_cash: Decimal | None = None                # live money payments + the overpayment credits they made
    bc_redeemed: Decimal | None = None            # gift certificates and store credit spent on the order
    fb_redeemed: Decimal | None = None            # client credit applied as payment (not refunds/write-offs)
    bc_refund_tax: Decimal = Decimal(0)           # refunds' total_tax
    fb_credited: Decimal | None = None            # the refunds' credit notes
    fb_credit_tax: Decimal | None = None          # their tax, from their lines under the account rule
    fb_credit_applied: Decimal | None = None      # of them, applied to the invoice (expected: bc_refunded_cash)
    rounding: Decimal = Decimal(0)                # untaxed rounding lines on the invoice
    tax_names_checked: int = 0
    findings: tuple[Finding, ...] = ()

    @property
    def bc_expected_amount(self) -> Decimal | None:
        if self.bc_gift_certificates is None:
            return None
        return self.bc_total - self.bc_gift_certificates

    @property
    def bc_cash(self) -> Decimal | None:
        """Money the store kept: captured minus refunded through gateways."""
        if self.bc_captured is None or self.bc_refunded_cash is None:
            return None
        return self.bc_captured - self.bc_refunded_cash

    @property
    def state(self) -> OrderState:
        if any(not f.explained for f in self.findings):
            return OrderState.UNEXPLAINED
        if self.findings:
            return OrderState.EXPLAINED
        if not self.eligible and self.invoice_id is None:
            return OrderState.SKIPPED
        return OrderState.OK

    @property
    def unexplained(self) -> int:
        return sum(1 for f in self.findings if not f.explained)

    def to_json(self) -> dict[str, Any]:
        return {"order_id": self.order_id, "status_id": self.status_id, "eligible": self.eligible,
                "state": self.state.value, "currency": self.currency, "invoice_id": self.invoice_id,
                "invoice_number": self.invoice_number, "bc_total": self.bc_total,
                "bc_gift_certificates": self.bc_gift_certificates, "bc_expected_amount": self.bc_expected_amount,
                "fb_amount": self.fb_amount, "bc_tax": self.bc_tax, "fb_tax": self.fb_tax,
                "tax_names_checked": self.tax_names_checked, "bc_captured": self.bc_captured,
                "bc_refunded_cash": self.bc_refunded_cash, "bc_cash": self.bc_cash, "fb_cash": self.fb_cash,
                "bc_redeemed": self.bc_redeemed, "fb_redeemed": self.fb_redeemed,
                "bc_refunded": self.bc_refunded, "fb_credited": self.fb_credited,
                "bc_refund_tax": self.bc_refund_tax, "fb_credit_tax": self.fb_credit_tax,
                "fb_credit_applied": self.fb_credit_applied, "rounding": self.rounding,
                "findings": [f.to_json() for f in self.findings]}

    def csv_row(self) -> dict[str, str]:
        money = {name: plain_money(getattr(self, name)) for name in _MONEY_COLUMNS}
        return {"order_id": str(self.order_id), "status_id": str(self.status_id),
                "eligible": "yes" if self.eligible else "no", "state": self.state.value, "currency": self.currency,
                "invoice_number": self.invoice_number or "",
                "invoice_id": "" if self.invoice_id is None else str(self.invoice_id), **money,
                "bc_tax": tax_text(self.bc_tax), "fb_tax": tax_text(self.fb_tax),
                "tax_names_checked": str(self.tax_names_checked), "unexplained": str(self.unexplained),
                "codes": ";".join(f.code.value for f in self.findings),
                "reasons": "; ".join(f"{'' if f.explained else 'UNEXPLAINED '}{f.message}" for f in self.findings)}


_MONEY_COLUMNS = ("bc_total", "bc_gift_certificates", "bc_expected_amount", "fb_amount", "bc_captured",
                  "bc_refunded_cash", "bc_cash", "fb_cash", "bc_redeemed", "fb_redeemed", "bc_refunded",
                  "fb_credited", "bc_refund_tax", "fb_credit_tax", "fb_credit_applied", "rounding")
CSV_COLUMNS = ("order_id", "status_id", "eligible", "state", "currency", "invoice_number", "invoice_id",
               "bc_total", "bc_gift_certificates", "bc_expected_amount", "fb_amount", "bc_tax", "fb_tax",
               "tax_names_checked", "bc_captured", "bc_refunded_cash", "bc_cash", "fb_cash", "bc_redeemed",
               "fb_redeemed", "bc_refunded", "fb_credited", "bc_refund_tax", "fb_credit_tax", "fb_credit_applied",
               "rounding", "unexplained", "codes", "reasons")


@dataclass(frozen=True)
class ReconciliationReport:
    orders: tuple[OrderReconciliation, ...]
    generated_at: datetime
    requests: dict[str, int] = field(default_factory=dict)   # API calls made, per service

    @property
    def unexplained_differences(self) -> int:
        return sum(row.unexplained for row in self.orders)

    def summary(self) -> dict[str, Any]:
        states = Counter(row.state.value for row in self.orders)
        codes = Counter(f.code.value for row in self.orders for f in row.findings)
        open_codes = Counter(f.code.value for row in self.orders for f in row.findings if not f.explained)
        compared = [r for r in self.orders if r.bc_gift_certificates is not None]
        return {"orders": len(self.orders), "eligible": sum(1 for r in self.orders if r.eligible),
                "invoiced": sum(1 for r in self.orders if r.invoice_id is not None),
                "ok": states.get("ok", 0), "explained": states.get("explained", 0),
                "unexplained_orders": states.get("unexplained", 0), "skipped": states.get("skipped", 0),
                "unexplained_differences": self.unexplained_differences,
                "rounding_lines": codes.get(FindingCode.ROUNDING_LINE.value, 0),   # findings, never excuses
                "findings": dict(sorted(codes.items())), "unexplained_findings": dict(sorted(open_codes.items())),
                "checked": {"invoices": len(compared),
                            "tax_names": sum(r.tax_names_checked for r in self.orders),
                            "refunds": sum(1 for r in compared if r.fb_credited is not None and r.bc_refunded),
                            "cash": sum(1 for r in compared if r.fb_cash is not None)},
                "requests": dict(self.requests)}

    def mismatches(self) -> list[OrderReconciliation]:
        """Orders with any finding."""
        return [r for r in self.orders if r.state in (OrderState.EXPLAINED, OrderState.UNEXPLAINED)]

    def to_json(self) -> dict[str, Any]:
        return {"generated_at": self.generated_at.isoformat(), "summary": self.summary(),
                "orders": [row.to_json() for row in self.orders]}

    def csv_rows(self) -> list[dict[str, str]]:
        return [row.csv_row() for row in self.orders]

    def write_csv(self, path: Path) -> int:
        """One row per order, money as exact decimals, tax per name as `name=amount;...`; returns the rows."""
        rows = self.csv_rows()
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        return len(rows)
