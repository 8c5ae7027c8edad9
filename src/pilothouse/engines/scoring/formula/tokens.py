"""The tokenizer of the formula language: text -> numbers, names, operators, brackets.

Written by hand (no regular expression engine on user text beyond single characters,
no `eval`): each token keeps the position where it starts, so every later error can
point at it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from pilothouse.engines.scoring.formula.errors import FormulaError

MAX_FORMULA_LENGTH = 2000
OPERATORS = frozenset("+-*/^")
WHITESPACE = frozenset(" \t\r\n")


class Kind(Enum):
    NUMBER = "number"
    NAME = "name"
    OPERATOR = "operator"
    OPEN = "("
    CLOSE = ")"
    COMMA = ","
    END = "end of the formula"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str
    position: int
    value: float = 0.0  # numbers only

    def describe(self) -> str:
        """How an error message names this token."""
        if self.kind is Kind.END:
            return "the end of the formula"
        if self.kind is Kind.NUMBER:
            return f"the number {self.text}"
        if self.kind is Kind.NAME:
            return f"the name '{self.text}'"
        return f"'{self.text}'"


def _is_name_start(char: str) -> bool:
    return char == "_" or ("a" <= char <= "z") or ("A" <= char <= "Z")


def _is_name_char(char: str) -> bool:
    return _is_name_start(char) or ("0" <= char <= "9")


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9"


def _digits(text: str, start: int) -> int:
    end = start
    while end < len(text) and _is_digit(text[end]):
        end += 1
    return end


def _number(text: str, start: int) -> Token:
    """A number: 12, 0.8, .5, 3., 2e3, 1.5E-2."""
    end = _digits(text, start)
    if end < len(text) and text[end] == ".":
        end = _digits(text, end + 1)
    if end == start + 1 and text[start] == ".":
        raise FormulaError("a lone '.' is not a number", start)
    if end < len(text) and text[end] in "eE":
        exponent = end + 1
        if exponent < len(text) and text[exponent] in "+-":
            exponent += 1
        digits_end = _digits(text, exponent)
        if digits_end == exponent:
            raise FormulaError("an exponent needs digits, e.g. 2e3", end)
        end = digits_end
    literal = text[start:end]
    value = float(literal)
    if not math.isfinite(value):
        raise FormulaError(f"the number {literal} is too large", start)
    return Token(Kind.NUMBER, literal, start, value)


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`, ending with an END token; FormulaError on a character
    that belongs to no token or a formula over MAX_FORMULA_LENGTH characters."""
    if len(text) > MAX_FORMULA_LENGTH:
        raise FormulaError(
            f"the formula is {len(text):,} characters long; at most "
            f"{MAX_FORMULA_LENGTH:,} are allowed",
            MAX_FORMULA_LENGTH,
        )
    tokens: list[Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in WHITESPACE:
            index += 1
        elif _is_digit(char) or (
            char == "." and index + 1 < len(text) and _is_digit(text[index + 1])
        ):
            token = _number(text, index)
            tokens.append(token)
            index += len(token.text)
        elif _is_name_start(char):
            end = index + 1
            while end < len(text) and _is_name_char(text[end]):
                end += 1
            tokens.append(Token(Kind.NAME, text[index:end], index))
            index = end
        elif char == "*" and text.startswith("**", index):
            raise FormulaError("use ^ for powers, not **", index)
        elif char in OPERATORS:
            tokens.append(Token(Kind.OPERATOR, char, index))
            index += 1
        elif char == "(":
            tokens.append(Token(Kind.OPEN, char, index))
            index += 1
        elif char == ")":
            tokens.append(Token(Kind.CLOSE, char, index))
            index += 1
        elif char == ",":
            tokens.append(Token(Kind.COMMA, char, index))
            index += 1
        elif char == ".":
            raise FormulaError("a lone '.' is not a number", index)
        else:
            shown = char if char.isprintable() else repr(char)
            raise FormulaError(
                f"'{shown}' is not part of the formula language (numbers, field names, "
                "+ - * / ^, parentheses and functions)",
                index,
            )
    tokens.append(Token(Kind.END, "", len(text)))
    return tokens
