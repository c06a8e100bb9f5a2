"""BigCommerce entities as the app reads them: orders with their lines, taxes, coupons, payments and refunds.

Read as `from bigbooks_desktop.core import bigcommerce as bc` -> `bc.Order`, `bc.OrderDetail`.
Money fields are `Decimal`; datetimes are timezone-aware. Parsing wire payloads (4-dp strings in v2,
numbers in v3, RFC 2822 dates in v2, ISO 8601 in v3) happens in `connectors.bigcommerce`.
Unknown wire fields are ignored; every field the sync reads is declared here.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import IntEnum
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "AppliedDiscount",
    "BillingAddress",
    "CatalogProduct",
    "CatalogVariant",
    "Coupon",
    "Customer",
    "CustomerAddress",
    "FormField",
    "Order",
    "OrderDetail",
    "OrderFee",
    "OrderProduct",
    "OrderStatus",
    "OrderTax",
    "ProductOption",
    "Refund",
    "RefundItem",
    "RefundPayment",
    "ShippingAddress",
    "StoreInfo",
    "Transaction",
    "Variant",
]

_ZERO = Decimal("0")


class _Entity(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class OrderStatus(IntEnum):
    """BigCommerce order status ids (merchants rename the labels; key on the id)."""

    INCOMPLETE = 0
    PENDING = 1
    SHIPPED = 2
    PARTIALLY_SHIPPED = 3
    REFUNDED = 4
    CANCELLED = 5
    DECLINED = 6
    AWAITING_PAYMENT = 7
    AWAITING_PICKUP = 8
    AWAITING_SHIPMENT = 9
    COMPLETED = 10
    AWAITING_FULFILLMENT = 11
    MANUAL_VERIFICATION_REQUIRED = 12
    DISPUTED = 13
    PARTIALLY_REFUNDED = 14


class FormField(_Entity):
    """A custom checkout field on the billing address (e.g. "Delivery Instructions")."""

    name: str = ""
    value: str | int | Decimal | bool | list[Any] | None = None

    def display(self) -> str:
        value = ", ".join(str(v) for v in self.value) if isinstance(self.value, list) else self.value
        return f"{self.name}: {'' if value is None else value}".strip()


class BillingAddress(_Entity):
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    street_1: str = ""
    street_2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""
    country_iso2: str = ""
    phone: str = ""
    email: str = ""
    form_fields: tuple[FormField, ...] = ()


class ShippingAddress(BillingAddress):
    id: int
    order_id: int | None = None
    shipping_method: str = ""
    base_cost: Decimal = _ZERO
    cost_ex_tax: Decimal = _ZERO
    cost_inc_tax: Decimal = _ZERO
    cost_tax: Decimal = _ZERO
    base_handling_cost: Decimal = _ZERO
    handling_cost_ex_tax: Decimal = _ZERO
    handling_cost_inc_tax: Decimal = _ZERO
    handling_cost_tax: Decimal = _ZERO
    items_total: int = 0


class AppliedDiscount(_Entity):
    id: str | int
    amount: Decimal
    name: str = ""
    code: str | None = None
    target: str = ""


class ProductOption(_Entity):
    display_name: str = ""
    display_value: str = ""


class OrderProduct(_Entity):
    id: int
    order_id: int
    product_id: int = 0
    variant_id: int | None = None
    sku: str = ""
    name: str
    type: str = "physical"
    quantity: int
    base_price: Decimal = _ZERO
    price_ex_tax: Decimal
    price_inc_tax: Decimal
    price_tax: Decimal = _ZERO
    total_ex_tax: Decimal
    total_inc_tax: Decimal
    total_tax: Decimal = _ZERO
    is_refunded: bool = False
    quantity_refunded: int = 0
    applied_discounts: tuple[AppliedDiscount, ...] = ()
    product_options: tuple[ProductOption, ...] = ()
    parent_order_product_id: int | None = None
    is_bundled_product: bool = False


class Coupon(_Entity):
    id: int
    coupon_id: int | None = None
    code: str = ""
    type: int = 0
    amount: Decimal = _ZERO
    discount: Decimal = _ZERO


class OrderTax(_Entity):
    id: int
    order_id: int | None = None
    name: str
    tax_class: str = Field(default="", alias="class")
    rate: Decimal
    priority_amount: Decimal = _ZERO
    line_amount: Decimal
    line_item_type: str = "item"
    order_product_id: int | None = None
    sales_tax_id: str | int | None = None   # e.g. "TaxId123" from a tax provider
    tax_class_id: int | None = None


class Transaction(_Entity):
    id: int
    order_id: int
    event: str
    method: str = ""
    amount: Decimal
    currency: str = ""
    gateway: str = ""
    gateway_transaction_id: str = ""
    status: str = "ok"
    test: bool = False
    date_created: datetime
    payment_method_display: str = ""   # offline.display_name or custom.payment_method, when present
    reference_transaction_id: int | None = None   # a capture's authorization; a refund's capture

    @field_validator("reference_transaction_id", mode="before")
    @classmethod
    def _reference(cls, value: object) -> object:
        """The 2021 spec example sends `{}` here: anything that is not a number means no reference."""
        return value if isinstance(value, int | str) and str(value).strip().isdigit() else None


class RefundItem(_Entity):
    item_type: str
    item_id: int | None = None
    quantity: int | None = None
    requested_amount: Decimal | None = None
    reason: str = ""


class RefundPayment(_Entity):
    id: int | None = None
    provider_id: str = ""
    amount: Decimal
    offline: bool = False
    is_declined: bool = False
    declined_message: str = ""


class Refund(_Entity):
    id: int
    order_id: int
    user_id: int | None = None
    created: datetime
    reason: str = ""
    total_amount: Decimal
    total_tax: Decimal = _ZERO
    items: tuple[RefundItem, ...] = ()
    payments: tuple[RefundPayment, ...] = ()


class Order(_Entity):
    """A v2 order header."""

    id: int
    customer_id: int = 0
    date_created: datetime
    date_modified: datetime
    date_shipped: datetime | None = None
    status_id: int
    status: str = ""
    custom_status: str = ""
    subtotal_ex_tax: Decimal
    subtotal_inc_tax: Decimal
    subtotal_tax: Decimal = _ZERO
    base_shipping_cost: Decimal = _ZERO
    shipping_cost_ex_tax: Decimal = _ZERO
    shipping_cost_inc_tax: Decimal = _ZERO
    shipping_cost_tax: Decimal = _ZERO
    base_handling_cost: Decimal = _ZERO
    handling_cost_ex_tax: Decimal = _ZERO
    handling_cost_inc_tax: Decimal = _ZERO
    handling_cost_tax: Decimal = _ZERO
    base_wrapping_cost: Decimal = _ZERO
    wrapping_cost_ex_tax: Decimal = _ZERO
    wrapping_cost_inc_tax: Decimal = _ZERO
    wrapping_cost_tax: Decimal = _ZERO
    total_ex_tax: Decimal
    total_inc_tax: Decimal
    total_tax: Decimal = _ZERO
    discount_amount: Decimal = _ZERO
    coupon_discount: Decimal = _ZERO
    store_credit_amount: Decimal = _ZERO
    gift_certificate_amount: Decimal = _ZERO
    is_tax_inclusive_pricing: bool = False
    currency_code: str = ""
    default_currency_code: str = ""
    currency_exchange_rate: Decimal = Decimal("1")
    payment_method: str = ""
    payment_provider_id: str | int | None = None
    payment_status: str = ""
    items_total: int = 0
    shipping_address_count: int | None = None   # None when the wire did not say (then the addresses are read)
    billing_address: BillingAddress = BillingAddress()
    customer_message: str = ""
    staff_notes: str = ""
    is_deleted: bool = False
    channel_id: int | None = None
    order_source: str = ""
    external_id: str | None = None
    fees: tuple[OrderFee, ...] | None = None   # as read with include=fees, else None; read OrderDetail.fees

    @property
    def transaction_currency(self) -> str:
        """The currency the shopper actually paid in (`default_currency_code`); invoices use it."""
        return self.default_currency_code or self.currency_code


class OrderFee(_Entity):
    """An order-level fee (`GET /v2/orders/{id}/fees`, or `include=fees`); the spec's example spells the ex-tax
    cost both `cost_ex_tax` and `cost_exc_tax`, so both are read."""

    id: int | None = None
    type: str = ""
    display_name_customer: str = ""
    display_name_merchant: str = ""
    source: str = ""
    base_cost: Decimal = _ZERO
    cost_ex_tax: Decimal = Field(default=_ZERO, validation_alias=AliasChoices("cost_ex_tax", "cost_exc_tax"))
    cost_inc_tax: Decimal = _ZERO
    cost_tax: Decimal = _ZERO
    tax_class_id: int | None = None

    @property
    def name(self) -> str:
        return (self.display_name_customer or self.display_name_merchant or "Fee").strip()


class OrderDetail(_Entity):
    """An order with every sub-resource the sync needs, fetched together."""

    order: Order
    products: tuple[OrderProduct, ...] = ()
    shipping_addresses: tuple[ShippingAddress, ...] = ()
    coupons: tuple[Coupon, ...] = ()
    taxes: tuple[OrderTax, ...] = ()
    transactions: tuple[Transaction, ...] = ()
    refunds: tuple[Refund, ...] = ()
    fees: tuple[OrderFee, ...] = ()


class CustomerAddress(_Entity):
    id: int | None = None
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    state_or_province: str = ""
    postal_code: str = ""
    country_code: str = ""
    phone: str = ""
    address_type: str = ""


class Customer(_Entity):
    id: int
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    phone: str = ""
    date_modified: datetime | None = None
    addresses: tuple[CustomerAddress, ...] = ()
    date_created: datetime | None = None
    customer_group_id: int | None = None


class Variant(_Entity):
    id: int
    product_id: int
    sku: str = ""
    price: Decimal | None = None
    calculated_price: Decimal | None = None
    product_name: str = ""


class StoreInfo(_Entity):
    id: str                       # the store hash
    name: str
    domain: str = ""
    currency: str = ""
    timezone_name: str = "UTC"
    timezone_raw_offset: int = 0
    plan_name: str = ""
    plan_level: str = ""
    is_price_entered_with_tax: bool = False
    country_code: str = ""


class CatalogVariant(_Entity):
    """A variant as `GET /v3/catalog/products?include=variants` gives it (catalog/products_catalog.v3.yml
    productVariant_Full). `price` None = the product's price (the spec: "if ... this value is `null`, the
    product's default price ... will be used"); `option_values` are (option display name, value label) pairs,
    e.g. (("Size", "Large"),), empty for a product's base variant."""

    id: int
    product_id: int
    sku: str = ""
    price: Decimal | None = None
    calculated_price: Decimal | None = None
    option_values: tuple[tuple[str, str], ...] = ()
    inventory_level: int | None = None
    purchasing_disabled: bool = False


class CatalogProduct(_Entity):
    """A catalog product (products_catalog.v3.yml product_Full) with its variants when read with
    include=variants. `description_html` is the product's `description` as BigCommerce keeps it (HTML);
    `inventory_tracking` is "none", "product" or "variant"."""

    id: int
    name: str = ""
    sku: str = ""
    description_html: str = ""
    price: Decimal | None = None
    calculated_price: Decimal | None = None
    is_visible: bool = True
    tax_class_id: int | None = None
    inventory_level: int | None = None
    inventory_tracking: str = ""
    date_modified: datetime | None = None
    variants: tuple[CatalogVariant, ...] = ()
