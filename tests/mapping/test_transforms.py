"""Every transform on ordinary and awkward values, their JSON form, and the chain checker's type flow."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pydantic
import pytest

from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.catalogue import TARGET_FIELDS
from bigbooks_desktop.mapping.transforms import (
    TRANSFORMS,
    Concatenate,
    DateFormat,
    DefaultIfEmpty,
    DropEmptyLines,
    Lookup,
    Lower,
    NumberFormat,
    Prefix,
    Replace,
    Split,
    Suffix,
    TitleCase,
    ToNumber,
    Transform,
    TransformContext,
    Trim,
    Truncate,
    Upper,
    apply_chain,
    check_chain,
    fits,
    transform_adapter,
)

DATA: dict[str, Any] = {
    "order": {"id": 1024, "customer_message": "", "date_shipped": None, "date_created":
              datetime(2025, 3, 1, 3, 30, tzinfo=UTC), "currency_code": "USD"},
    "billing_address": {"company": "", "email": "bill@example.com", "first_name": "Jane", "last_name": "Doe"},
    "customer": {"company": "Acme"},
    "line": {"sku": "SKU-1", "product_id": 42},
    "custom_fields": {"po_number": "PO-9"},
}
CTX = TransformContext(timezone="America/Chicago", data=DATA)


def run(step: Transform, value: Any, ctx: TransformContext = CTX) -> Any:
    return step.apply(value, ctx)


def test_trim_and_case() -> None:
    assert run(Trim(), "  Jane \n") == "Jane"
    assert run(Trim(), None) == ""
    assert run(Trim(), 12) == "12"
    assert run(Lower(), "ÉCOLE") == "école"
    assert run(Upper(), "straße") == "STRASSE"           # one letter becomes two
    assert run(Upper(), None) == ""
    assert run(TitleCase(), "jane DOE-smith  o'neil") == "Jane Doe-Smith  O'neil"
    assert run(TitleCase(), "ßen élan") == "Ssen Élan"
    assert run(TitleCase(), "") == ""


def test_truncate_to_a_length_or_the_targets() -> None:
    assert run(Truncate(length=5), "Hello world") == "Hello"
    assert run(Truncate(length=6, ellipsis=True), "Hello world") == "Hello…"
    assert run(Truncate(length=6, ellipsis=True), "Hell o world") == "Hell…"   # no space before the ellipsis
    assert run(Truncate(length=20), "short") == "short"
    assert run(Truncate(), "x" * 300, TransformContext(max_length=200)) == "x" * 200
    assert run(Truncate(), "x" * 300) == "x" * 300            # no length anywhere: unchanged
    assert run(Truncate(length=3), None) == ""
    decomposed = "Cafe\u0301s"                                # "Cafés" with a combining accent
    assert run(Truncate(length=4), decomposed) == "Caf"       # not "Cafe" without its accent
    assert run(Truncate(length=1, ellipsis=True), "abc") == "…"
    with pytest.raises(pydantic.ValidationError):
        Truncate(length=0)


def test_default_if_empty_uses_fields_then_text() -> None:
    step = DefaultIfEmpty(paths=("billing_address.company", "customer.company"), text="n/a")
    assert run(step, "Own") == "Own"
    assert run(step, "") == "Acme"
    assert run(step, None) == "Acme"
    assert run(step, 0) == 0 and run(step, False) is False     # values, not empty
    assert run(DefaultIfEmpty(text="Product {line.product_id}"), "") == "Product 42"
    assert run(DefaultIfEmpty(text="{{none}}"), "") == "{none}"
    assert run(DefaultIfEmpty(paths=("order.customer_message",)), None) is None
    assert run(DefaultIfEmpty(paths=("order.date_shipped",), text=""), []) == []
    assert run(DefaultIfEmpty(paths=("order.date_created",)), None) == DATA["order"]["date_created"]


def test_concatenate_and_split() -> None:
    step = Concatenate(paths=("billing_address.last_name", "custom_fields.po_number"), separator=" / ")
    assert run(step, "Jane") == "Jane / Doe / PO-9"
    assert run(step, "") == "Doe / PO-9"
    keep = Concatenate(paths=("order.customer_message",), separator="|", skip_empty=False)
    assert run(keep, "a") == "a|"
    assert run(Concatenate(paths=("custom_fields.absent",)), "x") == "x"
    assert run(Split(separator="-", part=2), "PO-2025-17") == "2025"
    assert run(Split(separator="-", part=-1), "PO-2025-17") == "17"
    assert run(Split(separator="-", part=9), "PO-2025") == ""
    assert run(Split(separator="·"), "ä·ö") == "ä"
    assert run(Split(separator=","), None) == ""
    with pytest.raises(pydantic.ValidationError):
        Split(separator="-", part=0)
    with pytest.raises(pydantic.ValidationError):
        Split(separator="")


def test_lookup_tables_and_countries() -> None:
    statuses = Lookup(table={"10": "Completed", "11": "Awaiting Fulfillment"}, default="Other")
    assert run(statuses, 10) == "Completed"
    assert run(statuses, 7) == "Other"
    assert run(Lookup(table={"a": "b"}), 7) == "7"              # no default: the value stays, as text
    assert run(Lookup(countries=True), "GB") == "United Kingdom"
    assert run(Lookup(countries=True), "CI") == "Côte d'Ivoire"
    assert run(Lookup(countries=True), "XX") == "XX"
    assert run(Lookup(countries=True, table={"US": "USA"}), "US") == "USA"   # the merchant's entry wins
    assert run(Lookup(countries=True, ignore_case=True), "de") == "Germany"
    assert run(Lookup(countries=True), "de") == "de"
    terms = Lookup(table={"Wholesale": "30"}, default="0")
    assert apply_chain([terms, ToNumber(whole=True)], "Wholesale", CTX) == 30
    assert run(Lookup(table={"": "blank"}), None) == "blank"


def test_date_format_in_the_store_timezone() -> None:
    moment = datetime(2025, 3, 1, 3, 30, tzinfo=UTC)            # still 28 February in Chicago
    assert run(DateFormat(), moment) == "2025-02-28"
    assert run(DateFormat(pattern="%d/%m/%Y %H:%M"), moment) == "28/02/2025 21:30"
    assert run(DateFormat(pattern="%A %-d %B %Y, %-I:%M %p"), moment) == "Friday 28 February 2025, 9:30 PM"
    assert run(DateFormat(pattern="%a %b %y %j %% %z %Z"), moment) == "Fri Feb 25 059 % -0600 CST"
    assert run(DateFormat(pattern="%d.%m."), date(2025, 12, 24)) == "24.12."
    assert run(DateFormat(pattern="%I %p"), datetime(2025, 1, 1, 0, 5, tzinfo=UTC),
               TransformContext(timezone="UTC")) == "12 AM"
    assert run(DateFormat(), None) == ""
    with pytest.raises(DataError, match="timezone"):
        run(DateFormat(), moment, TransformContext(timezone="Mars/Olympus"))
    with pytest.raises(DataError, match="unknown codes"):
        run(DateFormat(pattern="%Q"), moment)
    with pytest.raises(DataError, match="not a date"):
        run(DateFormat(), "2025-03-01")


def test_number_format_is_exact_and_rounds_half_up() -> None:
    assert run(NumberFormat(), Decimal("2.675")) == "2.68"          # a float would give 2.67
    assert run(NumberFormat(places=0), Decimal("2.5")) == "3"
    assert run(NumberFormat(thousands=","), Decimal("1234567.891")) == "1,234,567.89"
    assert run(NumberFormat(thousands=".", decimal_point=","), Decimal("1234.5")) == "1.234,50"
    assert run(NumberFormat(thousands="\u202f", decimal_point=","), 1234) == "1\u202f234,00"
    assert run(NumberFormat(places=4), Decimal("12.5")) == "12.5000"
    assert run(NumberFormat(), Decimal("-0.001")) == "0.00"          # no negative zero
    assert run(NumberFormat(), Decimal("-1234.565")) == "-1234.57"
    assert run(NumberFormat(), None) == ""
    with pytest.raises(DataError):
        run(NumberFormat(), 1.5)                                     # floats are refused
    with pytest.raises(DataError):
        run(NumberFormat(), True)
    with pytest.raises(pydantic.ValidationError):
        NumberFormat(places=11)


def test_replace_prefix_suffix_and_lines() -> None:
    assert run(Replace(old=".*", new="!"), "a.*b.*") == "a!b!"     # plain text, not a pattern
    assert run(Replace(old="x"), "xax") == "a"
    assert run(Prefix(text="SKU: "), "A1") == "SKU: A1"
    assert run(Prefix(text="SKU: "), "") == ""
    assert run(Prefix(text="SKU: ", skip_empty=False), None) == "SKU: "
    assert run(Suffix(text=" (PO)"), "9") == "9 (PO)"
    assert run(Suffix(text="!"), "") == ""
    assert run(DropEmptyLines(), " a \n\n  \nb") == "a\nb"
    assert run(DropEmptyLines(trim_lines=False), " a \n\nb") == " a \nb"
    assert run(DropEmptyLines(), None) == ""


def test_to_number() -> None:
    assert run(ToNumber(), " 12.50 ") == Decimal("12.50")
    assert run(ToNumber(whole=True), "30") == 30
    assert run(ToNumber(whole=True), Decimal("30.0")) == 30
    assert run(ToNumber(), "") is None and run(ToNumber(), "  ") is None and run(ToNumber(), None) is None
    with pytest.raises(DataError, match="not a whole number"):
        run(ToNumber(whole=True), "30.5")
    with pytest.raises(DataError, match="not a number"):
        run(ToNumber(), "thirty")


ALL: list[Transform] = [
    Trim(), Lower(), Upper(), TitleCase(), Truncate(length=10, ellipsis=True),
    DefaultIfEmpty(paths=("customer.company",), text="x"), Concatenate(paths=("order.id",), separator="-"),
    Split(separator="/", part=-1), Lookup(table={"a": "b"}, countries=True, default="?", ignore_case=True),
    DateFormat(pattern="%d %B"), NumberFormat(places=3, thousands=" "), Replace(old="a", new="b"),
    Prefix(text="<"), Suffix(text=">", skip_empty=False), DropEmptyLines(trim_lines=False), ToNumber(whole=True),
]


def test_every_transform_is_registered_and_round_trips_through_json() -> None:
    assert {t.name for t in ALL} == set(TRANSFORMS)
    for step in ALL:
        info = TRANSFORMS[step.name]
        assert info.label and info.description and isinstance(step, info.model)
        text = transform_adapter.dump_json(step)
        assert transform_adapter.validate_json(text) == step
    chain = pydantic.TypeAdapter(tuple[Transform, ...])
    assert chain.validate_json(chain.dump_json(tuple(ALL))) == tuple(ALL)
    with pytest.raises(pydantic.ValidationError):
        transform_adapter.validate_python({"name": "trim", "extra": 1})
    with pytest.raises(pydantic.ValidationError):
        transform_adapter.validate_python({"name": "rot13"})


def test_fits() -> None:
    assert fits("integer", "text") and fits("datetime", "date") and fits("date", "date")
    assert not fits("text", "integer") and not fits("number", "integer") and not fits("text", "date")


def _messages(chain: list[Transform], source: Any, target: str, length: int | None = None) -> list[str]:
    return [f"{i.step}:{i.severity}:{i.message}" for i in check_chain(chain, source, TARGET_FIELDS[target],
                                                                       source_length=length)]


def test_check_chain_type_flow() -> None:
    assert _messages([NumberFormat()], "number", "invoice.po_number", 20) == []
    assert _messages([NumberFormat()], "text", "invoice.po_number") == [     # 32 is our choice: no warning
        "0:error:Format number needs a whole number or a number, but gets text"]
    assert _messages([DateFormat(pattern="%H:%M")], "date", "invoice.po_number")[0] == \
        "0:error:%H, %M need a time of day, but the value is a date"
    assert _messages([DateFormat(pattern="%Q")], "datetime", "invoice.po_number")[0].startswith(
        "0:error:unknown date codes %Q")
    assert _messages([], "datetime", "invoice.create_date") == []
    assert _messages([DateFormat()], "datetime", "invoice.create_date") == [
        "None:error:Invoice date takes a date, but the mapping gives text"]
    assert _messages([], "text", "invoice.due_offset_days") == [
        "None:error:Due in (days) takes a whole number, but the mapping gives text (add Read as number, whole)"]
    assert _messages([Lookup(table={"Wholesale": "30"}, default="0"), ToNumber(whole=True)], "text",
                     "invoice.due_offset_days") == []
    assert _messages([Concatenate(paths=("line.sku",))], "text", "invoice.notes", 5)[0] == \
        "0:error:line.sku belongs to a product line; only line fields (line.name, line.description) can read it"
    assert _messages([DefaultIfEmpty(paths=("order.nope",), text="{order.nah}")], "text", "client.note", 5)[:2] == [
        "0:error:order.nope is not a field this app can read",
        "0:error:{order.nah}: order.nah is not a field this app can read"]
    assert _messages([DefaultIfEmpty(paths=("order.date_shipped",))], "datetime", "invoice.create_date") == []


def test_check_chain_length_bounds() -> None:
    # unbounded text into a documented limit: a warning unless a cut ends the chain
    assert len(_messages([Trim()], "text", "client.currency_code")) == 1
    assert _messages([Trim(), Truncate()], "text", "client.currency_code") == []
    assert _messages([Truncate(length=80)], "text", "client.currency_code") == [
        "None:warning:can be up to 80 characters, but Client currency takes 3; end with Cut to length"]
    # a limit FreshBooks does not document (ours, conservative): Truncate cuts to it, nothing warns
    assert not TARGET_FIELDS["client.fname"].limit_documented
    assert _messages([Trim()], "text", "client.fname") == []
    assert _messages([Truncate(length=80)], "text", "client.fname") == []
    # bounded sources stay bounded through steps that cannot lengthen them much
    assert _messages([Upper()], "text", "client.currency_code", 3) == [
        "None:warning:can be up to 9 characters, but Client currency takes 3; end with Cut to length"]
    assert _messages([Prefix(text="BC-")], "integer", "invoice.invoice_number", 20) == []
    assert _messages([Lookup(countries=True)], "text", "client.p_country", 2) == []
    assert _messages([Lookup(table={"1": "x" * 70})], "text", "client.currency_code", 2) != []
    assert _messages([DateFormat(pattern="%A %-d %B %Y")], "datetime", "invoice.po_number") == []
    assert _messages([DateFormat(pattern="%d/%m/%Y")], "datetime", "invoice.po_number") == []
    assert _messages([Replace(old="-", new="--")], "integer", "client.currency_code", 2) == [
        "None:warning:can be up to 4 characters, but Client currency takes 3; end with Cut to length"]
    assert _messages([Concatenate(paths=("order.currency_code",), separator=" ")], "integer",
                     "invoice.po_number", 20) == []
