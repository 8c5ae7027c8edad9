"""A query's text: its named parameters, and the check that it only reads.

Users write one syntax for every kind of source: `:name`. Which names are parameters is
the caller's to say (`parameters=`): a metric query has `:period_start` and
`:period_end` (METRIC_PARAMETERS), an experiment's statistics query `:start_date` and
`:end_date`. They are parameters only where they are code, not inside a string literal,
a quoted name or a comment, where the text must stay as written.

- DuckDB: its own tokenizer (`duckdb.tokenize`) tells code from literals; each parameter
  becomes a DuckDB named parameter (`$name`), and DuckDB's parser
  (`duckdb.extract_statements`) says whether the query is one SELECT.
- SQLAlchemy: `text()` binds `:name` itself but cannot tell literals from code, so every
  other `:name` that it would bind is escaped (`\\:name`, which it writes back as
  `:name`). The literals are found by a small lexer of standard SQL, PostgreSQL's dollar
  quotes, E'' strings and nested comments, and MySQL's backquoted names; the same lexer
  checks that the query is one statement starting with SELECT, WITH or VALUES (the
  read-only transaction is what stops a write hidden further in).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from pilothouse.metrics.sources.results import QueryError

METRIC_PARAMETERS = ("period_start", "period_end")
READING_KEYWORDS = frozenset({"SELECT", "WITH", "VALUES", "TABLE"})
ONLY_SELECT = "Only a SELECT query (or WITH ... SELECT) may run on a data source"
_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


@dataclass(frozen=True)
class PreparedQuery:
    sql: str  # the text to run, in the kind's own parameter syntax
    used: frozenset[str]  # which of `parameters` the query uses
    unknown: tuple[str, ...]  # other `:name`s in code: likely misspelt parameters
    parameters: tuple[str, ...]  # the names the query may use

    def hint(self) -> str:
        """A sentence to add to a failure's message when unknown names may be its cause."""
        if not self.unknown:
            return ""
        names = ", ".join(f":{name}" for name in dict.fromkeys(self.unknown))
        return f" (the query uses {names}; {described(self.parameters)})"


def described(parameters: tuple[str, ...]) -> str:
    """The clause of messages that lists them: "its parameters are :a and :b"."""
    if not parameters:
        return "it takes no parameters"
    names = [f":{name}" for name in parameters]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"its parameter{'s are' if len(names) > 1 else ' is'} {listed}"


def parameter_names(parameters: Iterable[str]) -> tuple[str, ...]:
    """The allowed names in order, each once; ValueError for one that cannot be written
    as `:name` (a mistake of the caller, not of the query)."""
    if isinstance(parameters, str):
        raise TypeError("Give the parameters' names as a collection, not one string")
    names = tuple(dict.fromkeys(parameters))
    for name in names:
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValueError(f"{name!r} cannot be a query parameter's name")
    return names


# --- DuckDB ----------------------------------------------------------------------------------


def for_duckdb(sql: str, *, parameters: Iterable[str]) -> PreparedQuery:
    """The query with DuckDB's `$name` for the given parameters; refuses anything but one
    SELECT."""
    allowed = parameter_names(parameters)
    try:
        tokens = duckdb.tokenize(sql)
    except duckdb.Error as exc:
        raise QueryError(f"The query is not valid SQL: {exc}") from exc
    kinds = duckdb.token_type
    ends = [pos for pos, _kind in tokens[1:]] + [len(sql)]
    pieces: list[str] = []
    used: set[str] = set()
    unknown: list[str] = []
    last = 0
    for index in range(len(tokens) - 1):
        pos, kind = tokens[index]
        after, after_kind = tokens[index + 1]
        # a one-character ':' operator right before a name, e.g. ":period_start"
        if kind != kinds.operator or sql[pos] != ":" or after != pos + 1:
            continue
        if after_kind not in (kinds.identifier, kinds.keyword):
            continue
        name = sql[after : ends[index + 1]].rstrip()
        if name in allowed:
            pieces += [sql[last:pos], "$"]
            last = pos + 1
            used.add(name)
        else:
            unknown.append(name)
    pieces.append(sql[last:])
    prepared = PreparedQuery(
        sql="".join(pieces), used=frozenset(used), unknown=tuple(unknown), parameters=allowed
    )
    _check_duckdb_statement(prepared)
    return prepared


def _check_duckdb_statement(prepared: PreparedQuery) -> None:
    try:
        statements = duckdb.extract_statements(prepared.sql)
    except duckdb.Error as exc:
        raise QueryError(f"The query is not valid SQL: {exc}{prepared.hint()}") from exc
    if not statements:
        raise QueryError("The query is empty.")
    if len(statements) > 1:
        raise QueryError(f"Write one statement; the query holds {len(statements)}.")
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise QueryError(f"{ONLY_SELECT}; this one is a {kind.name} statement.")


