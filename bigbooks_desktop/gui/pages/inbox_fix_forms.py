"""The inbox's fix forms, one a cause: the customer's email, a SKU mapped to a FreshBooks item (a searchable
picker) or created, an unknown tax mapped, one of the hand-entered invoices picked; and the Ignore and raw
payload dialogs. The forms only collect and check input; the page sends it to the service."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop.core.inbox_views import (
    FreshBooksItemView,
    FreshBooksTaxView,
    InboxFixView,
    UnknownSkuView,
)
from bigbooks_desktop.gui.formatting import cell_text
from bigbooks_desktop.gui.models.inbox_groups import FreshBooksItemsModel
from bigbooks_desktop.gui.models.table import ROW_ROLE
from bigbooks_desktop.gui.wizard.common import MessageLine, hint, make_button

__all__ = ["EmailFixForm", "FixForm", "IgnoreDialog", "InvoicePickForm", "NoFixForm", "RadioPickForm",
           "RawPayloadDialog", "SkuFixForm", "TaxFixForm"]


class FixForm(QWidget):
    """A fix form: `fill` from the row's InboxFixView, `first_field` for keyboard focus, `message` for inline
    errors (the page routes the service's ValidationError there)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.message = MessageLine()

    def fill(self, fix: InboxFixView) -> None:
        self.message.clear()

    def first_field(self) -> QWidget:
        return self


class NoFixForm(FixForm):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layout_.addWidget(hint("Nothing to fill in here: fix it where the message says, then Retry."))
        self.layout_.addWidget(self.message)


class EmailFixForm(FixForm):
    """The customer's email, checked by the service before anything is saved."""

    save_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.email = QLineEdit()
        self.email.setPlaceholderText("name@example.com")
        self.email.setAccessibleName("Customer email")
        self.email.setToolTip("The email FreshBooks will use for this order's client")
        self.email.setAccessibleDescription("The address is checked before it is saved")
        self.save = make_button("&Save and retry", "Save the email and sync this order again", default=True)
        self.save.setAccessibleName("Save email and retry")
        form = QFormLayout()
        form.addRow("Customer &email:", self.email)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save)
        self.layout_.addLayout(form)
        self.layout_.addWidget(self.message)
        self.layout_.addLayout(row)
        self.save.clicked.connect(self._submit)
        self.email.returnPressed.connect(self._submit)
        self.email.textEdited.connect(lambda _t: self.message.clear())

    def fill(self, fix: InboxFixView) -> None:
        super().fill(fix)
        self.email.setText(fix.email)

    def first_field(self) -> QWidget:
        return self.email

    def _submit(self) -> None:
        self.message.clear()
        self.save_requested.emit(self.email.text())


