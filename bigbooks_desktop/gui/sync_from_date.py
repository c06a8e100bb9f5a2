"""The "Sync from a date..." dialog: a backfill of older orders from the window (`bigbooks sync --since DATE`)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

__all__ = ["SyncFromDateDialog"]


class SyncFromDateDialog(QDialog):
    """Asks for the date a backfill starts from; `chosen()` is that date once accepted."""

    def __init__(self, parent: QWidget | None = None, *, start: date | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sync from a date")
        explain = QLabel(
            "Copies every order created or changed from this date on to FreshBooks, older ones included. "
            "Orders already synced are not written again, and invoices a bookkeeper entered by hand are linked, "
            "not duplicated. Later syncs go on from where this one ends.")
        explain.setWordWrap(True)
        first = start or date(date.today().year, 1, 1)
        self.date_edit = QDateEdit(QDate(first.year, first.month, first.day))
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(QDate.currentDate())
        self.date_edit.setAccessibleName("Sync orders from")
        self.date_edit.setToolTip("Orders created or changed on or after this day are synced")
        form = QFormLayout()
        form.addRow("Sync orders &from:", self.date_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Sync")
        ok.setToolTip("Start the sync now")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip("Close without syncing (Esc)")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def chosen(self) -> date:
        picked = self.date_edit.date()
        return date(picked.year(), picked.month(), picked.day())
