"""BigCommerce wire payloads into core types: v2 money strings and v3 numbers to Decimal, dates to aware UTC.

Every parser takes JSON already decoded with `parse_float=Decimal` (`core.money.json_loads`), so no amount
ever passes through a float. A payload that does not fit the model raises `BugError` naming the resource.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import pydantic

from bigbooks_desktop.connectors.bigcommerce.failures import SERVICE
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import BugError

__all__ = [
    "parse_coupon",
    "parse_customer",
    "parse_datetime",
    "parse_fee",
    "parse_fees",
    "parse_order",
    "parse_order_product",
    "parse_refund",
    "parse_shipping_address",
    "parse_store",
    "parse_tax",
    "parse_transaction",
    "parse_variant",
]

M = TypeVar("M", bound=pydantic.BaseModel)


def parse_datetime(value: Any) -> datetime | None:
    """RFC 2822 (v2), ISO 8601 (v3) or unix seconds into an aware datetime; "" and None give None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, int):
        result = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str):
        text = value.strip()
        if text[:1].isdigit():
            result = datetime.fromisoformat(text.replace("Z", "+00:00"))
        else:
            result = parsedate_to_datetime(text)
    else:
        raise ValueError(f"not a date: {value!r}")
    return result if result.tzinfo is not None else result.replace(tzinfo=UTC)


def _model(model: type[M], data: dict[str, Any], what: str) -> M:
    try:
        return model.model_validate(data)
    except (pydantic.ValidationError, ValueError, TypeError) as exc:
        ident = data.get("id", "?") if isinstance(data, dict) else "?"
        raise BugError(f"BigCommerce sent {what} data (id {ident}) that this version cannot read: {exc}",
                       service=SERVICE) from None


def _expect_object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise BugError(f"BigCommerce sent {what} data that is not a JSON object: {type(data).__name__}",
                       service=SERVICE)
    return data


def _dates(data: dict[str, Any], *names: str, what: str) -> dict[str, Any]:
    out = dict(data)
    for name in names:
        if name in out:
            try:
                out[name] = parse_datetime(out[name])
            except (TypeError, ValueError) as exc:
                raise BugError(f"BigCommerce sent {what} data with an unreadable {name} {out[name]!r}: {exc}",
                               service=SERVICE) from None
    return out


def _none_to_empty(data: dict[str, Any], *names: str) -> dict[str, Any]:
    # BigCommerce sends null for some strings the models keep as "" (e.g. `credit_card_type`, address parts).
    return {k: ("" if v is None and k in names else v) for k, v in data.items()}


def _blank_to_none(data: dict[str, Any], *names: str) -> dict[str, Any]:
    # Optional ids come as "" when unset (e.g. a shipping tax line's `order_product_id`).
    return {k: (None if v == "" and k in names else v) for k, v in data.items()}


_ADDRESS_TEXT = ("first_name", "last_name", "company", "street_1", "street_2", "city", "state", "zip",
                 "country", "country_iso2", "phone", "email", "shipping_method")


def parse_order(data: Any) -> bc.Order:
    raw = _expect_object(data, "order")
    raw = _dates(raw, "date_created", "date_modified", "date_shipped", what="order")
    raw = _none_to_empty(raw, "status", "custom_status", "currency_code", "default_currency_code",
                         "payment_method", "payment_status", "customer_message", "staff_notes",
                         "order_source")
    if isinstance(raw.get("billing_address"), dict):
        raw["billing_address"] = _none_to_empty(raw["billing_address"], *_ADDRESS_TEXT)
    raw = _blank_to_none(raw, "payment_provider_id", "channel_id")
    if raw.get("external_id") is not None and not isinstance(raw["external_id"], str):
        raw["external_id"] = str(raw["external_id"])
    if isinstance(raw.get("fees"), list):           # include=fees: the fee list itself
        raw["fees"] = [_fee_fields(f) for f in raw["fees"] if isinstance(f, dict)]
    else:                                           # without it: a {url, resource} link, so not known here
        raw.pop("fees", None)
    return _model(bc.Order, raw, "order")


def _fee_fields(data: dict[str, Any]) -> dict[str, Any]:
    return _none_to_empty(data, "type", "display_name_customer", "display_name_merchant", "source")


def parse_fee(data: Any) -> bc.OrderFee:
    return _model(bc.OrderFee, _fee_fields(_expect_object(data, "order fee")), "order fee")


