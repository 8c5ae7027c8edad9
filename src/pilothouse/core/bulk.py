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
import datetime as dt
import functools
import gc
import operator
import sys
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core import validators
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.db.models.expressions import DatabaseDefault
from django.db.models.fields import AutoFieldMixin

M = TypeVar("M", bound=models.Model)
IN_BATCH = 1000  # values per `__in` lookup: an import batch's worth
ROWS_PER_INSERT = 500
ROWS_PER_UPDATE = 500


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
    model: type[models.Model],
    objects: Sequence[models.Model],
    problems: dict[int, dict],
    skip: Container[int],
    free: Container[str] = (),
) -> None:
    """Uniqueness against the database and within the batch, one query per check and
    batch; a field in `free` is checked within the batch only."""
    for names, message in _unique_checks(model):
        attnames = [model._meta.get_field(name).attname for name in names]
        value_of = operator.attrgetter(*attnames)
        first: dict[tuple, int] = {}
        clashes: list[int] = []
        for index, obj in enumerate(objects):
            if index in skip or (
                index in problems and any(name in problems[index] for name in names)
            ):
                continue
            key = value_of(obj) if len(attnames) > 1 else (value_of(obj),)
            if None in key:
                continue
            if key in first:
                clashes.append(index)
            else:
                first[key] = index
        keys = [] if len(names) == 1 and names[0] in free else {key[0] for key in first}
        for chunk in chunks(sorted(keys, key=repr)):
            rows = (
                model._default_manager.filter(**{f"{attnames[0]}__in": chunk})
                .order_by()
                .values_list("pk", *attnames)
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


def _clean_fields(obj: models.Model, plan: Sequence[tuple[Any, Any]]) -> dict[str, list]:
    """Model.clean_fields (for models that keep Django's) over the fields of `plan`, with
    their quick checks ((field, check or None) each): the errors by field."""
    errors = {}
    loaded = obj.__dict__
    for field, quick in plan:
        raw = loaded[field.attname] if field.attname in loaded else getattr(obj, field.attname)
        if quick is not None and quick(raw):
            continue
        if field.blank and raw in field.empty_values:
            continue
        if isinstance(raw, DatabaseDefault):
            continue
        try:
            loaded[field.attname] = field.clean(raw, obj)
        except ValidationError as exc:
            errors[field.name] = exc.error_list
    return errors


@functools.cache
def _clean_plan(model: type[models.Model], left_out: frozenset[str]) -> tuple[tuple[Any, Any], ...]:
    """The fields `_clean_fields` checks, with their quick checks: all but the relations
    (`validate_many` checks those) and the fields `left_out`."""
    return tuple(
        (f, _quick_check(f))
        for f in model._meta.fields
        if not f.generated and not (f.many_to_one or f.one_to_one) and f.name not in left_out
    )


def _quick_check(field: Any) -> Callable[[Any], bool] | None:
    """A test that answers True only for values that `field.clean` gives back as they
    are, without calling it: Django's own text, date-time and number fields, with the
    validators Django gives them (lengths, bounds, no NUL character) and their choices.
    A value of another type, an empty one or one the test doubts answers False, and
    `field.clean` decides (and words the error). None: no test for this field (another
    class of field, or a validator of another kind)."""
    kind = _QUICK_TYPES.get(type(field))
    if kind is None:
        return None
    shortest, longest, low, high, no_nul = 0, sys.maxsize, None, None, False
    for validator in field.validators:
        rule, limit = type(validator), getattr(validator, "limit_value", None)
        if kind is str and rule is validators.ProhibitNullCharactersValidator:
            no_nul = True
        elif kind is str and rule is validators.MaxLengthValidator and type(limit) is int:
            longest = min(longest, limit)
        elif kind is str and rule is validators.MinLengthValidator and type(limit) is int:
            shortest = max(shortest, limit)
        elif kind is str or type(limit) not in _NUMBERS:
            return None
        elif rule is validators.MaxValueValidator:
            high = limit if high is None else min(high, limit)
        elif rule is validators.MinValueValidator:
            low = limit if low is None else max(low, limit)
        else:
            return None
    keys = None
    if field.editable and field.choices is not None:  # Field.validate skips the others
        try:
            keys = frozenset(key for key, _label in field.flatchoices)
        except TypeError:  # choices that cannot be hashed
            return None
    if kind is str:

        def text(value: Any) -> bool:
            return (
                type(value) is str
                and shortest <= len(value) <= longest
                and value != ""
                and (keys is None or value in keys)
                and not (no_nul and "\x00" in value)
            )

        return text

    def other(value: Any) -> bool:
        return (
            type(value) is kind
            and (low is None or value >= low)
            and (high is None or value <= high)
            and (keys is None or value in keys)
        )

    return other


@functools.cache
def _relations(model: type[models.Model]) -> tuple[tuple[Any, str, str, str], ...]:
    """(field, name, cache name, attname) of each foreign key and one-to-one field."""
    return tuple(
        (f, f.name, f.cache_name, f.attname)
        for f in model._meta.concrete_fields
        if f.many_to_one or f.one_to_one
    )


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
    free: Container[str] = (),
) -> dict[int, ValidationError]:
    """What `full_clean` would say of each object (indexes in `skip` are left out), with
    the queries done for all of them at once; {index: ValidationError} of the invalid.

    `given[i]` names the fields the write sets on `objects[i]`: a field it does not set
    that has a default keeps it, which is not validated again. `free` names unique
    fields whose values the caller knows no stored object has (it read the objects with
    these values in its transaction): they are checked within `objects` only."""
    problems: dict[int, dict[str, list]] = {}
    relations = _relations(model)
    defaulted = _defaulted(model)
    by_id: dict[Any, dict[Any, list[int]]] = {}
    constraints = _per_object_constraints(model)
    left_out_by_given: dict[frozenset, frozenset[str]] = {}
    own_clean_fields = model.clean_fields is not models.Model.clean_fields
    for index, obj in enumerate(objects):
        if index in skip:
            continue
        names = frozenset(given[index]) if given is not None else frozenset(defaulted)
        if names not in left_out_by_given:
            left_out_by_given[names] = frozenset(defaulted - names)
        left_out = left_out_by_given[names]
        cache, loaded = obj._state.fields_cache, obj.__dict__
        referenced = []  # relations to an object (given as one: read; by id: checked below)
        empty = []  # relations to no object
        for field, name, cache_name, attname in relations:
            if name in left_out:
                continue
            if cache.get(cache_name) is not None:
                referenced.append(name)
            elif (value := loaded.get(attname)) is not None:
                referenced.append(name)
                by_id.setdefault(field, {}).setdefault(value, []).append(index)
            else:
                empty.append(field)
        found: dict[str, list] = {}
        try:
            if own_clean_fields:
                obj.clean_fields(exclude={*left_out, *referenced})
            else:
                found.update(_clean_fields(obj, _clean_plan(model, left_out)))
                for field in empty:
                    if not field.blank:
                        try:
                            field.clean(None, obj)
                        except ValidationError as exc:
                            found[field.name] = exc.error_list
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
    _check_unique(model, objects, problems, skip, free)
    return {index: ValidationError(found) for index, found in sorted(problems.items())}


