"""What each FreshBooks accounting resource accepts on create and update: required and writable fields.

Payments have their own module, `payment_rules` (overpayments, edits, applying credits).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bigbooks_desktop.core.money import to_decimal
from bigbooks_desktop.sandbox.freshbooks import payment_rules, records
from bigbooks_desktop.sandbox.freshbooks.invoice_math import money
from bigbooks_desktop.sandbox.freshbooks.records import apply_fields
from bigbooks_desktop.sandbox.freshbooks.wire import AccountingError

if TYPE_CHECKING:
    from bigbooks_desktop.sandbox.freshbooks.ledger import Ledger

__all__ = ["CREATABLE_CREDIT_TYPES", "CREATE", "UPDATE", "apply_fields"]

Record = dict[str, Any]

# Fields a request body may set, per resource (the rest are computed or fixed at creation).
CLIENT_WRITABLE = (
    "fname",
    "lname",
    "email",
    "organization",
    "bus_phone",
    "mob_phone",
    "home_phone",
    "fax",
    "note",
    "currency_code",
    "language",
    "vat_name",
    "vat_number",
    "p_street",
    "p_street2",
    "p_city",
    "p_province",
    "p_code",
    "p_country",
    "s_street",
    "s_street2",
    "s_city",
    "s_province",
    "s_code",
    "s_country",
    "allow_late_fees",
    "allow_late_notifications",
    "pref_email",
    "pref_gmail",
    "username",
)
ADDRESS_FIELDS = ("street", "street2", "city", "province", "code", "country")  # invoices and credit notes
INVOICE_WRITABLE = (
    "currency_code",
    "invoice_number",
    "po_number",
    "notes",
    "terms",
    "due_offset_days",
    "discount_value",
    "discount_description",
    "language",
    "address",
    *ADDRESS_FIELDS,
    "fname",
    "lname",
    "organization",
    "email",
    "vat_name",
    "vat_number",
    "description",
    "create_date",
    "customerid",
    "template",
    "payment_details",
    "fulfillment_date",
    "auto_bill",
    "show_attachments",
    "deposit_percentage",
    "return_uri",
    "parent",
    "estimateid",
    "ext_archive",
    "generation_date",
    "last_order_status",
)
# [DOC] credits page: credit_type "goodwill" or "prepayment" on create; "overpayment" credits are only made by
# FreshBooks itself ([PM] List Credits; node CreditNote.ts enum has all three).
CREATABLE_CREDIT_TYPES = ("goodwill", "prepayment")
ITEM_WRITABLE = ("name", "description", "sku", "qty", "inventory", "tax1", "tax2")
TAX_WRITABLE = ("name", "amount", "number", "compound")
CREDIT_NOTE_WRITABLE = (
    "create_date",
    "credit_number",
    "currency_code",
    "notes",
    "terms",
    "description",
    "language",
    "fname",
    "lname",
    "organization",
    *ADDRESS_FIELDS,
    "vat_name",
    "vat_number",
    "payment_type",
    "template",
    "clientid",
)  # credit_type is checked on its own (CREATABLE_CREDIT_TYPES)


def _create_clients(ledger: Ledger, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    client_id = ledger.new_id("clients")
    obj = records.new_client(
        client_id=client_id,
        account_id=account_id,
        currency=ledger.business(account_id).currency,
        now=ledger.now(),
        now_utc=ledger.now_utc(),
        record_uuid=ledger.record_uuid(account_id, "clients", client_id),
    )
    _update_clients(ledger, account_id, obj, body)
    return obj


def _update_clients(ledger: Ledger, account_id: str, obj: dict[str, Any], body: dict[str, Any]) -> None:
    apply_fields(obj, body, CLIENT_WRITABLE)


def _create_items(ledger: Ledger, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    if not body.get("name"):
        raise AccountingError.required("item", "name")
    obj = records.new_item(
        item_id=ledger.new_id("items"),
        account_id=account_id,
        currency=ledger.business(account_id).currency,
        now=ledger.now(),
    )
    _update_items(ledger, account_id, obj, body)
    return obj


def _update_items(ledger: Ledger, account_id: str, obj: dict[str, Any], body: dict[str, Any]) -> None:
    apply_fields(obj, body, ITEM_WRITABLE)
    obj["qty"] = records.number_text(obj["qty"] or "0")
    obj["inventory"] = None if obj["inventory"] in (None, "") else records.number_text(obj["inventory"])
    obj["tax1"], obj["tax2"] = int(obj["tax1"] or 0), int(obj["tax2"] or 0)
    if "unit_cost" in body:
        obj["unit_cost"] = money(
            to_decimal(body["unit_cost"].get("amount") or "0"),
            body["unit_cost"].get("code") or obj["unit_cost"]["code"],
        )


def _create_taxes(ledger: Ledger, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    if not body.get("name"):
        raise AccountingError.required("tax", "name")
    if any(tax["name"] == body["name"] for tax in ledger.all(account_id, "taxes")):
        raise AccountingError.invalid("tax", "name", body["name"], "Name has already been taken.")
    return records.new_tax(
        tax_id=ledger.new_id("taxes"),
        account_id=account_id,
        name=str(body["name"]),
        rate=body.get("amount") or "0",
        number=body.get("number"),
        compound=bool(body.get("compound", False)),
        now=ledger.now(),
    )


def _update_taxes(ledger: Ledger, account_id: str, obj: dict[str, Any], body: dict[str, Any]) -> None:
    apply_fields(obj, body, TAX_WRITABLE)
    obj["amount"] = records.number_text(obj["amount"])
    obj["compound"] = bool(obj["compound"])


def _create_invoices(ledger: Ledger, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    if body.get("customerid") in (None, ""):
        raise AccountingError.required("invoice", "customerid")
    if not body.get("create_date"):
        raise AccountingError.required("invoice", "create_date")
    client = _client_for(ledger, account_id, body["customerid"], "invoice", "customerid")
    invoice_id = ledger.new_id("invoices")
    obj = records.new_invoice(
        invoice_id=invoice_id,
        account_id=account_id,
        currency=client["currency_code"] or ledger.business(account_id).currency,
        now=ledger.now(),
        record_uuid=ledger.record_uuid(account_id, "invoices", invoice_id),
    )
    obj.update(_client_names(client), email=client["email"])
    obj.update({field: client[f"p_{field}"] for field in ADDRESS_FIELDS})
    if not body.get("invoice_number"):
        obj["invoice_number"] = _next_number(ledger, account_id, "invoices", "invoice_number")
    _update_invoices(ledger, account_id, obj, body)
    if int(body.get("status") or 1) >= 2:  # status is writable only at creation
        ledger.mark_sent(obj["id"])
    return obj


def _update_invoices(ledger: Ledger, account_id: str, obj: dict[str, Any], body: dict[str, Any]) -> None:
    number = body.get("invoice_number")
    if number and any(
        other["invoice_number"] == number and other["id"] != obj["id"] and other["vis_state"] != 1
        for other in ledger.all(account_id, "invoices")
    ):
        raise AccountingError.invalid(
            "invoice", "invoice_number", number, "Invoice number has already been taken."
        )
    if "customerid" in body:
        _client_for(ledger, account_id, body["customerid"], "invoice", "customerid")
    apply_fields(obj, body, INVOICE_WRITABLE)
    obj["customerid"] = int(obj["customerid"])
    obj["due_offset_days"] = int(obj["due_offset_days"] or 0)
    obj["discount_value"] = records.number_text(obj["discount_value"] or "0")
    obj["create_date"] = dt.date.fromisoformat(str(obj["create_date"])).isoformat()
    obj["due_date"] = (
        dt.date.fromisoformat(obj["create_date"]) + dt.timedelta(days=obj["due_offset_days"])
    ).isoformat()
    if "lines" in body:  # lines are replaced whole
        obj["lines"] = [
            records.new_line(
                raw, invoice_id=obj["id"], lineid=index, currency=obj["currency_code"], now=ledger.now()
            )
            for index, raw in enumerate(body["lines"] or [], 1)
        ]


def _client_names(client: Record) -> Record:
    """The client's names as an invoice or credit note copies them when it is created."""
    return {
        "fname": client["fname"],
        "lname": client["lname"],
        "organization": client["organization"],
        "current_organization": client["organization"],
    }


