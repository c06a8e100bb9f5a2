"""Settings of one sandbox instance: sizes, seeds, credentials, quotas, token lifetimes and the clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["SandboxConfig"]


@dataclass(kw_only=True)
class SandboxConfig:
    orders: int = 50                     # generated BigCommerce orders
    seed: int = 1                        # generator seed: same seed, same store
    store_hash: str = "sbx7k2q9"         # BigCommerce store hash in /stores/{hash}/
    bigcommerce_token: str = "sandbox-bc-token-5f3a9c1e7b2d4a6f"   # store-level API account access token
    bigcommerce_client_id: str = "sandbox-bc-app-client"           # app OAuth (install flow) credentials
    bigcommerce_client_secret: str = "sandbox-bc-app-secret-91d2"
    bc_quota: int = 150                  # requests per rate-limit window (Standard/Plus plan)
    time_scale: float = 1.0              # divides the 30 s window (and latencies) so tests can shrink time
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
    clock: Callable[[], float] = time.time    # injectable clock for expiry tests

    def window_seconds(self) -> float:
        """The BigCommerce rate-limit window after time scaling."""
        return 30.0 / self.time_scale
