"""The diagnostics bundle a user attaches to a bug report: one zip with the log files, the sign-in status, the
preferences, the last runs and the inbox summary, every text scrubbed of secrets. `BigBooksService` takes
`export_diagnostics` from the `Diagnostics` mixin. Qt-free.

Never a token: the log file is redacted as it is written, and everything is redacted again on the way into the
zip, after the profile's live tokens and app secrets were read from the keychain and registered with
`core.redact`, so even a token that reached a file by some other path is blanked. Inbox rows go in without the
order snapshot they failed on (customer data is not needed to diagnose the app).
"""

from __future__ import annotations

import asyncio
import platform
import sys
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bigbooks_desktop import APP_NAME, __version__, accounts
from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.errors import ConfigurationError, KeychainUnavailableError
from bigbooks_desktop.core.logfile import log_path
from bigbooks_desktop.core.preferences import read_preferences
from bigbooks_desktop.core.redact import redact, register_secret
from bigbooks_desktop.core.view_json import Plain, dumps, to_plain
from bigbooks_desktop.service.settings import preferences_view

__all__ = ["Diagnostics"]

_SECRET_FIELDS = ("access_token", "refresh_token", "client_secret")


def _inbox_summary(rows: list[v.InboxView]) -> dict[str, Plain]:
    def tally(values: list[str]) -> Plain:
        return dict(sorted(Counter(values).items()))

    return {
        "active": len(rows),
        "by_status": tally([r.status.value for r in rows]),
        "by_stage": tally([r.stage.value for r in rows]),
        "by_kind": tally([r.kind.value for r in rows]),
        "rows": [to_plain({"id": r.id, "order_id": r.order_id, "stage": r.stage, "kind": r.kind, "title": r.title,
                           "message": r.message, "status": r.status, "attempts": r.attempts,
                           "next_retry_at": r.next_retry_at, "updated_at": r.updated_at}) for r in rows],
    }


def _write_zip(path: Path, members: dict[str, str], current_log: Path) -> tuple[tuple[str, ...], int]:
    """Write the bundle with the log file and its rotated copies (every text redacted); return its member names
    and its size."""
    logs = sorted(current_log.parent.glob(current_log.name + "*"))
    path.parent.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    partial = path.with_name(path.name + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, text in members.items():
            bundle.writestr(name, redact(text))
            names.append(name)
        for log in logs:
            try:
                text = log.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            name = f"logs/{log.name}"
            bundle.writestr(name, "\n".join(redact(line) for line in text.splitlines()) + "\n")
            names.append(name)
    partial.replace(path)
    return tuple(names), path.stat().st_size


class Diagnostics:
    """Mixin of `BigBooksService`: the diagnostics export. See the module docstring."""

    if TYPE_CHECKING:  # provided by BigBooksService
        _allow_file_store: bool

        async def status(self) -> v.ConnectionsView:
            raise NotImplementedError

        async def list_runs(self, *, limit: int = 50) -> list[v.RunView]:
            raise NotImplementedError

        async def list_inbox(self, *, include_history: bool = False, limit: int = 500) -> list[v.InboxView]:
            raise NotImplementedError

    async def _register_live_secrets(self) -> None:
        vault = accounts.make_vault(allow_file_store=self._allow_file_store)
        for service in accounts.SERVICES:
            try:
                entry = await vault.aget_json(service)
            except KeychainUnavailableError:
                continue
            for name in _SECRET_FIELDS:
                value = (entry or {}).get(name)
                if isinstance(value, str):
                    register_secret(value)

    async def export_diagnostics(self, path: Path, *, runs: int = 20) -> v.DiagnosticsView:
        """Write the diagnostics zip to `path` (replaced if it exists): logs/, status.json, preferences.json,
        runs.json (the last `runs` runs), inbox.json (the active inbox: counts and rows without order data) and
        about.json. ConfigurationError when the file cannot be written."""
        await self._register_live_secrets()
        loaded = read_preferences()
        about = {"app": APP_NAME, "version": __version__, "python": sys.version.split()[0],
                 "platform": platform.platform(), "exported_at": datetime.now(UTC)}
        members = {
            "about.json": dumps(about),
            "status.json": dumps(await self.status()),
            "preferences.json": dumps(preferences_view(loaded.preferences,
                                                       loaded.problem.message if loaded.problem else None)),
            "runs.json": dumps(await self.list_runs(limit=runs)),
            "inbox.json": dumps(_inbox_summary(await self.list_inbox())),
        }
        try:
            names, size = await asyncio.to_thread(_write_zip, path, members, log_path())
        except OSError as exc:
            raise ConfigurationError(
                f"The diagnostics could not be saved to {path} ({exc.strerror or exc}). Choose another folder.",
                title="Diagnostics not saved") from exc
        return v.DiagnosticsView(path=path, files=names, size=size)
