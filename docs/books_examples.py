"""The worked examples of the README's "How your books look in FreshBooks", computed by the real code.

Run it with `.venv/bin/python docs/books_examples.py`. It prints Markdown blocks separated by blank lines: the
tables, and the sentences that carry numbers, exactly as the README shows them. `tests/test_readme_books.py`
runs it and checks that every block is in README.md, so the README cannot drift from what the code does.

- Examples 1 and 2 (a coupon on taxed lines; real BigCommerce order 519, tax-inclusive with a discount) run the
  mapping alone: `mapping.invoice.invoice_from_order`.
- Examples 3 to 5 (a refund; a gift certificate sold and redeemed; a cancellation and an edit of sent invoices)
  run the sync engine itself (`sync.order_pipeline.sync_order`, as `tests/sync/test_engine_properties.py`
  does): the orders below are served by a stand-in for BigCommerce, the engine writes to the in-process
  FreshBooks sandbox, and the tables show the documents read back from it. Everything happens in a
  throw-away data folder with an in-memory keychain; nothing on this machine is touched.

BigCommerce's side of each order is built by `tests/mapping/order_factory.py`, which prices orders by
BigCommerce's rules (`../shared/reference/bigcommerce/TAX-FACTS.md`: tax once per line, on the discounted amount).
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal as D
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from mapping.order_factory import Line, Spec, build, order_519  # noqa: E402  (tests/mapping: BigCommerce's pricing)

from bigbooks_desktop.core import bigcommerce as bc  # noqa: E402
from bigbooks_desktop.core import freshbooks as fb  # noqa: E402
from bigbooks_desktop.core.money import quantize  # noqa: E402
from bigbooks_desktop.mapping import freshbooks_math  # noqa: E402
from bigbooks_desktop.mapping.invoice import invoice_from_order  # noqa: E402
from bigbooks_desktop.mapping.order_taxes import plain  # noqa: E402
from bigbooks_desktop.mapping.profile import MappingProfile, default_profile  # noqa: E402

CARD = "stripe"
STATE = (("State", D("6.25")),)
STATE_CITY = (("State", D("6.25")), ("City", D("2")))


def day(month: int, dom: int, hour: int = 15) -> datetime:
    return datetime(2026, month, dom, hour, 0, tzinfo=UTC)


def money(value: D) -> str:
    return f"{quantize(value, 'USD'):.2f}"


def taxes_text(line: fb.LineDraft | fb.Line) -> str:
    slots = freshbooks_math.line_slots(line)
    return ", ".join(f"{name} {plain(rate.normalize())} %" for name, rate in slots) or "none"


def table(header: Sequence[str], rows: Iterable[Sequence[str]], right: Sequence[int] = ()) -> str:
    align = ["---:" if i in right else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def invoice_table(lines: Iterable[fb.LineDraft | fb.Line]) -> str:
    rows = []
    for line in lines:
        amount = freshbooks_math.line_amount(line, "USD")
        rows.append([line.name, plain(D(line.qty).normalize()), money(D(line.unit_cost)), money(amount),
                     taxes_text(line)])
    return table(["line", "qty", "unit price", "amount", "taxes"], rows, right=(1, 2, 3))


# ------------------------------------------------------------------------------------------------ 1 and 2


def bigcommerce_table(detail: bc.OrderDetail) -> str:
    """BigCommerce's own figures per line: price, discount, the discounted amount it taxed, each tax (and, for
    tax-inclusive prices, the net left once the tax is taken out)."""
    order = detail.order
    inclusive = order.is_tax_inclusive_pricing
    names = list(dict.fromkeys(row.name for row in detail.taxes))
    rates = {row.name: row.rate for row in detail.taxes}
    rows = []
    sums: dict[str, D] = {}
    for product in detail.products:
        price = product.total_inc_tax if inclusive else product.total_ex_tax
        discount = sum((a.amount for a in product.applied_discounts), D(0))
        tax = {n: sum((r.line_amount for r in detail.taxes if r.order_product_id == product.id and r.name == n),
                      D(0)) for n in names}
        figures = {"price": price, "discount": -discount, "taxed": price - discount, **tax}
        if inclusive:
            figures["net"] = price - discount - sum(tax.values(), D(0))
        rows.append([f"{product.name} x {product.quantity}", *(money(v) for v in figures.values())])
        for key, value in figures.items():
            sums[key] = sums.get(key, D(0)) + value
    if len(rows) > 1:
        rows.append(["order", *(money(v) for v in sums.values())])
    header = ["BigCommerce line", "price inc. tax" if inclusive else "price", "discount",
              "after discount (inc. tax)" if inclusive else "after discount",
              *(f"{n} {plain(rates[n].normalize())} %" for n in names), *(["net"] if inclusive else [])]
    return table(header, rows, right=tuple(range(1, len(header))))


def check_table(lines: Sequence[fb.LineDraft], detail: bc.OrderDetail) -> str:
    """BigCommerce's tax per name and total against what FreshBooks computes from the invoice's lines (under
    the rule the engine assumes until the account shows another: per line, half up)."""
    have = freshbooks_math.tax_by_name(lines, "USD")
    want: dict[str, D] = {}
    for row in detail.taxes:
        want[row.name] = want.get(row.name, D(0)) + row.line_amount
    rows = [[f"tax {name}", money(want[name]), money(have.get(name, D(0)))] for name in want]
    rows.append(["total", money(detail.order.total_inc_tax), money(freshbooks_math.total(lines, "USD"))])
    return table(["", "BigCommerce", "FreshBooks invoice"], rows, right=(1, 2))


def merged(lines: Sequence[fb.LineDraft]) -> list[fb.LineDraft]:
    """The lines with each run of same-named, same-taxed lines as one line (the invoice before the tax fit)."""
    out: list[fb.LineDraft] = []
    for line in lines:
        last = out[-1] if out else None
        if last is not None and last.name == line.name and freshbooks_math.line_slots(last) == \
                freshbooks_math.line_slots(line):
            out[-1] = last.model_copy(update={"qty": D(1), "unit_cost": last.qty * last.unit_cost
                                              + line.qty * line.unit_cost})
        else:
            out.append(line)
    return out


def coupon_example() -> list[str]:
    detail = build(Spec(lines=[Line(D("20"), 2, STATE_CITY, sku="MUG", name="Mug"),
                               Line(D("35"), 1, STATE_CITY, sku="POT", name="Teapot")],
                        coupon=D("10"), coupon_code="SAVE10", order_id=101))
    plan = invoice_from_order(detail, default_profile(), customer_id=1, store_timezone="UTC",
                              freshbooks_taxes=[])
    lines = plan.draft.lines
    one = merged(lines)
    coupon = [line for line in lines if line.kind == "discount"]
    naive = freshbooks_math.tax_by_name(one, "USD")
    want = {row.name: D(0) for row in detail.taxes}
    for row in detail.taxes:
        want[row.name] += row.line_amount
    off = [name for name in want if naive.get(name) != want[name]]
    assert len(coupon) == 2 and len(off) == 1, "the example's coupon was meant to show a split"
    name = off[0]
    note = (f"As one line of {money(sum((c.qty * c.unit_cost for c in coupon), D(0)))}, the coupon would make "
            f"FreshBooks compute {name} {money(naive[name])} where BigCommerce charged {money(want[name])}; "
            f"as two taxed lines of {money(coupon[0].unit_cost)} each, FreshBooks' rounding lands on "
            f"{money(want[name])}.")
    return [bigcommerce_table(detail), invoice_table(lines), check_table(lines, detail), note]


def vat_example() -> list[str]:
    detail = order_519()
    plan = invoice_from_order(detail, default_profile(), customer_id=1, store_timezone="UTC",
                              freshbooks_taxes=[])
    lines = plan.draft.lines
    item, discount = lines
    product = detail.products[0]
    net = detail.order.total_ex_tax
    # the same two lines at BigCommerce's ex-tax unit price rounded to the cent, the discount what is left
    unit = quantize(product.price_ex_tax, "USD")
    naive = [item.model_copy(update={"unit_cost": unit}),
             discount.model_copy(update={"unit_cost": net - unit * item.qty})]
    gst = freshbooks_math.tax_by_name(naive, "USD")["GST"]
    note = (f"FreshBooks invoices are priced before tax, in whole cents. BigCommerce's ex-tax unit price is "
            f"{plain(product.price_ex_tax)} and the net after the discount {money(net)}, so the invoice "
            f"carries the {plain(item.qty)} units at {money(item.unit_cost)} and the discount as what is left "
            f"of the net ({money(discount.unit_cost)}). At {money(unit)} and {money(naive[1].unit_cost)} "
            f"FreshBooks would compute GST {money(gst)}; the engine moves those few cents between the two "
            f"taxed lines until it computes {money(detail.order.total_tax)}.")
    return [bigcommerce_table(detail), invoice_table(lines), check_table(lines, detail), note]


# ------------------------------------------------------------------------------------------------ 3 to 5


class Store:
    """Stands in for BigCommerce as the engine's order source: serves each order as it now is."""

    def __init__(self) -> None:
        self.details: dict[int, bc.OrderDetail] = {}

    async def get_order_detail(self, order: bc.Order | int) -> bc.OrderDetail:
        return self.details[order if isinstance(order, int) else order.id]

    async def get_customer(self, customer_id: int) -> bc.Customer | None:
        return None                     # guests: the order carries the billing details


