"""Fuzz every client parse path with schema-generated payloads: each payload either parses or raises the
project's own `UnreadableDataError` (a BigBooksError naming service, record and field), never a raw exception.

BigCommerce: payloads generated (hypothesis-jsonschema) from the response schemas of the reference OpenAPI
files the sandbox conformance tests validate against (tests/reference/bigcommerce/specs/bigcommerce-docs/
reference; `$ref`s inlined, OpenAPI `nullable` read as JSON Schema's null type). Each schema is used twice:
as written, and with the record's dates replaced by valid ones so the generated data reaches the fields after
them.

FreshBooks has no published schema, so one is derived from the SDK fixtures (tests/reference/freshbooks/
fixtures, the Java, Node and Python SDKs' recorded responses): every record of a resource (e.g. each
`response.result.invoice(s)`) is walked, and each key's schema is "one of the values seen, any value of the
JSON type(s) seen, or null"; objects and lists are derived recursively from all their examples, keys optional.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from bigbooks_desktop.connectors.bigcommerce import wire
from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
from bigbooks_desktop.connectors.freshbooks import parsing
from bigbooks_desktop.core.errors import BigBooksError, BugError, UnreadableDataError
from bigbooks_desktop.core.money import json_loads

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
SPECS = REFERENCE / "bigcommerce" / "specs" / "bigcommerce-docs" / "reference"
FIXTURES = REFERENCE / "freshbooks" / "fixtures"

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much, HealthCheck.large_base_example])

# Keys that are OpenAPI's, not JSON Schema's (or that only slow generation down without changing the shape).
_OPENAPI_ONLY = {"examples", "x-nullable", "readOnly", "writeOnly", "xml", "externalDocs",
                 "discriminator", "deprecated", "title", "description", "x-internal", "format"}


# -- BigCommerce: schemas from the OpenAPI files ---------------------------------------------------------


@functools.cache
def _spec(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((SPECS / name).read_text(encoding="utf-8"))
    return loaded


def _pointer(doc: dict[str, Any], ref: str) -> Any:
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _inline(node: Any, doc: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """JSON Schema with every local `$ref` inlined (a recursive ref becomes "anything"), `nullable` as null."""
    if isinstance(node, list):
        return [_inline(item, doc, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        return {} if ref in seen else _inline(_pointer(doc, ref), doc, (*seen, ref))
    out = {key: (_inline(value, doc, seen) if key != "properties" else
                 {name: _inline(sub, doc, seen) for name, sub in value.items()})
           for key, value in node.items() if key not in _OPENAPI_ONLY and not key.startswith("x-")}
    if out.pop("nullable", False) is True:
        if "type" not in out:
            return {"anyOf": [out, {"type": "null"}]}
        out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else [*out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    if out.get("type") == "array" or (isinstance(out.get("type"), list) and "array" in out["type"]):
        out.setdefault("maxItems", 3)
    return out


def _response_schema(spec: str, path: str) -> dict[str, Any]:
    doc = _spec(spec)
    response = doc["paths"][path]["get"]["responses"]["200"]
    if "$ref" in response:
        response = _pointer(doc, response["$ref"])
    schema: dict[str, Any] = _inline(response["content"]["application/json"]["schema"], doc)
    return schema


def _record_schema(spec: str, path: str) -> dict[str, Any]:
    """The schema of one record: the response itself, a v2 list's item, or a v3 `data` list's item."""
    schema = _response_schema(spec, path)
    for _ in range(3):
        if "allOf" in schema and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        if schema.get("type") == "array" or "items" in schema:
            schema = schema["items"]
        elif "data" in schema.get("properties", {}):
            schema = schema["properties"]["data"]
        else:
            break
    return schema


_ANY_JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6)


def _strategy(schema: Any, *, full: bool = False) -> st.SearchStrategy[Any]:
    """Payloads for `schema`: objects, arrays and unions built here, every other value by hypothesis-jsonschema's
    `from_schema`. (hypothesis-jsonschema 0.23.1, the newest, draws objects through a Hypothesis internal,
    `cu.many(...).more()`, that Hypothesis 6.170 no longer has: its own object strategy fails with
    AttributeError, so objects are composed here from their properties, every one optional unless required;
    `full`: every property present, so the data reaches the fields a sparse record never gets to.)"""
    if not isinstance(schema, dict) or not schema:
        return _ANY_JSON
    if "example" in schema:          # the spec's own example value, or any other the schema allows
        rest = {k: v for k, v in schema.items() if k != "example"}
        example = schema["example"]
        usable = not isinstance(example, dict | list) and _json_type_fits(example, rest.get("type"))
        return (st.just(example) | _strategy(rest, full=full)) if usable else _strategy(rest, full=full)
    for union in ("anyOf", "oneOf"):
        if union in schema:
            rest = {k: v for k, v in schema.items() if k != union}
            return st.one_of([_strategy({**rest, **option}, full=full) for option in schema[union]])
    if "allOf" in schema:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part = _strategy_merge(part)
            merged["properties"] = {**merged.get("properties", {}), **part.get("properties", {})}
            merged["required"] = [*merged.get("required", []), *part.get("required", [])]
            merged.update({k: v for k, v in part.items() if k not in ("properties", "required")})
        return _strategy(merged, full=full)
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([_strategy({**schema, "type": one}, full=full) for one in kind])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        required = set(properties) if full else set(schema.get("required", ())) & set(properties)
        return st.fixed_dictionaries(
            {k: _strategy(properties[k], full=full) for k in sorted(required)},
            optional={k: _strategy(v, full=full) for k, v in properties.items() if k not in required})
    if kind == "array" or "items" in schema:
        return st.lists(_strategy(schema.get("items", {}), full=full),
                        max_size=min(int(schema.get("maxItems", 3)), 3))
    if kind is None:
        return _ANY_JSON
    return from_schema(schema)


def _json_type_fits(value: Any, kind: Any) -> bool:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null"}
    kinds = kind if isinstance(kind, list) else [kind]
    name = names.get(type(value))
    return kind is None or name in kinds or (name == "integer" and "number" in kinds)


def _strategy_merge(part: Any) -> dict[str, Any]:
    if isinstance(part, dict) and "allOf" in part:
        merged: dict[str, Any] = {}
        for sub in part["allOf"]:
            sub = _strategy_merge(sub)
            merged["properties"] = {**merged.get("properties", {}), **sub.get("properties", {})}
            merged.update({k: v for k, v in sub.items() if k != "properties"})
        return merged
    return part if isinstance(part, dict) else {}


def _as_wire(payload: Any) -> Any:
    """What the client hands a parser: the payload as JSON text, read back with Decimal numbers."""
    return json_loads(json.dumps(payload, default=str))


RFC2822 = "Tue, 05 Mar 2019 21:40:11 +0000"
ISO = "2019-03-05T21:40:11+00:00"


def _with_dates(payload: Any, names: dict[str, str]) -> Any:
    if isinstance(payload, dict):
        return {**payload, **{k: v for k, v in names.items() if k in payload}}
    return payload


def _check(parse: Callable[[Any], object], payload: Any, service: str) -> None:
    try:
        parse(payload)
    except UnreadableDataError as exc:
        assert exc.message.startswith(f"{service} sent data BigBooks cannot read: "), exc.message
        assert exc.service == service
    except BigBooksError as exc:   # any other project error would be a wrong label here
        raise AssertionError(f"{type(exc).__name__} instead of UnreadableDataError: {exc}") from exc


# (parser, spec file, path, dates the parser reads and a valid value for each)
BIGCOMMERCE_PARSERS: dict[str, tuple[Callable[[Any], object], str, str, dict[str, str]]] = {
    "order": (wire.parse_order, "orders.v2.oas2.yml", "/orders/{order_id}",
              {"date_created": RFC2822, "date_modified": RFC2822, "date_shipped": ""}),
    "order in a list": (wire.parse_order, "orders.v2.oas2.yml", "/orders",
                        {"date_created": RFC2822, "date_modified": RFC2822, "date_shipped": ""}),
    "order product": (wire.parse_order_product, "orders.v2.oas2.yml", "/orders/{order_id}/products", {}),
    "shipping address": (wire.parse_shipping_address, "orders.v2.oas2.yml",
                         "/orders/{order_id}/shipping_addresses", {}),
    "coupon": (wire.parse_coupon, "orders.v2.oas2.yml", "/orders/{order_id}/coupons", {}),
    "order tax": (wire.parse_tax, "orders.v2.oas2.yml", "/orders/{order_id}/taxes", {}),
    "order fees": (wire.parse_fees, "orders.v2.oas2.yml", "/orders/{order_id}/fees", {}),
    "transaction": (wire.parse_transaction, "orders.v3.yml", "/orders/{order_id}/transactions",
                    {"date_created": ISO}),
    "refund": (wire.parse_refund, "orders.v3.yml", "/orders/{order_id}/payment_actions/refunds",
               {"created": ISO}),
    "store-wide refund": (wire.parse_refund, "orders.v3.yml", "/orders/payment_actions/refunds",
                          {"created": ISO}),
    "customer": (wire.parse_customer, "customers.v3.yml", "/customers",
                 {"date_created": ISO, "date_modified": ISO}),
    "variant": (wire.parse_variant, "catalog/product-variants_catalog.v3.yml", "/catalog/variants", {}),
    "store": (wire.parse_store, "store_information.v2.yml", "/store", {}),
}


@pytest.mark.parametrize("name", list(BIGCOMMERCE_PARSERS))
def test_bigcommerce_payloads_parse_or_raise_unreadable_data(name: str) -> None:
    parse, spec, path, dates = BIGCOMMERCE_PARSERS[name]
    schema = (_response_schema(spec, path) if parse is wire.parse_fees else _record_schema(spec, path))

    @FUZZ
    @given(payload=st.one_of(_strategy(schema), _strategy(schema, full=True)), fix_dates=st.booleans())
    def run(payload: Any, fix_dates: bool) -> None:
        _check(parse, _as_wire(_with_dates(payload, dates) if fix_dates else payload), "BigCommerce")

    run()


def test_time_schema_payloads_and_out_of_range_times() -> None:
    """`/v2/time` through the client: every schema-valid answer (an integer >= 0, however large) gives a
    time or UnreadableDataError; junk too."""
    schema = _response_schema("store_information.v2.yml", "/time")

    @FUZZ
    @given(body=st.one_of(_strategy(schema), st.just({"time": ""}), st.just({"time": None}),
                          st.fixed_dictionaries({"time": st.one_of(st.integers(), st.text(max_size=30))})))
    def run(body: Any) -> None:
        _check(lambda b: _get_time(b), body, "BigCommerce")

    run()


def _get_time(body: Any) -> object:
    import asyncio

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps(body, default=str).encode(),
                              headers={"content-type": "application/json"})

    async def call() -> object:
        async with BigCommerceClient(api_path="https://api.bigcommerce.com/stores/abc123/v3/",
                                     access_token="bc-token-0123456789",
                                     transport=httpx.MockTransport(handler)) as client:
            return await client.get_time()

    return asyncio.run(call())


# -- FreshBooks: schemas derived from the SDK fixtures ---------------------------------------------------


def _fixture_records() -> dict[str, list[Any]]:
    """Every record of each resource in the SDK fixtures: `response.result.<key>` (single or list) and the
    identity (`response` of the auth/me answers)."""
    keys = {"invoice": "invoice", "invoices": "invoice", "client": "client", "clients": "client",
            "payment": "payment", "payments": "payment", "item": "item", "items": "item", "tax": "tax",
            "taxes": "tax", "credit_notes": "credit_note"}
    found: dict[str, list[Any]] = {name: [] for name in set(keys.values()) | {"identity"}}
    for file in sorted(FIXTURES.glob("*/*.json")):
        if file.name.endswith(".request.json"):
            continue
        body = json.loads(file.read_text(encoding="utf-8"))
        response = body.get("response") if isinstance(body, dict) else None
        if not isinstance(response, dict):
            continue
        result = response.get("result")
        if isinstance(result, dict):
            for key, value in result.items():
                if key in keys:
                    found[keys[key]] += value if isinstance(value, list) else [value]
        elif file.name.startswith("auth_me_response") and "id" in response:
            found["identity"].append(response)
    return found


_JSON_TYPE = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null"}


def _derive(examples: list[Any]) -> dict[str, Any]:
    """A JSON schema covering `examples` and more: see the module docstring."""
    objects = [e for e in examples if isinstance(e, dict)]
    lists = [e for e in examples if isinstance(e, list)]
    leaves = [e for e in examples if not isinstance(e, dict | list)]
    options: list[dict[str, Any]] = [{"type": "null"}]
    if objects:
        names = sorted({k for o in objects for k in o})
        options.append({"type": "object", "properties": {n: _derive([o[n] for o in objects if n in o])
                                                         for n in names}})
    if lists:
        options.append({"type": "array", "maxItems": 3,
                        "items": _derive([item for lst in lists for item in lst]) if any(lists) else {}})
    if leaves:
        seen = list(dict.fromkeys(json.dumps(v) for v in leaves))[:6]
        options.append({"enum": [json.loads(v) for v in seen]})
        options.append({"type": sorted({_JSON_TYPE[type(v)] for v in leaves})})
    return {"anyOf": options}


@functools.cache
def _freshbooks_schema(resource: str) -> dict[str, Any]:
    records = _fixture_records()[resource]
    assert records, f"no {resource} record in the SDK fixtures"
    schema = _derive(records)
    objects = [o for o in schema["anyOf"] if o.get("type") == "object"]
    return objects[0]          # a record is an object; non-objects are fuzzed by the parser's own check


FRESHBOOKS_PARSERS: dict[str, Callable[[Any], object]] = {
    "invoice": parsing.parse_invoice, "client": parsing.parse_client, "payment": parsing.parse_payment,
    "item": parsing.parse_item, "tax": parsing.parse_tax, "credit_note": parsing.parse_credit_note,
    "identity": parsing.parse_identity,
}


@pytest.mark.parametrize("resource", list(FRESHBOOKS_PARSERS))
def test_freshbooks_payloads_parse_or_raise_unreadable_data(resource: str) -> None:
    parse = FRESHBOOKS_PARSERS[resource]

    @FUZZ
    @given(payload=st.one_of(_strategy(_freshbooks_schema(resource)),
                             _strategy(_freshbooks_schema(resource), full=True)))
    def run(payload: Any) -> None:
        _check(parse, _as_wire(payload), "FreshBooks")

    run()


def test_the_derived_freshbooks_schemas_accept_every_fixture_record() -> None:
    import jsonschema

    for resource, records in _fixture_records().items():
        validator = jsonschema.Draft7Validator(_freshbooks_schema(resource))
        for record in records:
            assert not list(validator.iter_errors(record)), resource


@given(value=st.one_of(st.none(), st.text(max_size=20), st.integers(), st.lists(st.integers(), max_size=2),
                       st.dictionaries(st.text(max_size=5), st.integers(), max_size=2)))
@FUZZ
def test_freshbooks_non_objects_and_credit_balances(value: Any) -> None:
    for parse in (*FRESHBOOKS_PARSERS.values(), parsing.parse_credit_balance):
        _check(parse, _as_wire(value), "FreshBooks")


# -- the labels -----------------------------------------------------------------------------------------


def test_unreadable_bigcommerce_order_names_the_order_and_field_and_keeps_the_payload() -> None:
    payload = {"id": 118, "date_created": "yesterday-ish", "date_modified": RFC2822, "status_id": 11,
               "billing_address": {"email": "a@b.example"}, "access_token": "secret-abcdef123"}
    with pytest.raises(UnreadableDataError) as caught:
        wire.parse_order(payload)
    error = caught.value
    assert not isinstance(error, BugError) and "This is a bug" not in str(error)
    assert error.message.startswith("BigCommerce sent data BigBooks cannot read: order 118 field date_created: ")
    assert (error.service, error.resource, error.record_id, error.field) == ("BigCommerce", "order", 118,
                                                                             "date_created")
    assert error.payload is not None and error.payload["date_created"] == "yesterday-ish"
    assert error.payload["access_token"] == "***"          # redacted (core.redact)
    assert error.kind == "permanent" and not error.retryable


def test_unreadable_model_field_is_named() -> None:
    with pytest.raises(UnreadableDataError, match=r"order product 7 field quantity: "):
        wire.parse_order_product({"id": 7, "order_id": 1, "product_id": 2, "name": "x", "quantity": "lots"})


def test_unreadable_freshbooks_invoice_names_the_invoice_and_field() -> None:
    record = {"id": 987, "customerid": 5, "create_date": "not a date", "amount": {"amount": "1.00",
                                                                                  "code": "USD"}}
    with pytest.raises(parsing.FreshBooksParseError) as caught:
        parsing.parse_invoice(record)
    error = caught.value
    assert isinstance(error, UnreadableDataError) and not isinstance(error, BugError)
    assert error.message == ("FreshBooks sent data BigBooks cannot read: invoice 987 field create_date: "
                             "'not a date' is not readable")
    assert (error.resource, error.record_id, error.field, error.payload) == ("invoice", 987, "create_date",
                                                                             record)
    with pytest.raises(UnreadableDataError, match=r"invoice 988 field line\.qty: 'two'"):
        parsing.parse_invoice({**record, "id": 988, "create_date": "2021-01-01", "lines": [{"qty": "two"}]})


@pytest.mark.parametrize("time", [10**20, -(10**15), "soon", "99999-01-01", True, [1], 1.5])
def test_v2_time_out_of_range_or_unparsable_is_unreadable_data(time: object) -> None:
    with pytest.raises(UnreadableDataError,
                       match=r"BigCommerce sent data BigBooks cannot read: /v2/time field time: "):
        _get_time({"time": time})
    with pytest.raises(UnreadableDataError, match="no time"):
        _get_time({})


def test_parse_datetime_out_of_range_is_unreadable_data() -> None:
    for value in (10**12 * 10**9, "0001-01-01T00:00:00+01:00", "Tue, 05 Mar 99999 21:40:11 +0000", "1²"):
        with pytest.raises(UnreadableDataError):
            wire.parse_datetime(value)
