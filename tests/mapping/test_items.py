"""Catalogue items for unknown SKUs, per the unknown-SKU policy."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping import default_profile, invoice_from_order, items_needed

from .order_factory import Line, Spec, build


def test_items_for_unknown_skus_or_inbox() -> None:
    detail = build(Spec(lines=[Line(D("10"), 1, sku="A", name="Apple"), Line(D("5"), 2, sku="B", name="Pear"),
                               Line(D("7"), 1, sku="A", name="Apple again"), Line(D("1"), 1, sku="")]))
    plan = invoice_from_order(detail, default_profile(), customer_id=1, store_timezone="UTC",
                              freshbooks_taxes=[])
    drafts = items_needed(plan, default_profile(), existing_skus={"B"})
    assert [(d.sku, d.name, d.unit_cost, d.currency_code) for d in drafts] == [
        ("A", "Apple", D("10.00"), "USD")]
    assert items_needed(plan, default_profile(), existing_skus={"A", "B"}) == []
    inbox = default_profile().model_copy(update={"unknown_sku_policy": "inbox"})
    with pytest.raises(DataError) as caught:
        items_needed(plan, inbox, existing_skus=set())
    assert caught.value.field == "sku" and "A, B" in caught.value.message
