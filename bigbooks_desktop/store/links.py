"""Links between BigCommerce records and the FreshBooks objects written for them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from peewee import chunked

from bigbooks_desktop.store import statements
from bigbooks_desktop.store.fields import utc_now
from bigbooks_desktop.store.rows import (
    ClientLinkRow,
    CreditLinkRow,
    ItemLinkRow,
    OrderLinkRow,
    PaymentLinkRow,
    TaxLinkRow,
    database_proxy,
)

__all__ = [
    "ClientLink",
    "CreditLink",
    "ItemLink",
    "OrderLink",
    "OrderLinkStatus",
    "PaymentLink",
    "TaxLink",
    "credit_links_for_order",
    "customer_key",
    "find_client_link",
    "find_credit_link",
    "find_item_link",
    "find_order_link_by_invoice",
    "find_payment_link",
    "find_tax_link",
    "forget_order",
    "get_order_link",
    "get_order_links",
    "link_client",
    "link_credit",
    "link_item",
    "link_payment",
    "link_tax",
    "list_item_links",
    "list_order_links",
    "list_tax_links",
    "normalize_rate",
    "payment_links_for_order",
    "save_order_link",
    "save_order_links",
    "set_order_link_status",
    "set_payment_amount",
]

# What a second save of an order's link overwrites (created_run and created_at keep their first values).
_ORDER_LINK_UPDATES = ("invoice_id", "invoice_number", "account_id", "fingerprint", "order_date_modified",
                       "status", "updated_at")


class OrderLinkStatus(StrEnum):
    SYNCED = "synced"      # the invoice matches the fingerprint we wrote
    DRIFT = "drift"        # the order or the invoice changed since; an update is due or the user must decide
    VOIDED = "voided"      # the order was cancelled and the invoice voided
    UNDONE = "undone"      # the invoice was removed by "undo a sync run"


@dataclass(frozen=True, slots=True)
class OrderLink:
    order_id: int
    invoice_id: int | None
    invoice_number: str | None
    account_id: str
    fingerprint: str
    order_date_modified: datetime | None
    status: OrderLinkStatus
    created_run: int | None
    created_at: datetime
    updated_at: datetime
    profile_version: int | None = None     # the mapping profile version that last wrote the invoice, when known


@dataclass(frozen=True, slots=True)
class ClientLink:
    customer_key: str
    client_id: int
    fingerprint: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ItemLink:
    sku: str
    item_id: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class PaymentLink:
    transaction_id: str
    payment_id: int
    order_id: int
    amount: Decimal
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CreditLink:
    refund_id: str
    credit_note_id: int | None
    payment_id: int | None
    order_id: int
    amount: Decimal
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TaxLink:
    name: str
    rate: Decimal
    tax_id: int | None
    tax_name: str
    created_at: datetime
    updated_at: datetime


# ---------------------------------------------------------------------------------------------- orders


def _order_link(row: OrderLinkRow) -> OrderLink:
    return OrderLink(order_id=row.order_id, invoice_id=row.invoice_id, invoice_number=row.invoice_number,
                     account_id=row.account_id, fingerprint=row.fingerprint,
                     order_date_modified=row.order_date_modified, status=OrderLinkStatus(row.status),
                     created_run=row.created_run, created_at=row.created_at, updated_at=row.updated_at,
                     profile_version=row.profile_version)


def get_order_link(order_id: int) -> OrderLink | None:
    row = statements.select_one(OrderLinkRow, '"order_id" = ?', (order_id,))
    return None if row is None else _order_link(row)


def get_order_links(order_ids: Iterable[int]) -> dict[int, OrderLink]:
    """The links of many orders at once (one query per 500 ids), keyed by order id."""
    found: dict[int, OrderLink] = {}
    for batch in chunked(list(order_ids), 500):
        for row in OrderLinkRow.select().where(OrderLinkRow.order_id.in_(batch)):
            found[row.order_id] = _order_link(row)
    return found


def find_order_link_by_invoice(invoice_id: int) -> OrderLink | None:
    row = OrderLinkRow.get_or_none(OrderLinkRow.invoice_id == invoice_id)
    return None if row is None else _order_link(row)


def list_order_links(*, status: OrderLinkStatus | None = None, limit: int = 100,
                     offset: int = 0) -> list[OrderLink]:
    """Links newest-updated first."""
    query = OrderLinkRow.select()
    if status is not None:
        query = query.where(OrderLinkRow.status == status.value)
    query = query.order_by(OrderLinkRow.updated_at.desc(), OrderLinkRow.id.desc()).limit(limit).offset(offset)
    return [_order_link(row) for row in query]


def save_order_link(*, order_id: int, invoice_id: int | None, invoice_number: str | None, account_id: str,
                    fingerprint: str, order_date_modified: datetime | None,
                    status: OrderLinkStatus = OrderLinkStatus.SYNCED, run_id: int | None = None,
                    now: datetime | None = None, profile_version: int | None = None) -> OrderLink:
    """Create or update the link of one order. `created_run`/`created_at` keep their first value;
    `profile_version` (the mapping profile version that wrote the invoice) keeps its last known value when
    None is given."""
    at = now or utc_now()
    link = OrderLink(order_id=order_id, invoice_id=invoice_id, invoice_number=invoice_number,
                     account_id=account_id, fingerprint=fingerprint, order_date_modified=order_date_modified,
                     status=status, created_run=run_id, created_at=at, updated_at=at,
                     profile_version=profile_version)
    save_order_links([link])
    saved = get_order_link(order_id)
    assert saved is not None
    return saved


def save_order_links(links: Sequence[OrderLink]) -> int:
    """Upsert many links in one transaction, in order (a link given twice: the later wins, keeping the first's
    `created_run`/`created_at`). Returns how many were given."""
    with database_proxy.atomic():
        for link in links:
            statements.upsert(OrderLinkRow, {
                "order_id": link.order_id, "invoice_id": link.invoice_id, "invoice_number": link.invoice_number,
                "account_id": link.account_id, "fingerprint": link.fingerprint,
                "order_date_modified": link.order_date_modified, "status": link.status.value,
                "created_run": link.created_run, "created_at": link.created_at, "updated_at": link.updated_at,
                "profile_version": link.profile_version,
            }, conflict=("order_id",), update=_ORDER_LINK_UPDATES, keep_when_null=("profile_version",))
    return len(links)


def set_order_link_status(order_id: int, status: OrderLinkStatus, *,
                          now: datetime | None = None) -> OrderLink | None:
    (OrderLinkRow.update(status=status.value, updated_at=now or utc_now())
     .where(OrderLinkRow.order_id == order_id).execute())
    return get_order_link(order_id)


def forget_order(order_id: int) -> None:
    """Remove the order's invoice, payment and credit links (after "undo" deleted the FreshBooks objects)."""
    with database_proxy.atomic():
        OrderLinkRow.delete().where(OrderLinkRow.order_id == order_id).execute()
        PaymentLinkRow.delete().where(PaymentLinkRow.order_id == order_id).execute()
        CreditLinkRow.delete().where(CreditLinkRow.order_id == order_id).execute()


