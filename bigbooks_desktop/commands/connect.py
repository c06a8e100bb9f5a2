"""`bigbooks connect` and `bigbooks disconnect`: sign in to BigCommerce, FreshBooks or a sandbox; sign out."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
import threading
import webbrowser
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bigbooks_desktop.commands import Subparsers
from bigbooks_desktop.commands.jsonout import print_json

if TYPE_CHECKING:  # imported when the verb runs, so `bigbooks --help` stays fast
    from bigbooks_desktop.accounts import AccountsStatus, ConnectionStatus
    from bigbooks_desktop.core.freshbooks import Business

__all__ = ["register"]

CONNECT_HELP = """\
examples:
  bigbooks connect bigcommerce --api-path https://api.bigcommerce.com/stores/abc123/v3/   (token on stdin
      or in BIGBOOKS_BC_TOKEN; never as a flag)
  bigbooks connect bigcommerce --install --client-id ID   (secret in BIGBOOKS_BC_CLIENT_SECRET; the app's
      registered auth callback: https://localhost:53682/auth)
  bigbooks connect freshbooks [--redirect loopback|https|paste] [--account-id ID]
      (app credentials in BIGBOOKS_FRESHBOOKS_CLIENT_ID / BIGBOOKS_FRESHBOOKS_CLIENT_SECRET)
  bigbooks connect sandbox http://127.0.0.1:PORT/_sandbox
Tokens are kept in the OS keychain. Without one, add --insecure-file-store to keep them in a file
readable only by you (or set BIGBOOKS_ALLOW_FILE_SECRETS=1).
"""


class _SandboxOnly(argparse.Action):
    """`admin_url` is for `connect sandbox` only: after `bigcommerce` or `freshbooks` a word there is a typo
    (e.g. `connect freshbooks sandbox`), refused with exit 2 rather than silently ignored."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        if values is not None and getattr(namespace, "service", None) != "sandbox":
            raise argparse.ArgumentError(self, f"unexpected {values!r}: only `bigbooks connect sandbox` takes "
                                               "an admin URL")
        setattr(namespace, self.dest, values)


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "connect",
        help="sign in to BigCommerce, FreshBooks or a local sandbox",
        description="Sign in to a service and keep its tokens in the OS keychain.",
        epilog=CONNECT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("service", choices=("bigcommerce", "freshbooks", "sandbox"))
    parser.add_argument("admin_url", nargs="?", action=_SandboxOnly,
                        help="sandbox only: the sandbox's admin URL")
    parser.add_argument("--api-path", help="bigcommerce: the API path of a store-level API account")
    parser.add_argument("--install", action="store_true", help="bigcommerce: install the app through OAuth")
    parser.add_argument("--login-url", default=None, help="bigcommerce --install: login host")
    parser.add_argument("--api-base", default=None, help="bigcommerce --install: API host")
    parser.add_argument("--client-id", default=None, help="app client id (else from the environment)")
    parser.add_argument("--auth-url", default=None, help="freshbooks: consent host")
    parser.add_argument("--api-url", default=None, help="freshbooks: API host")
    parser.add_argument(
        "--redirect",
        choices=("loopback", "https", "paste"),
        default=None,
        help="freshbooks: how the browser hands back the sign-in (default: https for FreshBooks itself, "
        "which only accepts https redirects; loopback for other hosts)",
    )
    parser.add_argument(
        "--port", type=int, default=None,
        help="port on 127.0.0.1 for the browser's answer (default: 53682 for the BigCommerce install and "
        "FreshBooks' https/paste redirects, any free port for the http loopback)"
    )
    parser.add_argument("--account-id", default=None, help="freshbooks/sandbox: the business to use")
    parser.add_argument(
        "--no-browser", action="store_true", help="print the URL instead of opening a browser"
    )
    parser.add_argument("--wait", type=float, default=600.0, help="seconds to wait for the browser (600)")
    parser.add_argument(
        "--insecure-file-store",
        action="store_true",
        help="without a keychain, keep tokens in a 0600 file in the data folder",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run_connect)

    out = subparsers.add_parser(
        "disconnect",
        help="sign out of a service and forget its tokens",
        description="Sign out: remove the tokens from the keychain (and any file).",
    )
    out.add_argument("service", choices=("bigcommerce", "freshbooks", "all"))
    out.add_argument("--insecure-file-store", action="store_true", help=argparse.SUPPRESS)
    out.set_defaults(handler=run_disconnect)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _opener(args: argparse.Namespace) -> Callable[[str], None]:
    def open_browser(url: str) -> None:
        if args.no_browser:
            return
        try:
            webbrowser.open(url)
        except webbrowser.Error:
            pass  # the URL was printed; the user can open it by hand

    return open_browser


def _stdin_line_reader(prompt: str) -> Callable[[], Awaitable[str]]:
    """An async read of one stdin line, on a daemon thread so an unanswered read never blocks exit."""

    async def read() -> str:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str] = loop.create_future()

        def worker() -> None:
            line = sys.stdin.readline()
            if not line:
                return  # stdin closed: only the loopback can answer
            def deliver() -> None:
                if not future.done():
                    future.set_result(line)

            loop.call_soon_threadsafe(deliver)

        _say(prompt)
        threading.Thread(target=worker, name="paste-reader", daemon=True).start()
        return await future

    return read


