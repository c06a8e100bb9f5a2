"""Golden drafts: the FreshBooks invoice and client drafts built for the sandbox store under a profile, as JSON.

`python -m tests.mapping.golden_drafts` rewrites the snapshots in `tests/mapping/golden/` (only when the
mapping is meant to change what it writes). They were first written from the engine as it was before mapping
profiles held field mappings (templates in `MappingProfile`), so `test_default_profile_golden.py` proves the
field-mapping engine writes the same invoices and clients, field for field.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.clients import client_from_order
from bigbooks_desktop.mapping.invoice import invoice_from_order
from bigbooks_desktop.mapping.profile import MappingProfile

from .test_catalogue import sandbox_orders

GOLDEN = Path(__file__).resolve().parent / "golden"
DEFAULT_DRAFTS = GOLDEN / "default_profile_drafts.json"
CUSTOM_V1_PROFILES = GOLDEN / "custom_v1_profiles.json"   # v1 profiles as a user may have saved them
CUSTOM_V1_DRAFTS = GOLDEN / "custom_v1_drafts.json"
STORE_TZ = "America/Chicago"       # the sandbox store's timezone (sandbox/bigcommerce store_information)


def _awkward(detail: bc.OrderDetail) -> bc.OrderDetail:
    """The same order with the values real stores have: padded names and message, staff notes, checkout
    fields, a product without a name or SKU, a free bundle part, no email anywhere."""
    billing = detail.order.billing_address.model_copy(update={
        "first_name": "  Zoë ", "company": "", "phone": "", "email": "",
        "form_fields": (bc.FormField(name="PO Number", value="4471"), bc.FormField(name="Gift", value=True))})
    order = detail.order.model_copy(update={"billing_address": billing, "staff_notes": "  Called to confirm ",
                                            "customer_message": "  Hi there\n\nLeave it at the door  "})
    products = list(detail.products)
    products[0] = products[0].model_copy(update={"name": "  ", "sku": ""})
    zero = Decimal(0)
    products.append(products[-1].model_copy(update={
        "id": 99_000 + products[-1].id, "name": "Free grinder", "parent_order_product_id": products[-1].id,
        "base_price": zero, "price_ex_tax": zero, "price_inc_tax": zero, "price_tax": zero, "total_ex_tax": zero,
        "total_inc_tax": zero, "total_tax": zero, "applied_discounts": ()}))
    return detail.model_copy(update={"order": order, "products": tuple(products)})


def cases() -> list[tuple[bc.OrderDetail, bc.Customer | None]]:
    """The sandbox store (`generate_store(orders=60, seed=3)`), then its first ten orders made awkward (as
    guests, so no customer record supplies the missing email)."""
    found = list(sandbox_orders())
    return found + [(_awkward(d), None) for d, _c in found[:10]]


def _error(exc: DataError) -> dict[str, Any]:
    return {"error": exc.message, "field": exc.field, "details": exc.details}


def build(profile: MappingProfile) -> dict[str, Any]:
    """Order id (and case number) -> the invoice draft with its promised total and taxes, and the client
    draft, or the DataError each gave. Fields at their default values are left out, so a field the drafts
    gain later with a default that changes nothing does not change the snapshot."""
    result: dict[str, Any] = {}
    for index, (detail, customer) in enumerate(cases()):
        entry: dict[str, Any] = {}
        try:
            plan = invoice_from_order(detail, profile, customer_id=1, store_timezone=STORE_TZ, freshbooks_taxes=())
            entry["invoice"] = {"draft": plan.draft.model_dump(mode="json", exclude_defaults=True),
                                "expected_total": str(plan.expected_total),
                                "taxes": {k: str(v) for k, v in plan.taxes.items()},
                                "skus": [[s, n, str(p)] for s, n, p in plan.skus]}
        except DataError as exc:
            entry["invoice"] = _error(exc)
        try:
            entry["client"] = client_from_order(detail, customer, profile).model_dump(mode="json",
                                                                                      exclude_defaults=True)
        except DataError as exc:
            entry["client"] = _error(exc)
        result[f"{index:03d}-order-{detail.order.id}"] = entry
    return result


def custom_profiles() -> dict[str, MappingProfile]:
    """The v1 profiles with custom templates, read as `MappingProfile` reads a saved profile."""
    saved = json.loads(CUSTOM_V1_PROFILES.read_text(encoding="utf-8"))
    return {name: MappingProfile.model_validate(data) for name, data in saved.items()}


def dumps(drafts: dict[str, Any]) -> str:
    return json.dumps(drafts, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    DEFAULT_DRAFTS.write_text(dumps(build(MappingProfile())), encoding="utf-8")
    CUSTOM_V1_DRAFTS.write_text(dumps({name: build(profile) for name, profile in custom_profiles().items()}),
                                encoding="utf-8")


if __name__ == "__main__":
    main()
