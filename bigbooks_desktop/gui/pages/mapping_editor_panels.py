"""The mapping editor's side panels: the selected mapping (its source and its transforms), and the live preview
of a sample order's invoice. Each panel shows views and asks for changes by signal; the page makes them through
the service and its undo stack (pages.mapping_editor)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop.core.mapping_editor_views import (
    EditorIssueView,
    FieldMappingView,
    SourceKind,
    TransformChoiceView,
    TransformView,
)
from bigbooks_desktop.core.money import quantize
from bigbooks_desktop.core.profile_views import (
    IssueSeverity,
    MappingFieldView,
    PreviewOrderView,
    PreviewOutcome,
    ProfilePreviewView,
)
from bigbooks_desktop.gui.a11y import describe
from bigbooks_desktop.gui.formatting import label as word

__all__ = ["MappingDetailsPanel", "PreviewPanel", "heading", "issue_row"]

_KINDS = ((SourceKind.PATH, "Order field"), (SourceKind.CONSTANT, "Fixed text"), (SourceKind.TEMPLATE, "Template"))


def heading(text: str) -> QLabel:
    found = QLabel(text)
    font = found.font()
    font.setBold(True)
    found.setFont(font)
    return found


class IssueLine(QWidget):
    """A problem shown where it is: an icon and the message beside it (hidden when there is none)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.icon = QLabel()
        self.icon.setFixedSize(18, 18)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text, 1)
        describe(self.text, name, "The problem found here, if any")
        self.setVisible(False)

    def show_issues(self, issues: Sequence[EditorIssueView]) -> None:
        self.setVisible(bool(issues))
        if not issues:
            self.text.clear()
            return
        error = any(i.severity is IssueSeverity.ERROR for i in issues)
        pixmap = QStyle.StandardPixmap.SP_MessageBoxCritical if error else QStyle.StandardPixmap.SP_MessageBoxWarning
        self.icon.setPixmap(self.style().standardIcon(pixmap).pixmap(16, 16))
        self.text.setText("\n".join(f"{i.part}: {i.message}" for i in issues))
        self.text.setAccessibleDescription(("Error: " if error else "Warning: ") + self.text.text())


def issue_row(name: str) -> IssueLine:
    return IssueLine(name)


