"""The inbox's fix forms for FreshBooks items and clients that follow BigCommerce (catalog and customer sync):
a field changed on both sides (per field, BigCommerce's value beside FreshBooks' value, one radio button each)
and a SKU two products share (which product the item follows). Like `inbox_fix_forms`, they only collect the
choice; the page sends it to the service."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QLabel, QRadioButton, QWidget

from bigbooks_desktop.core.inbox_views import ConflictChoice, FieldConflictView, InboxFixView
from bigbooks_desktop.gui.pages.inbox_fix_forms import FixForm, RadioPickForm
from bigbooks_desktop.gui.wizard.common import hint, make_button

__all__ = ["ConflictFixForm", "SharedSkuForm", "shown_value"]

_SHOWN = 90          # characters of a value on its radio button (the whole value is its tooltip)


def shown_value(value: str) -> str:
    """A value as one line on a radio button: "(empty)", or its first line cut at _SHOWN characters."""
    text = " ".join(value.split())
    if not text:
        return "(empty)"
    return text if len(text) <= _SHOWN else text[:_SHOWN - 1].rstrip() + "…"


class ConflictFixForm(FixForm):
    """One row a conflicting field: its name, BigCommerce's value and FreshBooks' value, each a radio button
    (the two of a row exclusive); Save and retry asks for `{field: "bigcommerce" | "freshbooks"}`."""

    choose_requested = Signal(object)          # dict[str, ConflictChoice]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conflicts: tuple[FieldConflictView, ...] = ()
        self.groups: dict[str, QButtonGroup] = {}
        self.buttons: dict[tuple[str, ConflictChoice], QRadioButton] = {}
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(16)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(2, 1)
        self.all_bigcommerce = make_button("All from &BigCommerce", "Choose BigCommerce's value for every field")
        self.all_freshbooks = make_button("All from &FreshBooks", "Keep FreshBooks' value for every field")
        self.save = make_button("&Save and retry", "Save the choices; the sync writes them to FreshBooks now",
                                default=True)
        self.save.setAccessibleName("Save choices and retry")
        row = QHBoxLayout()
        row.addWidget(self.all_bigcommerce)
        row.addWidget(self.all_freshbooks)
        row.addStretch(1)
        row.addWidget(self.save)
        self.layout_.addWidget(self.grid_host)
        self.layout_.addWidget(hint("BigCommerce's value is written to FreshBooks; FreshBooks' value stays there "
                                    "(BigCommerce is never changed) until the product or customer changes that "
                                    "field again."))
        self.layout_.addWidget(self.message)
        self.layout_.addLayout(row)
        self.all_bigcommerce.clicked.connect(lambda: self.choose_all(ConflictChoice.BIGCOMMERCE))
        self.all_freshbooks.clicked.connect(lambda: self.choose_all(ConflictChoice.FRESHBOOKS))
        self.save.clicked.connect(self._submit)

    def fill(self, fix: InboxFixView) -> None:
        super().fill(fix)
        self.conflicts = fix.conflicts
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        for group in self.groups.values():
            group.deleteLater()
        self.groups.clear()
        self.buttons.clear()
        bold = QFont(self.font())
        bold.setBold(True)
        for column, text in enumerate(("Field", "BigCommerce", "FreshBooks")):
            header = QLabel(text)
            header.setFont(bold)
            self.grid.addWidget(header, 0, column)
        for row, conflict in enumerate(fix.conflicts, start=1):
            name = QLabel(conflict.label)
            name.setFont(bold)
            if conflict.baseline is not None:
                name.setToolTip(f"Both last agreed on: {shown_value(conflict.baseline)}")
            self.grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
            group = QButtonGroup(self)
            self.groups[conflict.field] = group
            for column, (choice, value, whose) in enumerate((
                    (ConflictChoice.BIGCOMMERCE, conflict.bigcommerce, "BigCommerce"),
                    (ConflictChoice.FRESHBOOKS, conflict.freshbooks, "FreshBooks")), start=1):
                button = QRadioButton(shown_value(value))
                button.setToolTip(f"{whose}'s {conflict.label.lower()}: {value or '(empty)'}")
                button.setAccessibleName(f"{conflict.label}: {whose}'s value")
                button.setAccessibleDescription(value or "empty")
                button.setChecked(conflict.chosen is choice)
                if not value:
                    button.setForegroundRole(QPalette.ColorRole.PlaceholderText)
                group.addButton(button)
                self.buttons[(conflict.field, choice)] = button
                self.grid.addWidget(button, row, column, Qt.AlignmentFlag.AlignTop)
                button.toggled.connect(lambda _on: self.message.clear())
            name.setBuddy(self.buttons[(conflict.field, ConflictChoice.BIGCOMMERCE)])

    def choose(self, field: str, choice: ConflictChoice) -> None:
        """Check one value (tests, keyboard flows)."""
        self.buttons[(field, choice)].setChecked(True)

    def choose_all(self, choice: ConflictChoice) -> None:
        for conflict in self.conflicts:
            self.choose(conflict.field, choice)

    def choices(self) -> dict[str, ConflictChoice]:
        """The fields chosen so far."""
        picked: dict[str, ConflictChoice] = {}
        for conflict in self.conflicts:
            for choice in ConflictChoice:
                if self.buttons[(conflict.field, choice)].isChecked():
                    picked[conflict.field] = choice
        return picked

    def first_field(self) -> QWidget:
        if not self.conflicts:
            return self.save
        first = self.conflicts[0].field
        chosen = self.buttons.get((first, ConflictChoice.FRESHBOOKS))
        return chosen if chosen is not None and chosen.isChecked() else \
            self.buttons[(first, ConflictChoice.BIGCOMMERCE)]

    def _submit(self) -> None:
        self.message.clear()
        picked = self.choices()
        left = [c.label.lower() for c in self.conflicts if c.field not in picked]
        if left:
            self.message.show_info(f"Choose a value for every field first (still to choose: {', '.join(left)}).")
            return
        self.choose_requested.emit(picked)


class SharedSkuForm(RadioPickForm):
    """One radio button a product sharing the SKU; Save and retry makes the item follow the chosen one."""

    follow_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(("&Follow and retry", "The FreshBooks item follows the chosen product from now on",
                          "Follow the chosen product and retry"),
                         "Choose the product the item follows first (or fix the SKU in BigCommerce).", parent)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.layout_.insertWidget(0, self.intro)

    def fill(self, fix: InboxFixView) -> None:
        super().fill(fix)
        self.clear_choices()
        self.intro.setText(f"The FreshBooks item {fix.shared_sku} follows:")
        for product in fix.products:
            now = " (the item follows it now)" if product.followed else ""
            self.add_choice(product.id, f"BigCommerce product {product.id}{now}",
                            f"From the next sync, the item {fix.shared_sku} takes its name and price from "
                            f"product {product.id}", checked=product.chosen)

    def _picked(self, choice_id: int) -> None:
        self.follow_requested.emit(choice_id)
