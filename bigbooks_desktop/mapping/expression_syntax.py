"""The rule language's syntax: limits, the error type, the tree, a tokenizer and a recursive-descent parser.

Hand-written rather than `ast.parse`, so error positions are exact, nothing depends on Python's grammar and no
Python object is ever reached from merchant text. `expressions.py` documents the language and evaluates it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from bigbooks_desktop.core.errors import ValidationError

__all__ = [
    "FUNCTIONS", "MAX_DEPTH", "MAX_NODES", "MAX_NUMBER_DIGITS", "MAX_ROUND_PLACES", "MAX_STRING_LITERAL",
    "MAX_STRING_RESULT", "MAX_TEXT", "Binary", "Call", "Const", "Expression", "ExpressionError", "Field", "ListOf",
    "Logic", "Node", "Unary", "children", "error_at", "located", "parse", "suggest",
]

MAX_TEXT: Final = 1_000  # characters of expression text
MAX_NODES: Final = 200  # parts of the tree (values, fields, operators, calls)
MAX_DEPTH: Final = 32  # levels of nesting, in the parser and in the tree
MAX_STRING_LITERAL: Final = 1_000  # characters in one quoted text
MAX_STRING_RESULT: Final = 10_000  # characters `+` may produce by joining text
MAX_NUMBER_DIGITS: Final = 30  # digits in one number literal
MAX_ROUND_PLACES: Final = 10  # most decimal places round() keeps

# name -> (fewest, most arguments; None: any number)
FUNCTIONS: Final[Mapping[str, tuple[int, int | None]]] = {
    "lower": (1, 1), "upper": (1, 1), "trim": (1, 1), "len": (1, 1), "contains": (2, 2),
    "startswith": (2, 2), "endswith": (2, 2), "round": (1, 2), "abs": (1, 1), "coalesce": (2, None),
}
_CONSTANTS: Final[Mapping[str, bool | None]] = {
    "true": True, "false": False, "null": None, "True": True, "False": False, "None": None}
_KEYWORDS: Final = frozenset({"and", "or", "not", "in", *_CONSTANTS})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_OPERATORS: Final = ("**", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ",")
_COMPARISONS: Final = frozenset({"==", "!=", "<", "<=", ">", ">="})
_ESCAPES: Final = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t"}
# Friendly words for Python habits that are not part of the language
_HINTS: Final = {"=": "use == to compare", "&": "write and", "|": "write or", "!": "write not",
                 "%": "there is no remainder operator", ":": "there are no lambdas or slices",
                 "{": "there are no sets or dictionaries", ";": "write one expression"}


class ExpressionError(ValidationError):
    """A rule expression that cannot be read or evaluated; `position` is the 0-based character offset."""

    default_title = "Rule expression problem"

    def __init__(self, message: str, *, position: int, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.position = position
        self.suggestion = suggestion

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "position": self.position, "suggestion": self.suggestion}


def located(message: str, position: int, suggestion: str | None = None) -> str:
    """`message` followed by the column (counted from 1) and any suggestion, for a merchant to read."""
    hint = f"; did you mean {suggestion}?" if suggestion else ""
    return f"{message} at column {position + 1}{hint}"


def error_at(message: str, position: int, suggestion: str | None = None) -> ExpressionError:
    """An ExpressionError whose message says where (see `located`)."""
    return ExpressionError(located(message, position, suggestion), position=position, suggestion=suggestion)


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt name, or None (long names are not compared: bounded work)."""
    if len(word) > 100:
        return None
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


# ---- tree -------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Const:
    value: Decimal | str | bool | None
    pos: int


@dataclass(frozen=True, slots=True)
class ListOf:
    items: tuple[Node, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Field:
    path: str
    pos: int


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-" or "not"
    operand: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # arithmetic "+ - * /", comparison "== != < <= > >= in", or "not in"
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Logic:
    op: str  # "and" / "or", over two or more values (flattened, so a long `or` list stays shallow)
    values: tuple[Node, ...]
    pos: int


Node = Const | ListOf | Field | Call | Unary | Binary | Logic


def children(node: Node) -> tuple[Node, ...]:
    """The sub-expressions of a node, left to right."""
    if isinstance(node, ListOf | Call):
        return node.items if isinstance(node, ListOf) else node.args
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Logic):
        return node.values
    return ()


@dataclass(frozen=True)
class Expression:
    """A parsed expression: its source `text`, the `fields` it reads, and the tree evaluate() walks."""

    text: str
    tree: Node
    fields: frozenset[str]


