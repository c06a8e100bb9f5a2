"""What a sync run did, in one sentence a merchant can read: shared by the window's status line
(gui.sync_text, from a run just finished), the dashboard (service.dashboard, from the stored history), the runs
screen and `bigbooks sync` (the catalog and customer counts, `records_phrase`)."""

from __future__ import annotations

from bigbooks_desktop.core.views import CountsView, RunStatus

__all__ = ["conflicts_count", "orders_phrase", "records_phrase", "run_sentence"]


def orders_phrase(count: int) -> str:
    """`1 order`, `3 orders`."""
    return f"{count} order{'' if count == 1 else 's'}"


def _n(count: int, what: str, plural: str | None = None) -> str:
    return f"{count} {what if count == 1 else plural or what + 's'}"


def _listed(parts: list[str]) -> str:
    return ", ".join(p for p in parts if p)


def conflicts_count(counts: CountsView) -> int:
    """Items and clients the run left in the inbox (changed on both sides, or a SKU two products share)."""
    return counts.extra.get("catalog_conflicts", 0) + counts.extra.get("customer_conflicts", 0)


def records_phrase(counts: CountsView) -> str:
    """What catalog and customer sync did in the run (sync.catalog_sync / sync.customer_sync counters), or ""
    when neither ran: `Catalog: 2 products read, 1 item created, 1 updated · Customers: 1 customer read,
    1 client updated` (read: the products and customers changed since the last sync; all on the first)."""
    extra = counts.extra
    parts = []
    if "catalog_products_read" in extra:
        read = extra["catalog_products_read"]
        did = [_n(extra.get("catalog_items_created", 0), "item") + " created"
               if extra.get("catalog_items_created") else "",
               f"{extra['catalog_items_updated']} updated" if extra.get("catalog_items_updated") else "",
               f"{extra['catalog_items_archived']} archived" if extra.get("catalog_items_archived") else "",
               _n(extra["catalog_conflicts"], "conflict") + " in the inbox" if extra.get("catalog_conflicts")
               else "",
               f"{extra['catalog_failed']} failed" if extra.get("catalog_failed") else ""]
        if did[1] and not did[0]:
            did[1] = _n(extra["catalog_items_updated"], "item") + " updated"
        head = _n(read, "product") + " read" if read else "nothing changed"
        parts.append("Catalog: " + _listed([head, *did]))
    elif extra.get("catalog_failed"):
        parts.append("Catalog: could not be read this run (see the activity log)")
    if "customers_read" in extra:
        read = extra["customers_read"]
        did = [_n(extra.get("clients_created_from_customers", 0), "client") + " created"
               if extra.get("clients_created_from_customers") else "",
               f"{extra['clients_updated_from_customers']} updated" if extra.get("clients_updated_from_customers")
               else "",
               _n(extra["customer_conflicts"], "conflict") + " in the inbox" if extra.get("customer_conflicts")
               else "",
               f"{extra['customers_deleted_flagged']} deleted in BigCommerce (clients kept, flagged)"
               if extra.get("customers_deleted_flagged") else "",
               f"{extra['customers_failed']} failed" if extra.get("customers_failed") else ""]
        if did[1] and not did[0]:
            did[1] = _n(extra["clients_updated_from_customers"], "client") + " updated"
        head = _n(read, "customer") + " read" if read else "nothing changed"
        parts.append("Customers: " + _listed([head, *did]))
    elif extra.get("customers_failed"):
        parts.append("Customers: could not be read this run (see the activity log)")
    return " · ".join(parts)


def _records_written(counts: CountsView) -> bool:
    extra = counts.extra
    return any(extra.get(k) for k in ("catalog_items_created", "catalog_items_updated", "catalog_items_archived",
                                      "clients_created_from_customers", "clients_updated_from_customers"))


def _left_behind(counts: CountsView) -> bool:
    """Whether the run left an order, item or client unwritten (failed, or waiting for a choice)."""
    extra = counts.extra
    return bool(counts.orders_failed or conflicts_count(counts) or extra.get("catalog_failed")
                or extra.get("customers_failed"))


def run_sentence(*, status: RunStatus, counts: CountsView, inbox_active: int = 0, problem: str | None = None,
                 note: str | None = None, inbox_records: int = 0) -> str:
    """`Last sync: 3 invoices created, ...`, the catalog and customer counts, then what waits in the inbox
    (`inbox_records` of `inbox_active` are items or clients, not orders, when the caller knows), the problem and
    the note."""
    if status is RunStatus.INTERRUPTED:
        text = (f"Last sync stopped before it finished: {counts.invoices_created} invoices created, "
                f"{counts.payments_created} payments and {counts.credits_created} credit notes recorded so far; "
                "the next sync picks up the rest.")
    elif status is RunStatus.RUNNING:
        text = "A sync is under way."
    elif not (counts.invoices_created or counts.invoices_updated or counts.payments_created
              or counts.credits_created) and status is RunStatus.FINISHED:
        # "already up to date" only when nothing waits: not after a run that left an order, item or client
        # behind (it tried and wrote nothing), nor beside a row an earlier run left in the inbox
        text = "Last sync: no invoice to write." if _records_written(counts) else \
            "Last sync: nothing was written." if _left_behind(counts) else \
            "Last sync: nothing new to write." if inbox_active else \
            "Last sync: nothing new to write; FreshBooks was already up to date."
    else:
        text = (f"Last sync: {counts.invoices_created} invoices created, {counts.invoices_updated} updated, "
                f"{counts.payments_created} payments and {counts.credits_created} credit notes recorded.")
    records = records_phrase(counts) if status is not RunStatus.RUNNING else ""
    if records:
        text += f" {records}."
    if inbox_active:
        orders = inbox_active - min(inbox_records, inbox_active)
        waiting = " and ".join(p for p in (orders_phrase(orders) if orders else "",
                                           _n(inbox_active - orders, "item or client", "items or clients")
                                           if inbox_active - orders else "") if p)
        text += f" {waiting} {'needs' if inbox_active == 1 else 'need'} attention in the error inbox."
    if problem and status is not RunStatus.INTERRUPTED:
        text += f" Problem: {problem}"
    if note:
        text += f" {note}"
    return text