def _client_for(ledger: Ledger, account_id: str, client_id: Any, obj: str, field: str) -> dict[str, Any]:
    try:
        client = ledger.books[account_id]["clients"].get(int(client_id))
    except (TypeError, ValueError):
        client = None
    if client is None or client["vis_state"] == 1:
        raise AccountingError.invalid(obj, field, client_id, "Client not found.")
    return client


def _next_number(ledger: Ledger, account_id: str, resource: str, field: str) -> str:
    used = {doc[field] for doc in ledger.all(account_id, resource)}
    counter = len(used) + 1
    while f"{counter:07d}" in used:
        counter += 1
    return f"{counter:07d}"


def _create_credit_notes(ledger: Ledger, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    if body.get("clientid") in (None, ""):
        raise AccountingError.required("credit_note", "clientid")
    if not body.get("create_date"):
        raise AccountingError.required("credit_note", "create_date")
    client = _client_for(ledger, account_id, body["clientid"], "credit_note", "clientid")
    obj = records.new_credit_note(
        credit_id=ledger.new_id("credit_notes"),
        account_id=account_id,
        currency=client["currency_code"] or ledger.business(account_id).currency,
    )
    obj.update(_client_names(client))
    if not body.get("credit_number"):
        obj["credit_number"] = _next_number(ledger, account_id, "credit_notes", "credit_number")
    _update_credit_notes(ledger, account_id, obj, body)
    return obj


def _update_credit_notes(ledger: Ledger, account_id: str, obj: dict[str, Any], body: dict[str, Any]) -> None:
    if "clientid" in body:
        _client_for(ledger, account_id, body["clientid"], "credit_note", "clientid")
    credit_type = body.get("credit_type")
    if credit_type not in (None, ""):
        if credit_type not in (*CREATABLE_CREDIT_TYPES, obj["credit_type"]):  # an overpayment credit may say so
            raise AccountingError.invalid(
                "credit_note", "credit_type", credit_type, 'credit_type must be "goodwill" or "prepayment".'
            )
        obj["credit_type"] = credit_type
    apply_fields(obj, body, CREDIT_NOTE_WRITABLE)
    obj["clientid"] = int(obj["clientid"])
    obj["create_date"] = dt.date.fromisoformat(str(obj["create_date"])).isoformat()
    if "lines" in body:
        obj["lines"] = [
            records.new_credit_line(raw, credit_id=obj["id"], taskno=index, currency=obj["currency_code"])
            for index, raw in enumerate(body["lines"] or [], 1)
        ]


CREATE: dict[str, Callable[[Ledger, str, Record], Record]] = {
    "clients": _create_clients,
    "invoices": _create_invoices,
    "payments": payment_rules.create_payment,
    "items": _create_items,
    "taxes": _create_taxes,
    "credit_notes": _create_credit_notes,
}
UPDATE: dict[str, Callable[[Ledger, str, Record, Record], None]] = {
    "clients": _update_clients,
    "invoices": _update_invoices,
    "payments": payment_rules.update_payment,
    "items": _update_items,
    "taxes": _update_taxes,
    "credit_notes": _update_credit_notes,
}
