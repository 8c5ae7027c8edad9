"""Running an import: map a table's columns to fields, convert cells, apply rows in one go.

An import is a `RowHandler` (the fields it takes, the field that identifies a record,
and how one row is applied through the app's services) run over the rows of a
`core.tabular` table by `run_import`. Everything happens in one transaction: a dry
run, or a strict (all-or-nothing) run in which any row failed, is rolled back, change
log included, so bad input changes nothing; the report names every refused row by
its line, field and column.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pilothouse.core.errors import ConflictError
from pilothouse.core.tabular import Row, TableError, Value, located


class FieldKind(StrEnum):
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"
    CHOICE = "choice"
    LIST = "list"  # text items separated by , or ;


@dataclass(frozen=True)
class FieldSpec:
    """One field an import takes. `choices` are values or (value, label) pairs; a cell
    may give either, in any case. Numbers below zero are refused unless `negative`."""

    name: str
    kind: FieldKind | str = FieldKind.TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[Any, ...] = ()
    max_length: int | None = None
    help: str = ""
    negative: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", FieldKind(self.kind))
        if self.kind is FieldKind.CHOICE and not self.choices:
            raise ValueError(f"the choice field '{self.name}' needs choices")


class MappingError(ValidationError):
    """The columns cannot feed the fields; one message per problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(messages, code="mapping")
        self.problems = messages

    def __str__(self) -> str:
        return "; ".join(self.problems)


@dataclass(frozen=True)
class ColumnMapping:
    """Fields given their column by the user: (field, column) pairs, column None to leave a
    field out. Fields not named are matched to columns by name or alias."""

    items: tuple[tuple[str, str | None], ...] = ()

    @classmethod
    def parse(cls, pairs: Iterable[str]) -> ColumnMapping:
        """From `COLUMN=FIELD` pairs (the CLI's `--map`); the last `=` separates them."""
        items = []
        for pair in pairs:
            column, sign, name = pair.rpartition("=")
            if not sign or not column.strip() or not name.strip():
                raise MappingError([f"'{pair}' is not COLUMN=FIELD"])
            items.append((name.strip(), column.strip()))
        return cls(tuple(items))

    @classmethod
    def from_dict(cls, fields: Mapping[str, str | None]) -> ColumnMapping:
        """From {field: column} (the API and the mapping form)."""
        return cls(tuple((name, column or None) for name, column in fields.items()))


def _key(name: str) -> str:
    """Names compared for auto-mapping: case, spaces, dashes and underscores ignored."""
    return re.sub(r"[\s_\-]+", "", name).casefold()


