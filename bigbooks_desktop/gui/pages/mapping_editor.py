"""The mapping editor: BigCommerce's order fields on the left, FreshBooks' fields on the right; drag a field onto
another (or select both and press Map) to fill it, shape it with transforms, write rules, and watch a sample
order's invoice change as you edit. Every edit is a step on the undo stack; Save stores a new version of the
profile, Put in use makes the sync use it. Drafts are changed only through the service (`editor_*`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

import shiboken6
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QPalette, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop.core.mapping_editor_views import (
    EditorProfileView,
    RuleView,
    SourceKind,
    SuggestionView,
    TransformView,
)
from bigbooks_desktop.core.profile_views import ProfilePreviewView, ProfileVersionView
from bigbooks_desktop.gui.a11y import describe
from bigbooks_desktop.gui.models.mapping_sources import SourceFieldModel, path_of, source_groups
from bigbooks_desktop.gui.models.mapping_targets import TargetFieldModel, target_groups
from bigbooks_desktop.gui.ops import ErrorPresenter, run_op
from bigbooks_desktop.gui.pages.mapping_editor_panels import MappingDetailsPanel, PreviewPanel
from bigbooks_desktop.gui.pages.mapping_editor_parts import (
    DraftCommand,
    UnsavedGuard,
    button,
    editor_pictures,
    field_tree,
)
from bigbooks_desktop.gui.pages.mapping_links import MappingLinks, link_pairs
from bigbooks_desktop.gui.pages.mapping_profile_menu import ProfileMenu
from bigbooks_desktop.gui.pages.mapping_rules_panel import RulesPanel
from bigbooks_desktop.gui.pages.mapping_suggestions import SuggestionsDialog
from bigbooks_desktop.service import BigBooksService

__all__ = ["MappingEditorPage"]

PREVIEW_ORDERS = 5
_PREVIEW_DELAY_MS = 600


class MappingEditorPage(UnsavedGuard, QWidget):
    """See the module docstring. `confirm_leave()` asks about unsaved edits (the window calls it on close)."""

    def __init__(self, service: BigBooksService, presenter: ErrorPresenter | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.presenter = presenter or ErrorPresenter(self)
        self.draft: EditorProfileView | None = None
        self.undo_stack = QUndoStack(self)
        self.preview_future: asyncio.Future[ProfilePreviewView] | None = None
        self._loading: asyncio.Future[None] | None = None
        self._again = False
        self._preview_again = False
        # asked before unsaved edits are dropped: Save, Discard or Cancel (tests answer for the user)
        self.ask_unsaved: Callable[[], QMessageBox.StandardButton] = self._ask_unsaved

        self.sources = SourceFieldModel(self)
        self.targets = TargetFieldModel(self)
        self.source_view = field_tree(self.sources, "BigCommerce order fields", "The fields an order has; drag one "
                                      "onto a FreshBooks field, or select both and press Map")
        self.source_view.setDragEnabled(True)
        self.source_view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.source_view.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.target_view = field_tree(self.targets, "FreshBooks fields", "The invoice, line and client fields, what "
                                      "fills each and its problems; drop an order field on one to fill it")
        self.target_view.setAcceptDrops(True)
        self.target_view.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.target_view.setDragDropOverwriteMode(True)        # a drop lands on a field, never between two
        self.target_view.setDropIndicatorShown(True)
        self.target_view.setDefaultDropAction(Qt.DropAction.CopyAction)

        self.links = MappingLinks(self.source_view, self.target_view)
        self.profile_menu = ProfileMenu(self)
        self.details = MappingDetailsPanel(service.editor_new_transform)
        self.rules = RulesPanel()
        self.preview = PreviewPanel()
        self._build()
        self._connect()
        self._preview_timer = QTimer(self, singleShot=True, interval=_PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.update_preview)

    # -- layout ------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.profile_box = describe(QComboBox(), "Profile", "The mapping profile being edited; choosing another "
                                    "asks first about unsaved changes", tooltip=True)
        self.profile_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.profile_box.setMinimumContentsLength(16)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.note = describe(QLineEdit(), "Change note", "A few words saved with the new version", tooltip=True)
        self.note.setPlaceholderText("Change note")
        self.undo_button = button(self, "Undo", "Undo", "Undo the last edit", self.undo_stack.undo, "Ctrl+Z")
        self.redo_button = button(self, "Redo", "Redo", "Redo the edit undone", self.undo_stack.redo,
                                        "Ctrl+Shift+Z")
        self.suggest_button = button(self, "Suggest…", "Suggest", "Suggest sources for the fields not mapped yet",
                                           self.suggest)
        self.save_button = button(self, "Save", "Save", "Store the edits as a new version of the profile",
                                        lambda: self.save(), "Ctrl+S")
        self.activate_button = button(self, "Put in use", "Put in use", "Save and make the sync use this version",
                                            lambda: self.save(activate=True))
        self.map_button = button(self, "Map →", "Map", "Fill the selected FreshBooks field from the selected order "
                                       "field", self.map_selected, "Ctrl+M")
        self.unmap_button = button(self, "Unmap", "Unmap", "Stop filling the selected FreshBooks field",
                                         self.unmap_selected, "Ctrl+Shift+M")

        top = QHBoxLayout()
        profile = QLabel("Pro&file")
        profile.setBuddy(self.profile_box)
        top.addWidget(profile)
        top.addWidget(self.profile_box)
        top.addWidget(self.profile_menu.button)
        top.addWidget(self.status, 1)
        top.addWidget(self.note)
        for each in (self.undo_button, self.redo_button, self.suggest_button, self.save_button,
                     self.activate_button):
            top.addWidget(each)

        fields = QWidget()
        trees = QSplitter(Qt.Orientation.Horizontal)
        trees.addWidget(self.source_view)
        trees.addWidget(self.links)
        trees.addWidget(self.target_view)
        trees.setSizes([370, self.links.width(), 410])
        trees.setChildrenCollapsible(False)
        hint = QLabel("Drag an order field onto a FreshBooks field, or select both and press Map (Ctrl+M).")
        hint.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(hint, 1)
        actions.addWidget(self.map_button)
        actions.addWidget(self.unmap_button)
        column = QVBoxLayout(fields)
        column.setContentsMargins(0, 4, 0, 0)
        column.addWidget(trees, 1)
        column.addLayout(actions)

        self.tabs = describe(QTabWidget(), "Mapping editor", "Field mappings and rules")
        self.tabs.addTab(fields, "Fields")
        self.tabs.addTab(self.rules, "Rules")
        self.tabs.setTabToolTip(0, "Which order field fills each FreshBooks field, and its steps")
        self.tabs.setTabToolTip(1, "Rules run in order when an order is first invoiced: skip, inbox, draft, set")
        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(self.details)
        side.addWidget(self.preview)
        side.setSizes([320, 360])
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(self.tabs)
        main.addWidget(side)
        main.setSizes([880, 400])
        main.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(main, 1)

    def _connect(self) -> None:
        self.targets.map_requested.connect(self.map_field)
        self.target_view.selectionModel().currentChanged.connect(lambda *_: self._target_selected())
        self.source_view.selectionModel().currentChanged.connect(lambda *_: self._source_selected())
        self.details.source_changed.connect(self._set_source)
        self.details.transforms_changed.connect(self._set_transforms)
        self.rules.rule_changed.connect(self._set_rule)
        self.rules.rule_added.connect(self._add_rule)
        self.rules.rule_removed.connect(self._remove_rule)
        self.rules.rule_moved.connect(self._move_rule)
        self.profile_box.activated.connect(self._profile_chosen)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)

    # -- loading -----------------------------------------------------------------------------------------

    def refresh(self) -> asyncio.Future[None]:
        """Reload the fields, the profile list and (without unsaved edits) the profile; a reload asked for
        while one runs makes it run once more."""
        if self._loading is not None and not self._loading.done():
            self._again = True
            return self._loading
        self._loading = run_op(self, self._load(), presenter=self.presenter)
        return self._loading

    async def _load(self, name: str | None = None, *, force: bool = False) -> None:
        while True:
            self._again = False
            if not self.sources.rowCount():
                fields = self.service.mapping_fields()
                self.sources.set_groups(source_groups(fields))
                self.targets.set_groups(target_groups(fields))
                self.details.set_choices(self.service.editor_transforms())
                self.source_view.expandAll()
                self.target_view.expandAll()
                self.target_view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
                self.source_view.setColumnWidth(0, 180)
                self.source_view.setColumnWidth(1, 64)
                self.target_view.setColumnWidth(1, 190)
            if force or self.draft is None or self.undo_stack.isClean():
                wanted = name if name is not None else (self.draft.name if self.draft is not None and
                                                        self.draft.version is not None else None)
                self.open_draft(await self.service.editor_open(wanted))
            await self._fill_profiles()
            if not self._again:
                return

    async def _fill_profiles(self) -> None:
        names = [p.name for p in await self.service.profiles()]
        current = self.draft.name if self.draft is not None else ""
        if current and current not in names:
            names.insert(0, current)
        self.profile_box.blockSignals(True)
        self.profile_box.clear()
        self.profile_box.addItems(names)
        self.profile_box.setCurrentIndex(max(0, self.profile_box.findText(current)))
        self.profile_box.blockSignals(False)

    def open_draft(self, draft: EditorProfileView) -> None:
        """Start editing `draft`: the undo history is cleared and the draft counts as saved."""
        self.undo_stack.clear()
        self.show_draft(draft)
        self.undo_stack.setClean()

    def open_unsaved(self, draft: EditorProfileView, what: str) -> None:
        """Edit a draft not stored yet (a template, a file, a new name): it counts as unsaved until Save."""
        self.open_draft(draft)
        self.undo_stack.resetClean()
        run_op(self, self._fill_profiles(), presenter=self.presenter)
        self.status.setText(what)

    async def _open_version(self, name: str, version: int) -> None:
        self.open_draft(await self.service.editor_open(name, version))
        await self._fill_profiles()

    def open_version(self, name: str, version: int) -> asyncio.Future[None]:
        """Edit version `version` of the stored profile `name` (the caller has asked about unsaved edits)."""
        return run_op(self, self._open_version(name, version), presenter=self.presenter)

    def open_profile(self, name: str) -> asyncio.Future[None]:
        """Edit the stored profile `name` (after asking about unsaved edits)."""
        if not self.confirm_leave():
            return self._done()
        return run_op(self, self._load(name, force=True), presenter=self.presenter)

    @staticmethod
    def _done() -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_event_loop().create_future()
        future.set_result(None)
        return future

    def _profile_chosen(self, row: int) -> None:
        name = self.profile_box.itemText(row)
        if self.draft is not None and name != self.draft.name:
            self.open_profile(name)
            if self.draft is not None:
                self.profile_box.setCurrentIndex(max(0, self.profile_box.findText(self.draft.name)))

    # -- showing the draft -------------------------------------------------------------------------------

    def show_draft(self, draft: EditorProfileView) -> None:
        """Show `draft` everywhere (the undo commands call this) and schedule the preview."""
        self.draft = draft
        self.targets.set_draft(draft)
        self.links.set_draft(draft)
        self.rules.show_draft(draft)
        self._target_selected()
        self._show_status()
        self._preview_timer.start()

    def _clean_changed(self, clean: bool) -> None:
        if shiboken6.isValid(self.status):        # the stack says so once more while the page is deleted
            self._show_status(clean)

    def _show_status(self, clean: bool | None = None) -> None:
        draft = self.draft
        if draft is None:
            self.status.setText("")
            return
        version = f"version {draft.version}" if draft.version is not None else "built-in, not stored yet"
        errors = sum(1 for i in draft.issues if i.severity.value == "error")
        clean = self.undo_stack.isClean() if clean is None else clean
        parts = [version, "no unsaved changes" if clean else "unsaved changes"]
        if errors:
            parts.append(f"{errors} problem(s) to fix before saving")
        self.status.setText(", ".join(parts))
        self.status.setAccessibleName(f"Profile state: {', '.join(parts)}")

    def current_target(self) -> str | None:
        found = self.targets.field_at(self.target_view.currentIndex())
        return found.path if found is not None else None

    def current_source(self) -> str | None:
        return path_of(self.source_view.currentIndex(), self.sources)

    def _target_selected(self) -> None:
        found = self.targets.field_at(self.target_view.currentIndex())
        mapping = self.draft.mapping(found.path) if self.draft is not None and found is not None else None
        self.details.show_mapping(found, mapping, self.draft.mapping_issues(found.path)
                                  if self.draft is not None and found is not None else ())
        paths = [path for path, target in link_pairs(self.draft) if found is not None and target == found.path]
        self.sources.set_linked(paths, self.palette().brush(QPalette.ColorRole.Link))
        first = next((i for p in paths if (i := self.sources.index_of(p)).isValid()), QModelIndex())
        if first.isValid():
            self.source_view.scrollTo(first)

    def _source_selected(self) -> None:
        path = self.current_source()
        readers = [target for source, target in link_pairs(self.draft) if source == path]
        self.targets.set_linked(readers, self.palette().brush(QPalette.ColorRole.Link))

    def select_target(self, target: str) -> None:
        self.target_view.selectionModel().setCurrentIndex(
            self.targets.index_of(target), QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)

    def select_source(self, path: str) -> None:
        self.source_view.selectionModel().setCurrentIndex(
            self.sources.index_of(path), QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)

    # -- edits (each one a step on the undo stack) -------------------------------------------------------

    def apply(self, after: EditorProfileView, text: str, merge_key: str | None = None) -> None:
        if self.draft is not None and after != self.draft:
            self.undo_stack.push(DraftCommand(self, self.draft, after, text, merge_key))

    def map_field(self, target: str, path: str) -> None:
        if self.draft is not None:
            self.apply(self.service.editor_map(self.draft, target, path), f"Map {path} to {target}")
            self.select_target(target)

    def map_selected(self) -> None:
        target, path = self.current_target(), self.current_source()
        if target is not None and path is not None:
            self.map_field(target, path)

    def unmap_selected(self) -> None:
        target = self.current_target()
        if self.draft is not None and target is not None and self.draft.mapping(target) is not None:
            self.apply(self.service.editor_unmap(self.draft, target), f"Unmap {target}")

    def _set_source(self, target: str, kind: SourceKind, text: str) -> None:
        if self.draft is not None:
            self.apply(self.service.editor_set_source(self.draft, target, kind, text), f"Change {target}'s source")

    def _set_transforms(self, target: str, steps: tuple[TransformView, ...]) -> None:
        if self.draft is not None:
            self.apply(self.service.editor_set_transforms(self.draft, target, steps), f"Change {target}'s steps")

    def _set_rule(self, index: int, rule: RuleView) -> None:
        if self.draft is not None and 0 <= index < len(self.draft.rules):
            self.apply(self.service.editor_set_rule(self.draft, index, rule), f"Edit rule {index + 1}",
                       merge_key=f"rule {index}")

    def _add_rule(self, rule: RuleView) -> None:
        if self.draft is not None:
            self.apply(self.service.editor_set_rule(self.draft, None, rule), "Add a rule")
            self.rules.select(len(self.draft.rules) - 1)

    def _remove_rule(self, index: int) -> None:
        if self.draft is not None and 0 <= index < len(self.draft.rules):
            self.apply(self.service.editor_remove_rule(self.draft, index), f"Remove rule {index + 1}")

    def _move_rule(self, index: int, to: int) -> None:
        if self.draft is not None and 0 <= index < len(self.draft.rules) and 0 <= to < len(self.draft.rules):
            self.apply(self.service.editor_move_rule(self.draft, index, to), f"Move rule {index + 1}")
            self.rules.select(to)

    # -- suggestions, saving, preview --------------------------------------------------------------------

    def suggest(self) -> asyncio.Future[tuple[SuggestionView, ...]] | None:
        """Open the suggestions for the fields not mapped yet; accepting them is one step on the undo stack."""
        if self.draft is None:
            return None
        dialog = SuggestionsDialog(self)
        dialog.accepted_suggestions.connect(self._accept_suggestions)
        self.suggestions_dialog = dialog
        dialog.open()
        return run_op(self, self.service.editor_suggestions(self.draft), on_success=dialog.show_suggestions,
                      presenter=self.presenter, busy=[self.suggest_button])

    def _accept_suggestions(self, chosen: tuple[SuggestionView, ...]) -> None:
        if self.draft is not None:
            self.apply(self.service.editor_accept(self.draft, chosen), f"Accept {len(chosen)} suggestion(s)")

    def save(self, *, activate: bool = False) -> asyncio.Future[ProfileVersionView] | None:
        """Store the draft as a new version (and with `activate` put it in use)."""
        if self.draft is None:
            return None
        draft = self.draft

        def saved(version: ProfileVersionView) -> None:
            if self.draft is draft:
                self.draft = replace(draft, version=version.version)
            self.undo_stack.setClean()
            self._show_status()
            what = f"Saved as version {version.version}" if version.created else \
                f"Nothing new to save: version {version.version} is the same"
            self.status.setText(what + (", now in use" if version.active else ""))
            self.note.clear()
            run_op(self, self._fill_profiles(), presenter=self.presenter)

        return run_op(self, self.service.editor_save(draft, self.note.text(), activate=activate),
                      on_success=saved, presenter=self.presenter, busy=[self.save_button, self.activate_button])

    def update_preview(self) -> asyncio.Future[ProfilePreviewView] | None:
        """Preview the draft on the last few orders (again when an edit came while one was being made)."""
        if self.draft is None:
            return None
        if self.preview_future is not None and not self.preview_future.done():
            self._preview_again = True
            return self.preview_future

        def done(preview: ProfilePreviewView) -> None:
            self.preview.show_preview(preview)
            if self._preview_again:
                self._preview_again = False
                self.update_preview()

        self.preview.set_state("Updating the preview…")
        self.preview_future = run_op(self, self.service.editor_preview(self.draft, orders=PREVIEW_ORDERS),
                                     on_success=done, presenter=self.presenter)
        return self.preview_future

    # -- pictures ----------------------------------------------------------------------------------------

    async def pictures(self, shoot: Callable[[str], object]) -> None:
        await editor_pictures(self, shoot)