def capture(txn_id: int, order_id: int, amount: D, when: datetime) -> bc.Transaction:
    return bc.Transaction(id=txn_id, order_id=order_id, event="purchase", method="credit_card", amount=amount,
                          currency="USD", gateway=CARD, gateway_transaction_id=f"ch_{txn_id}", date_created=when,
                          payment_method_display="Visa")


def order(order_id: int, lines: list[Line], *, email: str, when: datetime, status_id: int = 10,
          paid: bool = True, gift_certificate: D = D(0), certificates: Sequence[int] = ()) -> bc.OrderDetail:
    """A guest order priced by BigCommerce's rules, paid by card on `when` for what the card was charged.
    `certificates`: the (1-based) lines that are gift certificates sold (BigCommerce product type)."""
    detail = build(Spec(lines=lines, order_id=order_id, email=email, status_id=status_id,
                        gift_certificate=gift_certificate))
    products = tuple(p.model_copy(update={"type": "giftcertificate"}) if n in certificates else p
                     for n, p in enumerate(detail.products, start=1))
    head = detail.order.model_copy(update={"date_created": when, "date_modified": when})
    charged = head.total_inc_tax - gift_certificate
    txns = (capture(order_id * 10, order_id, charged, when),) if paid and charged > 0 else ()
    return detail.model_copy(update={"order": head, "products": products, "transactions": txns})