class MappingDetailsPanel(QWidget):
    """The selected FreshBooks field's source (an order field, fixed text or a template) and its transforms."""

    source_changed = Signal(str, object, str)      # target, SourceKind, text
    transforms_changed = Signal(str, object)       # target, tuple[TransformView, ...]

    def __init__(self, new_transform: Callable[[str], TransformView], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._new_transform = new_transform
        self._field: MappingFieldView | None = None
        self._mapping: FieldMappingView | None = None
        self.title = heading("Select a FreshBooks field")
        self.title.setWordWrap(True)
        self.kind = describe(QComboBox(), "Source kind", "Whether the field is filled from an order field, fixed "
                             "text or a template with {field} placeholders", tooltip=True)
        for kind, text in _KINDS:
            self.kind.addItem(text, kind.value)
        self.source = describe(QPlainTextEdit(), "Source", "The order field's path, the fixed text or the "
                               "template; Apply source (Ctrl+Return) uses it", tooltip=True)
        self.source.setFixedHeight(54)
        self.apply_source = describe(QPushButton("Apply source"), "Apply source",
                                     "Use the source written above for the selected field (Ctrl+Return)",
                                     tooltip=True)
        QShortcut(QKeySequence("Ctrl+Return"), self.source, self._apply_source)
        self.issues = issue_row("Problems of the selected mapping")
        self.steps = describe(QListWidget(), "Transforms", "The steps the value passes through, in order; "
                              "select one to edit its settings")
        self.steps.setMaximumHeight(76)
        self.choice = describe(QComboBox(), "Transform to add", "A step to add at the end of the chain",
                               tooltip=True)
        self.choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.choice.setMinimumContentsLength(8)
        self.add = describe(QPushButton("Add step"), "Add step", "Add the chosen step at the end", tooltip=True)
        self.remove = describe(QPushButton("Remove"), "Remove step", "Remove the selected step", tooltip=True)
        self.up = describe(QPushButton("Up"), "Move step up", "Run the selected step earlier", tooltip=True)
        self.down = describe(QPushButton("Down"), "Move step down", "Run the selected step later", tooltip=True)
        self.params = QFormLayout()
        self.params.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._param_edits: list[tuple[str, QLineEdit]] = []

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        source_row = QHBoxLayout()
        filled_from = QLabel("&Filled from")
        filled_from.setBuddy(self.kind)             # Qt on Linux names a combo by its buddy label
        source_row.addWidget(filled_from)
        source_row.addWidget(self.kind, 1)
        source_row.addWidget(self.apply_source)
        layout.addLayout(source_row)
        layout.addWidget(self.source)
        layout.addWidget(self.issues)
        layout.addWidget(heading("Transforms, in order"))
        layout.addWidget(self.steps)
        buttons = QHBoxLayout()
        step = QLabel("Ste&p")
        step.setBuddy(self.choice)
        buttons.addWidget(step)
        for button in (self.choice, self.add, self.remove, self.up, self.down):
            buttons.addWidget(button)
        buttons.setStretch(1, 1)
        layout.addLayout(buttons)
        layout.addLayout(self.params)
        layout.addStretch(1)

        self.apply_source.clicked.connect(self._apply_source)
        self.add.clicked.connect(self._add)
        self.remove.clicked.connect(self._remove)
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))
        self.steps.currentRowChanged.connect(self._show_params)
        self.show_mapping(None, None, ())

    def set_choices(self, choices: Sequence[TransformChoiceView]) -> None:
        self.choice.clear()
        for found in choices:
            self.choice.addItem(found.label, found.name)
            self.choice.setItemData(self.choice.count() - 1, found.description, Qt.ItemDataRole.ToolTipRole)

    @property
    def target(self) -> str | None:
        return self._field.path if self._field is not None else None

    def show_mapping(self, field: MappingFieldView | None, mapping: FieldMappingView | None,
                     issues: Sequence[EditorIssueView]) -> None:
        same = field is not None and self._field is not None and field.path == self._field.path
        row = self.steps.currentRow() if same else 0
        self._field, self._mapping = field, mapping
        for widget in (self.kind, self.source, self.apply_source, self.choice, self.add):
            widget.setEnabled(field is not None)
        if field is None:
            self.title.setText("Select a FreshBooks field to see what fills it")
        else:
            need = ", required" if field.required else ""
            self.title.setText(f"{field.label} ({field.path}{need})")
        kind = mapping.source_kind if mapping is not None else SourceKind.PATH
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind.value)))
        text = mapping.source_text if mapping is not None else ""
        if self.source.toPlainText() != text:
            self.source.setPlainText(text)
        self.issues.show_issues(issues)
        self.steps.blockSignals(True)
        self.steps.clear()
        steps = mapping.transforms if mapping is not None else ()
        for number, step in enumerate(steps, start=1):
            item = QListWidgetItem(f"{number}. {step.label}")
            problems = [i for i in issues if i.part == f"transform {number}"]
            if problems:
                item.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical))
                item.setToolTip("\n".join(i.message for i in problems))
            self.steps.addItem(item)
        self.steps.blockSignals(False)
        for widget in (self.remove, self.up, self.down):
            widget.setEnabled(bool(steps))
        self.add.setEnabled(mapping is not None)
        if steps:
            self.steps.setCurrentRow(min(max(row, 0), len(steps) - 1))
        self._show_params(self.steps.currentRow())

    # -- changes asked for -------------------------------------------------------------------------------

    def _steps(self) -> list[TransformView]:
        return list(self._mapping.transforms) if self._mapping is not None else []

    def _apply_source(self) -> None:
        kind = self.kind.currentData()       # Qt keeps the enum's text, not the enum
        if self._field is not None and isinstance(kind, str):
            self.source_changed.emit(self._field.path, SourceKind(kind), self.source.toPlainText())

    def _add(self) -> None:
        name = self.choice.currentData()
        if self._field is None or self._mapping is None or not isinstance(name, str):
            return
        steps = [*self._steps(), self._new_transform(name)]
        self.transforms_changed.emit(self._field.path, tuple(steps))
        self.steps.setCurrentRow(len(steps) - 1)

    def _remove(self) -> None:
        steps, row = self._steps(), self.steps.currentRow()
        if self._field is not None and 0 <= row < len(steps):
            del steps[row]
            self.transforms_changed.emit(self._field.path, tuple(steps))

    def _move(self, by: int) -> None:
        steps, row = self._steps(), self.steps.currentRow()
        if self._field is None or not 0 <= row < len(steps) or not 0 <= row + by < len(steps):
            return
        steps[row], steps[row + by] = steps[row + by], steps[row]
        self.transforms_changed.emit(self._field.path, tuple(steps))
        self.steps.setCurrentRow(row + by)

    def _show_params(self, row: int) -> None:
        while self.params.rowCount():
            self.params.removeRow(0)
        self._param_edits = []
        steps = self._steps()
        if not 0 <= row < len(steps):
            return
        for key, text in steps[row].params:
            edit = describe(QLineEdit(text), f"{steps[row].label}: {key}",
                            f"The step's {key.replace('_', ' ')}; press Enter to use it", tooltip=True)
            edit.editingFinished.connect(self._apply_params)
            self.params.addRow(key.replace("_", " ").capitalize(), edit)
            self._param_edits.append((key, edit))

    def _apply_params(self) -> None:
        steps, row = self._steps(), self.steps.currentRow()
        if self._field is None or not 0 <= row < len(steps):
            return
        params = tuple((key, edit.text()) for key, edit in self._param_edits)
        if params != steps[row].params:
            steps[row] = replace(steps[row], params=params)
            self.transforms_changed.emit(self._field.path, tuple(steps))


