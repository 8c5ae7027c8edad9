"""Reading CSV and XLSX tables (core/tabular.py): encodings, delimiters, headers, limits,
line numbers, and the refusals of bad files with messages naming line and column."""

from __future__ import annotations

import datetime as dt
import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from pilothouse.core.tabular import Row, TableError, TableLimits, read_table


def rows_of(data: bytes, **kwargs) -> list[Row]:
    with read_table(source=data, **kwargs) as table:
        return list(table.rows())


def refusal(data: bytes, **kwargs) -> str:
    with pytest.raises(TableError) as caught:
        rows_of(data, **kwargs)
    return str(caught.value)


# --- CSV: encodings -------------------------------------------------------------------


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_with_or_without_bom(bom):
    table = read_table(source=bom + "Name,City\nAda,Zürich\n".encode())
    assert table.columns == ["Name", "City"]
    assert list(table.rows()) == [Row(2, {"Name": "Ada", "City": "Zürich"})]


def test_other_encoding_is_refused_naming_the_line_and_byte():
    data = b"Name,City\nAda,Paris\nBob,Montr\xe9al\n"
    with pytest.raises(TableError) as caught:
        read_table(source=data)
    assert str(caught.value) == (
        "line 3: not UTF-8 (byte 0xE9 at offset 9); save the file as UTF-8"
    )
    # A ValidationError, so that the API answers 422 with the message.
    assert isinstance(caught.value, ValidationError)
    assert caught.value.messages == [str(caught.value)]
    assert caught.value.line == 3


def test_bad_byte_is_found_far_into_a_large_file_before_any_row_is_read():
    data = b"a,b\n" + b"x,1\n" * 400_000 + b"caf\xe9,2\n"
    with pytest.raises(TableError, match=r"^line 400002: not UTF-8 \(byte 0xE9 at offset 3\)"):
        read_table(source=data)


def test_a_declared_encoding_is_used():
    rows = rows_of(b"Name\nMontr\xe9al\n", encoding="latin-1")
    assert rows == [Row(2, {"Name": "Montréal"})]


def test_utf16_and_unknown_encodings_are_refused():
    assert "UTF-16; save it as UTF-8" in refusal("a,b\n1,2\n".encode("utf-16"))
    assert "unknown encoding 'klingon'" in refusal(b"a\n1\n", encoding="klingon")
    assert "not supported" in refusal(b"a\n1\n", encoding="utf-16-le")


# --- CSV: structure -------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_recognised(delimiter):
    text = delimiter.join(["Name", "Amount", "Note"]) + "\n"
    text += delimiter.join(["Ada", "1.5", '"a, b; c | d"']) + "\n"
    with read_table(source=text.encode()) as table:
        assert table.delimiter == delimiter
        assert list(table.rows()) == [
            Row(2, {"Name": "Ada", "Amount": "1.5", "Note": "a, b; c | d"})
        ]


def test_quoted_newlines_keep_the_line_where_each_record_starts():
    data = b'Id,Text\n1,"first\nsecond\r\nthird"\n2,plain\n\n3,"x"\n'
    assert rows_of(data) == [
        Row(2, {"Id": "1", "Text": "first\nsecond\r\nthird"}),
        Row(5, {"Id": "2", "Text": "plain"}),
        Row(7, {"Id": "3", "Text": "x"}),
    ]


def test_empty_cells_are_none_short_rows_are_filled_and_trailing_empty_rows_ignored():
    data = b"a,b,c\r\n1,,3\r\n4\r\n,,\r\n\r\n , \t,\r\n"
    assert rows_of(data) == [
        Row(2, {"a": "1", "b": None, "c": "3"}),
        Row(3, {"a": "4", "b": None, "c": None}),
    ]


def test_header_names_are_trimmed_and_trailing_empty_cells_tolerated():
    assert rows_of(b" Name , City ,\nAda,Paris,\n") == [Row(2, {"Name": "Ada", "City": "Paris"})]


def test_a_header_row_is_required():
    assert refusal(b"") == "the file is empty; the first row must name the columns"
    assert refusal(b"\n\n , \t\n") == "the file is empty; the first row must name the columns"


def test_a_header_without_rows_is_an_empty_table():
    with read_table(source=b"a,b\n") as table:
        assert table.columns == ["a", "b"]
        assert list(table.rows()) == []


