"""One order's detail for the side-by-side screen: both records line by line (from the copy the sync stored and
the engine's payment and credit links), their comparisons with the reason for any difference, and the
addresses of the order and the invoice in their web apps. Local data only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from bigbooks_desktop.core.order_views import (
    ORDER_STATE_MEANINGS,
    OrderCheckView,
    OrderDetailView,
    OrderState,
    RecordLineKind,
    RecordLineView,
    StatedOrderView,
)
from bigbooks_desktop.store.links import credit_links_for_order, get_order_link, payment_links_for_order

__all__ = ["bigcommerce_order_url", "build_order_detail", "freshbooks_invoice_url"]

_ZERO = Decimal(0)


# Address patterns, as public integrations open them (no official deep-link reference exists for either):
# - BigCommerce control panel: `https://store-{store_hash}.mybigcommerce.com/manage/orders/{order_id}`, e.g. the
#   Python connector that sets `source_url=f"https://store-{store_hash}.mybigcommerce.com/manage/orders/{id}"`
#   and several order dashboards linking `store-${hash}.mybigcommerce.com/manage/orders/${id}` (found with the
#   code search for "mybigcommerce.com/manage/orders").
# - FreshBooks: `https://my.freshbooks.com/#/invoice/{account_id}-{invoice_id}`, e.g. a time tracker's
#   FreshBooks export (`"https://my.freshbooks.com/#/invoice/" + accountID + "-" + invoiceID`) and a setup guide:
#   "open any invoice: the address becomes my.freshbooks.com/#/invoice/XXXXXX-123; the letters between /invoice/
#   and the dash are the Account ID".
# The sandbox has no control panel or web app, so a sandbox connection gets no links (and says so).
def bigcommerce_order_url(store_hash: str, order_id: int) -> str:
    return f"https://store-{store_hash}.mybigcommerce.com/manage/orders/{int(order_id)}"


def freshbooks_invoice_url(account_id: str, invoice_id: int) -> str:
    return f"https://my.freshbooks.com/#/invoice/{account_id}-{int(invoice_id)}"


Json = Mapping[str, object]       # one object of the stored records (JSON: text, numbers as text, lists)


def _map(value: object) -> Json:
    return value if isinstance(value, Mapping) else {}


def _maps(value: object) -> list[Json]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _decimal(value: object) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else _ZERO


def _kind(text: object) -> RecordLineKind:
    try:
        return RecordLineKind(str(text))
    except ValueError:
        return RecordLineKind.OTHER


def _lines(raw: Iterable[Json]) -> list[RecordLineView]:
    return [RecordLineView(kind=_kind(line.get("kind")), label=str(line.get("label", "")),
                           detail=str(line.get("detail", "")),
                           quantity=None if line.get("quantity") is None else _decimal(line["quantity"]),
                           amount=_decimal(line.get("amount")),
                           tax=None if line.get("tax") is None else _decimal(line["tax"])) for line in raw]


def _sum(lines: Iterable[RecordLineView]) -> Decimal:
    return sum((line.amount for line in lines), _ZERO)


def _order_side(order: Json) -> list[RecordLineView]:
    lines = _lines(_maps(order.get("lines")))
    lines += [RecordLineView(RecordLineKind.TAX, f"Tax {t['name']}", f"{_decimal(t.get('rate')):f}%", None,
                             _decimal(t["amount"])) for t in _maps(order.get("taxes"))]
    for label, key in (("Gift certificate redeemed", "gift_certificates_redeemed"), ("Store credit", "store_credit")):
        if _decimal(order.get(key)):
            lines.append(RecordLineView(RecordLineKind.PAYMENT, label, "", None, _decimal(order.get(key))))
    lines += [RecordLineView(RecordLineKind.PAYMENT, f"Payment: {p['label']}", str(p.get("date", ""))[:10], None,
                             _decimal(p["amount"])) for p in _maps(order.get("payments"))]
    lines += [RecordLineView(RecordLineKind.REFUND, str(r["label"]), str(r.get("date", ""))[:10], None,
                             _decimal(r["amount"]), _decimal(r.get("tax"))) for r in _maps(order.get("refunds"))]
    return lines


def _invoice_side(invoice: Json | None, order_id: int) -> list[RecordLineView]:
    lines = _lines(_maps(invoice.get("lines"))) if invoice else []
    if invoice:
        lines += [RecordLineView(RecordLineKind.TAX, f"Tax {t['name']}", "", None, _decimal(t["amount"]))
                  for t in _maps(invoice.get("taxes"))]
    lines += [RecordLineView(RecordLineKind.PAYMENT, f"Payment {p.payment_id}", p.created_at.date().isoformat(),
                             None, p.amount) for p in payment_links_for_order(order_id)]
    for credit in credit_links_for_order(order_id):
        if not credit.refund_id.startswith("refund:"):     # "apply:refund:N" records applying that same credit
            continue
        what = f"Credit note {credit.credit_note_id}" if credit.credit_note_id else \
            f"Refund payment {credit.payment_id}"
        lines.append(RecordLineView(RecordLineKind.CREDIT, what, f"for {credit.refund_id.replace(':', ' ')}",
                                    None, credit.amount))
    return lines


def _checks(stated: StatedOrderView, order: Json, invoice: Json | None,
            order_lines: list[RecordLineView], invoice_lines: list[RecordLineView]) -> list[OrderCheckView]:
    row = stated.row
    state_note = row.note or ORDER_STATE_MEANINGS[stated.state]
    if invoice is None or row.invoice_id is None:
        why = f"No invoice: {state_note}"
        return [OrderCheckView("Total", row.total, None, why)]
    sold = _decimal(invoice.get("gift_certificates_sold"))
    unexplained = (f"Not explained by a known rule ({state_note.rstrip('.')}). Run Reconcile to compare with "
                   "FreshBooks as it is now.")
    checks: list[OrderCheckView] = []

    def add(what: str, ours: Decimal | None, theirs: Decimal | None, reasons: Mapping[Decimal, str]) -> None:
        diff = None if ours is None or theirs is None else theirs - ours
        text = "Agrees." if diff == 0 else reasons.get(diff if diff is not None else _ZERO, unexplained)
        checks.append(OrderCheckView(what, ours, theirs, text))

    gift = {-sold: f"A gift certificate sold ({sold:f}) is not revenue: it stays off the invoice."} if sold else {}
    if order:
        add("Before tax", _decimal(order.get("subtotal")), _decimal(invoice.get("subtotal")), gift)
        ours = {str(t["name"]): _decimal(t["amount"]) for t in _maps(order.get("taxes"))}
        theirs = {str(t["name"]): _decimal(t["amount"]) for t in _maps(invoice.get("taxes"))}
        if set(ours) == set(theirs):
            for name in ours:
                add(f"Tax {name}", ours[name], theirs[name], {})
        else:
            renamed = "BigCommerce's tax names map to FreshBooks taxes of other names (see each side's tax lines)."
            add("Tax, all rates", sum(ours.values(), _ZERO), sum(theirs.values(), _ZERO), {})
            checks[-1] = OrderCheckView(checks[-1].what, checks[-1].order_amount, checks[-1].invoice_amount,
                                        checks[-1].explanation if checks[-1].differs else f"Agrees. {renamed}")
    add("Total", row.total, row.invoice_amount, gift)
    paid = _sum(line for line in order_lines if line.kind is RecordLineKind.PAYMENT)
    recorded = _sum(line for line in invoice_lines if line.kind is RecordLineKind.PAYMENT)
    refunded = _sum(line for line in order_lines if line.kind is RecordLineKind.REFUND)
    credited = _sum(line for line in invoice_lines if line.kind is RecordLineKind.CREDIT)
    pending = ("Not recorded in FreshBooks yet: the next sync writes it." if stated.state is not OrderState.SYNCED
               else "Recorded as a credit on the invoice rather than a payment.")
    payment_reasons = {-refunded: f"The payment recorded in FreshBooks was lowered by the refund ({refunded:f})."}
    if recorded < paid:
        payment_reasons.setdefault(recorded - paid, pending)
    add("Payments", paid, recorded, payment_reasons)
    if refunded or credited:
        add("Refunds and credits", refunded, credited,
            {-refunded: "The refund went back through the payment (the recorded payment is lowered instead)."}
            if refunded else {})
    return checks


def build_order_detail(stated: StatedOrderView, detail: Json, *, connections: Json) -> OrderDetailView:
    """The detail pane's view from the copy's stored records; `connections` is the saved sign-ins' public
    part (store hash, FreshBooks account id, whether it is the sandbox)."""
    row = stated.row
    order = _map(detail.get("order"))
    invoice = _map(detail.get("invoice")) if detail.get("invoice") is not None else None
    order_lines = _order_side(order)
    invoice_lines = _invoice_side(invoice, row.order_id)
    checks = _checks(stated, order, invoice, order_lines, invoice_lines)
    meaning = ORDER_STATE_MEANINGS[stated.state]
    summary = f"{stated.state.value.capitalize()}: {row.note or meaning}"
    if not order:
        summary += " BigBooks read only this order's header (it was never invoiceable), so no lines are shown."
    bigcommerce = _map(connections.get("bigcommerce"))
    freshbooks = _map(connections.get("freshbooks"))
    notes: list[str] = []
    bc_url = fb_url = None
    if bigcommerce.get("method") == "sandbox" or freshbooks.get("method") == "sandbox":
        notes.append("The demo store is a local sandbox: it has no control panel or web app to open.")
    else:
        if bigcommerce.get("store_hash"):
            bc_url = bigcommerce_order_url(str(bigcommerce["store_hash"]), row.order_id)
        else:
            notes.append("Connect BigCommerce to open the order in its control panel.")
        link = get_order_link(row.order_id)
        account = (link.account_id if link is not None else "") or str(freshbooks.get("account_id") or "")
        if row.invoice_id is None:
            notes.append("This order has no invoice in FreshBooks.")
        elif account:
            fb_url = freshbooks_invoice_url(account, row.invoice_id)
        else:
            notes.append("Connect FreshBooks to open the invoice.")
    return OrderDetailView(order=stated, order_lines=tuple(order_lines), invoice_lines=tuple(invoice_lines),
                           checks=tuple(checks), summary=summary, bigcommerce_url=bc_url, freshbooks_url=fb_url,
                           links_note=" ".join(notes))
