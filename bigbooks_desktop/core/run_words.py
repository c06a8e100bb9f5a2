"""What a sync run did, in one sentence a merchant can read: shared by the window's status line
(gui.sync_text, from a run just finished) and the dashboard (service.dashboard, from the stored history)."""

from __future__ import annotations

from bigbooks_desktop.core.views import CountsView, RunStatus

__all__ = ["orders_phrase", "run_sentence"]


def orders_phrase(count: int) -> str:
    """`1 order`, `3 orders`."""
    return f"{count} order{'' if count == 1 else 's'}"


def run_sentence(*, status: RunStatus, counts: CountsView, inbox_active: int = 0, problem: str | None = None,
                 note: str | None = None) -> str:
    """`Last sync: 3 invoices created, ...`, then what waits in the inbox, the problem and the note."""
    if status is RunStatus.INTERRUPTED:
        text = (f"Last sync stopped before it finished: {counts.invoices_created} invoices created, "
                f"{counts.payments_created} payments and {counts.credits_created} credit notes recorded so far; "
                "the next sync picks up the rest.")
    elif status is RunStatus.RUNNING:
        text = "A sync is under way."
    elif not (counts.invoices_created or counts.invoices_updated or counts.payments_created
              or counts.credits_created) and status is RunStatus.FINISHED:
        text = "Last sync: nothing new to write; FreshBooks was already up to date."
    else:
        text = (f"Last sync: {counts.invoices_created} invoices created, {counts.invoices_updated} updated, "
                f"{counts.payments_created} payments and {counts.credits_created} credit notes recorded.")
    if inbox_active:
        text += f" {orders_phrase(inbox_active)} {'needs' if inbox_active == 1 else 'need'} attention " \
                "in the error inbox."
    if problem and status is not RunStatus.INTERRUPTED:
        text += f" Problem: {problem}"
    if note:
        text += f" {note}"
    return text
