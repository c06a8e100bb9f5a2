"""Mapping profiles saved by earlier versions, read into today's shape (one step per schema version).

Version 1 (no `schema_version`, or 1) held five template fields that field mappings now express:

- `invoice_number_template` ("BC-{order_id}") -> the `invoice.invoice_number` mapping;
- `notes_template` with `include_staff_notes` -> the `invoice.notes` mapping: with staff notes included,
  `{staff_notes}` becomes `{order.staff_notes}`, or, where the template did not name it, a last line
  `{order.staff_notes}` (version 1 added the notes below); without, the placeholder is dropped (a line that
  named nothing else is dropped with it: version 1 left such a line out every time);
- `line_description_template` -> the `line.description` mapping;
- `missing_email_template` -> an "If empty, use" step at the end of the `client.email` mapping (an empty text
  meant no usable fallback and is read as none: the order goes to the inbox, as an order without email does).

Placeholders become paths: `{order_id}` -> `{order.id}`, `{customer_message}` -> `{order.customer_message}`,
`{staff_notes}` -> `{order.staff_notes}`, `{custom_fields}` -> `{order.custom_fields_text}`, `{options}`,
`{sku}`, `{bundle}` -> `{line.options}`, `{line.sku}`, `{line.bundle}`. Literal `{{` `}}` stay literal. A
placeholder version 1 did not know stays as written, and `MappingProfile.check()` reports it, as a sync
would have. Every other field keeps its name and meaning.
"""

from __future__ import annotations

from string import Formatter
from typing import Any

from bigbooks_desktop.mapping.field_mappings import FieldMapping, TemplateSource, default_field_mappings
from bigbooks_desktop.mapping.transforms import DefaultIfEmpty

__all__ = ["SCHEMA_VERSION", "V1_TEMPLATE_FIELDS", "migrate_profile_data", "v1_template"]

SCHEMA_VERSION = 2

# version 1's template fields and their defaults
V1_TEMPLATE_FIELDS: dict[str, Any] = {
    "invoice_number_template": "BC-{order_id}",
    "notes_template": "{customer_message}\n{custom_fields}",
    "include_staff_notes": False,
    "line_description_template": "{options}\nSKU: {sku}\n{bundle}",
    "missing_email_template": None,
}
_PATHS = {"order_id": "order.id", "customer_message": "order.customer_message", "staff_notes": "order.staff_notes",
          "custom_fields": "order.custom_fields_text", "options": "line.options", "sku": "line.sku",
          "bundle": "line.bundle"}


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def v1_template(text: str, *, drop: str | None = None) -> str:
    """A version 1 template in today's placeholders; `drop` names a placeholder to leave out (a line naming
    only it goes too). A template that does not parse is returned as it is (the profile check reports it)."""
    out: list[str] = []
    try:
        for line in text.split("\n"):
            parts, named, dropped = [], 0, False
            for literal, name, spec, conversion in Formatter().parse(line):
                parts.append(_escape(literal))
                if name is None:
                    continue
                if name == drop:
                    dropped = True
                    continue
                named += 1
                suffix = (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
                parts.append("{" + _PATHS.get(name, name) + suffix + "}")
            if not (dropped and not named):
                out.append("".join(parts))
    except ValueError:
        return text
    return "\n".join(out)


def _text(data: dict[str, Any], key: str) -> Any:
    value = data.pop(key, V1_TEMPLATE_FIELDS[key])
    if key == "include_staff_notes":
        if not isinstance(value, bool):
            raise ValueError("include_staff_notes must be true or false")
        return value
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{key} must be text")
    return value


def _v1_mappings(data: dict[str, Any]) -> tuple[FieldMapping, ...]:
    values = {key: _text(data, key) for key in V1_TEMPLATE_FIELDS}
    number = v1_template(values["invoice_number_template"])
    notes_text: str = values["notes_template"]
    staff = values["include_staff_notes"]
    if staff:
        notes = v1_template(notes_text)
        if "{order.staff_notes}" not in notes:
            notes = f"{notes}\n{{order.staff_notes}}"
    else:
        notes = v1_template(notes_text, drop="staff_notes")
    email = values["missing_email_template"]
    replaced: dict[str, FieldMapping] = {
        # version 1 formatted the number as it was; one trimmed line is the same unless the template pads it
        "invoice.invoice_number": FieldMapping(target="invoice.invoice_number", source=TemplateSource(
            text=number, tidy_lines=number == number.strip() and "\n" not in number)),
        "invoice.notes": FieldMapping(target="invoice.notes", source=TemplateSource(text=notes)),
        "line.description": FieldMapping(target="line.description", source=TemplateSource(
            text=v1_template(values["line_description_template"]))),
    }
    mappings = []
    for mapping in default_field_mappings():
        mapping = replaced.get(mapping.target, mapping)
        if mapping.target == "client.email" and email:
            fallback = DefaultIfEmpty(text=v1_template(email))
            mapping = mapping.model_copy(update={"transforms": (*mapping.transforms, fallback)})
        mappings.append(mapping)
    return tuple(mappings)


def migrate_profile_data(data: dict[str, Any]) -> dict[str, Any]:
    """`data` (a profile as saved, any version) in the current shape. ValueError for a version newer than
    this app's, or a version 1 template field of the wrong type."""
    version = data.get("schema_version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"schema_version {version!r} is not a profile version")
    if version > SCHEMA_VERSION:
        raise ValueError(f"this profile was saved by a newer BigBooks (profile version {version}; this one "
                         f"reads up to {SCHEMA_VERSION}); update BigBooks to open it")
    if version == SCHEMA_VERSION:
        return data
    migrated = dict(data)
    if any(key in migrated for key in V1_TEMPLATE_FIELDS) and "field_mappings" not in migrated:
        migrated["field_mappings"] = _v1_mappings(migrated)
    migrated["schema_version"] = SCHEMA_VERSION
    return migrated
