"""`pilothouse roadmap snapshot|changes`, in a separate process with a data dir of its own."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import run


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("roadmap")
    assert run("init", data_dir=path).returncode == 0
    return path


def test_snapshots_and_changes_from_the_command_line(data_dir):
    taken = run("roadmap", "snapshot", "--name", "Kick-off", "--json", data_dir=data_dir)
    assert taken.returncode == 0, taken.stderr
    snap = json.loads(taken.stdout)
    assert snap["name"] == "Kick-off"
    assert snap["item_count"] == 0

    monthly = run("roadmap", "snapshot", "--monthly", "--json", data_dir=data_dir)
    assert json.loads(monthly.stdout)["kind"] == "monthly"
    again = run("roadmap", "snapshot", "--monthly", data_dir=data_dir)
    assert again.returncode == 0
    assert "exists already" in again.stdout

    changes = run("roadmap", "changes", "--from", str(snap["id"]), "--json", data_dir=data_dir)
    assert changes.returncode == 0, changes.stderr
    assert json.loads(changes.stdout)["counts"]["added"] == 0
    markdown = run("roadmap", "changes", "--from", str(snap["id"]), data_dir=data_dir)
    assert "No changes." in markdown.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["changes"], "give either --since DATE or --from ID"),
        (["changes", "--from", "999"], "no snapshot with id 999"),
        (["changes", "--since", "1999-01-01"], "No snapshot was taken on or before 1999-01-01"),
    ],
)
def test_bad_input_fails_with_one_line(data_dir, args, message):
    result = run("roadmap", *args, data_dir=data_dir)
    assert result.returncode == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
