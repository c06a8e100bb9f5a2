"""The mapping profile: every user-adjustable rule for turning a BigCommerce order into FreshBooks records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bigbooks_desktop.mapping.catalogue import rule_targets, source_types
from bigbooks_desktop.mapping.field_mappings import FieldMapping, check_mappings, default_field_mappings
from bigbooks_desktop.mapping.profile_migration import SCHEMA_VERSION, migrate_profile_data
from bigbooks_desktop.mapping.rules import Rule, check_rules

__all__ = [
    "SCHEMA_VERSION",
    "CancellationPolicy",
    "DiscountPolicy",
    "GiftCertificatePolicy",
    "InvoiceMode",
    "MappingProfile",
    "MissingTaxPolicy",
    "ProfileIssue",
    "UnknownSkuPolicy",
    "default_profile",
]


InvoiceMode = Literal["draft", "sent"]
DiscountPolicy = Literal["lines", "allocate"]
UnknownSkuPolicy = Literal["create_item", "inbox"]
MissingTaxPolicy = Literal["create_tax", "inbox"]
CancellationPolicy = Literal["void", "flag"]
GiftCertificatePolicy = Literal["client_credit", "revenue_line"]
CustomerSync = Literal["off", "ordered", "all"]
ItemField = Literal["name", "description", "unit_cost", "inventory", "tax1", "tax2"]
ClientField = Literal["fname", "lname", "organization", "email", "bus_phone", "p_street", "p_city", "p_province",
                      "p_code", "p_country"]

# FreshBooks payment types this app writes (FreshBooks SUMMARY §7: the SDK enums disagree on card brands, so
# only these six are used; store credit and gift certificates become "Other" with a note saying which).
_DEFAULT_PAYMENT_TYPES: dict[str, str] = {
    # keys are BigCommerce transaction gateways or methods, lower case; gateway is looked up first
    "credit_card": "Credit Card",
    "apple_pay_card": "Credit Card",
    "apple_pay_token": "Credit Card",
    "bigpay_token": "Credit Card",
    "nonce": "Credit Card",
    "token": "Credit Card",
    "stripe": "Credit Card",
    "stripev3": "Credit Card",
    "braintree": "Credit Card",
    "squarev2": "Credit Card",
    "authorizenet": "Credit Card",
    "paypalexpress": "PayPal",
    "paypal": "PayPal",
    "braintreepaypal": "PayPal",
    "paypalcommerce": "PayPal",
    "bankdeposit": "Bank Transfer",
    "cod": "Cash",
    "cash": "Cash",
    "cheque": "Check",
    "check": "Check",
    "store_credit": "Other",
    "gift_certificate": "Other",
}


class MappingProfile(BaseModel):
    """How orders map to FreshBooks. Serializable to JSON; the editor changes fields, never code."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # version of this model's shape; bump and migrate (mapping/profile_migration.py) when a field changes meaning
    schema_version: int = SCHEMA_VERSION
    # the profile's name, as the profile list and the editor show it
    name: str = Field(default="Standard invoices", min_length=1, max_length=100)
    # what the profile is for, in the merchant's words
    description: str = Field(default="", max_length=2_000)
    # BigCommerce status ids that create an invoice: paid and later. Not 0 Incomplete, 1 Pending,
    # 5 Cancelled, 6 Declined, 7 Awaiting Payment; not 12 Manual Verification Required (payment unconfirmed;
    # the order moves to 9/11 once verified) nor 13 Disputed (a chargeback in progress: the merchant
    # decides; an invoice already synced stays)
    invoice_status_ids: tuple[int, ...] = (2, 3, 4, 8, 9, 10, 11, 14)
    # "sent" marks the invoice as sent (counted in reports); "draft" leaves it for review
    invoice_mode: InvoiceMode = "sent"
    # "lines": coupons and manual discounts as their own negative lines; "allocate": spread into line prices
    discount_policy: DiscountPolicy = "lines"
    # invoice line name for the order's shipping charge
    shipping_line_name: str = "Shipping"
    # invoice line name for the order's handling charge
    handling_line_name: str = "Handling"
    # invoice line name for the order's gift-wrapping charge
    wrapping_line_name: str = "Gift wrapping"
    # line name for a coupon discount; {code} is the coupon code
    coupon_line_name: str = "Coupon {code}"
    # line name for the merchant's manual discount
    manual_discount_line_name: str = "Discount"
    # name of the untaxed rounding line earlier versions added; reconcile reports invoices that still carry one
    rounding_line_name: str = "Rounding adjustment"
    # a SKU FreshBooks has no item for: create the item, or send the order to the inbox
    unknown_sku_policy: UnknownSkuPolicy = "create_item"
    # a tax FreshBooks lacks: create it, or send the order to the inbox
    missing_tax_policy: MissingTaxPolicy = "create_tax"
    # an order cancelled after its invoice was synced: void the invoice, or flag it in the inbox
    cancellation_policy: CancellationPolicy = "flag"
    # BigCommerce gateway or method (lower case) -> FreshBooks payment type (else default_payment_type)
    payment_types: dict[str, str] = Field(default_factory=lambda: dict(_DEFAULT_PAYMENT_TYPES))
    # FreshBooks payment type when no mapping matches
    default_payment_type: str = "Other"
    # record transactions BigCommerce marks as test transactions (a test gateway moved no money)
    record_test_payments: bool = False
    # BigCommerce tax name -> FreshBooks tax name; unmapped names are used as they are
    tax_names: dict[str, str] = Field(default_factory=dict)
    # a gift certificate sold in an order: "client_credit" keeps it off the invoice (a liability, not revenue;
    # the payment for it becomes the buyer's FreshBooks credit) and pays redemptions from the client's credit;
    # "revenue_line" invoices it as an untaxed line and records redemptions as payments (counts it twice)
    gift_certificate_policy: GiftCertificatePolicy = "client_credit"
    # which order field, text or template fills each FreshBooks field, and how it is shaped (the invoice
    # number, notes, line descriptions, client fields...; mapping/field_mappings.py)
    field_mappings: tuple[FieldMapping, ...] = Field(default_factory=default_field_mappings)
    # conditions with actions (skip, inbox, draft, set a field, terms), run per order top to bottom
    # before its invoice is created (mapping/rules.py)
    rules: tuple[Rule, ...] = ()
    # catalog sync: every product variant becomes a FreshBooks item by SKU, kept in step with the store
    # (name, description, price; hidden or deleted products archived, never deleted: sync/catalog_sync.py)
    catalog_sync: bool = False
    # with catalog sync, also keep each item's inventory count from the variant's stock (tracked products)
    catalog_inventory: bool = False
    # customer sync: "ordered" keeps the clients of customers who have ordered in step with their account;
    # "all" also creates a client for every customer; "off" leaves clients to order sync (sync/customer_sync.py)
    customer_sync: CustomerSync = "off"
    # with catalog sync, the default taxes of a product's item by its BigCommerce tax class id ("0" is the
    # store's default class): up to two BigCommerce tax names (as on the store's orders' tax rows), mapped
    # through `tax_names` to the FreshBooks taxes of the same name; a class not listed gives items no tax
    # (BigCommerce's rates depend on the shopper's address, so a product alone has no one rate to copy)
    tax_class_taxes: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    # item fields FreshBooks keeps: once the item exists, BigBooks never writes them (e.g. a description the
    # bookkeeper wrote by hand)
    items_keep_freshbooks: tuple[ItemField, ...] = ()
    # client fields FreshBooks keeps (e.g. an organization name the bookkeeper fixed by hand)
    clients_keep_freshbooks: tuple[ClientField, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _migrate(cls, data: Any) -> Any:
        """A profile saved by an earlier version (schema_version 1, or none) in today's shape."""
        return migrate_profile_data(data) if isinstance(data, dict) else data

    def check(self) -> list[ProfileIssue]:
        """Every problem of the field mappings and the rules, each pointing at its mapping or rule, found
        without an order: errors stop the profile being used, warnings (a value that may be too long) do not."""
        issues = [ProfileIssue("field_mapping", i.index, i.target, i.part, i.severity, i.message)
                  for i in check_mappings(self.field_mappings)]
        issues += [ProfileIssue("rule", i.index, i.rule, i.field, "error", i.message, i.position, i.suggestion)
                   for i in check_rules(self.rules, source_types(include_line=False), rule_targets())]
        return issues

    def to_json(self) -> str:
        """Stable JSON for storage and export."""
        return self.model_dump_json(indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> MappingProfile:
        """Read a profile written by `to_json`, by this version or an earlier one (unknown fields are
        refused)."""
        return cls.model_validate_json(text)


@dataclass(frozen=True)
class ProfileIssue:
    """One problem of a profile. `where`: a field mapping or a rule; `index` its place (from 0); `name` the
    mapping's target or the rule's name; `part` which part of it ("source", "transform 2", "when",
    "action.value_expression"...); `position` a character offset in a rule's expression, when known."""

    where: Literal["field_mapping", "rule"]
    index: int
    name: str
    part: str
    severity: Literal["error", "warning"]
    message: str
    position: int | None = None
    suggestion: str | None = None


def default_profile() -> MappingProfile:
    """The profile a new installation starts with."""
    return MappingProfile()
