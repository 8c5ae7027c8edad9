"""Settings for the test suite: a throw-away data dir and secret, fast password hashing."""

import os
import secrets
import tempfile

os.environ.setdefault("PILOTHOUSE_DATA_DIR", tempfile.mkdtemp(prefix="pilothouse-test-"))
os.environ.setdefault("PILOTHOUSE_SECRET_KEY", secrets.token_urlsafe(50))

from pilothouse.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Tasks run where they are enqueued, so tests see their effects without a worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# SQLite: a file, not the in-memory default, so that tests with several threads (each
# with its own connection) share one database and wait for each other's writes as a
# real deployment does.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(os.environ["PILOTHOUSE_DATA_DIR"], "test.sqlite3")
    }
