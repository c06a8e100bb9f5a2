"""Store-level API accounts: reading the API path BigCommerce shows and checking that the token works."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bigbooks_desktop.connectors.bigcommerce.failures import SERVICE
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import AuthRevokedError, ConfigurationError, NotFoundError

if TYPE_CHECKING:
    from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient

__all__ = ["check_api_account", "parse_api_path"]

_API_PATH = re.compile(
    r"^(?P<base>https?://[^\s?#]+?/stores/(?P<hash>[A-Za-z0-9_-]+))(?:/v[23])?/*$", re.IGNORECASE)


def parse_api_path(url: str) -> tuple[str, str]:
    """`https://api.bigcommerce.com/stores/{hash}/v3/` (or `/v2/`, or no version) -> (base_url, store_hash).

    `base_url` is the part up to and including the store hash, without a trailing slash; requests add
    `/v2/...` or `/v3/...` to it. Any host is accepted (the local sandbox serves the same paths).
    """
    text = (url or "").strip()
    match = _API_PATH.match(text)
    if match is None:
        raise ConfigurationError(
            f"'{text}' is not a BigCommerce API path. Copy the API path from the store-level API account; it "
            "looks like https://api.bigcommerce.com/stores/abc123/v3/", title="API path not recognised",
            service=SERVICE)
    return match.group("base"), match.group("hash")


async def check_api_account(client: BigCommerceClient) -> bc.StoreInfo:
    """Ask BigCommerce for the store behind the client's token and hash (GET /v2/store).

    Raises `AuthRevokedError` when the token is wrong or its API account was deleted, `NotFoundError` when no
    store has that hash, `PermissionDeniedError` when the account lacks the Information scope, and the usual
    transient errors when BigCommerce cannot be reached.
    """
    try:
        store = await client.get_store()
    except AuthRevokedError as exc:
        raise AuthRevokedError(
            "BigCommerce did not accept this access token. Check that it was copied whole from the "
            "store-level API account, and that the account still exists in the control panel.",
            title="Access token not accepted", service=SERVICE, status=exc.status) from None
    except NotFoundError as exc:
        raise NotFoundError(
            f"BigCommerce has no store with hash '{client.store_hash}'. Check the API path copied from the "
            "API account (the part after /stores/).", title="Store not found", service=SERVICE,
            status=exc.status) from None
    if store.id and store.id.lower() != client.store_hash.lower():
        raise ConfigurationError(
            f"The token belongs to store '{store.id}', but the API path names store '{client.store_hash}'. "
            "Use the API path and token of the same API account.", title="Token and store do not match",
            service=SERVICE)
    return store
