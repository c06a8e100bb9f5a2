"""A profile's field mappings and its rules' settings, resolved for one order: the values the drafts are built from.

Invoice and client fields are resolved once per order (`order_fields`), a product line's name and description
once per line (`line_fields`). The rules' outcome for the order (`RuleOutcome`) then overrides what it sets:
`set_field` a field, `set_terms` the due days and terms text, `draft` the invoice mode. A required field that
comes out empty is a DataError for the inbox (an order without email keeps the cause `missing_email` the
inbox's email fix answers).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bigbooks_desktop.core import bigcommerce as bc
from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.mapping.catalogue import TARGET_FIELDS, TargetScope, rule_targets
from bigbooks_desktop.mapping.field_mappings import resolve_all
from bigbooks_desktop.mapping.profile import MappingProfile
from bigbooks_desktop.mapping.rules import RuleOutcome, apply_rules
from bigbooks_desktop.mapping.source_data import as_text, is_empty, source_data, store_zone
from bigbooks_desktop.mapping.transforms import TransformContext

__all__ = ["invoice_number", "line_fields", "missing_email", "order_fields", "order_rules", "rule_decision"]


def missing_email(order_id: int) -> DataError:
    """The inbox item for an order whose client would have no email (the inbox's email fix answers it)."""
    return DataError(f"Order {order_id} has no email address. Add one to the order's billing address in "
                     "BigCommerce, or set a fallback email in the mapping profile.", field="email",
                     details={"cause": {"code": "missing_email"}})


def invoice_number(profile: MappingProfile, order: bc.Order, *, timezone: str = "UTC") -> str:
    """The invoice number the profile gives an order read from a listing (no lines, no shipping addresses, no
    customer record: what a number mapping reads is the order's own fields); "" when it gives none."""
    mappings = [m for m in profile.field_mappings if m.target == "invoice.invoice_number"]
    try:
        values = resolve_all(mappings, source_data(bc.OrderDetail(order=order)), TransformContext(timezone=timezone))
    except DataError:
        return ""
    return str(values.get("invoice.invoice_number") or "")


def order_rules(profile: MappingProfile, detail: bc.OrderDetail, *,
                customer: bc.Customer | None = None) -> RuleOutcome:
    """What the profile's rules decide for the order (no rules: nothing)."""
    if not profile.rules:
        return RuleOutcome()
    return apply_rules(profile.rules, source_data(detail, customer=customer), targets=rule_targets())


def rule_decision(rules: RuleOutcome, order_id: int, *, has_invoice: bool) -> str | None:
    """What the rules decided for an eligible order: the reason a skip rule gives (the orders list shows it),
    or None to invoice it. DataError for the inbox (cause {"code": "rule", "rule": name}) when a rule could
    not run, or an inbox rule matched. Skip and inbox rules apply only while the order has no invoice: rules
    never undo an invoice already written (its payments and refunds keep following the order)."""
    if rules.decided_by is None:
        return None
    cause: dict[str, Any] = {"code": "rule", "rule": rules.decided_by}
    if rules.errors:
        raise DataError(f"{rules.inbox_message}. Fix the rule in the mapping profile, then retry.",
                        title="A mapping rule could not run", field="rule",
                        details={"cause": {**cause, "broken": True}})
    if has_invoice:
        return None
    if rules.inbox_message is not None:
        raise DataError(f"Order {order_id}: {rules.inbox_message} (rule “{rules.decided_by}”). Change the order "
                        "in BigCommerce or the rule in the mapping profile, then retry.",
                        title="Held by a mapping rule", field="rule", details={"cause": cause})
    reason = rules.skip_reason or ""
    return reason if reason.startswith("Skipped by rule") else f"Skipped by rule “{rules.decided_by}”: {reason}"


def _rule_value(target: str, value: Any, timezone: str) -> Any:
    """A rule's value in the target's type (the rule checker already matched the kinds)."""
    kind = TARGET_FIELDS[target].type
    if kind == "text":
        return as_text(value, timezone=timezone)
    if value is None:
        return None
    if kind == "integer" and isinstance(value, Decimal | int) and not isinstance(value, bool) \
            and value == int(value):
        return int(value)
    if kind == "date" and isinstance(value, datetime):
        return value.astimezone(store_zone(timezone)).date() if value.tzinfo else value.date()
    if kind == "date" and isinstance(value, date):
        return value
    raise DataError(f"A rule set {TARGET_FIELDS[target].label} to {value!r}, which it cannot take; fix the rule "
                    "in the mapping profile.", field=target)


def _required(values: Mapping[str, Any], scope: TargetScope, order_id: int) -> None:
    for target, field in TARGET_FIELDS.items():
        if field.scope != scope or not field.required or not is_empty(values.get(target)):
            continue
        if target == "client.email":
            raise missing_email(order_id)
        where = "a product line of order" if scope == "line" else "order"
        raise DataError(f"The mapping profile gives {field.label} no value for {where} {order_id}, and "
                        "FreshBooks needs one. Fix the mapping (or the order in BigCommerce), then retry.",
                        field=target)


def order_fields(profile: MappingProfile, detail: bc.OrderDetail, scope: TargetScope, *, timezone: str,
                 customer: bc.Customer | None = None, rules: RuleOutcome | None = None) -> dict[str, Any]:
    """Target -> value of the profile's `scope` ("invoice" or "client") fields for the order, with the rules'
    settings applied; DataError when a required one is empty."""
    data = source_data(detail, customer=customer)
    values = resolve_all(profile.field_mappings, data, TransformContext(timezone=timezone), scope=scope)
    if rules is not None:
        for target, value in rules.fields.items():
            if target in TARGET_FIELDS and TARGET_FIELDS[target].scope == scope:
                values[target] = _rule_value(target, value, timezone)
        if scope == "invoice" and rules.due_days is not None:
            values["invoice.due_offset_days"] = rules.due_days
            if rules.terms_text is not None:
                values["invoice.terms"] = rules.terms_text
    _required(values, scope, detail.order.id)
    return values


def line_fields(profile: MappingProfile, detail: bc.OrderDetail, line: bc.OrderProduct, *, timezone: str,
                customer: bc.Customer | None = None) -> tuple[str, str]:
    """A product line's (name, description) from the profile's line mappings; DataError for an empty name."""
    data = source_data(detail, line=line, customer=customer)
    values = resolve_all(profile.field_mappings, data, TransformContext(timezone=timezone), scope="line")
    values.setdefault("line.name", line.name.strip() or line.sku.strip() or f"Product {line.product_id}")
    _required(values, "line", detail.order.id)
    return str(values["line.name"]), str(values.get("line.description") or "")
