"""The error inbox's fixes: rows grouped by the cause the engine recorded, each cause's fix as typed data
(an email, a SKU mapped to a FreshBooks item or created, a tax mapped, a hand-entered invoice picked), retry
through the sync coordinator, ignore with a reason, and the history of every fix. No Qt.

Fixes are saved where the engine reads them on the next run: the row's edits (`email`, `sku_items`,
`new_items`, `taxes`, `invoice_id`, see sync.order_pipeline) and, for a SKU mapped to an existing item, the
persistent SKU -> item link (store.links), which every later order selling that SKU uses too.
"""

from __future__ import annotations

import asyncio
import getpass
import re
import time
from collections.abc import Collection, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import TYPE_CHECKING

from bigbooks_desktop import accounts
from bigbooks_desktop.core import inbox_views as iv
from bigbooks_desktop.core import views as v
from bigbooks_desktop.core.errors import NotFoundError, ValidationError
from bigbooks_desktop.service import convert
from bigbooks_desktop.service.inbox_causes import (
    Cause,
    cause_of,
    cause_words,
    field_conflicts,
    order_email,
    raw_json,
    shared_sku_products,
    summary,
    unknown_skus,
    unknown_tax,
)
from bigbooks_desktop.store import error_queue
from bigbooks_desktop.store.db import current_database
from bigbooks_desktop.store.error_queue import ACTIVE_STATUSES, ErrorEntry, FixAction
from bigbooks_desktop.store.links import link_item

if TYPE_CHECKING:
    import httpx

    from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
    from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
    from bigbooks_desktop.core.profile_views import ProfileAuthor, ProfileVersionView
    from bigbooks_desktop.mapping.profile import MappingProfile
    from bigbooks_desktop.service.coordination import SyncStatusView

__all__ = ["CATALOGUE_SECONDS", "InboxFixes", "cause_of", "valid_email"]

CATALOGUE_SECONDS = 300.0      # how long the FreshBooks items and taxes read for the pickers are reused

# A pragmatic address check (what FreshBooks and a mail client accept): one @, a dot in the domain, no spaces,
# commas or semicolons (a list of addresses is not an address).
_EMAIL = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]{2,}$")
_ACTIVE_LIMIT = 100_000


def valid_email(text: str) -> str:
    """The address, trimmed; ValidationError(field="email") saying what is wrong otherwise."""
    email = text.strip()
    if not email:
        raise ValidationError("Type the customer's email address.", field="email", title="Email needed")
    if len(email) > 254 or not _EMAIL.match(email):
        raise ValidationError(f"{email!r} is not an email address. It should look like name@example.com.",
                              field="email", title="Email not valid")
    return email


# -- causes ----------------------------------------------------------------------------------------------


def _actor() -> str:
    try:
        return getpass.getuser() or "you"
    except (OSError, KeyError):      # no login name (a container, a service account)
        return "you"


