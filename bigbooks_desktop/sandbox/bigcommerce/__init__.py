"""The BigCommerce half of the sandbox: a generated store served through the v2/v3 API and the login host."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.routing import BaseRoute

from bigbooks_desktop.core.jsonwire import dumps
from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.sandbox import generator  # module import: generator imports this package too
from bigbooks_desktop.sandbox.bigcommerce import catalog_admin, live
from bigbooks_desktop.sandbox.bigcommerce.oauth import ACCOUNT_UUID, login_routes
from bigbooks_desktop.sandbox.bigcommerce.ratelimit import RateWindow
from bigbooks_desktop.sandbox.bigcommerce.routes_v2 import render_order, v2_routes
from bigbooks_desktop.sandbox.bigcommerce.routes_v3 import public_product, v3_routes
from bigbooks_desktop.sandbox.bigcommerce.wire import render_v2
from bigbooks_desktop.sandbox.config import SandboxConfig

__all__ = ["BigCommerceSandbox", "RateWindow"]

STORE_NAME = "Nørdic Café Supply ✦ Sandbox"


class BigCommerceSandbox:
    """One emulated store: generated data, its API routes, and the admin mutators."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.issued_tokens: set[str] = set()  # access tokens from the app OAuth flow
        self.oauth_codes: dict[str, str] = {}  # unused authorization code -> its redirect_uri
        self.rate = RateWindow(
            quota=config.bc_quota, window_seconds=config.window_seconds(), clock=config.clock
        )
        self.store: generator.GeneratedStore
        self._index: dict[int, dict[str, Any]] = {}
        self.reset()

    # -- state ---------------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Regenerate the store from config and start a fresh rate-limit window (issued tokens stay valid)."""
        self.store = generator.generate_store(orders=self.config.orders, seed=self.config.seed,
                                              books_known_share=self.config.books_known_share,
                                              products=self.config.products, customers=self.config.customers)
        self._index = {r["order"]["id"]: r for r in self.store.orders}
        self.oauth_codes.clear()
        self.rate = RateWindow(
            quota=self.config.bc_quota, window_seconds=self.config.window_seconds(), clock=self.config.clock
        )

    def routes(self) -> list[BaseRoute]:
        return [*v2_routes(self), *v3_routes(self), *login_routes(self)]

    def token_is_valid(self, token: str) -> bool:
        return bool(token) and (token == self.config.bigcommerce_token or token in self.issued_tokens)

    def record(self, order_id: int) -> dict[str, Any] | None:
        return self._index.get(order_id)

    def records(self) -> list[dict[str, Any]]:
        return self.store.orders

    def store_name(self) -> str:
        return STORE_NAME

    def store_information(self) -> dict[str, Any]:
        """GET /v2/store."""
        h = self.config.store_hash
        return {
            "id": h,
            "account_uuid": ACCOUNT_UUID,
            "domain": f"{h}.sandbox.example",
            "secure_url": f"https://{h}.sandbox.example",
            "control_panel_base_url": f"https://store-{h}.mybigcommerce.com",
            "status": "live",
            "name": STORE_NAME,
            "first_name": "Søren",
            "last_name": "Ødegaard",
            "address": "1 Sandbox Way, Austin TX 78701",
            "country": "United States",
            "country_code": "US",
            "phone": "555-0100",
            "admin_email": "owner@sandbox.example",
            "order_email": "orders@sandbox.example",
            "favicon_url": "",
            "timezone": {
                "name": "America/Chicago",
                "raw_offset": -21600,
                "dst_offset": -18000,
                "dst_correction": True,
                "date_format": {
                    "display": "M jS Y",
                    "export": "M jS Y",
                    "extended_display": "M jS Y @ g:i A",
                },
            },
            "language": "en",
            "currency": "USD",
            "currency_symbol": "$",
            "decimal_separator": ".",
            "thousands_separator": ",",
            "decimal_places": 2,
            "currency_symbol_location": "left",
            "weight_units": "Ounces",
            "dimension_units": "Inches",
            "dimension_decimal_places": 2,
            "dimension_decimal_token": ".",
            "dimension_thousands_token": ",",
            "plan_name": "Standard",
            "plan_level": "Standard",
            "plan_is_trial": False,
            "industry": "Retail",
            "logo": {"url": ""},
            "is_price_entered_with_tax": False,
            "store_id": 1000123,
            "default_channel_id": 1,
            "default_site_id": 1000,
            "active_comparison_modules": [],
            "features": {},
        }

    # -- snapshots -----------------------------------------------------------------------------------------
    def _wire_order(self, record: dict[str, Any]) -> dict[str, Any]:
        body = render_order(self.config.store_hash, record["order"], fees=record["fees"])
        body.update(
            products=render_v2(record["products"]),
            shipping_addresses=render_v2(record["shipping_addresses"]),
            coupons=render_v2(record["coupons"], numbers=True),
            taxes=render_v2(record["taxes"]),
            transactions=record["transactions"],
            refunds=record["refunds"],
        )
        return dict(json_loads(dumps(body)))

    def dump(self) -> dict[str, Any]:
        """Every order as the API shows it, with sub-resources, transactions and refunds inlined; the catalog's
        products with their variants, and the customers (for tests that check catalog and customer sync)."""
        return {"orders": [self._wire_order(r) for r in self.store.orders],
                "products": [dict(json_loads(dumps(p))) for p in self.store.products],
                "customers": [dict(json_loads(dumps(c))) for c in self.store.customers]}

    def books_catalog(self) -> list[dict[str, Any]]:
        """The SKUs FreshBooks should already know as items (about 75% of the catalog's variant SKUs)."""
        known = set(self.store.books_skus)
        rows = []
        for product in self.store.products:
            for variant in product["variants"]:
                if variant["sku"] in known:
                    labels = " / ".join(v["label"] for v in variant["option_values"])
                    rows.append(
                        {
                            "sku": variant["sku"],
                            "name": f"{product['name']} - {labels}" if labels else product["name"],
                            "price": Decimal(variant["price"]),
                        }
                    )
        return rows

    # -- live-store simulation (admin API) -----------------------------------------------------------------
    def _need(self, order_id: int) -> dict[str, Any]:
        record = self.record(order_id)
        if record is None:
            raise KeyError(f"no order {order_id}")
        return record

    def _order_json(self, record: dict[str, Any]) -> dict[str, Any]:
        return dict(json_loads(dumps(render_order(self.config.store_hash, record["order"]))))

    def add_order(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        record = live.add_order(
            self.store, seed=self.config.seed, now=self.config.clock(), overrides=overrides
        )
        self._index[record["order"]["id"]] = record
        return self._order_json(record)

    def update_order(self, order_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        record = self._need(order_id)
        live.update_order(self.store, record, changes, now=self.config.clock())
        return self._order_json(record)

    def add_refund(
        self,
        order_id: int,
        amount: Decimal | None = None,
        reason: str = "",
        *,
        items: list[dict[str, Any]] | None = None,
        to: str = "gateway",
    ) -> dict[str, Any]:
        """A refund of `items` when given, else an untaxed ORDER-level `amount`, else of everything left;
        paid back to the gateways or (`to="store_credit"`) as store credit."""
        refund = live.add_refund(
            self.store, self._need(order_id), amount, reason, now=self.config.clock(), items=items, to=to
        )
        return dict(json_loads(dumps(refund)))

    def add_transaction(
        self, order_id: int, amount: Decimal, *, gateway: str = "stripe", event: str = "capture"
    ) -> dict[str, Any]:
        tx = live.add_transaction(
            self.store, self._need(order_id), amount, gateway=gateway, event=event, now=self.config.clock()
        )
        return dict(json_loads(dumps(tx)))

    # -- catalogue and customer edits (admin API; rules and sources in catalog_admin) ----------------------
    def _wire(self, value: dict[str, Any]) -> dict[str, Any]:
        return dict(json_loads(dumps(value)))

    def update_product(self, product_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """The product as `GET /v3/catalog/products?include=variants` shows it after the edit."""
        product = catalog_admin.update_product(self.store, product_id, changes, now=self.config.clock())
        return self._wire(public_product(product))

    def update_variant(self, variant_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        return self._wire(catalog_admin.update_variant(self.store, variant_id, changes, now=self.config.clock()))

    def update_customer(self, customer_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """The customer as `GET /v3/customers?include=addresses` shows it after the edit."""
        customer = catalog_admin.update_customer(self.store, customer_id, changes, now=self.config.clock())
        return self._wire({k: v for k, v in customer.items() if not k.startswith("_")})

    def delete_product(self, product_id: int) -> None:
        catalog_admin.delete_product(self.store, product_id)

    def delete_variant(self, variant_id: int) -> None:
        catalog_admin.delete_variant(self.store, variant_id, now=self.config.clock())

    def delete_customer(self, customer_id: int) -> None:
        catalog_admin.delete_customer(self.store, customer_id)
