"""The rule language for merchants: safe expressions over an order's fields, and their evaluation.

A rule's condition is an expression such as

    order.channel_id == 2 and order.total_inc_tax > 500

- **Fields** are dotted paths: `order.total_inc_tax`, `billing_address.country_iso2`, `customer.company`,
  `line.sku`, `custom_fields.po_number` (`bigbooks mapping fields` lists them). A field the order does not
  have is `null`.
- **Values**: numbers (`500`, `12.50`; exact decimals, so `0.1 + 0.2 == 0.3` is true; no `1e6` notation), text
  in single or double quotes (`'VIP'`, `"PO 17"`, with `\\'` `\\"` `\\\\` `\\n` `\\t` escapes), `true`, `false`,
  `null` (or `True`, `False`, `None`), and lists for `in`: `[1, 2, "x"]`.
- **Compare** with `==  !=  <  <=  >  >=`, one pair at a time (`1 < x and x < 5`; `1 < x < 5` is refused).
  Text comparison is exact and case-sensitive: `"ABC" == "abc"` is false, so write `lower(x) == "abc"`.
  Comparing different kinds of value (text with a number) is an error, not a silent false.
- **Missing values**: `field == null` and `field != null` test whether a field is there; every other comparison
  with a null value is false, so `custom_fields.po_number != "X"` is false for an order without that field (write
  `custom_fields.po_number == null or custom_fields.po_number != "X"` if that is what you mean). Arithmetic, `and`,
  `or` and `not` on a null value are errors: use `coalesce(field, 0)` or `coalesce(field, false)`.
- **Combine** conditions with `and`, `or`, `not` (on true/false only; `and`/`or` stop at the first value that
  decides), `in` / `not in` (`order.channel_id in [1, 2]`, or text within text: `"gift" in lower(x)`), and
  brackets `( )`.
- **Arithmetic** on numbers: `+ - * /` and a leading minus (dividing by zero is an error); `+` also joins text
  to text (`"PO " + custom_fields.po_number`); it never mixes text and numbers.
- **Functions**: `lower(t)`, `upper(t)`, `trim(t)`, `len(t or list)`, `contains(t, part)`, `startswith(t, p)`,
  `endswith(t, p)`, `round(n)` / `round(n, places)` (half up, 0 to 10 places), `abs(n)`, and
  `coalesce(a, b, ...)` (the first value that is not null). Given null, the text and number functions give
  null and `contains` / `startswith` / `endswith` give false.

Nothing else exists: no attributes, indexing, imports, loops, assignments or other functions, and names
starting with `_` are refused. An error gives its column (counted from 1) and, for a misspelt field or
function, a suggestion. Limits, checked before anything runs: 1,000 characters of expression, 200 parts,
32 levels of nesting, 1,000 characters in one quoted text, 30 digits in a number, 10,000 characters from
joining text; numbers keep 34 significant digits and exponents within ±99,999. Evaluation is one walk of the
parsed tree, so its time grows with the expression's size and nothing else.

Syntax and parsing live in `expression_syntax.py`, the catalogue checks in `expression_check.py`; this module
is the one to import.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import (
    ROUND_HALF_UP,
    Clamped,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    Underflow,
)
from typing import Any, Final

from bigbooks_desktop.mapping.expression_check import KIND_WORDS, TYPE_NAMES, ExpressionIssue, check
from bigbooks_desktop.mapping.expression_syntax import (
    MAX_ROUND_PLACES,
    MAX_STRING_RESULT,
    Binary,
    Call,
    Const,
    Expression,
    ExpressionError,
    Field,
    ListOf,
    Logic,
    Node,
    Unary,
    error_at,
    parse,
    suggest,
)

__all__ = ["KIND_WORDS", "TYPE_NAMES", "Expression", "ExpressionError", "ExpressionIssue", "check", "evaluate",
           "kind_of", "parse", "suggest"]

_WORDS: Final = KIND_WORDS
_TEXT_FUNCTIONS: Final[Mapping[str, Callable[[str], str]]] = {"lower": str.lower, "upper": str.upper,
                                                                "trim": str.strip}
_TEST_FUNCTIONS: Final[Mapping[str, Callable[[str, str], bool]]] = {
    "contains": str.__contains__, "startswith": str.startswith, "endswith": str.endswith}


def _context() -> Context:
    """Bounded decimal arithmetic: 34 significant digits, small exponents, every blow-up an error.

    Half-up rounding, as `core.money.quantize` rounds money; `round()` quantizes in this context too.
    """
    return Context(prec=34, rounding=ROUND_HALF_UP, Emax=99_999, Emin=-99_999,
                   traps=[InvalidOperation, DivisionByZero, Overflow, Underflow, Clamped])


def kind_of(value: object) -> str:
    """The language's name for a value's kind: null, bool, number, text, datetime, date, list or group."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Decimal | int):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, datetime):  # before date: a datetime is a date to Python
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, tuple | list):
        return "list"
    return "group" if isinstance(value, Mapping) else "unknown"


