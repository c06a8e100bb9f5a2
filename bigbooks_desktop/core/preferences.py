"""User preferences (a JSON file apart from sync state), declared once with defaults; atomic save."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from bigbooks_desktop.core.errors import ConfigurationError
from bigbooks_desktop.core.paths import preferences_path

__all__ = ["InvoiceMode", "LoadedPreferences", "Preferences", "load_preferences", "read_preferences",
           "save_preferences"]


class InvoiceMode(StrEnum):
    DRAFT = "draft"
    SENT = "sent"


class Preferences(BaseModel):
    """Every user preference, with its default. Unknown keys in the file are ignored (and kept on disk)."""

    model_config = ConfigDict(extra="ignore", frozen=True, validate_default=True)

    # Seconds between polls of BigCommerce while background sync is on.
    poll_interval_seconds: int = Field(default=300, ge=30, le=86_400)
    # Keep polling in the background (watch mode) while the app runs.
    background_polling: bool = False
    # Oldest order date to sync on the first run; None means orders from now on only.
    backfill_start: date | None = None
    # The FreshBooks account (business) invoices are written to; None until chosen.
    freshbooks_account_id: str | None = None
    # The BigCommerce store hash (from the API path stores/{hash}/v3/); None until connected.
    bigcommerce_store_hash: str | None = None
    # How many orders are processed at once.
    concurrency: int = Field(default=4, ge=1, le=16)
    # Automatic retries of a transient failure before it waits for the user.
    max_automatic_retries: int = Field(default=5, ge=0, le=50)
    # Whether new invoices are left as drafts or marked sent.
    invoice_mode: InvoiceMode = InvoiceMode.SENT
    # Opt-in: keep credentials in a 0600 file when no secure keychain exists (never silently).
    plaintext_credentials_opt_in: bool = False
    # Days of activity log kept.
    activity_retention_days: int = Field(default=90, ge=1, le=3650)
    # Detail of the log file (<data folder>/logs/bigbooks.log): "info", or "debug" for every API request.
    log_level: Literal["debug", "info", "warning"] = "info"


@dataclass(frozen=True, slots=True)
class LoadedPreferences:
    """What `read_preferences` found: the preferences, and the problem with the file if it had one."""

    preferences: Preferences
    problem: ConfigurationError | None = None


def read_preferences(path: Path | None = None) -> LoadedPreferences:
    """Load preferences; a missing file gives defaults, a corrupt one gives defaults plus the problem."""
    target = path if path is not None else preferences_path()
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LoadedPreferences(Preferences())
    except OSError as exc:
        return LoadedPreferences(Preferences(), _problem(target, f"it cannot be read ({exc.strerror})"))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return LoadedPreferences(Preferences(), _problem(target, f"it is not valid JSON (line {exc.lineno})"))
    if not isinstance(data, dict):
        return LoadedPreferences(Preferences(), _problem(target, "it does not hold a JSON object"))
    try:
        return LoadedPreferences(Preferences.model_validate(data))
    except PydanticValidationError as exc:
        fields = ", ".join(sorted({str(err["loc"][0]) for err in exc.errors() if err["loc"]}))
        return LoadedPreferences(Preferences(), _problem(target, f"these settings are invalid: {fields}"))


def load_preferences(path: Path | None = None) -> Preferences:
    """The preferences, or the defaults when the file is missing or unusable (see `read_preferences`)."""
    return read_preferences(path).preferences


def _problem(path: Path, reason: str) -> ConfigurationError:
    return ConfigurationError(
        f"The preferences file {path} was not used because {reason}. Default settings are in effect; "
        "saving preferences will replace the file.", title="Preferences reset to defaults")


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
