"""The credentials of data sources: their database URLs, encrypted at rest.

A URL is encrypted with Fernet (AES-128-CBC with an HMAC) under the credentials key:
`PILOTHOUSE_CREDENTIALS_KEY`, else the file `credentials_key` in the data dir, created
on first use with mode 600 (config.env). It is never shown back: pages and the API show
`masked_url`, with the password and any secret-looking option replaced by ***. A URL
that no longer decrypts (the key changed or was lost) raises CredentialsError, asking
for the URL to be entered again.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from sqlalchemy.engine import URL

from pilothouse.config import env
from pilothouse.metrics import sources

MASK = "***"
# Options of a URL whose values are secrets too (e.g. ?password=, ?private_key=).
SECRET_OPTION_WORDS = ("pass", "secret", "token", "key", "credential")


class CredentialsError(Exception):
    """A stored URL cannot be decrypted; the message says what to do."""


def _key() -> str:
    return settings.CONFIG.credentials_key or env.ensure_credentials_key(settings.DATA_DIR)


def url_encrypt(url: str) -> str:
    return Fernet(_key()).encrypt(url.encode("utf-8")).decode("ascii")


def url_decrypt(token: str, *, source_name: str = "") -> str:
    try:
        return Fernet(_key()).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        which = f"data source “{source_name}”" if source_name else "data source"
        raise CredentialsError(
            f"The database URL of the {which} cannot be decrypted: the credentials key "
            "changed since it was entered. Edit the data source and enter its URL again."
        ) from exc


def _masked_options(url: URL) -> URL:
    secret = {
        name: MASK
        for name in url.query
        if any(word in name.lower() for word in SECRET_OPTION_WORDS)
    }
    return url.update_query_dict(secret) if secret else url


def masked_url(url: str) -> str:
    """The URL to show: its password and secret-looking options as ***. Raises
    QueryError if it is not a database URL."""
    parsed = sources.database_url(url)
    parsed = _masked_options(parsed)
    shown = parsed.render_as_string(hide_password=True).replace("%2A%2A%2A", MASK)
    # Show the scheme the user wrote, not the driver it was mapped to.
    written = url.strip().split("://", 1)[0]
    return written + "://" + shown.split("://", 1)[1] if "://" in shown else shown
