"""Recursive-descent parser: tokens to a syntax tree, with nesting and size limits.

Grammar (lowest precedence first)::

    expression  := or_expr
    or_expr     := and_expr ("or" and_expr)*
    and_expr    := not_expr ("and" not_expr)*
    not_expr    := "not" not_expr | comparison
    comparison  := sum (comp_op sum)*
    comp_op     := "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in"
    sum         := product (("+" | "-") product)*
    product     := unary (("*" | "/") unary)*
    unary       := ("-" | "+") unary | postfix
    postfix     := primary ("." NAME | "[" expression "]")*
    primary     := NUMBER | STRING | "true" | "false" | "null" | "$" | NAME
                 | FUNCTION "(" [expression ("," expression)*] ")"
                 | "(" expression ")" | "[" [expression ("," expression)*] "]"
"""

from __future__ import annotations

from dspex.pipelines.expressions.errors import ExpressionError
from dspex.pipelines.expressions.functions import FUNCTIONS
from dspex.pipelines.expressions.nodes import (
    BoolOp,
    Call,
    Compare,
    Field,
    Index,
    ListExpr,
    Literal,
    Name,
    Node,
    Operation,
    Root,
    Unary,
    children,
)
from dspex.pipelines.expressions.tokenizer import Token, tokenize

__all__ = ["MAX_DEPTH", "MAX_NODES", "parse"]

MAX_DEPTH = 32
MAX_NODES = 500
_CONSTANTS = {"true": True, "True": True, "false": False, "False": False, "null": None, "None": None}
_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})


def parse(source: str) -> Node:
    """The syntax tree of ``source``. Raises :class:`ExpressionError` with the position."""
    tokens = tokenize(source)
    if tokens[0].kind == "end":
        raise ExpressionError("empty expression", expression=source, position=0)
    return _Parser(source, tokens).parse()


