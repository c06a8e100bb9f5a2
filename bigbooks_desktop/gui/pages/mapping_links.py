"""The lines between the mapping editor's two trees: one curve from each order field to each FreshBooks field it
fills (a template's placeholders each get their own), so what is mapped to what is seen at a glance.

`MappingLinks.links()` works out each line's ends from the two views (a row's centre, mapped into the strip)
and `paintEvent` draws them. A field scrolled out of sight (or inside a collapsed group) gets a short dashed stub
leaning towards it; the selected field's lines run on, dashed, to the top or bottom edge of the other tree. The
selected field's lines are drawn in the link colour and thicker, the others in a quiet mid tone. Colours come
from the palette (light and dark).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPoint, QPointF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QTreeView, QWidget

from bigbooks_desktop.core.mapping_editor_views import EditorProfileView, SourceKind
from bigbooks_desktop.gui.models.mapping_sources import SourceFieldModel
from bigbooks_desktop.gui.models.mapping_targets import TargetFieldModel

__all__ = ["Link", "MappingLinks", "link_pairs"]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.]*)\}")
STRIP_WIDTH = 40


def link_pairs(draft: EditorProfileView | None) -> list[tuple[str, str]]:
    """(source path, target) for every order field the draft reads: a path source, or each placeholder of a
    template (constants read nothing)."""
    if draft is None:
        return []
    pairs: list[tuple[str, str]] = []
    for mapping in draft.field_mappings:
        if mapping.source_kind is SourceKind.PATH:
            pairs.append((mapping.source_text, mapping.target))
        elif mapping.source_kind is SourceKind.TEMPLATE:
            pairs += [(path, mapping.target) for path in dict.fromkeys(_PLACEHOLDER.findall(mapping.source_text))]
    return pairs


@dataclass(frozen=True)
class Link:
    """One curve: its ends' heights in the strip, whether each end's row is in sight, and whether it belongs
    to the selected field."""

    source: str
    target: str
    source_y: float
    target_y: float
    source_shown: bool
    target_shown: bool
    selected: bool


class MappingLinks(QWidget):
    """The strip between `source_view` (left) and `target_view` (right); call `update()` when either scrolls,
    expands or changes (the page connects that), and `set_draft` when the draft changes."""

    def __init__(self, source_view: QTreeView, target_view: QTreeView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source_view, self.target_view = source_view, target_view
        self._draft: EditorProfileView | None = None
        self.setFixedWidth(STRIP_WIDTH)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Mapping lines")
        self.setAccessibleDescription("Lines from each order field to the FreshBooks fields it fills")
        for view in (source_view, target_view):
            view.verticalScrollBar().valueChanged.connect(self.update)
            view.expanded.connect(self.update)
            view.collapsed.connect(self.update)
            view.selectionModel().currentChanged.connect(self.update)
            view.model().modelReset.connect(self.update)
            view.model().dataChanged.connect(self.update)

    def set_draft(self, draft: EditorProfileView | None) -> None:
        self._draft = draft
        self.update()

    # -- geometry ----------------------------------------------------------------------------------------

    def _row_y(self, view: QTreeView, index: QModelIndex) -> tuple[float, bool]:
        """The height in this strip of `index`'s row in `view`, and whether the row is in sight; a row out of
        sight (scrolled away, or in a collapsed group) gives the nearer edge of the view's viewport."""
        viewport = view.viewport()
        top = self.mapFromGlobal(viewport.mapToGlobal(QPoint(0, 0))).y()
        bottom = top + viewport.height()
        rect = view.visualRect(index)
        hidden = not index.isValid() or not rect.isValid() or any(
            not view.isExpanded(parent) for parent in _ancestors(index))
        if hidden:
            return float(top if _above(view, index) else bottom), False
        y = top + rect.center().y()
        if y < top:
            return float(top), False
        if y > bottom:
            return float(bottom), False
        return float(y), True

    def links(self) -> list[Link]:
        """The curves to draw now."""
        sources = self.source_view.model()
        targets = self.target_view.model()
        assert isinstance(sources, SourceFieldModel) and isinstance(targets, TargetFieldModel)
        current_target = targets.field_at(self.target_view.currentIndex())
        current_source = sources.field_at(self.source_view.currentIndex())
        out: list[Link] = []
        for path, target in link_pairs(self._draft):
            source_index, target_index = sources.index_of(path), targets.index_of(target)
            if not source_index.isValid() or not target_index.isValid():
                continue            # a checkout field or a path the tree does not list: no row to join
            source_y, source_shown = self._row_y(self.source_view, source_index)
            target_y, target_shown = self._row_y(self.target_view, target_index)
            selected = (current_target is not None and current_target.path == target) or \
                (current_source is not None and current_source.path == path)
            out.append(Link(path, target, source_y, target_y, source_shown, target_shown, selected))
        return out

    # -- painting ----------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        del event
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        quiet = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Mid)
        strong = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Link)
        width = float(self.width())
        # the selected field's lines last, so they are drawn over the others
        for link in sorted(self.links(), key=lambda item: item.selected):
            if not (link.source_shown or link.target_shown):
                continue            # both ends out of sight: a line along an edge says nothing
            pen = QPen(strong if link.selected else quiet, 2.2 if link.selected else 1.2)
            both = link.source_shown and link.target_shown
            if not both:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            if both or link.selected:
                path = QPainterPath(QPointF(0, link.source_y))
                path.cubicTo(QPointF(width / 2, link.source_y), QPointF(width / 2, link.target_y),
                             QPointF(width, link.target_y))
            else:
                # one end out of sight: a short stub from the end in sight, leaning towards the other
                # (a full line for every such pair would fan out along the edge and hide the rest)
                x, y, other = (0.0, link.source_y, link.target_y) if link.source_shown else \
                    (width, link.target_y, link.source_y)
                lean = 7.0 if other > y else -7.0
                path = QPainterPath(QPointF(x, y))
                path.lineTo(QPointF(width * 0.4 if x == 0 else width * 0.6, y + lean))
            painter.drawPath(path)
            painter.setBrush(pen.color())
            for x, y, shown in ((1.5, link.source_y, link.source_shown), (width - 1.5, link.target_y,
                                                                           link.target_shown)):
                if shown:
                    painter.drawEllipse(QPointF(x, y), 2.5, 2.5)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.end()


def _ancestors(index: QModelIndex) -> Iterable[QModelIndex]:
    parent = index.parent()
    while parent.isValid():
        yield parent
        parent = parent.parent()


def _above(view: QTreeView, index: QModelIndex) -> bool:
    """Whether a row out of sight lies above the viewport (its group's header is above, or the row is)."""
    shown = index
    for parent in _ancestors(index):
        if not view.isExpanded(parent):
            shown = parent
    rect = view.visualRect(shown)
    return rect.isValid() and rect.center().y() < 0