def refunded(detail: bc.OrderDetail, *, refund_id: int, line: int, qty: int, when: datetime,
             to_card: bool = True) -> bc.OrderDetail:
    """`qty` units of product line `line` refunded on `when`, to the card or to store credit: BigCommerce's
    refund carries the items, their tax (the line's tax for those units) and how it was paid back."""
    product = detail.products[line - 1]
    tax = quantize(product.total_tax * qty / product.quantity, "USD")
    net = quantize((product.total_ex_tax - sum((a.amount for a in product.applied_discounts), D(0)))
                   * qty / product.quantity, "USD")
    amount = net + tax
    provider = CARD if to_card else "storecredit"
    refund = bc.Refund(id=refund_id, order_id=detail.order.id, created=when, reason="Returned", total_amount=amount,
                       total_tax=tax, items=(bc.RefundItem(item_type="PRODUCT", item_id=product.id, quantity=qty),),
                       payments=(bc.RefundPayment(provider_id=provider, amount=amount, offline=not to_card),))
    txns = detail.transactions
    if to_card:
        txns = (*txns, bc.Transaction(id=refund_id * 10, order_id=detail.order.id, event="refund",
                                      method="credit_card", amount=amount, currency="USD", gateway=CARD,
                                      date_created=when, reference_transaction_id=txns[0].id))
    head = detail.order.model_copy(update={"status_id": bc.OrderStatus.PARTIALLY_REFUNDED, "date_modified": when})
    return detail.model_copy(update={"order": head, "refunds": (*detail.refunds, refund), "transactions": txns})


