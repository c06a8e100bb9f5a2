"""BigCommerce wire payloads into core types: v2 money strings and v3 numbers to Decimal, dates to aware UTC.

Every parser takes JSON already decoded with `parse_float=Decimal` (`core.money.json_loads`), so no amount
ever passes through a float. A payload that does not fit the model raises `UnreadableDataError` ("BigCommerce
sent data BigBooks cannot read: order 118 field date_created: ...") carrying the resource, the record id, the
field and the payload, so the order can wait in the inbox with what BigCommerce sent. `BugError` stays for our
own mistakes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import pydantic

from bigbooks_desktop.connectors.bigcommerce.failures import SERVICE
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import UnreadableDataError

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
    "unreadable",
]

M = TypeVar("M", bound=pydantic.BaseModel)


def _record_id(data: Any) -> int | str | None:
    """The record's `id` for a message (only a plain int or short string: anything else is not an id)."""
    ident = data.get("id") if isinstance(data, Mapping) else None
    if isinstance(ident, int) and not isinstance(ident, bool):
        return ident
    if isinstance(ident, str) and ident.strip() and len(ident) <= 40:
        return ident.strip()
    return None


def unreadable(what: str, *, resource: str, field: str | None = None, data: Any = None) -> UnreadableDataError:
    """The error for a BigCommerce record (`data`, kept as the payload) BigBooks cannot read."""
    return UnreadableDataError(what, service=SERVICE, resource=resource, record_id=_record_id(data),
                               field=field, payload=data if isinstance(data, Mapping) else None)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def parse_datetime(value: Any, *, resource: str = "time", field: str | None = None,
                   data: Any = None) -> datetime | None:
    """RFC 2822 (v2), ISO 8601 (v3) or unix seconds into an aware datetime; "" and None give None.

    Anything else (text that is no date, a number out of range, a date whose UTC moment does not exist) raises
    UnreadableDataError naming `resource` and `field` (v2 dates are RFC 2822 per `orders.v2.oas2.yml`,
    `/v2/time` answers unix seconds per `store_information.v2.yml` in
    /work/shared/reference/bigcommerce/specs/bigcommerce-docs/reference).
    """
    if value is None or value == "":
        return None
    try:
        if isinstance(value, datetime):
            result = value
        elif isinstance(value, int) and not isinstance(value, bool):
            result = datetime.fromtimestamp(value, UTC)
        elif isinstance(value, str):
            text = value.strip()
            if text[:1].isdigit():
                result = datetime.fromisoformat(text.replace("Z", "+00:00"))
            else:
                result = parsedate_to_datetime(text)
        else:
            raise ValueError("not a date")
        result = result if result.tzinfo is not None else result.replace(tzinfo=UTC)
        result.astimezone(UTC)                  # its UTC moment exists (year 1 at +01:00 does not)
    except (ValueError, TypeError, OverflowError, OSError, IndexError) as exc:
        raise unreadable(f"not a date: {_short(value)} ({exc or type(exc).__name__})", resource=resource,
                         field=field, data=data) from None
    return result


def _field_of(error: Any) -> str:
    loc = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
    return ".".join(loc) or "(record)"


def _model(model: type[M], data: dict[str, Any], what: str) -> M:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        more = exc.error_count() - 1
        said = str(first.get("msg", "not readable")) + (f" (and {more} more)" if more > 0 else "")
        raise unreadable(said, resource=what, field=_field_of(first), data=data) from None
    except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
        raise unreadable(f"{type(exc).__name__}: {exc}", resource=what, data=data) from None


def _expect_object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise unreadable(f"not a JSON object but {type(data).__name__}", resource=what)
    return data


def _dates(data: dict[str, Any], *names: str, what: str) -> dict[str, Any]:
    out = dict(data)
    for name in names:
        if name in out:
            out[name] = parse_datetime(out[name], resource=what, field=name, data=data)
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
    """GET /v2/orders/{id}/fees: `{"fees": [...]}` in the spec's example; a bare list or 204 also read, and a
    single fee object, which is what the spec's schema for that answer (`orderFees_Resp`) describes
    (orders.v2.oas2.yml, `/orders/{order_id}/fees`, in /work/shared/reference/bigcommerce/specs/...)."""
    if body is None:
        return []
    if isinstance(body, dict) and "fees" in body:
        body = body["fees"]
    elif isinstance(body, dict):
        body = [body]
    if not isinstance(body, list):
        raise unreadable(f"not a list but {type(body).__name__}", resource="order fees")
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
    order_id = raw.get("order_id")
    if isinstance(order_id, str) and order_id.strip().isascii() and order_id.strip().isdigit():  # not "²"
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