# --------------------------------------------------------------------------------------------- clients


def customer_key(*, customer_id: int | None, email: str | None) -> str:
    """The key a client link is found by: the BigCommerce customer id, or the e-mail for guests (id 0)."""
    if customer_id:
        return f"customer:{customer_id}"
    if not email or not email.strip():
        raise ValueError("a guest order needs an e-mail address to find its client")
    return f"guest:{email.strip().casefold()}"


def _client_link(row: ClientLinkRow) -> ClientLink:
    return ClientLink(customer_key=row.customer_key, client_id=row.client_id, fingerprint=row.fingerprint,
                      created_at=row.created_at, updated_at=row.updated_at)


def find_client_link(key: str) -> ClientLink | None:
    row = statements.select_one(ClientLinkRow, '"customer_key" = ?', (key,))
    return None if row is None else _client_link(row)


def link_client(key: str, client_id: int, *, fingerprint: str, now: datetime | None = None) -> ClientLink:
    """Create or update the link of a customer key to a FreshBooks client."""
    at = now or utc_now()
    statements.upsert(ClientLinkRow, {"customer_key": key, "client_id": client_id, "fingerprint": fingerprint,
                                      "created_at": at, "updated_at": at},
                      conflict=("customer_key",), update=("client_id", "fingerprint", "updated_at"))
    saved = find_client_link(key)
    assert saved is not None
    return saved


# ----------------------------------------------------------------------------------------------- items


def _item_link(row: ItemLinkRow) -> ItemLink:
    return ItemLink(sku=row.sku, item_id=row.item_id, created_at=row.created_at, updated_at=row.updated_at)


def find_item_link(sku: str) -> ItemLink | None:
    row = statements.select_one(ItemLinkRow, '"sku" = ?', (sku,))
    return None if row is None else _item_link(row)


def list_item_links() -> list[ItemLink]:
    return [_item_link(row) for row in ItemLinkRow.select().order_by(ItemLinkRow.sku)]


def link_item(sku: str, item_id: int, *, now: datetime | None = None) -> ItemLink:
    at = now or utc_now()
    statements.upsert(ItemLinkRow, {"sku": sku, "item_id": item_id, "created_at": at, "updated_at": at},
                      conflict=("sku",), update=("item_id", "updated_at"))
    saved = find_item_link(sku)
    assert saved is not None
    return saved