def parse_fees(body: Any) -> list[bc.OrderFee]:
    """GET /v2/orders/{id}/fees: `{"fees": [...]}` in the spec's example; a bare list or 204 also read."""
    if body is None:
        return []
    if isinstance(body, dict) and "fees" in body:
        body = body["fees"]
    if not isinstance(body, list):
        raise BugError(f"BigCommerce sent order fees that are not a list: {type(body).__name__}", service=SERVICE)
    return [parse_fee(item) for item in body]


def parse_order_product(data: Any) -> bc.OrderProduct:
    raw = _none_to_empty(_expect_object(data, "order product"), "sku", "type")
    raw = _blank_to_none(raw, "variant_id", "parent_order_product_id")
    return _model(bc.OrderProduct, raw, "order product")


def parse_shipping_address(data: Any) -> bc.ShippingAddress:
    raw = _none_to_empty(_expect_object(data, "shipping address"), *_ADDRESS_TEXT)
    raw = _blank_to_none(raw, "order_id")
    return _model(bc.ShippingAddress, raw, "shipping address")


def parse_coupon(data: Any) -> bc.Coupon:
    raw = _blank_to_none(_none_to_empty(_expect_object(data, "coupon"), "code"), "coupon_id")
    return _model(bc.Coupon, raw, "coupon")


def parse_tax(data: Any) -> bc.OrderTax:
    raw = _none_to_empty(_expect_object(data, "order tax"), "name", "class", "line_item_type")
    raw = _blank_to_none(raw, "order_id", "order_product_id", "sales_tax_id", "tax_class_id")
    return _model(bc.OrderTax, raw, "order tax")


def _payment_method_display(raw: dict[str, Any]) -> str:
    offline = raw.get("offline")
    if isinstance(offline, dict) and offline.get("display_name"):
        return str(offline["display_name"])
    custom = raw.get("custom")
    if isinstance(custom, dict) and custom.get("payment_method"):
        return str(custom["payment_method"])
    return ""


def parse_transaction(data: Any) -> bc.Transaction:
    raw = _dates(_expect_object(data, "transaction"), "date_created", what="transaction")
    raw = _none_to_empty(raw, "method", "currency", "gateway", "gateway_transaction_id", "status")
    if isinstance(raw.get("order_id"), str) and raw["order_id"].strip().isdigit():
        raw["order_id"] = int(raw["order_id"])      # v3 transactions carry the order id as a string
    raw["payment_method_display"] = _payment_method_display(raw)
    if not isinstance(raw.get("reference_transaction_id"), int):
        raw["reference_transaction_id"] = None      # the 2021 spec's example sends {} for "none"
    return _model(bc.Transaction, raw, "transaction")


def parse_refund(data: Any) -> bc.Refund:
    raw = _dates(_expect_object(data, "refund"), "created", what="refund")
    raw = _blank_to_none(_none_to_empty(raw, "reason"), "user_id")
    raw["items"] = [_none_to_empty(i, "reason") for i in raw.get("items") or [] if isinstance(i, dict)]
    raw["payments"] = [_none_to_empty(p, "provider_id", "declined_message")
                       for p in raw.get("payments") or [] if isinstance(p, dict)]
    return _model(bc.Refund, raw, "refund")


def parse_customer(data: Any) -> bc.Customer:
    raw = _dates(_expect_object(data, "customer"), "date_modified", "date_created", what="customer")
    raw = _none_to_empty(raw, "email", "first_name", "last_name", "company", "phone")
    raw["addresses"] = [_none_to_empty(a, "first_name", "last_name", "company", "address1", "address2",
                                       "city", "state_or_province", "postal_code", "country_code", "phone",
                                       "address_type")
                        for a in raw.get("addresses") or [] if isinstance(a, dict)]
    return _model(bc.Customer, raw, "customer")


def parse_variant(data: Any, *, product_name: str = "") -> bc.Variant:
    raw = _none_to_empty(_expect_object(data, "variant"), "sku")
    if product_name and not raw.get("product_name"):
        raw["product_name"] = product_name
    return _model(bc.Variant, raw, "variant")


def parse_store(data: Any) -> bc.StoreInfo:
    raw = _none_to_empty(_expect_object(data, "store"), "domain", "currency", "plan_name", "plan_level",
                         "country_code")
    timezone = raw.get("timezone")
    if isinstance(timezone, dict):
        raw["timezone_name"] = timezone.get("name") or "UTC"
        raw["timezone_raw_offset"] = timezone.get("raw_offset") or 0
    return _model(bc.StoreInfo, raw, "store")
