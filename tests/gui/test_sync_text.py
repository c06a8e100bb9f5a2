"""The words the window and the tray use about the sync, and which changes deserve a notification."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bigbooks_desktop.core import views as v
from bigbooks_desktop.gui.sync_text import (
    NoticeKind,
    describe_status,
    duration,
    last_sync_line,
    next_sync_line,
    notices_between,
    progress_text,
    status_line,
)
from bigbooks_desktop.service.coordination import SyncState, SyncStatusView

NOW = datetime(2026, 11, 29, 17, 30, tzinfo=UTC)


def _summary(*, failed: int = 0, status: v.RunStatus = v.RunStatus.FINISHED, paused: int = 0) -> v.SyncSummaryView:
    return v.SyncSummaryView(
        run_id=1, mode=v.RunMode.WATCH, status=status, dry_run=False, started_at=NOW, finished_at=NOW,
        counts=v.CountsView(invoices_created=3), results={v.OrderResult.PAUSED: paused} if paused else {},
        failed=tuple(v.FailedOrderView(order_id=100 + i, stage=v.InboxStage.CLIENT, message="no email",
                                       error_id=i) for i in range(failed)),
        inbox_active=failed, cursor=NOW)


IDLE = SyncStatusView(state=SyncState.IDLE)


def test_durations_read_as_people_say_them() -> None:
    assert [duration(s) for s in (30, 300, 3600, 5400)] == ["30 s", "5 min", "1 h", "1 h 30 min"]


def test_a_finished_run_with_failures_notifies_once_and_names_the_count() -> None:
    after = replace(IDLE, runs=1, last_summary=_summary(failed=2), last_finished_at=NOW)
    notices = notices_between(IDLE, after)
    assert [n.kind for n in notices] == [NoticeKind.FAILURES] and notices[0].title == "2 orders need attention"
    assert notices_between(after, replace(after, progress=None)) == []     # the same run again: nothing new
    assert notices_between(IDLE, replace(IDLE, runs=1, last_summary=_summary(), last_finished_at=NOW)) == []


def test_a_sign_in_problem_notifies_when_it_starts_not_on_every_event() -> None:
    paused = replace(IDLE, state=SyncState.PAUSED, reason="Sign-in expired: sign in to FreshBooks again.",
                     sign_in_needed=True, runs=1, last_error="Sign-in expired: ...")
    notices = notices_between(IDLE, paused)
    assert [n.kind for n in notices] == [NoticeKind.SIGN_IN] and "FreshBooks" in notices[0].message
    assert notices_between(paused, replace(paused, next_run_at=NOW)) == []
    midway = replace(IDLE, runs=1, last_summary=_summary(status=v.RunStatus.FAILED, paused=4), sign_in_needed=True)
    assert [n.kind for n in notices_between(IDLE, midway)] == [NoticeKind.SIGN_IN]


def test_a_run_that_could_not_finish_says_so_and_the_back_off_shows() -> None:
    failed = replace(IDLE, runs=3, last_error="BigCommerce is not answering (HTTP 503).", auto_sync_seconds=300.0,
                     backoff_seconds=1200.0, next_run_at=NOW + timedelta(minutes=20), last_finished_at=NOW)
    assert [n.kind for n in notices_between(replace(failed, runs=2, last_error=""), failed)] == [NoticeKind.PROBLEM]
    assert "waiting 20 min after failed syncs" in next_sync_line(failed, NOW)
    assert last_sync_line(failed, NOW).endswith("could not run")
    assert status_line(failed, NOW).startswith("Auto-sync every 5 min · Next try:")


def test_status_lines_never_leave_a_sync_running_that_is_not() -> None:
    waiting = replace(IDLE, state=SyncState.WAITING,
                      reason="waiting for bigbooks sync (process 42, syncing since 17:05:00 UTC) to finish syncing "
                             "this profile")
    assert status_line(waiting).startswith("Waiting for bigbooks sync (process 42")
    assert status_line(IDLE) == "Auto-sync is off: press Sync now, or turn auto-sync on in Settings."
    assert next_sync_line(IDLE) == "Auto-sync is off"
    assert progress_text(None) == "Starting..."
    progress = v.SyncProgressView(done=40, total=120, stage=v.SyncStage.SYNCING, result=v.OrderResult.SYNCED)
    assert progress_text(progress) == "40 of 120 orders · Synced"
    done = replace(IDLE, runs=1, last_summary=_summary(), last_finished_at=NOW)
    assert last_sync_line(done, NOW).endswith(", 3 invoices created")


def test_a_quiet_run_says_up_to_date_only_when_nothing_waits_in_the_inbox() -> None:
    quiet = replace(_summary(), counts=v.CountsView())
    done = replace(IDLE, runs=1, last_summary=quiet, last_finished_at=NOW)
    assert describe_status(done) == "Last sync: nothing new to write; FreshBooks was already up to date."
    waiting = replace(done, last_summary=replace(quiet, inbox_active=1))
    assert describe_status(waiting) == ("Last sync: nothing new to write. 1 order needs attention in the error "
                                        "inbox.")
    conflict = replace(done, last_summary=replace(quiet, counts=v.CountsView(
        extra={"catalog_products_read": 1, "catalog_conflicts": 1})))
    assert "up to date" not in describe_status(conflict)
    # the status bar's and tray's short line counts what was written; it never claims FreshBooks is up to date
    assert last_sync_line(waiting, NOW).endswith(", 0 invoices created")


def test_the_sync_panel_names_an_item_or_client_in_the_inbox_as_such() -> None:
    quiet = replace(_summary(), counts=v.CountsView(), inbox_active=2, inbox_records=1)
    done = replace(IDLE, runs=1, last_summary=quiet, last_finished_at=NOW)
    assert describe_status(done) == ("Last sync: nothing new to write. 1 order and 1 item or client need attention "
                                     "in the error inbox.")