def _listed(names: Iterable[str], limit: int = 30) -> str:
    names = list(names)
    shown = ", ".join(f"'{name}'" for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def resolve_mapping(
    *,
    columns: Sequence[str],
    fields: Sequence[FieldSpec],
    mapping: ColumnMapping | Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """{field: column} for every field that gets a column, or MappingError naming each
    unknown column or field, doubly mapped column, ambiguity and required field left out."""
    if mapping is not None and not isinstance(mapping, ColumnMapping):
        mapping = ColumnMapping.from_dict(mapping)
    specs = {spec.name: spec for spec in fields}
    problems: list[str] = []
    chosen: dict[str, str | None] = {}
    taken: dict[str, str] = {}  # column -> field
    by_key: dict[str, list[str]] = {}
    for column in columns:
        by_key.setdefault(_key(column), []).append(column)
    for name, column in mapping.items if mapping else ():
        if column is not None and column not in columns and len(by_key.get(_key(column), ())) == 1:
            column = by_key[_key(column)][0]  # 'customer id' for 'Customer ID'
        if name not in specs:
            problems.append(
                f"'{name}' is not a field of this import; the fields are {_listed(specs)}"
            )
        elif name in chosen:
            problems.append(f"the field '{name}' is given twice ('{chosen[name]}' and '{column}')")
        if column is not None and column not in columns:
            problems.append(f"there is no column '{column}'; the columns are {_listed(columns)}")
        elif column is not None and column in taken:
            problems.append(
                f"the column '{column}' is mapped twice ('{taken[column]}' and '{name}')"
            )
        chosen.setdefault(name, column)
        if column is not None:
            taken.setdefault(column, name)
    for by_alias in (False, True):  # a field's own name wins over another field's alias
        claims: dict[str, str] = {}
        for spec in fields:
            if spec.name in chosen:
                continue
            keys = {_key(alias) for alias in spec.aliases} if by_alias else {_key(spec.name)}
            found = [c for key in keys for c in by_key.get(key, ()) if c not in taken]
            if len(found) > 1:
                problems.append(
                    f"the field '{spec.name}' matches the columns {_listed(found)}; map one"
                )
            elif found and found[0] in claims:
                problems.append(
                    f"the column '{found[0]}' matches the fields '{claims[found[0]]}' and "
                    f"'{spec.name}'; map it"
                )
            elif found:
                claims[found[0]] = spec.name
        for column, name in claims.items():
            chosen[name] = column
            taken[column] = name
    for spec in fields:
        if spec.required and chosen.get(spec.name) is None:
            names = _listed([spec.name, *spec.aliases])
            problems.append(
                f"no column for the required field '{spec.name}' (looked for {names}); map one"
            )
    if problems:
        raise MappingError(problems)
    return {spec.name: chosen[spec.name] for spec in fields if chosen.get(spec.name)}


# --- converting cells ---------------------------------------------------------------------


class CellError(ValueError):
    """A cell that its field cannot take; the message says what to write instead."""


def _shown(value: Value) -> str:
    text = str(value)
    return f"'{text[:40]}...'" if len(text) > 40 else f"'{text}'"


def _text(value: Value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")
_GROUPED = re.compile(r"[+-]?[\d.,' ]*\d[\d.,' ]*")  # digits with separators: 1,5  1.234,5
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def _number(value: Value, spec: FieldSpec, whole: bool) -> int | Decimal:
    if isinstance(value, bool | dt.date):
        raise CellError(f"{_shown(value)} is not a number")
    if isinstance(value, int | float):
        number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    else:
        text = str(value).strip().replace("\u2212", "-")
        if not _DECIMAL.fullmatch(text):
            if _GROUPED.fullmatch(text):
                raise CellError(
                    f"{_shown(text)} is ambiguous: write numbers without thousands separators "
                    "and with a dot for decimals (1234.5)"
                )
            raise CellError(f"{_shown(text)} is not a number")
        number = Decimal(text)
    if number < 0 and not spec.negative:
        raise CellError(f"{_shown(value)} is negative; this field takes zero or more")
    if whole:
        if number != number.to_integral_value():
            raise CellError(f"{_shown(value)} is not a whole number")
        return int(number)
    return number


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date(value: Value) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0) or value.tzinfo is not None:
            raise CellError(f"{_shown(value)} has a time of day; this field takes a date")
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CellError(f"{_shown(text)} is not a date; use YYYY-MM-DD") from None


def _datetime(value: Value, zone: dt.tzinfo | None) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(0))
    else:
        text = str(value).strip()
        try:
            if not _ISO_DATE.match(text):
                raise ValueError(text)
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise CellError(
                f"{_shown(text)} is not a date and time; use YYYY-MM-DD HH:MM, optionally "
                "with a time zone (+02:00 or Z)"
            ) from None
    if zone is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)  # as timezone.make_aware does, without a lookup
    return moment


def _bool(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).casefold()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise CellError(f"{_shown(value)} is not yes or no; use true/false, yes/no or 1/0")


