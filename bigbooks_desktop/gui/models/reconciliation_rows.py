"""The reconciliation report's table: one order a row, both sides' amounts with their currency, the findings."""

from __future__ import annotations

from PySide6.QtCore import QObject

from bigbooks_desktop.core.dashboard_views import ReconciliationRowView
from bigbooks_desktop.core.reconciliation_views import ReconcileState
from bigbooks_desktop.gui.models.planned_orders import money
from bigbooks_desktop.gui.models.table import Column, ViewTableModel

__all__ = ["RECONCILIATION_COLUMNS", "STATE_WORDS", "ReconciliationColumn", "ReconciliationModel", "finding_word"]

# An order's verdict as a merchant reads it.
STATE_WORDS = {ReconcileState.OK: "Agrees", ReconcileState.EXPLAINED: "Known difference",
               ReconcileState.UNEXPLAINED: "Needs a look", ReconcileState.SKIPPED: "Not invoiced"}


class ReconciliationColumn:
    ORDER, DATE, CUSTOMER, STATE, INVOICE, EXPECTED, INVOICED, DIFFERENCE, FINDINGS = range(9)


def finding_word(code: str) -> str:
    """`total_differs` -> `Total differs`."""
    text = code.replace("_", " ")
    return text[:1].upper() + text[1:]


def _findings_tip(row: ReconciliationRowView) -> str | None:
    if not row.order.findings:
        return None
    return "\n\n".join(f"{'' if f.explained else 'Unexplained: '}{f.message}\nWhat to do: {f.action}"
                       for f in row.order.findings)


RECONCILIATION_COLUMNS: tuple[Column[ReconciliationRowView], ...] = (
    Column(header="Order", value=lambda r: r.order.order_id, numeric=True),
    Column(header="Ordered", value=lambda r: r.order_date),
    Column(header="Customer", value=lambda r: r.customer),
    Column(header="State", value=lambda r: r.order.state, text=lambda r: STATE_WORDS[r.order.state]),
    Column(header="Invoice", value=lambda r: r.order.invoice_number),
    Column(header="BigCommerce", value=lambda r: r.order.bc_expected_amount, numeric=True,
           text=lambda r: money(r.order.bc_expected_amount, r.order.currency),
           tooltip=lambda r: "What the invoice should amount to: the order total less gift certificates sold"),
    Column(header="FreshBooks", value=lambda r: r.order.fb_amount, numeric=True,
           text=lambda r: money(r.order.fb_amount, r.order.currency)),
    Column(header="Difference", value=lambda r: r.difference, numeric=True,
           text=lambda r: money(r.difference, r.order.currency) if r.difference else ""),
    Column(header="Findings", value=lambda r: ", ".join(finding_word(c) for c in r.codes), tooltip=_findings_tip),
)


class ReconciliationModel(ViewTableModel[ReconciliationRowView]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(RECONCILIATION_COLUMNS, parent)
