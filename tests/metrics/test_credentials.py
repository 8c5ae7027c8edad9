"""Data sources' URLs encrypted at rest (metrics.credentials): the key from the
environment or the data dir's file, a changed key asking for the URL again, and the
masked form that is the only one ever shown."""

from __future__ import annotations

import base64
import dataclasses
import stat

import pytest

from pilothouse.config import env
from pilothouse.metrics import credentials
from pilothouse.metrics.credentials import CredentialsError, masked_url, url_decrypt, url_encrypt
from pilothouse.metrics.sources import QueryError

URL = "postgresql://reader:s3cret-Pass@db.example.com:5432/analytics?sslmode=require"


def key(fill: bytes) -> str:
    return base64.urlsafe_b64encode(fill * 32).decode()


@pytest.fixture
def key_from_env(settings):
    settings.CONFIG = dataclasses.replace(settings.CONFIG, credentials_key=key(b"a"))
    return settings


@pytest.fixture
def key_from_file(settings, tmp_path):
    settings.CONFIG = dataclasses.replace(settings.CONFIG, credentials_key=None)
    settings.DATA_DIR = tmp_path
    return tmp_path / env.CREDENTIALS_KEY_FILE


def test_a_url_comes_back_as_it_went_in(key_from_env):
    token = url_encrypt(URL)
    assert "s3cret-Pass" not in token
    assert "reader" not in token
    assert url_decrypt(token) == URL
    assert url_encrypt(URL) != token  # a fresh nonce each time


def test_without_the_variable_a_key_file_is_made_on_first_use(key_from_file):
    assert not key_from_file.exists()
    token = url_encrypt(URL)
    assert stat.S_IMODE(key_from_file.stat().st_mode) == 0o600
    assert url_decrypt(token) == URL
    assert key_from_file.read_text().strip() == env.ensure_credentials_key(key_from_file.parent)


def test_a_changed_key_asks_for_the_url_again(key_from_env, settings):
    token = url_encrypt(URL)
    settings.CONFIG = dataclasses.replace(settings.CONFIG, credentials_key=key(b"b"))
    with pytest.raises(CredentialsError) as failure:
        url_decrypt(token, source_name="Warehouse")
    message = str(failure.value)
    assert "data source “Warehouse” cannot be decrypted" in message
    assert "enter its URL again" in message


def test_a_damaged_token_is_the_same_clear_error(key_from_env):
    with pytest.raises(CredentialsError, match="enter its URL again"):
        url_decrypt("not-a-token")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (URL, "postgresql://reader:***@db.example.com:5432/analytics?sslmode=require"),
        ("postgres://reader:pw@db/analytics", "postgres://reader:***@db/analytics"),
        ("postgresql://reader@db/analytics", "postgresql://reader@db/analytics"),
        (
            "snowflake://me:pw@account/db?warehouse=wh&private_key_passphrase=x&token=y",
            "snowflake://me:***@account/db?private_key_passphrase=***&token=***&warehouse=wh",
        ),
        ("sqlite:////srv/warehouse.sqlite3", "sqlite:////srv/warehouse.sqlite3"),
    ],
)
def test_the_masked_url(url, shown):
    assert masked_url(url) == shown


def test_the_masked_url_of_something_else_is_refused():
    with pytest.raises(QueryError, match="not a database URL"):
        masked_url("just some words")


def test_the_key_is_read_from_the_settings_each_time(key_from_env, settings):
    first = url_encrypt(URL)
    settings.CONFIG = dataclasses.replace(settings.CONFIG, credentials_key=key(b"c"))
    second = url_encrypt(URL)
    assert url_decrypt(second) == URL
    with pytest.raises(CredentialsError):
        url_decrypt(first)
    assert credentials.MASK == "***"