# --- building and writing -----------------------------------------------------------------


@dataclass(frozen=True)
class _InitPlan:
    """How `build` makes objects of a model: what each key a row may use sets, and the
    default of each field a row leaves out."""

    keys: Mapping[str, tuple[str, str | None, Any]]  # key -> (attname, FK target, field)
    defaults: Mapping[str, Any]  # attname -> a default that is the same every time
    computed: tuple[tuple[Any, Any], ...]  # (field, get_default) of the other defaults


def _constant_default(field: Any) -> bool:
    """Whether `field.get_default()` gives the same value every time (a plain default,
    or None / "" for a field without one) rather than computing it (a callable, a
    database default, a foreign key's default object)."""
    if type(field).get_default is not models.Field.get_default:
        return not field.has_default() and not field.has_db_default()
    if field.has_default():
        return not callable(field.default)
    return not field.has_db_default()


@functools.cache
def _init_plan(model: type[models.Model]) -> _InitPlan:
    keys: dict[str, tuple[str, str | None, Any]] = {}
    defaults: dict[str, Any] = {}
    computed = []
    for field in model._meta.concrete_fields:
        target = field.target_field.attname if field.many_to_one or field.one_to_one else None
        keys[field.attname] = (field.attname, None, field)
        keys[field.name] = (field.attname, target, field)
        if _constant_default(field):
            defaults[field.attname] = field.get_default()
        else:
            computed.append((field, field.get_default))
    return _InitPlan(keys, defaults, tuple(computed))


