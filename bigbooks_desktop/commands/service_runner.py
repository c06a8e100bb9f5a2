"""How the headless verbs run a service coroutine: one event loop, errors as one clear line, exit codes."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bigbooks_desktop.core.errors import AuthError, BigBooksError, ConfigurationError, TransientError

if TYPE_CHECKING:  # imported when a verb runs, so `bigbooks --help` stays fast
    from bigbooks_desktop.service import BigBooksService

__all__ = ["EXIT_AUTH", "EXIT_CONFIG", "EXIT_FAILED", "EXIT_NETWORK", "damaged_database", "run_with_service"]

EXIT_FAILED = 1     # the run could not complete (see the message)
EXIT_AUTH = 3       # not signed in, or the sign-in was refused
EXIT_NETWORK = 4    # a service could not be reached
EXIT_CONFIG = 5     # keychain, database or settings unusable


def run_with_service(body: Callable[[BigBooksService], Awaitable[int]]) -> int:
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
    except Exception as exc:
        damaged = damaged_database(exc)
        if damaged is None:
            raise
        print(f"error: {damaged}", file=sys.stderr)
        return EXIT_CONFIG


# SQLite's words for a file it cannot read: SQLITE_CORRUPT and SQLITE_NOTADB (https://www.sqlite.org/rescode.html).
_DAMAGE_WORDS = ("malformed", "not a database", "corrupt")


def damaged_database(exc: BaseException) -> ConfigurationError | None:
    """The clear error for a damaged sync database met by a query after opening (a bad page opens fine and
    fails later with peewee's DatabaseError), or None when `exc` is something else (a bug: raised as it is)."""
    from peewee import DatabaseError

    if not isinstance(exc, DatabaseError) or not any(word in str(exc).lower() for word in _DAMAGE_WORDS):
        return None
    from bigbooks_desktop.store.db import damaged_database_error

    return damaged_database_error(exc)
