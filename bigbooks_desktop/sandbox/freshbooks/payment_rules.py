"""How the sandbox records and edits FreshBooks payments: overpayments, edits, and applying a credit note.

Each rule with its source:

- POST with a `creditid` applies that credit note to the invoice (rules and sources in `ledger`); it may not
  exceed what the credit has left nor what the invoice owes.
- POST with an amount above what the invoice owes is an overpayment ([PM] Make Payment: 3300.00 on a 180.00
  draft came back as a payment of "180.00" with `overpaymentid` 10320; the [DOC] staging copy: 10.00 on a settled
  invoice came back as "0.00" with an `overpaymentid`; [HC] "automatically creates a Credit for that Client"):
  the payment's amount becomes the outstanding (possibly 0.00), and a credit note for the excess is created
  for the invoice's client, `credit_type` "overpayment", description and notes "Overpayment: invoice #<number>"
  ([PM] List Credits). The credit holds one untaxed line "Overpayment" for the excess and takes the payment's
  date (unverified: sandbox assumption, no overpayment credit with lines was seen).
- PUT with `amount` (0 allowed) and/or `note` edits it ([PM] Update Payment: 3300 -> 10.00 left the invoice
  partial; [HC] 115011722588 "zero out the amount and leave a comment" for a full refund); the invoice (and the
  credit the payment was applied from) is recomputed. An edit may not raise the amount above what the invoice
  owes without this payment, nor a credit application above what the credit has left (422; unverified:
  sandbox assumption). The overpayment credit a payment created is NOT changed by a later edit or deletion of
  that payment (unverified: sandbox assumption, the simplest consistent rule; it is the client's credit now).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bigbooks_desktop.core.money import MoneyParseError, to_decimal
from bigbooks_desktop.sandbox.freshbooks import records
from bigbooks_desktop.sandbox.freshbooks.invoice_math import cents, money
from bigbooks_desktop.sandbox.freshbooks.records import apply_fields
from bigbooks_desktop.sandbox.freshbooks.wire import AccountingError

if TYPE_CHECKING:
    from bigbooks_desktop.sandbox.freshbooks.ledger import Ledger

__all__ = ["PAYMENT_WRITABLE", "create_payment", "update_payment"]

PAYMENT_WRITABLE = ("date", "type", "note", "transactionid", "orderid", "send_client_notification")


def create_payment(ledger: Ledger, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """A new payment on `invoiceid`: money, a credit application (`creditid`), or an overpayment."""
    if body.get("invoiceid") in (None, ""):
        raise AccountingError.required("payment", "invoiceid")
    try:
        invoice = ledger.books[account_id]["invoices"].get(int(body["invoiceid"]))
    except (TypeError, ValueError):
        invoice = None
    if invoice is None or invoice["vis_state"] == 1:
        raise AccountingError.invalid("payment", "invoiceid", body["invoiceid"], "Invoice not found.")
    code = invoice["currency_code"]
    amount = cents(_payment_amount(body, allow_zero=False), code)
    date = str(body.get("date") or ledger.today())
    obj = records.new_payment(
        payment_id=ledger.new_id("payments"),
        account_id=account_id,
        invoice_id=invoice["id"],
        client_id=invoice["customerid"],
        amount=amount,
        currency=code,
        date=date,
        now=ledger.now(),
    )
    apply_fields(obj, body, PAYMENT_WRITABLE)
    owed = ledger.invoice_room(account_id, invoice)
    if body.get("creditid"):
        credit = _credit_for(ledger, account_id, body["creditid"], invoice)
        _check_credit_application(ledger, account_id, credit, amount, owed, body["amount"], excluding=None)
        obj.update({"creditid": credit["id"], "from_credit": True, "type": "Credit"})
    elif amount > owed:
        obj["amount"] = money(owed, code)
        obj["overpaymentid"] = _overpayment_credit(ledger, account_id, invoice, amount - owed, date)["id"]
    return obj


def _check_credit_application(
    ledger: Ledger,
    account_id: str,
    credit: dict[str, Any],
    amount: Decimal,
    owed: Decimal,
    raw: Any,
    *,
    excluding: int | None,
) -> None:
    """A credit applies at most what it has left and what the invoice owes (422 otherwise; assumption)."""
    left = ledger.credit_left(account_id, credit, excluding=excluding)
    if amount > left:
        raise AccountingError.invalid("payment", "amount", raw, f"Amount exceeds the credit left ({left}).")
    if amount > owed:
        raise AccountingError.invalid(
            "payment", "amount", raw, f"Amount exceeds the invoice's outstanding balance ({owed})."
        )


def _overpayment_credit(
    ledger: Ledger, account_id: str, invoice: dict[str, Any], excess: Decimal, date: str
) -> dict[str, Any]:
    """The overpayment credit note FreshBooks makes for the excess of a payment (see the module docstring)."""
    label = f"Overpayment: invoice #{invoice['invoice_number']}"
    credit = ledger.create(
        account_id,
        "credit_notes",
        {
            "clientid": invoice["customerid"],
            "create_date": date,
            "currency_code": invoice["currency_code"],
            "description": label,
            "notes": label,
            "lines": [{"name": "Overpayment", "qty": "1", "unit_cost": {"amount": excess}}],
        },
    )
    credit["credit_type"] = "overpayment"
    return credit


def _payment_amount(body: dict[str, Any], *, allow_zero: bool) -> Decimal:
    """The payment amount: > 0 on create; >= 0 on an edit ([HC] 115011722588 "zero out the amount")."""
    raw = body.get("amount")
    value = raw.get("amount") if isinstance(raw, dict) else raw
    if value in (None, ""):
        raise AccountingError.required("payment", "amount")
    try:
        amount = to_decimal(value)
    except MoneyParseError as exc:
        raise AccountingError.invalid("payment", "amount", value, "Amount must be a number.") from exc
    if amount < 0 or (amount == 0 and not allow_zero):
        message = "Amount must not be negative." if allow_zero else "Amount must be greater than 0."
        raise AccountingError.invalid("payment", "amount", value, message)
    return amount


def _credit_for(ledger: Ledger, account_id: str, credit_id: Any, invoice: dict[str, Any]) -> dict[str, Any]:
    try:
        credit = ledger.books[account_id]["credit_notes"].get(int(credit_id))
    except (TypeError, ValueError):
        credit = None
    if credit is None or credit["vis_state"] == 1:
        raise AccountingError.invalid("payment", "creditid", credit_id, "Credit note not found.")
    if credit["clientid"] != invoice["customerid"]:
        raise AccountingError.invalid(
            "payment", "creditid", credit_id, "Credit note belongs to another client."
        )
    return credit


def update_payment(ledger: Ledger, account_id: str, obj: dict[str, Any], body: dict[str, Any]) -> None:
    """An edit of the writable fields and the amount (0 allowed); the ledger then recomputes the balances."""
    apply_fields(obj, body, PAYMENT_WRITABLE)  # invoiceid is not movable ([NODE] update transform)
    if "amount" not in body:
        return
    code = obj["amount"]["code"]
    amount = cents(_payment_amount(body, allow_zero=True), code)
    invoice = ledger.books[account_id]["invoices"][obj["invoiceid"]]
    owed = ledger.invoice_room(account_id, invoice, excluding=obj["id"])
    if obj.get("creditid"):
        credit = ledger.books[account_id]["credit_notes"][obj["creditid"]]
        _check_credit_application(ledger, account_id, credit, amount, owed, body["amount"], excluding=obj["id"])
    elif amount > owed:
        raise AccountingError.invalid(
            "payment", "amount", body["amount"], f"Amount exceeds the invoice's outstanding balance ({owed})."
        )
    obj["amount"] = money(amount, code)