# -------------------------------------------------------------------------------------------- payments


def _payment_link(row: PaymentLinkRow) -> PaymentLink:
    return PaymentLink(transaction_id=row.transaction_id, payment_id=row.payment_id, order_id=row.order_id,
                       amount=row.amount, created_at=row.created_at)


def find_payment_link(transaction_id: str) -> PaymentLink | None:
    row = statements.select_one(PaymentLinkRow, '"transaction_id" = ?', (transaction_id,))
    return None if row is None else _payment_link(row)


def payment_links_for_order(order_id: int) -> list[PaymentLink]:
    query = PaymentLinkRow.select().where(PaymentLinkRow.order_id == order_id).order_by(PaymentLinkRow.id)
    return [_payment_link(row) for row in query]


def link_payment(transaction_id: str, payment_id: int, *, order_id: int, amount: Decimal,
                 now: datetime | None = None) -> PaymentLink:
    """Record a payment written to FreshBooks. A transaction is linked once: a second link raises
    peewee.IntegrityError, because two FreshBooks payments for one transaction is the bug to prevent."""
    statements.insert(PaymentLinkRow, {"transaction_id": transaction_id, "payment_id": payment_id,
                                       "order_id": order_id, "amount": amount, "created_at": now or utc_now()})
    saved = find_payment_link(transaction_id)
    assert saved is not None
    return saved


def set_payment_amount(transaction_id: str, amount: Decimal) -> None:
    """The amount a linked payment now carries in FreshBooks (lowered when money was refunded from it)."""
    statements.update(PaymentLinkRow, {"amount": amount}, '"transaction_id" = ?', (transaction_id,))


# --------------------------------------------------------------------------------------------- credits


def _credit_link(row: CreditLinkRow) -> CreditLink:
    return CreditLink(refund_id=row.refund_id, credit_note_id=row.credit_note_id, payment_id=row.payment_id,
                      order_id=row.order_id, amount=row.amount, created_at=row.created_at)


def find_credit_link(refund_id: str) -> CreditLink | None:
    row = statements.select_one(CreditLinkRow, '"refund_id" = ?', (refund_id,))
    return None if row is None else _credit_link(row)


def credit_links_for_order(order_id: int) -> list[CreditLink]:
    query = CreditLinkRow.select().where(CreditLinkRow.order_id == order_id).order_by(CreditLinkRow.id)
    return [_credit_link(row) for row in query]


def link_credit(refund_id: str, *, order_id: int, amount: Decimal, credit_note_id: int | None = None,
                payment_id: int | None = None, now: datetime | None = None) -> CreditLink:
    """Record a refund written to FreshBooks (credit note and/or payment). Linked once, like payments."""
    if credit_note_id is None and payment_id is None:
        raise ValueError("a credit link needs a FreshBooks credit note id or payment id")
    statements.insert(CreditLinkRow, {"refund_id": refund_id, "credit_note_id": credit_note_id,
                                      "payment_id": payment_id, "order_id": order_id, "amount": amount,
                                      "created_at": now or utc_now()})
    saved = find_credit_link(refund_id)
    assert saved is not None
    return saved


# ----------------------------------------------------------------------------------------------- taxes


def normalize_rate(rate: Decimal) -> Decimal:
    """8.250 and 8.25 are one rate: the canonical form stored and compared."""
    normalized = rate.normalize()
    return Decimal(format(normalized, "f"))


def _tax_link(row: TaxLinkRow) -> TaxLink:
    return TaxLink(name=row.name, rate=row.rate, tax_id=row.tax_id, tax_name=row.tax_name,
                   created_at=row.created_at, updated_at=row.updated_at)


def find_tax_link(name: str, rate: Decimal) -> TaxLink | None:
    row = TaxLinkRow.get_or_none((TaxLinkRow.name == name) & (TaxLinkRow.rate == normalize_rate(rate)))
    return None if row is None else _tax_link(row)


def list_tax_links() -> list[TaxLink]:
    return [_tax_link(row) for row in TaxLinkRow.select().order_by(TaxLinkRow.name, TaxLinkRow.rate)]


def link_tax(name: str, rate: Decimal, *, tax_name: str, tax_id: int | None = None,
             now: datetime | None = None) -> TaxLink:
    at = now or utc_now()
    (TaxLinkRow.insert(name=name, rate=normalize_rate(rate), tax_id=tax_id, tax_name=tax_name, created_at=at,
                       updated_at=at)
     .on_conflict(conflict_target=[TaxLinkRow.name, TaxLinkRow.rate],
                  preserve=[TaxLinkRow.tax_id, TaxLinkRow.tax_name, TaxLinkRow.updated_at])
     .execute())
    saved = find_tax_link(name, rate)
    assert saved is not None
    return saved
