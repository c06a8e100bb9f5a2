"""What the window and the tray say about the sync: sentences from a `SyncStatusView`, and the notices worth
interrupting the merchant for (new orders that failed, a sign-in to renew, a sync that could not finish).

No widgets here: the window, the tray and the tests read the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bigbooks_desktop.core.run_words import conflicts_count, orders_phrase, run_sentence
from bigbooks_desktop.core.views import RunStatus, SyncProgressView, SyncStage, SyncSummaryView
from bigbooks_desktop.gui.formatting import label
from bigbooks_desktop.service.coordination import SyncState, SyncStatusView

__all__ = ["Notice", "NoticeKind", "describe_status", "describe_summary", "duration", "last_sync_line",
           "next_sync_line", "notices_between", "progress_text", "short_time", "status_line"]


def short_time(value: datetime, now: datetime | None = None) -> str:
    """`17:35 CET` today, `Mon 17:35 CET` within a week, else the date: local time with the zone named."""
    local = value.astimezone()
    zone = local.tzname() or local.strftime("%z")
    today = (now or datetime.now().astimezone()).astimezone().date()
    days = abs((local.date() - today).days)
    when = f"{local:%H:%M}" if days == 0 else f"{local:%a %H:%M}" if days < 7 else f"{local:%Y-%m-%d %H:%M}"
    return f"{when} {zone}"


def duration(seconds: float) -> str:
    """`45 s`, `5 min`, `1 h 30 min`."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes = round(whole / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def _orders(count: int) -> str:
    return orders_phrase(count)


def describe_summary(summary: SyncSummaryView) -> str:
    """One sentence a merchant can read: what the last run did and what waits for them (core.run_words)."""
    if summary.status is RunStatus.INTERRUPTED and summary.run_id is None and summary.problem:
        return summary.problem                 # cancelled before it began (waiting for another process)
    return run_sentence(status=summary.status, counts=summary.counts, inbox_active=summary.inbox_active,
                        problem=summary.problem, note=summary.note, inbox_records=summary.inbox_records)


def describe_status(status: SyncStatusView) -> str:
    """The window's sentence about the last run: what it did, or why it could not run (a run that raised leaves
    the summary of the run before it, which must not pass for the latest)."""
    summary = status.last_summary
    raised = bool(status.last_error) and (summary is None or summary.status is not RunStatus.FAILED)
    if raised:
        when = f" at {short_time(status.last_finished_at)}" if status.last_finished_at is not None else ""
        return f"The last sync could not run{when}: {status.last_error}"
    if status.state is SyncState.WAITING:
        return "This sync starts as soon as the other one finishes; the window follows that one meanwhile."
    if summary is not None:
        return describe_summary(summary)
    if status.busy:
        return "The first sync since BigBooks started is under way."
    return "No sync has run yet since BigBooks started."


def progress_text(progress: SyncProgressView | None) -> str:
    """The progress bar's words: `40 of 120 orders · Synced`, `Listing...`, the wait's reason."""
    if progress is None:
        return "Starting..."
    what = label(progress.result) if progress.result is not None else label(progress.stage)
    if progress.stage is SyncStage.WAITING:
        return (progress.message[:1].upper() + progress.message[1:]) if progress.message else "Waiting..."
    if progress.stage is SyncStage.CATALOG:
        return "Catalog: bringing FreshBooks items in step with the products..."
    if progress.stage is SyncStage.CUSTOMERS:
        return "Customers: bringing FreshBooks clients in step with the accounts..."
    if progress.total:
        return f"{progress.done} of {progress.total} orders · {what}"
    return f"{what}..." if not progress.message else f"{what}: {progress.message}"


