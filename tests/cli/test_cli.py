"""The `pilothouse` command, run in a separate process as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PILOTHOUSE = [sys.executable, "-m", "pilothouse.cli"]


def run(
    *args: str,
    data_dir: Path,
    stdin: str | None = None,
    env: dict | None = None,
    data_dir_first: bool = True,
):
    """Run the CLI; `--data-dir` goes before the command, or after it (both are accepted)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PILOTHOUSE_")}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.pop("DATABASE_URL", None)  # the CLI tests use their own SQLite file
    environment.update(env or {})
    return subprocess.run(
        [*PILOTHOUSE, "--data-dir", str(data_dir), *args]
        if data_dir_first
        else [*PILOTHOUSE, *args, "--data-dir", str(data_dir)],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("data")
    result = run("init", data_dir=path)
    assert result.returncode == 0, result.stderr
    return path


def test_init_creates_the_secret_once_and_migrates(tmp_path):
    result = run("init", data_dir=tmp_path, data_dir_first=False)
    assert result.returncode == 0, result.stderr
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    first_key = key_file.read_text()
    assert len(first_key) >= 32
    assert (tmp_path / "pilothouse.sqlite3").exists()
    assert run("init", data_dir=tmp_path).returncode == 0
    assert key_file.read_text() == first_key


def test_commands_refuse_an_uninitialised_data_dir(tmp_path):
    result = run("token", "list", "--user", "x", data_dir=tmp_path / "nothing")
    assert result.returncode == 1
    assert "pilothouse init" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_createuser_and_token_lifecycle(data_dir):
    created = run(
        "createuser",
        "--username",
        "ada",
        "--role",
        "product_leader",
        "--email",
        "ada@x.org",
        "--password-stdin",
        data_dir=data_dir,
        stdin="a-long-and-unusual-passphrase\n",
    )
    assert created.returncode == 0, created.stderr
    assert "ada" in created.stdout

    token = run("token", "create", "--user", "ada", "--name", "ci", "--json", data_dir=data_dir)
    assert token.returncode == 0, token.stderr
    body = json.loads(token.stdout)
    assert body["token"].startswith("ph_")
    assert body["name"] == "ci"

    listed = json.loads(run("token", "list", "--user", "ada", "--json", data_dir=data_dir).stdout)
    assert [row["id"] for row in listed] == [body["id"]]
    assert listed[0]["active"] is True
    assert body["token"] not in json.dumps(listed)  # the secret is never shown again

    revoked = run("token", "revoke", str(body["id"]), data_dir=data_dir)
    assert revoked.returncode == 0, revoked.stderr
    listed = json.loads(run("token", "list", "--user", "ada", "--json", data_dir=data_dir).stdout)
    assert listed[0]["active"] is False


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["createuser", "--username", "bo", "--role", "viewer", "--password-stdin"],
            "123\n",
            "password:",
        ),
        (["createuser", "--username", "bo", "--role", "viewer"], "", "--password-stdin"),
        (
            ["createuser", "--username", "", "--role", "viewer", "--password-stdin"],
            "a-long-and-unusual-passphrase\n",
            "username:",
        ),
        (["token", "create", "--user", "nobody"], None, "no user named 'nobody'"),
        (["token", "revoke", "9999"], None, "no token with id 9999"),
    ],
)
def test_bad_input_gives_one_line_and_a_failing_exit_code(data_dir, args, stdin, message):
    result = run(*args, data_dir=data_dir, stdin=stdin)
    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_role_is_refused_by_the_parser(data_dir):
    result = run("createuser", "--username", "x", "--role", "king", data_dir=data_dir)
    assert result.returncode == 2
    assert "invalid choice: 'king'" in result.stderr


def test_bad_environment_names_the_variable(data_dir):
    result = run("init", data_dir=data_dir, env={"PILOTHOUSE_DEBUG": "maybe"})
    assert result.returncode == 1
    assert "PILOTHOUSE_DEBUG" in result.stderr


def test_manage_runs_django_commands(data_dir):
    result = run("manage", "showmigrations", "portfolio", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "[X] 0001_initial" in result.stdout


def test_worker_runs_the_queue_and_stops_in_batch_mode(data_dir):
    result = run("worker", "--batch", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "No more tasks to run" in result.stderr