@dataclass
class Engine:
    """The sync engine over the stand-in store and the in-process FreshBooks sandbox."""

    store: Store
    freshbooks: Any

    async def sync(self, detail: bc.OrderDetail, profile: MappingProfile | None = None, *,
                   expect: tuple[str, ...] = ("synced", "unchanged")) -> Any:
        """Sync the order as it now is (one run of the engine for it); the outcome must be one of `expect`."""
        from bigbooks_desktop.store.runs import RunMode, start_run
        from bigbooks_desktop.sync.context import SyncContext
        from bigbooks_desktop.sync.order_pipeline import sync_order

        self.store.details[detail.order.id] = detail
        profile = profile or default_profile()
        ctx = SyncContext(bigcommerce=self.store, freshbooks=self.freshbooks, profile=profile, store_timezone="UTC",
                          account_id=self.freshbooks.account_id, run_id=start_run(RunMode.ONCE),
                          taxes=list(await self.freshbooks.list_taxes()))
        outcome = await sync_order(ctx, detail.order)
        assert outcome.result in expect, outcome
        return outcome

    async def invoice(self, order_id: int, suffix: str = "") -> fb.Invoice:
        found = await self.freshbooks.find_invoice_by_number(f"BC-{order_id}{suffix}")
        assert found is not None, f"no invoice BC-{order_id}{suffix}"
        invoice: fb.Invoice = await self.freshbooks.get_invoice(found.id)
        return invoice

    async def credit_notes(self, client_id: int) -> list[fb.CreditNote]:
        notes = await self.freshbooks.list_credit_notes(client_id)
        return sorted((n for n in notes if n.vis_state == 0), key=lambda n: n.id)


def lines_text(lines: Iterable[fb.Line]) -> str:
    parts = []
    for line in lines:
        taxes = freshbooks_math.tax_by_name([line], "USD")
        slots = dict(freshbooks_math.line_slots(line))
        tax = ", ".join(f"{n} {plain(slots[n].normalize())} % {money(a)}" for n, a in taxes.items())
        parts.append(f"{plain(D(line.qty).normalize())} x {line.name} at {money(D(line.unit_cost))}"
                     + (f" + {tax}" if tax else ""))
    return "; ".join(parts)


def said(note: str) -> str:
    """A FreshBooks note as the engine wrote it, without its `[BigBooks ...]` marker."""
    return " ".join(re.sub(r"\s*\[BigBooks [^]]*\]", "", note).split())


def documents_table(rows: list[list[str]]) -> str:
    return table(["FreshBooks record", "dated", "what it says", "amount"], rows, right=(3,))


def invoice_row(invoice: fb.Invoice, label: str = "Invoice", suffix: str = "") -> list[str]:
    return [f"{label} {invoice.invoice_number}{suffix}", str(invoice.create_date), lines_text(invoice.lines),
            money(invoice.amount)]


def sum_taxes(*documents: tuple[Sequence[fb.Line], int]) -> dict[str, D]:
    result: dict[str, D] = {}
    for lines, sign in documents:
        for name, amount in freshbooks_math.tax_by_name(lines, "USD").items():
            result[name] = result.get(name, D(0)) + sign * amount
    return result


