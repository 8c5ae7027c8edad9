"""The one error of the formula language, with the place in the formula it is about."""

from __future__ import annotations

# How much of a long formula to show on each side of the caret.
CARET_CONTEXT = 36


class FormulaError(ValueError):
    """A formula that cannot be parsed, resolved or evaluated.

    `message` says what is wrong in words a product manager reads; `position` is the
    0-based character index in the formula it is about (the offending token, the
    operator that divided by zero, the function whose argument was out of range).
    `str()` gives both: "division by zero (position 12)".
    """

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, position)
        self.message = message
        self.position = max(0, position)

    def __str__(self) -> str:
        return f"{self.message} (position {self.position})"

    def caret(self, formula: str) -> tuple[str, str]:
        """The line of `formula` with the error, and a caret line pointing at it."""
        return caret_lines(formula, self.position)


def caret_lines(formula: str, position: int, *, context: int = CARET_CONTEXT) -> tuple[str, str]:
    """(excerpt, caret): the line of `formula` holding `position`, cut to about
    `context` characters on each side (marked with "…"), and a line of spaces with a
    "^" under the character at `position` (one past the end for "unexpected end").

    Tabs are shown as spaces so the caret lines up in a monospace font.
    """
    position = min(max(0, position), len(formula))
    line_start = formula.rfind("\n", 0, position) + 1
    line_end = formula.find("\n", position)
    line = formula[line_start : line_end if line_end != -1 else len(formula)]
    column = position - line_start
    start = max(0, column - context)
    end = min(len(line), column + context)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(line) else ""
    excerpt = prefix + line[start:end].replace("\t", " ") + suffix
    return excerpt.rstrip("\r"), " " * (len(prefix) + column - start) + "^"
