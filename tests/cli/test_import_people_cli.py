"""`pilothouse import people FILE`, run in a separate process against a data dir of its
own, as an HR admin would: what is written is read back from the data dir's database."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.cli.test_cli import run
from tests.cli.test_import_cli import write_csv

HEADER = ["Work Email", "Full Name", "Job Title", "Level", "Reports To", "Office", "FTE"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("people-imports")
    assert run("init", data_dir=path).returncode == 0
    for username, role in (("lead", "product_leader"), ("pm", "product_manager")):
        created = run(
            "createuser",
            "--username",
            username,
            "--role",
            role,
            "--password-stdin",
            data_dir=path,
            stdin="a-long-and-unusual-passphrase\n",
        )
        assert created.returncode == 0, created.stderr
    return path


@pytest.fixture
def folder(tmp_path):
    return tmp_path


def people(data_dir, domain: str) -> dict[str, tuple[str, str | None, str]]:
    """{email: (name, manager's email, job title)} of the people with emails at `domain`."""
    with sqlite3.connect(data_dir / "pilothouse.sqlite3") as db:
        rows = db.execute(
            "SELECT p.email, p.name, m.email, p.job_title FROM people_person p "
            "LEFT JOIN people_person m ON m.id = p.manager_id WHERE p.email LIKE ?",
            (f"%@{domain}",),
        ).fetchall()
    return {email: (name, manager, title) for email, name, manager, title in rows}


def as_json(result) -> dict:
    assert result.stdout.strip(), result.stderr
    return json.loads(result.stdout)


def test_a_good_file_creates_the_people_and_their_lines_then_changes_nothing(data_dir, folder):
    path = write_csv(
        folder / "people.csv",
        [
            HEADER,
            # The report comes before the manager: the whole file is read first.
            ["ana@good.example", "Ana Ortiz", "Product Manager", "pm", "bo@good.example",
             "Berlin", "1"],
            ["bo@good.example", "Bo Lind", "Group PM", "group_pm", "", "London", "80%"],
        ],
    )  # fmt: skip
    result = run("import", "people", path, "--user", "lead", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "Imported people from people.csv (csv, 2 rows): 2 created, 0 updated, 0 unchanged, "
        "0 skipped, 0 failed in "
    )
    assert "email <- 'Work Email'" in lines[1]
    assert "manager <- 'Reports To'" in lines[1]
    assert lines[-1] == "Saved."
    assert people(data_dir, "good.example") == {
        "ana@good.example": ("Ana Ortiz", "bo@good.example", "Product Manager"),
        "bo@good.example": ("Bo Lind", None, "Group PM"),
    }
    again = as_json(run("import", "people", path, "--json", data_dir=data_dir))
    assert again["counts"] == {"created": 0, "updated": 0, "unchanged": 2, "skipped": 0}
    assert (again["kind"], again["committed"]) == ("people", True)


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(data_dir, folder):
    path = write_csv(
        folder / "dry.csv",
        [HEADER, ["cy@dry.example", "Cy Moreau", "Associate PM", "associate_pm", "", "Paris", ""]],
    )
    result = run("import", "people", path, "--dry-run", "--user", "lead", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "Checked people from dry.csv (csv, 1 rows): 1 created, 0 updated, 0 unchanged"
    )
    assert result.stdout.rstrip().endswith("Dry run: nothing was saved.")
    assert people(data_dir, "dry.example") == {}


def test_duplicate_emails_and_a_management_cycle_are_refused_by_row_and_nothing_is_written(
    data_dir, folder
):
    path = write_csv(
        folder / "bad.csv",
        [
            HEADER,
            ["di@bad.example", "Di Park", "PM", "pm", "ed@bad.example", "Oslo", ""],
            ["ed@bad.example", "Ed Rossi", "PM", "pm", "di@bad.example", "Oslo", ""],
            ["fay@bad.example", "Fay Wu", "PM", "pm", "", "Oslo", ""],
            ["FAY@bad.example", "Fay Wu", "Senior PM", "senior_pm", "", "Oslo", ""],
            ["gus@bad.example", "Gus Holm", "PM", "pm", "", "Oslo", ""],
        ],
    )
    result = run("import", "people", path, "--user", "lead", data_dir=data_dir)
    assert result.returncode == 1
    out = result.stdout
    # The counts say what the good rows would have done; all or nothing keeps them out.
    assert "5 rows): 2 created, 0 updated, 0 unchanged, 0 skipped, 3 failed" in out
    assert (
        "  line 5, column 'Work Email': 'FAY@bad.example' appears twice in the file, on line 4 "
        "and on line 5; keep one"
    ) in out
    cycle = "the file makes a management cycle: "
    assert f"  line 2, column 'Reports To': {cycle}di@bad.example → ed@bad.example → di" in out
    assert f"  line 3, column 'Reports To': {cycle}ed@bad.example → di@bad.example → ed" in out
    assert out.rstrip().endswith("Nothing was saved (all or nothing): correct these rows, or "
                                 "import with --partial to save the others.")  # fmt: skip
    assert people(data_dir, "bad.example") == {}

    report = as_json(run("import", "people", path, "--json", data_dir=data_dir))
    assert [(e["line"], e["field"], e["column"]) for e in report["errors"]] == [
        (2, "manager", "Reports To"),
        (3, "manager", "Reports To"),
        (5, "email", "Work Email"),
    ]
    assert report["committed"] is False
    assert people(data_dir, "bad.example") == {}


def test_partial_saves_the_rows_that_can_be_saved_and_still_fails(data_dir, folder):
    path = write_csv(
        folder / "partial.csv",
        [
            HEADER,
            ["hal@partial.example", "Hal Berg", "PM", "pm", "", "Oslo", ""],
            ["ivy@partial.example", "Ivy Chen", "PM", "wizard", "", "Oslo", ""],
        ],
    )
    result = run("import", "people", path, "--partial", "--json", data_dir=data_dir)
    assert result.returncode == 1
    report = as_json(result)
    assert (report["committed"], report["counts"]["created"], report["failed"]) == (True, 1, 1)
    assert report["errors"][0]["message"].startswith(
        "line 3, column 'Level': no level 'wizard' on the ladder; the levels are "
    )
    assert set(people(data_dir, "partial.example")) == {"hal@partial.example"}


def test_columns_mapped_by_hand_and_a_field_skipped(data_dir, folder):
    path = write_csv(
        folder / "hr.csv",
        [
            ["Correo", "Nombre", "Puesto", "Jefe", "Title"],
            ["jo@mapped.example", "Jo Silva", "Diseño", "", "Ignored title"],
            ["kai@mapped.example", "Kai Ito", "Producto", "jo@mapped.example", "Ignored title"],
        ],
    )
    result = run(
        "import",
        "people",
        path,
        "--map",
        "Correo=email",
        "--map",
        "Nombre=name",
        "--map",
        "Jefe=manager",
        "--skip",
        "job_title",
        "--json",
        data_dir=data_dir,
    )
    assert result.returncode == 0, result.stderr
    report = as_json(result)
    assert report["mapping"] == {"email": "Correo", "name": "Nombre", "manager": "Jefe"}
    assert report["ignored_columns"] == ["Puesto", "Title"]
    assert people(data_dir, "mapped.example") == {
        "jo@mapped.example": ("Jo Silva", None, ""),
        "kai@mapped.example": ("Kai Ito", "jo@mapped.example", ""),
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{good}", "--user", "pm"], "--user: Only product leaders and admins import people."),
        (["{good}", "--user", "ghost"], "--user: no user named 'ghost'"),
        (["{good}", "--map", "Nope=email"], "mapping: there is no column 'Nope'"),
        (["{no_email}"], "no column for the required field 'email'"),
        (["{folder}/missing.csv"], "missing.csv: no such file"),
    ],
)
def test_one_line_errors_exit_1_and_write_nothing(data_dir, folder, args, message):
    good = write_csv(
        folder / "good.csv", [HEADER, ["lu@refused.example", "Lu Berg", "", "", "", "", ""]]
    )
    no_email = write_csv(folder / "no-email.csv", [["Name"], ["Lu Berg"]])
    values = {"folder": folder, "good": good, "no_email": no_email}
    result = run("import", "people", *[arg.format(**values) for arg in args], data_dir=data_dir)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pilothouse: error: ")
    assert message in lines[0]
    assert people(data_dir, "refused.example") == {}


def test_a_wrong_command_line_exits_2(data_dir):
    result = run("import", "people", data_dir=data_dir)
    assert result.returncode == 2
    assert "the following arguments are required: file" in result.stderr
