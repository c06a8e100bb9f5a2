"""Core `fb` drafts -> FreshBooks request bodies: envelopes, string money and quantities, camelCase taxes.

Money is written as `{"amount": "12.30", "code": "USD"}` with the amount as a string (never a float), `qty`
as a string, rates as percent strings. Shapes follow the Node SDK's request fixtures
(`node/Invoice__05_POST_200.request.json`, `Payment__04`, `Client__04`, `Item__05`, `CreditNote__04`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bigbooks_desktop.core import freshbooks as fb

__all__ = [
    "MARK_SENT",
    "VIS_ARCHIVED",
    "VIS_DELETED",
    "client_body",
    "credit_note_body",
    "decimal_text",
    "invoice_body",
    "item_body",
    "item_update_body",
    "line_body",
    "payment_body",
    "payment_update_body",
    "tax_body",
]

_CLIENT_FIELDS = ("email", "fname", "lname", "organization", "bus_phone", "p_street", "p_street2", "p_city",
                  "p_province", "p_code", "p_country", "s_street", "s_street2", "s_city", "s_province",
                  "s_code", "s_country", "currency_code", "note")
# written only when set: a profile that does not map them leaves what the merchant typed in FreshBooks
# (FreshBooks SUMMARY §8 client fields)
_CLIENT_FIELDS_WHEN_SET = ("home_phone", "mob_phone", "vat_name", "vat_number")

# Sent alone: a PUT with an action or vis_state applies only that phase, dropping other fields (SUMMARY §6).
MARK_SENT: dict[str, Any] = {"action_mark_as_sent": True}
VIS_DELETED: dict[str, Any] = {"vis_state": 1}
# vis_state 2 = archived: kept, readable, out of the active lists (SUMMARY §10, [DOC:active_deleted]; [PY] VisState)
VIS_ARCHIVED: dict[str, Any] = {"vis_state": 2}


def decimal_text(value: Decimal) -> str:
    """A Decimal as plain text without exponent (`Decimal("1E+1")` -> `"10"`), keeping its scale."""
    if not isinstance(value, Decimal):
        raise TypeError(f"amounts must be Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {value}")
    return format(value, "f")


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    money = {"amount": decimal_text(amount)}
    if currency:
        money["code"] = currency
    return money


def client_body(draft: fb.ClientDraft, *, for_update: bool = False) -> dict[str, Any]:
    """On create, empty fields are left out; on update every field is sent so a cleared value clears."""
    body: dict[str, Any] = {}
    for name in _CLIENT_FIELDS:
        value = getattr(draft, name)
        if value or (for_update and name != "currency_code"):
            body[name] = value
    body.update({name: getattr(draft, name) for name in _CLIENT_FIELDS_WHEN_SET if getattr(draft, name)})
    return body


def line_body(line: fb.LineDraft, *, currency: str) -> dict[str, Any]:
    """One invoice/credit-note line. Tax slots are written only when used (rate given)."""
    body: dict[str, Any] = {
        "type": 0,
        "name": line.name,
        "description": line.description,
        "qty": decimal_text(line.qty),
        "unit_cost": _money(line.unit_cost, currency),
    }
    if line.tax_amount1 is not None:
        body["taxName1"] = line.tax_name1
        body["taxAmount1"] = decimal_text(line.tax_amount1)
    if line.tax_amount2 is not None:
        body["taxName2"] = line.tax_name2
        body["taxAmount2"] = decimal_text(line.tax_amount2)
    return body


def invoice_body(draft: fb.InvoiceDraft, *, for_update: bool = False) -> dict[str, Any]:
    """The invoice fields and its full line list (a PUT replaces every line). New invoices are drafts."""
    body: dict[str, Any] = {
        "customerid": draft.customerid,
        "invoice_number": draft.invoice_number,
        "create_date": draft.create_date.isoformat(),
        "currency_code": draft.currency_code,
        "po_number": draft.po_number,
        "notes": draft.notes,
        "terms": draft.terms,
        "lines": [line_body(line, currency=draft.currency_code) for line in draft.lines],
    }
    if draft.due_offset_days is not None:      # FreshBooks SUMMARY §6 writable invoice fields
        body["due_offset_days"] = draft.due_offset_days
    if not for_update:
        body["status"] = 1   # draft; marking sent is a separate, lone action (mark_invoice_sent)
    return body


def payment_body(draft: fb.PaymentDraft) -> dict[str, Any]:
    """The payment currency follows the invoice, so only the amount is sent (SUMMARY §7). A `creditid`
    makes it the application of that credit note to the invoice."""
    body: dict[str, Any] = {
        "invoiceid": draft.invoiceid,
        "amount": {"amount": decimal_text(draft.amount)},
        "date": draft.date.isoformat(),
        "type": draft.type,
        "note": draft.note,
    }
    if draft.creditid is not None:
        body["creditid"] = draft.creditid
    return body


def payment_update_body(*, amount: Decimal, note: str) -> dict[str, Any]:
    """A payment edit: the new amount (0 records a full refund, [HC] 115011722588 "zero out the amount and leave
    a comment") and the note. Shape of `node/Payment__05_PUT_200.request.json` without the fields kept."""
    return {"amount": {"amount": decimal_text(amount)}, "note": note}


def item_body(draft: fb.ItemDraft) -> dict[str, Any]:
    """An item to create; `qty`, `inventory` and the tax ids only when set (`node/Item__05_POST_200.request.json`:
    qty and inventory as strings, tax ids as strings)."""
    body: dict[str, Any] = {
        "name": draft.name,
        "description": draft.description,
        "sku": draft.sku,
        "unit_cost": _money(draft.unit_cost, draft.currency_code),
    }
    body.update(_item_extras(draft.qty, draft.inventory, draft.tax1, draft.tax2))
    return body


def _item_extras(qty: Decimal | None, inventory: Decimal | None, tax1: int | None, tax2: int | None
                 ) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    if qty is not None:
        extras["qty"] = decimal_text(qty)
    if inventory is not None:
        extras["inventory"] = decimal_text(inventory)
    for name, tax in (("tax1", tax1), ("tax2", tax2)):
        if tax is not None:
            extras[name] = str(int(tax))
    return extras


def item_update_body(update: fb.ItemUpdate) -> dict[str, Any]:
    """Only the fields set (a PUT changes what it carries; `node/Item__03_PUT_200.request.json` shape), never
    `vis_state` (a PUT with it applies nothing else, SUMMARY §6: archiving is `ITEM_ARCHIVED`, sent alone)."""
    body: dict[str, Any] = {}
    if update.name is not None:
        body["name"] = update.name
    if update.description is not None:
        body["description"] = update.description
    if update.unit_cost is not None:
        body["unit_cost"] = _money(update.unit_cost, update.currency_code)
    body.update(_item_extras(update.qty, update.inventory, update.tax1, update.tax2))
    return body


def tax_body(draft: fb.TaxDraft) -> dict[str, Any]:
    return {
        "name": draft.name,
        "amount": decimal_text(draft.amount),
        "number": draft.number,
        "compound": draft.compound,
    }


def credit_note_body(draft: fb.CreditNoteDraft) -> dict[str, Any]:
    """A credit note; its lines carry tax slots like invoice lines ([DOC] credits, [PM] create bodies).
    `credit_type` is sent only when chosen (`node/CreditNote__04_POST_200.request.json` sends "goodwill")."""
    body: dict[str, Any] = {
        "clientid": draft.clientid,
        "create_date": draft.create_date.isoformat(),
        "currency_code": draft.currency_code,
        "notes": draft.notes,
        "lines": [line_body(line, currency=draft.currency_code) for line in draft.lines],
    }
    if draft.credit_type is not None:
        body["credit_type"] = draft.credit_type
    return body
