"""The mapping editor's Profile menu: what `bigbooks mapping new | import | export | history | activate | restore`
do from a terminal, done in the window. New from a template, Import from a file and Save as open a draft that is
not stored yet (the page says so; Save stores it); Export writes the draft as a profile file; Version history
lists the stored versions of the profile, and opens, puts in use or restores one.

The questions it asks (a file to open or save, a name) are attributes, so tests answer them for the user."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
)

from bigbooks_desktop.core.errors import BigBooksError, ValidationError
from bigbooks_desktop.core.profile_views import ProfileVersionView
from bigbooks_desktop.gui.a11y import describe
from bigbooks_desktop.gui.formatting import label, local_time
from bigbooks_desktop.gui.ops import run_op

if TYPE_CHECKING:
    from bigbooks_desktop.gui.pages.mapping_editor import MappingEditorPage

__all__ = ["HistoryDialog", "ProfileMenu"]

_FILTER = "Mapping profiles (*.json);;All files (*)"


class ProfileMenu(QObject):
    """The `button` (a drop-down) and what its entries do on `page`."""

    def __init__(self, page: MappingEditorPage) -> None:
        super().__init__(page)
        self.page = page
        self.ask_open_file: Callable[[], str | None] = self._ask_open_file
        self.ask_save_file: Callable[[str], str | None] = self._ask_save_file
        self.ask_name: Callable[[str, str], str | None] = self._ask_name
        self.history_dialog: HistoryDialog | None = None
        self.button = describe(QToolButton(), "Profile menu", "New from a template, import, export, save as, "
                               "and the version history", tooltip=True)
        self.button.setText("Profile ▾")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.button)
        templates = self.menu.addMenu("New from template")
        for template in page.service.profile_templates():
            action = templates.addAction(template.label)
            action.setToolTip(template.description)
            action.setData(template.key)
            action.triggered.connect(lambda _=False, key=template.key, label=template.label:
                                     self.new_from_template(key, label))
        templates.setToolTipsVisible(True)
        self.menu.addAction("Import from file…", self.import_file)
        self.menu.addAction("Export to file…", self.export_file)
        self.menu.addAction("Save as…", self.save_as)
        self.menu.addSeparator()
        self.menu.addAction("Version history…", self.show_history)
        self.button.setMenu(self.menu)

    # -- the questions -------------------------------------------------------------------------------------

    def _ask_open_file(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.page, "Import a mapping profile", "", _FILTER)
        return path or None

    def _ask_save_file(self, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.page, "Export the mapping profile", suggested, _FILTER)
        return path or None

    def _ask_name(self, title: str, default: str) -> str | None:
        name, ok = QInputDialog.getText(self.page, title, "Profile name:", text=default)
        return name if ok else None

    def _fail(self, error: BigBooksError) -> None:
        self.page.presenter.show(error)

    # -- entries -------------------------------------------------------------------------------------------

    def new_from_template(self, key: str, label: str) -> None:
        if not self.page.confirm_leave():
            return
        name = self.ask_name("New mapping profile", label)
        if name is None:
            return
        try:
            draft = self.page.service.editor_from_text(self.page.service.template_profile(key), name=name)
        except BigBooksError as error:
            self._fail(error)
            return
        self.page.open_unsaved(draft, f"New from the “{label}” template, not saved yet")

    def import_file(self) -> None:
        if not self.page.confirm_leave():
            return
        path = self.ask_open_file()
        if path is None:
            return
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self._fail(ValidationError(f"{path} could not be read ({exc}). Choose a profile file exported by "
                                       "BigBooks (Profile ▾ › Export to file, or `bigbooks mapping export`).",
                                       field="file", title="Profile not imported"))
            return
        try:
            draft = self.page.service.editor_from_text(text)
        except BigBooksError as error:
            self._fail(error)
            return
        self.page.open_unsaved(draft, f"Imported from {Path(path).name}, not saved yet")

    def export_file(self) -> None:
        draft = self.page.draft
        if draft is None:
            return
        path = self.ask_save_file(f"{draft.name}.json")
        if path is None:
            return
        text = self.page.service.editor_export(draft)
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            self._fail(ValidationError(f"{path} could not be written ({exc}). Choose another folder.",
                                       field="file", title="Profile not exported"))
            return
        unread = "" if draft.valid else " (the parts with problems were left out)"
        self.page.status.setText(f"Exported to {path}{unread}")

    def save_as(self) -> asyncio.Future[ProfileVersionView] | None:
        draft = self.page.draft
        if draft is None:
            return None
        name = self.ask_name("Save the mapping profile as", f"{draft.name} (copy)")
        if name is None:
            return None
        try:
            renamed = self.page.service.editor_rename(draft, name)
        except BigBooksError as error:
            self._fail(error)
            return None
        self.page.apply(renamed, f"Save as “{renamed.name}”")
        return self.page.save()

    def show_history(self) -> HistoryDialog | None:
        if self.page.draft is None:
            return None
        self.history_dialog = HistoryDialog(self.page)
        self.history_dialog.open()
        return self.history_dialog


class HistoryDialog(QDialog):
    """The stored versions of the page's profile, newest first: open one to edit, put one in use, or restore one
    as the newest version (in use)."""

    COLUMNS = ("Version", "Saved", "By", "Note", "In use")

    def __init__(self, page: MappingEditorPage) -> None:
        super().__init__(page)
        self.page = page
        self.name = page.draft.name if page.draft is not None else ""
        self.versions: tuple[ProfileVersionView, ...] = ()
        self.setWindowTitle(f"Versions of “{self.name}”")
        self.resize(720, 380)
        self.message = QLabel("Reading the versions…")
        self.message.setWordWrap(True)
        self.table = describe(QTableWidget(0, len(self.COLUMNS)), "Versions", "The stored versions, newest first")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.open_button = self._button("Open", "Edit this version (saving it makes a new version)", self.open_one)
        self.use_button = self._button("Put in use", "Make the sync use this version", self.use_one)
        self.restore_button = self._button("Restore", "Bring this version back as the newest one, in use",
                                           self.restore_one)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        for each in (self.open_button, self.use_button, self.restore_button):
            buttons.addButton(each, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.itemDoubleClicked.connect(lambda _item: self.open_one())
        self._selected()
        self.loading = self.reload()

    def _button(self, text: str, description: str, slot: Callable[[], object]) -> QPushButton:
        button = describe(QPushButton(text), text, description, tooltip=True)
        button.clicked.connect(slot)
        return button

    def reload(self) -> asyncio.Future[tuple[ProfileVersionView, ...]]:
        return run_op(self, self.page.service.profile_history(self.name), on_success=self._show,
                      presenter=self.page.presenter)

    def _show(self, versions: tuple[ProfileVersionView, ...]) -> None:
        self.versions = versions
        self.table.setRowCount(len(versions))
        for row, version in enumerate(versions):
            cells = (str(version.version), local_time(version.created_at), label(version.created_by),
                     version.note, "yes" if version.active else "")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.message.setText(f"{len(versions)} stored version(s). Open one to edit it, or restore it as the "
                             "newest version." if versions else
                             "Nothing stored yet: Save in the editor stores the first version.")
        if versions:
            self.table.selectRow(0)

    def selected(self) -> ProfileVersionView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.versions[rows[0].row()] if rows else None

    def _selected(self) -> None:
        chosen = self.selected()
        for button in (self.open_button, self.use_button, self.restore_button):
            button.setEnabled(chosen is not None)
        if chosen is not None:
            self.use_button.setEnabled(not chosen.active)

    def open_one(self) -> asyncio.Future[None] | None:
        chosen = self.selected()
        if chosen is None or not self.page.confirm_leave():
            return None
        self.accept()
        return self.page.open_version(chosen.name, chosen.version)

    def use_one(self) -> asyncio.Future[ProfileVersionView] | None:
        chosen = self.selected()
        if chosen is None:
            return None

        def done(version: ProfileVersionView) -> None:
            self.message.setText(f"Version {version.version} is now in use.")
            self.reload()

        return run_op(self, self.page.service.activate_profile(chosen.name, chosen.version), on_success=done,
                      presenter=self.page.presenter)

    def restore_one(self) -> asyncio.Future[ProfileVersionView] | None:
        chosen = self.selected()
        if chosen is None or not self.page.confirm_leave():
            return None

        def done(version: ProfileVersionView) -> None:
            self.message.setText(f"Version {chosen.version} restored as version {version.version}, now in use.")
            self.reload()
            self.page.open_version(version.name, version.version)

        return run_op(self, self.page.service.restore_profile(chosen.name, chosen.version), on_success=done,
                      presenter=self.page.presenter)