def _assign(
    model: type[models.Model], keys: Mapping[str, tuple], row: Mapping[str, Any], values, related
) -> None:
    """Put a row's values (by field name or attname) into `values` (by attname), and its
    related objects into `related` as (cache name, object)."""
    for key, value in row.items():
        entry = keys.get(key)
        if entry is None:
            unknown = ", ".join(sorted(k for k in row if k not in keys))
            raise TypeError(f"{model.__name__} has no field named {unknown}")
        attname, target, field = entry
        if target is not None:
            if value is not None and not isinstance(value, field.related_model):
                model_name = field.related_model.__name__
                raise ValueError(f"{field.name} must be a {model_name}, not {value!r}")
            related.append((field.cache_name, value))
            value = None if value is None else value.__dict__.get(target)
        elif key != field.name and field.name in row:
            continue  # an id given with its related object: the object wins
        values[attname] = value


def build(
    model: type[M],
    rows: Iterable[Mapping[str, Any]],
    constants: Mapping[str, Any] | None = None,
) -> list[M]:
    """`model(**row, **constants)` for each row (keys: field names, or attnames for ids):
    each field gets the row's value (or the constant's) or its default, related objects
    are cached as their descriptors would. Without post_init receivers the objects are
    made as unpickling makes them, several times cheaper than __init__ for many rows."""
    plan = _init_plan(model)
    keys, defaults = plan.keys, plan.defaults
    fixed: dict[str, Any] = {}
    fixed_related: list[tuple[str, Any]] = []
    _assign(model, keys, constants or {}, fixed, fixed_related)
    direct = not models.signals.post_init.has_listeners(model)
    objects = []
    for row in rows:
        if direct:
            obj = model.__new__(model)
            obj._state = models.base.ModelState()
            values = obj.__dict__
        else:
            values = {}
        values.update(defaults)
        related: list[tuple[str, Any]] = []
        _assign(model, keys, row, values, related)
        values.update(fixed)
        for field, default in plan.computed:
            if field.attname not in values:
                values[field.attname] = default()
        if not direct:
            obj = model(**values)
        cache = obj._state.fields_cache
        for name, value in related:
            cache[name] = value
        for name, value in fixed_related:
            cache[name] = value
        objects.append(obj)
    return objects


def _connection(model: type[models.Model]):
    return connections[router.db_for_write(model)]


def _saved_id(field: Any, related: models.Model) -> Any:
    """The id of a related object assigned before it was saved (as save() takes it)."""
    if related.pk is None:
        raise ValueError(f"{field.name}: the related object was never saved")
    return related.pk


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