def evaluate(expr: Expression, data: Mapping[str, Any]) -> Any:
    """Evaluate against nested Mappings (`{"order": {...}, ...}`); a missing field is None.

    Returns a Decimal, str, bool, None, date, datetime or tuple. Raises ExpressionError with a position.
    """
    return _eval(expr.tree, data, _context())


def _scalar(value: object, node: Node) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise error_at(f"{_describe(node)} holds something that is not a number", node.pos)
        return number
    return value  # text, dates, null; a group of fields or an unreadable value, which every operation refuses


def _field(data: Mapping[str, Any], node: Field) -> Any:
    current: Any = data
    for segment in node.path.split("."):  # Mapping lookups only: never an attribute of a Python object
        if not isinstance(current, Mapping):
            return None
        current = current.get(segment)
    if isinstance(current, list | tuple):
        return tuple(_scalar(item, node) for item in current)
    return _scalar(current, node)


def _describe(node: Node) -> str:
    if isinstance(node, Field):
        return node.path
    return f"{node.name}()" if isinstance(node, Call) else "the value"


def _need(value: Any, kinds: tuple[str, ...], node: Node, what: str) -> Any:
    kind = kind_of(value)
    if kind not in kinds:
        got = f"{_describe(node)} is null (coalesce gives a default)" if kind == "null" else f"got {_WORDS[kind]}"
        raise error_at(f"{what} needs {' or '.join(_WORDS[k] for k in kinds)}; {got}", node.pos)
    return value


def _decimal(node: Node, compute: Callable[[], Decimal]) -> Decimal:
    try:
        return compute()
    except DivisionByZero:
        raise error_at("Division by zero", node.pos) from None
    except DecimalException:
        raise error_at("The number is too large or too precise to work with", node.pos) from None


def _eval(node: Node, data: Mapping[str, Any], ctx: Context) -> Any:
    """One walk of the tree; its depth is bounded by parse(), so this recursion is too."""
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Field):
        return _field(data, node)
    if isinstance(node, ListOf):
        return tuple(_eval(item, data, ctx) for item in node.items)
    if isinstance(node, Logic):
        decisive = node.op == "or"  # `or` stops at the first true, `and` at the first false
        for value in node.values:
            if _need(_eval(value, data, ctx), ("bool",), value, f"'{node.op}'") is decisive:
                return decisive
        return not decisive
    if isinstance(node, Unary):
        operand = _eval(node.operand, data, ctx)
        if node.op == "not":
            return not _need(operand, ("bool",), node.operand, "'not'")
        number = _need(operand, ("number",), node.operand, "'-'")
        return _decimal(node, lambda: ctx.minus(number))
    if isinstance(node, Call):
        return _call(node, data, ctx)
    left, right = _eval(node.left, data, ctx), _eval(node.right, data, ctx)
    if node.op in ("+", "-", "*", "/"):
        return _arithmetic(node, left, right, ctx)
    if node.op in ("in", "not in"):
        return _member(node, left, right)
    return _compare(node, left, right)