def _money(amount: Decimal | None, currency: str) -> str:
    return f"{quantize(amount, currency)} {currency}" if amount is not None else ""


def invoice_html(order: PreviewOrderView) -> str:
    """One sample order's invoice as the draft would write it (palette colours only: no colour is named)."""
    rows = [f"<h3>Order #{order.order_id} → {word(order.outcome)}</h3>",
            f"<p>Order total {escape(_money(order.order_total, order.currency))}, status {escape(order.status)}</p>"]
    if order.reason:
        rows.append(f"<p><b>Skipped:</b> {escape(order.reason)}</p>")
    fields = [("Invoice number", order.invoice_number or ""), ("PO number", order.po_number or ""),
              ("Client", order.client), ("Client email", order.client_email or "")]
    rows.append("<table cellspacing='0' cellpadding='2'>" + "".join(
        f"<tr><td><b>{escape(name)}</b></td><td>{escape(value)}</td></tr>" for name, value in fields) + "</table>")
    if order.lines:
        rows.append("<table cellspacing='0' cellpadding='3' width='100%'><tr><th align='left'>Line</th>"
                    "<th align='right'>Qty</th><th align='right'>Unit</th><th align='right'>Amount</th></tr>")
        for line in order.lines:
            description = f"<br/><small>{escape(line.description)}</small>" if line.description else ""
            rows.append(f"<tr><td>{escape(line.name)}{description}</td><td align='right'>{line.quantity}</td>"
                        f"<td align='right'>{quantize(line.unit_cost, order.currency)}</td><td align='right'>"
                        f"{escape(_money(line.amount, order.currency))}</td></tr>")
        rows.append("</table>")
    if order.total is not None:
        rows.append(f"<p align='right'>Tax {escape(_money(order.tax, order.currency))}<br/>"
                    f"<b>Total {escape(_money(order.total, order.currency))}</b></p>")
    if order.notes:
        rows.append(f"<p><b>Notes</b><br/>{escape(order.notes).replace(chr(10), '<br/>')}</p>")
    for error in order.errors:
        rows.append(f"<p>⚠ <b>{escape(error.field)}</b>: {escape(error.message)}</p>")
    return "".join(rows)


class PreviewPanel(QWidget):
    """The invoice the draft would make for a chosen sample order (the last few orders)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview: ProfilePreviewView | None = None
        self.orders = describe(QComboBox(), "Sample order", "The recent order whose invoice is previewed",
                               tooltip=True)
        self.state = QLabel("The preview appears after the profile is loaded.")
        self.state.setWordWrap(True)
        self.invoice = describe(QTextBrowser(), "Invoice preview", "The invoice the edited profile would "
                                "create for the chosen order; it follows each edit")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        top.addWidget(heading("Preview"))
        sample = QLabel("Sa&mple order")
        sample.setBuddy(self.orders)
        top.addWidget(sample)
        top.addWidget(self.orders, 1)
        layout.addLayout(top)
        layout.addWidget(self.state)
        layout.addWidget(self.invoice, 1)
        self.orders.currentIndexChanged.connect(self._show_order)

    def set_state(self, text: str) -> None:
        self.state.setText(text)

    def show_preview(self, preview: ProfilePreviewView) -> None:
        chosen = self.orders.currentData()
        self.preview = preview
        self.orders.blockSignals(True)
        self.orders.clear()
        for order in preview.orders:
            self.orders.addItem(f"#{order.order_id} {order.client} ({word(order.outcome)})", order.order_id)
        at = self.orders.findData(chosen)
        self.orders.setCurrentIndex(at if at >= 0 else 0)
        self.orders.blockSignals(False)
        invoices = sum(1 for o in preview.orders if o.outcome is PreviewOutcome.INVOICE)
        self.state.setText(f"{invoices} of the last {len(preview.orders)} orders would be invoiced.")
        self._show_order()

    def current_order(self) -> PreviewOrderView | None:
        if self.preview is None:
            return None
        chosen = self.orders.currentData()
        return next((o for o in self.preview.orders if o.order_id == chosen), None)

    def _show_order(self) -> None:
        order = self.current_order()
        self.invoice.setHtml(invoice_html(order) if order is not None else "<p>No recent orders to preview.</p>")
