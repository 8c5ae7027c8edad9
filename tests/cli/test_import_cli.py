"""`pilothouse import customers|feedback FILE`, run in a separate process against a data
dir of its own, as a user would."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import Workbook

from tests.cli.test_cli import run


def write_csv(path, rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("imports")
    assert run("init", data_dir=path).returncode == 0
    created = run(
        "createuser",
        "--username",
        "lead",
        "--role",
        "product_leader",
        "--password-stdin",
        data_dir=path,
        stdin="a-long-and-unusual-passphrase\n",
    )
    assert created.returncode == 0, created.stderr
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("files")
    customers = write_csv(
        folder / "customers.csv",
        [["Customer ID", "Company", "ARR", "Region"], ["C1", "Acme", "1000", "EMEA"]],
    )
    notes = write_csv(
        folder / "notes.csv",
        [
            ["ID", "Feedback", "Customer ID", "Submitted", "Type", "Tags"],
            ["N1", "Exports time out", "C1", "2026-01-05", "bug", "exports"],
            ["N2", "Love the board", "", "2026-01-06 10:00", "praise", ""],
        ],
    )
    bad = write_csv(
        folder / "bad.csv",
        [["ID", "Feedback", "Customer ID", "Submitted"]]
        + [[f"B{i}", f"Note {i}", "C404", "2026-01-01"] for i in range(25)]
        + [["B99", "A good one", "C1", "2026-01-01"]],
    )
    return {"customers": customers, "notes": notes, "bad": bad, "folder": folder}


def as_json(result) -> dict:
    assert result.stdout.strip(), result.stderr
    return json.loads(result.stdout)


def test_customers_then_feedback_then_a_second_run_that_changes_nothing(data_dir, files):
    result = run("import", "customers", files["customers"], "--user", "lead", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "1 created" in result.stdout
    result = run("import", "feedback", files["notes"], "--user", "lead", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Imported feedback from notes.csv (csv, 2 rows): 2 created, ")
    assert "rows/s)" in lines[0]
    assert "text <- 'Feedback'" in lines[1]
    assert lines[-1] == "Saved."
    again = as_json(run("import", "feedback", files["notes"], "--json", data_dir=data_dir))
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 2, "skipped": 0}
    assert (again["committed"], again["kind"], again["mapping"]["external_id"]) == (
        True,
        "feedback",
        "ID",
    )


def test_refused_rows_are_listed_by_line_and_nothing_is_saved(data_dir, files):
    run("import", "customers", files["customers"], data_dir=data_dir)
    result = run("import", "feedback", files["bad"], "--show-errors", "3", data_dir=data_dir)
    assert result.returncode == 1
    out = result.stdout
    assert "25 failed" in out
    assert "  line 2, column 'Customer ID': there is no customer with the external id 'C404'" in out
    assert "  line 4, column 'Customer ID'" in out
    assert "  line 5," not in out
    assert "  and 22 more" in out
    assert out.rstrip().endswith(
        "Nothing was saved (all or nothing): correct these rows, or import with --partial to "
        "save the others."
    )
    dry = as_json(run("import", "feedback", files["bad"], "--dry-run", "--json", data_dir=data_dir))
    assert (dry["counts"]["created"], dry["failed"], dry["error_count"]) == (1, 25, 25)
    assert dry["errors"][0] == {
        "line": 2,
        "field": "customer",
        "column": "Customer ID",
        "message": "line 2, column 'Customer ID': there is no customer with the external id 'C404'",
    }


def test_partial_saves_the_good_rows_and_still_fails(data_dir, files):
    run("import", "customers", files["customers"], data_dir=data_dir)
    result = run("import", "feedback", files["bad"], "--partial", "--json", data_dir=data_dir)
    assert result.returncode == 1
    report = as_json(result)
    assert (report["committed"], report["counts"]["created"], report["failed"]) == (True, 1, 25)


def test_a_dry_run_saves_nothing_and_succeeds(data_dir, files):
    path = write_csv(files["folder"] / "dry.csv", [["ID", "Text"], ["D1", "Only a preview"]])
    result = run("import", "feedback", path, "--dry-run", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Checked feedback from dry.csv")
    assert result.stdout.rstrip().endswith("Dry run: nothing was saved.")
    again = as_json(run("import", "feedback", path, "--dry-run", "--json", data_dir=data_dir))
    assert again["counts"]["created"] == 1


def test_mapping_skipping_and_xlsx(data_dir, files):
    book = Workbook()
    book.active.title = "Feedback"
    book.create_sheet("Other")
    book["Feedback"].append(["Ref", "Body", "Kind"])
    book["Feedback"].append(["X1", "From Excel", "bug"])
    path = files["folder"] / "notes.xlsx"
    book.save(path)
    result = run(
        "import",
        "feedback",
        str(path),
        "--map",
        "Ref=external_id",
        "--map",
        "Body=text",
        "--skip",
        "kind",
        "--sheet",
        "Feedback",
        "--json",
        data_dir=data_dir,
    )
    assert result.returncode == 0, result.stderr
    report = as_json(result)
    assert report["mapping"] == {"text": "Body", "external_id": "Ref"}
    assert (report["format"], report["ignored_columns"]) == ("xlsx", ["Kind"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["feedback", "{folder}/missing.csv"], "missing.csv: no such file"),
        (["feedback", "{latin}"], "latin.csv: line 2: not UTF-8 (byte 0xE9 at offset 3); save"),
        (["feedback", "{notes}", "--map", "Nope=text"], "mapping: there is no column 'Nope'"),
        (["feedback", "{notes}", "--map", "text"], "--map: 'text' is not COLUMN=FIELD"),
        (["feedback", "{notes}", "--user", "ghost"], "--user: no user named 'ghost'"),
        (["feedback", "{notes}", "--default-source", "fax"], "'fax' is not one of"),
        (["customers", "{notes}"], "no column for the required field 'name'"),
    ],
)
def test_one_line_errors(data_dir, files, args, message):
    latin = files["folder"] / "latin.csv"
    latin.write_bytes("Text\nCafé\n".encode("latin-1"))
    values = {"folder": files["folder"], "latin": latin, "notes": files["notes"]}
    result = run("import", *[arg.format(**values) for arg in args], data_dir=data_dir)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pilothouse: error: ")
    assert message in lines[0]
