"""The mapping profile: every user-adjustable rule for turning a BigCommerce order into FreshBooks records."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "SCHEMA_VERSION",
    "CancellationPolicy",
    "DiscountPolicy",
    "GiftCertificatePolicy",
    "InvoiceMode",
    "MappingProfile",
    "MissingTaxPolicy",
    "UnknownSkuPolicy",
    "default_profile",
]

SCHEMA_VERSION = 1

InvoiceMode = Literal["draft", "sent"]
DiscountPolicy = Literal["lines", "allocate"]
UnknownSkuPolicy = Literal["create_item", "inbox"]
MissingTaxPolicy = Literal["create_tax", "inbox"]
CancellationPolicy = Literal["void", "flag"]
GiftCertificatePolicy = Literal["client_credit", "revenue_line"]

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

    # version of this model's shape; bump and migrate when a field changes meaning
    schema_version: int = SCHEMA_VERSION
    # FreshBooks invoice number; placeholders {order_id}
    invoice_number_template: str = "BC-{order_id}"
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
    # email for a client without one; None sends the order to the inbox. Placeholders {order_id}
    missing_email_template: str | None = None
    # an order cancelled after its invoice was synced: void the invoice, or flag it in the inbox
    cancellation_policy: CancellationPolicy = "flag"
    # invoice notes; placeholders {customer_message} {staff_notes} {custom_fields} {order_id}; empty lines go
    notes_template: str = "{customer_message}\n{custom_fields}"
    # copy the staff notes (private in BigCommerce) to the invoice notes, which the client can read
    include_staff_notes: bool = False
    # invoice line description; placeholders {options} ("Size: L, Colour: Red"), {sku}, {bundle}
    line_description_template: str = "{options}\nSKU: {sku}\n{bundle}"
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

    def to_json(self) -> str:
        """Stable JSON for storage and export."""
        return self.model_dump_json(indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> MappingProfile:
        """Read a profile written by `to_json` (unknown fields are refused)."""
        return cls.model_validate_json(text)


def default_profile() -> MappingProfile:
    """The profile a new installation starts with."""
    return MappingProfile()
