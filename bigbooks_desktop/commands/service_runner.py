"""How the headless verbs run a service coroutine: one event loop, errors as one clear line, exit codes."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from bigbooks_desktop.core.errors import AuthError, BigBooksError, ConfigurationError, TransientError

__all__ = ["EXIT_AUTH", "EXIT_CONFIG", "EXIT_FAILED", "EXIT_NETWORK", "print_json", "run_with_service"]

EXIT_FAILED = 1     # the run could not complete (see the message)
EXIT_AUTH = 3       # not signed in, or the sign-in was refused
EXIT_NETWORK = 4    # a service could not be reached
EXIT_CONFIG = 5     # keychain, database or settings unusable


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=str, ensure_ascii=False))


def run_with_service(body: Callable[[Any], Awaitable[int]]) -> int:
    """Build the service, run `body(service)`, turn core errors into one line on stderr and an exit code."""

    async def main() -> int:
        from bigbooks_desktop.service import BigBooksService

        service = BigBooksService()
        try:
            return await body(service)
        finally:
            await service.aclose()

    try:
        return asyncio.run(main())
    except AuthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_AUTH
    except TransientError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NETWORK
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except BigBooksError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
