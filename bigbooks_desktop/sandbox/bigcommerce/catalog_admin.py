"""The admin API's catalogue and customer edits: a merchant renaming, repricing, hiding or deleting a product or a
variant, or changing a customer's names, contacts or first address, as BigCommerce's control panel would.

Sources (in /work/shared/reference/bigcommerce/specs/bigcommerce-docs/reference, `P3` =
catalog/products_catalog.v3.yml, `C3` = customers.v3.yml):
- every edit moves the edited record's `date_modified` ("The date on which the product was modified", `P3`
  product_Full; `C3` customer_Full) to the store's clock;
- a variant has no `date_modified` of its own (`P3` productVariant_Full has none), so a poll of
  `/v3/catalog/products?date_modified:min=` could never see a variant change unless its product's date moves.
  ASSUMPTION: an edit of a variant moves its product's `date_modified` too. BigCommerce fires
  `store/product/updated` for variant changes (bigcommerce/dev-docs#735 added "variant deleted" to the fields
  that trigger it), which is the nearest public statement; no document says so of `date_modified` itself;
- a variant whose `price` is null takes "the product's default price (set in the Product resource's `price`
  field)" (`P3` productVariant_Base `price`). The generator writes that inherited price out on every variant, so
  a variant whose price equals its product's follows a product reprice, as a null-priced variant would; a variant
  with a price of its own (e.g. a larger size) keeps it;
- SKUs are unique: "The SKU is always unique regardless of the letter case for both products and variants" (`P3`
  productVariant_Full `sku`). An edit to a SKU in use is refused with 409, unless the body says
  `"allow_duplicate_sku": true`: a sandbox-only switch so the sync's "SKU shared by two products" conflict can be
  tested (a real store gets there through edits between two reads, never at one moment);
- a variant has no name and no `is_visible`: its name as the books show it is its product's name with its option
  values (`option_values[].label`), so `name` on a variant renames its option value (a base variant, with no
  option, has nothing to rename: 422), and `is_visible` sets `purchasing_disabled` (its negation), the variant's
  own "cannot be bought" flag (`P3` productVariant_Base `purchasing_disabled`);
- deleting is final: `DELETE /catalog/products/{id}` "Deletes a *Product*" (`P3`) and `DELETE /customers`
  deletes customers (`C3`); neither list has a deleted flag or a filter for deleted records (unlike v2 orders'
  `is_deleted`), so a deleted product or customer is simply absent from the lists; the only deletion signals are
  the `store/product/deleted`, `store/sku/deleted` and `store/customer/deleted` webhooks
  (docs/webhooks/callbacks/*.yml). Deleting a product deletes its variants; deleting a product's last variant is
  refused (a product always has at least its base variant, `P3` product_Full `base_variant_id`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from bigbooks_desktop.core.money import MoneyParseError, to_decimal
from bigbooks_desktop.sandbox import generator  # module import: generator imports this package too

if TYPE_CHECKING:
    from bigbooks_desktop.sandbox.generator.store import GeneratedStore

__all__ = [
    "ADDRESS_FIELDS",
    "CUSTOMER_FIELDS",
    "PRODUCT_FIELDS",
    "VARIANT_FIELDS",
    "CatalogEditError",
    "delete_customer",
    "delete_product",
    "delete_variant",
    "update_customer",
    "update_product",
    "update_variant",
]

PRODUCT_FIELDS = ("name", "price", "sku", "is_visible")
VARIANT_FIELDS = ("name", "price", "sku", "is_visible")
CUSTOMER_FIELDS = ("first_name", "last_name", "company", "email", "phone")
# admin names (the v2 order address's, which merchants know) -> the v3 customer address fields (`C3`
# customerAddress_Full: address1, city, state_or_province, postal_code, country_code; SUMMARY.md §6)
ADDRESS_FIELDS = {
    "street_1": "address1",
    "city": "city",
    "state": "state_or_province",
    "zip": "postal_code",
    "country": "country_code",
}
_SWITCHES = ("allow_duplicate_sku",)
_CENT = Decimal("0.01")


def _country_name(iso2: str) -> str:
    """The country's name for the generated store's countries (generator vocabulary), else the code itself."""
    names = {code: name for _city, _state, code, name, _zip in generator.vocabulary.CITIES.values()}
    return names.get(iso2, iso2)


class CatalogEditError(ValueError):
    """An edit BigCommerce would refuse; `status` is the HTTP status the admin API answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _moment(now: float) -> datetime:
    return datetime.fromtimestamp(int(now), UTC)


