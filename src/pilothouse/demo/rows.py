"""Fast inserts for the demo's largest tables (customers, contacts, notes and their links).

`bulk_create` prepares every value of every row through the model field, which costs
more than generating the row. `Rows` inserts plain tuples with one `executemany` per
batch instead, adapting only the values that need it (dates, times, decimals), and
hands out the primary keys itself, so that the rows that point at a note know its id
before it is written. After the last batch, `finish` moves the database's id sequence
past the ids used (PostgreSQL; SQLite keeps up by itself).

Like `bulk_create`, this runs no `save()`, signal or validation: the generator keeps
to the models' rules itself, and the tests check it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

# Field types whose Python values the database driver cannot take as they are.
ADAPTED = (models.DateField, models.DecimalField, models.JSONField)


def _adapter(field: models.Field) -> Callable[[Any], Any]:
    """The database form of a value of `field` (dates and times straight from the backend:
    the generator gives them aware and valid, so the field's checks are not needed)."""
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    return lambda value: field.get_db_prep_save(value, connection)


class Rows:
    """Inserts rows of `model` given as tuples of `fields` (Python values)."""

    def __init__(self, model: type[models.Model], fields: Sequence[str], *, own_ids: bool):
        self.model, self.own_ids = model, own_ids
        names = ["id", *fields] if own_ids else list(fields)
        meta = model._meta
        self.fields = [meta.get_field(name) for name in names]
        self.adapt = [
            (index, _adapter(field))
            for index, field in enumerate(self.fields)
            if isinstance(field, ADAPTED)
        ]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"
        self.next_id = 1
        if own_ids:
            self.next_id = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.count = 0

    def ids(self, count: int) -> range:
        """`count` fresh primary keys for the next rows."""
        start = self.next_id
        self.next_id += count
        return range(start, self.next_id)

    def insert(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert rows (with their id first when the ids are ours)."""
        if not rows:
            return
        if self.adapt:
            rows = [self._adapted(row) for row in rows]
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, rows)
        self.count += len(rows)

    def _adapted(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for index, adapt in self.adapt:
            if values[index] is not None:
                values[index] = adapt(values[index])
        return tuple(values)

    def finish(self) -> None:
        """Move the id sequence past the ids handed out (where the database has one)."""
        if not self.own_ids:
            return
        statements = connection.ops.sequence_reset_sql(no_style(), [self.model])
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
