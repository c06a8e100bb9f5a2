"""FreshBooksClient against the in-process FreshBooks sandbox: invoice lifecycle, sandbox-computed totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from fb_wire import sandbox_client, signed_in_client

from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.freshbooks import PRIMARY_ACCOUNT_ID
from bigbooks_desktop.sandbox.server import SandboxThread


def _line(name: str, qty: str, unit: str, *taxes: tuple[str, str]) -> fb.LineDraft:
    slots: dict[str, object] = {}
    for n, (tax_name, rate) in enumerate(taxes, 1):
        slots[f"tax_name{n}"], slots[f"tax_amount{n}"] = tax_name, Decimal(rate)
    return fb.LineDraft(name=name, qty=Decimal(qty), unit_cost=Decimal(unit), **slots)


@pytest.mark.asyncio
async def test_invoice_lifecycle_against_the_sandbox() -> None:
    async with await sandbox_client() as client:
        await _invoice_lifecycle(client)


@pytest.mark.sockets
@pytest.mark.asyncio
async def test_invoice_lifecycle_over_loopback_sockets_through_429_bursts() -> None:
    # Real sockets to a served sandbox, and GETs that sometimes meet a burst of two 429s (with Retry-After).
    config = SandboxConfig(orders=1, freshbooks_auto_consent=True, time_scale=100, seed=3,
                           faults="GET /freshbooks/api/accounting/*:429burst=0.25x2")
    with SandboxThread(config) as served:
        async with await signed_in_client(config, base=served.base_url, transport=None) as client:
            await _invoice_lifecycle(client)
            assert client.stats.rate_limited > 0 and served.sandbox.fault_counts["429"] > 0


async def _invoice_lifecycle(client: FreshBooksClient) -> None:
    me = await client.get_identity()
    assert PRIMARY_ACCOUNT_ID in [b.account_id for b in me.businesses]

    customer = await client.create_client(
        fb.ClientDraft(email="ada@example.com", fname="Ada", lname="Lovelace", currency_code="USD")
    )
    assert (await client.find_client_by_email("ada@example.com")) == customer
    assert await client.find_client_by_email("nobody@example.com") is None

    lines = (
        _line("Widget", "2", "10.00", ("HST", "13"), ("GST", "5")),
        _line("Gadget", "1", "5.50", ("HST", "13")),
    )
    draft = fb.InvoiceDraft(
        customerid=customer.id,
        invoice_number="BC-1001",
        create_date=date(2024, 3, 1),
        currency_code="USD",
        po_number="1001",
        lines=lines,
    )
    invoice = await client.create_invoice(draft)
    # 20.00 + 13% 2.60 + 5% 1.00, 5.50 + 13% 0.715 -> 0.72 (half up): 29.82
    assert invoice.amount == Decimal("29.82") and invoice.v3_status == "draft"
    assert [
        (ln.qty, ln.unit_cost, ln.amount, ln.tax_name1, ln.tax_amount1, ln.tax_name2, ln.tax_amount2)
        for ln in invoice.lines
    ] == [
        (Decimal("2"), Decimal("10.00"), Decimal("20.00"), "HST", Decimal("13"), "GST", Decimal("5")),
        (Decimal("1"), Decimal("5.50"), Decimal("5.50"), "HST", Decimal("13"), "", Decimal("0")),
    ]
    assert (await client.find_invoice_by_number("BC-1001")) == invoice

    sent = await client.mark_invoice_sent(invoice.id)
    assert (sent.status, sent.v3_status, sent.amount, len(sent.lines)) == (2, "sent", Decimal("29.82"), 2)

    partial = await client.create_payment(
        fb.PaymentDraft(
            invoiceid=invoice.id, amount=Decimal("10.00"), date=date(2024, 3, 2), type="Credit Card"
        )
    )
    assert partial.amount == Decimal("10.00") and partial.clientid == customer.id
    now = await client.get_invoice(invoice.id)
    assert (now.payment_status, now.paid, now.outstanding) == (
        "partial",
        Decimal("10.00"),
        Decimal("19.82"),
    )

    rest = await client.create_payment(
        fb.PaymentDraft(invoiceid=invoice.id, amount=Decimal("19.82"), date=date(2024, 3, 3))
    )
    now = await client.get_invoice(invoice.id)
    assert (now.payment_status, now.status, now.outstanding) == ("paid", 4, Decimal("0.00"))
    assert now.date_paid == date(2024, 3, 3)

    grown = draft.model_copy(update={"lines": (*lines, _line("Shipping", "1", "3.00"))})
    updated = await client.update_invoice(invoice.id, grown)
    assert [ln.name for ln in updated.lines] == ["Widget", "Gadget", "Shipping"]
    assert (updated.amount, updated.outstanding, updated.payment_status) == (
        Decimal("32.82"),
        Decimal("3.00"),
        "partial",
    )
    shrunk = await client.update_invoice(invoice.id, draft.model_copy(update={"lines": lines[1:]}))
    assert [ln.name for ln in shrunk.lines] == ["Gadget"] and shrunk.amount == Decimal("6.22")

    await client.update_invoice(invoice.id, grown)
    await client.delete_payment(partial.id)
    assert [p.id for p in await client.list_payments(invoice.id)] == [rest.id]
    now = await client.get_invoice(invoice.id)
    assert (now.paid, now.outstanding, now.payment_status) == (
        Decimal("19.82"),
        Decimal("13.00"),
        "partial",
    )

    with pytest.raises(ValidationError) as dup:
        await client.create_invoice(draft)
    assert dup.value.field == "invoice_number"

    await client.delete_invoice(invoice.id)
    assert await client.find_invoice_by_number("BC-1001") is None


@pytest.mark.asyncio
async def test_items_taxes_and_credit_notes_against_the_sandbox() -> None:
    async with await sandbox_client() as client:
        taxes = await client.list_taxes()
        assert taxes and all(isinstance(t.amount, Decimal) for t in taxes)
        tax = await client.create_tax(fb.TaxDraft(name="PST-test", amount=Decimal("7.5")))
        assert tax in await client.list_taxes() and tax.amount == Decimal("7.5")

        item = await client.create_item(
            fb.ItemDraft(name="Mug", sku="MUG-1", unit_cost=Decimal("4.25"), currency_code="USD")
        )
        assert (await client.find_item_by_sku("MUG-1")) == item and item.unit_cost == Decimal("4.25")
        await client.delete_item(item.id)
        assert await client.find_item_by_sku("MUG-1") is None

        customer = await client.create_client(fb.ClientDraft(email="bo@example.com", currency_code="USD"))
        note = await client.create_credit_note(
            fb.CreditNoteDraft(
                clientid=customer.id,
                create_date=date(2024, 3, 5),
                currency_code="USD",
                lines=(_line("Refund", "1", "5.00", ("HST", "13")),),
            )
        )
        assert note.amount == Decimal("5.65") and note.lines[0].tax_amount1 == Decimal("13")
        assert [n.id for n in await client.list_credit_notes(customer.id)] == [note.id]
        await client.delete_credit_note(note.id)
        assert await client.list_credit_notes(customer.id) == []

        with pytest.raises(NotFoundError):
            await client.get_invoice(987654321)


@pytest.mark.asyncio
async def test_missing_scope_is_named() -> None:
    async with await sandbox_client("user:profile:read user:clients:read user:invoices:read") as client:
        with pytest.raises(PermissionDeniedError) as caught:
            await client.create_client(fb.ClientDraft(email="x@example.com"))
    assert caught.value.details["missing_scopes"] == ["user:clients:write"]
    assert "user:clients:write" in caught.value.message