def _check_keys(changes: dict[str, Any], allowed: tuple[str, ...] | dict[str, str], what: str) -> None:
    if not changes:
        raise CatalogEditError(400, f"PATCH needs a JSON object with some of {', '.join(allowed)}")
    unknown = sorted(set(changes) - set(allowed) - set(_SWITCHES))
    if unknown:
        raise CatalogEditError(422, f"a {what} edit takes {', '.join(allowed)}; not {', '.join(unknown)}")


def _text(value: Any, name: str, *, blank: bool = False) -> str:
    if not isinstance(value, str) or (not blank and not value.strip()):
        raise CatalogEditError(422, f"{name} must be a {'' if blank else 'non-empty '}string")
    return value.strip() if not blank else value


def _price(value: Any) -> Decimal:
    try:
        price = to_decimal(value)
    except (MoneyParseError, InvalidOperation, TypeError, ValueError):
        raise CatalogEditError(422, f"price must be an amount, not {value!r}") from None
    if price < 0:
        raise CatalogEditError(422, "price cannot be negative")
    return price.quantize(_CENT, rounding=ROUND_HALF_UP)      # as the generator rounds (store.cents)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise CatalogEditError(422, f"{name} must be true or false")
    return value


def _product(store: GeneratedStore, product_id: int) -> dict[str, Any]:
    found = next((p for p in store.products if p["id"] == product_id), None)
    if found is None:
        raise LookupError(f"product {product_id}")
    return found


