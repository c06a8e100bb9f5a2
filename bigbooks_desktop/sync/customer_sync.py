"""Customer sync: FreshBooks clients that follow their BigCommerce customer accounts.

With the profile's `customer_sync` "ordered", the clients of customers who have ordered (a client link from
order sync, key "customer:ID") follow their account; with "all", every customer gets a client (matched by
email when FreshBooks already has one, else created exactly once). Each run reads the customers modified since
its cursor (`GET /v3/customers?date_modified:min=...&include=addresses&sort=date_modified:asc`, 250 a call; a
quiet run is that one call). Names, company, email, phone and the billing address (the account's first
address) are merged field by field as for items (`sync.field_merge`): BigCommerce wins, fields the profile lets
FreshBooks keep are left alone, a field changed on both sides waits in the inbox with both values and a choice,
and every overwrite is in the activity log with the old and new values.

A customer deleted in BigCommerce (its id no longer listed: read once a day, 250 ids a call) is flagged in the
activity log and its client kept: FreshBooks' books must keep the client its invoices name. Guest orders keep
order sync's behaviour (a client per email, written when an order is).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime, timedelta

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import AuthError, BigBooksError, DataError, ErrorKind, PermissionDeniedError
from bigbooks_desktop.mapping.countries import COUNTRY_NAMES
from bigbooks_desktop.store.cursors import get_cursor, set_cursor
from bigbooks_desktop.store.entity_state import EntityKind, EntityState, EntityStatus, get_states, put_state
from bigbooks_desktop.store.error_queue import ErrorStage, record_error, resolve_subject
from bigbooks_desktop.store.intents import IntentKind
from bigbooks_desktop.store.links import find_client_link, link_client
from bigbooks_desktop.store.runs import ActivityLevel, log_activity
from bigbooks_desktop.sync.books_lookups import BooksSnapshot, find_client, remember_client
from bigbooks_desktop.sync.context import SyncContext
from bigbooks_desktop.sync.exactly_once import create_once
from bigbooks_desktop.sync.field_merge import STORE, Merge, merge_fields
from bigbooks_desktop.sync.inbox_decisions import REASON, Decisions, apply_decisions, same_conflict

__all__ = ["CUSTOMERS_IDS_STREAM", "CUSTOMERS_STREAM", "client_values", "sync_customers"]

CUSTOMERS_STREAM = "customers"
CUSTOMERS_IDS_STREAM = "customers_ids"
OVERLAP = timedelta(minutes=5)
ID_SCAN_EVERY = timedelta(hours=24)
SUBJECT = "client:"
FIELDS = ("fname", "lname", "organization", "email", "bus_phone", "p_street", "p_city", "p_province", "p_code",
          "p_country")


def client_values(customer: bc.Customer) -> dict[str, str]:
    """What the FreshBooks client of `customer` should say: the account's names, company, email and phone, and
    its first address as the billing address (the country's name, as order sync writes it)."""
    address = customer.addresses[0] if customer.addresses else bc.CustomerAddress()
    code = address.country_code.strip().upper()
    return {"fname": customer.first_name.strip(), "lname": customer.last_name.strip(),
            "organization": customer.company.strip(), "email": customer.email.strip(),
            "bus_phone": customer.phone.strip(), "p_street": address.address1.strip(),
            "p_city": address.city.strip(), "p_province": address.state_or_province.strip(),
            "p_code": address.postal_code.strip(), "p_country": COUNTRY_NAMES.get(code, code)}


def _current(client: fb.Client) -> dict[str, str]:
    return {name: str(getattr(client, name) or "") for name in FIELDS}


async def sync_customers(ctx: SyncContext, *, started: datetime) -> None:
    """One run's customer sync (see the module docstring); `started` is BigCommerce's clock at the run's start."""
    mode = ctx.profile.customer_sync
    if mode == "off":
        return
    await _apply_decisions(ctx)
    cursor = get_cursor(CUSTOMERS_STREAM)
    since = datetime.fromisoformat(cursor) - OVERLAP if cursor else None
    customers = [c async for c in ctx.bigcommerce.iter_customers(since)]
    ctx.count("customers_read", len(customers))
    keys = {f"customer:{c.id}": c for c in customers}
    states = get_states(EntityKind.CLIENT, keys)
    # an account BigCommerce has not changed since it was last seen (re-read within the overlap) needs nothing
    keys = {key: c for key, c in keys.items() if not _unchanged(states.get(key), c)}
    if mode == "all":
        await _snapshot_new(ctx, [k for k in keys if k not in states and find_client_link(k) is None])
    current = await _current_clients(ctx, [s.object_id for k, s in states.items() if k in keys])
    failed: list[datetime] = []
    for key, customer in keys.items():
        if mode == "ordered" and find_client_link(key) is None and key not in states:
            continue                       # has not ordered: its client comes with its first order
        try:
            await _one(ctx, key, customer, states.get(key), current)
        except (AuthError, PermissionDeniedError):
            raise
        except BigBooksError as exc:
            if exc.kind in (ErrorKind.TRANSIENT, ErrorKind.RATE_LIMIT):     # read again next run
                failed.append(customer.date_modified or started)
            record_error(None, ErrorStage.CLIENT, exc, {"customer": customer.model_dump(mode="json")},
                         run_id=ctx.run_id, policy=ctx.retry_policy, subject=SUBJECT + key)
            ctx.count("customers_failed")
    await _flag_deleted(ctx, started, {c.id for c in customers} if since is None else None)
    if not ctx.dry_run:
        set_cursor(CUSTOMERS_STREAM, (min(failed) - timedelta(seconds=1) if failed else started).isoformat())


def _unchanged(state: EntityState | None, customer: bc.Customer) -> bool:
    if state is None or state.status is not EntityStatus.ACTIVE or state.source_id != customer.id:
        return False
    return all(state.values.get(STORE + name, state.values.get(name)) == value
               for name, value in client_values(customer).items())


async def _snapshot_new(ctx: SyncContext, keys: list[str]) -> None:
    """For many customers no link knows (a first customer sync with "all"), read FreshBooks' clients as one list
    when that costs fewer calls than a lookup by email each (`sync.books_lookups`)."""
    if len(keys) < 2:
        return
    clients = await ctx.freshbooks.active_clients_within(max_pages=len(keys) - 1)
    if clients is None:
        return
    snapshot = ctx.books if isinstance(ctx.books, BooksSnapshot) else BooksSnapshot()
    snapshot.clients = {}
    for client in clients:
        snapshot.clients.setdefault(client.email.strip().casefold(), client)
    snapshot.read_at = time.monotonic()
    ctx.books = snapshot


async def _current_clients(ctx: SyncContext, ids: list[int]) -> dict[int, fb.Client]:
    """The FreshBooks clients to compare with, in one list read when that costs fewer calls than one each."""
    if len(ids) < 2:
        return {}
    listed = await ctx.freshbooks.active_clients_within(max_pages=len(ids) - 1)
    return {client.id: client for client in listed or ()}


async def _one(ctx: SyncContext, key: str, customer: bc.Customer, state: EntityState | None,
               current: dict[int, fb.Client]) -> None:
    desired = client_values(customer)
    link = find_client_link(key)
    client_id = state.object_id if state is not None else link.client_id if link is not None else None
    client: fb.Client | None = None
    if client_id is None:
        client = await find_client(ctx, desired["email"]) if desired["email"] else None
        if client is None:
            if not desired["email"]:
                return                       # nothing to match or create a client by: order sync decides
            if not ctx.dry_run:
                await _create(ctx, key, customer, desired)
            ctx.count("clients_created_from_customers")
            return
        client_id = client.id
        if not ctx.dry_run:
            link_client(key, client.id, fingerprint="")
    if client is None:
        client = current.get(client_id) or await ctx.freshbooks.get_client(client_id)
    merge = merge_fields(desired, state.values if state is not None else None, _current(client),
                         keep_freshbooks=ctx.profile.clients_keep_freshbooks)
    if ctx.dry_run:
        ctx.count("clients_updated_from_customers" if merge.changed else "clients_unchanged")
        return
    await _write(ctx, key, client, merge, reason=f"customer {customer.id} changed in BigCommerce")
    if merge.conflicts:
        _conflict(ctx, key, client.id, customer, desired, merge)
    else:
        resolve_subject(SUBJECT + key)
    put_state(EntityKind.CLIENT, key, object_id=client.id, source_id=customer.id, values=merge.baseline,
              source_modified=customer.date_modified)


async def _create(ctx: SyncContext, key: str, customer: bc.Customer, desired: Mapping[str, str]) -> None:
    draft = fb.ClientDraft(**desired)

    def linked(made: fb.Client) -> None:
        link_client(key, made.id, fingerprint="")

    made, _ = await create_once(ctx, kind=IntentKind.CLIENT, key=f"client:{key}", order_id=None,
                                lookup=lambda: ctx.freshbooks.find_client_by_email(desired["email"]),
                                create=lambda: ctx.freshbooks.create_client(draft), object_id=lambda c: c.id,
                                confirm=linked)
    remember_client(ctx, made)
    put_state(EntityKind.CLIENT, key, object_id=made.id, source_id=customer.id, values=dict(desired),
              source_modified=customer.date_modified)
    log_activity(f"Created FreshBooks client {made.id} for BigCommerce customer {customer.id}.",
                 run_id=ctx.run_id)


async def _write(ctx: SyncContext, key: str, client: fb.Client, merge: Merge, *, reason: str) -> None:
    if not merge.writes:
        return
    # an update sends every field (connectors.freshbooks.bodies.client_body): FreshBooks' own values for the
    # fields not written, so nothing else changes
    fields = {name: getattr(client, name) for name in fb.ClientDraft.model_fields}
    draft = fb.ClientDraft(**{**fields, **merge.writes})
    await ctx.freshbooks.update_client(client.id, draft)
    changes = "; ".join(f"{name}: {old!r} -> {new!r}" for name, (old, new) in merge.overwrites.items())
    log_activity(f"Updated FreshBooks client {client.id} ({key}), {reason}: {changes}.", run_id=ctx.run_id)
    ctx.count("clients_updated_from_customers")


def _conflict(ctx: SyncContext, key: str, client_id: int, customer: bc.Customer, desired: Mapping[str, str],
              merge: Merge) -> None:
    if same_conflict(SUBJECT + key, merge):
        return                      # read again within the overlap: already waiting, not another attempt
    fields = ", ".join(c.field for c in merge.conflicts)
    error = DataError(
        f"The FreshBooks client of customer {customer.id} was changed in FreshBooks and the customer's account "
        f"in BigCommerce since the last sync ({fields}). Choose which value to keep for each field, then retry; "
        "until then those fields are left as they are in FreshBooks.", field="client",
        title="Client changed in both places",
        details={"cause": {"code": "field_conflict", "kind": "client", "key": key, "object_id": client_id,
                           "conflicts": [{"field": c.field, "bigcommerce": c.bigcommerce,
                                          "freshbooks": c.freshbooks, "baseline": c.baseline}
                                         for c in merge.conflicts]}})
    record_error(None, ErrorStage.CLIENT, error, {"customer_id": customer.id, "desired": dict(desired)},
                 run_id=ctx.run_id, policy=ctx.retry_policy, subject=SUBJECT + key)
    log_activity(f"Client of customer {customer.id} changed in both places ({fields}): waiting in the inbox for "
                 "a choice.", level=ActivityLevel.WARNING, run_id=ctx.run_id)
    ctx.count("customer_conflicts")


async def _apply_decisions(ctx: SyncContext) -> None:
    """Conflicts the user decided in the inbox (`sync.inbox_decisions`)."""

    async def write(key: str, _client_id: int, client: fb.Client, merge: Merge) -> None:
        await _write(ctx, key, client, merge, reason=REASON)

    await apply_decisions(ctx, Decisions(
        subject=SUBJECT, kind=EntityKind.CLIENT, stage=ErrorStage.CLIENT, source_field="customer_id",
        keep_freshbooks=ctx.profile.clients_keep_freshbooks, read=ctx.freshbooks.get_client, values=_current,
        write=write))


async def _flag_deleted(ctx: SyncContext, started: datetime, listed: set[int] | None) -> None:
    """Once a day: flag the clients of customers deleted in BigCommerce; they are never deleted in FreshBooks."""
    last = get_cursor(CUSTOMERS_IDS_STREAM)
    if listed is None and last is not None and started - datetime.fromisoformat(last) < ID_SCAN_EVERY:
        return
    states = [s for s in get_states(EntityKind.CLIENT).values() if s.status is EntityStatus.ACTIVE]
    if states:
        alive = listed if listed is not None else set(await ctx.bigcommerce.list_customer_ids())
        for state in states:
            if state.source_id in alive or ctx.dry_run:
                continue
            put_state(EntityKind.CLIENT, state.key, object_id=state.object_id, source_id=state.source_id,
                      values=state.values, source_modified=state.source_modified,
                      status=EntityStatus.SOURCE_DELETED)
            log_activity(f"BigCommerce customer {state.source_id} was deleted; its FreshBooks client "
                         f"{state.object_id} is kept (its invoices name it) and no longer follows the store.",
                         level=ActivityLevel.WARNING, run_id=ctx.run_id)
            ctx.count("customers_deleted_flagged")
    if not ctx.dry_run:
        set_cursor(CUSTOMERS_IDS_STREAM, started.isoformat())