def _arithmetic(node: Binary, left: Any, right: Any, ctx: Context) -> Any:
    if node.op == "+" and isinstance(left, str) and isinstance(right, str):
        if len(left) + len(right) > MAX_STRING_RESULT:
            raise error_at(f"Joined text would be longer than {MAX_STRING_RESULT} characters", node.pos)
        return left + right
    if node.op == "+" and kind_of(left) == "text":
        raise error_at(f"'+' joins text to text; the right side is {_WORDS[kind_of(right)]}", node.pos)
    a = _need(left, ("number",), node.left, f"'{node.op}'")
    b = _need(right, ("number",), node.right, f"'{node.op}'")
    operations = {"+": ctx.add, "-": ctx.subtract, "*": ctx.multiply, "/": ctx.divide}
    return _decimal(node, lambda: operations[node.op](a, b))


def _equal(node: Binary, left: Any, right: Any) -> bool:
    kinds = (kind_of(left), kind_of(right))
    if kinds[0] != kinds[1]:
        raise error_at(f"Cannot compare {_WORDS[kinds[0]]} with {_WORDS[kinds[1]]}", node.pos)
    return bool(left == right)


def _is_null_literal(node: Node) -> bool:
    return isinstance(node, Const) and node.value is None


def _compare(node: Binary, left: Any, right: Any) -> bool:
    if node.op in ("==", "!=") and (_is_null_literal(node.left) or _is_null_literal(node.right)):
        missing = left is None and right is None  # `x == null`: x is missing; `x != null`: x is there
        return missing if node.op == "==" else not missing
    if left is None or right is None:
        return False  # a missing value compares false, except with `== null` / `!= null`
    if node.op in ("==", "!="):
        return _equal(node, left, right) == (node.op == "==")
    kind = kind_of(left)
    if kind not in ("number", "text", "date", "datetime") or kind != kind_of(right):
        raise error_at(f"Cannot order {_WORDS[kind]} and {_WORDS[kind_of(right)]} with '{node.op}'", node.pos)
    orderings = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
    try:
        return bool(orderings[node.op](left, right))
    except TypeError:  # a date and time with a time zone against one without
        raise error_at("Cannot compare a date and time that has a time zone with one that has none",
                       node.pos) from None


def _member(node: Binary, left: Any, right: Any) -> bool:
    if left is None or right is None:
        return False  # like every comparison with a missing value
    if isinstance(right, str):
        found = _need(left, ("text",), node.left, "'in' on text") in right
    else:
        items = _need(right, ("list",), node.right, f"'{node.op}'")
        found = any(_equal(node, left, item) for item in items if item is not None)
    return found == (node.op == "in")


def _call(node: Call, data: Mapping[str, Any], ctx: Context) -> Any:
    if node.name == "coalesce":
        for arg in node.args:  # lazy: stops at the first value that is not null
            value = _eval(arg, data, ctx)
            if value is not None:
                return value
        return None
    args = [_eval(arg, data, ctx) for arg in node.args]
    what = f"{node.name}()"
    if node.name in _TEST_FUNCTIONS:
        if args[0] is None or args[1] is None:
            return False
        text = _need(args[0], ("text",), node.args[0], what)
        return _TEST_FUNCTIONS[node.name](text, _need(args[1], ("text",), node.args[1], what))
    if args[0] is None:
        return None
    if node.name in _TEXT_FUNCTIONS:
        return _TEXT_FUNCTIONS[node.name](_need(args[0], ("text",), node.args[0], what))
    if node.name == "len":
        return Decimal(len(_need(args[0], ("text", "list"), node.args[0], what)))
    number: Decimal = _need(args[0], ("number",), node.args[0], what)
    if node.name == "abs":
        return _decimal(node, lambda: ctx.abs(number))
    places = _need(args[1], ("number",), node.args[1], what) if len(args) > 1 else Decimal(0)
    if places != places.to_integral_value() or not 0 <= places <= MAX_ROUND_PLACES:
        raise error_at(f"round() places must be a whole number from 0 to {MAX_ROUND_PLACES}", node.args[-1].pos)
    return _decimal(node, lambda: number.quantize(Decimal(1).scaleb(-int(places)), context=ctx))
