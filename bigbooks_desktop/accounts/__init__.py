"""Account operations (Qt-free, async): connect, sign out, status, and clients built from stored credentials.

Secrets live in the credential vault (OS keychain): entry "bigcommerce" {access_token, store_hash} and
entry "freshbooks" {access_token, refresh_token, expires_at, scope, client_secret, refreshed_at,
refresh_started_at}. Everything else (base URLs, store name, chosen business) is non-secret and lives in
`connections.json` in the data folder. The service facade, the CLI and the GUI call these functions.

    connections        connections.json and the status shapes (ConnectionStatus, AccountsStatus)
    vault              which vault: keychain, or the file store on an explicit opt-in
    bigcommerce        API-account and app-install sign-in
    freshbooks         the FreshBooks app configuration and browser sign-in
    sandbox_sign_in    both accounts signed in to a running sandbox
    session            status and sign-out
    clients            clients built from stored credentials; the shared refreshing FreshBooks auth
"""

from __future__ import annotations

from bigbooks_desktop.accounts.bigcommerce import (
    BIGCOMMERCE_API_BASE,
    connect_bigcommerce_api_account,
    connect_bigcommerce_install,
)
from bigbooks_desktop.accounts.clients import (
    forget_shared_auth,
    open_bigcommerce_client,
    open_freshbooks_client,
)
from bigbooks_desktop.accounts.connections import (
    AccountsStatus,
    ConnectionStatus,
    connections_path,
    load_connections,
)
from bigbooks_desktop.accounts.freshbooks import (
    connect_freshbooks,
    freshbooks_app_from_config,
    save_freshbooks_sign_in,
)
from bigbooks_desktop.accounts.sandbox_sign_in import connect_sandbox
from bigbooks_desktop.accounts.session import SERVICES, sign_out, status
from bigbooks_desktop.accounts.vault import file_store_opted_in, make_vault

__all__ = [
    "BIGCOMMERCE_API_BASE",
    "SERVICES",
    "AccountsStatus",
    "ConnectionStatus",
    "connect_bigcommerce_api_account",
    "connect_bigcommerce_install",
    "connect_freshbooks",
    "connect_sandbox",
    "connections_path",
    "file_store_opted_in",
    "forget_shared_auth",
    "freshbooks_app_from_config",
    "load_connections",
    "make_vault",
    "open_bigcommerce_client",
    "open_freshbooks_client",
    "save_freshbooks_sign_in",
    "sign_out",
    "status",
]
