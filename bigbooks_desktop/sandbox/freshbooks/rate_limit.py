"""FreshBooks' per-account request quota, as live responses show it (off unless `freshbooks_quota` is set).

Evidence (FreshBooks' own published Postman collection "FreshBooks API", copy at
`InfiniteRoomLabs/freshbooks-tools: freshbooks/internal/inventory/testdata/freshbooks.postman_collection.json`,
whose example responses carry live server headers; see /work/shared/reference/freshbooks/API-FACTS-sources.md):

* "List Credits" (200, `Date: Fri, 11 Sep 2020 14:41:18 GMT`, epoch 1599835278) carries
  `X-RateLimit-Limit: 600`, `X-RateLimit-Remaining: 596`, `X-RateLimit-Reset: 1599835339` (an epoch time 61 s
  after `Date`) and `Retry-After: 60`, on a successful answer.
* 2019 captures show `X-RateLimit-Limit: 20` with `Retry-After` about 59; many 2019 answers carry none of them.

What the sandbox models, and why:

* A fixed window per FreshBooks account (the `account_id` in `/accounting/account/{account_id}/...`), begun by
  the first request after the previous window ended. 596 left of 600 with the reset ~60 s ahead fits a window
  that had just begun; 60 s is also what `Retry-After` says on a fresh window. The window length itself is not
  published anywhere we found: **60 s is an inference**. Whether FreshBooks counts per account, per token or per
  app is not known either; per account is the unit the issue asks for.
* On every accounting answer (200s, errors and the 429 itself): `X-RateLimit-Limit` (the quota),
  `X-RateLimit-Remaining` (requests left in this window), `X-RateLimit-Reset` (when the window ends, epoch
  seconds, rounded up, as in the capture) and `Retry-After` (seconds until then, rounded up: 60 on a fresh
  window, as captured).
* Over the quota: HTTP 429 with the same headers (`Retry-After` = time to the window's end, so a client that
  obeys it is let in again) and the accounting error envelope. The real 429 body was never captured.
* Identity (`/auth/api/v1/users/me`) and OAuth routes are not counted: they are not per account.

Time scaling: the window is `60 s / time_scale` like BigCommerce's 30 s one (`SandboxConfig.window_seconds`).
At time_scale 1 every header is a whole number as captured; when scaled, `Reset` and `Retry-After` carry
milliseconds (e.g. `0.6`), because whole seconds could not describe a 0.6 s window. Clients that only expect
integers must not be pointed at a time-scaled sandbox.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from starlette.responses import Response

from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.freshbooks.wire import json_response

__all__ = ["CAPTURED_QUOTA", "CAPTURED_WINDOW_SECONDS", "AccountQuota", "FreshBooksRateLimit"]

CAPTURED_QUOTA = 600            # X-RateLimit-Limit in the 2020 capture (20 in 2019)
CAPTURED_WINDOW_SECONDS = 60.0  # inferred from Retry-After 60 / Reset Date+61 on a fresh window (see above)

_TOO_MANY = ("Too many requests: this FreshBooks account's API quota for this window is used up. "
             "Retry after the number of seconds in Retry-After.")


@dataclass
class AccountQuota:
    """One account's current window: began at `started` (sandbox clock), `used` requests counted."""

    started: float
    used: int = 0


class FreshBooksRateLimit:
    """Per-account fixed windows, read from `config` on every request (admin changes apply at once).

    `config.freshbooks_quota` is the quota per window; 0 (the default) turns the limit off, and then no header
    is added: the sandbox answers as before the quota existed."""

    def __init__(self, config: SandboxConfig, *, clock: Callable[[], float] | None = None) -> None:
        self._config = config
        self._clock = clock                   # None: config.clock, read each time (an epoch clock)
        self._accounts: dict[str, AccountQuota] = {}
        self.limited = 0                      # 429s answered (for tests and the benchmark)

    @property
    def quota(self) -> int:
        return max(0, int(self._config.freshbooks_quota))

    @property
    def enabled(self) -> bool:
        return self.quota > 0

    def _now(self) -> float:
        return (self._clock or self._config.clock)()

    def window_seconds(self) -> float:
        return CAPTURED_WINDOW_SECONDS / self._config.time_scale

    def reset(self) -> None:
        self._accounts.clear()
        self.limited = 0

    def _window(self, account_id: str, now: float) -> AccountQuota:
        window = self._accounts.get(account_id)
        # 1 µs of slack: a client that waits exactly the Retry-After it was given must be let in (floats)
        if window is None or now - window.started >= self.window_seconds() - 1e-6 or now < window.started:
            window = self._accounts[account_id] = AccountQuota(started=now)
        return window

    def take(self, account_id: str) -> bool:
        """Count one request; False (and nothing counted) when the window's quota is already used up."""
        window = self._window(account_id, self._now())
        if window.used >= self.quota:
            self.limited += 1
            return False
        window.used += 1
        return True

    def headers(self, account_id: str) -> dict[str, str]:
        now = self._now()
        window = self._window(account_id, now)
        ends = window.started + self.window_seconds()
        return {
            "X-RateLimit-Limit": str(self.quota),
            "X-RateLimit-Remaining": str(max(0, self.quota - window.used)),
            "X-RateLimit-Reset": self._seconds(ends),
            "Retry-After": self._seconds(max(0.0, ends - now)),
        }

    def _seconds(self, value: float) -> str:
        """Whole seconds rounded up at time_scale 1 (as captured); milliseconds rounded up when scaled."""
        if self._config.time_scale == 1:
            return str(math.ceil(value - 1e-9))
        return f"{math.ceil(value * 1000 - 1e-6) / 1000:.3f}"

    def too_many(self, account_id: str) -> Response:
        response = json_response({"response": {"errors": [{"errno": 429, "field": None, "message": _TOO_MANY,
                                                            "object": None, "value": None}]}}, 429)
        response.headers.update(self.headers(account_id))
        return response
