"""FreshBooks wire JSON -> core `fb` entities: money objects, string ids, US/Eastern times, camelCase taxes.

Conventions (tests/reference/freshbooks/SUMMARY.md §10): money is `{"amount": "41.94", "code": "CAD"}`;
ids arrive as int or string; accounting timestamps `"YYYY-MM-DD HH:MM:SS"` are US/Eastern; dates are
`YYYY-MM-DD`; line taxes are `taxName1`/`taxAmount1` (a percent string). JSON must already have been parsed
with `parse_float=Decimal` (`core.money.json_loads`).

A record that cannot be read raises `FreshBooksParseError` (an `UnreadableDataError`): "FreshBooks sent data
BigBooks cannot read: invoice 987 field create_date: 'x' is not readable", with the record as its payload.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import UnreadableDataError
from bigbooks_desktop.core.money import ZERO, MoneyParseError, to_decimal

__all__ = [
    "EASTERN",
    "FreshBooksParseError",
    "parse_client",
    "parse_credit_balance",
    "parse_credit_note",
    "parse_date",
    "parse_id",
    "parse_identity",
    "parse_invoice",
    "parse_item",
    "parse_line",
    "parse_money",
    "parse_payment",
    "parse_tax",
    "parse_timestamp",
]

EASTERN = ZoneInfo("America/New_York")


T = TypeVar("T")
SERVICE = "FreshBooks"


class FreshBooksParseError(UnreadableDataError):
    """FreshBooks sent something this client cannot read (a wire change, or data out of the documented shape)."""

    default_title = "Unreadable FreshBooks data"

    def __init__(self, what: str, *, service: str = SERVICE, **kwargs: Any) -> None:
        super().__init__(what, service=service, **kwargs)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _fail(what: str, value: Any) -> FreshBooksParseError:
    """`what` is "resource.field" (e.g. "invoice.create_date") or a bare field name."""
    resource, dot, field = what.partition(".")
    if not dot:
        resource, field = "", what
    return FreshBooksParseError(f"{_short(value)} is not readable", resource=resource or None, field=field,
                                details={"field": what})


def _record_id(data: dict[str, Any], keys: tuple[str, ...]) -> int | str | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip() and len(value) <= 40:
            return value.strip()
    return None


def _record(resource: str, *id_keys: str) -> Callable[[Callable[[dict[str, Any]], T]], Callable[[Any], T]]:
    """A parser of one `resource` record: refuses a non-object, and names the record (its id, the payload) in
    any FreshBooksParseError raised while reading it (a line's error is reported on its invoice)."""

    def wrap(parse: Callable[[dict[str, Any]], T]) -> Callable[[Any], T]:
        @functools.wraps(parse)
        def read(data: Any) -> T:
            if not isinstance(data, dict):
                raise FreshBooksParseError(f"not a JSON object but {type(data).__name__}", resource=resource)
            try:
                return parse(data)
            except FreshBooksParseError as exc:
                field = exc.field
                if exc.resource and exc.resource != resource:        # e.g. "line" inside an invoice
                    field = f"{exc.resource}.{field}" if field else exc.resource
                raise FreshBooksParseError(exc.what, resource=resource, record_id=_record_id(data, id_keys),
                                           field=field, payload=data, details=exc.details) from None
        return read
    return wrap


def _list(value: Any, what: str) -> list[Any]:
    """A JSON list where null and "" mean none."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise _fail(what, value)
    return value


def _object(value: Any, what: str) -> dict[str, Any]:
    """A JSON object where null and "" mean empty."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise _fail(what, value)
    return value


def parse_id(value: Any, what: str = "id") -> int:
    """An id sent as int or as a digit string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 30:    # "²".isdigit() but int("²") fails
            return int(text)
    raise _fail(what, value)


def _optional_id(value: Any, what: str) -> int | None:
    """An id where 0, null and "" all mean "none" (e.g. item `tax2: 0`)."""
    if value in (None, "", 0, "0"):
        return None
    return parse_id(value, what)


def parse_money(value: Any, what: str = "amount") -> tuple[Decimal, str]:
    """`{"amount": "41.94", "code": "CAD"}` (or a bare number/string) -> (Decimal, currency code)."""
    try:
        if isinstance(value, dict):
            return to_decimal(value.get("amount", "")), str(value.get("code") or "")
        if value is None:
            return ZERO, ""
        return to_decimal(value), ""
    except MoneyParseError:
        raise _fail(what, value) from None


def _decimal(value: Any, what: str) -> Decimal:
    if value is None:
        return ZERO
    try:
        return to_decimal(value)
    except MoneyParseError:
        raise _fail(what, value) from None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def parse_date(value: Any, what: str = "date") -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise _fail(what, value) from None


def _required_date(value: Any, what: str) -> date:
    parsed = parse_date(value, what)
    if parsed is None:
        raise _fail(what, value)
    return parsed


def parse_timestamp(value: Any, what: str = "updated") -> datetime | None:
    """`"2021-04-16 10:31:58"` (US/Eastern, no zone) or ISO-8601 with a zone -> an aware datetime."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise _fail(what, value) from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=EASTERN)
    return parsed


def _utc_timestamp(value: Any, what: str) -> datetime | None:
    parsed = parse_timestamp(value, what)
    if parsed is not None and parsed.tzinfo is EASTERN:
        return parsed.replace(tzinfo=UTC)
    return parsed


def _vis_state(value: Any) -> int:
    return 0 if value in (None, "") else parse_id(value, "vis_state")


@_record("identity", "id", "identity_id")
def parse_identity(data: dict[str, Any]) -> fb.Identity:
    """`/auth/api/v1/users/me` `response` (no `result` level): the user and the businesses they belong to."""
    businesses = []
    for membership in _list(data.get("business_memberships"), "identity.business_memberships"):
        membership = _object(membership, "identity.business_memberships")
        business = _object(membership.get("business"), "identity.business")
        businesses.append(fb.Business(
            business_id=parse_id(business.get("id"), "business.id"),
            business_uuid=_text(business.get("business_uuid")),
            name=_text(business.get("name")),
            account_id=_text(business.get("account_id")),
            role=_text(membership.get("role")),
        ))
    profile = _object(data.get("profile"), "identity.profile")
    return fb.Identity(
        id=parse_id(data.get("id", data.get("identity_id")), "identity.id"),
        email=_text(data.get("email")),
        first_name=_text(data.get("first_name") or profile.get("first_name")),
        last_name=_text(data.get("last_name") or profile.get("last_name")),
        businesses=tuple(businesses),
    )


@_record("client", "id", "userid")
def parse_client(data: dict[str, Any]) -> fb.Client:
    text_fields = ("email", "fname", "lname", "organization", "bus_phone", "p_street", "p_street2", "p_city",
                   "p_province", "p_code", "p_country", "s_street", "s_street2", "s_city", "s_province",
                   "s_code", "s_country", "currency_code", "note", "home_phone", "mob_phone", "vat_name",
                   "vat_number")
    return fb.Client(
        id=parse_id(data.get("id", data.get("userid")), "client.id"),
        vis_state=_vis_state(data.get("vis_state")),
        signup_date=_utc_timestamp(data.get("signup_date"), "client.signup_date"),
        updated=parse_timestamp(data.get("updated"), "client.updated"),
        **{name: _text(data.get(name)) for name in text_fields},
    )


@_record("line", "lineid")
def parse_line(data: dict[str, Any]) -> fb.Line:
    """An invoice or credit-note line. `amount` (qty × unit_cost, pre-tax) is computed when missing."""
    qty = _decimal(data.get("qty"), "line.qty")
    unit_cost, _ = parse_money(data.get("unit_cost"), "line.unit_cost")
    if data.get("amount") is None:
        amount = qty * unit_cost
    else:
        amount, _ = parse_money(data.get("amount"), "line.amount")
    lineid = data.get("lineid")
    return fb.Line(
        lineid=None if lineid is None else parse_id(lineid, "line.lineid"),
        name=_text(data.get("name")),
        description=_text(data.get("description")),
        qty=qty,
        unit_cost=unit_cost,
        amount=amount,
        tax_name1=_text(data.get("taxName1")),
        tax_amount1=_decimal(data.get("taxAmount1"), "line.taxAmount1"),
        tax_name2=_text(data.get("taxName2")),
        tax_amount2=_decimal(data.get("taxAmount2"), "line.taxAmount2"),
        compounded_tax=bool(data.get("compounded_tax") or False),
    )


@_record("invoice", "id", "invoiceid")
def parse_invoice(data: dict[str, Any]) -> fb.Invoice:
    amount, code = parse_money(data.get("amount"), "invoice.amount")
    paid, _ = parse_money(data.get("paid"), "invoice.paid")
    outstanding, _ = parse_money(data.get("outstanding"), "invoice.outstanding")
    status = data.get("status")
    return fb.Invoice(
        id=parse_id(data.get("id", data.get("invoiceid")), "invoice.id"),
        accountid=_text(data.get("accountid") or data.get("accounting_systemid")),
        invoice_number=_text(data.get("invoice_number")),
        customerid=parse_id(data.get("customerid"), "invoice.customerid"),
        create_date=_required_date(data.get("create_date"), "invoice.create_date"),
        currency_code=_text(data.get("currency_code") or code),
        amount=amount,
        paid=paid,
        outstanding=outstanding,
        discount_value=_decimal(data.get("discount_value"), "invoice.discount_value"),
        status=1 if status in (None, "") else parse_id(status, "invoice.status"),
        v3_status=_text(data.get("v3_status")),
        payment_status=_text(data.get("payment_status")),
        display_status=_text(data.get("display_status")),
        po_number=_text(data.get("po_number")),
        notes=_text(data.get("notes")),
        terms=_text(data.get("terms")),
        vis_state=_vis_state(data.get("vis_state")),
        updated=parse_timestamp(data.get("updated"), "invoice.updated"),
        due_date=parse_date(data.get("due_date"), "invoice.due_date"),
        date_paid=parse_date(data.get("date_paid"), "invoice.date_paid"),
        lines=tuple(parse_line(line) for line in _list(data.get("lines"), "invoice.lines")),
    )


@_record("payment", "id", "logid")
def parse_payment(data: dict[str, Any]) -> fb.Payment:
    amount, code = parse_money(data.get("amount"), "payment.amount")
    clientid = data.get("clientid")
    transactionid = data.get("transactionid")
    return fb.Payment(
        id=parse_id(data.get("id", data.get("logid")), "payment.id"),
        invoiceid=parse_id(data.get("invoiceid"), "payment.invoiceid"),
        clientid=_optional_id(clientid, "payment.clientid"),
        amount=amount,
        currency_code=code,
        date=_required_date(data.get("date"), "payment.date"),
        type=_text(data.get("type")),
        note=_text(data.get("note")),
        transactionid=None if transactionid in (None, "") else str(transactionid),
        vis_state=_vis_state(data.get("vis_state")),
        updated=parse_timestamp(data.get("updated"), "payment.updated"),
        creditid=_optional_id(data.get("creditid"), "payment.creditid"),
        from_credit=bool(data.get("from_credit")),
        overpaymentid=_optional_id(data.get("overpaymentid"), "payment.overpaymentid"),
    )


@_record("item", "id", "itemid")
def parse_item(data: dict[str, Any]) -> fb.Item:
    unit_cost, code = parse_money(data.get("unit_cost"), "item.unit_cost")
    return fb.Item(
        id=parse_id(data.get("id", data.get("itemid")), "item.id"),
        name=_text(data.get("name")),
        description=_text(data.get("description")),
        sku=_text(data.get("sku")),
        unit_cost=unit_cost,
        currency_code=code,
        tax1=_optional_id(data.get("tax1"), "item.tax1"),
        tax2=_optional_id(data.get("tax2"), "item.tax2"),
        vis_state=_vis_state(data.get("vis_state")),
        # `qty` "21", `inventory` "" (node Item__01_GET_200.json) or null (java get_item_response.json) when
        # stock is not counted; `updated` a US/Eastern accounting timestamp (SUMMARY §10)
        qty=None if data.get("qty") in (None, "") else _decimal(data.get("qty"), "item.qty"),
        inventory=None if data.get("inventory") in (None, "") else _decimal(data.get("inventory"), "item.inventory"),
        updated=parse_timestamp(data.get("updated"), "item.updated"),
    )


@_record("tax", "id", "taxid")
def parse_tax(data: dict[str, Any]) -> fb.Tax:
    return fb.Tax(
        id=parse_id(data.get("id", data.get("taxid")), "tax.id"),
        name=_text(data.get("name")),
        amount=_decimal(data.get("amount"), "tax.amount"),
        compound=bool(data.get("compound") or False),
        number=_text(data.get("number")),
    )


@_record("credit_note", "id", "creditid")
def parse_credit_note(data: dict[str, Any]) -> fb.CreditNote:
    amount, code = parse_money(data.get("amount"), "credit_note.amount")
    return fb.CreditNote(
        id=parse_id(data.get("id", data.get("creditid")), "credit_note.id"),
        clientid=parse_id(data.get("clientid"), "credit_note.clientid"),
        credit_number=_text(data.get("credit_number")),
        create_date=parse_date(data.get("create_date"), "credit_note.create_date"),
        currency_code=_text(data.get("currency_code") or code),
        amount=amount,
        paid=parse_money(data["paid"], "credit_note.paid")[0] if isinstance(data.get("paid"), dict) else
        ZERO,
        notes=_text(data.get("notes")),
        vis_state=_vis_state(data.get("vis_state")),
        lines=tuple(parse_line(line) for line in _list(data.get("lines"), "credit_note.lines")),
        credit_type=_text(data.get("credit_type")) or "goodwill",
        description=_text(data.get("description")),
    )


def parse_credit_balance(value: Any) -> dict[str, Decimal]:
    """A client's `credit_balance` include -> open credit per currency code.

    Read as a list of `{"amount": {"amount", "code"}}`, the shape of the sibling include `outstanding_balance`
    in `python/get_client_response.json` (no credit_balance example exists in the references); a flat
    `{"amount", "code"}` entry is read too. Entries in one currency are added up.
    """
    if value in (None, ""):
        return {}
    if not isinstance(value, list):
        raise _fail("client.credit_balance", value)
    balance: dict[str, Decimal] = {}
    for entry in value:
        if not isinstance(entry, dict):
            raise _fail("client.credit_balance", entry)
        money = entry["amount"] if isinstance(entry.get("amount"), dict) else entry
        amount, code = parse_money(money, "client.credit_balance")
        balance[code] = balance.get(code, ZERO) + amount
    return balance
