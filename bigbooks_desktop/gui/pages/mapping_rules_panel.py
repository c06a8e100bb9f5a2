"""The mapping editor's rules tab: the rules in the order they run (on/off, name, condition, action, problem),
edited in place or in the form below, where a problem shows beside the condition as you type (the edit is
checked by the service after a short pause)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop.core.mapping_editor_views import EditorProfileView, RuleActionKind, RuleView
from bigbooks_desktop.gui.a11y import describe
from bigbooks_desktop.gui.models.mapping_rules import RuleColumn, RuleTableModel
from bigbooks_desktop.gui.pages.mapping_editor_panels import heading, issue_row

__all__ = ["CHECK_DELAY_MS", "RulesPanel"]

CHECK_DELAY_MS = 300          # the pause after typing before an edit is checked
_ACTIONS: dict[RuleActionKind, tuple[str, tuple[str, ...]]] = {
    RuleActionKind.SKIP: ("Skip the order", ("reason",)),
    RuleActionKind.INBOX: ("Send to the inbox", ("message",)),
    RuleActionKind.DRAFT: ("Create the invoice as a draft", ()),
    RuleActionKind.SET_FIELD: ("Set an invoice field", ("target", "value_expression")),
    RuleActionKind.SET_TERMS: ("Set payment terms", ("due_days", "terms_text")),
}
_PARAM_LABELS = {"reason": "Reason", "message": "Message", "target": "Field", "value_expression": "Value",
                 "due_days": "Due in (days)", "terms_text": "Terms text"}


class RulesPanel(QWidget):
    rule_changed = Signal(int, object)     # index, RuleView
    rule_added = Signal(object)            # RuleView
    rule_removed = Signal(int)
    rule_moved = Signal(int, int)          # index, new index

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RuleTableModel(self)
        self.table = describe(QTableView(), "Rules", "The rules, run top to bottom; edit a name or condition in "
                              "place, or below")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(RuleColumn.ON, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        for column, width in ((RuleColumn.NAME, 150), (RuleColumn.WHEN, 230), (RuleColumn.ACTION, 190)):
            self.table.setColumnWidth(column, width)
        self.add = describe(QPushButton("Add rule"), "Add rule", "Add a rule at the end", tooltip=True)
        self.remove = describe(QPushButton("Remove"), "Remove rule", "Remove the selected rule", tooltip=True)
        self.up = describe(QPushButton("Up"), "Move rule up", "Run the selected rule earlier", tooltip=True)
        self.down = describe(QPushButton("Down"), "Move rule down", "Run the selected rule later", tooltip=True)
        self.name = describe(QLineEdit(), "Rule name", "How the inbox and the orders list name this rule",
                             tooltip=True)
        self.when = describe(QLineEdit(), "Condition", "When the rule applies, e.g. order.total_inc_tax > 500 "
                             "and customer.is_guest", tooltip=True)
        self.when_issues = issue_row("Problems of the selected rule")
        self.action = describe(QComboBox(), "Action", "What the rule does when its condition is true",
                               tooltip=True)
        for kind, (text, _) in _ACTIONS.items():
            self.action.addItem(text, kind.value)
        self.params: dict[str, QLineEdit] = {}
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.addRow("Name", self.name)
        self.form.addRow("When", self.when)
        self.form.addRow("", self.when_issues)
        self.form.addRow("Then", self.action)
        self._timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._timer.timeout.connect(self._send_form)

        buttons = QHBoxLayout()
        for button in (self.add, self.remove, self.up, self.down):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(heading("Selected rule"))
        layout.addLayout(self.form)

        self.model.rule_edited.connect(self.rule_changed)
        self.add.clicked.connect(self._add)
        self.remove.clicked.connect(self._remove)
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_form())
        self.name.textEdited.connect(lambda _: self._timer.start())
        self.when.textEdited.connect(lambda _: self._timer.start())
        self.action.activated.connect(lambda _: self._kind_changed())
        self._show_form()

    def row(self) -> int:
        return self.table.currentIndex().row() if self.table.currentIndex().isValid() else -1

    def select(self, row: int) -> None:
        self.table.selectionModel().setCurrentIndex(
            self.model.index(row, RuleColumn.NAME),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self._show_form()

    def show_draft(self, draft: EditorProfileView) -> None:
        row = self.row()
        self.model.set_draft(draft)
        if row >= 0 and self.model.rule(row) is not None and self.row() < 0:
            self.select(row)
        self._show_form()

    # -- the form ------------------------------------------------------------------------------------------

    def _set_params(self, kind: RuleActionKind, values: dict[str, str]) -> None:
        keys = _ACTIONS[kind][1]
        if tuple(self.params) != keys:
            while self.form.rowCount() > 4:
                self.form.removeRow(4)
            self.params = {}
            for key in keys:
                edit = describe(QLineEdit(), _PARAM_LABELS[key], f"The action's {_PARAM_LABELS[key].lower()}",
                                tooltip=True)
                edit.textEdited.connect(lambda _: self._timer.start())
                self.form.addRow(_PARAM_LABELS[key], edit)
                self.params[key] = edit
        for key, edit in self.params.items():
            if edit.text() != values.get(key, ""):
                edit.setText(values.get(key, ""))

    def _show_form(self) -> None:
        rule = self.model.rule(self.row())
        for widget in (self.name, self.when, self.action, self.remove, self.up, self.down):
            widget.setEnabled(rule is not None)
        if rule is None:
            self.when_issues.show_issues(())
            self._set_params(RuleActionKind.DRAFT, {})
            return
        for edit, text in ((self.name, rule.name), (self.when, rule.when)):
            if edit.text() != text:
                edit.setText(text)
        self.action.setCurrentIndex(max(0, self.action.findData(rule.action_kind.value)))
        self._set_params(rule.action_kind, dict(rule.action_params))
        self.when_issues.show_issues(self.model.issues(self.row()))

    def _kind(self) -> RuleActionKind | None:
        data = self.action.currentData()       # Qt keeps the enum's text, not the enum
        return RuleActionKind(data) if isinstance(data, str) else None

    def form_rule(self) -> RuleView | None:
        rule = self.model.rule(self.row())
        kind = self._kind()
        if rule is None or kind is None:
            return None
        params = tuple((key, edit.text()) for key, edit in self.params.items())
        return RuleView(name=self.name.text(), when=self.when.text(), action_kind=kind,
                        action_summary=rule.action_summary, enabled=rule.enabled, action_params=params,
                        raw_json=rule.raw_json)

    def _kind_changed(self) -> None:
        kind = self._kind()
        if kind is not None:
            self._set_params(kind, {k: e.text() for k, e in self.params.items()})
            self._send_form()

    def _send_form(self) -> None:
        self._timer.stop()
        rule = self.form_rule()
        if rule is not None and rule != self.model.rule(self.row()):
            self.rule_changed.emit(self.row(), rule)

    def _remove(self) -> None:
        if self.row() >= 0:
            self.rule_removed.emit(self.row())

    def _move(self, by: int) -> None:
        row = self.row()
        if row >= 0 and 0 <= row + by < self.model.rowCount():
            self.rule_moved.emit(row, row + by)

    def _add(self) -> None:
        number = self.model.rowCount() + 1
        self.rule_added.emit(RuleView(name=f"Rule {number}", when="order.total_inc_tax > 1000",
                                      action_kind=RuleActionKind.DRAFT, action_summary=""))