def test_blank_and_duplicate_header_names_are_refused_naming_the_columns():
    assert refusal(b"Name,,City,\n1,2,3\n") == (
        "line 1: the header row gives no name to column B; every column needs a name"
    )
    assert refusal(b"Name,Email,City,Email\n") == (
        "line 1: the header names 'Email' twice (columns B and D); rename or remove one"
    )


def test_a_row_longer_than_the_header_is_refused_naming_the_line():
    message = refusal(b"a,b\n1,2\n3,4,5\n")
    assert message == (
        "line 3: the row has 3 cells but the header names 2 columns; "
        "remove the extra cells or name their column"
    )


def test_malformed_quoting_is_refused_naming_the_line():
    assert refusal(b'a,b\n1,2\n"open,3\n4,5\n') == (
        'line 3: a quoted cell starting here is never closed (no closing ")'
    )
    assert refusal(b'a,b\n"x"y,2\n').startswith("line 2: a quoted cell is followed by more text")


def test_files_that_are_not_csv_or_xlsx_are_refused():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100
    assert "old Excel file (.xls)" in refusal(ole)
    assert "is not an XLSX file" in refusal(b"a,b\n", filename="notes.xlsx")
    assert "no sheets" in refusal(b"a,b\n", sheet="Notes")


def test_sources_paths_streams_and_non_seekable_streams(tmp_path):
    data = b"a;b\n1;2\n"
    path = tmp_path / "t.csv"
    path.write_bytes(data)

    class Pipe(io.RawIOBase):
        def __init__(self):
            self._inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            chunk = self._inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    expected = [Row(2, {"a": "1", "b": "2"})]
    for source in (path, io.BytesIO(data), Pipe()):
        with read_table(source=source) as table:
            assert list(table.rows()) == expected
            assert list(table.rows()) == expected  # each call reads from the start
    with pytest.raises(TypeError):
        read_table(source="a,b\n")  # type: ignore[arg-type]


def test_row_estimate_counts_lines_without_parsing():
    with read_table(source=b"a\n" + b"x\n" * 1234) as table:
        assert table.row_estimate == 1234


# --- limits ---------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    limits = TableLimits(max_file_bytes=1000)
    path = tmp_path / "big.csv"
    path.write_bytes(b"a\n" + b"x\n" * 1000)
    assert refusal(path.read_bytes(), limits=limits) == (
        "the file is 2,002 bytes; the limit is 1,000 bytes"
    )
    with pytest.raises(TableError, match="the limit is 1,000 bytes"):
        read_table(source=path, limits=limits)


def test_too_many_rows_is_refused_naming_the_first_row_over():
    data = b"a\n" + b"x\n" * 6
    assert refusal(data, limits=TableLimits(max_rows=5)) == (
        "line 7: the file has more than 5 rows; split it"
    )
    assert len(rows_of(data, limits=TableLimits(max_rows=6))) == 6


def test_too_many_columns_is_refused():
    data = (",".join(f"c{i}" for i in range(11)) + "\n").encode()
    assert refusal(data, limits=TableLimits(max_columns=10)) == (
        "line 1: the header names 11 columns; the limit is 10"
    )


def test_a_cell_over_the_limit_is_refused_naming_line_and_column():
    data = b"Id,Text\n1,short\n2," + b"y" * 11 + b"\n"
    assert refusal(data, limits=TableLimits(max_cell_chars=10)) == (
        "line 3, column 'Text': the cell is 11 characters long; the limit is 10 characters"
    )


@pytest.mark.parametrize(
    "cell",
    [
        b"x" * 10_000_000,  # one long unquoted run
        b'"' + b"words, more words; " * 520_000 + b'"',  # quoted, full of delimiters
        b'"' + b"a line, of text\n" * 650_000 + b'"',  # quoted, over many short lines
    ],
    ids=["plain", "quoted", "multiline"],
)
def test_a_10_mb_cell_is_refused_quickly_without_holding_the_file(tmp_path, cell):
    path = tmp_path / "big.csv"
    path.write_bytes(b"Id,Text,Score\n1,fine,3\n2," + cell + b",4\n3,after,5\n")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with read_table(source=path) as table, pytest.raises(TableError) as caught:
            list(table.rows())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(caught.value) == (
        "line 3, column 'Text': the cell is longer than the limit of 100,000 characters"
    )
    assert time.perf_counter() - started < 2  # about 0.01 s here, 0.06 s under tracemalloc
    assert peak < 4_000_000  # never the whole 10 MB cell at once