def _variant(store: GeneratedStore, variant_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    for product in store.products:
        for variant in product["variants"]:
            if variant["id"] == variant_id:
                return product, variant
    raise LookupError(f"variant {variant_id}")


def _customer(store: GeneratedStore, customer_id: int) -> dict[str, Any]:
    found = next((c for c in store.customers if c["id"] == customer_id), None)
    if found is None:
        raise LookupError(f"customer {customer_id}")
    return found


def _check_sku(store: GeneratedStore, sku: str, owner: dict[str, Any], changes: dict[str, Any]) -> None:
    """409 when another product or variant already uses `sku` (case-insensitive), unless the sandbox switch."""
    if changes.get("allow_duplicate_sku") is True:
        return
    wanted = sku.casefold()
    for product in store.products:
        for record in (product, *product["variants"]):
            if record is not owner and str(record.get("sku") or "").casefold() == wanted:
                # a product and its own base variant share the SKU (the generator gives both the same one)
                if owner is product and record is product["variants"][0] and not record["option_values"]:
                    continue
                if record is product and owner in product["variants"] and not owner["option_values"]:
                    continue
                raise CatalogEditError(409, f"The SKU {sku} is already in use.")


def update_product(store: GeneratedStore, product_id: int, changes: dict[str, Any], *, now: float) -> dict[str, Any]:
    """Apply `name`, `price`, `sku`, `is_visible` to a product; returns the product record."""
    product = _product(store, product_id)
    _check_keys(changes, PRODUCT_FIELDS, "product")
    updates: dict[str, Any] = {}
    if "name" in changes:
        updates["name"] = _text(changes["name"], "name")
    if "sku" in changes:
        updates["sku"] = _text(changes["sku"], "sku")
        _check_sku(store, updates["sku"], product, changes)
    if "is_visible" in changes:
        updates["is_visible"] = _flag(changes["is_visible"], "is_visible")
    if "price" in changes:
        updates["price"] = _price(changes["price"])
    old_price = product["price"]
    old_sku = product["sku"]
    product.update(updates)
    if "price" in updates:
        product["calculated_price"] = product["retail_price"] = updates["price"]
        for variant in product["variants"]:
            if variant["price"] == old_price:     # the inherited price, written out: it follows the product
                variant["price"] = variant["calculated_price"] = variant["retail_price"] = updates["price"]
    if "sku" in updates:
        base = product["variants"][0]
        if not base["option_values"] and base["sku"] == old_sku:   # a simple product's base variant
            base["sku"] = updates["sku"]
    product["date_modified"] = _moment(now)
    return product


def update_variant(store: GeneratedStore, variant_id: int, changes: dict[str, Any], *, now: float) -> dict[str, Any]:
    """Apply `name` (its option value's label), `price`, `sku`, `is_visible` (not `purchasing_disabled`)."""
    product, variant = _variant(store, variant_id)
    _check_keys(changes, VARIANT_FIELDS, "variant")
    if "name" in changes:
        label = _text(changes["name"], "name")
        if not variant["option_values"]:
            raise CatalogEditError(422, f"variant {variant_id} is its product's base variant: it has no option "
                                        f"value to rename (rename product {product['id']} instead)")
    if "sku" in changes:
        sku = _text(changes["sku"], "sku")
        _check_sku(store, sku, variant, changes)
    price = _price(changes["price"]) if "price" in changes else None
    visible = _flag(changes["is_visible"], "is_visible") if "is_visible" in changes else None
    if "name" in changes:
        variant["option_values"][0]["label"] = label
    if "sku" in changes:
        variant["sku"] = sku
    if price is not None:
        variant["price"] = variant["calculated_price"] = variant["retail_price"] = price
    if visible is not None:
        variant["purchasing_disabled"] = not visible
    product["date_modified"] = _moment(now)       # ASSUMPTION (module docstring): the product's date moves
    return variant


def update_customer(store: GeneratedStore, customer_id: int, changes: dict[str, Any], *, now: float
                    ) -> dict[str, Any]:
    """Apply names, company, email, phone, and `street_1`/`city`/`state`/`zip`/`country` (ISO 3166 alpha-2) of
    the first address (made when the customer has none)."""
    customer = _customer(store, customer_id)
    allowed = (*CUSTOMER_FIELDS, *ADDRESS_FIELDS)
    _check_keys(changes, allowed, "customer")
    fields = {name: _text(changes[name], name, blank=name in ("company", "phone"))
              for name in CUSTOMER_FIELDS if name in changes}
    if "email" in fields and "@" not in fields["email"]:
        raise CatalogEditError(422, "email must be an email address")
    if "email" in fields:
        taken = any(c is not customer and c["email"].casefold() == fields["email"].casefold()
                    for c in store.customers)
        if taken:       # C3: "email" is unique per store (the customers list's `email:in` finds one customer)
            raise CatalogEditError(409, f"The email {fields['email']} is already in use.")
    address = {ADDRESS_FIELDS[name]: _text(changes[name], name, blank=True)
               for name in ADDRESS_FIELDS if name in changes}
    if "country_code" in address:
        code = address["country_code"].strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise CatalogEditError(422, "country must be an ISO 3166 alpha-2 code, e.g. US")
        address["country_code"] = code
        address["country"] = _country_name(code)
    customer.update(fields)
    if address:
        if not customer["addresses"]:
            customer["addresses"].append(_blank_address(customer))
            customer["address_count"] = len(customer["addresses"])
        customer["addresses"][0].update(address)
    customer["date_modified"] = _moment(now)
    return customer


def _blank_address(customer: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": customer["id"] * 10 + 9,
        "customer_id": customer["id"],
        "first_name": customer["first_name"],
        "last_name": customer["last_name"],
        "company": "",
        "address1": "",
        "address2": "",
        "city": "",
        "state_or_province": "",
        "postal_code": "",
        "country_code": "",
        "country": "",
        "phone": customer["phone"],
        "address_type": "residential",
    }


def delete_product(store: GeneratedStore, product_id: int) -> None:
    store.products.remove(_product(store, product_id))


def delete_variant(store: GeneratedStore, variant_id: int, *, now: float) -> None:
    product, variant = _variant(store, variant_id)
    if len(product["variants"]) == 1:
        raise CatalogEditError(422, f"variant {variant_id} is product {product['id']}'s last variant: delete the "
                                    f"product instead")
    product["variants"].remove(variant)
    if product["base_variant_id"] == variant_id:
        product["base_variant_id"] = product["variants"][0]["id"]
    product["date_modified"] = _moment(now)       # ASSUMPTION (module docstring), cf. dev-docs#735


def delete_customer(store: GeneratedStore, customer_id: int) -> None:
    store.customers.remove(_customer(store, customer_id))
