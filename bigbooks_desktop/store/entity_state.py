"""The baseline of catalog and customer sync: per FreshBooks item (by SKU) or client (by client key), the field
values BigBooks last wrote or agreed to, the BigCommerce record it follows, and its state (`EntityStateRow`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from peewee import chunked

from bigbooks_desktop.store.fields import utc_now
from bigbooks_desktop.store.rows import ClientLinkRow, EntityStateRow, database_proxy

__all__ = ["EntityKind", "EntityState", "EntityStatus", "count_customer_links_without_state", "count_states",
           "get_state", "get_states", "put_state"]


class EntityKind(StrEnum):
    ITEM = "item"
    CLIENT = "client"


class EntityStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"                  # the product was hidden or deleted: its item archived, never deleted
    SOURCE_DELETED = "source_deleted"      # the customer was deleted in BigCommerce: its client flagged, kept


@dataclass(frozen=True, slots=True)
class EntityState:
    kind: EntityKind
    key: str
    object_id: int
    source_id: int
    values: dict[str, str]
    source_modified: datetime | None
    status: EntityStatus
    synced_at: datetime


def _state(row: EntityStateRow) -> EntityState:
    return EntityState(kind=EntityKind(row.kind), key=row.key, object_id=row.object_id, source_id=row.source_id,
                       values={str(k): str(v) for k, v in dict(row.values).items()},
                       source_modified=row.source_modified, status=EntityStatus(row.state),
                       synced_at=row.synced_at)


def get_state(kind: EntityKind, key: str) -> EntityState | None:
    row = EntityStateRow.get_or_none((EntityStateRow.kind == kind.value) & (EntityStateRow.key == key))
    return _state(row) if row is not None else None


def get_states(kind: EntityKind, keys: Iterable[str] | None = None) -> dict[str, EntityState]:
    """The states of `kind` (of `keys` only, when given), by key."""
    if keys is None:
        return {row.key: _state(row) for row in EntityStateRow.select().where(EntityStateRow.kind == kind.value)}
    found: dict[str, EntityState] = {}
    for chunk in chunked(list(dict.fromkeys(keys)), 500):
        query = EntityStateRow.select().where((EntityStateRow.kind == kind.value) & EntityStateRow.key.in_(chunk))
        found.update({row.key: _state(row) for row in query})
    return found


def put_state(kind: EntityKind, key: str, *, object_id: int, source_id: int, values: Mapping[str, str],
              source_modified: datetime | None, status: EntityStatus = EntityStatus.ACTIVE) -> EntityState:
    """Record (insert or replace) the baseline of one item or client."""
    now = utc_now()
    with database_proxy.atomic():
        EntityStateRow.insert(kind=kind.value, key=key, object_id=object_id, source_id=source_id,
                              values=dict(values), source_modified=source_modified, state=status.value,
                              synced_at=now).on_conflict(
            conflict_target=[EntityStateRow.kind, EntityStateRow.key],
            update={EntityStateRow.object_id: object_id, EntityStateRow.source_id: source_id,
                    EntityStateRow.values: dict(values), EntityStateRow.source_modified: source_modified,
                    EntityStateRow.state: status.value, EntityStateRow.synced_at: now}).execute()
    found = get_state(kind, key)
    assert found is not None
    return found


def count_states(kind: EntityKind) -> dict[EntityStatus, int]:
    """How many items or clients are kept in step, by state."""
    counts = {status: 0 for status in EntityStatus}
    for row in EntityStateRow.select(EntityStateRow.state).where(EntityStateRow.kind == kind.value):
        counts[EntityStatus(row.state)] += 1
    return counts


def count_customer_links_without_state() -> int:
    """Clients linked to a BigCommerce customer account (order sync's key "customer:ID") that customer sync has
    no baseline for yet: with customer sync on, they follow their account from its next change."""
    with_state = EntityStateRow.select(EntityStateRow.key).where(EntityStateRow.kind == EntityKind.CLIENT.value)
    return int(ClientLinkRow.select().where(ClientLinkRow.customer_key.startswith("customer:")
                                            & ClientLinkRow.customer_key.not_in(with_state)).count())
