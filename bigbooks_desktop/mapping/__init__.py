"""Mapping profiles: how a BigCommerce order becomes a FreshBooks invoice. Pure functions, no I/O."""

from bigbooks_desktop.mapping.clients import client_email, client_from_order, client_key
from bigbooks_desktop.mapping.eligibility import ineligibility_reason, is_invoiceable
from bigbooks_desktop.mapping.invoice import InvoicePlan, invoice_from_order
from bigbooks_desktop.mapping.items import items_needed
from bigbooks_desktop.mapping.payments import CreditPlan, PaymentPlan, credit_from_refund, payments_from_order
from bigbooks_desktop.mapping.profile import MappingProfile, default_profile

__all__ = [
    "CreditPlan",
    "InvoicePlan",
    "MappingProfile",
    "PaymentPlan",
    "client_email",
    "client_from_order",
    "client_key",
    "credit_from_refund",
    "default_profile",
    "ineligibility_reason",
    "invoice_from_order",
    "is_invoiceable",
    "items_needed",
    "payments_from_order",
]