def _choose_business(businesses: tuple[Business, ...]) -> str:
    if not sys.stdin.isatty():
        _say(
            f"Several FreshBooks businesses; using {businesses[0].name} ({businesses[0].account_id}). "
            "Choose another with --account-id."
        )
        return str(businesses[0].account_id)
    for index, business in enumerate(businesses, 1):
        _say(f"  {index}. {business.name} (account {business.account_id}, {business.role})")
    while True:
        answer = input("Which business should BigBooks Desktop use? [1] ").strip() or "1"
        if answer.isdigit() and 1 <= int(answer) <= len(businesses):
            return str(businesses[int(answer) - 1].account_id)


def _bigcommerce_token() -> str:
    token = os.environ.get("BIGBOOKS_BC_TOKEN", "")
    if token:
        return token
    if sys.stdin.isatty():
        return getpass.getpass("BigCommerce access token (input hidden): ")
    return sys.stdin.readline().strip()


async def _connect(args: argparse.Namespace) -> AccountsStatus | ConnectionStatus:
    from bigbooks_desktop import accounts

    store = args.insecure_file_store
    if args.service == "sandbox":
        if not args.admin_url:
            raise SystemExit(
                "bigbooks connect sandbox needs the sandbox's admin URL (printed by `bigbooks sandbox`)"
            )
        return await accounts.connect_sandbox(
            args.admin_url, account_id=args.account_id, allow_file_store=store
        )
    if args.service == "bigcommerce":
        if args.install:
            from bigbooks_desktop.connectors.bigcommerce.install import DEFAULT_LOGIN_URL

            client_id = args.client_id or os.environ.get("BIGBOOKS_BC_CLIENT_ID", "")
            secret = os.environ.get("BIGBOOKS_BC_CLIENT_SECRET", "")
            if not client_id or not secret:
                raise SystemExit(
                    "--install needs the app's client id (--client-id or BIGBOOKS_BC_CLIENT_ID) and "
                    "secret (BIGBOOKS_BC_CLIENT_SECRET)"
                )
            return await accounts.connect_bigcommerce_install(
                login_url=args.login_url or DEFAULT_LOGIN_URL,
                client_id=client_id,
                client_secret=secret,
                api_base=args.api_base or accounts.BIGCOMMERCE_API_BASE,
                port=args.port,
                wait_seconds=args.wait,
                open_browser=_opener(args),
                allow_file_store=store,
                on_url=lambda url: _say(f"Open this address to install the app:\n  {url}"),
            )
        if not args.api_path:
            raise SystemExit("bigbooks connect bigcommerce needs --api-path URL (or --install)")
        return await accounts.connect_bigcommerce_api_account(
            args.api_path, _bigcommerce_token(), allow_file_store=store
        )
    from bigbooks_desktop.connectors.freshbooks.oauth import DEFAULT_AUTH_URL

    app = accounts.freshbooks_app_from_config(
        client_id=args.client_id, auth_url=args.auth_url, api_url=args.api_url
    )
    return await accounts.connect_freshbooks(
        app=app,
        open_browser=_opener(args),
        redirect=args.redirect or ("https" if app.auth_url == DEFAULT_AUTH_URL else "loopback"),
        port=args.port,
        account_id=args.account_id,
        choose_business=_choose_business,
        wait_seconds=args.wait,
        allow_file_store=store,
        read_pasted=_stdin_line_reader(
            "After approving, the browser returns here by itself. If it shows an error "
            "page instead, paste its full address (or the code) here and press Enter."
        ),
        on_url=lambda url: _say(f"Open this address to sign in to FreshBooks:\n  {url}"),
    )


def _describe(result: AccountsStatus | ConnectionStatus) -> str:
    from bigbooks_desktop.accounts import AccountsStatus

    items = [result.bigcommerce, result.freshbooks] if isinstance(result, AccountsStatus) else [result]
    lines = []
    for item in items:
        if item.service == "bigcommerce":
            plan = f", plan {item.plan}" if item.plan else ""
            lines.append(f"BigCommerce: connected to {item.account_name} (store {item.account_id}{plan})")
        else:
            lines.append(
                f"FreshBooks: signed in as {item.user_email} to {item.account_name} "
                f"(account {item.account_id})"
            )
    return "\n".join(lines)


def run_connect(args: argparse.Namespace) -> int:
    from bigbooks_desktop import accounts
    from bigbooks_desktop.core.errors import BigBooksError
    from bigbooks_desktop.core.paths import data_dir

    try:
        result = asyncio.run(_connect(args))
    except BigBooksError as exc:
        _say(str(exc))
        return 2 if exc.kind in ("auth", "config", "permission", "validation") else 1
    if accounts.make_vault(allow_file_store=args.insecure_file_store).uses_file_store:
        _say(
            "WARNING: no keychain on this computer; the tokens are in an unencrypted file readable only by "
            f"your user account: {data_dir() / 'secrets.json'}"
        )
    if args.json:
        print_json(result.to_dict())
    else:
        print(_describe(result))
    return 0


def run_disconnect(args: argparse.Namespace) -> int:
    from bigbooks_desktop import accounts
    from bigbooks_desktop.core.errors import BigBooksError

    try:
        asyncio.run(accounts.sign_out(args.service, allow_file_store=args.insecure_file_store))
    except BigBooksError as exc:
        _say(str(exc))
        return 2
    print(f"Signed out of {'both services' if args.service == 'all' else args.service}.")
    return 0
