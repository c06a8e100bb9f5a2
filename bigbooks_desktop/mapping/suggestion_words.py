"""The words mapping suggestions compare: field names normalised, and the synonyms between the two APIs.

A FreshBooks field name and a BigCommerce one rarely share spelling (`client.p_province` is filled from
`billing_address.state`), so both are first turned into plain words: snake_case, dots and digits split
(`street_1` is "street 1"), the address prefix of a FreshBooks client field dropped (`p_`, `s_`: which address
it is, not what it holds; the scorer weighs that as entity affinity), FreshBooks' abbreviations written out
(`fname` is "first name"), and each word reduced to a crude stem so that "created" meets "create" and "notes"
meets "note". `SYNONYMS` then rewrites a FreshBooks word into the BigCommerce word for the same thing; each
entry is about words, not about one field, and says where both words come from:

- FreshBooks SUMMARY = /work/shared/reference/freshbooks/SUMMARY.md (§6 invoice and line fields, §8 clients);
- BC orders spec = /work/shared/reference/bigcommerce/specs/bigcommerce-docs/reference/orders.v2.oas2.yml
  (the order, its billing and shipping addresses and its products, with each field's description).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

__all__ = ["ABBREVIATIONS", "SYNONYMS", "Synonym", "phrase", "rewrites", "stem", "words"]

_FB = "/work/shared/reference/freshbooks/SUMMARY.md"
_BC = "/work/shared/reference/bigcommerce/specs/bigcommerce-docs/reference/orders.v2.oas2.yml"

# FreshBooks' short names written out (FreshBooks SUMMARY §8 lists fname, lname, bus_phone, mob_phone; §6 po_number)
ABBREVIATIONS: dict[str, str] = {
    "fname": "first name",
    "lname": "last name",
    "bus": "business",
    "mob": "mobile",
    "po": "purchase order",
    "qty": "quantity",
    "desc": "description",
    "addr": "address",
    "org": "organization",
    "iso2": "country code",
}
# what a bare word means inside a client address field (`p_code` is the postal code, FreshBooks SUMMARY §8)
_ADDRESS_WORDS = {"code": "postal code"}
_ADDRESS_PREFIXES = {"p", "s"}          # FreshBooks SUMMARY §8: p_* billing ("primary"), s_* shipping
_STOP = {"a", "an", "the", "of", "or", "and", "on", "in", "to", "for", "e", "g"}
_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_DIGITS = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")


@dataclass(frozen=True)
class Synonym:
    """`freshbooks` words mean the same as `bigcommerce` words; `source` cites both vocabularies."""

    freshbooks: str
    bigcommerce: str
    source: str


SYNONYMS: tuple[Synonym, ...] = (
    Synonym("invoice", "order", f"{_FB} §6: an invoice is made from an order ({_BC} /orders)"),
    Synonym("client", "customer", f"{_FB} §8: invoices call the client `customerid`; {_BC} customer_id"),
    Synonym("organization", "company", f"{_FB} §8 client `organization`; {_BC} billing_address `company`"),
    Synonym("province", "state", f"{_FB} §8 `p_province`; {_BC} billing_address `state`"),
    Synonym("postal code", "zip", f"{_FB} §8 `p_code`; {_BC} billing_address `zip`: 'Zip or postal code'"),
    Synonym("street", "street 1", f"{_FB} §8 `p_street`; {_BC} `street_1`: 'Street address (first line)'"),
    Synonym("note", "customer message", f"{_FB} §6 invoice `notes`, shown to the client; {_BC} "
            "`customer_message`: 'Message that the customer entered ... during checkout'"),
    Synonym("description", "option", f"{_FB} §6 line `name`, `description`; {_BC} order product "
            "`product_options`: 'List of product variant options and modifiers'"),
    Synonym("create date", "date created", f"{_FB} §6 invoice `create_date`; {_BC} order `date_created`"),
)


def stem(word: str) -> str:
    """A crude stem, the same for a word's plural and past forms: "notes", "note" -> "not"; "created",
    "create" -> "creat"; "shipped" -> "ship". Short words and digits stay as they are."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
        if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "ls":
            word = word[:-1]
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _raw_words(text: str) -> list[str]:
    text = _CAMEL.sub(" ", text).lower()
    return [w for part in _SPLIT.split(text) for w in _DIGITS.sub(" ", part).split() if w]


@lru_cache(maxsize=4096)
def words(text: str, *, field_name: bool = False) -> tuple[str, ...]:
    """`text` (a field's name or its label) as stemmed words, abbreviations written out. With `field_name`,
    a leading `p_`/`s_` address prefix is dropped and read as an address context ("code" -> "postal code").
    A label's "Billing:"-style group prefix is dropped too: which entity a field belongs to is weighed apart."""
    if not field_name and ":" in text:
        text = text.split(":", 1)[1]
    raw = [w for w in re.split(r"[\s_.]+", _CAMEL.sub(" ", text).lower()) if w]
    address = field_name and len(raw) > 1 and raw[0] in _ADDRESS_PREFIXES
    if address:
        raw = raw[1:]
    expanded: list[str] = []
    for token in raw:
        if address and token in _ADDRESS_WORDS:
            expanded += _ADDRESS_WORDS[token].split()
        elif token in ABBREVIATIONS:
            expanded += ABBREVIATIONS[token].split()
        else:
            expanded += _raw_words(token)
    return tuple(stem(w) for w in expanded if w not in _STOP)


def phrase(text: str, *, field_name: bool = False) -> str:
    """`words` joined by spaces: what the fuzzy matcher compares."""
    return " ".join(words(text, field_name=field_name))


def _find(haystack: tuple[str, ...], needle: tuple[str, ...]) -> int:
    """Where `needle` starts in `haystack`, or -1; a match followed by a number does not count ("street" is
    not "street 2": a numbered field is another field)."""
    for start in range(len(haystack) - len(needle) + 1):
        end = start + len(needle)
        if haystack[start:end] == needle and not (end < len(haystack) and haystack[end].isdigit()):
            return start
    return -1


def rewrites(target_words: tuple[str, ...]) -> list[tuple[tuple[str, ...], tuple[Synonym, ...]]]:
    """`target_words` with a FreshBooks term replaced by its BigCommerce synonym, one rewrite for each synonym
    that applies, and one with all of them when several do ("client organization" -> "customer company")."""
    result: list[tuple[tuple[str, ...], tuple[Synonym, ...]]] = []
    combined, used = target_words, cast("tuple[Synonym, ...]", ())
    for synonym in SYNONYMS:
        fb, bc = words(synonym.freshbooks), words(synonym.bigcommerce)
        at = _find(target_words, fb)
        if at < 0:
            continue
        result.append((target_words[:at] + bc + target_words[at + len(fb):], (synonym,)))
        at = _find(combined, fb)
        if at >= 0:
            combined, used = combined[:at] + bc + combined[at + len(fb):], (*used, synonym)
    if len(used) > 1:
        result.append((combined, used))
    return result