# --- SQLAlchemy ------------------------------------------------------------------------------

# What SQLAlchemy's text() takes for a bound parameter (sqlalchemy.sql.elements.TextClause).
_BIND = re.compile(r"(?<![:\w\\]):(\w+)(?![:\w])")
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$")
_FIRST_WORD = re.compile(r"[\s(]*([A-Za-z_]+)")


def _is_name_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _quoted_end(sql: str, start: int) -> int:
    """The end of the quoted text starting at `start` ('...', "...", `...`): a doubled
    quote stays inside; after E (PostgreSQL's E'...') a backslash escapes."""
    quote = sql[start]
    escapes = (
        quote == "'"
        and start > 0
        and sql[start - 1] in "eE"
        and (start < 2 or not _is_name_char(sql[start - 2]))
    )
    at = start + 1
    while at < len(sql):
        if escapes and sql[at] == "\\":
            at += 2
        elif sql[at] == quote:
            if sql[at + 1 : at + 2] == quote:
                at += 2
            else:
                return at + 1
        else:
            at += 1
    return len(sql)


def _comment_end(sql: str, start: int) -> int:
    """The end of the /* ... */ comment at `start`; comments nest (as in PostgreSQL)."""
    depth = 0
    at = start
    while at < len(sql):
        if sql.startswith("/*", at):
            depth += 1
            at += 2
        elif sql.startswith("*/", at):
            depth -= 1
            at += 2
            if depth == 0:
                return at
        else:
            at += 1
    return len(sql)


def literal_spans(sql: str) -> list[tuple[int, int]]:
    """(start, end) of each string literal, quoted name and comment, in order."""
    spans: list[tuple[int, int]] = []
    at = 0
    while at < len(sql):
        char = sql[at]
        if char in "'\"`":
            end = _quoted_end(sql, at)
        elif sql.startswith("--", at):
            newline = sql.find("\n", at)
            end = len(sql) if newline < 0 else newline
        elif sql.startswith("/*", at):
            end = _comment_end(sql, at)
        elif (
            char == "$"
            and (tag := _DOLLAR_TAG.match(sql, at))
            and not (at > 0 and _is_name_char(sql[at - 1]))
        ):
            close = sql.find(tag.group(), tag.end())
            end = len(sql) if close < 0 else close + len(tag.group())
        else:
            at += 1
            continue
        spans.append((at, end))
        at = end
    return spans


def code_only(sql: str, spans: list[tuple[int, int]]) -> str:
    """The query with its literals and comments blanked out (same length)."""
    chars = list(sql)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def for_sqlalchemy(sql: str, *, parameters: Iterable[str]) -> PreparedQuery:
    """The query for `sqlalchemy.text()`: the given parameters as they are, every other
    `:name` escaped; refuses anything but one statement that starts by reading."""
    allowed = parameter_names(parameters)
    spans = literal_spans(sql)
    code = code_only(sql, spans)
    if ";" in code:  # one statement (checked below), so a ';' ends it: leave it out
        sql = "".join(char for char, seen in zip(sql, code, strict=True) if seen != ";")
        spans = literal_spans(sql)
    starts = [start for start, _end in spans]

    def in_literal(pos: int) -> bool:
        index = bisect.bisect_right(starts, pos) - 1
        return index >= 0 and spans[index][0] <= pos < spans[index][1]

    pieces: list[str] = []
    used: set[str] = set()
    unknown: list[str] = []
    last = 0
    for match in _BIND.finditer(sql):
        name, is_code = match.group(1), not in_literal(match.start())
        if is_code and name in allowed:
            used.add(name)
            continue
        if is_code:
            unknown.append(name)
        pieces += [sql[last : match.start()], "\\"]
        last = match.start()
    pieces.append(sql[last:])
    prepared = PreparedQuery(
        sql="".join(pieces), used=frozenset(used), unknown=tuple(unknown), parameters=allowed
    )
    _check_sqlalchemy_statement(code, prepared)
    return prepared


def _check_sqlalchemy_statement(code: str, prepared: PreparedQuery) -> None:
    statements = [part for part in code.split(";") if part.strip()]
    if not statements:
        raise QueryError("The query is empty.")
    if len(statements) > 1:
        raise QueryError(f"Write one statement; the query holds {len(statements)}.")
    first = _FIRST_WORD.match(statements[0])
    word = first.group(1).upper() if first else statements[0].strip()[:20]
    if word not in READING_KEYWORDS:
        raise QueryError(f"{ONLY_SELECT}; this one starts with {word}.{prepared.hint()}")
