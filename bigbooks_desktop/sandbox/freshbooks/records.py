"""Builders of FreshBooks accounting objects in the exact wire shape of the SDK fixtures (keys, value types).

Shapes: client = `python/get_client_response.json` (without the include-only `outstanding_balance` and the
fixture's junk `test_amount`); invoice and line = `java/get_invoice_response.json` (without include-only
`presentation`); payment = `java/get_payment_response.json`; item = `java/get_item_response.json`; tax =
`java/get_tax_response.json`; credit note and its lines = `node/CreditNote__01/03` (ids as ints, where the
Node fixture has strings).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bigbooks_desktop.core.money import to_decimal
from bigbooks_desktop.sandbox.freshbooks.invoice_math import line_amount, money

__all__ = [
    "apply_fields",
    "new_client",
    "new_credit_note",
    "new_invoice",
    "new_item",
    "new_line",
    "new_payment",
    "new_tax",
    "number_text",
]


def apply_fields(obj: dict[str, Any], body: dict[str, Any], fields: tuple[str, ...]) -> None:
    """Copy the `fields` present in a request body onto an object."""
    for name in fields:
        if name in body:
            obj[name] = body[name]


def number_text(value: Any) -> str:
    """A decimal as FreshBooks returns quantities and rates: a string, no needless zeros ("4", "8.875")."""
    number = to_decimal(value if value is not None else "0")
    text = format(number.normalize(), "f") if number == number.to_integral_value() else format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def new_client(
    *, client_id: int, account_id: str, currency: str, now: str, now_utc: str, record_uuid: str
) -> dict[str, Any]:
    """A blank client with every key of the fixture; the caller applies the request fields."""
    return {
        "accounting_systemid": account_id,
        "allow_email_include_pdf": False,
        "allow_late_fees": True,
        "allow_late_notifications": True,
        "bus_phone": "",
        "company_industry": None,
        "company_size": None,
        "currency_code": currency,
        "direct_link_token": None,
        "email": "",
        "fax": "",
        "fname": "",
        "grand_total_balance": [],
        "has_retainer": None,
        "home_phone": None,
        "id": client_id,
        "language": "en",
        "last_activity": None,
        "last_login": None,
        "level": 0,
        "lname": "",
        "mob_phone": "",
        "note": None,
        "notified": False,
        "num_logins": 0,
        "organization": "",
        "p_city": "",
        "p_code": "",
        "p_country": "",
        "p_province": "",
        "p_street": "",
        "p_street2": "",
        "pref_email": True,
        "pref_gmail": False,
        "retainer_id": None,
        "role": "client",
        "s_city": "",
        "s_code": "",
        "s_country": "",
        "s_province": "",
        "s_street": "",
        "s_street2": "",
        "signup_date": now_utc,
        "statement_token": None,
        "subdomain": None,
        "updated": now,
        "userid": client_id,
        "username": "",
        "uuid": record_uuid,
        "vat_name": None,
        "vat_number": None,
        "vis_state": 0,
    }


def new_line(raw: dict[str, Any], *, invoice_id: int, lineid: int, currency: str, now: str) -> dict[str, Any]:
    """One invoice line from a request line: qty/rates become strings, amount = qty x unit_cost."""
    unit = to_decimal((raw.get("unit_cost") or {}).get("amount") or "0")
    line: dict[str, Any] = {
        "basecampid": 0,
        "compounded_tax": bool(raw.get("compounded_tax", False)),
        "date": None,
        "description": raw.get("description") or "",
        "expenseid": int(raw.get("expenseid") or 0),
        "invoiceid": invoice_id,
        "lineid": lineid,
        "modern_project_id": None,
        "modern_time_entries": [],
        "name": raw.get("name") or "",
        "qty": number_text(raw.get("qty", 1)),
        "retainer_id": None,
        "retainer_period_id": None,
        "taskno": lineid,
        "taxAmount1": number_text(raw.get("taxAmount1") or "0"),
        "taxAmount2": number_text(raw.get("taxAmount2") or "0"),
        "taxName1": raw.get("taxName1") or "",
        "taxName2": raw.get("taxName2") or "",
        "taxNumber1": raw.get("taxNumber1"),
        "taxNumber2": raw.get("taxNumber2"),
        "type": int(raw.get("type") or 0),
        "unit_cost": money(unit, currency),
        "updated": now,
    }
    line["amount"] = money(line_amount(line), currency)
    return dict(sorted(line.items()))


def new_invoice(
    *, invoice_id: int, account_id: str, currency: str, now: str, record_uuid: str
) -> dict[str, Any]:
    """A blank invoice with every key of the fixture; money fields are filled by the caller's recompute."""
    zero = money(Decimal(0), currency)
    return {
        "accountid": account_id,
        "accounting_systemid": account_id,
        "address": "",
        "amount": zero,
        "auto_bill": False,
        "autobill_status": None,
        "basecampid": 0,
        "city": "",
        "code": "",
        "country": "",
        "create_date": "",
        "created_at": now,
        "currency_code": currency,
        "current_organization": "",
        "customerid": 0,
        "date_paid": None,
        "deposit_amount": None,
        "deposit_percentage": None,
        "deposit_status": "none",
        "description": "",
        "discount_description": None,
        "discount_total": zero,
        "discount_value": "0",
        "display_status": "draft",
        "dispute_status": None,
        "due_date": "",
        "due_offset_days": 0,
        "email": "",
        "estimateid": 0,
        "ext_archive": 0,
        "fname": "",
        "fulfillment_date": None,
        "generation_date": None,
        "gmail": False,
        "id": invoice_id,
        "invoice_number": "",
        "invoiceid": invoice_id,
        "language": "en",
        "last_order_status": None,
        "lines": [],
        "lname": "",
        "net_paid_amount": zero,
        "notes": "",
        "organization": "",
        "outstanding": zero,
        "ownerid": 1,
        "paid": zero,
        "parent": 0,
        "payment_details": "",
        "payment_status": "unpaid",
        "po_number": None,
        "province": "",
        "return_uri": None,
        "sentid": 1,
        "show_attachments": False,
        "status": 1,
        "street": "",
        "street2": "",
        "template": "clean-grouped",
        "terms": None,
        "updated": now,
        "uuid": record_uuid,
        "v3_status": "draft",
        "vat_name": None,
        "vat_number": "",
        "version": now + ".000000",
        "vis_state": 0,
    }


