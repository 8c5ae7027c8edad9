"""Reading tables for imports: CSV and XLSX files with one header row, rows streamed lazily.

`read_table(source=...)` reads the header (and, for CSV, checks the encoding of the
whole file) at once, so a file that cannot be read is refused before anything is
written; `table.rows()` then yields `Row(line, values)` one at a time, `line` being
the physical line where a CSV record starts or the sheet row number in XLSX.

Every refusal is a `TableError` (a Django `ValidationError`, so the API answers 422)
whose message names the line and column, or the limit, and says what to do.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from django.core.exceptions import ValidationError

Value = str | int | float | dt.date | dt.datetime | None

_CHUNK = 64 * 1024  # longer CSV lines are read in pieces and watched for an overlong cell
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other old Office files)
DELIMITERS = (",", ";", "\t", "|")
_CSV_ERRORS = {  # what the csv module says -> what to tell the user
    "unexpected end of data": 'a quoted cell starting here is never closed (no closing ")',
    "expected after": 'a quoted cell is followed by more text; write "" for a quote inside a cell',
    "new-line character": "a line break (CR) inside an unquoted cell; save the file with "
    "Windows or Unix line ends",
}


@dataclass(frozen=True)
class TableLimits:
    max_file_bytes: int = 100 * 1024 * 1024
    max_rows: int = 1_000_000
    max_cell_chars: int = 100_000
    max_columns: int = 500
    max_unpacked_bytes: int = 1024 * 1024 * 1024  # XLSX: all parts of the archive, unzipped


DEFAULT_LIMITS = TableLimits()


def located(message: str, line: int | None, column: str | None = None) -> str:
    """`line 7, column 'Submitted': message`, with whichever of the two is known."""
    where = ([f"line {line}"] if line is not None else []) + (
        [f"column '{column}'"] if column is not None else []
    )
    return f"{', '.join(where)}: {message}" if where else message


class TableError(ValidationError):
    """The file cannot be read as a table; the message says where and what to do."""

    def __init__(self, message: str, *, line: int | None = None, column: str | None = None):
        super().__init__(located(message, line, column), code="table")
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return str(self.message)


class Row(NamedTuple):
    line: int
    values: dict[str, Value]


def column_letter(index: int) -> str:
    """The spreadsheet name of the 1-based column `index` (1 -> A, 27 -> AA)."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _size(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB" if size >= 1_000_000 else f"{size:,} bytes"


class Table:
    """A header and its rows. Close it (or use `with`) when the source was a path."""

    format: str = ""
    columns: list[str]
    header_line: int
    row_estimate: int | None = None  # for progress: at least the number of rows, when known

    def __init__(self, stream: BinaryIO, *, limits: TableLimits, owned: bool) -> None:
        self._stream = stream
        self._limits = limits
        self._owned = owned

    def rows(self) -> Iterator[Row]:
        """The data rows, read lazily from the start of the table at each call (one pass
        at a time: the passes share the file)."""
        columns = self.columns
        width = len(columns)
        max_rows = self._limits.max_rows
        records = self._records()
        next(records)  # the header
        for count, (line, cells) in enumerate(records, start=1):
            if count > max_rows:
                raise TableError(f"the file has more than {max_rows:,} rows; split it", line=line)
            if len(cells) < width:
                cells += [None] * (width - len(cells))
            elif len(cells) > width:
                used = [i for i, cell in enumerate(cells) if cell is not None]
                if used[-1] >= width:
                    raise TableError(
                        f"the row has {used[-1] + 1} cells but the header names {width} "
                        "columns; remove the extra cells or name their column",
                        line=line,
                    )
                del cells[width:]
            yield Row(line, dict(zip(columns, cells, strict=True)))

    def _records(self) -> Iterator[tuple[int, list[Value]]]:
        """(line, cells) of each row that is not blank, the header first; None for empty."""
        raise NotImplementedError

    def close(self) -> None:
        if self._owned:
            self._stream.close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _check_header(self, cells: list[Value], line: int) -> list[str]:
        names = [_header_text(cell).strip() for cell in cells]
        while names and not names[-1]:
            names.pop()
        if len(names) > self._limits.max_columns:
            raise TableError(
                f"the header names {len(names):,} columns; the limit is "
                f"{self._limits.max_columns:,}",
                line=line,
            )
        blank = [column_letter(i) for i, name in enumerate(names, start=1) if not name]
        if blank:
            raise TableError(
                f"the header row gives no name to column {', '.join(blank)}; "
                "every column needs a name",
                line=line,
            )
        first: dict[str, int] = {}
        for index, name in enumerate(names, start=1):
            if name in first:
                raise TableError(
                    f"the header names '{name}' twice (columns {column_letter(first[name])} "
                    f"and {column_letter(index)}); rename or remove one",
                    line=line,
                )
            first[name] = index
        return names

    def _too_long(
        self, line: int, column: str, length: int | None = None, limit: int | None = None
    ) -> TableError:
        limit = f"{limit or self._limits.max_cell_chars:,} characters"
        return TableError(
            f"the cell is {length:,} characters long; the limit is {limit}"
            if length
            else f"the cell is longer than the limit of {limit}",
            line=line,
            column=column,
        )

    def _column_name(self, index: int) -> str:
        columns = getattr(self, "columns", [])
        return columns[index] if index < len(columns) else column_letter(index + 1)