async def refund_example(engine: Engine) -> list[str]:
    sale = order(301, [Line(D("20"), 3, STATE, sku="MUG", name="Mug")], email="ann@example.com", when=day(3, 5))
    await engine.sync(sale)
    after = refunded(sale, refund_id=31, line=1, qty=1, when=day(3, 12))
    await engine.sync(after)
    invoice = await engine.invoice(301)
    payments = await engine.freshbooks.list_payments(invoice.id)
    (card,) = [p for p in payments if not p.creditid]
    (applied,) = [p for p in payments if p.creditid]
    (note,) = await engine.credit_notes(invoice.customerid)
    (captured,) = [t.amount for t in after.transactions if t.event == "purchase"]
    (refund,) = after.refunds
    rows = [invoice_row(invoice),
            ["Card payment", str(card.date), f"captured {money(captured)}, lowered to what the store kept: "
             f"\"{said(card.note).split(' | ', 1)[1]}\"", money(card.amount)],
            ["Credit note", str(note.create_date), lines_text(note.lines), money(note.amount)],
            [f"Credit applied to {invoice.invoice_number}", str(applied.date), f"\"{said(applied.note)}\"",
             money(applied.amount)]]
    tax = sum_taxes((invoice.lines, 1), (note.lines, -1))
    credit = await engine.freshbooks.get_client_credit_balance(invoice.customerid)
    balance = table(["after the refund", "FreshBooks", "BigCommerce"], [
        *([f"{name} tax, net of the refund", money(amount), money(after.order.total_tax - refund.total_tax)]
          for name, amount in tax.items()),
        ["cash the store kept", money(card.amount), f"{money(captured)} - {money(refund.total_amount)} = "
         f"{money(captured - refund.total_amount)}"],
        [f"{invoice.invoice_number} outstanding", money(invoice.outstanding), ""],
        ["client's open credit", money(credit.get("USD", D(0))), ""]], right=(1, 2))
    # the same refund, paid back as store credit instead of to the card
    other = order(302, [Line(D("20"), 3, STATE, sku="MUG", name="Mug")], email="bob@example.com", when=day(3, 5))
    await engine.sync(other)
    await engine.sync(refunded(other, refund_id=32, line=1, qty=1, when=day(3, 12), to_card=False))
    invoice2 = await engine.invoice(302)
    kept = sum((p.amount for p in await engine.freshbooks.list_payments(invoice2.id) if not p.creditid), D(0))
    credit2 = (await engine.freshbooks.get_client_credit_balance(invoice2.customerid)).get("USD", D(0))
    line = (f"Refunded to store credit instead, the same credit note is not applied: the card payment stays "
            f"{money(kept)} and the client keeps {money(credit2)} of open credit, as the customer keeps store "
            "credit in BigCommerce.")
    return [documents_table(rows), balance, line]


async def gift_certificate_example(engine: Engine) -> list[str]:
    sale = order(401, [Line(D("50"), 1, (), sku="GIFT", name="Gift certificate"),
                       Line(D("20"), 1, STATE, sku="MUG", name="Mug")],
                 email="carol@example.com", when=day(3, 5), certificates=(1,))
    await engine.sync(sale)
    spent = D(30)
    later = order(402, [Line(D("35"), 1, STATE, sku="POT", name="Teapot")], email="carol@example.com",
                  when=day(4, 2), gift_certificate=spent)
    await engine.sync(later)
    first, second = await engine.invoice(401), await engine.invoice(402)
    (pay1,) = await engine.freshbooks.list_payments(first.id)
    (credit,) = await engine.credit_notes(first.customerid)
    payments2 = await engine.freshbooks.list_payments(second.id)
    (from_credit,) = [p for p in payments2 if p.creditid]
    (card2,) = [p for p in payments2 if not p.creditid]
    certificate = sale.products[0].total_ex_tax
    (captured,) = [t.amount for t in sale.transactions]
    rows = [invoice_row(first),
            ["Card payment", str(pay1.date), f"captured {money(captured)} (order {sale.order.id}'s total); "
             f"{money(pay1.amount)} pays {first.invoice_number}", money(pay1.amount)],
            [f"Credit {credit.credit_number} ({credit.credit_type})", str(credit.create_date),
             f"made by FreshBooks for the rest: \"{said(credit.notes)}\"", money(credit.amount)],
            invoice_row(second),
            [f"Credit applied to {second.invoice_number}", str(from_credit.date), f"\"{said(from_credit.note)}\"",
             money(from_credit.amount)],
            ["Card payment", str(card2.date), f"captured {money(card2.amount)}", money(card2.amount)]]
    left = (await engine.freshbooks.get_client_credit_balance(first.customerid)).get("USD", D(0))
    revenue = sum((freshbooks_math.line_amount(x, "USD") for x in (*first.lines, *second.lines)), D(0))
    note = (f"The {money(certificate)} certificate never shows as a sale: the invoices' sales are "
            f"{money(revenue)} (the mug and the teapot), and the {money(spent)} spent is paid from the credit, "
            f"not counted again as cash. The client's open credit is now {money(left)}, what is left on the "
            "certificate.")
    stranger = order(403, [Line(D("35"), 1, STATE, sku="POT", name="Teapot")], email="dave@example.com",
                     when=day(4, 3), gift_certificate=D(20))
    outcome = await engine.sync(stranger, expect=("failed",))
    first_sentence = outcome.message.split(". ", 1)[0] + "."
    return [documents_table(rows), note, first_sentence]


