"""The mapping editor's suggestions: likely order fields for the FreshBooks fields not mapped yet, with how sure
each is; accept the ones selected, or the best one for every field.

Each field's suggestions come best first, ranked 1, 2, 3 (the first row of a field is in bold: the one "Accept
best for all" takes). The table's "Why" is one line; the selected suggestion's reasons are listed in full
below the table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
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

from bigbooks_desktop.core.mapping_editor_views import SourceKind, SuggestionView
from bigbooks_desktop.gui.a11y import describe
from bigbooks_desktop.gui.models.table import Column, Index, ViewTableModel

__all__ = ["SuggestionRow", "SuggestionsDialog"]


@dataclass(frozen=True)
class SuggestionRow:
    """A suggestion and its rank among its field's suggestions (1 is the best)."""

    suggestion: SuggestionView
    rank: int


def _source(s: SuggestionView) -> str:
    if s.kind is SourceKind.TEMPLATE:
        return "Template: " + s.source.replace("\n", " ⏎ ")
    return s.source


_COLUMNS: tuple[Column[SuggestionRow], ...] = (
    Column(header="FreshBooks field", value=lambda r: r.suggestion.target_label,
           tooltip=lambda r: r.suggestion.target),
    Column(header="Rank", value=lambda r: r.rank, numeric=True,
           tooltip=lambda r: "The best suggestion for this field" if r.rank == 1 else f"Choice {r.rank}"),
    Column(header="Suggested source", value=lambda r: _source(r.suggestion), tooltip=lambda r: r.suggestion.source),
    Column(header="Confidence", value=lambda r: round(r.suggestion.confidence * 100), numeric=True,
           text=lambda r: f"{r.suggestion.confidence:.0%}"),
    Column(header="Why", value=lambda r: "; ".join(r.suggestion.reasons),
           tooltip=lambda r: "\n".join(r.suggestion.reasons)),
)
_WHY = 4


class _Model(ViewTableModel[SuggestionRow]):
    """The rows, a field's best suggestion in bold (but its long "Why")."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.FontRole and index.isValid() and index.column() != _WHY \
                and self.row(index.row()).rank == 1:
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)


class SuggestionsDialog(QDialog):
    accepted_suggestions = Signal(object)      # tuple[SuggestionView, ...]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Suggested mappings")
        self.resize(1040, 560)
        self.model = _Model(_COLUMNS, self)
        self.table = describe(QTableView(), "Suggestions", "Likely sources for the fields not mapped yet, best "
                              "first for each field")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(_WHY, QHeaderView.ResizeMode.Stretch)
        self.state = QLabel("Looking at recent orders…")
        self.state.setWordWrap(True)
        self.why = describe(QLabel(), "Why this suggestion", "What went into the selected suggestion's confidence")
        self.why.setWordWrap(True)
        self.why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.why.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.why.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.accept_selected = describe(QPushButton("Accept selected"), "Accept selected",
                                        "Map each selected suggestion (one per field)", tooltip=True)
        self.accept_all = describe(QPushButton("Accept best for all"), "Accept best for all",
                                   "Map the best suggestion (rank 1) of every field", tooltip=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.accept_selected, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.accept_all, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.why)
        layout.addWidget(buttons)
        self.accept_selected.clicked.connect(self._accept_selected)
        self.accept_all.clicked.connect(self._accept_all)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self._selection_changed()
        self.accept_all.setEnabled(False)

    def show_suggestions(self, suggestions: Sequence[SuggestionView]) -> None:
        ranks: dict[str, int] = {}
        rows = []
        for suggestion in suggestions:          # the service gives each field's best first
            ranks[suggestion.target] = ranks.get(suggestion.target, 0) + 1
            rows.append(SuggestionRow(suggestion, ranks[suggestion.target]))
        self.model.set_rows(rows)
        self.state.setText(
            f"{len(suggestions)} suggestion(s) for {len(ranks)} field(s) not mapped yet, best first for each "
            "field. Select rows and press Accept selected, or Accept best for all to map each field's rank 1."
            if suggestions else "Every field is mapped: nothing to suggest.")
        self.accept_all.setEnabled(bool(rows))
        self._selection_changed()

    def _selected(self) -> list[SuggestionRow]:
        return [self.model.row(r) for r in sorted({i.row() for i in self.table.selectionModel().selectedRows()})]

    def _selection_changed(self) -> None:
        chosen = self._selected()
        self.accept_selected.setEnabled(bool(chosen))
        if len(chosen) == 1:
            s = chosen[0].suggestion
            self.why.setText(f"{s.target_label} from {_source(s)}, {s.confidence:.0%}:\n"
                             + "\n".join(f"• {reason}" for reason in s.reasons))
        else:
            self.why.setText(f"{len(chosen)} suggestions selected." if chosen
                             else "Select a suggestion to see what its confidence is made of.")

    def _send(self, chosen: Sequence[SuggestionView]) -> None:
        best: dict[str, SuggestionView] = {}
        for suggestion in chosen:      # one per field: the first chosen (the list is best first per field)
            best.setdefault(suggestion.target, suggestion)
        if best:
            self.accepted_suggestions.emit(tuple(best.values()))
            self.accept()

    def _accept_selected(self) -> None:
        self._send([r.suggestion for r in self._selected()])

    def _accept_all(self) -> None:
        self._send([self.model.row(r).suggestion for r in range(self.model.rowCount())])
