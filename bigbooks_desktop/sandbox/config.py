"""Settings of one sandbox instance: sizes, seeds, credentials, quotas, token lifetimes and the clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["DEFAULT_TAX_ROUNDING", "TAX_ROUNDING_RULES", "SandboxConfig", "check_tax_rounding"]

# How the FreshBooks sandbox rounds line taxes. Nobody outside FreshBooks knows its rule (API-FACTS Q1: no
# public evidence tells per-line from per-tax-name rounding, nor half-up from half-even), so it is a switch.
# "line-*": each line's tax rounded to the cent, then summed; "invoice-*": per tax name, the taxable amounts
# of every line carrying it summed, taxed and rounded once. See sandbox.freshbooks.invoice_math.
TAX_ROUNDING_RULES = ("line-half-up", "line-half-even", "invoice-half-up", "invoice-half-even")
DEFAULT_TAX_ROUNDING = "line-half-up"   # the sandbox's behaviour before the switch existed


def check_tax_rounding(rule: str) -> str:
    """`rule` if it is one of TAX_ROUNDING_RULES; ValueError naming the allowed values otherwise."""
    if rule not in TAX_ROUNDING_RULES:
        raise ValueError(f"unknown tax rounding {rule!r}; use one of {', '.join(TAX_ROUNDING_RULES)}")
    return rule


@dataclass(kw_only=True)
class SandboxConfig:
    orders: int = 50                     # generated BigCommerce orders
    seed: int = 1                        # generator seed: same seed, same store
    products: int | None = None          # catalog products (None: 60), each with the generator's variants
    customers: int | None = None         # registered customers (None: max(10, orders // 4))
    store_hash: str = "sbx7k2q9"         # BigCommerce store hash in /stores/{hash}/
    bigcommerce_token: str = "sandbox-bc-token-5f3a9c1e7b2d4a6f"   # store-level API account access token
    bigcommerce_client_id: str = "sandbox-bc-app-client"           # app OAuth (install flow) credentials
    bigcommerce_client_secret: str = "sandbox-bc-app-secret-91d2"
    bc_quota: int = 150                  # requests per rate-limit window (Standard/Plus plan)
    time_scale: float = 1.0              # divides the 30 s window (and latencies) so tests can shrink time
    books_known_share: float = 0.75      # share of the catalog's SKUs FreshBooks already has as items
    freshbooks_client_id: str = "sandbox-fb-client-3c7e"
    freshbooks_client_secret: str = "sandbox-fb-secret-8b1f4d2a"
    # Registered redirect URIs. `*` in the port position accepts any port (loopback redirects, RFC 8252).
    freshbooks_redirect_uris: list[str] = field(default_factory=lambda: [
        "http://127.0.0.1:*/callback", "https://localhost:*/callback", "http://localhost:*/callback",
    ])
    freshbooks_token_ttl: float = 12 * 3600   # access-token lifetime in seconds
    freshbooks_code_ttl: float = 300          # authorization codes expire after 5 minutes
    freshbooks_auto_consent: bool = False     # consent page approves without a click (headless sign-in)
    faults: str = ""                          # fault spec, see sandbox.faults
    freshbooks_tax_rounding: str = DEFAULT_TAX_ROUNDING   # one of TAX_ROUNDING_RULES (API-FACTS Q1 is open)
    # FreshBooks requests per account per 60 s window (divided by time_scale); 0 = off (no headers, no 429s).
    # 600 is the captured X-RateLimit-Limit: see sandbox.freshbooks.rate_limit.
    freshbooks_quota: int = 0
    clock: Callable[[], float] = time.time    # injectable clock for expiry tests

    def __post_init__(self) -> None:
        check_tax_rounding(self.freshbooks_tax_rounding)

    def window_seconds(self) -> float:
        """The BigCommerce rate-limit window after time scaling."""
        return 30.0 / self.time_scale
