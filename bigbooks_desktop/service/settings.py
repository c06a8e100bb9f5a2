"""The user's preferences through the facade: read, validate, save and put into effect; the backfill start and
the dry-run preview of the first sync; where the data folder and the log file are. `BigBooksService` takes
these from the `Settings` mixin. Qt-free.

Saved preferences take effect at once in this service: the sync options (concurrency, retries), the mapping
profile's invoice mode, the log file's level; the sync coordinator reads the schedule and the backfill start
at each run. The file-store opt-in is changed only by `SignIn.use_file_store`, never by a save.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError as PydanticValidationError

from bigbooks_desktop.core import paths
from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.errors import ValidationError
from bigbooks_desktop.core.logfile import log_path
from bigbooks_desktop.core.preferences import (
    CONCURRENCY_RANGE,
    POLL_INTERVAL_RANGE,
    RETRIES_RANGE,
    Preferences,
    read_preferences,
    save_preferences,
)
from bigbooks_desktop.mapping.profile import MappingProfile
from bigbooks_desktop.service.mapping_profiles import active_stored_profile
from bigbooks_desktop.sync.engine import SyncOptions

if TYPE_CHECKING:
    from bigbooks_desktop.service.facade import ProgressListener

__all__ = ["Settings", "preferences_view"]

# What each preference is called on screen, for the messages of a value that is not accepted.
_LABELS = {
    "poll_interval_seconds": ("The auto-sync interval", " seconds"),
    "concurrency": ("Orders processed at once", ""),
    "max_automatic_retries": ("Automatic retries", ""),
}
_RANGES = {"poll_interval_seconds": POLL_INTERVAL_RANGE, "concurrency": CONCURRENCY_RANGE,
           "max_automatic_retries": RETRIES_RANGE}


def preferences_view(preferences: Preferences, problem: str | None = None) -> v.PreferencesView:
    return v.PreferencesView(
        poll_interval_seconds=preferences.poll_interval_seconds, background_polling=preferences.background_polling,
        close_to_tray=preferences.close_to_tray, backfill_start=preferences.backfill_start,
        concurrency=preferences.concurrency, max_automatic_retries=preferences.max_automatic_retries,
        invoice_mode=preferences.invoice_mode, plaintext_credentials_opt_in=preferences.plaintext_credentials_opt_in,
        log_level=preferences.log_level, problem=problem)


def _validated(view: v.PreferencesView, *, opt_in: bool) -> Preferences:
    """The preferences `view` asks for, checked; a ValidationError naming the field and the allowed values."""
    if view.backfill_start is not None and view.backfill_start > date.today():
        raise ValidationError(
            f"The backfill start {view.backfill_start.isoformat()} is in the future. Choose today or an earlier "
            "date, or sync orders from now on only.", field="backfill_start", title="Setting not saved")
    data = {f.name: getattr(view, f.name) for f in dataclasses.fields(view) if f.name != "problem"}
    data["plaintext_credentials_opt_in"] = opt_in
    try:
        return Preferences.model_validate(data)
    except PydanticValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else ""
        label, unit = _LABELS.get(name, (name.replace("_", " ").capitalize(), ""))
        low_high = _RANGES.get(name)
        message = (f"{label} must be from {low_high[0]} to {low_high[1]}{unit}." if low_high is not None
                   else f"{label}: {error['msg']}.")
        raise ValidationError(message, field=name, title="Setting not saved") from None


def _apply_log_level(preferences: Preferences) -> None:
    """The log file's level, now, when the log file is on (the app and the CLI turn it on at start-up;
    BIGBOOKS_LOG_LEVEL, when set, wins as it does there)."""
    logger = logging.getLogger("bigbooks_desktop")
    target = str(log_path())
    if not any(isinstance(h, logging.FileHandler) and h.baseFilename == target for h in logger.handlers):
        return
    chosen = os.environ.get("BIGBOOKS_LOG_LEVEL") or preferences.log_level.value
    level = logging.getLevelName(chosen.upper())
    logger.setLevel(level if isinstance(level, int) else logging.INFO)


class Settings:
    """Mixin of `BigBooksService`: preferences and what they drive. See the module docstring."""

    if TYPE_CHECKING:  # provided by BigBooksService
        _preferences: Preferences
        options: SyncOptions

        async def sync_once(self, *, since: date | datetime | None = None, dry_run: bool = False,
                            progress: ProgressListener | None = None, retries_only: bool = False,
                            mode: v.RunMode | None = None) -> v.SyncSummaryView:
            raise NotImplementedError

    # -- the mapping profile, with the invoice mode of the preferences -------------------------------------

    @property
    def profile(self) -> MappingProfile:
        """The mapping profile in use, with the invoice mode (draft or sent) the preferences choose: the active
        stored version (service.mapping_profiles; read at each use, so a version put in use by another process
        counts here too), the built-in default when none was stored, or the one set on this service."""
        return self._profile_in_use()[0]

    @profile.setter
    def profile(self, value: MappingProfile) -> None:
        """Use `value` in this service only (not stored, recorded on links as no version) until a stored
        version is put in use here."""
        self.__dict__["_base_profile"] = value

    def _profile_in_use(self) -> tuple[MappingProfile, int | None]:
        """The profile a sync uses now (as `profile`) and its stored version (None: the default or one set)."""
        base = self.__dict__.get("_base_profile")
        version: int | None = None
        if not isinstance(base, MappingProfile):
            base, version = active_stored_profile()
        mode = self._preferences.invoice_mode.value
        return (base if base.invoice_mode == mode else base.model_copy(update={"invoice_mode": mode})), version

    # -- preferences ---------------------------------------------------------------------------------------

    def preferences(self) -> v.PreferencesView:
        """The preferences as saved now (another process may have changed them: they take effect here too).
        `problem` says why the file was not used, when it was not."""
        loaded = read_preferences()
        self._use_preferences(loaded.preferences)
        return preferences_view(loaded.preferences, loaded.problem.message if loaded.problem else None)

    async def save_preferences(self, preferences: v.PreferencesView) -> v.PreferencesView:
        """Check and save; they take effect at once. ValidationError (with `field`) for a value not accepted."""
        opt_in = read_preferences().preferences.plaintext_credentials_opt_in
        checked = _validated(preferences, opt_in=opt_in)
        await asyncio.to_thread(save_preferences, checked)
        self._use_preferences(checked)
        return preferences_view(checked)

    async def set_backfill_start(self, start: date | None) -> v.PreferencesView:
        """Where the first sync starts reading orders (None: orders from now on only)."""
        current = self.preferences()
        return await self.save_preferences(dataclasses.replace(current, backfill_start=start, problem=None))

    def _use_preferences(self, preferences: Preferences) -> None:
        self._preferences = preferences
        self.options = dataclasses.replace(
            self.options, concurrency=preferences.concurrency,
            retry_policy=dataclasses.replace(self.options.retry_policy,
                                             max_retries=preferences.max_automatic_retries))
        _apply_log_level(preferences)

    # -- the first sync ------------------------------------------------------------------------------------

    async def preview_first_sync(self, since: date, *,
                                 progress: Callable[[v.SyncProgressView], None] | None = None) -> v.SyncSummaryView:
        """What the first sync from `since` would create, without writing anything to FreshBooks (the engine's
        dry run): `planned_totals` has the counts and the amounts per currency, `planned` each order,
        `skipped` the orders it would leave alone and why."""
        if since > date.today():
            raise ValidationError(f"{since.isoformat()} is in the future; choose today or an earlier date.",
                                  field="backfill_start", title="Date in the future")
        return await self.sync_once(since=since, dry_run=True, progress=progress)

    # -- where things are ----------------------------------------------------------------------------------

    def data_folder(self) -> Path:
        """The profile's data folder: database, preferences, connections, logs."""
        return paths.data_dir()

    def log_file(self) -> Path:
        """The current log file (rotated copies beside it)."""
        return log_path()