class _Parser:
    def __init__(self, source: str, tokens: list[Token]) -> None:
        self.source = source
        self.tokens = tokens
        self.index = 0
        self.nesting = 0
        self.nodes = 0
        self.heights: dict[int, int] = {}

    # -- helpers ----------------------------------------------------------------------------
    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, kind: str, value: object = None) -> bool:
        token = self.current
        return token.kind == kind and (value is None or token.value == value)

    def expect_op(self, value: str, what: str) -> Token:
        if not self.at("op", value):
            raise self.error(f"expected {value!r} {what}, found {self.describe(self.current)}")
        return self.advance()

    def error(self, reason: str, position: int | None = None) -> ExpressionError:
        where = self.current.position if position is None else position
        return ExpressionError(reason, expression=self.source, position=where)

    @staticmethod
    def describe(token: Token) -> str:
        if token.kind == "end":
            return "the end of the expression"
        if token.kind == "string":
            return f"string {token.value!r}"
        return repr(str(token.value))

    def enter(self, position: int) -> None:
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise self.error(f"expression is nested too deeply (more than {MAX_DEPTH} levels)", position)

    def leave(self) -> None:
        self.nesting -= 1

    def make(self, node: Node) -> Node:
        """Register ``node``: count it and check the height of the tree it tops."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.error(f"expression is too large (more than {MAX_NODES} parts)", node.position)
        height = 1 + max((self.heights.get(id(child), 1) for child in children(node)), default=0)
        if height > MAX_DEPTH:
            raise self.error(f"expression is nested too deeply (more than {MAX_DEPTH} levels)", node.position)
        self.heights[id(node)] = height
        return node

    # -- grammar ----------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self.expression()
        if not self.at("end"):
            raise self.error(f"unexpected {self.describe(self.current)} after a complete expression")
        return node

    def expression(self) -> Node:
        return self.or_expr()

    def or_expr(self) -> Node:
        first = self.and_expr()
        operands = [first]
        while self.at("keyword", "or"):
            self.advance()
            operands.append(self.and_expr())
        return first if len(operands) == 1 else self.make(BoolOp(first.position, "or", tuple(operands)))

    def and_expr(self) -> Node:
        first = self.not_expr()
        operands = [first]
        while self.at("keyword", "and"):
            self.advance()
            operands.append(self.not_expr())
        return first if len(operands) == 1 else self.make(BoolOp(first.position, "and", tuple(operands)))

    def not_expr(self) -> Node:
        if self.at("keyword", "not"):
            token = self.advance()
            self.enter(token.position)
            operand = self.not_expr()
            self.leave()
            return self.make(Unary(token.position, "not", operand))
        return self.comparison()

    def comparison(self) -> Node:
        first = self.sum()
        operands, ops = [first], []
        while True:
            token = self.current
            if token.kind == "op" and token.value in _COMPARISONS:
                self.advance()
                ops.append(str(token.value))
            elif token.kind == "keyword" and token.value == "in":
                self.advance()
                ops.append("in")
            elif token.kind == "keyword" and token.value == "not" and self._next_is_in():
                self.advance()
                self.advance()
                ops.append("not in")
            else:
                break
            operands.append(self.sum())
        if not ops:
            return first
        return self.make(Compare(first.position, tuple(operands), tuple(ops)))

    def _next_is_in(self) -> bool:
        following = self.tokens[self.index + 1]
        return following.kind == "keyword" and following.value == "in"

    def sum(self) -> Node:
        node = self.product()
        while self.current.kind == "op" and self.current.value in ("+", "-"):
            token = self.advance()
            node = self.make(Operation(token.position, str(token.value), node, self.product()))
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.current.kind == "op" and self.current.value in ("*", "/"):
            token = self.advance()
            node = self.make(Operation(token.position, str(token.value), node, self.unary()))
        return node

    def unary(self) -> Node:
        if self.current.kind == "op" and self.current.value in ("-", "+"):
            token = self.advance()
            self.enter(token.position)
            operand = self.unary()
            self.leave()
            return self.make(Unary(token.position, str(token.value), operand))
        return self.postfix()

    def postfix(self) -> Node:
        node = self.primary()
        while True:
            if self.at("op", "."):
                dot = self.advance()
                token = self.current
                if token.kind not in ("name", "keyword"):
                    raise self.error(f"expected a field name after '.', found {self.describe(token)}")
                self.advance()
                node = self.make(Field(dot.position, node, str(token.value)))
            elif self.at("op", "["):
                bracket = self.advance()
                self.enter(bracket.position)
                index = self.expression()
                self.leave()
                self.expect_op("]", "to close the index")
                node = self.make(Index(bracket.position, node, index))
            elif self.at("op", "("):
                raise self.error("only the built-in functions can be called")
            else:
                return node

    def primary(self) -> Node:
        token = self.current
        if token.kind == "number" or token.kind == "string":
            self.advance()
            return self.make(Literal(token.position, token.value))
        if token.kind == "keyword" and token.value in _CONSTANTS:
            self.advance()
            return self.make(Literal(token.position, _CONSTANTS[str(token.value)]))
        if token.kind == "name":
            self.advance()
            if self.at("op", "("):
                return self.call(token)
            return self.make(Name(token.position, str(token.value)))
        if self.at("op", "$"):
            self.advance()
            return self.make(Root(token.position))
        if self.at("op", "("):
            self.advance()
            self.enter(token.position)
            node = self.expression()
            self.leave()
            self.expect_op(")", "to close the parenthesis")
            return node
        if self.at("op", "["):
            self.advance()
            self.enter(token.position)
            items = self.arguments("]")
            self.leave()
            return self.make(ListExpr(token.position, tuple(items)))
        raise self.error(f"unexpected {self.describe(token)}")

    def call(self, name: Token) -> Node:
        function = str(name.value)
        if function not in FUNCTIONS:
            known = ", ".join(sorted(FUNCTIONS))
            raise self.error(f"unknown function {function!r} (available: {known})", name.position)
        self.advance()  # "("
        self.enter(name.position)
        args = self.arguments(")")
        self.leave()
        FUNCTIONS[function].check_arity(len(args), self.source, name.position)
        return self.make(Call(name.position, function, tuple(args)))

    def arguments(self, closing: str) -> list[Node]:
        items: list[Node] = []
        if self.at("op", closing):
            self.advance()
            return items
        while True:
            items.append(self.expression())
            if self.at("op", ","):
                self.advance()
                if self.at("op", closing):  # trailing comma
                    self.advance()
                    return items
                continue
            self.expect_op(closing, "or ','")
            return items
