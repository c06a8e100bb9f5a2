"""Field mappings: which order field, fixed text or template fills each FreshBooks field, and how it is shaped.

A field mapping names one FreshBooks field (its target, e.g. `client.organization`) and where its value comes
from: an order field (`billing_address.company`), a fixed text ("Net 30"), or a template that mixes text and
fields ("BC-{order.id}", with `{{` and `}}` for literal braces). A chain of transforms may then shape the
value (see `mapping.transforms`). `check_mappings` reports, before anything is synced, every mapping that
names an unknown field, a template with an unknown placeholder, a chain whose types do not flow into the
target, a value that may be too long, or two mappings for the same field. `default_field_mappings()` is what
reproduces the invoices and clients this app wrote before mappings could be edited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.catalogue import (
    TARGET_FIELDS,
    TargetField,
    TargetScope,
    ValueType,
    path_problem,
    source_field,
    template_length,
    template_problems,
)
from bigbooks_desktop.mapping.source_data import as_text, lookup, render_template, store_zone
from bigbooks_desktop.mapping.transforms import (
    DefaultIfEmpty,
    Flow,
    Lookup,
    Transform,
    TransformContext,
    Trim,
    Truncate,
    apply_chain,
    check_chain,
    type_noun,
)

__all__ = [
    "ConstantSource",
    "FieldMapping",
    "MappingIssue",
    "PathSource",
    "Source",
    "TemplateSource",
    "check_mappings",
    "default_field_mappings",
    "resolve",
    "resolve_all",
]

_WHOLE = re.compile(r"^[+-]?\d+$")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PathSource(_Model):
    """An order field, e.g. `billing_address.company`."""

    kind: Literal["path"] = "path"
    path: str = Field(min_length=1)


class ConstantSource(_Model):
    """Fixed text. For a number, whole-number or date field it is read as one ("30", "2025-03-01")."""

    kind: Literal["constant"] = "constant"
    value: str


class TemplateSource(_Model):
    """Text with `{field}` placeholders; `tidy_lines` trims lines and leaves out empty ones (see
    `source_data.render_template`)."""

    kind: Literal["template"] = "template"
    text: str
    tidy_lines: bool = True


Source = Annotated[PathSource | ConstantSource | TemplateSource, Field(discriminator="kind")]


class FieldMapping(_Model):
    """One FreshBooks field, where its value comes from, and the transforms it passes through."""

    target: str
    source: Source
    transforms: tuple[Transform, ...] = ()


@dataclass(frozen=True)
class MappingIssue:
    """`index`: the mapping's position (from 0); `part`: "target", "source", "transform N" (from 1) or
    "result" (the chain's value against the target)."""

    index: int
    target: str
    part: str
    severity: Literal["error", "warning"]
    message: str


def _constant(value: str, kind: ValueType) -> Any | None:
    """`value` read as `kind`, or None when it is not one."""
    text = value.strip()
    try:
        if kind == "integer":
            return int(text) if _WHOLE.match(text) else None
        if kind == "number":
            number = Decimal(text)
            return number if number.is_finite() else None
        if kind == "date":
            return date.fromisoformat(text)
        if kind == "bool":
            return {"true": True, "false": False}.get(text.lower())
    except (InvalidOperation, ValueError):
        return None
    return value


def _source_flow(source: PathSource | ConstantSource | TemplateSource,
                 target: TargetField) -> tuple[Flow, list[str]]:
    """The source's type and length bound, and what is wrong with it."""
    if isinstance(source, PathSource):
        problem = path_problem(source.path, target.scope)
        found = source_field(source.path)
        if problem is not None or found is None:
            return Flow("text", None), [problem or f"{source.path} is unknown"]
        return Flow(found.type, found.max_length), []
    if isinstance(source, ConstantSource):
        kind: ValueType = target.type if _constant(source.value, target.type) is not None else "text"
        return Flow(kind, len(source.value)), []
    problems = template_problems(source.text, target.scope)
    return Flow("text", None if problems else template_length(source.text)), problems


def check_mappings(mappings: Sequence[FieldMapping]) -> list[MappingIssue]:
    """Every problem of every mapping, in order (see the module docstring). Errors stop a profile being
    used; warnings (a value that may be too long) do not."""
    issues: list[MappingIssue] = []
    seen: dict[str, int] = {}
    for index, mapping in enumerate(mappings):
        target = TARGET_FIELDS.get(mapping.target)
        if target is None:
            issues.append(MappingIssue(index, mapping.target, "target", "error",
                                       f"{mapping.target} is not a FreshBooks field this app writes"))
            continue
        if mapping.target in seen:
            issues.append(MappingIssue(index, mapping.target, "target", "error",
                                       f"{target.label} is already filled by mapping {seen[mapping.target] + 1}; "
                                       "keep one"))
        seen.setdefault(mapping.target, index)
        flow, problems = _source_flow(mapping.source, target)
        issues += [MappingIssue(index, mapping.target, "source", "error", p) for p in problems]
        if problems:
            continue
        for found in check_chain(mapping.transforms, flow.type, target, source_length=flow.length):
            part = "result" if found.step is None else f"transform {found.step + 1}"
            issues.append(MappingIssue(index, mapping.target, part, found.severity, found.message))
    return issues


def _read(source: PathSource | ConstantSource | TemplateSource, target: TargetField,
          ctx: TransformContext) -> Any:
    if isinstance(source, PathSource):
        return lookup(ctx.data, source.path)
    if isinstance(source, ConstantSource):
        parsed = _constant(source.value, target.type)
        return source.value if parsed is None else parsed
    return render_template(source.text, ctx.data, timezone=ctx.timezone, tidy_lines=source.tidy_lines)


def _coerce(value: Any, target: TargetField, ctx: TransformContext) -> Any:
    """The value in the target's type: text for text fields, a date (in the store's timezone) for dates."""
    if target.type == "text":
        return as_text(value, timezone=ctx.timezone)
    if value is None or value == "":
        return None
    if target.type == "date" and isinstance(value, datetime):
        return value.astimezone(store_zone(ctx.timezone)).date() if value.tzinfo else value.date()
    if target.type == "date" and isinstance(value, date):
        return value
    if target.type == "integer" and not isinstance(value, bool):
        parsed = _constant(str(value), "integer") if isinstance(value, int | str) else None
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            parsed = int(value)
        if parsed is not None:
            return parsed
    raise DataError(f"The mapping for {target.label} gave {value!r}, which is not {type_noun(target.type)}; "
                    "fix the mapping or the order.", field=target.path)


def resolve(mapping: FieldMapping, data: Mapping[str, Any], ctx: TransformContext | None = None) -> Any:
    """The value `mapping` writes for the order in `data` (from `source_data`). `ctx` gives the store's
    timezone. DataError for an unknown target or a value a transform cannot read."""
    target = TARGET_FIELDS.get(mapping.target)
    if target is None:
        raise DataError(f"The mapping profile fills {mapping.target!r}, which is not a FreshBooks field this "
                        "app writes; fix the profile.", field="profile")
    context = replace(ctx or TransformContext(), data=data, max_length=target.max_length)
    try:
        value = _read(mapping.source, target, context)
    except KeyError as exc:
        raise DataError(f"The mapping for {target.label} reads {exc.args[0]!r}, which this order does not "
                        "have; check the mapping profile.", field=target.path) from exc
    return _coerce(apply_chain(mapping.transforms, value, context), target, context)


def resolve_all(mappings: Sequence[FieldMapping], data: Mapping[str, Any], ctx: TransformContext | None = None,
                *, scope: TargetScope | None = None) -> dict[str, Any]:
    """Target -> value for each mapping of `scope` (all scopes when None; line fields only when `data` holds
    a line)."""
    values: dict[str, Any] = {}
    for mapping in mappings:
        target = TARGET_FIELDS.get(mapping.target)
        wanted = target is None or (target.scope == scope if scope is not None
                                    else target.scope != "line" or "line" in data)
        if wanted:
            values[mapping.target] = resolve(mapping, data, ctx)
    return values


def _path(target: str, path: str, *transforms: Transform) -> FieldMapping:
    return FieldMapping(target=target, source=PathSource(path=path), transforms=transforms)


def _template(target: str, text: str, *transforms: Transform) -> FieldMapping:
    return FieldMapping(target=target, source=TemplateSource(text=text), transforms=transforms)


def _address(prefix: str, group: str) -> list[FieldMapping]:
    """mapping/clients.py: the address fields as they are (not trimmed); the country's name, else its code."""
    parts = (("street", "street_1"), ("street2", "street_2"), ("city", "city"), ("province", "state"),
             ("code", "zip"))
    return [*(_path(f"client.{prefix}_{fb}", f"{group}.{bc}") for fb, bc in parts),
            _path(f"client.{prefix}_country", f"{group}.country",
                  DefaultIfEmpty(paths=(f"{group}.country_iso2",)))]


def default_field_mappings() -> tuple[FieldMapping, ...]:
    """The mappings that write what the engine wrote before mappings could be edited: the templates are
    `MappingProfile`'s defaults (invoice_number_template, notes_template, line_description_template in
    mapping/profile.py), the rest is read off mapping/invoice.py, mapping/order_checks.py and
    mapping/clients.py (tests/mapping/test_field_mappings.py proves they agree on a sandbox store)."""
    return (
        _template("invoice.invoice_number", "BC-{order.id}"),
        _path("invoice.po_number", "order.id"),
        _path("invoice.create_date", "order.date_created"),
        _path("invoice.currency_code", "order.currency_code"),
        _template("invoice.notes", "{order.customer_message}\n{order.custom_fields_text}"),
        _path("line.name", "line.name", Trim(), DefaultIfEmpty(paths=("line.sku",), text="Product {line.product_id}"),
              Truncate()),
        _template("line.description", "{line.options}\nSKU: {line.sku}\n{line.bundle}"),
        _path("client.email", "customer.email", Trim(), DefaultIfEmpty(paths=("billing_address.email",)), Trim()),
        _path("client.fname", "customer.first_name", Trim()),
        _path("client.lname", "customer.last_name", Trim()),
        _path("client.organization", "billing_address.company", DefaultIfEmpty(paths=("customer.company",)),
              Trim()),
        _path("client.bus_phone", "billing_address.phone", DefaultIfEmpty(paths=("customer.phone",)), Trim()),
        *_address("p", "billing_address"),
        *_address("s", "shipping_address"),
        _path("client.currency_code", "order.currency_code"),
        _path("client.note", "customer.is_guest",
              Lookup(table={"true": "Guest checkout in BigCommerce"}, default="")),
    )