def last_sync_line(status: SyncStatusView, now: datetime | None = None) -> str:
    """`Last sync: 17:30 CET, 3 invoices created` (or that none ran since the app started)."""
    if status.last_finished_at is None:
        return "Last sync: none since BigBooks started"
    when = short_time(status.last_finished_at, now)
    summary = status.last_summary
    if status.sign_in_needed:
        return f"Last sync: {when}, stopped: sign-in needed"
    if summary is None:
        return f"Last sync: {when}, could not run"
    if summary.status is RunStatus.FAILED:
        return f"Last sync: {when}, could not finish"
    if summary.status is RunStatus.INTERRUPTED:
        return f"Last sync: {when}, stopped"
    extra = summary.counts.extra
    items = sum(extra.get(k, 0) for k in ("catalog_items_created", "catalog_items_updated", "catalog_items_archived"))
    clients = extra.get("clients_created_from_customers", 0) + extra.get("clients_updated_from_customers", 0)
    kept = "".join(f", {n} {what}{'' if n == 1 else 's'} brought in step" for n, what in ((items, "item"),
                                                                                         (clients, "client")) if n)
    return f"Last sync: {when}, {summary.counts.invoices_created} invoices created{kept}"


def next_sync_line(status: SyncStatusView, now: datetime | None = None) -> str:
    """`Next sync: 17:35 CET` with auto-sync on; why there is none otherwise."""
    if status.auto_sync_seconds is None:
        return "Auto-sync is off"
    if status.state is SyncState.PAUSED:
        return "Auto-sync paused until you sign in again"
    if status.busy or status.next_run_at is None:
        return f"Auto-sync every {duration(status.auto_sync_seconds)}"
    when = short_time(status.next_run_at, now)
    if status.backoff_seconds is not None:
        return f"Next try: {when} (waiting {duration(status.backoff_seconds)} after failed syncs)"
    return f"Next sync: {when}"


def status_line(status: SyncStatusView, now: datetime | None = None) -> str:
    """The window's one line about the sync: what it is doing, else auto-sync and the next run."""
    if status.state is SyncState.WAITING:
        reason = status.reason or "waiting for another BigBooks process to finish syncing this profile"
        return reason[:1].upper() + reason[1:] + "."
    if status.state is SyncState.SYNCING:
        return "Syncing now" + (f" · auto-sync every {duration(status.auto_sync_seconds)}"
                                if status.auto_sync_seconds is not None else "")
    if status.state is SyncState.PAUSED:
        return f"Sync paused: {status.reason}" if status.reason else "Sync paused: sign in again to go on."
    if status.auto_sync_seconds is None:
        return "Auto-sync is off: press Sync now, or turn auto-sync on in Settings."
    return f"Auto-sync every {duration(status.auto_sync_seconds)} · {next_sync_line(status, now)}"


class NoticeKind(StrEnum):
    FAILURES = "failures"       # orders that failed (or items and clients left for a choice): see the inbox
    SIGN_IN = "sign-in"         # a sign-in must be renewed before syncing goes on
    PROBLEM = "problem"         # the run could not finish (network, a service down): it is retried


@dataclass(frozen=True, slots=True)
class Notice:
    kind: NoticeKind
    title: str
    message: str


def notices_between(before: SyncStatusView, after: SyncStatusView) -> list[Notice]:
    """What changed between two statuses that the merchant should hear about (once, when it happens)."""
    notices: list[Notice] = []
    if after.sign_in_needed and not before.sign_in_needed:
        problem = after.reason or (after.last_summary.problem if after.last_summary is not None else "") or ""
        notices.append(Notice(NoticeKind.SIGN_IN, "Sign-in needed",
                              problem or "A sign-in has expired. Sign in again to go on syncing."))
    if after.runs <= before.runs:
        return notices
    summary = after.last_summary
    if summary is not None and summary is not (before.last_summary) and summary.failed:
        count = len(summary.failed)
        notices.append(Notice(NoticeKind.FAILURES, f"{_orders(count)} {'needs' if count == 1 else 'need'} attention",
                              "The last sync could not write them. The error inbox says why and what to do."))
    conflicts = conflicts_count(summary.counts) if summary is not None and summary is not before.last_summary \
        else 0
    if conflicts:
        notices.append(Notice(NoticeKind.FAILURES, f"{conflicts} FreshBooks item{'s' if conflicts != 1 else ''} or "
                              f"client{'s' if conflicts != 1 else ''} need{'s' if conflicts == 1 else ''} a choice",
                              "Changed in both BigCommerce and FreshBooks since the last sync (or a SKU two "
                              "products share). The error inbox shows both values: choose which to keep."))
    if not after.sign_in_needed and after.last_error and after.last_error != before.last_error:
        notices.append(Notice(NoticeKind.PROBLEM, "Sync could not finish", after.last_error))
    return notices