def unpaid_profile() -> MappingProfile:
    """Invoices Awaiting Payment orders too (bank transfer, cheque), and voids cancelled ones."""
    base = default_profile()
    return base.model_copy(update={"invoice_status_ids": (*base.invoice_status_ids, bc.OrderStatus.AWAITING_PAYMENT),
                                   "cancellation_policy": "void"})


def changed(detail: bc.OrderDetail, when: datetime, **fields: Any) -> bc.OrderDetail:
    return detail.model_copy(update={"order": detail.order.model_copy(update={"date_modified": when, **fields})})


async def correction_example(engine: Engine) -> list[str]:
    profile = unpaid_profile()
    waiting = bc.OrderStatus.AWAITING_PAYMENT
    sale = order(501, [Line(D("20"), 2, STATE, sku="MUG", name="Mug")], email="erin@example.com",
                 when=day(3, 5), status_id=waiting, paid=False)
    await engine.sync(sale, profile)
    await engine.sync(changed(sale, day(3, 9), status_id=bc.OrderStatus.CANCELLED), profile, expect=("voided",))
    invoice = await engine.invoice(501)
    (note,) = await engine.credit_notes(invoice.customerid)
    (applied,) = await engine.freshbooks.list_payments(invoice.id)
    cancel = [invoice_row(invoice, suffix=" (sent)"),
              ["Credit note", str(note.create_date), lines_text(note.lines), money(note.amount)],
              [f"Credit applied to {invoice.invoice_number}", str(applied.date), f"\"{said(applied.note)}\"",
               money(applied.amount)]]
    kept = (f"{invoice.invoice_number} stays as it was sent, for {money(invoice.amount)}, with "
            f"{money(invoice.outstanding)} outstanding now. The credit note says \"{said(note.notes)}\".")
    # an edit: one more mug on a sent invoice
    edit = order(502, [Line(D("20"), 1, STATE, sku="MUG", name="Mug")], email="finn@example.com",
                 when=day(3, 5), status_id=waiting, paid=False)
    await engine.sync(edit, profile)
    more = order(502, [Line(D("20"), 2, STATE, sku="MUG", name="Mug")], email="finn@example.com",
                 when=day(3, 5), status_id=waiting, paid=False)
    more = changed(more, day(3, 10))
    await engine.sync(more, profile)
    original, supplement = await engine.invoice(502), await engine.invoice(502, "-2")
    edited = [invoice_row(original, suffix=" (sent)"), invoice_row(supplement, "Supplementary invoice")]
    taxes = sum_taxes((original.lines, 1), (supplement.lines, 1))
    assert original.amount + supplement.amount == more.order.total_inc_tax
    assert sum(taxes.values(), D(0)) == more.order.total_tax
    together = (f"Together they come to {money(original.amount + supplement.amount)}, the order's new total, "
                "with " + ", ".join(f"{n} {money(a)}" for n, a in taxes.items()) + ", BigCommerce's new tax. "
                f"The supplementary invoice says \"{said(supplement.notes)}\".")
    return [documents_table(cancel), kept, documents_table(edited), together]


async def engine_examples() -> list[str]:
    import keyring
    import keyring.backend

    from bigbooks_desktop import accounts
    from bigbooks_desktop.sandbox.app import Sandbox
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.store.db import close_database, open_database

    class MemoryKeyring(keyring.backend.KeyringBackend):
        """Keeps the sandbox sign-in in memory: no real keychain is touched."""

        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.entries: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.entries.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.entries[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.entries.pop((service, username), None)

    keyring.set_keyring(MemoryKeyring())
    sandbox = Sandbox(SandboxConfig(orders=1, seed=1))
    transport = sandbox.transport()
    open_database()
    try:
        await accounts.connect_sandbox("http://sandbox.test/_sandbox", transport=transport)
        async with await accounts.open_freshbooks_client(transport=transport) as freshbooks:
            engine = Engine(Store(), freshbooks)
            return [*await refund_example(engine), *await gift_certificate_example(engine),
                    *await correction_example(engine)]
    finally:
        accounts.forget_shared_auth()
        close_database()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bigbooks-examples-") as home:
        os.environ["BIGBOOKS_HOME"] = home        # a throw-away data folder: database, settings, sign-ins
        blocks = [*coupon_example(), *vat_example(), *asyncio.run(engine_examples())]
    print("\n\n".join(blocks))


if __name__ == "__main__":
    main()
