"""The sandbox's FreshBooks books: every account's objects, create/update/delete, invoice and credit balances.

Which fields each resource takes and requires lives in `write_rules`.

Credit notes are applied the way the payment fields in the references allow (`creditid`, `from_credit` on
`java/get_payment_response.json`; `from_credit`/`payment_or_credit` filters in [DOC:payments]; the call itself
is unverified, API-FACTS Q3): POST a payment with `"creditid": <credit note id>` (type becomes "Credit",
from_credit true). The amount counts as paid on the invoice and as `paid` on the credit note; it may exceed
neither what is left on the credit note nor the invoice's outstanding (422, unverified: sandbox assumption).
Deleting that payment (vis_state 1) gives the credit back and un-pays the invoice.

A credit's remaining balance is its amount minus the live payments applied from it. The sandbox shows the
applied part as the credit note's `paid` (unverified: sandbox assumption; every real credit in [PM] List
Credits shows paid == amount, so real `paid` does not carry it) and the open balance per currency on a client
read with `include[]=credit_balance` ([PM] names that include as the way to see it).

Documents are recomputed (amounts, taxes, balances) under the tax rounding rule in force
(`SandboxConfig.freshbooks_tax_rounding`, replaceable at run time) each time they or their payments change.
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
from bigbooks_desktop.sandbox.config import DEFAULT_TAX_ROUNDING
from bigbooks_desktop.sandbox.freshbooks import write_rules
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

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        seed: int,
        tax_rounding: Callable[[], str] = lambda: DEFAULT_TAX_ROUNDING,
    ) -> None:
        """`tax_rounding` is read at every recompute, so the admin route can replace the rule at run time."""
        self._clock = clock
        self._seed = seed
        self._tax_rounding = tax_rounding
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

    def now_utc(self) -> str:
        """The same moment in UTC, as client `signup_date` carries it."""
        return dt.datetime.fromtimestamp(self._clock(), dt.UTC).strftime("%Y-%m-%d %H:%M:%S")

    def record_uuid(self, account_id: str, resource: str, object_id: int) -> str:
        """A uuid derived from the seed and the object's identity, so a replay gives byte-identical state."""
        return str(uuid.uuid5(_UUID_NAMESPACE, f"{self._seed}/{account_id}/{resource}/{object_id}"))

    def new_id(self, resource: str) -> int:
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

    def mark_sent(self, invoice_id: int) -> None:
        """The invoice counts as sent from now on (status moves past draft)."""
        self._sent.add(invoice_id)

    # -- generic create / update / delete --------------------------------------------------------------------
    def create(self, account_id: str, resource: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            obj = write_rules.CREATE[resource](self, account_id, body)
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
            self.mark_sent(obj["id"])
        else:
            before = copy.deepcopy(obj)  # a refused update changes nothing
            try:
                write_rules.UPDATE[resource](self, account_id, obj, body)
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
                self.refresh_credit(account_id, self.books[account_id]["credit_notes"][obj["creditid"]])
        elif resource == "invoices":
            self.refresh_invoice(account_id, obj)
        elif resource == "credit_notes":
            self.refresh_credit(account_id, obj)

    def live_payments(self, account_id: str, key: str, value: int) -> list[dict[str, Any]]:
        return [
            pay for pay in self.all(account_id, "payments") if pay[key] == value and pay["vis_state"] != 1
        ]

    def _applied(self, account_id: str, key: str, value: int, *, excluding: int | None) -> Decimal:
        return sum(
            (
                to_decimal(pay["amount"]["amount"])
                for pay in self.live_payments(account_id, key, value)
                if pay["id"] != excluding
            ),
            Decimal(0),
        )

    def invoice_room(self, account_id: str, invoice: dict[str, Any], *, excluding: int | None = None) -> Decimal:
        """What the invoice still owes, not counting the payment `excluding` (the one being edited)."""
        owed = to_decimal(invoice["amount"]["amount"])
        return max(owed - self._applied(account_id, "invoiceid", invoice["id"], excluding=excluding), Decimal(0))

    def credit_left(self, account_id: str, credit: dict[str, Any], *, excluding: int | None = None) -> Decimal:
        """The credit's remaining balance: amount minus the live payments applied from it (but `excluding`)."""
        amount = to_decimal(credit["amount"]["amount"])
        return amount - self._applied(account_id, "creditid", credit["id"], excluding=excluding)

    def client_credit_balance(self, account_id: str, client_id: int) -> dict[str, Decimal]:
        """Open credit per currency: the remaining balances of the client's credit notes that are not deleted."""
        balance: dict[str, Decimal] = {}
        for credit in self.all(account_id, "credit_notes"):
            if credit["clientid"] != client_id or credit["vis_state"] == 1:
                continue
            code = credit["currency_code"]
            balance[code] = balance.get(code, Decimal(0)) + self.credit_left(account_id, credit)
        return {code: left for code, left in balance.items() if left > 0}

    def refresh_invoice(self, account_id: str, invoice: dict[str, Any]) -> None:
        """Recompute amount, discount, paid, outstanding and the statuses from lines and live payments."""
        code = invoice["currency_code"]
        sums = totals(
            invoice["lines"], discount_value=invoice["discount_value"], tax_rounding=self._tax_rounding()
        )
        payments = self.live_payments(account_id, "invoiceid", invoice["id"])
        paid = sum((to_decimal(pay["amount"]["amount"]) for pay in payments), Decimal(0))
        if payments:
            self.mark_sent(invoice["id"])
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
        paying = [pay for pay in payments if to_decimal(pay["amount"]["amount"]) != 0]  # a zeroed one paid nothing
        invoice["date_paid"] = (
            max(pay["date"] for pay in paying) if invoice["payment_status"] == "paid" and paying else None
        )

    def refresh_credit(self, account_id: str, credit: dict[str, Any]) -> None:
        code = credit["currency_code"]
        amount = totals(credit["lines"], discount_value="0", tax_rounding=self._tax_rounding()).amount
        applied = self._applied(account_id, "creditid", credit["id"], excluding=None)
        credit["amount"] = money(amount, code)
        credit["paid"] = money(applied, code)
        credit["payment_status"] = "unpaid" if applied == 0 else "paid" if applied >= amount else "partial"
