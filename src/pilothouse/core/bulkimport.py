"""A RowHandler that writes in bulk: the fast path of large imports.

`apply` checks a row against what `prepare` looked up for its batch and keeps it
(`keep`); `flush` then writes the batch through `core.writes` (`check_many` and
`insert_many` for new objects, `update_many` for existing ones): one bulk insert or
update per batch, links and change records in bulk too. A row refused at that point
is answered with its error, so the runner names its line as usual.

Rows may need supporting objects that do not exist yet (a customer, a tag): `new()`
checks one when it is first met; it is written, before the rows, in the flush of the
first batch whose written rows need it, so a refused row leaves none behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from pilothouse.core import permissions, writes
from pilothouse.core.imports import RowHandler, RowOutcome
from pilothouse.core.models import User, VersionedModel
from pilothouse.core.tabular import Row


@dataclass
class Kept:
    """A row kept for the batch's bulk write: the data of a new object (instance None)
    or the changed fields of an existing one, its many-to-many links, and anything the
    handler writes after it (`extra`)."""

    row: Row
    data: dict[str, Any]
    instance: VersionedModel | None = None
    m2m: dict[str, list[Any]] | None = None
    extra: Any = None


class BulkRowHandler(RowHandler):
    """Subclasses set `model` (and `supporting_models`, in the order they are created),
    and answer None from `apply` after `keep()`ing a row."""

    model: type[VersionedModel]
    supporting_models: Sequence[type[VersionedModel]] = ()
    row_savepoints = False

    def __init__(self, *, actor: User | None) -> None:
        self.actor = actor
        self._kept: list[Kept] = []
        self._may_create: dict[type, bool] = {}
        self._needs: dict[int, list[VersionedModel]] = {}  # id(kept) -> unsaved objects

    # --- for apply() -----------------------------------------------------------------------

    def may_create(self, model: type[VersionedModel]) -> bool:
        """May the actor create objects of `model` that hang under nothing (asked once)."""
        if self.actor is None:
            return True
        if model not in self._may_create:
            self._may_create[model] = permissions.can_create(self.actor, parent=None, model=model)
        return self._may_create[model]

    def new(self, model: type[VersionedModel], data: Mapping[str, Any], name: str):
        """A supporting object to create, checked now; a refusal is a ValidationError
        naming the import's field `name`."""
        if not self.may_create(model):
            raise ValidationError({name: f"you may not create {model._meta.verbose_name_plural}"})
        (obj,), errors = writes.check_many(model=model, actor=self.actor, rows=[data])
        if errors:
            messages = "; ".join(ValidationError(errors[0]).messages)
            noun = model._meta.verbose_name
            raise ValidationError({name: f"cannot create the {noun}: {messages}"})
        return obj

    def keep(self, kept: Kept, needs: Iterable[VersionedModel | None] = ()) -> None:
        """Keep a row for the flush, with the supporting objects it needs."""
        self._kept.append(kept)
        wanted = [obj for obj in needs if obj is not None and obj.pk is None]
        if wanted:
            self._needs[id(kept)] = wanted

    def require_change(self, instance: VersionedModel) -> None:
        if self.actor is not None and not permissions.can_change(self.actor, instance):
            noun = instance._meta.verbose_name
            raise PermissionDenied(f"you may not change the {noun} '{instance}'")

    # --- writing -----------------------------------------------------------------------------

    def flush(self) -> list[tuple[Row, RowOutcome | Exception]]:
        kept, self._kept = self._kept, []
        created: list[VersionedModel] = []
        try:
            return self._write(kept, created)
        except BaseException:
            for obj in created:  # rolled back with the flush: created again when needed
                obj.pk = None
                obj._state.adding = True
            raise
        finally:
            self._needs.clear()

    def _write(self, kept: list[Kept], created: list[VersionedModel]):
        results: list[tuple[Row, RowOutcome | Exception]] = []
        new = [k for k in kept if k.instance is None]
        objects, errors = writes.check_many(
            model=self.model, actor=self.actor, rows=[k.data for k in new]
        )
        results += [(new[index].row, exc) for index, exc in errors.items()]
        pairs = zip(new, objects, strict=True)
        accepted = [(k, obj) for index, (k, obj) in enumerate(pairs) if index not in errors]
        changes = [k for k in kept if k.instance is not None]
        self._create_supporting([k for k, _obj in accepted] + changes, created)
        if accepted:
            writes.insert_many(
                actor=self.actor,
                objects=[obj for _k, obj in accepted],
                m2m=[k.m2m for k, _obj in accepted],
            )
            for k, obj in accepted:
                k.instance = obj
            results += [(k.row, RowOutcome.CREATED) for k, _obj in accepted]
        while changes:
            try:
                writes.update_many(
                    actor=self.actor,
                    changes=[(k.instance, k.data) for k in changes],
                    m2m=[k.m2m for k in changes],
                )
            except writes.RefusedRows as refused:
                results += [(changes[index].row, exc) for index, exc in refused.errors.items()]
                changes = [k for index, k in enumerate(changes) if index not in refused.errors]
                continue
            results += [(k.row, RowOutcome.UPDATED) for k in changes]
            break
        self.written([k for k, _obj in accepted], changes)
        return results

    def _create_supporting(self, kept: list[Kept], created: list[VersionedModel]) -> None:
        """Create the supporting objects these rows need, model by model (bulk_create
        picks up the ids of the ones created before: a contact's new customer)."""
        wanted: dict[int, VersionedModel] = {}
        for k in kept:
            wanted.update((id(obj), obj) for obj in self._needs.get(id(k), ()) if obj.pk is None)
        for model in self.supporting_models:
            objects = [obj for obj in wanted.values() if type(obj) is model]
            writes.insert_many(actor=self.actor, objects=objects)
            created += objects

    def written(self, created: list[Kept], updated: list[Kept]) -> None:
        """After the batch's rows were written (each Kept's instance is its object)."""
