"""The mapping editor's suggestions: likely order fields for the FreshBooks fields not mapped yet, with how sure
each is; accept the ones selected, or the best one for every field."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop.core.mapping_editor_views import SuggestionView
from bigbooks_desktop.gui.a11y import describe
from bigbooks_desktop.gui.models.table import Column, ViewTableModel

__all__ = ["SuggestionsDialog"]

_COLUMNS: tuple[Column[SuggestionView], ...] = (
    Column(header="FreshBooks field", value=lambda s: s.target_label, tooltip=lambda s: s.target),
    Column(header="Suggested source", value=lambda s: s.source.replace("\n", " ⏎ ")),
    Column(header="Confidence", value=lambda s: f"{s.confidence:.0%}", numeric=True),
    Column(header="Why", value=lambda s: "; ".join(s.reasons), tooltip=lambda s: "\n".join(s.reasons)),
)


class SuggestionsDialog(QDialog):
    accepted_suggestions = Signal(object)      # tuple[SuggestionView, ...]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Suggested mappings")
        self.resize(900, 480)
        self.model: ViewTableModel[SuggestionView] = ViewTableModel(_COLUMNS, self)
        self.table = describe(QTableView(), "Suggestions", "Likely sources for the fields not mapped yet, best "
                              "first for each field")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.state = QLabel("Looking at recent orders…")
        self.accept_selected = describe(QPushButton("Accept selected"), "Accept selected",
                                        "Map each selected suggestion", tooltip=True)
        self.accept_all = describe(QPushButton("Accept best for all"), "Accept best for all",
                                   "Map the best suggestion of every field", tooltip=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.accept_selected, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.accept_all, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.accept_selected.clicked.connect(self._accept_selected)
        self.accept_all.clicked.connect(self._accept_all)

    def show_suggestions(self, suggestions: Sequence[SuggestionView]) -> None:
        self.model.set_rows(suggestions)
        targets = {s.target for s in suggestions}
        self.state.setText(f"{len(suggestions)} suggestion(s) for {len(targets)} field(s) not mapped yet."
                           if suggestions else "Every field is mapped: nothing to suggest.")

    def _send(self, chosen: Sequence[SuggestionView]) -> None:
        best: dict[str, SuggestionView] = {}
        for suggestion in chosen:      # one per field: the first chosen (the list is best first per field)
            best.setdefault(suggestion.target, suggestion)
        if best:
            self.accepted_suggestions.emit(tuple(best.values()))
            self.accept()

    def _accept_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        self._send([self.model.row(r) for r in rows])

    def _accept_all(self) -> None:
        self._send([self.model.row(r) for r in range(self.model.rowCount())])