class InboxFixes:
    """Mixin of `BigBooksService`: the inbox screen's groups, fixes, retries and history."""

    if TYPE_CHECKING:  # provided by BigBooksService and its SyncCoordination mixin
        _transport: httpx.AsyncBaseTransport | None
        _allow_file_store: bool

        def _clients(self) -> AbstractAsyncContextManager[tuple[BigCommerceClient, FreshBooksClient]]:
            raise NotImplementedError

        async def sync_now(self, *, since: date | datetime | None = None) -> v.SyncSummaryView:
            raise NotImplementedError

        def sync_status(self) -> SyncStatusView:
            raise NotImplementedError

        @property
        def profile(self) -> MappingProfile:
            raise NotImplementedError

        async def save_profile(self, profile: MappingProfile, *, note: str = "",
                               created_by: ProfileAuthor = ..., activate: bool = True) -> ProfileVersionView:
            raise NotImplementedError

    # -- reading ---------------------------------------------------------------------------------------

    @staticmethod
    def _active_entries() -> list[ErrorEntry]:
        return error_queue.list_errors(status=ACTIVE_STATUSES, limit=_ACTIVE_LIMIT)

    async def inbox_groups(self) -> iv.InboxGroupsView:
        """The active inbox grouped by cause, the biggest group first (then by label); rows newest first. Read
        and converted on a worker thread with its own connection: after a big run that is hundreds of rows with
        their payloads, and the loop thread only awaits."""

        def read() -> iv.InboxGroupsView:
            try:
                groups: dict[str, tuple[Cause, list[v.InboxView]]] = {}
                entries = self._active_entries()
                for entry in entries:
                    key, code, label, fix = cause_of(entry)
                    groups.setdefault(key, (Cause(key, code, label, fix), []))[1].append(
                        convert.inbox_view(entry))
                views = [iv.InboxCauseView(key=c.key, code=c.code, label=c.label,
                                           summary=summary(len(rows), c.label, [r.subject for r in rows]),
                                           fix=c.fix, items=tuple(rows))
                         for c, rows in groups.values()]
                views.sort(key=lambda g: (-g.count, g.label.lower()))
                return iv.InboxGroupsView(groups=tuple(views), total=len(entries))
            finally:
                current_database().close()        # this worker thread's connection (peewee: one per thread)

        return await asyncio.to_thread(read)

    async def inbox_fix(self, item_id: int) -> iv.InboxFixView:
        """One row for the detail pane: what happened, what to do, the fix's data and its history. Reads the
        candidate invoices from FreshBooks when the cause is a possible hand-entered invoice."""
        entry = self._entry(item_id)
        key, code, label, fix = cause_of(entry)
        fixes = error_queue.list_fixes(order_id=entry.order_id) if entry.order_id is not None \
            else error_queue.list_fixes(error_id=entry.id)
        ignored = next((str(f.details.get("reason", "")) for f in reversed(fixes)
                        if f.action is FixAction.IGNORED and f.error_id == entry.id), None)
        happened, to_do = cause_words(entry, code)
        shared, products = shared_sku_products(entry)
        return iv.InboxFixView(
            item=convert.inbox_detail_view(entry), cause_key=key, code=code, label=label, what_happened=happened,
            what_to_do=to_do, fix=fix, email=order_email(entry), skus=unknown_skus(entry),
            tax=unknown_tax(entry), candidates=await self._candidates(entry) if fix is iv.FixKind.PICK_INVOICE
            else (), subject_label=iv.subject_label(entry.subject), conflicts=field_conflicts(entry),
            shared_sku=shared, products=products,
            history=tuple(iv.FixRecordView(at=f.at, actor=f.actor, action=iv.FixAction(f.action.value), text=f.text)
                          for f in fixes),
            ignored_reason=ignored, raw_json=raw_json(entry))

    @staticmethod
    def _entry(item_id: int) -> ErrorEntry:
        entry = error_queue.get_error(item_id)
        if entry is None:
            raise NotFoundError(f"Problem {item_id} is not in the inbox.", title="Problem not found")
        return entry

    async def _candidates(self, entry: ErrorEntry) -> tuple[iv.CandidateInvoiceView, ...]:
        ids = entry.cause.get("invoice_ids") or entry.payload.get("candidate_invoice_ids") or []
        picked = entry.edits.get("invoice_id")
        found: list[iv.CandidateInvoiceView] = []
        async with await self._freshbooks() as freshbooks:
            for invoice_id in (int(i) for i in ids):
                try:
                    invoice = await freshbooks.get_invoice(invoice_id)
                except NotFoundError:
                    continue
                if invoice.vis_state != 0:
                    continue
                try:
                    client = await freshbooks.get_client(invoice.customerid)
                    customer = client.organization or f"{client.fname} {client.lname}".strip() or client.email
                except NotFoundError:
                    customer = f"client {invoice.customerid}"
                found.append(iv.CandidateInvoiceView(
                    id=invoice.id, number=invoice.invoice_number, customer=customer, amount=invoice.amount,
                    currency=invoice.currency_code, issued=invoice.create_date,
                    status=invoice.display_status or invoice.v3_status or str(invoice.status),
                    picked=picked is not None and int(str(picked)) == invoice.id))
        return tuple(found)

    async def _freshbooks(self) -> FreshBooksClient:
        return await accounts.open_freshbooks_client(transport=self._transport,
                                                     allow_file_store=self._allow_file_store)

    # -- the pickers' lists ----------------------------------------------------------------------------

    def _catalogue(self) -> dict[str, tuple[float, object]]:
        cache = self.__dict__.get("_inbox_catalogue")
        if not isinstance(cache, dict):
            cache = self.__dict__["_inbox_catalogue"] = {}
        return cache

    async def freshbooks_items(self, *, search: str = "", refresh: bool = False) -> tuple[iv.FreshBooksItemView, ...]:
        """The FreshBooks catalogue, read once and reused for CATALOGUE_SECONDS (or `refresh`), filtered by
        `search` (in the name or the SKU, any case), sorted by name."""
        cache = self._catalogue()
        held = cache.get("items")
        if refresh or held is None or time.monotonic() - held[0] > CATALOGUE_SECONDS:
            async with await self._freshbooks() as freshbooks:
                items = await freshbooks.list_items()
            views = tuple(sorted((iv.FreshBooksItemView(id=i.id, name=i.name, sku=i.sku, price=i.unit_cost,
                                                        currency=i.currency_code) for i in items),
                                 key=lambda i: (i.name.lower(), i.id)))
            held = cache["items"] = (time.monotonic(), views)
        everything: tuple[iv.FreshBooksItemView, ...] = held[1]  # type: ignore[assignment]  # kept by this method
        needle = search.strip().lower()
        return everything if not needle else tuple(
            i for i in everything if needle in i.name.lower() or needle in i.sku.lower())

    async def freshbooks_taxes(self, *, refresh: bool = False) -> tuple[iv.FreshBooksTaxView, ...]:
        """The FreshBooks taxes (cached like the items), sorted by name."""
        cache = self._catalogue()
        held = cache.get("taxes")
        if refresh or held is None or time.monotonic() - held[0] > CATALOGUE_SECONDS:
            async with await self._freshbooks() as freshbooks:
                taxes = await freshbooks.list_taxes()
            views = tuple(sorted((iv.FreshBooksTaxView(id=t.id, name=t.name, rate=t.amount) for t in taxes),
                                 key=lambda t: (t.name.lower(), t.id)))
            held = cache["taxes"] = (time.monotonic(), views)
        result: tuple[iv.FreshBooksTaxView, ...] = held[1]  # type: ignore[assignment]  # kept by this method
        return result

    # -- fixes -----------------------------------------------------------------------------------------

    def _save(self, entry: ErrorEntry, edits: Mapping[str, object], text: str) -> None:
        try:
            error_queue.edit_error(entry.id, dict(edits))
        except ValueError as exc:
            raise ValidationError(f"Problem {entry.id} is already settled ({exc}).", field="id") from exc
        error_queue.record_fix(entry.id, FixAction.EDITED, text, actor=_actor(), details={"edits": dict(edits)})

    def _like(self, entry: ErrorEntry) -> list[ErrorEntry]:
        """The active rows with the same cause as `entry` (itself first)."""
        key = cause_of(entry)[0]
        return [entry] + [e for e in self._active_entries() if e.id != entry.id and cause_of(e)[0] == key]

    def _active(self, item_id: int) -> ErrorEntry:
        entry = self._entry(item_id)
        if not entry.active:
            raise ValidationError(f"Problem {item_id} is already {entry.status.value}; there is nothing to fix.",
                                  field="id", title="Already settled")
        return entry

    async def set_inbox_email(self, item_id: int, email: str) -> iv.InboxFixView:
        """Save the order's email (checked first: a malformed one is refused with field "email" and nothing is
        saved); the retry becomes due now."""
        entry = self._active(item_id)
        address = valid_email(email)
        self._save(entry, {"email": address}, f"Email set to {address}")
        return await self.inbox_fix(item_id)

    async def map_inbox_sku(self, item_id: int, sku: str, freshbooks_item_id: int) -> iv.InboxFixView:
        """Map `sku` to an existing FreshBooks item, for this order and every later one (the stored SKU link
        the sync reads first); every row waiting on that SKU is due now."""
        entry = self._active(item_id)
        self._sku_of(entry, sku)
        items = {i.id: i for i in await self.freshbooks_items()}
        if freshbooks_item_id not in items:
            items = {i.id: i for i in await self.freshbooks_items(refresh=True)}
        item = items.get(freshbooks_item_id)
        if item is None:
            raise ValidationError(f"FreshBooks has no item {freshbooks_item_id} (deleted?). Refresh the list and "
                                  "pick another.", field="item", title="Item not found")
        link_item(sku, item.id)
        for row in self._rows_with_sku(entry, sku):
            self._save(row, {"sku_items": {sku: item.id}}, f"SKU {sku} mapped to FreshBooks item "
                                                            f"{item.name!r} (id {item.id})")
        return await self.inbox_fix(item_id)

    async def create_inbox_item(self, item_id: int, sku: str, *, name: str) -> iv.InboxFixView:
        """Have the next sync create a FreshBooks item named `name` for `sku` (exactly once, undone with its
        run); every row waiting on that SKU is due now."""
        entry = self._active(item_id)
        self._sku_of(entry, sku)
        title = name.strip()
        if not title:
            raise ValidationError("Give the new item a name.", field="name", title="Name needed")
        if len(title) > 200:
            raise ValidationError("FreshBooks item names are at most 200 characters.", field="name",
                                  title="Name too long")
        for row in self._rows_with_sku(entry, sku):
            self._save(row, {"new_items": {sku: title}}, f"SKU {sku}: create FreshBooks item {title!r}")
        self._catalogue().pop("items", None)
        return await self.inbox_fix(item_id)

    @staticmethod
    def _sku_of(entry: ErrorEntry, sku: str) -> None:
        if entry.cause.get("code") != iv.CauseCode.UNKNOWN_SKU or sku not in entry.cause.get("skus", ()):
            raise ValidationError(f"Order {entry.order_id} is not waiting on SKU {sku!r}.", field="sku")

    def _rows_with_sku(self, entry: ErrorEntry, sku: str) -> list[ErrorEntry]:
        return [entry] + [e for e in self._active_entries() if e.id != entry.id
                          and e.cause.get("code") == iv.CauseCode.UNKNOWN_SKU and sku in e.cause.get("skus", ())]

    async def map_inbox_tax(self, item_id: int, freshbooks_tax_name: str) -> iv.InboxFixView:
        """Map the row's unknown BigCommerce tax to a FreshBooks tax of the same rate, for every row waiting on
        that tax; ValidationError(field "tax") for an unknown tax or another rate."""
        entry = self._active(item_id)
        unknown = unknown_tax(entry)
        if unknown is None:
            raise ValidationError(f"Order {entry.order_id} is not waiting on a tax.", field="tax")
        taxes = {t.name.strip().lower(): t for t in await self.freshbooks_taxes()}
        tax = taxes.get(freshbooks_tax_name.strip().lower())
        if tax is None:
            raise ValidationError(f"FreshBooks has no tax named {freshbooks_tax_name!r}.", field="tax",
                                  title="Tax not found")
        if tax.rate.normalize() != unknown.rate.normalize():
            raise ValidationError(f"{tax.name} is {tax.rate.normalize()}%, but {unknown.tax_name} was charged at "
                                  f"{unknown.rate.normalize()}%. Pick a tax with the same rate.", field="tax",
                                  title="Different rate")
        for row in self._like(entry):
            self._save(row, {"taxes": {unknown.tax_name: tax.name}},
                       f"Tax {unknown.tax_name} ({unknown.rate.normalize()}%) mapped to FreshBooks tax {tax.name}")
        await self._remember_tax(unknown.tax_name, tax.name)
        return await self.inbox_fix(item_id)

    async def _remember_tax(self, bigcommerce_name: str, freshbooks_name: str) -> None:
        """The tax mapping kept for every later order: the profile in use gains it (`tax_names`), saved as
        its next version."""
        profile = self.profile
        if profile.tax_names.get(bigcommerce_name) == freshbooks_name:
            return
        names = {**profile.tax_names, bigcommerce_name: freshbooks_name}
        await self.save_profile(profile.model_copy(update={"tax_names": names}),
                                note=f"From the error inbox: BigCommerce tax {bigcommerce_name} is FreshBooks "
                                     f"tax {freshbooks_name}")

    async def pick_inbox_invoice(self, item_id: int, invoice_id: int) -> iv.InboxFixView:
        """Say which hand-entered invoice is the order's (one of the candidates); the retry links it."""
        entry = self._active(item_id)
        ids = [int(i) for i in entry.cause.get("invoice_ids") or entry.payload.get("candidate_invoice_ids") or []]
        if invoice_id not in ids:
            raise ValidationError(f"Invoice {invoice_id} is not one of the invoices that may be order "
                                  f"{entry.order_id}'s.", field="invoice_id")
        self._save(entry, {"invoice_id": invoice_id}, f"Picked hand-entered invoice id {invoice_id}")
        return await self.inbox_fix(item_id)

    # -- retry and ignore ------------------------------------------------------------------------------

    async def retry_inbox_items(self, ids: Collection[int]) -> v.SyncSummaryView:
        """Make the rows due now and sync through the coordinator, as the window's Sync now does (joining a
        sync under way, then running once more so the rows are in a run that started after this)."""
        actor = _actor()
        for item_id in ids:
            try:
                error_queue.retry_error_now(item_id)
            except ValueError as exc:
                raise ValidationError(f"Problem {item_id} is already settled ({exc}).", field="id") from exc
            error_queue.record_fix(item_id, FixAction.RETRY, "Retry asked for", actor=actor)
        joined = self.sync_status().busy
        summary = await self.sync_now()
        if joined:
            summary = await self.sync_now()
        return summary

    async def retry_inbox_cause(self, cause_key: str) -> v.SyncSummaryView:
        """"Retry all like this": every active row of the cause `cause_key` (InboxCauseView.key)."""
        ids = [e.id for e in self._active_entries() if cause_of(e)[0] == cause_key]
        if not ids:
            raise ValidationError("No problem with that cause is waiting any more.", field="cause",
                                  title="Nothing to retry")
        return await self.retry_inbox_items(ids)

    async def ignore_inbox_with_reason(self, item_id: int, reason: str) -> v.InboxView:
        """Leave a row alone, saying why (required; stored in the row's history)."""
        why = reason.strip()
        if not why:
            raise ValidationError("Say why this problem can be ignored (for whoever looks at it later).",
                                  field="reason", title="Reason needed")
        self._active(item_id)
        entry = error_queue.ignore_error(item_id)
        error_queue.record_fix(item_id, FixAction.IGNORED, f"Ignored: {why}", actor=_actor(),
                               details={"reason": why})
        return convert.inbox_view(entry)

