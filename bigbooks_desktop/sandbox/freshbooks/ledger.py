"""The sandbox's FreshBooks books: every account's objects, their write rules and invoice balances.

Credit notes are applied the way the payment fields in the references allow (`creditid`, `from_credit` on
`java/get_payment_response.json`; `from_credit`/`payment_or_credit` filters in [DOC:payments]): POST a payment
with `"creditid": <credit note id>` (type becomes "Credit", from_credit true). The amount counts as paid on
the invoice and as `paid` on the credit note; it may not exceed what is left on the credit note. Deleting that
payment (vis_state 1) gives the credit back and un-pays the invoice.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bigbooks_desktop.core.money import MoneyParseError, to_decimal
from bigbooks_desktop.sandbox.freshbooks import records
from bigbooks_desktop.sandbox.freshbooks.accounts import BUSINESSES, Business
from bigbooks_desktop.sandbox.freshbooks.invoice_math import money, payment_state, totals
from bigbooks_desktop.sandbox.freshbooks.wire import AccountingError

__all__ = ["RESOURCES", "Ledger"]

EASTERN = ZoneInfo("America/New_York")
_UUID_NAMESPACE = uuid.UUID("0b5e4a52-6c1f-4f0e-9a8d-5a4db0c0f00b")  # fixed: same seed, same record uuids
RESOURCES = ("clients", "invoices", "payments", "items", "taxes", "credit_notes")
_SINGULAR = {
    "clients": "client",
    "invoices": "invoice",
    "payments": "payment",
    "items": "item",
    "taxes": "tax",
    "credit_notes": "credit_note",
}
_ID_FIELD = {
    "clients": "userid",
    "invoices": "invoiceid",
    "payments": "logid",
    "items": "itemid",
    "taxes": "taxid",
    "credit_notes": "creditid",
}
_FIRST_ID = {
    "clients": 300001,
    "invoices": 700001,
    "payments": 900001,
    "items": 40001,
    "taxes": 7801,
    "credit_notes": 31001,
}


class Ledger:
    """All accounts' objects, in wire shape, keyed by resource and id."""

    def __init__(self, *, clock: Callable[[], float], seed: int) -> None:
        self._clock = clock
        self._seed = seed
        self.books: dict[str, dict[str, dict[int, dict[str, Any]]]] = {
            biz.account_id: {name: {} for name in RESOURCES} for biz in BUSINESSES
        }
        self._next = dict(_FIRST_ID)
        self._sent: set[int] = set()

    # -- time ------------------------------------------------------------------------------------------------
    def _moment(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self._clock(), EASTERN)

    def now(self) -> str:
        """Accounting timestamp: "YYYY-MM-DD HH:MM:SS" in US/Eastern."""
        return self._moment().strftime("%Y-%m-%d %H:%M:%S")

    def today(self) -> str:
        return self._moment().strftime("%Y-%m-%d")

    def _record_uuid(self, account_id: str, resource: str, object_id: int) -> str:
        """A uuid derived from the seed and the object's identity, so a replay gives byte-identical state."""
        return str(uuid.uuid5(_UUID_NAMESPACE, f"{self._seed}/{account_id}/{resource}/{object_id}"))

    def _new_id(self, resource: str) -> int:
        value = self._next[resource]
        self._next[resource] = value + 1
        return value

    # -- lookup ----------------------------------------------------------------------------------------------
    def business(self, account_id: str) -> Business:
        return next(biz for biz in BUSINESSES if biz.account_id == account_id)

    def all(self, account_id: str, resource: str) -> list[dict[str, Any]]:
        return list(self.books[account_id][resource].values())

    def get(self, account_id: str, resource: str, object_id: Any) -> dict[str, Any]:
        try:
            key = int(object_id)
        except (TypeError, ValueError):
            key = -1
        found = self.books[account_id][resource].get(key)
        if found is None:
            raise AccountingError.not_found(_SINGULAR[resource], _ID_FIELD[resource], object_id)
        return found

    # -- generic create / update / delete --------------------------------------------------------------------
    def create(self, account_id: str, resource: str, body: dict[str, Any]) -> dict[str, Any]:
        maker = getattr(self, f"_create_{resource}")
        try:
            obj: dict[str, Any] = maker(account_id, body)
        except (MoneyParseError, ValueError, TypeError, AttributeError) as exc:
            raise AccountingError.invalid(_SINGULAR[resource], "", None, f"Invalid value: {exc}") from exc
        self.books[account_id][resource][obj["id"]] = obj
        self._after_change(account_id, resource, obj)
        return obj

    def update(self, account_id: str, resource: str, object_id: Any, body: dict[str, Any]) -> dict[str, Any]:
        obj = self.get(account_id, resource, object_id)
        if "vis_state" in body:  # phase rule: vis_state alone applies, other fields silently dropped
            state = body["vis_state"]
            if state not in (0, 1, 2, "0", "1", "2"):
                raise AccountingError.invalid(_SINGULAR[resource], "vis_state", state, "Invalid vis_state.")
            state = int(state)
            if "vis_state" in obj:
                obj["vis_state"] = state
            elif state == 1:  # taxes have no vis_state: deleting one removes it
                self.delete(account_id, resource, obj["id"])
                return obj
        elif resource == "invoices" and body.get("action_mark_as_sent"):
            self._sent.add(obj["id"])
        else:
            before = copy.deepcopy(obj)  # a refused update changes nothing
            try:
                getattr(self, f"_update_{resource}")(account_id, obj, body)
            except AccountingError:
                obj.clear()
                obj.update(before)
                raise
            except (MoneyParseError, ValueError, TypeError, AttributeError) as exc:
                obj.clear()
                obj.update(before)
                raise AccountingError.invalid(_SINGULAR[resource], "", None, f"Invalid value: {exc}") from exc
        self._touch(obj)
        self._after_change(account_id, resource, obj)
        return obj

    def delete(self, account_id: str, resource: str, object_id: Any) -> None:
        """HTTP DELETE: taxes are removed; invoices become vis_state 1 (their payments stay)."""
        obj = self.get(account_id, resource, object_id)
        if resource == "taxes":
            del self.books[account_id]["taxes"][obj["id"]]
            return
        obj["vis_state"] = 1
        self._touch(obj)

    def _touch(self, obj: dict[str, Any]) -> None:
        if "updated" not in obj:  # credit notes carry no timestamp
            return
        obj["updated"] = self.now()
        for line in obj.get("lines") or []:
            if "updated" in line:
                line["updated"] = obj["updated"]

    def _after_change(self, account_id: str, resource: str, obj: dict[str, Any]) -> None:
        if resource == "payments":
            self.refresh_invoice(account_id, self.books[account_id]["invoices"][obj["invoiceid"]])
            if obj.get("creditid"):
                self._refresh_credit(account_id, self.books[account_id]["credit_notes"][obj["creditid"]])
        elif resource == "invoices":
            self.refresh_invoice(account_id, obj)
        elif resource == "credit_notes":
            self._refresh_credit(account_id, obj)

    @staticmethod
    def _apply(obj: dict[str, Any], body: dict[str, Any], fields: tuple[str, ...]) -> None:
        for name in fields:
            if name in body:
                obj[name] = body[name]

    # -- clients ---------------------------------------------------------------------------------------------
    def _create_clients(self, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
        now_utc = dt.datetime.fromtimestamp(self._clock(), dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        client_id = self._new_id("clients")
        obj = records.new_client(
            client_id=client_id,
            account_id=account_id,
            currency=self.business(account_id).currency,
            now=self.now(),
            now_utc=now_utc,
            record_uuid=self._record_uuid(account_id, "clients", client_id),
        )
        self._update_clients(account_id, obj, body)
        return obj

    def _update_clients(self, account_id: str, obj: dict[str, Any], body: dict[str, Any]) -> None:
        self._apply(obj, body, records.CLIENT_WRITABLE)

    # -- items and taxes -------------------------------------------------------------------------------------
    def _create_items(self, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("name"):
            raise AccountingError.required("item", "name")
        obj = records.new_item(
            item_id=self._new_id("items"),
            account_id=account_id,
            currency=self.business(account_id).currency,
            now=self.now(),
        )
        self._update_items(account_id, obj, body)
        return obj

    def _update_items(self, account_id: str, obj: dict[str, Any], body: dict[str, Any]) -> None:
        self._apply(obj, body, records.ITEM_WRITABLE)
        obj["qty"] = records.number_text(obj["qty"] or "0")
        obj["inventory"] = None if obj["inventory"] in (None, "") else records.number_text(obj["inventory"])
        obj["tax1"], obj["tax2"] = int(obj["tax1"] or 0), int(obj["tax2"] or 0)
        if "unit_cost" in body:
            obj["unit_cost"] = money(
                to_decimal(body["unit_cost"].get("amount") or "0"),
                body["unit_cost"].get("code") or obj["unit_cost"]["code"],
            )

    def _create_taxes(self, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("name"):
            raise AccountingError.required("tax", "name")
        if any(tax["name"] == body["name"] for tax in self.all(account_id, "taxes")):
            raise AccountingError.invalid("tax", "name", body["name"], "Name has already been taken.")
        return records.new_tax(
            tax_id=self._new_id("taxes"),
            account_id=account_id,
            name=str(body["name"]),
            rate=body.get("amount") or "0",
            number=body.get("number"),
            compound=bool(body.get("compound", False)),
            now=self.now(),
        )

    def _update_taxes(self, account_id: str, obj: dict[str, Any], body: dict[str, Any]) -> None:
        self._apply(obj, body, records.TAX_WRITABLE)
        obj["amount"] = records.number_text(obj["amount"])
        obj["compound"] = bool(obj["compound"])

    # -- invoices --------------------------------------------------------------------------------------------
    def _create_invoices(self, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("customerid") in (None, ""):
            raise AccountingError.required("invoice", "customerid")
        if not body.get("create_date"):
            raise AccountingError.required("invoice", "create_date")
        client = self._client_for(account_id, body["customerid"], "invoice", "customerid")
        invoice_id = self._new_id("invoices")
        obj = records.new_invoice(
            invoice_id=invoice_id,
            account_id=account_id,
            currency=client["currency_code"] or self.business(account_id).currency,
            now=self.now(),
            record_uuid=self._record_uuid(account_id, "invoices", invoice_id),
        )
        obj.update(
            {
                "fname": client["fname"],
                "lname": client["lname"],
                "email": client["email"],
                "organization": client["organization"],
                "current_organization": client["organization"],
                "street": client["p_street"],
                "street2": client["p_street2"],
                "city": client["p_city"],
                "province": client["p_province"],
                "code": client["p_code"],
                "country": client["p_country"],
            }
        )
        if not body.get("invoice_number"):
            obj["invoice_number"] = self._next_number(account_id, "invoices", "invoice_number")
        self._update_invoices(account_id, obj, body)
        if int(body.get("status") or 1) >= 2:  # status is writable only at creation
            self._sent.add(obj["id"])
        return obj

    def _update_invoices(self, account_id: str, obj: dict[str, Any], body: dict[str, Any]) -> None:
        number = body.get("invoice_number")
        if number and any(
            other["invoice_number"] == number and other["id"] != obj["id"] and other["vis_state"] != 1
            for other in self.all(account_id, "invoices")
        ):
            raise AccountingError.invalid(
                "invoice", "invoice_number", number, "Invoice number has already been taken."
            )
        if "customerid" in body:
            self._client_for(account_id, body["customerid"], "invoice", "customerid")
        self._apply(obj, body, records.INVOICE_WRITABLE)
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
                    raw, invoice_id=obj["id"], lineid=index, currency=obj["currency_code"], now=self.now()
                )
                for index, raw in enumerate(body["lines"] or [], 1)
            ]

    def _client_for(self, account_id: str, client_id: Any, obj: str, field: str) -> dict[str, Any]:
        try:
            client = self.books[account_id]["clients"].get(int(client_id))
        except (TypeError, ValueError):
            client = None
        if client is None or client["vis_state"] == 1:
            raise AccountingError.invalid(obj, field, client_id, "Client not found.")
        return client

    def _next_number(self, account_id: str, resource: str, field: str) -> str:
        used = {doc[field] for doc in self.all(account_id, resource)}
        counter = len(used) + 1
        while f"{counter:07d}" in used:
            counter += 1
        return f"{counter:07d}"

    def _live_payments(self, account_id: str, key: str, value: int) -> list[dict[str, Any]]:
        return [
            pay for pay in self.all(account_id, "payments") if pay[key] == value and pay["vis_state"] != 1
        ]

    def refresh_invoice(self, account_id: str, invoice: dict[str, Any]) -> None:
        """Recompute amount, discount, paid, outstanding and the statuses from lines and live payments."""
        code = invoice["currency_code"]
        sums = totals(invoice["lines"], discount_value=invoice["discount_value"])
        payments = self._live_payments(account_id, "invoiceid", invoice["id"])
        paid = sum((to_decimal(pay["amount"]["amount"]) for pay in payments), Decimal(0))
        if payments:
            self._sent.add(invoice["id"])
        invoice.update(
            {
                "amount": money(sums.amount, code),
                "discount_total": money(sums.discount_total, code),
                "paid": money(min(paid, sums.amount), code),
                "net_paid_amount": money(paid, code),
                "outstanding": money(max(sums.amount - paid, Decimal(0)), code),
            }
        )
        invoice.update(payment_state(amount=sums.amount, paid=paid, sent=invoice["id"] in self._sent))
        invoice["date_paid"] = (
            max(pay["date"] for pay in payments) if invoice["payment_status"] == "paid" and payments else None
        )

    # -- payments --------------------------------------------------------------------------------------------
    def _create_payments(self, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("invoiceid") in (None, ""):
            raise AccountingError.required("payment", "invoiceid")
        try:
            invoice = self.books[account_id]["invoices"].get(int(body["invoiceid"]))
        except (TypeError, ValueError):
            invoice = None
        if invoice is None or invoice["vis_state"] == 1:
            raise AccountingError.invalid("payment", "invoiceid", body["invoiceid"], "Invoice not found.")
        amount = self._positive_amount(body)
        obj = records.new_payment(
            payment_id=self._new_id("payments"),
            account_id=account_id,
            invoice_id=invoice["id"],
            client_id=invoice["customerid"],
            amount=amount,
            currency=invoice["currency_code"],
            date=str(body.get("date") or self.today()),
            now=self.now(),
        )
        self._apply(obj, body, records.PAYMENT_WRITABLE)
        if body.get("creditid"):
            credit = self._credit_for(account_id, body["creditid"], invoice)
            left = to_decimal(credit["amount"]["amount"]) - to_decimal(credit["paid"]["amount"])
            if amount > left:
                raise AccountingError.invalid(
                    "payment", "amount", body["amount"], f"Amount exceeds the credit left ({left})."
                )
            obj.update({"creditid": credit["id"], "from_credit": True, "type": "Credit"})
        return obj

    def _positive_amount(self, body: dict[str, Any]) -> Decimal:
        raw = body.get("amount")
        value = raw.get("amount") if isinstance(raw, dict) else raw
        if value in (None, ""):
            raise AccountingError.required("payment", "amount")
        try:
            amount = to_decimal(value)
        except MoneyParseError as exc:
            raise AccountingError.invalid("payment", "amount", value, "Amount must be a number.") from exc
        if amount <= 0:
            raise AccountingError.invalid("payment", "amount", value, "Amount must be greater than 0.")
        return amount

    def _credit_for(self, account_id: str, credit_id: Any, invoice: dict[str, Any]) -> dict[str, Any]:
        try:
            credit = self.books[account_id]["credit_notes"].get(int(credit_id))
        except (TypeError, ValueError):
            credit = None
        if credit is None or credit["vis_state"] == 1:
            raise AccountingError.invalid("payment", "creditid", credit_id, "Credit note not found.")
        if credit["clientid"] != invoice["customerid"]:
            raise AccountingError.invalid(
                "payment", "creditid", credit_id, "Credit note belongs to another client."
            )
        return credit

    def _update_payments(self, account_id: str, obj: dict[str, Any], body: dict[str, Any]) -> None:
        self._apply(obj, body, records.PAYMENT_WRITABLE)  # invoiceid is not movable ([NODE] update transform)
        if "amount" in body:
            obj["amount"] = money(self._positive_amount(body), obj["amount"]["code"])

    # -- credit notes ----------------------------------------------------------------------------------------
    def _create_credit_notes(self, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("clientid") in (None, ""):
            raise AccountingError.required("credit_note", "clientid")
        if not body.get("create_date"):
            raise AccountingError.required("credit_note", "create_date")
        client = self._client_for(account_id, body["clientid"], "credit_note", "clientid")
        obj = records.new_credit_note(
            credit_id=self._new_id("credit_notes"),
            account_id=account_id,
            currency=client["currency_code"] or self.business(account_id).currency,
        )
        obj.update(
            {
                "fname": client["fname"],
                "lname": client["lname"],
                "organization": client["organization"],
                "current_organization": client["organization"],
            }
        )
        if not body.get("credit_number"):
            obj["credit_number"] = self._next_number(account_id, "credit_notes", "credit_number")
        self._update_credit_notes(account_id, obj, body)
        return obj

    def _update_credit_notes(self, account_id: str, obj: dict[str, Any], body: dict[str, Any]) -> None:
        if "clientid" in body:
            self._client_for(account_id, body["clientid"], "credit_note", "clientid")
        self._apply(obj, body, records.CREDIT_NOTE_WRITABLE)
        obj["clientid"] = int(obj["clientid"])
        obj["create_date"] = dt.date.fromisoformat(str(obj["create_date"])).isoformat()
        if "lines" in body:
            obj["lines"] = [
                records.new_credit_line(raw, credit_id=obj["id"], taskno=index, currency=obj["currency_code"])
                for index, raw in enumerate(body["lines"] or [], 1)
            ]

    def _refresh_credit(self, account_id: str, credit: dict[str, Any]) -> None:
        code = credit["currency_code"]
        amount = totals(credit["lines"], discount_value="0").amount
        applied = sum(
            (
                to_decimal(pay["amount"]["amount"])
                for pay in self._live_payments(account_id, "creditid", credit["id"])
            ),
            Decimal(0),
        )
        credit["amount"] = money(amount, code)
        credit["paid"] = money(applied, code)
        credit["payment_status"] = "unpaid" if applied == 0 else "paid" if applied >= amount else "partial"
