"""PILOTHOUSE_CREDENTIALS_KEY (config/env.py): the key that encrypts data sources' URLs,
from the environment or from the data dir's `credentials_key` file, made on first use."""

from __future__ import annotations

import base64
import os
import stat
import threading

import pytest

from pilothouse.config import env
from pilothouse.config.env import ConfigError

KEY = base64.urlsafe_b64encode(b"k" * 32).decode()


def test_absent_means_the_key_file(tmp_path):
    assert env.load({}, cwd=tmp_path).credentials_key is None
    assert env.load({"PILOTHOUSE_CREDENTIALS_KEY": "  "}, cwd=tmp_path).credentials_key is None


def test_a_key_from_the_environment(tmp_path):
    config = env.load({"PILOTHOUSE_CREDENTIALS_KEY": f" {KEY} "}, cwd=tmp_path)
    assert config.credentials_key == KEY
    assert KEY not in repr(config)


@pytest.mark.parametrize(
    "raw",
    [
        "too-short",
        "k" * 44,  # 44 characters, but not 32 bytes of base64
        base64.urlsafe_b64encode(b"k" * 31).decode(),
        base64.urlsafe_b64encode(b"k" * 33).decode(),
        "é" * 44,
    ],
)
def test_a_bad_key_is_a_config_error_naming_the_variable(tmp_path, raw):
    with pytest.raises(ConfigError, match="PILOTHOUSE_CREDENTIALS_KEY: expected a key of 32 bytes"):
        env.load({"PILOTHOUSE_CREDENTIALS_KEY": raw}, cwd=tmp_path)


def test_the_key_file_is_made_once_with_mode_600(tmp_path):
    data_dir = tmp_path / "data"
    key = env.ensure_credentials_key(data_dir)
    key_file = data_dir / env.CREDENTIALS_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(base64.urlsafe_b64decode(key)) == 32
    assert env.ensure_credentials_key(data_dir) == key
    assert sorted(p.name for p in data_dir.iterdir()) == [env.CREDENTIALS_KEY_FILE]


def test_the_key_file_is_never_overwritten(tmp_path):
    (tmp_path / env.CREDENTIALS_KEY_FILE).write_text(KEY + "\n")
    assert env.ensure_credentials_key(tmp_path) == KEY
    assert (tmp_path / env.CREDENTIALS_KEY_FILE).read_text() == KEY + "\n"


def test_a_damaged_key_file_is_a_config_error_naming_it(tmp_path):
    (tmp_path / env.CREDENTIALS_KEY_FILE).write_text("not a key")
    with pytest.raises(ConfigError, match=f"{tmp_path / env.CREDENTIALS_KEY_FILE}: expected"):
        env.ensure_credentials_key(tmp_path)


def test_processes_making_the_key_at_once_agree(tmp_path):
    keys: list[str] = []
    start = threading.Barrier(8)

    def make() -> None:
        start.wait()
        keys.append(env.ensure_credentials_key(tmp_path))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8
    assert len(set(keys)) == 1
    assert os.listdir(tmp_path) == [env.CREDENTIALS_KEY_FILE]