def read_table(
    *,
    source: bytes | BinaryIO | os.PathLike,
    filename: str | None = None,
    sheet: str | None = None,
    limits: TableLimits = DEFAULT_LIMITS,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Table:
    """Open a CSV or XLSX table (told apart by content, then by the file name's extension).

    CSV files must be UTF-8 (a BOM is fine) unless `encoding` declares another
    ASCII-compatible encoding; the delimiter is sniffed among , ; tab and | unless given.
    XLSX files are read from the first sheet, or from `sheet`.
    """
    if isinstance(source, os.PathLike) and filename is None:
        filename = Path(source).name
    stream, owned = _open(source, limits)
    try:
        start = stream.tell()
        head = stream.read(8)
        stream.seek(start)
        extension = Path(filename).suffix.lower() if filename else ""
        if head.startswith(_OLE):
            raise TableError("this is an old Excel file (.xls); save it as .xlsx or as CSV (UTF-8)")
        if head.startswith(_ZIP):
            if extension == ".ods":
                raise TableError("OpenDocument spreadsheets are not read; save as .xlsx or CSV")
            return XlsxTable(stream, start=start, sheet=sheet, limits=limits, owned=owned)
        if extension in {".xlsx", ".xlsm"}:
            raise TableError(f"'{filename}' is not an XLSX file (it is not a zip archive)")
        if sheet is not None:
            raise TableError(f"a CSV file has no sheets (asked for sheet '{sheet}')")
        return CsvTable(stream, limits=limits, owned=owned, encoding=encoding, delimiter=delimiter)
    except BaseException:
        if owned:
            stream.close()
        raise


def _open(source: Any, limits: TableLimits) -> tuple[BinaryIO, bool]:
    """A seekable binary stream over the source, after checking its size."""
    if isinstance(source, bytes | bytearray | memoryview):
        _check_size(len(source), limits)
        return io.BytesIO(bytes(source)), True
    if isinstance(source, os.PathLike):
        path = Path(source)
        try:
            _check_size(path.stat().st_size, limits)
            return path.open("rb"), True
        except OSError as exc:
            raise TableError(f"cannot open '{path.name}': {exc.strerror or exc}") from None
    if isinstance(source, str):
        raise TypeError("source must be bytes, a binary stream or a Path, not a str")
    if source.seekable():
        here = source.tell()
        end = source.seek(0, io.SEEK_END)
        source.seek(here)
        _check_size(end - here, limits)
        return source, False
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    total = 0
    while chunk := source.read(1024 * 1024):
        total += len(chunk)
        if total > limits.max_file_bytes:
            spool.close()
            raise TableError(f"the file is over the limit of {_size(limits.max_file_bytes)}")
        spool.write(chunk)
    spool.seek(0)
    return spool, True  # type: ignore[return-value]


def _check_size(size: int, limits: TableLimits) -> None:
    if size > limits.max_file_bytes:
        raise TableError(f"the file is {_size(size)}; the limit is {_size(limits.max_file_bytes)}")


# --- CSV ------------------------------------------------------------------------------


@dataclass
class _Progress:
    """Shared between the line reader and the record loop of one pass over a CSV file."""

    record_end: int = 0  # the last physical line of the last record read
    open_lines: list[str] = field(default_factory=list)  # lines of the record being read


class _CellScan:
    """Spots an overlong cell in the raw text of a record before the record is complete.

    Counts the characters of the current cell outside the quote characters, and
    which cell of the record it is, by following quotes and delimiters.
    """

    def __init__(self, delimiter: str, limit: int) -> None:
        self._pattern = re.compile(f'[{re.escape(delimiter)}"]')
        self._limit = limit + 2  # room for the record's own line end
        self.in_quotes = False
        self.cell = 0
        self.run = 0

    def feed(self, text: str) -> bool:
        """Add text; True once the current cell is certainly longer than the limit."""
        pos = 0
        for match in self._pattern.finditer(text):
            if match.group() == '"':
                self.run += match.start() - pos
                pos = match.end()
                self.in_quotes = not self.in_quotes
            elif not self.in_quotes:
                self.run += match.start() - pos
                if self.run > self._limit:
                    return True
                self.run = 0
                self.cell += 1
                pos = match.end()
        self.run += len(text) - pos
        return self.run > self._limit


class CsvTable(Table):
    format = "csv"

    def __init__(
        self,
        stream: BinaryIO,
        *,
        limits: TableLimits,
        owned: bool,
        encoding: str | None,
        delimiter: str | None,
    ) -> None:
        super().__init__(stream, limits=limits, owned=owned)
        self._start = stream.tell()
        head = stream.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise TableError("the file is UTF-16; save it as UTF-8 (in Excel: 'CSV UTF-8')")
        if head.startswith(codecs.BOM_UTF8):
            self._start += len(codecs.BOM_UTF8)
            encoding = "utf-8"
        self.encoding = self._codec(encoding or "utf-8")
        lines = self._check_encoding()
        self.delimiter = delimiter or self._sniff()
        if self.delimiter not in DELIMITERS:
            raise TableError(f"unsupported delimiter {self.delimiter!r}; use one of , ; tab |")
        records = self._records()
        try:
            self.header_line, names = next(records)
        except StopIteration:
            raise TableError("the file is empty; the first row must name the columns") from None
        finally:
            records.close()
        self.columns = self._check_header(names, self.header_line)
        self.row_estimate = max(lines - self.header_line, 0)

    @staticmethod
    def _codec(name: str) -> str:
        try:
            codec = codecs.lookup(name)
        except LookupError:
            raise TableError(f"unknown encoding '{name}'") from None
        if '\n,;\t|"'.encode(codec.name, errors="replace") != b'\n,;\t|"':
            raise TableError(f"the encoding '{name}' is not supported; save the file as UTF-8")
        return codec.name

    def _check_encoding(self) -> int:
        """Decode the whole file once, in chunks, refusing it at the first byte that is not
        in its encoding; return its number of lines."""
        self._stream.seek(self._start)
        decoder = codecs.getincrementaldecoder(self.encoding)()
        lines = position = line_start = 0  # line_start: where the current line begins
        chunk = b""
        while True:
            previous, chunk = chunk, self._stream.read(1024 * 1024)
            pending = decoder.getstate()[0]  # the start of a character cut by the last chunk
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                base, before = position - len(pending), exc.object[: exc.start]
                if b"\n" in before:
                    lines += before.count(b"\n")
                    line_start = base + before.rfind(b"\n") + 1
                name = "UTF-8" if self.encoding == "utf-8" else self.encoding
                raise TableError(
                    f"not {name} (byte 0x{exc.object[exc.start]:02X} at offset "
                    f"{base + exc.start - line_start}); save the file as UTF-8",
                    line=lines + 1,
                ) from None
            if not chunk:
                return lines + (previous[-1:] not in (b"", b"\n"))
            if b"\n" in chunk:
                lines += chunk.count(b"\n")
                line_start = position + chunk.rfind(b"\n") + 1
            position += len(chunk)

    def _sniff(self) -> str:
        """The delimiter that gives the header most columns and the sample rows the same."""
        self._stream.seek(self._start)
        raw = self._stream.read(256 * 1024)
        lines = list(itertools.islice(io.StringIO(raw.decode(self.encoding, "ignore"), ""), 51))
        sample = lines[:50] if len(lines) > 50 or len(raw) < 256 * 1024 else lines[:-1]

        def score(delimiter: str) -> tuple[bool, float, int]:
            reader = csv.reader(sample, delimiter=delimiter)
            try:
                counts = [len(row) for row in reader if row]
            except csv.Error:
                counts = []
            if not counts:
                return (False, 0.0, 0)
            header, rest = counts[0], counts[1:]
            same = sum(count == header for count in rest) / len(rest) if rest else 1.0
            return (header > 1, same, header)

        return max(DELIMITERS, key=score)  # on a tie, the first listed: comma

    def _lines(self, progress: _Progress) -> Iterator[str]:
        """The physical lines of the file, with their line ends, decoded."""
        stream = self._stream
        stream.seek(self._start)
        readline = stream.readline
        encoding = self.encoding
        open_lines = progress.open_lines
        number = 0
        while raw := readline(_CHUNK):
            number += 1
            if progress.record_end >= number - 1:
                open_lines.clear()
            # The encoding was checked when the table was opened.
            if len(raw) == _CHUNK and raw[-1:] != b"\n":
                text = self._long_line(raw, progress)
            else:
                text = raw.decode(encoding)
            open_lines.append(text)
            yield text

    def _long_line(self, raw: bytes, progress: _Progress) -> str:
        """Read a long line in pieces, refusing it as soon as one of its cells is too long."""
        decoder = codecs.getincrementaldecoder(self.encoding)()
        scan = _CellScan(self.delimiter, self._limits.max_cell_chars)
        for earlier in progress.open_lines:
            scan.feed(earlier)
        pieces: list[str] = []
        while raw:
            text = decoder.decode(raw)
            if scan.feed(text):
                raise self._too_long(progress.record_end + 1, self._column_name(scan.cell))
            pieces.append(text)
            if raw[-1:] == b"\n":
                break
            raw = self._stream.readline(_CHUNK)
        pieces.append(decoder.decode(b"", final=True))
        return "".join(pieces)

    def _records(self) -> Iterator[tuple[int, list[Value]]]:
        """(first line, cells) of every record with something other than whitespace."""
        max_cell = self._limits.max_cell_chars
        progress = _Progress()
        reader = csv.reader(self._lines(progress), delimiter=self.delimiter, strict=True)
        try:
            for cells in reader:
                start = progress.record_end + 1
                progress.record_end = reader.line_num
                if not any(cells) or "".join(cells).isspace():
                    continue
                if max(map(len, cells)) > max_cell:
                    index, cell = next((i, c) for i, c in enumerate(cells) if len(c) > max_cell)
                    raise self._too_long(start, self._column_name(index), len(cell))
                yield start, [cell or None for cell in cells]
        except csv.Error as exc:
            raise self._csv_error(exc, progress) from None

    def _csv_error(self, exc: csv.Error, progress: _Progress) -> TableError:
        line = progress.record_end + 1
        text = str(exc)
        if "field larger than field limit" in text:
            scan = _CellScan(self.delimiter, self._limits.max_cell_chars)
            for earlier in progress.open_lines:
                scan.feed(earlier)
            # The csv module's own limit (131,072 unless raised) applies first.
            limit = min(self._limits.max_cell_chars, csv.field_size_limit())
            return self._too_long(line, self._column_name(scan.cell), limit=limit)
        known = (message for key, message in _CSV_ERRORS.items() if key in text)
        return TableError(next(known, f"cannot be read as CSV ({text})"), line=line)


# --- XLSX -----------------------------------------------------------------------------


class XlsxTable(Table):
    format = "xlsx"

    def __init__(
        self, stream: BinaryIO, *, start: int, sheet: str | None, limits: TableLimits, owned: bool
    ) -> None:
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        super().__init__(stream, limits=limits, owned=owned)
        try:
            with zipfile.ZipFile(stream) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
            stream.seek(start)
            if unpacked > limits.max_unpacked_bytes:
                raise TableError(
                    f"the workbook unpacks to {_size(unpacked)}; the limit is "
                    f"{_size(limits.max_unpacked_bytes)}"
                )
            self._book = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, InvalidFileException) as exc:
            raise TableError(f"not a readable XLSX file ({exc})") from None
        try:
            self._open_sheet(sheet)
        except BaseException:
            self._book.close()
            raise

    def _open_sheet(self, sheet: str | None) -> None:
        names = self._book.sheetnames
        if sheet is None:
            if not self._book.worksheets:
                raise TableError("the workbook has no worksheet")
            self._sheet = self._book.worksheets[0]
        elif sheet in names and hasattr(self._book[sheet], "iter_rows"):
            self._sheet = self._book[sheet]
        else:
            listed = ", ".join(f"'{name}'" for name in names)
            raise TableError(f"the workbook has no sheet named '{sheet}'; its sheets are {listed}")
        self.sheet = self._sheet.title
        dimensioned_rows = self._sheet.max_row  # from the sheet's own record; may be missing
        self._sheet.reset_dimensions()  # so that no cell beyond a wrong record is cut off
        self._date_formats: dict[str, bool] = {}
        records = self._records()
        try:
            self.header_line, cells = next(records)
        except StopIteration:
            raise TableError(f"the sheet '{self.sheet}' is empty") from None
        finally:
            records.close()
        self.columns = self._check_header(cells, self.header_line)
        if dimensioned_rows:
            self.row_estimate = max(dimensioned_rows - self.header_line, 0)

    def close(self) -> None:
        self._book.close()
        super().close()

    def _value(self, cell: Any) -> Value:
        value = cell.value
        kind = type(value)
        if kind is str:
            return value if value.strip() else None
        if value is None or kind is int or kind is float or kind is bool:
            return value
        if kind is dt.datetime:
            fmt = cell.number_format
            if fmt not in self._date_formats:
                from openpyxl.styles.numbers import is_datetime

                self._date_formats[fmt] = is_datetime(fmt) == "date"
            return value.date() if self._date_formats[fmt] else value
        if isinstance(value, dt.time):
            return value.isoformat()
        return str(value)

    def _records(self) -> Iterator[tuple[int, list[Value]]]:
        max_cell = self._limits.max_cell_chars
        for number, cells in enumerate(self._sheet.iter_rows(), start=1):
            values = [self._value(cell) for cell in cells]
            for index, value in enumerate(values):
                if type(value) is str and len(value) > max_cell:
                    raise self._too_long(number, self._column_name(index), len(value))
            if any(value is not None for value in values):
                yield number, values


def _header_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
