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

from collections.abc import Mapping
from datetime import datetime
from functools import partial

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.mapping.countries import COUNTRY_NAMES
from bigbooks_desktop.store.entity_state import EntityKind, EntityState, EntityStatus, get_states, put_state
from bigbooks_desktop.store.error_queue import ErrorStage, resolve_subject
from bigbooks_desktop.store.intents import IntentKind
from bigbooks_desktop.store.links import find_client_link, link_client
from bigbooks_desktop.store.runs import ActivityLevel, log_activity
from bigbooks_desktop.sync import following
from bigbooks_desktop.sync.books_lookups import find_client, remember_client
from bigbooks_desktop.sync.context import SyncContext
from bigbooks_desktop.sync.exactly_once import create_once
from bigbooks_desktop.sync.field_merge import Merge, merge_fields
from bigbooks_desktop.sync.inbox_decisions import REASON, Decisions, apply_decisions, record_conflict

__all__ = ["CUSTOMERS_IDS_STREAM", "CUSTOMERS_STREAM", "client_values", "sync_customers"]

CUSTOMERS_STREAM = "customers"
CUSTOMERS_IDS_STREAM = "customers_ids"
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
    stream = following.StreamPass(ctx, CUSTOMERS_STREAM, started)
    customers = [c async for c in ctx.bigcommerce.iter_customers(stream.since)]
    ctx.count("customers_read", len(customers))
    keys = {f"customer:{c.id}": c for c in customers}
    states = get_states(EntityKind.CLIENT, keys)
    # an account BigCommerce has not changed since it was last seen (re-read within the overlap) needs nothing
    keys = {key: c for key, c in keys.items() if not _unchanged(states.get(key), c)}
    if mode == "all":
        await _snapshot_new(ctx, [k for k in keys if k not in states and find_client_link(k) is None])
    current = await _current_clients(ctx, [s.object_id for k, s in states.items() if k in keys])
    for key, customer in keys.items():
        if mode == "ordered" and find_client_link(key) is None and key not in states:
            continue                       # has not ordered: its client comes with its first order
        await stream.attempt(_one(ctx, key, customer, states.get(key), current), modified=customer.date_modified,
                             stage=ErrorStage.CLIENT, subject=SUBJECT + key,
                             payload=partial(_failed_payload, customer), counter="customers_failed")
    await _flag_deleted(ctx, started, {c.id for c in customers} if stream.since is None else None)
    stream.save()


def _failed_payload(customer: bc.Customer) -> dict[str, object]:
    return {"customer": customer.model_dump(mode="json")}


def _unchanged(state: EntityState | None, customer: bc.Customer) -> bool:
    if state is None or state.status is not EntityStatus.ACTIVE or state.source_id != customer.id:
        return False
    return following.unchanged(state, client_values(customer))


async def _snapshot_new(ctx: SyncContext, keys: list[str]) -> None:
    """For many customers no link knows (a first customer sync with "all"), read FreshBooks' clients as one list
    when that costs fewer calls than a lookup by email each (`sync.books_lookups`)."""
    clients = await following.listed_within(len(keys), ctx.freshbooks.active_clients_within)
    if clients is not None:
        by_email = following.first_by(clients, lambda client: client.email.strip().casefold())
        following.renew_snapshot(ctx).clients = by_email


async def _current_clients(ctx: SyncContext, ids: list[int]) -> dict[int, fb.Client]:
    """The FreshBooks clients to compare with, in one list read when that costs fewer calls than one each."""
    listed = await following.listed_within(len(ids), ctx.freshbooks.active_clients_within)
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
    following.log_update(ctx, f"client {client.id} ({key})", merge, reason=reason,
                         counter="clients_updated_from_customers")


def _conflict(ctx: SyncContext, key: str, client_id: int, customer: bc.Customer, desired: Mapping[str, str],
              merge: Merge) -> None:
    record_conflict(ctx, merge, subject=SUBJECT + key, stage=ErrorStage.CLIENT, kind="client",
                    cause={"key": key, "object_id": client_id},
                    payload={"customer_id": customer.id, "desired": dict(desired)},
                    named=f"client of customer {customer.id}", source="the customer's account",
                    counter="customer_conflicts")


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

    async def gone(state: EntityState) -> None:
        put_state(EntityKind.CLIENT, state.key, object_id=state.object_id, source_id=state.source_id,
                  values=state.values, source_modified=state.source_modified, status=EntityStatus.SOURCE_DELETED)
        log_activity(f"BigCommerce customer {state.source_id} was deleted; its FreshBooks client "
                     f"{state.object_id} is kept (its invoices name it) and no longer follows the store.",
                     level=ActivityLevel.WARNING, run_id=ctx.run_id)
        ctx.count("customers_deleted_flagged")

    await following.scan_deleted(ctx, stream=CUSTOMERS_IDS_STREAM, kind=EntityKind.CLIENT, started=started,
                                 listed=listed, list_ids=ctx.bigcommerce.list_customer_ids, gone=gone)
