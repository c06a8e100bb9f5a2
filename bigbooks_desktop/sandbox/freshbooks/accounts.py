"""The sandbox user's two FreshBooks businesses, their seeded data and the /users/me identity document."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = [
    "BUSINESSES",
    "PRIMARY_ACCOUNT_ID",
    "SECOND_ACCOUNT_ID",
    "SECOND_ACCOUNT_SEED",
    "SEEDED_TAXES",
    "Business",
    "identity",
]

PRIMARY_ACCOUNT_ID = "SbxT9k"
SECOND_ACCOUNT_ID = "SbxB2m"


@dataclass(frozen=True, kw_only=True)
class Business:
    """One business membership of the sandbox user."""

    business_id: int
    business_uuid: str
    account_id: str
    name: str
    currency: str
    role: str
    membership_id: int


BUSINESSES = (
    Business(
        business_id=510001,
        business_uuid="5b1c0c1e-0001-4a55-9d00-5a4db0c00001",
        account_id=PRIMARY_ACCOUNT_ID,
        name="Sandbox Trading Co.",
        currency="USD",
        role="owner",
        membership_id=140201,
    ),
    Business(
        business_id=510002,
        business_uuid="5b1c0c1e-0002-4a55-9d00-5a4db0c00002",
        account_id=SECOND_ACCOUNT_ID,
        name="Maple Side Projects Ltd.",
        currency="CAD",
        role="business_employee",
        membership_id=140202,
    ),
)

# Taxes seeded in the primary account: (name, rate percent, registration number, compound).
# They match the tax names the BigCommerce store generator puts on orders.
SEEDED_TAXES: tuple[tuple[str, Decimal, str | None, bool], ...] = (
    ("Sales Tax", Decimal("8.875"), None, False),
    ("GST", Decimal("5"), "GST 81234 5678", False),
    ("PST", Decimal("7"), None, False),
    ("HST", Decimal("13"), "RT 1234", False),
    ("VAT", Decimal("20"), "GB 123 4567 89", False),
)

# The second business: a small, visibly different dataset (so picking the wrong business shows).
SECOND_ACCOUNT_SEED: dict[str, Any] = {
    "taxes": [("QST", Decimal("9.975"), "QC 1006", True), ("GST", Decimal("5"), "RT 0001", False)],
    "clients": [
        {
            "fname": "Wrong",
            "lname": "Business",
            "organization": "Maple Side Client Inc.",
            "email": "ap@maple-side.example",
        }
    ],
    "items": [{"name": "Maple syrup consulting", "sku": "MAPLE-1", "unit_cost": {"amount": "150.00"}}],
    "invoices": [
        {
            "create_date": "2026-01-15",
            "lines": [{"name": "Maple syrup consulting", "qty": "2", "unit_cost": {"amount": "150.00"}}],
        }
    ],
}


def identity(*, user_id: int = 170001) -> dict[str, Any]:
    """The /users/me document (under "response", no "result"), as `python/auth_me_response.json`."""
    memberships = []
    roles = []
    for index, biz in enumerate(BUSINESSES):
        memberships.append(
            {
                "id": biz.membership_id,
                "role": biz.role,
                "unacknowledged_change": False,
                "business": {
                    "id": biz.business_id,
                    "business_uuid": biz.business_uuid,
                    "name": biz.name,
                    "account_id": biz.account_id,
                    "date_format": "mm/dd/yyyy",
                    "address": {
                        "id": 76500 + index,
                        "street": "1 Sandbox Way",
                        "city": "New York",
                        "province": "New York",
                        "country": "United States",
                        "postal_code": "10001",
                    },
                    "phone_number": {"id": 666200 + index, "phone_number": "555-0100"},
                    "business_clients": [],
                },
            }
        )
        roles.append(
            {
                "id": 61300 + index,
                "role": "admin" if biz.role == "owner" else biz.role,
                "systemid": 654700 + index,
                "userid": 1 + index,
                "created_at": "2024-01-02T15:04:05Z",
                "links": {"destroy": f"/service/auth/api/v1/users/role/{61300 + index}"},
                "accountid": biz.account_id,
            }
        )
    return {
        "id": user_id,
        "profile": {
            "setup_complete": True,
            "first_name": "Sandy",
            "last_name": "Box",
            "phone_number": None,
            "address": None,
            "professions": [
                {
                    "id": 52500,
                    "business_id": None,
                    "title": "Retail",
                    "company": BUSINESSES[0].name,
                    "designation": None,
                }
            ],
            "has_password": True,
        },
        "identity_id": user_id,
        "identity_uuid": "5b1c0c1e-ffff-4a55-9d00-5a4db0c0aaaa",
        "first_name": "Sandy",
        "last_name": "Box",
        "email": "owner@sandbox-trading.example",
        "language": "en",
        "confirmed_at": "2024-01-02T15:04:05Z",
        "created_at": "2024-01-02T15:00:00Z",
        "unconfirmed_email": None,
        "setup_complete": True,
        "phone_numbers": [{"title": "", "phone_number": None}],
        "addresses": [None],
        "profession": {
            "id": 65500,
            "business_id": None,
            "title": "Retail",
            "company": BUSINESSES[0].name,
            "designation": None,
        },
        "links": {
            "me": f"/service/auth/api/v1/users?id={user_id}",
            "roles": f"/service/auth/api/v1/users/role/{user_id}",
        },
        "permissions": {biz.account_id: {} for biz in BUSINESSES},
        "groups": [
            {
                "id": 12400 + i,
                "group_id": 7700 + i,
                "role": biz.role,
                "identity_id": user_id,
                "identity_uuid": biz.business_uuid,
                "business_id": biz.business_id,
                "active": True,
            }
            for i, biz in enumerate(BUSINESSES)
        ],
        "subscription_statuses": {biz.account_id: "active" for biz in BUSINESSES},
        "integrations": {},
        "business_memberships": memberships,
        "identity_origin": None,
        "roles": roles,
    }
