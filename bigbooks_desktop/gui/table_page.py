"""A tab's table, or, when it has no rows, a sentence saying why (an empty grid tells a merchant nothing).

The window sets the sentence from what it knows: still loading, a sync under way that may add rows, nothing
connected yet, or truly nothing to show. So a tab never claims "nothing needs your attention" before it knows.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QStackedWidget, QTableView

from bigbooks_desktop.gui.models.sort_proxy import SortProxyModel

__all__ = ["RESIZE_PRECISION", "TablePage"]


RESIZE_PRECISION = 40   # rows a ResizeToContents column measures (Qt's default, 1000, stalls the window on a
                        # reload of hundreds of rows: every cell's text through the Python model)


class TablePage(QStackedWidget):
    def __init__(self, model: QAbstractItemModel, *, stretch_column: int, sort_column: int,
                 placeholder: str = "Loading...") -> None:
        super().__init__()
        self.model = model
        self.proxy = SortProxyModel(self)
        self.proxy.setSourceModel(model)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(sort_column, Qt.SortOrder.DescendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setResizeContentsPrecision(RESIZE_PRECISION)
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
        self.placeholder = QLabel(placeholder)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.placeholder.setMargin(24)
        font = self.placeholder.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.placeholder.setFont(font)
        self.addWidget(self.placeholder)
        self.addWidget(self.view)
        model.modelReset.connect(self._choose)
        self._choose()

    @property
    def showing_table(self) -> bool:
        return self.currentIndex() == 1

    def set_placeholder(self, text: str) -> None:
        self.placeholder.setText(text)

    def _choose(self) -> None:
        self.setCurrentIndex(1 if self.model.rowCount() else 0)
