"""A RowHandler that writes in bulk: the fast path of large imports.

`apply` checks a row against what `prepare` looked up for its batch and keeps it
(`keep`); `flush` then writes the batch through `core.writes` (`check_many` and
`insert_many` for new objects, `update_many` for existing ones): one bulk insert or
update per batch, links and change records in bulk too. A row refused at that point
is answered with its error, so the runner names its line as usual.

The objects an import creates are logged by batch (`changelog.record_batch`): a record
of the batch with the count and the ids, and a lean record per object naming it; the
objects it changes get a record each with the changed fields before and after.

Rows may need supporting objects that do not exist yet (a customer, a tag): `new()`
makes one when it is first met (refusing it at once if the actor may not create such
objects at all). The flush checks the new ones of its batch together, one validation
per model, and refuses the rows that need one it refuses, naming the row's field; the
others are written, before the rows, in the flush of the first batch whose written rows
need them, so a refused row leaves none behind.
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
    # Whether prepare() reads the objects of every identity value of its batch (in the
    # import's transaction), so that a row it creates has an identity no object has:
    # the bulk write then checks that the rows' identities differ, not the database.
    identity_read = False

    def __init__(self, *, actor: User | None) -> None:
        self.actor = actor
        self._kept: list[Kept] = []
        self._may_create: dict[type, bool] = {}
        self._needs: dict[int, list[VersionedModel]] = {}  # id(kept) -> unsaved objects
        # Supporting objects from new(), by id(): not checked yet (with their row and the
        # import's field), and refused (with the reason, under that field).
        self._unchecked: dict[int, tuple[VersionedModel, Mapping[str, Any], str]] = {}
        self._refused: dict[int, tuple[VersionedModel, ValidationError]] = {}

    # --- for apply() -----------------------------------------------------------------------

    def may_create(self, model: type[VersionedModel]) -> bool:
        """May the actor create objects of `model` that hang under nothing (asked once)."""
        if self.actor is None:
            return True
        if model not in self._may_create:
            self._may_create[model] = permissions.can_create(self.actor, parent=None, model=model)
        return self._may_create[model]

    def new(self, model: type[VersionedModel], data: Mapping[str, Any], name: str):
        """A supporting object to create, for the import's field `name`. Refused at once
        (a ValidationError naming `name`) if the actor may not create such objects; checked
        when its batch is written, and if refused then, so is every row that needs it."""
        if not self.may_create(model):
            raise ValidationError({name: f"you may not create {model._meta.verbose_name_plural}"})
        (obj,) = writes.build_many(model=model, actor=self.actor, rows=[data])
        self._unchecked[id(obj)] = (obj, data, name)
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
        self._check_supporting()
        if self._refused:
            refused = {id(k): exc for k in kept if (exc := self._refusal(k)) is not None}
            results += [(k.row, refused[id(k)]) for k in kept if id(k) in refused]
            kept = [k for k in kept if id(k) not in refused]
        new = [k for k in kept if k.instance is None]
        objects, errors = writes.check_many(
            model=self.model,
            actor=self.actor,
            rows=[k.data for k in new],
            free=(self.identity,) if self.identity_read and self.identity else (),
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
                batch="import",
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

    def _check_supporting(self) -> None:
        """Check the supporting objects made since the last flush, one validation per
        model, and remember the refused ones."""
        unchecked, self._unchecked = list(self._unchecked.values()), {}
        for model in self.supporting_models:
            items = [item for item in unchecked if type(item[0]) is model]
            if not items:
                continue
            errors = writes.check_built(
                model=model,
                actor=self.actor,
                objects=[obj for obj, _data, _name in items],
                rows=[data for _obj, data, _name in items],
            )
            for index, exc in errors.items():
                obj, _data, name = items[index]
                messages = "; ".join(ValidationError(exc).messages)
                noun = model._meta.verbose_name
                problem = ValidationError({name: f"cannot create the {noun}: {messages}"})
                self._refused[id(obj)] = (obj, problem)

    def _refusal(self, kept: Kept) -> ValidationError | None:
        """Why a row cannot be written, if it needs supporting objects that were refused."""
        problems: dict[str, list[str]] = {}
        for obj in self._needs.get(id(kept), ()):
            if id(obj) in self._refused:
                for name, messages in self._refused[id(obj)][1].message_dict.items():
                    problems.setdefault(name, []).extend(messages)
        return ValidationError(problems) if problems else None

    def _create_supporting(self, kept: list[Kept], created: list[VersionedModel]) -> None:
        """Create the supporting objects these rows need, model by model (bulk_create
        picks up the ids of the ones created before: a contact's new customer)."""
        wanted: dict[int, VersionedModel] = {}
        for k in kept:
            wanted.update((id(obj), obj) for obj in self._needs.get(id(k), ()) if obj.pk is None)
        for model in self.supporting_models:
            objects = [obj for obj in wanted.values() if type(obj) is model]
            writes.insert_many(actor=self.actor, objects=objects, batch="import")
            created += objects

    def written(self, created: list[Kept], updated: list[Kept]) -> None:
        """After the batch's rows were written (each Kept's instance is its object)."""
