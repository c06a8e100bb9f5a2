"""Starting points for a mapping profile: the standard one and five common variations a merchant can pick.

Each template builds a complete `MappingProfile` (field mappings and rules included) that the merchant may
then change. Every template keeps the invoice number `BC-{order.id}` (the sync finds its invoices by it) and
the amounts, taxes and payments exactly as the standard profile writes them: templates shape only the
fields a merchant sees and which orders are invoiced.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bigbooks_desktop.mapping.field_mappings import (
    FieldMapping,
    PathSource,
    TemplateSource,
    default_field_mappings,
)
from bigbooks_desktop.mapping.profile import MappingProfile
from bigbooks_desktop.mapping.rules import Rule, SkipAction
from bigbooks_desktop.mapping.transforms import DefaultIfEmpty, Lookup, ToNumber, Transform, Trim, Truncate

__all__ = ["PAID_STATUS_IDS", "TEMPLATES", "ProfileTemplate"]

# BigCommerce statuses whose payment is captured and not (even partly) refunded: 2 Shipped, 3 Partially
# Shipped, 8 Awaiting Pickup, 9 Awaiting Shipment, 10 Completed, 11 Awaiting Fulfillment
PAID_STATUS_IDS = (2, 3, 8, 9, 10, 11)


@dataclass(frozen=True)
class ProfileTemplate:
    """A named starting point: `build()` gives a fresh profile."""

    name: str           # stable key, e.g. "b2b"
    label: str          # as the template picker shows it
    description: str    # what it does differently from the standard profile, for a merchant
    build: Callable[[], MappingProfile]


def _with(mappings: tuple[FieldMapping, ...], *changes: FieldMapping) -> tuple[FieldMapping, ...]:
    """`mappings` with each change replacing the mapping of its target (or added at the end)."""
    by_target = {m.target: m for m in changes}
    kept = tuple(by_target.pop(m.target, m) for m in mappings)
    return kept + tuple(by_target.values())


def _path(target: str, path: str, *transforms: Transform) -> FieldMapping:
    return FieldMapping(target=target, source=PathSource(path=path), transforms=transforms)


def _standard() -> MappingProfile:
    return MappingProfile()


def _paid_only() -> MappingProfile:
    statuses = ", ".join(str(s) for s in PAID_STATUS_IDS)
    skip = Rule(name="Only paid orders", when=f"order.status_id not in [{statuses}]", action=SkipAction(
        reason="Not paid, shipped or completed when it was synced (template “Paid orders only”)"))
    return MappingProfile(name="Paid orders only", description=_TEXT["paid_only"], rules=(skip,))


def _drafts_for_review() -> MappingProfile:
    return MappingProfile(name="Drafts for review", description=_TEXT["drafts_for_review"], invoice_mode="draft")


def _sku_in_descriptions() -> MappingProfile:
    description = FieldMapping(target="line.description",
                               source=TemplateSource(text="SKU: {line.sku}\n{line.options}\n{line.bundle}"))
    return MappingProfile(name="SKU in descriptions", description=_TEXT["sku_in_descriptions"],
                          field_mappings=_with(default_field_mappings(), description))


def _checkout_fields_to_notes() -> MappingProfile:
    notes = FieldMapping(target="invoice.notes", source=TemplateSource(
        text="{order.customer_message}\n{order.checkout_fields_text}"), transforms=(Truncate(),))
    return MappingProfile(name="Checkout fields in notes", description=_TEXT["checkout_fields_to_notes"],
                          field_mappings=_with(default_field_mappings(), notes))


# checkout field "Payment terms" (custom_fields.payment_terms) -> days; anything else is net 30
_B2B_TERMS = {"Due on receipt": "0", "Net 7": "7", "Net 15": "15", "Net 30": "30", "Net 45": "45", "Net 60": "60"}


def _b2b() -> MappingProfile:
    person = "{billing_address.first_name} {billing_address.last_name}"
    changes = (
        _path("client.organization", "billing_address.company", DefaultIfEmpty(paths=("customer.company",)),
              Trim(), DefaultIfEmpty(text=person), Trim(), Truncate()),
        _path("invoice.due_offset_days", "custom_fields.payment_terms", Trim(),
              Lookup(table=_B2B_TERMS, default="30", ignore_case=True), ToNumber(whole=True)),
        _path("invoice.terms", "custom_fields.payment_terms", Trim(), DefaultIfEmpty(text="Net 30"), Truncate()),
        _path("invoice.po_number", "custom_fields.po_number", Trim(), DefaultIfEmpty(paths=("order.id",)),
              Truncate()),
        FieldMapping(target="client.vat_number", source=PathSource(path="custom_fields.vat_number"),
                     transforms=(Trim(), Truncate())),
    )
    return MappingProfile(name="Business customers (B2B)", description=_TEXT["b2b"],
                          field_mappings=_with(default_field_mappings(), *changes))


def _catalog_and_customers() -> MappingProfile:
    return MappingProfile(name="Catalog and customers in step", description=_TEXT["catalog_and_customers"],
                          catalog_sync=True, customer_sync="ordered")


_TEXT = {
    "standard": "Every paid order becomes a sent invoice: invoice number BC-<order number>, the customer's "
                "message and checkout fields in the notes, options and SKU under each product.",
    "paid_only": "Like the standard profile, but an order is invoiced only once it is paid, shipped or "
                 "completed (statuses 2, 3, 8, 9, 10, 11); others are skipped, with the reason shown in the "
                 "orders list. An invoice already made keeps following its order (refunds included).",
    "drafts_for_review": "Invoices are created as drafts for you to check and send from FreshBooks.",
    "sku_in_descriptions": "Each product line's description starts with its SKU, then its options.",
    "checkout_fields_to_notes": "The invoice notes carry the customer's message and every checkout field, "
                                "billing and shipping (cut to the longest notes BigBooks sends).",
    "b2b": "For business customers: the company is the client's organization (else the buyer's name), payment "
           "terms come from a checkout field named \"Payment terms\" (Net 7/15/30/45/60 or Due on receipt; net "
           "30 otherwise), the PO number from a \"PO Number\" checkout field (else the order number), and the "
           "client's VAT number from a \"VAT number\" checkout field.",
    "catalog_and_customers": "Standard invoices, and every sync also keeps FreshBooks' items and clients in step "
                             "with the store: each product variant is an item by SKU (name, description and "
                             "price follow the store; a hidden or deleted product's item is archived), and the "
                             "clients of customers who have ordered follow their account (names, company, email, "
                             "phone, billing address). A field changed in both places waits in the inbox.",
}

TEMPLATES: Mapping[str, ProfileTemplate] = MappingProxyType({t.name: t for t in (
    ProfileTemplate("standard", "Standard invoices", _TEXT["standard"], _standard),
    ProfileTemplate("paid_only", "Paid orders only", _TEXT["paid_only"], _paid_only),
    ProfileTemplate("drafts_for_review", "Drafts for review", _TEXT["drafts_for_review"], _drafts_for_review),
    ProfileTemplate("sku_in_descriptions", "SKU in descriptions", _TEXT["sku_in_descriptions"],
                    _sku_in_descriptions),
    ProfileTemplate("checkout_fields_to_notes", "Checkout fields in notes", _TEXT["checkout_fields_to_notes"],
                    _checkout_fields_to_notes),
    ProfileTemplate("b2b", "Business customers (B2B)", _TEXT["b2b"], _b2b),
    ProfileTemplate("catalog_and_customers", "Catalog and customers in step", _TEXT["catalog_and_customers"],
                    _catalog_and_customers),
)})