def _converter(spec: FieldSpec) -> Callable[[Value], Any]:
    """The function that turns one non-empty cell into the field's value."""
    choices: dict[str, Any] = {}
    for choice in spec.choices:
        value, label = choice if isinstance(choice, tuple | list) else (choice, choice)
        choices.setdefault(_text(label).casefold(), value)
        choices[_text(value).casefold()] = value
    zone = timezone.get_current_timezone() if settings.USE_TZ else None
    allowed = _listed([_text(c[0] if isinstance(c, tuple | list) else c) for c in spec.choices])

    def text(value: Value) -> str:
        result = value.strip() if type(value) is str else _text(value)
        if "\x00" in result:
            raise CellError("the cell contains a NUL character, which cannot be stored")
        if spec.max_length is not None and len(result) > spec.max_length:
            raise CellError(
                f"{_shown(result)} is {len(result):,} characters long; "
                f"the limit is {spec.max_length:,}"
            )
        return result

    def choice(value: Value) -> Any:
        key = _text(value).casefold()
        if key not in choices:
            raise CellError(f"{_shown(value)} is not one of {allowed}")
        return choices[key]

    def items(value: Value) -> list[Any]:
        parts = [text(part) for part in re.split(r"[,;]", _text(value))]
        found = [choice(part) if choices else part for part in parts if part]
        return list(dict.fromkeys(found))

    return {
        FieldKind.TEXT: text,
        FieldKind.INT: lambda value: _number(value, spec, whole=True),
        FieldKind.DECIMAL: lambda value: _number(value, spec, whole=False),
        FieldKind.DATE: _date,
        FieldKind.DATETIME: lambda value: _datetime(value, zone),
        FieldKind.BOOL: _bool,
        FieldKind.CHOICE: choice,
        FieldKind.LIST: items,
    }[FieldKind(spec.kind)]


@dataclass(frozen=True)
class RowError:
    line: int | None
    message: str
    field: str | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.column is None and self.field is not None:
            return located(f"field '{self.field}': {self.message}", self.line)
        return located(self.message, self.line, self.column)

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "column": self.column, "message": str(self)}


class RowConverter:
    """Converts rows for one mapping ({field: column}), the plan built once."""

    def __init__(self, mapping: Mapping[str, str], fields: Sequence[FieldSpec]) -> None:
        specs = {spec.name: spec for spec in fields}
        unknown = [name for name in mapping if name not in specs]
        if unknown:
            raise MappingError([f"'{name}' is not a field of this import" for name in unknown])
        self._plan = [
            (name, column, _converter(specs[name]), specs[name].required)
            for name, column in mapping.items()
        ]
        self._unmapped = [
            spec.name for spec in fields if spec.required and spec.name not in mapping
        ]

    def __call__(self, row: Row) -> tuple[dict[str, Any], list[RowError]]:
        """(values, errors): a value for each mapped field (None for an empty cell) and an
        error for each cell it refuses; fields without a column are absent from values,
        so that an update leaves them as they are."""
        line = row.line
        get = row.values.get
        values: dict[str, Any] = {}
        errors = [RowError(line, "a value is required", name) for name in self._unmapped]
        for name, column, convert, required in self._plan:
            raw = get(column)
            if raw is None or raw == "" or (type(raw) is str and raw.isspace()):
                values[name] = None
                if required:
                    errors.append(RowError(line, "a value is required", name, column))
                continue
            try:
                values[name] = convert(raw)
            except CellError as exc:
                errors.append(RowError(line, str(exc), name, column))
        return values, errors


def convert_row(
    row: Row, mapping: Mapping[str, str], fields: Sequence[FieldSpec]
) -> tuple[dict[str, Any], list[RowError]]:
    return RowConverter(mapping, fields)(row)


# --- running --------------------------------------------------------------------------------


class RowOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"