# ---- tokenizer --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number", "text", "name" (a dotted path or keyword), "op", "end"
    value: str
    pos: int


def _tokens(text: str) -> Iterator[_Token]:
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
        elif ch in "'\"":
            value, end = _read_text(text, i)
            yield _Token("text", value, i)
            i = end
        elif ch.isascii() and ch.isdigit():
            match = _NUMBER.match(text, i)
            assert match is not None  # a digit always matches
            end = match.end()
            if end < n and (text[end] == "." or _NAME.match(text, end)):
                raise error_at("Numbers are written like 500 or 12.50", i)
            if sum(c.isdigit() for c in match.group()) > MAX_NUMBER_DIGITS:
                raise error_at(f"Number longer than {MAX_NUMBER_DIGITS} digits", i)
            yield _Token("number", match.group(), i)
            i = end
        elif _NAME.match(text, i):
            path, end = _read_path(text, i)
            yield _Token("name", path, i)
            i = end
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
            if op == "**":
                raise error_at("Powers (**) are not part of the rule language", i)
            if op is None and ch in _HINTS:
                raise error_at(f"'{ch}' is not part of the rule language ({_HINTS[ch]})", i)
            if op is None:
                shown = f"character {ch!r}" if ch.isprintable() else "control character"
                raise error_at(f"Unexpected {shown} (U+{ord(ch):04X})", i)
            yield _Token("op", op, i)
            i += len(op)
    yield _Token("end", "", n)


def _read_text(text: str, start: int) -> tuple[str, int]:
    quote, i, out = text[start], start + 1, list[str]()
    while i < len(text):
        ch = text[i]
        if ch == quote:
            return "".join(out), i + 1
        if ch == "\\":
            nxt = text[i + 1 : i + 2]
            if nxt not in _ESCAPES:
                raise error_at("Unknown escape in text (use \\\\ \\' \\\" \\n or \\t)", i)
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            out.append(ch)
            i += 1
        if len(out) > MAX_STRING_LITERAL:
            raise error_at(f"Text longer than {MAX_STRING_LITERAL} characters", start)
    raise error_at("Text is missing its closing quote", start)


def _read_path(text: str, start: int) -> tuple[str, int]:
    segments: list[str] = []
    i = start
    while True:
        match = _NAME.match(text, i)
        if match is None:
            raise error_at("A field name is needed after '.'", i)
        if match.group().startswith("_"):
            raise error_at("Names starting with '_' are not allowed", i)
        segments.append(match.group())
        i = match.end()
        if i < len(text) and text[i] == ".":
            if segments[0] in _KEYWORDS:
                raise error_at(f"'{segments[0]}' is a reserved word, not a field", start)
            i += 1
            continue
        return ".".join(segments), i


# ---- parser -----------------------------------------------------------------------------------------------

