"""Hand-computed orders -> FreshBooks invoice plans, checked with independently done FreshBooks math."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.invoice import InvoicePlan, invoice_from_order
from bigbooks_desktop.mapping.profile import MappingProfile, default_profile

from .fb_arith import invoice_tax, invoice_total, tax_by_name
from .order_factory import Line, Spec, build

STATE_CITY = (("State", D("6.25")), ("City", D("2")))
STATE = (("State", D("6.25")),)
MWST = (("MwSt", D("19")),)


def bigcommerce_tax_by_name(detail: bc.OrderDetail, places: int = 2) -> dict[str, D]:
    result: dict[str, D] = {}
    for row in detail.taxes:
        result[row.name] = result.get(row.name, D(0)) + row.line_amount.quantize(D(1).scaleb(-places))
    return {name: amount for name, amount in result.items() if amount}


def plan_for(detail: bc.OrderDetail, profile: MappingProfile | None = None,
             taxes: list[fb.Tax] | None = None, rule: str = "line-half-up") -> InvoicePlan:
    """The plan, checked against BigCommerce with FreshBooks math done again: the total is the order's, each
    tax name carries what BigCommerce charged under it, unit costs are whole cents, nothing untaxed patches."""
    plan = invoice_from_order(detail, profile or default_profile(), customer_id=77,
                              store_timezone="America/Chicago", freshbooks_taxes=taxes or [],
                              rule=rule)  # type: ignore[arg-type]
    places = 0 if plan.draft.currency_code == "JPY" else 2
    assert plan.expected_total == invoice_total(plan.draft.lines, places) if rule == "line-half-up" else True
    assert plan.expected_total == plan.order_total - plan.gift_certificates_sold
    fb_taxes = {k: v for k, v in tax_by_name(plan.draft.lines, rule, places).items() if v}
    assert fb_taxes == {k: v for k, v in plan.taxes.items() if v}
    if not taxes and profile is None:
        assert fb_taxes == bigcommerce_tax_by_name(detail, places)
    assert sum(fb_taxes.values(), D(0)) == sum(bigcommerce_tax_by_name(detail, places).values(), D(0))
    for line in plan.draft.lines:
        assert line.unit_cost == line.unit_cost.quantize(D(1).scaleb(-places)), line
        assert line.kind != "rounding"
    return plan


def test_tax_exclusive_two_rates_shipping_taxed() -> None:
    detail = build(Spec(lines=[Line(D("19.99"), 3, STATE_CITY, sku="TOWEL", name="Towel",
                                    options=(("Size", "L"), ("Colour", "Red"))),
                               Line(D("5.0050"), 7, STATE, sku="MUG", name="Mug")],
                        shipping=D("7.50"), shipping_combo=STATE_CITY))
    assert detail.order.total_inc_tax == D("110.2650")
    plan = plan_for(detail)
    assert plan.order_total == D("110.27")
    towel, mug, mug_second, shipping = plan.draft.lines
    assert (towel.name, towel.qty, towel.unit_cost) == ("Towel", 3, D("19.99"))
    assert (towel.tax_name1, towel.tax_amount1, towel.tax_name2, towel.tax_amount2) == ("State", D("6.25"),
                                                                                        "City", D("2"))
    assert towel.description == "Size: L, Colour: Red\nSKU: TOWEL"
    # 7 x 5.0050 = 35.035 -> 35.04, not a whole-cent price: two price points of the same mug
    assert [(x.qty, x.unit_cost) for x in (mug, mug_second)] == [(3, D("5.00")), (4, D("5.01"))]
    assert mug.tax_name2 == "" and mug.tax_amount2 is None and mug_second.tax_name1 == "State"
    assert (shipping.name, shipping.unit_cost, shipping.kind, shipping.description) == (
        "Shipping", D("7.50"), "shipping", "UPS Ground")
    assert invoice_tax(plan.draft.lines) == D("7.76")            # 3.75 + 1.20 + 2.19 + 0.47 + 0.15
    assert plan.skus == [("TOWEL", "Towel", D("19.99")), ("MUG", "Mug", D("5.01"))]
    assert [(t.name, t.amount) for t in plan.taxes_needed] == [("State", D("6.250")), ("City", D("2.000"))]
    draft = plan.draft
    assert (draft.customerid, draft.invoice_number, draft.po_number, draft.currency_code) == (
        77, "BC-100", "100", "USD")
    assert draft.create_date == date(2026, 3, 4)                 # 03:30 UTC is the evening before in Chicago
    assert draft.notes == "Please gift wrap"
    assert draft.mark_as_sent is True


def test_tax_inclusive_exact_without_rounding() -> None:
    detail = build(Spec(lines=[Line(D("11.90"), 2, MWST)], inclusive=True, shipping=D("5.95"),
                        shipping_combo=MWST, currency="EUR"))
    plan = plan_for(detail)
    item, shipping = plan.draft.lines
    assert (item.qty, item.unit_cost, item.tax_amount1) == (2, D("10.00"), D("19"))
    assert shipping.unit_cost == D("5.00")
    assert plan.order_total == D("29.75")


def test_tax_inclusive_that_one_line_cannot_reproduce_becomes_two_taxed_parts() -> None:
    # 9.99 incl. 19 %: BigCommerce's tax is 1.60 on 8.39 net; FreshBooks charges 19 % of 8.39 = 1.59. Two taxed
    # parts of the same line, adding up to 8.39, round to 1.60 together.
    detail = build(Spec(lines=[Line(D("9.99"), 1, MWST)], inclusive=True, currency="EUR"))
    plan = plan_for(detail)
    assert plan.order_total == D("9.99")
    first, second = plan.draft.lines
    assert first.unit_cost + second.unit_cost == D("8.39")
    assert first.tax_name1 == second.tax_name1 == "MwSt" and first.name == second.name
    assert "second part" in second.description


def test_discounts_reduce_the_tax_of_the_lines_they_come_off() -> None:
    # coupon 5 and manual 2 spread over 40.00 taxed and 10.00 untaxed: 4.00 + 1.60 off the taxed line
    spec = Spec(lines=[Line(D("20"), 2, STATE), Line(D("10"), 1, ())], coupon=D("5"), manual=D("2"))
    detail = build(spec)
    assert detail.order.total_tax == D("2.15")                      # 6.25 % of 34.40, not of 40.00
    lines_plan = plan_for(detail)
    discounts = [(x.name, x.unit_cost, x.tax_name1) for x in lines_plan.draft.lines if x.kind == "discount"]
    assert sorted(discounts) == [("Coupon SAVE5", D("-4.00"), "State"), ("Coupon SAVE5", D("-1.00"), ""),
                                 ("Discount", D("-1.60"), "State"), ("Discount", D("-0.40"), "")]
    allocate = plan_for(detail, default_profile().model_copy(update={"discount_policy": "allocate"}))
    assert [(x.kind, x.qty, x.unit_cost) for x in allocate.draft.lines] == [("item", 2, D("17.20")),
                                                                            ("item", 1, D("8.60"))]


def test_taxed_discounts_split_by_tax_combination() -> None:
    spec = Spec(lines=[Line(D("40"), 1, STATE_CITY), Line(D("20"), 1, STATE), Line(D("40"), 1, ())],
                coupon=D("10"))
    detail = build(spec)
    plan = plan_for(detail)
    by_taxes: dict[tuple[str, str], D] = {}
    for x in plan.draft.lines:
        if x.kind == "discount":
            by_taxes[(x.tax_name1, x.tax_name2)] = by_taxes.get((x.tax_name1, x.tax_name2), D(0)) + x.unit_cost
    assert by_taxes == {("", ""): D("-4.00"), ("State", "City"): D("-4.00"), ("State", ""): D("-2.00")}
    # BigCommerce charged round(18.00 x 6.25 %) = 1.13; 1.25 - 0.13 on 20.00 and -2.00 would be 1.12, so the
    # -2.00 State discount is written as two taxed parts that round to -0.12 together
    assert len([x for x in plan.draft.lines if x.kind == "discount"]) == 4
    assert invoice_tax(plan.draft.lines) == detail.order.total_tax.quantize(D("0.01"))
    allocate = plan_for(detail, default_profile().model_copy(update={"discount_policy": "allocate"}))
    assert [x.unit_cost for x in allocate.draft.lines if x.kind == "item"] == [D("36.00"), D("18.00"),
                                                                               D("36.00")]
    assert "discount of 4" in allocate.draft.lines[0].description


def test_coupon_and_manual_discount_applied_amounts_steer_the_split() -> None:
    spec = Spec(lines=[Line(D("50"), 1, STATE, applied=(("total-coupon", D("10")),)),
                       Line(D("50"), 1, (), applied=())], coupon=D("10"))
    plan = plan_for(build(spec))
    discount = [x for x in plan.draft.lines if x.kind == "discount"]
    assert [(x.unit_cost, x.tax_name1) for x in discount] == [(D("-10.00"), "State")]


def test_second_currency_invoices_in_the_transaction_currency() -> None:
    detail = build(Spec(lines=[Line(D("12.34"), 2)], currency="EUR"))
    detail = detail.model_copy(update={"order": detail.order.model_copy(update={"currency_code": "USD"})})
    plan = plan_for(detail)
    assert plan.draft.currency_code == "EUR"


def test_zero_decimal_currency() -> None:
    detail = build(Spec(lines=[Line(D("1250"), 3, (("Consumption", D("10")),))], currency="JPY",
                        inclusive=True))
    plan = plan_for(detail)
    assert plan.order_total == D("3750")


def test_zero_tax_order() -> None:
    plan = plan_for(build(Spec(lines=[Line(D("3.33"), 3), Line(D("0.01"), 1)], shipping=D("4.99"))))
    assert all(x.tax_name1 == "" and x.tax_amount1 is None for x in plan.draft.lines)
    assert plan.taxes_needed == [] and plan.taxes == {}
    assert plan.order_total == D("14.99")


def test_more_than_a_hundred_lines() -> None:
    lines = [Line(D(f"{(i * 37) % 1000 + 1}.{i % 100:02d}") / 7, (i % 5) + 1, STATE if i % 2 else STATE_CITY,
                  sku=f"SKU-{i}") for i in range(150)]
    plan = plan_for(build(Spec(lines=[Line(x.price.quantize(D("0.0001")), x.qty, x.combo, x.sku)
                                      for x in lines], shipping=D("25"), shipping_combo=STATE)))
    items = [x for x in plan.draft.lines if x.kind == "item"]
    assert len({x.description.splitlines()[0] for x in items}) == 150       # 4-decimal prices: two price points
    assert sum((x.qty for x in items), D(0)) == sum((x.qty for x in lines), 0)
    assert len(plan.skus) == 150


def test_bundle_children_without_price_fold_into_the_parent() -> None:
    detail = build(Spec(lines=[Line(D("30"), 1, STATE, name="Kit", sku="KIT"),
                               Line(D("0"), 2, (), name="Filter", sku="FIL", parent=1001),
                               Line(D("5"), 1, STATE, name="Priced part", sku="PART", parent=1001)]))
    plan = plan_for(detail)
    names = [x.name for x in plan.draft.lines]
    assert names == ["Kit", "Priced part"]
    assert "Includes: 2 x Filter" in plan.draft.lines[0].description
    assert "Part of: Kit" in plan.draft.lines[1].description


def test_existing_freshbooks_taxes_and_name_mapping() -> None:
    detail = build(Spec(lines=[Line(D("10"), 1, STATE_CITY)]))
    existing = [fb.Tax(id=1, name="State", amount=D("6.25")), fb.Tax(id=2, name="City", amount=D("2.5"))]
    plan = plan_for(detail, taxes=existing)
    line = plan.draft.lines[0]
    assert (line.tax_name1, line.tax_name2) == ("State", "City 2%")
    assert [t.name for t in plan.taxes_needed] == ["City 2%"]
    mapped = default_profile().model_copy(update={"tax_names": {"City": "Austin City"}})
    assert plan_for(detail, mapped).draft.lines[0].tax_name2 == "Austin City"
    inbox = default_profile().model_copy(update={"missing_tax_policy": "inbox"})
    with pytest.raises(DataError) as caught:
        plan_for(detail, inbox, existing)
    assert caught.value.field == "tax"


def test_three_taxes_on_a_line_each_keep_their_own_name_rate_and_base() -> None:
    three = (("State", D("6.25")), ("County", D("0.5")), ("City", D("2")))
    plan = plan_for(build(Spec(lines=[Line(D("100"), 1, three)])))
    line, carrier, offset = plan.draft.lines
    assert (line.tax_name1, line.tax_amount1, line.tax_name2, line.tax_amount2) == (
        "State", D("6.25"), "County", D("0.5"))
    # City rides on +100 (City, County) and -100 (County): every rate's taxable base is 100.00, the sales
    # total stays 100.00, and no line is untaxed
    assert (carrier.unit_cost, carrier.tax_name1, carrier.tax_name2) == (D("100.00"), "City", "County")
    assert (offset.unit_cost, offset.tax_name1, offset.tax_name2) == (D("-100.00"), "County", "")
    assert tax_by_name(plan.draft.lines) == {"State": D("6.25"), "County": D("0.50"), "City": D("2.00")}


def test_fingerprint_is_stable_and_tracks_content() -> None:
    detail = build(Spec(lines=[Line(D("10"), 1, STATE)]))
    first, second = plan_for(detail), plan_for(detail)
    assert first.fingerprint() == second.fingerprint()
    other = build(Spec(lines=[Line(D("10.01"), 1, STATE)]))
    assert plan_for(other).fingerprint() != first.fingerprint()


def test_draft_mode_and_staff_notes() -> None:
    detail = build(Spec(lines=[Line(D("10"), 1)]))
    detail = detail.model_copy(update={"order": detail.order.model_copy(update={"staff_notes": "VIP"})})
    profile = default_profile().model_copy(update={"invoice_mode": "draft"})
    plan = plan_for(detail, profile)
    assert plan.draft.mark_as_sent is False and "VIP" not in plan.draft.notes
    shown = MappingProfile.model_validate({"invoice_mode": "draft", "include_staff_notes": True})
    assert plan_for(detail, shown).draft.notes == "Please gift wrap\nVIP"


@pytest.mark.parametrize("change", [
    {"total_inc_tax": D("999")},
    {"total_tax": D("-1")},
    {"coupon_discount": D("3")},
])
def test_orders_that_do_not_add_up_are_data_errors(change: dict[str, D]) -> None:
    detail = build(Spec(lines=[Line(D("10"), 2, STATE)]))
    bad = detail.model_copy(update={"order": detail.order.model_copy(update=change)})
    with pytest.raises(DataError) as caught:
        plan_for(bad)
    assert "BigCommerce" in caught.value.message


def test_negative_quantity_and_bad_timezone_are_data_errors() -> None:
    detail = build(Spec(lines=[Line(D("10"), 2, STATE)]))
    product = detail.products[0].model_copy(update={"quantity": -2})
    with pytest.raises(DataError, match="quantity"):
        plan_for(detail.model_copy(update={"products": (product,)}))
    with pytest.raises(DataError) as caught:
        invoice_from_order(detail, default_profile(), customer_id=1, store_timezone="Mars/Olympus",
                           freshbooks_taxes=[])
    assert caught.value.field == "timezone"


def test_taxed_line_without_any_tax_rate_is_a_data_error() -> None:
    detail = build(Spec(lines=[Line(D("10"), 2, STATE)]))
    with pytest.raises(DataError) as caught:
        plan_for(detail.model_copy(update={"taxes": ()}))
    assert caught.value.field == "tax"


def test_rates_with_four_decimals_keep_their_name_and_bigcommerces_tax() -> None:
    denver = (("Colorado State Tax", D("2.9")), ("Denver Tax", D("4.8125")))
    detail = build(Spec(lines=[Line(D("19.99"), 3, denver), Line(D("7.77"), 1, denver)]))
    plan = plan_for(detail)
    # FreshBooks keeps 3 decimals: 4.8125 is rounded up, and the fit brings the tax to BigCommerce's cent
    assert {line.tax_amount2 for line in plan.draft.lines} == {D("4.813")}
    assert tax_by_name(plan.draft.lines)["Denver Tax"] == sum(
        (row.line_amount for row in detail.taxes if row.name == "Denver Tax"), D(0))


def test_custom_checkout_fields_and_the_customer_message_go_to_the_notes() -> None:
    detail = build(Spec(lines=[Line(D("10.00"), 1, STATE, sku="MUG", name="Mug")]))
    billing = detail.order.billing_address.model_copy(update={"form_fields": (
        bc.FormField(name="Delivery Instructions", value="Leave in backyard"),
        bc.FormField(name="Gift", value=["wrap", "card"]))})
    order = detail.order.model_copy(update={"billing_address": billing, "customer_message": "Ring twice"})
    plan = plan_for(detail.model_copy(update={"order": order}))
    assert plan.draft.notes == "Ring twice\nDelivery Instructions: Leave in backyard\nGift: wrap, card"