class RowHandler:
    """What one kind of import does with a row; subclass it.

    `fields` are the fields the import takes; `identity`, if set, names the field that
    identifies a record (an external id): the same value twice in one file is refused.
    `prepare(batch)` gets the converted values of up to `batch_size` rows before they
    are applied, to look up what they refer to in a few queries; `apply(row, values)`
    writes one row through the app's services and says what it did, or raises
    ValidationError (naming fields), PermissionDenied or ConflictError.

    A handler that writes in bulk answers None from `apply` for a row it keeps for
    later (and may still answer an outcome, e.g. UNCHANGED, or raise); `flush()`, called
    after each batch that kept rows, writes them and answers (row, outcome or
    exception) for each. Its `apply` writes nothing, so it sets `row_savepoints = False`
    and the rows are not wrapped in savepoints (`flush` runs in one). `finish()` is called
    once after the last batch, in the import's transaction, for work on the whole
    import (e.g. recomputing figures derived from what it wrote).
    """

    fields: Sequence[FieldSpec] = ()
    identity: str | None = None
    row_savepoints: bool = True

    def prepare(self, batch: Sequence[Mapping[str, Any]]) -> None:
        """Look up, for a batch of rows, what applying them will need (optional)."""

    def apply(self, row: Row, values: dict[str, Any]) -> RowOutcome | None:
        raise NotImplementedError

    def flush(self) -> Sequence[tuple[Row, RowOutcome | Exception]]:
        """Write the rows `apply` kept; (row, what happened) for each of them."""
        return ()

    def finish(self) -> None:
        """Work on the whole import, after its last batch (optional)."""


