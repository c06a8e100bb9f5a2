"""Non-secret connection settings (`connections.json` in the data folder) and the status shapes from them.

`connections.json` holds base URLs, the store name and plan, the chosen FreshBooks business and the user's
email: nothing that grants access. Tokens live in the credential vault only.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bigbooks_desktop.core import paths

__all__ = [
    "AccountsStatus",
    "ConnectionStatus",
    "bigcommerce_status",
    "connections_path",
    "freshbooks_status",
    "load_connections",
    "save_connections",
    "update_connections",
]


# -- non-secret connection settings ------------------------------------------------------------------------
def connections_path() -> Path:
    return paths.data_dir() / "connections.json"


def load_connections() -> dict[str, Any]:
    try:
        data = json.loads(connections_path().read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def save_connections(data: dict[str, Any]) -> None:
    path = connections_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def update_connections(**changes: Any) -> None:
    data = load_connections()
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    save_connections(data)


# -- status shapes -----------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class ConnectionStatus:
    """One service's sign-in as the user sees it. Never holds a token."""

    service: str
    connected: bool
    account_name: str = ""  # store name / FreshBooks business name
    account_id: str = ""  # store hash / FreshBooks account id
    user_email: str = ""
    plan: str = ""  # BigCommerce plan name
    method: str = ""  # "api_account", "app_install", "oauth", "sandbox"
    base_url: str = ""  # API path / API URL
    token_expires_at: str = ""  # FreshBooks access-token expiry (ISO)
    last_refresh_at: str = ""
    refresh_interrupted: bool = False
    problem: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class AccountsStatus:
    bigcommerce: ConnectionStatus
    freshbooks: ConnectionStatus
    keychain: str
    keychain_available: bool
    insecure_file_store: bool
    data_dir: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "bigcommerce": self.bigcommerce.to_dict(),
            "freshbooks": self.freshbooks.to_dict(),
            "keychain": self.keychain,
            "keychain_available": self.keychain_available,
            "insecure_file_store": self.insecure_file_store,
            "data_dir": self.data_dir,
        }


def bigcommerce_status(
    conn: dict[str, Any], entry: dict[str, Any] | None, problem: str = ""
) -> ConnectionStatus:
    info = conn.get("bigcommerce") or {}
    if not info or entry is None:
        return ConnectionStatus(service="bigcommerce", connected=False, problem=problem)
    return ConnectionStatus(
        service="bigcommerce",
        connected=True,
        account_name=info.get("store_name", ""),
        account_id=info.get("store_hash", ""),
        plan=info.get("plan_name", ""),
        method=info.get("method", ""),
        base_url=info.get("api_path", ""),
        problem=problem,
    )


def freshbooks_status(
    conn: dict[str, Any], entry: dict[str, Any] | None, problem: str = ""
) -> ConnectionStatus:
    info = conn.get("freshbooks") or {}
    if not info or entry is None:
        return ConnectionStatus(service="freshbooks", connected=False, problem=problem)
    interrupted = bool(entry.get("refresh_started_at"))
    return ConnectionStatus(
        service="freshbooks",
        connected=True,
        account_name=info.get("business_name", ""),
        account_id=info.get("account_id", ""),
        user_email=info.get("user_email", ""),
        method=info.get("method", ""),
        base_url=info.get("api_url", ""),
        token_expires_at=str(entry.get("expires_at") or ""),
        last_refresh_at=str(entry.get("refreshed_at") or ""),
        refresh_interrupted=interrupted,
        problem=problem
        or (
            "a token refresh was interrupted; if FreshBooks refuses the saved sign-in, sign in again"
            if interrupted
            else ""
        ),
    )
