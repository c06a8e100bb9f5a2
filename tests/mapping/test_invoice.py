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

from .fb_arith import invoice_tax, invoice_total
from .order_factory import Line, Spec, build

STATE_CITY = (("State", D("6.25")), ("City", D("2")))
STATE = (("State", D("6.25")),)
MWST = (("MwSt", D("19")),)


def plan_for(detail: bc.OrderDetail, profile: MappingProfile | None = None,
             taxes: list[fb.Tax] | None = None) -> InvoicePlan:
    plan = invoice_from_order(detail, profile or default_profile(), customer_id=77,
                              store_timezone="America/Chicago", freshbooks_taxes=taxes or [])
    own = [line for line in plan.draft.lines if line.kind != "rounding"]
    places = 0 if plan.draft.currency_code == "JPY" else 2
    assert plan.expected_total == invoice_total(own, places)
    assert plan.expected_total + plan.rounding_adjustment == plan.order_total
    assert invoice_total(plan.draft.lines, places) == plan.order_total
    rounding_lines = [line for line in plan.draft.lines if line.kind == "rounding"]
    assert len(rounding_lines) == (1 if plan.rounding_adjustment else 0)
    if rounding_lines:
        assert rounding_lines[0].tax_name1 == "" and rounding_lines[0].unit_cost == plan.rounding_adjustment
    return plan


def test_tax_exclusive_two_rates_shipping_taxed() -> None:
    detail = build(Spec(lines=[Line(D("19.99"), 3, STATE_CITY, sku="TOWEL", name="Towel",
                                    options=(("Size", "L"), ("Colour", "Red"))),
                               Line(D("5.0050"), 7, STATE, sku="MUG", name="Mug")],
                        shipping=D("7.50"), shipping_combo=STATE_CITY))
    assert detail.order.total_inc_tax == D("110.2650")
    # an account known to keep 4-decimal unit costs reproduces the order exactly, with no rounding line
    plan = plan_for(detail, default_profile().model_copy(update={"unit_cost_max_places": 4}))
    assert plan.order_total == D("110.27")
    assert plan.rounding_adjustment == 0
    towel, mug, shipping = plan.draft.lines
    assert (towel.name, towel.qty, towel.unit_cost) == ("Towel", 3, D("19.99"))
    assert (towel.tax_name1, towel.tax_amount1, towel.tax_name2, towel.tax_amount2) == ("State", D("6.25"),
                                                                                        "City", D("2"))
    assert towel.description == "Size: L, Colour: Red\nSKU: TOWEL"
    assert (mug.qty, mug.unit_cost) == (7, D("5.0057"))          # 35.035 -> 35.04 needs 4 dp at qty 7
    assert mug.tax_name2 == "" and mug.tax_amount2 is None
    assert (shipping.name, shipping.unit_cost, shipping.kind, shipping.description) == (
        "Shipping", D("7.50"), "shipping", "UPS Ground")
    assert invoice_tax(plan.draft.lines) == D("7.76")            # 3.75 + 1.20 + 2.19 + 0.47 + 0.15
    assert plan.skus == [("TOWEL", "Towel", D("19.99")), ("MUG", "Mug", D("5.0057"))]
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
    assert plan.order_total == D("29.75") and plan.rounding_adjustment == 0


def test_tax_inclusive_that_percentages_cannot_reproduce_gets_a_rounding_line() -> None:
    # 9.99 incl. 19 %: ex 8.39 -> 8.39 + 1.59 = 9.98; ex 8.40 -> 8.40 + 1.60 = 10.00. No ex amount gives 9.99.
    detail = build(Spec(lines=[Line(D("9.99"), 1, MWST)], inclusive=True, currency="EUR"))
    plan = plan_for(detail)
    assert plan.order_total == D("9.99")
    assert plan.rounding_adjustment == D("0.01")
    assert plan.draft.lines[-1].name == "Rounding adjustment"


def test_untaxed_discounts_under_both_policies() -> None:
    spec = Spec(lines=[Line(D("20"), 2, STATE), Line(D("10"), 1, ())], coupon=D("5"), manual=D("2"))
    detail = build(spec)
    lines_plan = plan_for(detail)
    coupon, manual = lines_plan.draft.lines[-2:]
    assert (coupon.name, coupon.unit_cost, coupon.tax_name1) == ("Coupon SAVE5", D("-5.00"), "")
    assert (manual.name, manual.unit_cost, manual.kind) == ("Discount", D("-2.00"), "discount")
    # discounts that did not reduce BigCommerce's tax cannot be spread into taxed prices: lines are kept
    allocate = plan_for(detail, default_profile().model_copy(update={"discount_policy": "allocate"}))
    assert [x.kind for x in allocate.draft.lines] == ["item", "item", "discount", "discount"]


