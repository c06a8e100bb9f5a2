"""The store's balances over time: gift certificates sold and redeemed, and customers' store credit.

A balance is a list of dated events (a sale or credit adds, a redemption or spend takes away). Spending is
allowed only from what had come in before the spending order was placed, so walking the events in date
order never goes below zero. `settle()` writes each event's running balance into its v3 transaction
(`gift_certificate.starting_balance/remaining_balance`, `store_credit.remaining_balance`), so the balances the
API shows are consistent in date order however the events were recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

__all__ = ["CreditLedger", "GiftCertificate", "LedgerEvent"]

ZERO = Decimal("0")


@dataclass
class LedgerEvent:
    when: datetime
    seq: int
    delta: Decimal  # + sale, credit or restore; - redemption or spend
    transaction: dict[str, Any] | None = None  # the v3 transaction showing the balance, if any


@dataclass
class GiftCertificate:
    id: int
    code: str
    amount: Decimal
    currency: str
    buyer_id: int  # 0: bought by a guest
    order_id: int
    order_product_id: int
    sold: datetime  # when the selling order was paid: usable by orders placed after this
    events: list[LedgerEvent] = field(default_factory=list)
    redeemed_by: list[int] = field(default_factory=list)  # customer id (0 = guest) per redemption


def _available(events: list[LedgerEvent], before: datetime) -> Decimal:
    """What can be spent by an order placed at `before`: incoming events before it, every outgoing event."""
    return sum((e.delta for e in events if e.delta < ZERO or e.when < before), ZERO)


def _balance(events: list[LedgerEvent]) -> Decimal:
    return sum((e.delta for e in events), ZERO)


@dataclass
class CreditLedger:
    """Gift certificates by code and store-credit events by customer id."""

    certificates: dict[str, GiftCertificate] = field(default_factory=dict)
    store_credit: dict[int, list[LedgerEvent]] = field(default_factory=dict)
    _seq: int = 0

    def _event(self, when: datetime, delta: Decimal, transaction: dict[str, Any] | None) -> LedgerEvent:
        self._seq += 1
        return LedgerEvent(when, self._seq, delta, transaction)

    # -- gift certificates ---------------------------------------------------------------------------------
    def sell(self, certificate: GiftCertificate) -> None:
        certificate.events.append(self._event(certificate.sold, certificate.amount, None))
        self.certificates[certificate.code] = certificate

    def redeemable(self, before: datetime, currency: str | None = None) -> list[GiftCertificate]:
        """Certificates sold before `before` with money left (in `currency` when given), oldest first."""
        return [
            c
            for c in self.certificates.values()
            if c.sold < before and (currency is None or c.currency == currency) and _available(c.events, before)
        ]

    def certificate_available(self, code: str, before: datetime) -> Decimal:
        return _available(self.certificates[code].events, before)

    def redeem(
        self, code: str, when: datetime, amount: Decimal, transaction: dict[str, Any], customer_id: int
    ) -> None:
        certificate = self.certificates[code]
        certificate.events.append(self._event(when, -amount, transaction))
        certificate.redeemed_by.append(customer_id)

    def restore(self, code: str, when: datetime, amount: Decimal, transaction: dict[str, Any]) -> None:
        """A refund paid back onto the certificate it was paid from."""
        self.certificates[code].events.append(self._event(when, amount, transaction))

    # -- store credit --------------------------------------------------------------------------------------
    def store_credit_available(self, customer_id: int, before: datetime) -> Decimal:
        return _available(self.store_credit.get(customer_id, []), before)

    def store_credit_balance(self, customer_id: int) -> Decimal:
        return _balance(self.store_credit.get(customer_id, []))

    def credit(self, customer_id: int, when: datetime, amount: Decimal, transaction: dict[str, Any]) -> None:
        """A refund to store credit."""
        self.store_credit.setdefault(customer_id, []).append(self._event(when, amount, transaction))

    def spend(self, customer_id: int, when: datetime, amount: Decimal, transaction: dict[str, Any]) -> None:
        self.store_credit.setdefault(customer_id, []).append(self._event(when, -amount, transaction))

    # -- balances on the wire ------------------------------------------------------------------------------
    def settle(self) -> None:
        """Write the running balance, in date order, into every transaction the ledger knows."""
        for certificate in self.certificates.values():
            running = ZERO
            for event in sorted(certificate.events, key=lambda e: (e.when, e.seq)):
                before, running = running, running + event.delta
                if event.transaction is not None:
                    event.transaction["gift_certificate"] = {
                        "code": certificate.code,
                        "original_balance": certificate.amount,
                        "starting_balance": before,
                        "remaining_balance": running,
                        "status": "active",
                    }
        for events in self.store_credit.values():
            running = ZERO
            for event in sorted(events, key=lambda e: (e.when, e.seq)):
                running += event.delta
                if event.transaction is not None:
                    event.transaction["store_credit"] = {"remaining_balance": running}

    def problems(self) -> list[str]:
        """Balances that go below zero in date order, or a transaction showing another balance."""
        found: list[str] = []
        accounts: list[tuple[str, list[LedgerEvent]]] = [
            (f"gift certificate {c.code}", c.events) for c in self.certificates.values()
        ]
        accounts += [(f"store credit of customer {cid}", ev) for cid, ev in self.store_credit.items()]
        for label, events in accounts:
            running = ZERO
            for event in sorted(events, key=lambda e: (e.when, e.seq)):
                running += event.delta
                if running < ZERO:
                    found.append(f"{label}: balance {running} at {event.when.isoformat()}")
                tx = event.transaction
                if tx is None:
                    continue
                shown = (tx.get("gift_certificate") or tx.get("store_credit") or {}).get("remaining_balance")
                if shown != running:
                    found.append(f"{label}: transaction {tx['id']} shows {shown}, ledger has {running}")
        return found
