"""Static checks of a rule expression against a field catalogue: unknown fields and visible type mismatches.

The catalogue maps each known path to a type name from TYPE_NAMES, e.g. `{"order.total_inc_tax": "number",
"order.channel_id": "integer"}`. Paths are exact, except that a key `prefix.*` admits `prefix.<any name>`
(so `custom_fields.*: text` covers every custom field). A field whose type is not known, and the result of
`coalesce` over mixed kinds, are "any" and pass every check; evaluation still refuses what does not fit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from bigbooks_desktop.mapping.expression_syntax import (
    MAX_ROUND_PLACES,
    Binary,
    Call,
    Const,
    Expression,
    Field,
    ListOf,
    Logic,
    Node,
    Unary,
    located,
    suggest,
)

__all__ = ["KIND_WORDS", "TYPE_NAMES", "ExpressionIssue", "check"]

TYPE_NAMES: Final = frozenset({"text", "number", "integer", "bool", "datetime", "date", "list"})
# How a merchant reads each kind of value (also used by evaluation's messages)
KIND_WORDS: Final[Mapping[str, str]] = {
    "null": "null", "bool": "true/false", "number": "a number", "integer": "a number", "text": "text",
    "datetime": "a date and time", "date": "a date", "list": "a list", "group": "a group of fields",
    "unknown": "a value rules cannot read", "any": "any value"}
_ORDERED: Final = frozenset({"number", "text", "date", "datetime", "any"})
# function -> (allowed kinds per argument, result); coalesce is typed apart
_SIGNATURES: Final[Mapping[str, tuple[tuple[frozenset[str], ...], str]]] = {
    **{name: ((frozenset({"text"}),), "text") for name in ("lower", "upper", "trim")},
    "len": ((frozenset({"text", "list"}),), "integer"),
    **{name: ((frozenset({"text"}),) * 2, "bool") for name in ("contains", "startswith", "endswith")},
    "round": ((frozenset({"number"}),) * 2, "number"),
    "abs": ((frozenset({"number"}),), "number"),
}


@dataclass(frozen=True)
class ExpressionIssue:
    """One problem found without running the expression: where (0-based), what, and a suggested fix."""

    position: int
    message: str
    suggestion: str | None = None


def _family(kind: str) -> str:
    return "number" if kind == "integer" else kind


def _fits(kind: str, wanted: str) -> bool:
    """Whether a value of `kind` can stand where `wanted` is expected (null fits anything)."""
    return kind in ("any", "null") or wanted == "any" or _family(kind) == _family(wanted)


def check(expr: Expression, known: Mapping[str, str], *, expect: str | None = None) -> list[ExpressionIssue]:
    """Problems visible before running: unknown fields, mismatched kinds, and a result that is not `expect`."""
    checker = _Checker(known)
    result = checker.kind(expr.tree)
    if (expect is not None and not _fits(result, expect)) or (expect == "bool" and result == "null"):
        wanted = "a condition (true/false)" if expect == "bool" else KIND_WORDS.get(expect or "", expect)
        checker.issues.append(ExpressionIssue(
            0, located(f"This gives {KIND_WORDS[result]}, but {wanted} is needed here", 0)))
    return checker.issues


class _Checker:
    def __init__(self, known: Mapping[str, str]) -> None:
        self.known = known
        self.issues: list[ExpressionIssue] = []

    def _flag(self, node: Node, message: str, suggestion: str | None = None) -> None:
        self.issues.append(ExpressionIssue(node.pos, located(message, node.pos, suggestion), suggestion))

    def _name(self, node: Node, kind: str) -> str:
        subject = node.path if isinstance(node, Field) else "this value"
        return f"{subject} is {KIND_WORDS[kind]}"

    def _need(self, node: Node, kind: str, allowed: frozenset[str], what: str) -> None:
        if kind != "any" and _family(kind) not in allowed:
            wanted = " or ".join(KIND_WORDS[k] for k in sorted(allowed))
            self._flag(node, f"{what} needs {wanted}; {self._name(node, kind)}")

    def kind(self, node: Node) -> str:
        """The kind of value `node` gives (recording issues on the way); "any" when it cannot be known."""
        if isinstance(node, Const):
            return self._const(node.value)
        if isinstance(node, Field):
            return self._field(node)
        if isinstance(node, ListOf):
            for item in node.items:
                self.kind(item)
            return "list"
        if isinstance(node, Logic):
            for value in node.values:
                self._need(value, self.kind(value), frozenset({"bool"}), f"'{node.op}'")
            return "bool"
        if isinstance(node, Unary):
            operand = self.kind(node.operand)
            allowed = frozenset({"bool"}) if node.op == "not" else frozenset({"number"})
            self._need(node.operand, operand, allowed, f"'{node.op}'")
            return "bool" if node.op == "not" else "integer" if operand == "integer" else "number"
        if isinstance(node, Call):
            return self._call(node)
        return self._binary(node)

    @staticmethod
    def _const(value: Decimal | str | bool | None) -> str:
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, Decimal):
            return "integer" if value == value.to_integral_value() else "number"
        return "text"

    def _field(self, node: Field) -> str:
        head = node.path.rpartition(".")[0]
        kind = self.known.get(node.path) or (self.known.get(f"{head}.*") if head else None)
        if kind is None:
            candidates = (path for path in self.known if not path.endswith(".*"))
            self._flag(node, f"Unknown field {node.path}", suggest(node.path, candidates))
            return "any"
        return kind if kind in TYPE_NAMES else "any"

    def _call(self, node: Call) -> str:
        kinds = [self.kind(arg) for arg in node.args]
        if node.name == "coalesce":
            found = {_family(k) for k in kinds} - {"any", "null"}
            if len(found) > 1:
                self._flag(node, f"coalesce() mixes {' and '.join(KIND_WORDS[k] for k in sorted(found))}")
            return found.pop() if len(found) == 1 else "any"
        params, result = _SIGNATURES[node.name]
        for arg, kind, allowed in zip(node.args, kinds, params, strict=False):
            self._need(arg, kind, allowed, f"{node.name}()")
        if node.name == "round" and len(node.args) > 1 and isinstance(node.args[1], Const):
            places = node.args[1].value
            if not isinstance(places, Decimal) or places != places.to_integral_value() or not (
                    0 <= places <= MAX_ROUND_PLACES):
                self._flag(node.args[1], f"round() places must be a whole number from 0 to {MAX_ROUND_PLACES}")
        return result

    def _binary(self, node: Binary) -> str:
        left, right = self.kind(node.left), self.kind(node.right)
        if node.op in ("+", "-", "*", "/"):
            return self._arithmetic(node, left, right)
        if node.op in ("in", "not in"):
            self._member(node, left, right)
            return "bool"
        if "null" in (left, right):
            if node.op not in ("==", "!="):
                self._flag(node, f"'{node.op}' with null is always false; test with == null or != null")
            return "bool"
        if not (_fits(left, right) and _fits(right, left)):
            self._flag(node, f"Cannot compare {KIND_WORDS[left]} with {KIND_WORDS[right]}")
        elif node.op not in ("==", "!=") and not {_family(left), _family(right)} <= _ORDERED:
            self._flag(node, f"'{node.op}' cannot order {KIND_WORDS[left]}")
        return "bool"

    def _arithmetic(self, node: Binary, left: str, right: str) -> str:
        kinds = {_family(left), _family(right)}
        if node.op == "+" and "text" in kinds and kinds <= {"text", "any"}:
            return "text"
        if node.op == "+" and "text" in kinds:
            self._flag(node, f"'+' joins text to text only, not {KIND_WORDS[left]} and {KIND_WORDS[right]}")
            return "any"
        self._need(node.left, left, frozenset({"number"}), f"'{node.op}'")
        self._need(node.right, right, frozenset({"number"}), f"'{node.op}'")
        if node.op == "/" and isinstance(node.right, Const) and node.right.value == 0:
            self._flag(node, "Division by zero")
        whole = left == right == "integer" and node.op != "/"
        return "integer" if whole else "number"

    def _member(self, node: Binary, left: str, right: str) -> None:
        if right not in ("list", "text", "any", "null"):
            self._flag(node.right, f"'{node.op}' needs a list or text on its right; {self._name(node.right, right)}")
        elif right == "text":
            self._need(node.left, left, frozenset({"text"}), f"'{node.op}' on text")
        elif isinstance(node.right, ListOf) and left not in ("any", "null"):
            for item in node.right.items:  # constants only: other items were checked (and flagged) already
                kind = self._const(item.value) if isinstance(item, Const) else "any"
                if not _fits(kind, left):
                    self._flag(item, f"This list holds {KIND_WORDS[kind]} but {self._name(node.left, left)}")
