"""Refunds in the BigCommerce sandbox: v3 refund items priced with their tax, paid back or as store credit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.bigcommerce import BigCommerceSandbox
from bigbooks_desktop.sandbox.bigcommerce.audit import money_problems
from bigbooks_desktop.sandbox.bigcommerce.pricing import round2
from bigbooks_desktop.sandbox.config import SandboxConfig

ZERO = Decimal("0")
NOW = 1_800_000_000.0


@pytest.fixture(scope="module")
def template() -> BigCommerceSandbox:
    return BigCommerceSandbox(SandboxConfig(orders=300, seed=3, clock=lambda: NOW))


@pytest.fixture
def sandbox(template: BigCommerceSandbox) -> BigCommerceSandbox:
    template.reset()
    return template


def _unrefunded(sandbox: BigCommerceSandbox, *, registered: bool | None = None, **want: Any) -> dict[str, Any]:
    for record in sandbox.records():
        order = record["order"]
        if order["status_id"] not in (10, 11) or record["refunds"]:
            continue
        if registered is not None and bool(order["customer_id"]) != registered:
            continue
        if want.get("taxed_shipping") and not order["shipping_cost_tax"]:
            continue
        lines = record["products"]
        if want.get("discounted") and not any(ln["applied_discounts"] and ln["total_tax"] for ln in lines):
            continue
        if want.get("units") and not any(ln["quantity"] >= want["units"] and ln["total_tax"] for ln in lines):
            continue
        return record
    raise AssertionError(f"no unrefunded order with {want}")


def _problems(sandbox: BigCommerceSandbox) -> list[str]:
    return [p for r in sandbox.records() for p in money_problems(r)] + sandbox.store.ledger.problems()


def test_a_full_refund_by_items_gives_back_the_order_total_and_its_tax(sandbox: BigCommerceSandbox) -> None:
    record = _unrefunded(sandbox, taxed_shipping=True, discounted=True)
    order = record["order"]
    refund = sandbox.add_refund(order["id"], reason="all of it")
    assert refund["total_amount"] == order["total_inc_tax"] and refund["total_tax"] == order["total_tax"]
    kinds = [item["item_type"] for item in refund["items"]]
    assert kinds.count("PRODUCT") == len(record["products"]) and "SHIPPING" in kinds
    shipping = next(i for i in refund["items"] if i["item_type"] == "SHIPPING")
    assert shipping["item_id"] == record["shipping_addresses"][0]["id"]
    assert all("requested_amount" not in i for i in refund["items"] if i["item_type"] == "PRODUCT")
    assert order["status_id"] == 4 and all(line["is_refunded"] for line in record["products"])
    assert sum(p["amount"] for p in refund["payments"]) == refund["total_amount"]
    assert _problems(sandbox) == []


def test_some_units_of_a_discounted_line(sandbox: BigCommerceSandbox) -> None:
    record = _unrefunded(sandbox, units=3)
    line = next(ln for ln in record["products"] if ln["quantity"] >= 3 and ln["total_tax"])
    q = line["quantity"]
    rows = [t["line_amount"] for t in record["taxes"] if t["order_product_id"] == str(line["id"])]
    one = sandbox.add_refund(record["order"]["id"], items=[{"item_type": "PRODUCT", "item_id": line["id"],
                                                            "quantity": 1}])
    assert one["total_amount"] == round2(line["discounted_total_inc_tax"] / q)
    assert one["total_tax"] == sum(round2(row / q) for row in rows)
    assert one["items"] == [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1, "reason": ""}]
    rest = sandbox.add_refund(record["order"]["id"], items=[{"item_type": "PRODUCT", "item_id": line["id"],
                                                             "quantity": q - 1}])
    # cumulative rounding: the two refunds add up to exactly what the line cost and its tax
    assert one["total_amount"] + rest["total_amount"] == line["discounted_total_inc_tax"]
    assert one["total_tax"] + rest["total_tax"] == line["total_tax"]
    assert line["quantity_refunded"] == q and line["is_refunded"]
    assert record["order"]["status_id"] == 14 and _problems(sandbox) == []
    with pytest.raises(ValueError, match="left to refund"):
        sandbox.add_refund(record["order"]["id"], items=[{"item_type": "PRODUCT", "item_id": line["id"],
                                                          "quantity": 1}])


def test_part_of_the_shipping_carries_its_share_of_the_shipping_tax(sandbox: BigCommerceSandbox) -> None:
    record = _unrefunded(sandbox, taxed_shipping=True)
    order = record["order"]
    address = record["shipping_addresses"][0]["id"]
    discount = sum((Decimal(str(c["discount"])) for c in record["coupons"] if c["type"] in (3, 4)), ZERO)
    paid = order["shipping_cost_inc_tax"] - discount
    refund = sandbox.add_refund(order["id"], items=[{"item_type": "SHIPPING", "item_id": address,
                                                     "amount": Decimal("2.00")}])
    assert refund["total_amount"] == Decimal("2.00")
    assert refund["total_tax"] == round2(Decimal("2.00") * order["shipping_cost_tax"] / paid)
    assert refund["items"][0]["requested_amount"] == Decimal("2.00")
    assert _problems(sandbox) == []


def test_an_amount_alone_is_an_untaxed_order_level_refund(sandbox: BigCommerceSandbox) -> None:
    record = _unrefunded(sandbox)
    refund = sandbox.add_refund(record["order"]["id"], Decimal("1.25"), reason="scuffed")
    assert refund["total_tax"] == ZERO
    assert refund["items"] == [{"item_type": "ORDER", "item_id": record["order"]["id"],
                                "requested_amount": Decimal("1.25"), "reason": "scuffed"}]
    # what is left is refunded as one ORDER amount: earlier ORDER refunds did not say what they were for
    rest = sandbox.add_refund(record["order"]["id"])
    assert [i["item_type"] for i in rest["items"]] == ["ORDER"]
    assert refund["total_amount"] + rest["total_amount"] == record["order"]["total_inc_tax"]
    assert record["order"]["status_id"] == 4 and _problems(sandbox) == []


def test_refunds_to_store_credit_go_to_registered_customers_only(sandbox: BigCommerceSandbox) -> None:
    guest = _unrefunded(sandbox, registered=False)
    with pytest.raises(ValueError, match="guest"):
        sandbox.add_refund(guest["order"]["id"], Decimal("1.00"), to="store_credit")
    record = _unrefunded(sandbox, registered=True)
    customer = next(c for c in sandbox.store.customers if c["id"] == record["order"]["customer_id"])
    before = customer["store_credit_amounts"][0]["amount"]
    refund = sandbox.add_refund(record["order"]["id"], to="store_credit")
    assert [(p["provider_id"], p["offline"]) for p in refund["payments"]] == [("storecredit", True)]
    assert customer["store_credit_amounts"][0]["amount"] == before + refund["total_amount"]
    credit_tx = next(t for t in record["transactions"] if t["event"] == "refund")
    assert credit_tx["method"] == "store_credit" and "reference_transaction_id" not in credit_tx
    # made "now", after everything generated: the balance it shows is the customer's balance
    assert credit_tx["store_credit"]["remaining_balance"] == before + refund["total_amount"]
    assert _problems(sandbox) == []


def test_unknown_parts_and_too_much_are_refused(sandbox: BigCommerceSandbox) -> None:
    record = _unrefunded(sandbox)
    order_id = record["order"]["id"]
    for items in (
        [{"item_type": "PRODUCT", "item_id": 1, "quantity": 1}],
        [{"item_type": "FEE", "item_id": 999999, "amount": "1.00"}],
        [{"item_type": "WHATEVER", "item_id": order_id}],
        [{"item_type": "PRODUCT", "item_id": record["products"][0]["id"], "quantity": 999}],
    ):
        with pytest.raises(ValueError):
            sandbox.add_refund(order_id, items=items)
    with pytest.raises(ValueError, match="exceeds"):
        sandbox.add_refund(order_id, Decimal("999999.00"))
    assert record["refunds"] == []


@pytest.mark.asyncio
async def test_the_admin_route_takes_items_an_amount_or_nothing() -> None:
    real = Sandbox(SandboxConfig(orders=120, seed=3))
    records = [r for r in real.bigcommerce.records() if r["order"]["status_id"] in (10, 11) and not r["refunds"]
               and r["order"]["customer_id"] and r["order"]["shipping_cost_tax"] > 1]
    first, second, third = records[:3]
    line = first["products"][0]
    async with httpx.AsyncClient(transport=real.transport(), base_url="http://sandbox") as http:
        by_items = await http.post(f"/_sandbox/orders/{first['order']['id']}/refunds", json={
            "items": [{"item_type": "PRODUCT", "item_id": line["id"], "quantity": 1},
                      {"item_type": "SHIPPING", "item_id": first["shipping_addresses"][0]["id"], "amount": "1.00"}],
            "to": "store_credit", "reason": "one broke"})
        by_amount = await http.post(f"/_sandbox/orders/{second['order']['id']}/refunds", json={"amount": "2.50"})
        everything = await http.post(f"/_sandbox/orders/{third['order']['id']}/refunds")
        bad_to = await http.post(f"/_sandbox/orders/{third['order']['id']}/refunds", json={"to": "cash"})
        bad_items = await http.post(f"/_sandbox/orders/{second['order']['id']}/refunds", json={"items": "all"})
    assert by_items.status_code == 201, by_items.text
    refund = by_items.json()
    assert [i["item_type"] for i in refund["items"]] == ["PRODUCT", "SHIPPING"]
    assert refund["payments"][0]["provider_id"] == "storecredit" and refund["reason"] == "one broke"
    assert by_amount.status_code == 201 and by_amount.json()["items"][0]["item_type"] == "ORDER"
    assert everything.status_code == 201
    assert Decimal(str(everything.json()["total_tax"])) == third["order"]["total_tax"]
    assert bad_to.status_code == 422 and bad_items.status_code == 422
    assert [p for r in real.bigcommerce.records() for p in money_problems(r)] == []
