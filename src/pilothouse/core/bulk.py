"""Many rows at once: the validation, inserts and links behind `core.writes`' bulk path.

`validate_many` says what `full_clean` would say of each of many objects, with the
queries done for all of them together: each object's fields and `clean()` in Python;
uniqueness (unique fields, unique_together and plain UniqueConstraints) with one query
per rule and batch, duplicates within the batch included; a related object given by
id with one query per field and batch. A related object given as an instance was read
in the caller's transaction (or is about to be saved by the caller) and is not read
again: the database's foreign key stands behind it. Other constraints (with a
condition, expressions, checks) are validated per object, as `full_clean` does.

`insert` writes new objects like `QuerySet.bulk_create` (each field's `pre_save` and
database conversion, the ids read back with RETURNING), with less work per value, and
`insert_values` writes plain rows with one `executemany`; both are several times
faster than the ORM's insert compiler, which dominates large imports otherwise.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.db.models.expressions import DatabaseDefault
from django.db.models.fields import AutoFieldMixin

M = TypeVar("M", bound=models.Model)
IN_BATCH = 500  # values per `__in` lookup
ROWS_PER_INSERT = 500


def chunks(values: Sequence[Any], size: int = IN_BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- validation ---------------------------------------------------------------------------


@functools.cache
def _unique_checks(model: type[models.Model]) -> list[tuple[tuple[str, ...], str | None]]:
    """(field names, message or None for Django's own) of each uniqueness rule that a
    query over many objects can check."""
    opts = model._meta
    checks: list[tuple[tuple[str, ...], str | None]] = [
        ((field.name,), None)
        for field in opts.concrete_fields
        if field.unique and not field.primary_key
    ]
    checks += [(tuple(names), None) for names in opts.unique_together]
    for constraint in opts.total_unique_constraints:
        custom = constraint.violation_error_message != constraint.default_violation_error_message
        checks.append(
            (tuple(constraint.fields), constraint.get_violation_error_message() if custom else None)
        )
    return checks


@functools.cache
def _per_object_constraints(model: type[models.Model]) -> list[Any]:
    simple = set(map(id, model._meta.total_unique_constraints))
    return [c for c in model._meta.constraints if id(c) not in simple]


def _check_references(
    fields: Mapping[models.ForeignKey, Mapping[Any, list[int]]], problems: dict[int, dict]
) -> None:
    """Related objects given by id must exist (and match `limit_choices_to`)."""
    for field, wanted in fields.items():
        target = field.remote_field.field_name
        found: set[Any] = set()
        for chunk in chunks(list(wanted)):
            found.update(
                field.remote_field.model._base_manager.complex_filter(field.get_limit_choices_to())
                .filter(**{f"{target}__in": chunk})
                .values_list(target, flat=True)
            )
        for value, indexes in wanted.items():
            if value in found:
                continue
            error = ValidationError(
                field.error_messages["invalid"],
                code="invalid",
                params={
                    "model": field.remote_field.model._meta.verbose_name,
                    "pk": value,
                    "field": target,
                    "value": value,
                },
            )
            for index in indexes:
                problems.setdefault(index, {}).setdefault(field.name, []).append(error)


def _check_unique(
    model: type[models.Model], objects: Sequence[models.Model], problems: dict[int, dict], skip
) -> None:
    """Uniqueness against the database and within the batch, one query per check and batch."""
    for names, message in _unique_checks(model):
        attnames = [model._meta.get_field(name).attname for name in names]
        first: dict[tuple, int] = {}
        clashes: list[int] = []
        for index, obj in enumerate(objects):
            if index in skip or any(name in problems.get(index, {}) for name in names):
                continue
            key = tuple(getattr(obj, attname) for attname in attnames)
            if any(value is None for value in key):
                continue
            if key in first:
                clashes.append(index)
            else:
                first[key] = index
        keys = sorted({key[0] for key in first}, key=repr)
        for chunk in chunks(keys):
            rows = model._default_manager.filter(**{f"{attnames[0]}__in": chunk}).values_list(
                "pk", *attnames
            )
            for pk, *values in rows:
                index = first.get(tuple(values))
                if index is not None and objects[index].pk != pk:
                    clashes.append(index)
        for index in clashes:
            obj = objects[index]
            error = (
                ValidationError(message, code="unique")
                if message
                else obj.unique_error_message(model, names)
            )
            where = names[0] if len(names) == 1 else NON_FIELD_ERRORS
            problems.setdefault(index, {}).setdefault(where, []).append(error)


def _clean_fields(obj: models.Model, fields: Sequence[Any], exclude: Container[str]) -> None:
    """Model.clean_fields (for models that keep Django's), without the lookups it repeats."""
    errors = {}
    loaded = obj.__dict__
    for field in fields:
        if field.name in exclude:
            continue
        raw = loaded[field.attname] if field.attname in loaded else getattr(obj, field.attname)
        if field.blank and raw in field.empty_values:
            continue
        if isinstance(raw, DatabaseDefault):
            continue
        try:
            loaded[field.attname] = field.clean(raw, obj)
        except ValidationError as exc:
            errors[field.name] = exc.error_list
    if errors:
        raise ValidationError(errors)


@functools.cache
def _relations(model: type[models.Model]) -> tuple[Any, ...]:
    return tuple(f for f in model._meta.concrete_fields if f.many_to_one or f.one_to_one)


@functools.cache
def _defaulted(model: type[models.Model]) -> frozenset[str]:
    """Fields whose declared default is taken as valid when a write does not set them."""
    return frozenset(f.name for f in model._meta.concrete_fields if f.has_default())


def validate_many(
    model: type[models.Model],
    objects: Sequence[models.Model],
    *,
    skip: Container[int] = (),
    given: Sequence[Iterable[str]] | None = None,
) -> dict[int, ValidationError]:
    """What `full_clean` would say of each object (indexes in `skip` are left out), with
    the queries done for all of them at once; {index: ValidationError} of the invalid.

    `given[i]` names the fields the write sets on `objects[i]`: a field it does not set
    that has a default keeps it, which is not validated again."""
    problems: dict[int, dict[str, list]] = {}
    relations = _relations(model)
    defaulted = _defaulted(model)
    by_id: dict[Any, dict[Any, list[int]]] = {}
    constraints = _per_object_constraints(model)
    unset: dict[frozenset, set[str]] = {}
    own_clean_fields = model.clean_fields is not models.Model.clean_fields
    plain_fields = [f for f in model._meta.fields if not f.generated]
    for index, obj in enumerate(objects):
        if index in skip:
            continue
        names = frozenset(given[index]) if given is not None else frozenset(defaulted)
        if names not in unset:
            unset[names] = set(defaulted - names)
        exclude = set(unset[names])
        cache = obj._state.fields_cache
        for field in relations:
            if cache.get(field.cache_name) is not None:
                exclude.add(field.name)
            elif (value := obj.__dict__.get(field.attname)) is not None:
                exclude.add(field.name)
                by_id.setdefault(field, {}).setdefault(value, []).append(index)
        found: dict[str, list] = {}
        try:
            if own_clean_fields:
                obj.clean_fields(exclude=exclude)
            else:
                _clean_fields(obj, plain_fields, exclude)
        except ValidationError as exc:
            found = exc.update_error_dict(found)
        try:
            obj.clean()
        except ValidationError as exc:
            found = exc.update_error_dict(found)
        for constraint in constraints:
            try:
                constraint.validate(model, obj, exclude=set(found))
            except ValidationError as exc:
                found = exc.update_error_dict(found)
        if found:
            problems[index] = found
    _check_references(by_id, problems)
    _check_unique(model, objects, problems, skip)
    return {index: ValidationError(found) for index, found in sorted(problems.items())}


# --- building and writing -----------------------------------------------------------------


@functools.cache
def _init_plan(model: type[models.Model]) -> tuple[tuple[Any, ...], frozenset[str]]:
    """(field, for a foreign key the related object's attname that it holds) of each
    concrete field, and the names a row may use."""
    fields = tuple(
        (f, f.target_field.attname if f.many_to_one or f.one_to_one else None)
        for f in model._meta.concrete_fields
    )
    return fields, frozenset(name for f, _target in fields for name in (f.name, f.attname))


def build(model: type[M], rows: Iterable[Mapping[str, Any]]) -> list[M]:
    """`model(**row)` for each row (keys: field names, or attnames for ids): each field
    gets the row's value or its default, related objects are cached as their descriptors
    would. Without post_init receivers the objects are made as unpickling makes them,
    several times cheaper than __init__ for many rows."""
    plan, known = _init_plan(model)
    direct = not models.signals.post_init.has_listeners(model)
    objects = []
    for row in rows:
        if not row.keys() <= known:
            unknown = ", ".join(sorted(row.keys() - known))
            raise TypeError(f"{model.__name__} has no field named {unknown}")
        values: dict[str, Any] = {}
        related = []
        for field, target in plan:
            if field.name in row:
                value = row[field.name]
                if target is not None:
                    if value is not None and not isinstance(value, field.related_model):
                        model_name = field.related_model.__name__
                        raise ValueError(f"{field.name} must be a {model_name}, not {value!r}")
                    related.append((field.cache_name, value))
                    value = None if value is None else value.__dict__.get(target)
            elif field.attname in row:
                value = row[field.attname]
            else:
                value = field.get_default()
            values[field.attname] = value
        if direct:
            obj = model.__new__(model)
            obj._state = models.base.ModelState()
            obj.__dict__.update(values)
        else:
            obj = model(**values)
        cache = obj._state.fields_cache
        for name, value in related:
            cache[name] = value
        objects.append(obj)
    return objects


def _connection(model: type[models.Model]):
    return connections[router.db_for_write(model)]


def _prepare_relations(obj: models.Model, relations: Sequence[Any]) -> None:
    """Take the ids of related objects saved since they were assigned (as save() does)."""
    loaded, cache = obj.__dict__, obj._state.fields_cache
    for field in relations:
        if loaded.get(field.attname) is None:
            related = cache.get(field.cache_name)
            if related is not None:
                if related.pk is None:
                    raise ValueError(f"{field.name}: the related object was never saved")
                loaded[field.attname] = related.pk  # keeps the cached object


_TEXT = {models.CharField, models.TextField, models.EmailField, models.SlugField, models.URLField}
_WHOLE = {
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
}


@functools.cache
def _as_is(field: Any) -> frozenset[type]:
    """The types of the values that go to the database as they are for this field (its
    conversion gives them back unchanged): None for Django's own fields, str for its
    text fields, int for its integer fields and for foreign keys to those. The field
    converts anything else."""
    kind = type(field)
    if not kind.__module__.startswith("django."):
        return frozenset()
    if kind in _TEXT:
        return frozenset({type(None), str})
    if kind in _WHOLE or (kind is models.ForeignKey and type(field.target_field) in _WHOLE):
        return frozenset({type(None), int})
    return frozenset({type(None)})


def _convert(field: Any, connection) -> Callable[[Any], Any]:
    as_is, prepare = _as_is(field), field.get_db_prep_save
    return lambda value: value if type(value) in as_is else prepare(value, connection)


def _insert_plan(objects: Sequence[models.Model], fields: Sequence[Any], connection):
    """(attname, pre_save or None, types taken as they are, conversion, stamp) per field;
    auto_now(_add) fields get one moment for the whole insert (`stamp`: (value, converted
    value))."""
    plan = []
    for field in fields:
        stamp = None
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = field.pre_save(objects[0], True)
            stamp = (value, field.get_db_prep_save(value, connection))
        own = type(field).pre_save is not models.Field.pre_save
        pre_save = field.pre_save if own else None
        plan.append((field.attname, pre_save, _as_is(field), field.get_db_prep_save, stamp))
    return plan


def _max_params(connection) -> int:
    """Parameters one statement may take: SQLite's own limit (32,766 since 3.32) where
    Python can read it, rather than Django's cautious 999."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        getlimit = getattr(connection.connection, "getlimit", None)
        if getlimit is not None:
            return getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65535


def insert(objects: Sequence[models.Model]) -> None:
    """INSERT new objects of one model (without ids) and set their ids."""
    if not objects:
        return
    model = type(objects[0])
    opts = model._meta
    connection = _connection(model)
    pk = opts.pk
    if (
        not connection.features.can_return_rows_from_bulk_insert
        or not isinstance(pk, AutoFieldMixin)
        or any(obj.pk is not None for obj in objects)
    ):
        model._default_manager.bulk_create(objects)
        return
    fields = [f for f in opts.concrete_fields if not f.generated and f is not pk]
    relations = [f for f in fields if f.is_relation]
    plan = _insert_plan(objects, fields, connection)
    rows = []
    for obj in objects:
        _prepare_relations(obj, relations)
        state = obj.__dict__
        row = []
        for attname, pre_save, as_is, prepare, stamp in plan:
            if stamp is not None:
                state[attname] = stamp[0]
                row.append(stamp[1])
                continue
            value = state[attname] if pre_save is None else pre_save(obj, True)
            if type(value) in as_is:
                row.append(value)
            elif hasattr(value, "resolve_expression"):  # an expression: the ORM's business
                model._default_manager.bulk_create(objects)
                return
            else:
                row.append(prepare(value, connection))
        rows.append(row)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = min(ROWS_PER_INSERT, _max_params(connection) // len(fields))
    statements: dict[int, str] = {}
    done = 0
    with connection.cursor() as cursor:
        for batch in chunks(rows, max(size, 1)):
            if len(batch) not in statements:
                statements[len(batch)] = (
                    f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES "
                    f"{', '.join([placeholders] * len(batch))} RETURNING {quote(pk.column)}"
                )
            cursor.execute(statements[len(batch)], [value for row in batch for value in row])
            ids = [row[0] for row in cursor.fetchall()]
            if len(ids) != len(batch):
                raise RuntimeError("the database did not return the ids of the new rows")
            for obj, pk_value in zip(objects[done : done + len(batch)], ids, strict=True):
                obj.pk = pk_value
                obj._state.adding = False
                obj._state.db = connection.alias
            done += len(batch)


def insert_values(
    model: type[models.Model],
    names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
) -> int:
    """INSERT plain rows (tuples of values of the fields or attnames `names`, and the
    same `constants` in every row) with one executemany, each value converted by its
    field; answers the row count."""
    opts = model._meta
    connection = _connection(model)
    fields = [opts.get_field(name) for name in names]
    converters = [_convert(field, connection) for field in fields]
    fixed = [
        opts.get_field(name).get_db_prep_save(value, connection)
        for name, value in (constants or {}).items()
    ]
    params = [
        [convert(value) for convert, value in zip(converters, row, strict=True)] + fixed
        for row in rows
    ]
    if params:
        fields += [opts.get_field(name) for name in constants or {}]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES "
                f"({', '.join(['%s'] * len(fields))})",
                params,
            )
    return len(params)


SQLITE_CACHE_KIB = 65_536


@contextlib.contextmanager
def large_writes(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Settings for writing rows by the hundred thousand, as they were afterwards: the
    garbage collector runs less often (an import makes objects by the hundred thousand,
    most of them short-lived), and SQLite keeps up to 64 MB of pages in memory rather
    than 2 MB, so that a large transaction is not spilled to disk before its commit
    (together about 20 % faster)."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    connection = connections[using]
    cache_size = None
    try:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size")
                cache_size = int(cursor.fetchone()[0])
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        yield
    finally:
        gc.set_threshold(*threshold)
        if cache_size is not None and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {cache_size}")


# --- many-to-many links -------------------------------------------------------------------


def link_fields(model: type[models.Model]) -> dict[str, tuple[Any, str, str]]:
    """{many-to-many field: (through model, source id column, target id column)}."""
    links = {}
    for field in model._meta.many_to_many:
        through = field.remote_field.through
        source = through._meta.get_field(field.m2m_field_name()).attname
        target = through._meta.get_field(field.m2m_reverse_field_name()).attname
        links[field.name] = (through, source, target)
    return links


def ids_of(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(v.pk if isinstance(v, models.Model) else v for v in values))


def links_of(model: type[models.Model], pks: Sequence[Any]) -> dict[str, dict[Any, list]]:
    """{many-to-many field: {object id: linked ids}}: one query per field and batch."""
    found: dict[str, dict[Any, list]] = {}
    for name, (through, source, target) in link_fields(model).items():
        links = found[name] = {}
        for chunk in chunks(list(pks)):
            for pk, other in through._default_manager.filter(
                **{f"{source}__in": chunk}
            ).values_list(source, target):
                links.setdefault(pk, []).append(other)
    return found


def add_links(model: type[models.Model], links: Sequence[tuple[Any, str, list]]) -> None:
    """Write (object id, field, target ids) links with one executemany per field."""
    fields = link_fields(model)
    rows: dict[str, list] = {}
    for pk, name, targets in links:
        rows.setdefault(name, []).extend((pk, target) for target in targets)
    for name, pairs in rows.items():
        through, source, target = fields[name]
        insert_values(through, (source, target), pairs)
