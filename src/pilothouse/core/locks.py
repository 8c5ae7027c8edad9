"""Serializing writes that must see each other, across processes.

Some checks read many rows before they write one (a dependency must not close a cycle
anywhere in the graph), so locking the rows they touch is not enough: two such writes
could each pass their check and together break the rule. `serialize(name)` makes every
transaction that asks for the same name wait for the one before it.

PostgreSQL: a transaction-scoped advisory lock on a hash of the name. SQLite: nothing to
do, its write transactions start IMMEDIATE (see settings), so they already run one at a
time.
"""

from __future__ import annotations

import hashlib

from django.db import connection


def serialize(name: str) -> None:
    """Wait for other transactions that serialized on `name`. Call inside a transaction;
    the lock is released when it ends."""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