class SkuFixForm(FixForm):
    """Each unknown SKU: an existing FreshBooks item (search by name or SKU) or a new item."""

    map_requested = Signal(str, int)          # sku, FreshBooks item id
    create_requested = Signal(str, str)       # sku, new item's name
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._skus: tuple[UnknownSkuView, ...] = ()
        self.sku = QComboBox()
        self.sku.setAccessibleName("Unknown SKU")
        self.sku.setToolTip("The SKU to map (an order can sell several SKUs FreshBooks does not know)")
        self.existing = QRadioButton("Use an existing FreshBooks &item")
        self.existing.setToolTip("Map the SKU to an item already in FreshBooks, for this and later orders")
        self.create_new = QRadioButton("&Create a new FreshBooks item named")
        self.create_new.setToolTip("The next sync creates the item (with this SKU and the order's price)")
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.existing)
        self.choice.addButton(self.create_new)
        self.existing.setChecked(True)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search items by name or SKU")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search FreshBooks items")
        self.search.setToolTip("Type part of an item's name or SKU; Enter goes on to the list")
        self.items_model = FreshBooksItemsModel(self)
        self.items_proxy = QSortFilterProxyModel(self)
        self.items_proxy.setSourceModel(self.items_model)
        self.items_proxy.setFilterKeyColumn(-1)
        self.items_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.items = QTableView()
        self.items.setModel(self.items_proxy)
        self.items.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.items.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.items.verticalHeader().setVisible(False)
        self.items.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.items.setMinimumHeight(150)
        self.items.setAccessibleName("FreshBooks items")
        self.items.setToolTip("Pick the FreshBooks item this SKU is; Enter saves and retries")
        self.reload = make_button("Re&load list", "Read the items from FreshBooks again")
        self.name = QLineEdit()
        self.name.setAccessibleName("New item name")
        self.name.setToolTip("Name of the new FreshBooks item")
        self.save = make_button("&Save and retry", "Save the mapping and sync the order again", default=True)
        self.save.setAccessibleName("Save SKU fix and retry")
        top = QFormLayout()
        top.addRow("&SKU:", self.sku)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.reload)
        new_row = QHBoxLayout()
        new_row.addWidget(self.create_new)
        new_row.addWidget(self.name, 1)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save)
        self.layout_.addLayout(top)
        self.layout_.addWidget(self.existing)
        self.layout_.addLayout(search_row)
        self.layout_.addWidget(self.items)
        self.layout_.addLayout(new_row)
        self.layout_.addWidget(self.message)
        self.layout_.addLayout(save_row)
        self.search.textChanged.connect(self.items_proxy.setFilterFixedString)
        self.search.textEdited.connect(lambda _t: self.existing.setChecked(True))
        self.name.textEdited.connect(lambda _t: self.create_new.setChecked(True))
        self.items.doubleClicked.connect(lambda _i: self._submit())
        self.items.installEventFilter(self)                     # Enter on an item: save and retry
        self.search.returnPressed.connect(self._to_list)        # Enter in the search: on to the list
        self.name.returnPressed.connect(self._submit)           # Enter in the new item's name: save and retry
        self.reload.clicked.connect(self.refresh_requested)
        self.save.clicked.connect(self._submit)
        self.sku.currentIndexChanged.connect(self._sku_changed)

    def fill(self, fix: InboxFixView) -> None:
        super().fill(fix)
        self._skus = fix.skus
        self.sku.blockSignals(True)
        self.sku.clear()
        for sku in fix.skus:
            self.sku.addItem(f"{sku.sku}  ({sku.line_name})" if sku.line_name else sku.sku, sku.sku)
        self.sku.blockSignals(False)
        self.sku.setEnabled(len(fix.skus) > 1)
        self._sku_changed()

    def set_items(self, items: tuple[FreshBooksItemView, ...]) -> None:
        self.items_model.set_rows(items)
        self._select_mapped()

    def current_sku(self) -> UnknownSkuView | None:
        row = self.sku.currentIndex()
        return self._skus[row] if 0 <= row < len(self._skus) else None

    def _sku_changed(self) -> None:
        sku = self.current_sku()
        self.name.setText(sku.create_as or sku.line_name if sku is not None else "")
        if sku is not None and sku.create_as:
            self.create_new.setChecked(True)
        else:
            self.existing.setChecked(True)
        self._select_mapped()

    def _select_mapped(self) -> None:
        sku = self.current_sku()
        if sku is None or sku.mapped_item_id is None:
            return
        for row in range(self.items_proxy.rowCount()):
            item = self.items_proxy.index(row, 0).data(ROW_ROLE)
            if isinstance(item, FreshBooksItemView) and item.id == sku.mapped_item_id:
                self.items.selectRow(row)

    def chosen_item(self) -> FreshBooksItemView | None:
        rows = self.items.selectionModel().selectedRows()
        item = rows[0].data(ROW_ROLE) if rows else None
        return item if isinstance(item, FreshBooksItemView) else None

    def choose_item(self, item_id: int) -> bool:
        """Select the item with this id in the list (tests, keyboard flows)."""
        self.existing.setChecked(True)
        for row in range(self.items_proxy.rowCount()):
            item = self.items_proxy.index(row, 0).data(ROW_ROLE)
            if isinstance(item, FreshBooksItemView) and item.id == item_id:
                self.items.selectRow(row)
                return True
        return False

    def first_field(self) -> QWidget:
        return self.search

    def _to_list(self) -> None:
        """From the search to the items it left, the first one picked unless one already is."""
        if not self.items_proxy.rowCount():
            return
        if not self.items.selectionModel().selectedRows():
            self.items.selectRow(0)
        self.existing.setChecked(True)
        self.items.setFocus(Qt.FocusReason.TabFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.items and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.existing.setChecked(True)
            self._submit()
            return True
        return super().eventFilter(watched, event)

    def _submit(self) -> None:
        self.message.clear()
        sku = self.current_sku()
        if sku is None:
            return
        if self.create_new.isChecked():
            self.create_requested.emit(sku.sku, self.name.text())
            return
        item = self.chosen_item()
        if item is None:
            self.message.show_info("Pick an item in the list (search to narrow it), or choose to create one.")
            return
        self.map_requested.emit(sku.sku, item.id)


class TaxFixForm(FixForm):
    """The FreshBooks tax an unknown BigCommerce tax is (same rate)."""

    map_requested = Signal(str)               # FreshBooks tax name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tax = QComboBox()
        self.tax.setAccessibleName("FreshBooks tax")
        self.tax.setToolTip("Taxes at the same rate are listed first")
        self.save = make_button("&Save and retry", "Save the tax mapping and sync the order again", default=True)
        self.save.setAccessibleName("Save tax mapping and retry")
        form = QFormLayout()
        form.addRow("FreshBooks &tax:", self.tax)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save)
        self.layout_.addLayout(form)
        self.layout_.addWidget(self.message)
        self.layout_.addLayout(row)
        self.save.clicked.connect(lambda: self.map_requested.emit(str(self.tax.currentData() or "")))
        self._fix: InboxFixView | None = None

    def fill(self, fix: InboxFixView) -> None:
        super().fill(fix)
        self._fix = fix

    def set_taxes(self, taxes: tuple[FreshBooksTaxView, ...]) -> None:
        rate = self._fix.tax.rate.normalize() if self._fix is not None and self._fix.tax is not None else None
        same = [t for t in taxes if rate is not None and t.rate.normalize() == rate]
        others = [t for t in taxes if t not in same]
        self.tax.clear()
        for tax in same + others:
            self.tax.addItem(f"{tax.name} ({tax.rate.normalize()}%)", tax.name)
        if not same and rate is not None:
            self.message.show_info(f"FreshBooks has no tax at {rate}%. Create one in FreshBooks, then come back.")

    def first_field(self) -> QWidget:
        return self.tax


