"""What one sync run shares across its orders: clients, profile, caches, key locks, tallies, auth pause."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.bc_listing import ListedOrder
from bigbooks_desktop.core.errors import BigBooksError
from bigbooks_desktop.mapping.freshbooks_math import DEFAULT_RULE, RULES, TaxRounding
from bigbooks_desktop.mapping.profile import MappingProfile
from bigbooks_desktop.store.error_queue import RetryPolicy
from bigbooks_desktop.store.runs import RunCounts, RunId
from bigbooks_desktop.sync.ports import BooksTarget, OrderSource

__all__ = ["ProgressCallback", "SyncContext", "SyncProgress"]


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """One progress report: orders done out of total, and what is happening now."""

    done: int
    total: int
    stage: str                    # "waiting", "starting", "listing", "matching", "retrying", "syncing", "finishing"
    order_id: int | None = None
    message: str = ""


ProgressCallback = Callable[[SyncProgress], None]


@dataclass
class SyncContext:
    """Shared state of one run. `bigcommerce`/`freshbooks` are the connector clients (`sync.ports`)."""

    bigcommerce: OrderSource
    freshbooks: BooksTarget
    profile: MappingProfile
    store_timezone: str
    account_id: str
    run_id: RunId | None
    dry_run: bool = False
    retry_policy: RetryPolicy = field(default_factory=RetryPolicy)
    profile_version: int | None = None         # the stored profile version in use (None: the built-in default)
    taxes: list[fb.Tax] = field(default_factory=list)
    tax_rule: TaxRounding = DEFAULT_RULE       # the FreshBooks account's tax rounding (sync.tax_rounding)
    tax_rule_candidates: set[TaxRounding] = field(default_factory=lambda: set(RULES))   # what invoices allow
    customers: dict[int, bc.Customer | None] = field(default_factory=dict)   # BigCommerce customers read
    listed: dict[int, ListedOrder] = field(default_factory=dict)     # this run's orders as the list carried them
    refunds: dict[int, list[bc.Refund]] = field(default_factory=dict)   # refunds read store-wide, by order
    books: object = None        # the run's FreshBooks clients/items snapshot (sync.books_lookups), if read
    tally: Counter[str] = field(default_factory=Counter)
    auth_problem: BigBooksError | None = None   # set once: every later write is skipped for this run
    dry_run_found: dict[str, bool] = field(default_factory=dict)   # dry runs: FreshBooks has it?
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    def lock(self, key: str) -> asyncio.Lock:
        """One lock per natural key (client, SKU, tax) so concurrent orders never race to create it."""
        found = self._locks.get(key)
        if found is None:
            found = self._locks[key] = asyncio.Lock()
        return found

    def count(self, name: str, n: int = 1) -> None:
        self.tally[name] += n

    def run_counts(self) -> RunCounts:
        known = RunCounts.__dataclass_fields__.keys()
        return RunCounts(**{k: v for k, v in self.tally.items() if k in known})

    @property
    def paused(self) -> bool:
        return self.auth_problem is not None
