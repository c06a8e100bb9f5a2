"""User preferences (a JSON file apart from sync state), declared once with defaults; atomic save.

Every preference is read by something: the sync coordinator (auto-sync, its interval), the tray (close to tray),
the first sync (backfill start), the service's sync options (concurrency, retries) and mapping profile (invoice
mode), the credential vault (the file-store opt-in) and the log file (its level). Which store and which FreshBooks
business are connected lives in connections.json (accounts), not here.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from bigbooks_desktop.core.errors import ConfigurationError
from bigbooks_desktop.core.paths import preferences_path

__all__ = [
    "CONCURRENCY_RANGE",
    "POLL_INTERVAL_RANGE",
    "RETRIES_RANGE",
    "InvoiceMode",
    "LoadedPreferences",
    "LogLevel",
    "Preferences",
    "load_preferences",
    "read_preferences",
    "save_preferences",
    "set_damaged_preferences_aside",
]

# Allowed ranges (inclusive), shared by the model below and the settings window's spin boxes.
POLL_INTERVAL_RANGE = (30, 86_400)     # seconds; 30 s is the floor the sync coordinator accepts
CONCURRENCY_RANGE = (1, 16)
RETRIES_RANGE = (0, 50)


class InvoiceMode(StrEnum):
    DRAFT = "draft"
    SENT = "sent"


class LogLevel(StrEnum):
    """Detail of the log file: "info" (what each run and order did, failures), "debug" (every API request too)."""

    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"



class Preferences(BaseModel):
    """Every user preference, with its default. Unknown keys in the file are ignored (and kept on disk)."""

    model_config = ConfigDict(extra="ignore", frozen=True, validate_default=True)

    # Seconds between automatic syncs while auto-sync is on (the window's sync coordinator).
    poll_interval_seconds: int = Field(default=300, ge=POLL_INTERVAL_RANGE[0], le=POLL_INTERVAL_RANGE[1])
    # Auto-sync: sync every poll_interval_seconds while the app runs.
    background_polling: bool = False
    # Closing the window keeps the app running in the system tray (auto-sync goes on); off: closing quits.
    close_to_tray: bool = False
    # Oldest order date the first sync reads (its backfill); None means orders from now on only.
    backfill_start: date | None = None
    # How many orders are processed at once (the service's SyncOptions.concurrency).
    concurrency: int = Field(default=4, ge=CONCURRENCY_RANGE[0], le=CONCURRENCY_RANGE[1])
    # Automatic retries of a transient failure before the order waits in the inbox for the user.
    max_automatic_retries: int = Field(default=5, ge=RETRIES_RANGE[0], le=RETRIES_RANGE[1])
    # Whether new invoices are left as drafts or marked sent (overrides the mapping profile's invoice_mode).
    invoice_mode: InvoiceMode = InvoiceMode.SENT
    # Opt-in: keep credentials in a 0600 file when no secure keychain exists (never silently).
    plaintext_credentials_opt_in: bool = False
    # Detail of the log file (<data folder>/logs/bigbooks.log): "info", or "debug" for every API request.
    log_level: LogLevel = LogLevel.INFO


@dataclass(frozen=True, slots=True)
class LoadedPreferences:
    """What `read_preferences` found: the preferences, and the problem with the file if it had one."""

    preferences: Preferences
    problem: ConfigurationError | None = None
    reason: str | None = None      # why the file was not used, in a few words (with `problem`)


def read_preferences(path: Path | None = None) -> LoadedPreferences:
    """Load preferences; a missing file gives defaults, a corrupt one gives defaults plus the problem."""
    target = path if path is not None else preferences_path()
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LoadedPreferences(Preferences())
    except OSError as exc:
        return _reset(target, f"it cannot be read ({exc.strerror})")
    except UnicodeDecodeError:
        return _reset(target, "it is not text (not UTF-8)")
    try:
        data = json.loads(text)
    except RecursionError:
        return _reset(target, "it is nested too deeply")
    except json.JSONDecodeError as exc:
        return _reset(target, f"it is not valid JSON (line {exc.lineno})")
    if not isinstance(data, dict):
        return _reset(target, "it does not hold a JSON object")
    try:
        return LoadedPreferences(Preferences.model_validate(data))
    except PydanticValidationError as exc:
        fields = ", ".join(sorted({str(err["loc"][0]) for err in exc.errors() if err["loc"]}))
        return _reset(target, f"these settings are invalid: {fields}")


def load_preferences(path: Path | None = None) -> Preferences:
    """The preferences, or the defaults when the file is missing or unusable (see `read_preferences`)."""
    return read_preferences(path).preferences


def _reset(path: Path, reason: str) -> LoadedPreferences:
    problem = ConfigurationError(
        f"The preferences file {path} was not used because {reason}. Default settings are in effect; "
        "saving preferences will replace the file.", title="Preferences reset to defaults")
    return LoadedPreferences(Preferences(), problem, reason)


def set_damaged_preferences_aside(path: Path | None = None, *, now: datetime | None = None
                                  ) -> ConfigurationError | None:
    """At start-up: a preferences file that cannot be used (not JSON, not an object, invalid settings) is
    renamed `<name>.damaged-<YYYYmmdd-HHMMSS>` beside it, so the app starts with the defaults and says so once
    (the next start finds no file, so no message). Returns that message (None when the file is fine or
    missing). A file that cannot even be read (permissions) is left where it is; the message says so."""
    target = path if path is not None else preferences_path()
    loaded = read_preferences(target)
    if loaded.problem is None:
        return None
    reason = loaded.reason or "it cannot be used"
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    aside = target.with_name(f"{target.name}.damaged-{stamp}")
    try:
        os.replace(target, aside)
    except OSError as exc:
        return ConfigurationError(
            f"The preferences file {target} cannot be used because {reason}, and it could not be set aside "
            f"({exc.strerror}). BigBooks runs with the default settings; check the file's permissions, or "
            "delete it, to keep your settings next time.", title="Preferences reset to defaults")
    return ConfigurationError(
        f"The preferences file {target} was damaged ({reason}), so BigBooks starts with the default settings. "
        f"The damaged file was kept as {aside}. Set your preferences again in Settings (or copy the values "
        "you need from that file).", title="Preferences reset to defaults")


def save_preferences(preferences: Preferences, path: Path | None = None) -> None:
    """Write atomically (temp file in the same folder, then os.replace). Keys this version does not know,
    already in the file, are kept so a newer app's settings survive."""
    target = path if path is not None else preferences_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, object] = {}
    try:
        existing = json.loads(target.read_text(encoding="utf-8"))
        if isinstance(existing, dict):
            data.update(existing)
    except (OSError, ValueError):
        pass  # missing or corrupt: nothing worth keeping
    data.update(preferences.model_dump(mode="json"))
    fd, temp_name = tempfile.mkstemp(prefix=".preferences-", suffix=".json", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