class RadioPickForm(FixForm):
    """One radio button a choice (in `choices`, the button's id the choice's id, laid out in `box`) and a Save
    button that hands the checked id to `_picked`, or asks with `unpicked` when none is checked."""

    def __init__(self, save: tuple[str, str, str], unpicked: str, parent: QWidget | None = None) -> None:
        """`save`: the Save button's text, tooltip and accessible name."""
        super().__init__(parent)
        self.choices = QButtonGroup(self)
        self.box = QVBoxLayout()
        self._unpicked = unpicked
        text, tooltip, name = save
        self.save = make_button(text, tooltip, default=True)
        self.save.setAccessibleName(name)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save)
        self.layout_.addLayout(self.box)
        self.layout_.addWidget(self.message)
        self.layout_.addLayout(row)
        self.save.clicked.connect(self._submit)

    def clear_choices(self) -> None:
        for button in self.choices.buttons():
            self.choices.removeButton(button)
            button.hide()
            button.deleteLater()

    def add_choice(self, choice_id: int, text: str, tooltip: str, *, checked: bool) -> None:
        button = QRadioButton(text)
        button.setToolTip(tooltip)
        button.setChecked(checked)
        self.choices.addButton(button, choice_id)
        self.box.addWidget(button)

    def first_field(self) -> QWidget:
        buttons = self.choices.buttons()
        return buttons[0] if buttons else self.save

    def _picked(self, choice_id: int) -> None:
        raise NotImplementedError

    def _submit(self) -> None:
        picked = self.choices.checkedId()
        if picked < 0:
            self.message.show_info(self._unpicked)
            return
        self._picked(picked)


class InvoicePickForm(RadioPickForm):
    """One radio button a candidate invoice."""

    pick_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(("&Link and retry", "Link the picked invoice to this order and sync it",
                          "Link invoice and retry"), "Pick one of the invoices first.", parent)

    def fill(self, fix: InboxFixView) -> None:
        super().fill(fix)
        self.clear_choices()
        for candidate in fix.candidates:
            issued = cell_text(candidate.issued) if candidate.issued else "no date"
            self.add_choice(candidate.id, f"{candidate.number}: {candidate.customer}, {candidate.amount:,.2f} "
                                          f"{candidate.currency}, {issued}, {candidate.status}",
                            f"FreshBooks invoice id {candidate.id}", checked=candidate.picked)
        if not fix.candidates:
            self.message.show_info("None of the candidate invoices is still active in FreshBooks; Retry lets "
                                   "BigBooks create the invoice.")

    def _picked(self, choice_id: int) -> None:
        self.pick_requested.emit(choice_id)


class IgnoreDialog(QDialog):
    """Asks why a problem can be ignored; OK only with a reason."""

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Ignore this problem")
        self.reason = QLineEdit()
        self.reason.setAccessibleName("Reason for ignoring")
        self.reason.setToolTip("Kept with the problem's history")
        self.reason.setPlaceholderText("e.g. test order, invoiced by hand")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Ignore")
        self.ok.setToolTip("Ignore the problem with this reason (Enter)")
        self.ok.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip("Keep the problem in the inbox (Esc)")
        layout = QVBoxLayout(self)
        label = QLabel(f"{what} stays out of FreshBooks and leaves the inbox. Why?")
        label.setWordWrap(True)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.reason.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.resize(440, self.sizeHint().height())


class RawPayloadDialog(QDialog):
    """The failed data as JSON (secrets already redacted), monospace, with Copy."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setAccessibleName("Raw payload (JSON)")
        self.text.setToolTip("The data the sync failed on; secrets are replaced by ***")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close the payload (Esc)")
        copy = buttons.addButton("&Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.setToolTip("Copy the JSON to the clipboard")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(text))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(760, 560)