@dataclass
class ImportReport:
    dry_run: bool
    all_or_nothing: bool
    committed: bool = False
    rows: int = 0  # data rows read
    counts: dict[RowOutcome, int] = field(default_factory=lambda: dict.fromkeys(RowOutcome, 0))
    failed: int = 0  # rows refused
    errors: list[RowError] = field(default_factory=list)  # the first `max_errors`
    error_count: int = 0
    fatal: str | None = None  # a problem of the whole file that stopped the import
    duration: float = 0.0  # seconds
    max_errors: int = 1000

    def refuse(self, errors: list[RowError]) -> None:
        self.failed += 1
        self.error_count += len(errors)
        self.errors.extend(errors[: max(self.max_errors - len(self.errors), 0)])

    def summary(self) -> str:
        done = ", ".join(f"{count} {outcome}" for outcome, count in self.counts.items())
        parts = [f"{self.rows} rows: {done}, {self.failed} refused"]
        if self.fatal:
            parts.append(f"stopped: {self.fatal}")
        if self.committed:
            parts.append("saved")
        elif self.dry_run:
            parts.append("dry run: nothing was saved")
        else:
            parts.append("nothing was saved")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly form, for `--json` and the API."""
        return {**asdict(self), "errors": [error.as_dict() for error in self.errors]}


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _errors_of(exc: Exception, line: int, columns: Mapping[str, str]) -> list[RowError]:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [
            RowError(line, message, None if name == "__all__" else name, columns.get(name))
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    if isinstance(exc, ValidationError):
        return [RowError(line, message) for message in exc.messages]
    return [RowError(line, str(exc) or "you may not make this change")]


REFUSALS = (ValidationError, PermissionDenied, ConflictError)


def _flush(
    handler: RowHandler, kept: list[Row], report: ImportReport, columns: Mapping[str, str]
) -> None:
    """Have the handler write the rows it kept and count what happened to each; a
    refusal of the whole flush refuses each of its rows (and writes none of them)."""
    try:
        with transaction.atomic():
            results = list(handler.flush())
    except REFUSALS as exc:
        results = [(row, exc) for row in kept]
    if len(results) != len(kept):
        raise RuntimeError(f"flush() answered for {len(results)} of {len(kept)} kept rows")
    done: Counter[Any] = Counter()
    for row, outcome in results:
        if isinstance(outcome, Exception):
            report.refuse(_errors_of(outcome, row.line, columns))
        else:
            done[outcome] += 1
    for outcome, count in done.items():
        report.counts[RowOutcome(outcome)] += count


def _in_savepoints(apply: Callable[[Row, dict[str, Any]], Any]) -> Callable[..., Any]:
    """`apply`, each row in a savepoint of its own (a refused row leaves nothing behind)."""

    def in_savepoint(row: Row, values: dict[str, Any]) -> Any:
        with transaction.atomic():
            return apply(row, values)

    return in_savepoint


def import_upload(importer: Callable[..., Any], *, form: Any, actor: Any) -> tuple[Any, str | None]:
    """Run `importer` (e.g. people.imports.import_people) on a valid upload form's file,
    column mapping, dry run and partial choices: (its result, None), or (None, what the
    page says) when the file cannot be read or its columns do not fit the fields."""
    upload = form.cleaned_data["file"]
    try:
        result = importer(
            source=upload.file,
            filename=upload.name,
            actor=actor,
            mapping=form.mapping(),
            dry_run=form.cleaned_data["dry_run"],
            partial=form.cleaned_data["partial"],
        )
    except TableError as exc:
        return None, f"The file cannot be read: {exc}"
    except MappingError as exc:
        return None, "The columns do not fit: " + "; ".join(exc.problems)
    return result, None


def run_import(
    *,
    rows: Iterable[Row],
    handler: RowHandler,
    dry_run: bool,
    all_or_nothing: bool = True,
    progress: Callable[[int, int | None], None] | None = None,
    batch_size: int = 1000,
    mapping: Mapping[str, str] | None = None,
    total: int | None = None,
    max_errors: int = 1000,
) -> ImportReport:
    """Apply every row through `handler` in one transaction and report what happened.

    `mapping` ({field: column}, from `resolve_mapping`) says where each field's cell is;
    without it the rows are keyed by field name. Each row runs in its own savepoint, so
    a refused row leaves nothing behind (a handler writing in bulk refuses rows before
    its bulk writes, see RowHandler); the whole transaction is rolled back on a dry
    run, when the file itself is unreadable (a TableError met while reading), or, if
    `all_or_nothing`, when any row was refused. `progress(done, total)` is called after
    each batch; `total` is an estimate (e.g. `table.row_estimate`) or None.
    """
    started = time.perf_counter()
    report = ImportReport(dry_run=dry_run, all_or_nothing=all_or_nothing, max_errors=max_errors)
    fields = list(handler.fields)
    columns = dict(mapping) if mapping is not None else {spec.name: spec.name for spec in fields}
    convert = RowConverter(columns, fields)
    identity = handler.identity
    apply = _in_savepoints(handler.apply) if handler.row_savepoints else handler.apply
    first_line: dict[Any, int] = {}
    if progress:
        progress(0, total)
    with transaction.atomic():
        try:
            for batch in _batches(rows, batch_size):
                ready = []
                for row in batch:
                    values, errors = convert(row)
                    key = values.get(identity) if identity else None
                    if key is not None:
                        key = tuple(key) if isinstance(key, list) else key
                        first = first_line.setdefault(key, row.line)
                        if first != row.line:
                            message = (
                                f"{_shown(values[identity])} appears twice in the file, on "
                                f"line {first} and on line {row.line}; keep one"
                            )
                            errors.append(RowError(row.line, message, identity, columns[identity]))
                    if errors:
                        report.refuse(errors)
                    else:
                        ready.append((row, values))
                if ready:
                    handler.prepare([values for _row, values in ready])
                kept = []
                for row, values in ready:
                    try:
                        outcome = apply(row, values)
                    except REFUSALS as exc:
                        report.refuse(_errors_of(exc, row.line, columns))
                    else:
                        if outcome is None:
                            kept.append(row)
                        else:
                            report.counts[RowOutcome(outcome)] += 1
                if kept:
                    _flush(handler, kept, report, columns)
                report.rows += len(batch)
                if progress:
                    progress(report.rows, total)
            handler.finish()
        except TableError as exc:
            report.fatal = str(exc)
        failed = report.fatal is not None or (all_or_nothing and report.failed > 0)
        report.committed = not dry_run and not failed
        if not report.committed:
            transaction.set_rollback(True)
    report.duration = time.perf_counter() - started
    return report
