"""BigCommerce catalog payloads (`GET /v3/catalog/products`, with `include=variants` or `include_fields=id`) and
the id-only reads of customers, into core types.

Shapes: catalog/products_catalog.v3.yml `product_Full` and `productVariant_Full` (in
/work/shared/reference/bigcommerce/specs/bigcommerce-docs/reference; SUMMARY.md §6): money is a JSON number
(read as Decimal by `core.money.json_loads`), `date_modified` ISO 8601, `description` HTML, a variant's `price`
null when it takes its product's, `option_values[]` `{label, option_display_name, ...}`. As in `wire`, a payload
that does not fit raises `UnreadableDataError` naming the resource, the record id and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import pydantic

from bigbooks_desktop.connectors.bigcommerce import wire
from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import UnreadableDataError

__all__ = ["parse_catalog_product", "parse_catalog_variant", "parse_record_id"]

M = TypeVar("M", bound=pydantic.BaseModel)

_PRODUCT = "catalog product"
_VARIANT = "catalog variant"


def _object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise wire.unreadable(f"not a JSON object but {type(data).__name__}", resource=what)
    return data


def _text(value: Any) -> Any:
    return "" if value is None else value


def _validated(model: type[M], fields: dict[str, Any], what: str, data: dict[str, Any]) -> M:
    try:
        return model.model_validate(fields)
    except pydantic.ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        field = ".".join(str(p) for p in first.get("loc", ()) if not isinstance(p, int)) or "(record)"
        more = exc.error_count() - 1
        said = str(first.get("msg", "not readable")) + (f" (and {more} more)" if more > 0 else "")
        raise wire.unreadable(said, resource=what, field=field, data=data) from None
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise wire.unreadable(f"{type(exc).__name__}: {exc}", resource=what, data=data) from None


def _option_values(raw: Any, data: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """`option_values[]` -> ((option_display_name, label), ...); each must be an object with text in both."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise wire.unreadable(f"not a list but {type(raw).__name__}", resource=_VARIANT, field="option_values",
                              data=data)
    pairs = []
    for value in raw:
        option = value.get("option_display_name") if isinstance(value, Mapping) else None
        label = value.get("label") if isinstance(value, Mapping) else None
        if not isinstance(label, str) or not isinstance(option, str | None):
            raise wire.unreadable(f"an option value without a text label: {value!r:.80}", resource=_VARIANT,
                                  field="option_values", data=data)
        pairs.append((option or "", label))
    return tuple(pairs)


def parse_catalog_variant(data: Any) -> bc.CatalogVariant:
    raw = _object(data, _VARIANT)
    fields = {
        "id": raw.get("id"),
        "product_id": raw.get("product_id"),
        "sku": _text(raw.get("sku")),
        "price": raw.get("price"),
        "calculated_price": raw.get("calculated_price"),
        "option_values": _option_values(raw.get("option_values"), raw),
        "inventory_level": raw.get("inventory_level"),
        "purchasing_disabled": bool(raw.get("purchasing_disabled") or False),
    }
    return _validated(bc.CatalogVariant, fields, _VARIANT, raw)


def _variants(variants: list[Any], product: dict[str, Any]) -> tuple[bc.CatalogVariant, ...]:
    """The product's variants; one that cannot be read makes the product unreadable (named by the product, so
    the sync can hold that product with its payload), the variant's own id and field in the message."""
    parsed = []
    for variant in variants:
        try:
            parsed.append(parse_catalog_variant(variant))
        except UnreadableDataError as exc:
            which = f"variant {exc.record_id}" if exc.record_id is not None else "a variant"
            raise wire.unreadable(f"{which}: {exc.what}", resource=_PRODUCT,
                                  field=f"variants.{exc.field or '(record)'}", data=product) from None
    return tuple(parsed)


def parse_catalog_product(data: Any) -> bc.CatalogProduct:
    """A product of `GET /v3/catalog/products` (variants only when read with include=variants)."""
    raw = _object(data, _PRODUCT)
    variants = raw.get("variants")
    if variants is not None and not isinstance(variants, list):
        raise wire.unreadable(f"not a list but {type(variants).__name__}", resource=_PRODUCT, field="variants",
                              data=raw)
    fields = {
        "id": raw.get("id"),
        "name": _text(raw.get("name")),
        "sku": _text(raw.get("sku")),
        "description_html": _text(raw.get("description")),
        "price": raw.get("price"),
        "calculated_price": raw.get("calculated_price"),
        "is_visible": True if raw.get("is_visible") is None else raw["is_visible"],
        "tax_class_id": raw.get("tax_class_id"),
        "inventory_level": raw.get("inventory_level"),
        "inventory_tracking": _text(raw.get("inventory_tracking")),
        "date_modified": wire.parse_datetime(raw.get("date_modified"), resource=_PRODUCT, field="date_modified",
                                             data=raw),
        "variants": _variants(variants or [], raw),
    }
    if not isinstance(fields["is_visible"], bool):      # not pydantic's lax "yes"/"on"/1
        raise wire.unreadable(f"not true or false: {fields['is_visible']!r:.40}", resource=_PRODUCT,
                              field="is_visible", data=raw)
    return _validated(bc.CatalogProduct, fields, _PRODUCT, raw)


def parse_record_id(data: Any, *, resource: str) -> int:
    """The positive whole `id` of a record read for its id alone (`include_fields=id`)."""
    raw = _object(data, resource)
    ident = raw.get("id")
    if isinstance(ident, bool) or not isinstance(ident, int) or ident <= 0:
        raise wire.unreadable(f"no positive whole id: {ident!r:.40}", resource=resource, field="id", data=raw)
    return ident