_NUMBERS = (int, float)
_QUICK_TYPES: dict[type, type] = {  # Django's fields whose to_python keeps these values
    models.CharField: str,
    models.TextField: str,
    models.DateTimeField: dt.datetime,
    models.FloatField: float,
    **{kind: int for kind in _WHOLE if not issubclass(kind, AutoFieldMixin)},
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


def _preparer(field: Any, connection) -> Callable[[Any], Any]:
    """`field.get_db_prep_save(value, connection)`, with a shorter way for the values that
    large writes have most: an aware date-time and a JSON object or list go straight to
    the database's adapter, which is where get_db_prep_save sends them."""
    prepare = field.get_db_prep_save
    if type(field) is models.DateTimeField:
        adapt = connection.ops.adapt_datetimefield_value

        def moment(value: Any) -> Any:
            if type(value) is dt.datetime and value.utcoffset() is not None:
                return adapt(value)
            return prepare(value, connection)

        return moment
    if type(field) is models.JSONField:
        adapt_json, encoder = connection.ops.adapt_json_value, field.encoder

        def document(value: Any) -> Any:
            if type(value) is dict or type(value) is list:
                return adapt_json(value, encoder)
            return prepare(value, connection)

        return document
    return lambda value: prepare(value, connection)


def _plain_pre_save(field: Any) -> bool:
    """Whether the field's pre_save only reads the value (Field's own, or a date field's
    without auto_now or auto_now_add)."""
    if type(field).pre_save is models.Field.pre_save:
        return True
    dated = type(field) in (models.DateField, models.DateTimeField)
    return dated and not field.auto_now and not field.auto_now_add


def _insert_plan(objects: Sequence[models.Model], fields: Sequence[Any], connection):
    """(attname, pre_save or None, types taken as they are, conversion, stamp, relation)
    per field; auto_now(_add) fields get one moment for the whole insert (`stamp`: (value,
    converted value)); `relation` is the field of a foreign key, else None."""
    plan = []
    for field in fields:
        stamp = None
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = field.pre_save(objects[0], True)
            stamp = (value, field.get_db_prep_save(value, connection))
        pre_save = None if _plain_pre_save(field) else field.pre_save
        relation = field if field.is_relation else None
        plan.append(
            (field.attname, pre_save, _as_is(field), _preparer(field, connection), stamp, relation)
        )
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
        or any(value is not None for value in map(operator.attrgetter(pk.attname), objects))
    ):
        model._default_manager.bulk_create(objects)
        return
    fields = [f for f in opts.concrete_fields if not f.generated and f is not pk]
    plan = _insert_plan(objects, fields, connection)
    rows = []
    for obj in objects:
        state, cache = obj.__dict__, obj._state.fields_cache
        row = []
        for attname, pre_save, as_is, prepare, stamp, relation in plan:
            if stamp is not None:
                state[attname] = stamp[0]
                row.append(stamp[1])
                continue
            value = state[attname] if pre_save is None else pre_save(obj, True)
            if value is None and relation is not None:  # saved since it was assigned?
                related = cache.get(relation.cache_name)
                if related is not None:
                    value = state[attname] = _saved_id(relation, related)
            if type(value) in as_is:
                row.append(value)
            elif hasattr(value, "resolve_expression"):  # an expression: the ORM's business
                model._default_manager.bulk_create(objects)
                return
            else:
                row.append(prepare(value))
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
    plan = [(_as_is(field), _preparer(field, connection)) for field in fields]
    fixed = [
        opts.get_field(name).get_db_prep_save(value, connection)
        for name, value in (constants or {}).items()
    ]
    params = [
        [
            value if type(value) in as_is else prepare(value)
            for (as_is, prepare), value in zip(plan, row, strict=True)
        ]
        + fixed
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
    most of them short-lived), SQLite keeps up to 64 MB of pages in memory rather than
    2 MB, so that a large transaction is not spilled to disk before its commit, and keeps
    its temporary files in memory: above all the sub-journal, where it saves each page
    before a savepoint first changes it (an import writes each batch in a savepoint),
    otherwise written to a temporary file page by page (a few per cent faster, and the
    import's system time a third of what it was).
    SQLite takes a transaction's temp_store when it begins, and refuses to change it
    within one: inside a transaction already open, the temporary files stay as they are."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    connection = connections[using]
    pragmas = {"cache_size": f"-{SQLITE_CACHE_KIB}"}
    if not connection.in_atomic_block:
        pragmas["temp_store"] = "MEMORY"
    before: dict[str, str] = {}
    try:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                for name, value in pragmas.items():
                    cursor.execute(f"PRAGMA {name}")
                    before[name] = str(cursor.fetchone()[0])
                    cursor.execute(f"PRAGMA {name} = {value}")
        yield
    finally:
        gc.set_threshold(*threshold)
        if before and connection.connection is not None:
            with connection.cursor() as cursor:
                for name, value in before.items():
                    cursor.execute(f"PRAGMA {name} = {value}")


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