def new_payment(
    *,
    payment_id: int,
    account_id: str,
    invoice_id: int,
    client_id: int,
    amount: Decimal,
    currency: str,
    date: str,
    now: str,
) -> dict[str, Any]:
    """A payment (logid) against one invoice."""
    return {
        "accounting_systemid": account_id,
        "amount": money(amount, currency),
        "bulk_paymentid": None,
        "clientid": client_id,
        "creditid": None,
        "date": date,
        "from_credit": False,
        "gateway": None,
        "id": payment_id,
        "invoiceid": invoice_id,
        "logid": payment_id,
        "note": "",
        "orderid": None,
        "overpaymentid": None,
        "send_client_notification": None,
        "transactionid": None,
        "type": "Check",
        "updated": now,
        "vis_state": 0,
    }


def new_item(*, item_id: int, account_id: str, currency: str, now: str) -> dict[str, Any]:
    """A blank catalogue item."""
    return {
        "accounting_systemid": account_id,
        "description": "",
        "id": item_id,
        "inventory": None,
        "itemid": item_id,
        "name": "",
        "qty": "0",
        "sku": "",
        "tax1": 0,
        "tax2": 0,
        "unit_cost": money(Decimal(0), currency),
        "updated": now,
        "vis_state": 0,
    }


def new_tax(
    *, tax_id: int, account_id: str, name: str, rate: Any, number: str | None, compound: bool, now: str
) -> dict[str, Any]:
    """A tax: rate in percent as a string."""
    return {
        "accounting_systemid": account_id,
        "amount": number_text(rate),
        "compound": compound,
        "id": tax_id,
        "name": name,
        "number": number,
        "taxid": tax_id,
        "updated": now,
    }


def new_credit_note(*, credit_id: int, account_id: str, currency: str) -> dict[str, Any]:
    """A blank credit note with every key of the Node fixture."""
    zero = money(Decimal(0), currency)
    return {
        "accounting_systemid": account_id,
        "amount": zero,
        "city": "",
        "clientid": 0,
        "code": "",
        "country": "",
        "create_date": "",
        "credit_number": "",
        "credit_type": "goodwill",
        "creditid": credit_id,
        "current_organization": "",
        "currency_code": currency,
        "description": "",
        "display_status": "created",
        "dispute_status": None,
        "ext_archive": 0,
        "fname": "",
        "id": credit_id,
        "language": "en",
        "last_order_status": None,
        "lines": [],
        "lname": "",
        "notes": "",
        "organization": "",
        "paid": zero,
        "payment_status": "unpaid",
        "payment_type": None,
        "province": "",
        "sentid": 1,
        "status": "created",
        "street": "",
        "street2": "",
        "template": "clean-grouped",
        "terms": None,
        "vat_name": None,
        "vat_number": "",
        "vis_state": 0,
    }


def new_credit_line(raw: dict[str, Any], *, credit_id: int, taskno: int, currency: str) -> dict[str, Any]:
    """One credit-note line (the Node fixture's line keys)."""
    unit = to_decimal((raw.get("unit_cost") or {}).get("amount") or "0")
    line: dict[str, Any] = {
        "compounded_tax": bool(raw.get("compounded_tax", False)),
        "creditid": credit_id,
        "description": raw.get("description") or "",
        "name": raw.get("name") or "",
        "qty": number_text(raw.get("qty", 1)),
        "taskno": taskno,
        "taxAmount1": number_text(raw.get("taxAmount1") or "0"),
        "taxAmount2": number_text(raw.get("taxAmount2") or "0"),
        "taxName1": raw.get("taxName1") or None,
        "taxName2": raw.get("taxName2") or None,
        "unit_cost": money(unit, currency),
    }
    line["amount"] = money(line_amount(line), currency)
    return dict(sorted(line.items()))
