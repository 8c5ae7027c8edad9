"""The recursive-descent parser of the formula language: tokens -> syntax tree.

The grammar, loosest binding first (as in mathematics and in Python):

    sum      := product (("+" | "-") product)*
    product  := unary (("*" | "/") unary)*
    unary    := ("-" | "+") unary | power
    power    := primary ("^" unary)?          right-associative: 2^3^2 = 2^9
    primary  := number | name | name "(" sum ("," sum)* ")" | "(" sum ")"

So "^" binds tighter than a unary minus on its left (-2^2 = -4) and takes one on its
right (2^-1 = 0.5), exactly like Python's "**". Nesting (parentheses, calls, signs,
exponents) is limited to MAX_NESTING levels, so a hostile formula cannot exhaust the
stack; a flat sum or product of any length is one node.
"""

from __future__ import annotations

from pilothouse.engines.scoring.formula.errors import FormulaError
from pilothouse.engines.scoring.formula.nodes import (
    Call,
    Chain,
    Link,
    Name,
    Negate,
    Node,
    Number,
    Power,
)
from pilothouse.engines.scoring.formula.tokens import Kind, Token, tokenize

MAX_NESTING = 40


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not Kind.END:
            self.index += 1
        return token

    def at_operator(self, *operators: str) -> bool:
        token = self.current
        return token.kind is Kind.OPERATOR and token.text in operators

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise FormulaError(
                f"the formula nests deeper than {MAX_NESTING} levels; simplify it",
                token.position,
            )

    def leave(self) -> None:
        self.depth -= 1

    # --- the grammar -------------------------------------------------------------------

    def parse(self) -> Node:
        if self.current.kind is Kind.END:
            raise FormulaError("the formula is empty", 0)
        tree = self.sum()
        token = self.current
        if token.kind is not Kind.END:
            if token.kind is Kind.CLOSE:
                raise FormulaError("')' without a matching '('", token.position)
            raise FormulaError(
                f"expected an operator (+ - * / ^) before {token.describe()}", token.position
            )
        return tree

    def chain(self, operators: tuple[str, ...], operand) -> Node:
        first = operand()
        links = []
        while self.at_operator(*operators):
            token = self.advance()
            links.append(Link(token.text, token.position, operand()))
        return Chain(first, tuple(links)) if links else first

    def sum(self) -> Node:
        return self.chain(("+", "-"), self.product)

    def product(self) -> Node:
        return self.chain(("*", "/"), self.unary)

    def unary(self) -> Node:
        if self.at_operator("-", "+"):
            token = self.advance()
            self.enter(token)
            operand = self.unary()
            self.leave()
            return Negate(operand, token.position) if token.text == "-" else operand
        return self.power()

    def power(self) -> Node:
        base = self.primary()
        if not self.at_operator("^"):
            return base
        token = self.advance()
        self.enter(token)
        exponent = self.unary()
        self.leave()
        return Power(base, exponent, token.position)

    def primary(self) -> Node:
        token = self.advance()
        if token.kind is Kind.NUMBER:
            return Number(token.value, token.position)
        if token.kind is Kind.NAME:
            if self.current.kind is Kind.OPEN:
                return self.call(token)
            return Name(token.text, token.position)
        if token.kind is Kind.OPEN:
            self.enter(token)
            inner = self.sum()
            self.leave()
            self.expect_close(token)
            return inner
        if token.kind is Kind.END:
            raise FormulaError("the formula ends where a value was expected", token.position)
        raise FormulaError(f"expected a value before {token.describe()}", token.position)

    def call(self, name: Token) -> Node:
        opening = self.advance()
        self.enter(opening)
        arguments = []
        if self.current.kind is Kind.CLOSE:
            raise FormulaError(f"{name.text}() needs at least one argument", name.position)
        arguments.append(self.sum())
        while self.current.kind is Kind.COMMA:
            self.advance()
            arguments.append(self.sum())
        self.leave()
        self.expect_close(opening, expected="',', ')' or an operator")
        return Call(name.text, tuple(arguments), name.position)

    def expect_close(self, opening: Token, *, expected: str = "')' or an operator") -> None:
        token = self.current
        if token.kind is Kind.CLOSE:
            self.advance()
            return
        if token.kind is Kind.END:
            raise FormulaError("the '(' here is never closed", opening.position)
        raise FormulaError(f"expected {expected} before {token.describe()}", token.position)


def parse(text: str) -> Node:
    """The syntax tree of `text`; FormulaError (with the position) if it is not a formula."""
    return _Parser(tokenize(text)).parse()