# --- XLSX -----------------------------------------------------------------------------


def workbook_bytes(build) -> bytes:
    book = Workbook()
    build(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_cached_value(data: bytes, formula: str, cached: str) -> bytes:
    """openpyxl writes formulas without a result; give one the value Excel would cache."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    f"<f>{formula}</f><v />".encode(), f"<f>{formula}</f><v>{cached}</v>".encode()
                )
            target.writestr(item, content)
    return out.getvalue()


def notes_sheet(book):
    sheet = book.active
    sheet.title = "Notes"
    sheet.append(["Customer", "Submitted", "At", "ARR", "Seats", "Double", None])
    sheet.append(["Acme", dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 10, 30), 1234.5, 7, "=E2*2"])
    sheet.append([None, None, None])
    sheet.append(["Globex", dt.date(2026, 3, 2), dt.datetime(2026, 3, 2), 10, 3, None, None])
    sheet["B2"].number_format = sheet["B4"].number_format = "yyyy-mm-dd"
    book.create_sheet("Other").append(["Only"])


def test_xlsx_dates_numbers_formulas_and_sheet_row_numbers():
    data = with_cached_value(workbook_bytes(notes_sheet), "E2*2", "14")
    with read_table(source=data) as table:  # recognised by content, without a file name
        assert table.format == "xlsx"
        assert table.sheet == "Notes"
        assert table.columns == ["Customer", "Submitted", "At", "ARR", "Seats", "Double"]
        assert table.row_estimate == 3
        rows = list(table.rows())
    assert rows == [
        Row(
            2,
            {
                "Customer": "Acme",
                "Submitted": dt.date(2026, 3, 1),
                "At": dt.datetime(2026, 3, 1, 10, 30),
                "ARR": 1234.5,
                "Seats": 7,
                "Double": 14,
            },
        ),
        Row(
            4,
            {
                "Customer": "Globex",
                "Submitted": dt.date(2026, 3, 2),
                "At": dt.datetime(2026, 3, 2),
                "ARR": 10,
                "Seats": 3,
                "Double": None,
            },
        ),
    ]
    assert type(rows[0].values["Submitted"]) is dt.date


def test_xlsx_named_sheet_and_unknown_sheet(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_bytes(workbook_bytes(notes_sheet))
    with read_table(source=path, sheet="Other") as table:
        assert table.columns == ["Only"]
        assert list(table.rows()) == []
    with pytest.raises(TableError) as caught:
        read_table(source=path, sheet="Feedback")
    assert str(caught.value) == (
        "the workbook has no sheet named 'Feedback'; its sheets are 'Notes', 'Other'"
    )


def test_xlsx_bad_headers_extra_cells_and_long_cells():
    def duplicate(book):
        book.active.append(["Name", "Email", "Name"])

    def blank(book):
        book.active.append(["Name", None, "City"])

    def extra(book):
        book.active.append(["Name", "City"])
        book.active.append(["Ada", "Paris", None, "stray"])

    def long_cell(book):
        book.active.append(["Name", "Text"])
        book.active.append(["Ada", "z" * 21])

    assert "names 'Name' twice (columns A and C)" in refusal(workbook_bytes(duplicate))
    assert "no name to column B" in refusal(workbook_bytes(blank))
    assert refusal(workbook_bytes(extra)).startswith(
        "line 2: the row has 4 cells but the header names 2 columns"
    )
    assert refusal(workbook_bytes(long_cell), limits=TableLimits(max_cell_chars=20)) == (
        "line 2, column 'Text': the cell is 21 characters long; the limit is 20 characters"
    )


def test_a_broken_or_empty_workbook_is_refused():
    assert "not a readable XLSX file" in refusal(b"PK\x03\x04 this is not really a zip")
    assert refusal(workbook_bytes(lambda book: None)) == "the sheet 'Sheet' is empty"
    data = workbook_bytes(notes_sheet)
    assert "unpacks to" in refusal(data, limits=TableLimits(max_unpacked_bytes=1000))