def test_taxed_discounts_split_by_tax_combination() -> None:
    spec = Spec(lines=[Line(D("40"), 1, STATE_CITY), Line(D("20"), 1, STATE), Line(D("40"), 1, ())],
                coupon=D("10"), discount_reduces_tax=True)
    detail = build(spec)
    plan = plan_for(detail)
    discounts = [x for x in plan.draft.lines if x.kind == "discount"]
    assert sorted((x.unit_cost, x.tax_name1, x.tax_name2) for x in discounts) == [
        (D("-4.00"), "", ""), (D("-4.00"), "State", "City"), (D("-2.00"), "State", "")]
    assert invoice_tax(plan.draft.lines) == detail.order.total_tax.quantize(D("0.01"))
    allocate = plan_for(detail, default_profile().model_copy(update={"discount_policy": "allocate"}))
    assert [x.unit_cost for x in allocate.draft.lines if x.kind == "item"] == [D("36.00"), D("18.00"),
                                                                               D("36.00")]
    assert "discount of 4" in allocate.draft.lines[0].description
    # BigCommerce took 0.125 -> 0.13 tax off the 2.00 share but charged 1.25; FreshBooks charges 1.13 on 18.00
    assert allocate.rounding_adjustment == D("-0.01")


def test_coupon_and_manual_discount_applied_amounts_steer_the_split() -> None:
    spec = Spec(lines=[Line(D("50"), 1, STATE, applied=(("total-coupon", D("10")),)),
                       Line(D("50"), 1, (), applied=())], coupon=D("10"), discount_reduces_tax=True)
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
    assert plan.taxes_needed == [] and plan.rounding_adjustment == 0
    assert plan.order_total == D("14.99")


def test_more_than_a_hundred_lines() -> None:
    lines = [Line(D(f"{(i * 37) % 1000 + 1}.{i % 100:02d}") / 7, (i % 5) + 1, STATE if i % 2 else STATE_CITY,
                  sku=f"SKU-{i}") for i in range(150)]
    plan = plan_for(build(Spec(lines=[Line(x.price.quantize(D("0.0001")), x.qty, x.combo, x.sku)
                                      for x in lines], shipping=D("25"), shipping_combo=STATE)))
    assert len([x for x in plan.draft.lines if x.kind == "item"]) == 150
    assert abs(plan.rounding_adjustment) <= D("1.51")
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


def test_three_taxes_on_a_line_combine_into_the_second_slot() -> None:
    three = (("State", D("6.25")), ("County", D("0.5")), ("City", D("2")))
    plan = plan_for(build(Spec(lines=[Line(D("100"), 1, three)])))
    line = plan.draft.lines[0]
    assert (line.tax_name1, line.tax_amount1) == ("State", D("6.25"))
    assert (line.tax_name2, line.tax_amount2) == ("County + City", D("2.5"))


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
    shown = profile.model_copy(update={"include_staff_notes": True})
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


def test_default_two_place_unit_costs_put_the_lost_cents_on_the_rounding_line() -> None:
    """FreshBooks is only known to keep 2-decimal unit costs: 35.04 over qty 7 becomes 7 x 5.01 and the
    3 cents go (taxed amounts included) to the labelled rounding line, so the total still matches."""
    detail = build(Spec(lines=[Line(D("19.99"), 3, STATE_CITY, sku="TOWEL", name="Towel"),
                               Line(D("5.0050"), 7, STATE, sku="MUG", name="Mug")],
                        shipping=D("7.50"), shipping_combo=STATE_CITY))
    plan = plan_for(detail)
    mug = next(line for line in plan.draft.lines if line.name == "Mug")
    assert (mug.qty, mug.unit_cost) == (7, D("5.01"))
    assert plan.order_total == D("110.27")
    assert plan.rounding_adjustment == D("-0.03")
    assert plan.draft.lines[-1].kind == "rounding"


def test_custom_checkout_fields_and_the_customer_message_go_to_the_notes() -> None:
    detail = build(Spec(lines=[Line(D("10.00"), 1, STATE, sku="MUG", name="Mug")]))
    billing = detail.order.billing_address.model_copy(update={"form_fields": (
        bc.FormField(name="Delivery Instructions", value="Leave in backyard"),
        bc.FormField(name="Gift", value=["wrap", "card"]))})
    order = detail.order.model_copy(update={"billing_address": billing, "customer_message": "Ring twice"})
    plan = plan_for(detail.model_copy(update={"order": order}))
    assert plan.draft.notes == "Ring twice\nDelivery Instructions: Leave in backyard\nGift: wrap, card"
