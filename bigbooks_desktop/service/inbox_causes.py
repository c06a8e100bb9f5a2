"""The error inbox's causes: how a recorded error is grouped ("12 orders: no email"), what the merchant is told
happened and what to do, and the unknown SKUs and tax it waits on, read from the error's cause and payload.
Pure functions of a stored error; `service.inbox_fixes` builds the inbox's views and fixes on them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from bigbooks_desktop.core import inbox_views as iv
from bigbooks_desktop.core.redact import redact_mapping
from bigbooks_desktop.store import error_queue
from bigbooks_desktop.store.entity_state import EntityKind, get_state
from bigbooks_desktop.store.error_queue import ErrorEntry
from bigbooks_desktop.store.links import find_item_link

__all__ = ["FIELD_LABELS", "Cause", "cause_of", "cause_words", "field_conflicts", "order_email", "raw_json",
           "shared_sku_products", "summary", "unknown_skus", "unknown_tax"]

# The fields catalog and customer sync keep in step (sync.catalog_sync.item_values, sync.customer_sync.FIELDS),
# as a merchant reads them.
FIELD_LABELS = {"name": "Name", "description": "Description", "unit_cost": "Price", "inventory": "Stock",
                "fname": "First name", "lname": "Last name", "organization": "Company", "email": "Email",
                "bus_phone": "Phone", "p_street": "Street", "p_city": "City", "p_province": "State or province",
                "p_code": "ZIP or postal code", "p_country": "Country"}


class Cause:
    __slots__ = ("code", "fix", "key", "label")

    def __init__(self, key: str, code: iv.CauseCode, label: str, fix: iv.FixKind) -> None:
        self.key, self.code, self.label, self.fix = key, code, label, fix


def cause_of(entry: ErrorEntry) -> tuple[str, iv.CauseCode, str, iv.FixKind]:
    """(stable key, code, label, fix) of a row, from the cause the engine recorded (error.cause), its kind
    and stage. Rows recorded before causes were kept fall back to their title."""
    cause = entry.cause
    code = str(cause.get("code", ""))
    if code == iv.CauseCode.MISSING_EMAIL:
        return "missing_email", iv.CauseCode.MISSING_EMAIL, "no email", iv.FixKind.EMAIL
    if code == iv.CauseCode.UNKNOWN_SKU:
        skus = sorted(str(s) for s in cause.get("skus", ()))
        label = ("unknown SKU " if len(skus) == 1 else "unknown SKUs ") + ", ".join(skus)
        return "unknown_sku:" + "+".join(skus), iv.CauseCode.UNKNOWN_SKU, label, iv.FixKind.SKU_ITEM
    if code == iv.CauseCode.UNKNOWN_TAX:
        name, rate = str(cause.get("tax_name", "")), str(cause.get("rate", ""))
        return (f"unknown_tax:{name}@{rate}", iv.CauseCode.UNKNOWN_TAX, f"unknown tax {name} ({rate}%)",
                iv.FixKind.TAX)
    if code == iv.CauseCode.RULE:
        rule = str(cause.get("rule", ""))
        label = f"rule “{rule}” could not run" if cause.get("broken") else f"held by rule “{rule}”"
        return f"rule:{rule}", iv.CauseCode.RULE, label, iv.FixKind.NONE
    if code == iv.CauseCode.FIELD_CONFLICT:
        kind = "client" if cause.get("kind") == "client" else "item"
        return (f"field_conflict:{kind}", iv.CauseCode.FIELD_CONFLICT, "changed in both BigCommerce and FreshBooks",
                iv.FixKind.CHOOSE_VALUES)
    if code == iv.CauseCode.SHARED_SKU:
        return "shared_sku", iv.CauseCode.SHARED_SKU, "SKU shared by two products", iv.FixKind.FOLLOW_PRODUCT
    if code == iv.CauseCode.AMBIGUOUS_INVOICE or "candidate_invoice_ids" in entry.payload:
        return ("ambiguous_invoice", iv.CauseCode.AMBIGUOUS_INVOICE, "may match an invoice entered by hand",
                iv.FixKind.PICK_INVOICE)
    if entry.kind in error_queue.TRANSIENT_KINDS:
        return "temporary", iv.CauseCode.TEMPORARY, "temporary problem, retried automatically", iv.FixKind.NONE
    return f"other:{entry.stage.value}:{entry.title}", iv.CauseCode.OTHER, entry.title, iv.FixKind.NONE


def _noun(subject: str | None) -> str:
    kind = (subject or "").partition(":")[0]
    return {"item": "item", "client": "client"}.get(kind, "problem") if subject else "order"


def summary(count: int, label: str, subjects: Sequence[str | None] = ()) -> str:
    """`12 orders: no email`; `2 items: changed in both...` when the rows are items (clients, problems: mixed)."""
    nouns = {_noun(s) for s in subjects} or {"order"}
    noun = nouns.pop() if len(nouns) == 1 else "problem"
    return f"{count} {noun}{'' if count == 1 else 's'}: {label}"


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _order(entry: ErrorEntry) -> Mapping[str, object]:
    return _mapping(_mapping(entry.payload.get("order")).get("order"))


def order_email(entry: ErrorEntry) -> str:
    edited = entry.edits.get("email")
    if isinstance(edited, str) and edited:
        return edited
    billing = _order(entry).get("billing_address")
    return str(billing.get("email", "")) if isinstance(billing, Mapping) else ""


def raw_json(entry: ErrorEntry) -> str:
    data = {"order_id": entry.order_id, "subject": entry.subject, "stage": entry.stage.value, "kind": entry.kind.value,
            "title": entry.title, "message": entry.message, "cause": entry.cause, "edits": entry.edits,
            "payload": entry.payload}
    return json.dumps(redact_mapping(data), indent=2, default=str, ensure_ascii=False)


def cause_words(entry: ErrorEntry, code: iv.CauseCode) -> tuple[str, str]:
    order = f"Order {entry.order_id}" if entry.order_id is not None else \
        iv.subject_label(entry.subject) or "This problem"
    cause = entry.cause
    if code is iv.CauseCode.FIELD_CONFLICT:
        return _conflict_words(entry)
    if code is iv.CauseCode.SHARED_SKU:
        return (entry.message,
                f"Best: give each product its own SKU in BigCommerce; the next sync picks the change up and this "
                f"problem settles by itself. Or, if only one of the products still sells {cause.get('key', '')}, "
                "choose it below and press Save and retry: the FreshBooks item follows that product from now on.")
    if code is iv.CauseCode.MISSING_EMAIL:
        return (f"{order} has no email address. FreshBooks needs one for the client the invoice is "
                "addressed to, so no invoice was made.",
                "Type the customer's email and press Save and retry. The order in BigCommerce is not "
                "changed; to stop this for every order, give the mapping profile's client email a fallback (an "
                "\"if empty, use\" step; see `bigbooks mapping`).")
    if code is iv.CauseCode.UNKNOWN_SKU:
        skus = ", ".join(str(s) for s in cause.get("skus", ()))
        return (f"{order} sells {skus}, which FreshBooks has no item for, and the mapping profile sends "
                "unknown SKUs here instead of creating items.",
                "For each SKU, pick the FreshBooks item it is (search by name or SKU) or create a new "
                "item, then retry. A SKU mapped to an item stays mapped for every later order.")
    if code is iv.CauseCode.UNKNOWN_TAX:
        name, rate = cause.get("tax_name", ""), cause.get("rate", "")
        wanted = cause.get("freshbooks_name", name)
        return (f"BigCommerce charged {name} at {rate}% on order {entry.order_id}; FreshBooks has no tax "
                f"{wanted} at that rate, and the "
                "mapping profile sends missing taxes here.",
                f"Pick the FreshBooks tax at {rate}% that {name} is, then retry: the mapping profile keeps "
                "it for every later order. If there is none, create it in FreshBooks first (Settings > "
                "Taxes), then refresh the list.")
    if code is iv.CauseCode.AMBIGUOUS_INVOICE:
        return (f"Before the first sync, invoices were entered by hand in FreshBooks, and more than one "
                f"could be order {entry.order_id}'s. BigBooks created "
                "nothing, so as not to bill the customer twice.",
                "Pick the invoice that is this order's: BigBooks links it and leaves its lines as they "
                "are. If none is, delete the extra ones in FreshBooks, then retry.")
    if code is iv.CauseCode.RULE:
        rule = cause.get("rule", "")
        if cause.get("broken"):
            return (entry.message, f"Fix the rule “{rule}” in the mapping profile (the message says which part "
                                   "and why), then press Retry.")
        return (entry.message,
                "Change the order in BigCommerce or the rule in the mapping profile so the rule no longer "
                "holds it, then press Retry; or, if this order should not be invoiced, Ignore it and say why.")
    if code is iv.CauseCode.TEMPORARY:
        return (entry.message, "Nothing to do: BigBooks tries again by itself. Press Retry to try now.")
    if entry.subject is not None:
        return (entry.message, "Fix it where the message says, then press Retry: the next sync reads the "
                               f"{'product' if entry.subject.startswith('item:') else 'customer'} again. Or, if "
                               "nothing should be done, Ignore it and say why.")
    return (entry.message, "Fix it where the message says, then press Retry; or, if nothing should be "
                           "done, Ignore it and say why.")


def _conflict_words(entry: ErrorEntry) -> tuple[str, str]:
    cause = entry.cause
    fields = [FIELD_LABELS.get(str(c.get("field")), str(c.get("field"))).lower()
              for c in cause.get("conflicts", ()) if isinstance(c, Mapping)]
    listed = ", ".join(fields) or "some fields"
    if cause.get("kind") == "client":
        what = (f"The FreshBooks client of BigCommerce customer {str(cause.get('key', '')).partition(':')[2]} was "
                f"edited in FreshBooks, and the customer's account in BigCommerce, since the last sync: both "
                f"changed its {listed}.")
        source = "the customer"
    else:
        what = (f"The FreshBooks item {cause.get('key', '')} was edited in FreshBooks, and its product in "
                f"BigCommerce, since the last sync: both changed its {listed}.")
        source = "the product"
    return (what + " BigBooks wrote the other changes and left these fields as they are in FreshBooks.",
            "For each field, choose which value to keep, then press Save and retry: the sync writes BigCommerce's "
            "value to FreshBooks, or keeps FreshBooks' value (BigCommerce is not changed) and writes that field "
            f"again only when {source} changes it next.")

def unknown_skus(entry: ErrorEntry) -> tuple[iv.UnknownSkuView, ...]:
    cause = entry.cause
    if cause.get("code") != iv.CauseCode.UNKNOWN_SKU:
        return ()
    lines = _mapping(cause.get("lines"))
    mapped = _mapping(entry.edits.get("sku_items"))
    created = _mapping(entry.edits.get("new_items"))
    result = []
    for sku in (str(s) for s in cause.get("skus", ())):
        line = _mapping(lines.get(sku))
        link = find_item_link(sku)
        item_id = link.item_id if link is not None else mapped.get(sku)
        result.append(iv.UnknownSkuView(
            sku=sku, line_name=str(line.get("name", "")), price=_decimal(line.get("price", 0)),
            currency=str(cause.get("currency", "")), mapped_item_id=int(str(item_id)) if item_id else None,
            create_as=str(created[sku]) if sku in created else None))
    return tuple(result)

def unknown_tax(entry: ErrorEntry) -> iv.UnknownTaxView | None:
    cause = entry.cause
    if cause.get("code") != iv.CauseCode.UNKNOWN_TAX:
        return None
    name = str(cause.get("tax_name", ""))
    taxes = _mapping(entry.edits.get("taxes"))
    return iv.UnknownTaxView(tax_name=name, rate=_decimal(cause.get("rate", 0)),
                             freshbooks_name=str(cause.get("freshbooks_name", name)),
                             mapped_to=str(taxes[name]) if name in taxes else None)



def field_conflicts(entry: ErrorEntry) -> tuple[iv.FieldConflictView, ...]:
    """The fields of a FIELD_CONFLICT row with both values and the choice saved so far (edits["choose"])."""
    cause = entry.cause
    if cause.get("code") != iv.CauseCode.FIELD_CONFLICT:
        return ()
    chosen = _mapping(entry.edits.get("choose"))
    currency = str(cause.get("currency") or "")

    def shown(name: str, value: object) -> str:
        text = str(value if value is not None else "")
        return f"{text} {currency}" if name == "unit_cost" and currency and text else text      # a price

    result = []
    for conflict in cause.get("conflicts", ()):
        if not isinstance(conflict, Mapping):
            continue
        name = str(conflict.get("field", ""))
        pick = str(chosen.get(name, ""))
        baseline = conflict.get("baseline")
        result.append(iv.FieldConflictView(
            field=name, label=FIELD_LABELS.get(name, name), bigcommerce=shown(name, conflict.get("bigcommerce", "")),
            freshbooks=shown(name, conflict.get("freshbooks", "")),
            baseline=shown(name, baseline) if baseline is not None else None,
            chosen=iv.ConflictChoice(pick) if pick in {c.value for c in iv.ConflictChoice} else None))
    return tuple(result)


def shared_sku_products(entry: ErrorEntry) -> tuple[str, tuple[iv.SkuProductView, ...]]:
    """A SHARED_SKU row's SKU and products: which one the item follows now (store.entity_state) and which one
    the user picked (edits["follow"])."""
    cause = entry.cause
    if cause.get("code") != iv.CauseCode.SHARED_SKU:
        return "", ()
    sku = str(cause.get("key", ""))
    state = get_state(EntityKind.ITEM, sku)
    follow = entry.edits.get("follow")
    ids = [int(str(i)) for i in cause.get("products", ())]
    return sku, tuple(iv.SkuProductView(id=i, followed=state is not None and state.source_id == i,
                                        chosen=isinstance(follow, int) and follow == i) for i in ids)
