"""The mapping editor's rules, in the order they run: enabled, name, condition, action and the rule's problems
in place (an icon and the message). Name and condition are edited in place and the checkbox switches a rule
on or off; each edit asks the page (`rule_edited(index, rule)`), which puts it on the undo stack."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QStyle

from bigbooks_desktop.core.mapping_editor_views import EditorIssueView, EditorProfileView, RuleView
from bigbooks_desktop.core.profile_views import IssueSeverity
from bigbooks_desktop.gui.models.field_tree import Index

__all__ = ["RULE_ROLE", "RuleColumn", "RuleTableModel"]

RULE_ROLE = Qt.ItemDataRole.UserRole + 1


class RuleColumn:
    ON = 0
    NAME = 1
    WHEN = 2
    ACTION = 3
    PROBLEM = 4


_HEADERS = ("On", "Name", "When", "Then", "Problem")


class RuleTableModel(QAbstractTableModel):
    rule_edited = Signal(int, object)      # index, the changed RuleView

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._draft: EditorProfileView | None = None

    def set_draft(self, draft: EditorProfileView) -> None:
        before = len(self._draft.rules) if self._draft is not None else -1
        if before != len(draft.rules):
            self.beginResetModel()
            self._draft = draft
            self.endResetModel()
            return
        self._draft = draft
        if draft.rules:
            self.dataChanged.emit(self.index(0, 0), self.index(len(draft.rules) - 1, len(_HEADERS) - 1))

    def rule(self, row: int) -> RuleView | None:
        if self._draft is None or not 0 <= row < len(self._draft.rules):
            return None
        return self._draft.rules[row]

    def issues(self, row: int) -> tuple[EditorIssueView, ...]:
        return self._draft.rule_issues(row) if self._draft is not None else ()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self._draft is None else len(self._draft.rules)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation is Qt.Orientation.Horizontal:
            return _HEADERS[section] if 0 <= section < len(_HEADERS) else None
        return str(section + 1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        rule = self.rule(index.row()) if index.isValid() else None
        if rule is None:
            return None
        column = index.column()
        issues = self.issues(index.row())
        if role == RULE_ROLE:
            return rule
        if role == Qt.ItemDataRole.CheckStateRole and column == RuleColumn.ON:
            return Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == RuleColumn.NAME:
                return rule.name
            if column == RuleColumn.WHEN:
                return rule.when
            if column == RuleColumn.ACTION:
                return rule.action_summary
            if column == RuleColumn.PROBLEM and role == Qt.ItemDataRole.DisplayRole:
                return "; ".join(f"{i.part}: {i.message}" for i in issues)
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == RuleColumn.PROBLEM and issues:
            error = any(i.severity is IssueSeverity.ERROR for i in issues)
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical if error
                                                     else QStyle.StandardPixmap.SP_MessageBoxWarning)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"Rule {index.row() + 1}: when {rule.when}, {rule.action_summary}"]
            lines += [f"{i.part}: {i.message}" for i in issues]
            return "\n".join(lines)
        if role == Qt.ItemDataRole.AccessibleTextRole and column == RuleColumn.NAME:
            state = "on" if rule.enabled else "off"
            problems = f", {len(issues)} problem(s)" if issues else ""
            return f"Rule {index.row() + 1}, {rule.name}, {state}{problems}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == RuleColumn.ON:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        if index.column() in (RuleColumn.NAME, RuleColumn.WHEN):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        rule = self.rule(index.row()) if index.isValid() else None
        if rule is None:
            return False
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == RuleColumn.ON:
            checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
            changed = replace(rule, enabled=checked)
        elif role == Qt.ItemDataRole.EditRole and index.column() == RuleColumn.NAME:
            changed = replace(rule, name=str(value))
        elif role == Qt.ItemDataRole.EditRole and index.column() == RuleColumn.WHEN:
            changed = replace(rule, when=str(value))
        else:
            return False
        if changed != rule:
            self.rule_edited.emit(index.row(), changed)
        return True