class _Parser:
    """Recursive descent; `_nest` bounds the recursion, so deep input is an ExpressionError, not a crash."""

    def __init__(self, text: str) -> None:
        self.tokens = list(_tokens(text))
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def _take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def _is(self, kind: str, value: str) -> bool:
        return self.tok.kind == kind and self.tok.value == value

    def _nest(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise error_at(f"Too deeply nested (more than {MAX_DEPTH} levels)", pos)

    def _unexpected(self, wanted: str) -> ExpressionError:
        found = "the end" if self.tok.kind == "end" else repr(self.tok.value)
        return error_at(f"Expected {wanted} but found {found}", self.tok.pos)

    def parse(self) -> Node:
        node = self.logic()
        if self.tok.kind != "end":
            raise self._unexpected("an operator (such as ==, +, and, or)")
        return node

    def logic(self, op: str = "or") -> Node:
        values = [self.logic("and") if op == "or" else self.negation()]
        op_pos = self.tok.pos  # the first `and`/`or`, which is where errors about it point
        while self._is("name", op):
            self._take()
            values.append(self.logic("and") if op == "or" else self.negation())
        return values[0] if len(values) == 1 else Logic(op, tuple(values), op_pos)

    def negation(self) -> Node:
        if not self._is("name", "not"):
            return self.comparison()
        pos = self._take().pos
        self._nest(pos)
        node = Unary("not", self.negation(), pos)
        self.depth -= 1
        return node

    def _comparison_op(self) -> str | None:
        if self.tok.kind == "op" and self.tok.value in _COMPARISONS:
            return self.tok.value
        if self._is("name", "in"):
            return "in"
        after = self.tokens[self.i + 1] if self.tok.kind != "end" else self.tok
        if self._is("name", "not") and (after.kind, after.value) == ("name", "in"):
            return "not in"
        return None

    def comparison(self) -> Node:
        left = self.arithmetic(("+", "-"))
        op = self._comparison_op()
        if op is None:
            return left
        pos = self._take().pos
        if op == "not in":
            self._take()
        right = self.arithmetic(("+", "-"))
        if self._comparison_op() is not None:
            raise error_at("Compare one pair at a time: write a < b and b < c", self.tok.pos)
        return Binary(op, left, right, pos)

    def arithmetic(self, ops: tuple[str, str]) -> Node:
        def operand() -> Node:
            return self.arithmetic(("*", "/")) if ops == ("+", "-") else self.unary()

        left = operand()
        while self.tok.kind == "op" and self.tok.value in ops:
            pos = self._take().pos
            left = Binary(self.tokens[self.i - 1].value, left, operand(), pos)
        return left

    def unary(self) -> Node:
        if not self._is("op", "-"):
            return self.primary()
        pos = self._take().pos
        self._nest(pos)
        node = Unary("-", self.unary(), pos)
        self.depth -= 1
        return node

    def primary(self) -> Node:
        token = self._take()
        if token.kind == "number":
            return Const(Decimal(token.value), token.pos)
        if token.kind == "text":
            return Const(token.value, token.pos)
        if token.kind == "op" and token.value in "([":
            self._nest(token.pos)
            if token.value == "(":
                node: Node = self.logic()
                if not self._is("op", ")"):
                    raise self._unexpected("')'")
                self._take()
            else:
                node = ListOf(self._items("]"), token.pos)
            self.depth -= 1
            return node
        if token.kind == "name":
            return self._name(token)
        self.i -= 1
        raise self._unexpected("a value, a field or '('")

    def _name(self, token: _Token) -> Node:
        if token.value in _CONSTANTS:
            return Const(_CONSTANTS[token.value], token.pos)
        if token.value in _KEYWORDS:
            raise error_at(f"'{token.value}' needs a value before it", token.pos)
        if not self._is("op", "("):
            return Field(token.value, token.pos)
        if token.value not in FUNCTIONS:
            names = ", ".join(FUNCTIONS)
            raise error_at(f"Unknown function {token.value}() (the functions are {names})", token.pos,
                         suggest(token.value, FUNCTIONS))
        open_pos = self._take().pos
        self._nest(open_pos)
        args = self._items(")")
        self.depth -= 1
        fewest, most = FUNCTIONS[token.value]
        if len(args) < fewest or (most is not None and len(args) > most):
            wanted = str(fewest) if fewest == most else f"{fewest} or more" if most is None else f"{fewest} to {most}"
            raise error_at(f"{token.value}() takes {wanted} arguments, not {len(args)}", token.pos)
        return Call(token.value, args, token.pos)

    def _items(self, close: str) -> tuple[Node, ...]:
        items: list[Node] = []
        while not self._is("op", close):
            items.append(self.logic())
            if self._is("op", ","):
                self._take()
            elif not self._is("op", close):
                raise self._unexpected(f"',' or '{close}'")
        self._take()
        return tuple(items)


def parse(text: str) -> Expression:
    """Read expression text into an Expression, or raise ExpressionError with a position and plain words."""
    if len(text) > MAX_TEXT:
        raise error_at(f"The expression is longer than {MAX_TEXT} characters", MAX_TEXT)
    if not text.strip():
        raise error_at("The expression is empty", 0)
    tree = _Parser(text).parse()
    fields: set[str] = set()
    count, deepest = 0, (0, 0)
    stack: list[tuple[Node, int]] = [(tree, 1)]
    while stack:  # iterative: counts nodes and depth without recursion
        node, depth = stack.pop()
        count += 1
        deepest = max(deepest, (depth, node.pos))
        if isinstance(node, Field):
            fields.add(node.path)
        stack.extend((child, depth + 1) for child in children(node))
    if count > MAX_NODES:
        raise error_at(f"The expression is too long (more than {MAX_NODES} parts)", 0)
    if deepest[0] > MAX_DEPTH:
        raise error_at(f"Too deeply nested (more than {MAX_DEPTH} levels)", deepest[1])
    return Expression(text, tree, frozenset(fields))


