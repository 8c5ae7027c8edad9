"""The bulk write path (core/writes.py create_many, update_many; core/bulk.py): the same
permissions, validation and change log as the one-object path, in a fixed number of
queries per batch, and nothing written when a row is refused."""

from __future__ import annotations

import gc
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pilothouse.core import bulk, changelog, writes
from pilothouse.core.bulkimport import BulkRowHandler, Kept
from pilothouse.core.imports import FieldSpec, RowOutcome, run_import
from pilothouse.core.models import ChangeAction, ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.core.tabular import Row
from pilothouse.portfolio import services as portfolio
from pilothouse.portfolio.models import Product, ProductArea, ProductLine
from pilothouse.roadmap.models import Feature
from pilothouse.strategy.models import Initiative
from tests.api.helpers import changes_of, unchanged
from tests.factories import ObjectiveFactory, ProductFactory, ProductLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm(make_user):
    return make_user(Role.PRODUCT_MANAGER, username="pm")


def products(line, count, start=0, **extra):
    return [
        {"name": f"Product {i}", "key": f"P{i:04d}", "product_line": line, **extra}
        for i in range(start, start + count)
    ]


# --- create_many ------------------------------------------------------------------------------


def test_create_many_writes_objects_with_ids_and_one_change_record_each(leader):
    line = ProductLineFactory()
    created = writes.create_many(model=Product, actor=leader, rows=products(line, 3))
    assert [p.pk for p in created] == sorted(p.pk for p in Product.objects.all())
    for product in created:
        product.refresh_from_db()
        assert (product.version, product.created_by, product.updated_by) == (1, leader, leader)
        record = changes_of(Product, product.pk).get()
        assert (record.action, record.actor, record.before) == (ChangeAction.CREATE, leader, {})
        assert record.object_repr == str(product)
    assert ChangeRecord.objects.count() == 3


def test_the_change_log_of_a_bulk_create_is_that_of_a_single_create(leader):
    line = ProductLineFactory()
    row = {"name": "Billing", "key": "BIL", "product_line": line, "arr": Decimal("10.5")}
    single = portfolio.product.create(actor=leader, data=row)
    (many,) = writes.create_many(model=Product, actor=leader, rows=[{**row, "key": "BIM"}])
    one, other = (changes_of(Product, p.pk).get() for p in (single, many))
    assert {**one.after, "key": "BIM"} == other.after
    assert one.after["arr"] == "10.50"


def test_create_many_sets_many_to_many_links_and_logs_them(leader):
    objectives = [ObjectiveFactory(), ObjectiveFactory()]
    first, second = writes.create_many(
        model=Initiative,
        actor=leader,
        rows=[{"title": "One"}, {"title": "Two"}],
        m2m=[{"objectives": objectives}, {"objectives": [objectives[1].pk]}],
    )
    assert sorted(o.pk for o in first.objectives.all()) == sorted(o.pk for o in objectives)
    assert [o.pk for o in second.objectives.all()] == [objectives[1].pk]
    assert changes_of(Initiative, second.pk).get().after["objectives"] == [objectives[1].pk]


def test_invalid_rows_are_refused_by_index_and_field_and_nothing_is_written(leader):
    line = ProductLineFactory()
    rows = products(line, 3)
    rows[1]["key"] = "bad key"
    rows[2]["name"] = "x" * 121
    with unchanged(Product), pytest.raises(writes.RefusedRows) as caught:
        writes.create_many(model=Product, actor=leader, rows=rows)
    assert sorted(caught.value.errors) == [1, 2]
    assert set(caught.value.errors[1].message_dict) == {"key"}
    assert set(caught.value.errors[2].message_dict) == {"name"}
    assert set(caught.value.message_dict) == {"rows[1].key", "rows[2].name"}
    assert isinstance(caught.value, ValidationError)  # the API answers 422


def test_uniqueness_is_checked_against_the_database_and_within_the_rows(leader):
    line = ProductLineFactory()
    ProductFactory(key="TAKEN", product_line=line)
    rows = products(line, 3)
    rows[0]["key"] = "TAKEN"
    rows[2]["key"] = rows[1]["key"]
    objects, errors = writes.check_many(model=Product, actor=leader, rows=rows)
    assert len(objects) == 3
    assert sorted(errors) == [0, 2]
    assert errors[0].message_dict == {"key": ["Product with this Key already exists."]}
    assert errors[2].message_dict == {"key": ["Product with this Key already exists."]}


def test_a_field_the_caller_found_free_is_checked_within_the_rows_only(leader):
    line = ProductLineFactory()
    ProductFactory(key="TAKEN", product_line=line)
    rows = products(line, 3)
    rows[0]["key"] = "TAKEN"  # the caller says no stored product has it: not asked again
    rows[2]["key"] = rows[1]["key"]
    with CaptureQueriesContext(connection) as free:
        _objects, errors = writes.check_many(model=Product, actor=leader, rows=rows, free={"key"})
    assert sorted(errors) == [2]
    assert errors[2].message_dict == {"key": ["Product with this Key already exists."]}
    with CaptureQueriesContext(connection) as asked:
        writes.check_many(model=Product, actor=leader, rows=rows)
    assert len(asked) == len(free) + 1


def test_unique_constraints_over_several_fields(leader):
    product = ProductFactory()
    ProductArea.objects.create(product=product, name="Onboarding")
    rows = [
        {"product": product, "name": "Onboarding"},
        {"product": product, "name": "Billing"},
        {"product": product, "name": "Billing"},
    ]
    _objects, errors = writes.check_many(model=ProductArea, actor=leader, rows=rows)
    assert sorted(errors) == [0, 2]
    assert "__all__" in errors[0].message_dict


def test_related_objects_given_by_id_must_exist(leader):
    line = ProductLineFactory()
    rows = [
        {"name": "A", "key": "AAA", "product_line_id": line.pk},
        {"name": "B", "key": "BBB", "product_line_id": 999_999},
    ]
    _objects, errors = writes.check_many(model=Product, actor=leader, rows=rows)
    assert list(errors) == [1]
    assert "product_line" in errors[1].message_dict
    assert "999999" in errors[1].message_dict["product_line"][0]


def test_a_required_field_left_out_is_refused(leader):
    _objects, errors = writes.check_many(model=ProductLine, actor=leader, rows=[{}])
    assert errors[0].message_dict == {"name": ["This field cannot be blank."]}


def test_permission_is_asked_once_per_parent_and_refuses_by_row(pm, monkeypatch):
    mine, theirs = ProductLineFactory(owner=pm), ProductLineFactory()
    asked = []
    original = writes.permissions.can_create

    def counting(user, *, parent, model=None):
        asked.append(parent)
        return original(user, parent=parent, model=model)

    monkeypatch.setattr(writes.permissions, "can_create", counting)
    rows = products(mine, 3) + products(theirs, 2, start=3)
    with unchanged(Product), pytest.raises(writes.RefusedRows) as caught:
        writes.create_many(model=Product, actor=pm, rows=rows)
    assert sorted(caught.value.errors) == [3, 4]
    assert all(isinstance(e, PermissionDenied) for e in caught.value.errors.values())
    assert asked == [mine, theirs]
    assert len(writes.create_many(model=Product, actor=pm, rows=rows[:3])) == 3


def test_the_system_needs_no_permission(viewer):
    (line,) = writes.create_many(model=ProductLine, actor=None, rows=[{"name": "Seeded"}])
    assert line.created_by is None
    assert ChangeRecord.objects.get().actor is None


def test_insert_many_logs_a_batch_when_asked(leader):
    objectives = [ObjectiveFactory(), ObjectiveFactory()]
    objects, errors = writes.check_many(
        model=Initiative,
        actor=leader,
        rows=[{"title": "One"}, {"title": "Two"}],
    )
    assert errors == {}
    writes.insert_many(
        actor=leader, objects=objects, m2m=[{"objectives": objectives}, None], batch="import"
    )
    batch = changes_of(Initiative, changelog.BATCH_OBJECT_ID).get()
    assert batch.after == {"count": 2, "ids": changelog.id_ranges(o.pk for o in objects)}
    for obj in objects:
        assert changes_of(Initiative, obj.pk).get().after == {
            "import": f"batch {batch.pk}: 2 initiatives"
        }
    links = sorted(o.pk for o in objects[0].objectives.all())
    assert links == sorted(o.pk for o in objectives)  # the links are written all the same


def test_unsaved_related_objects_are_picked_up_once_saved(leader):
    line = ProductLine(name="New line")
    objects, errors = writes.check_many(
        model=Product, actor=leader, rows=[{"name": "A", "key": "AAA", "product_line": line}]
    )
    assert errors == {}
    writes.insert_many(actor=leader, objects=[line])
    writes.insert_many(actor=leader, objects=objects)
    assert Product.objects.get().product_line == line
    objects, _ = writes.check_many(
        model=Product,
        actor=leader,
        rows=[{"name": "B", "key": "BBB", "product_line": ProductLine(name="Unsaved")}],
    )
    with pytest.raises(ValueError, match="never saved"):
        writes.insert_many(actor=leader, objects=objects)


def test_create_many_is_all_or_nothing_when_the_change_log_fails(leader, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("log unavailable")

    monkeypatch.setattr(writes.changelog, "record_many", broken)
    with unchanged(ProductLine), pytest.raises(RuntimeError):
        writes.create_many(model=ProductLine, actor=leader, rows=[{"name": "Half"}])


def test_build_refuses_unknown_fields_and_wrong_related_objects():
    with pytest.raises(TypeError, match="no field named colour"):
        bulk.build(ProductLine, [{"name": "A", "colour": "red"}])
    with pytest.raises(ValueError, match="product_line must be a ProductLine"):
        bulk.build(Product, [{"name": "A", "product_line": ProductFactory()}])


# --- update_many ------------------------------------------------------------------------------


def test_update_many_writes_only_what_changed_and_logs_the_difference(leader):
    line = ProductLineFactory()
    a, b, c = (ProductFactory(product_line=line, arr=Decimal(100)) for _ in range(3))
    old_name = a.name
    changed = writes.update_many(
        actor=leader,
        changes=[(a, {"name": "Renamed"}), (b, {"arr": Decimal("100.00")}), (c, {"arr": 5})],
    )
    assert changed == [a, c]
    for product, version in ((a, 2), (b, 1), (c, 2)):
        product.refresh_from_db()
        assert product.version == version
    assert (a.name, a.updated_by) == ("Renamed", leader)
    record = changes_of(Product, a.pk).get()
    assert (record.action, record.before, record.after) == (
        ChangeAction.UPDATE,
        {"name": old_name},
        {"name": "Renamed"},
    )
    assert changes_of(Product, c.pk).get().after == {"arr": "5.00"}
    assert not changes_of(Product, b.pk).exists()


def test_update_many_saves_a_change_to_a_secret_field_alone_without_logging_it(leader):
    from pilothouse.people.models import Person
    from tests.factories import PersonFactory

    person = PersonFactory(cost_per_year=Decimal("90000"), cost_currency="EUR")
    unchanged_person = PersonFactory(cost_per_year=Decimal("80000"), cost_currency="EUR")
    changed = writes.update_many(
        actor=leader,
        changes=[
            (person, {"cost_per_year": Decimal("95000")}),
            (unchanged_person, {"cost_per_year": Decimal("80000.00")}),
        ],
    )
    assert changed == [person]
    person.refresh_from_db()
    assert (person.cost_per_year, person.version) == (Decimal("95000.00"), 2)
    record = changes_of(Person, person.pk).get()
    assert "cost_per_year" not in record.before
    assert "cost_per_year" not in record.after
    assert "95000" not in str(record.after)
    assert "90000" not in str(record.before)
    assert not changes_of(Person, unchanged_person.pk).exists()


def test_update_many_writes_in_batches_of_bounded_size(leader, monkeypatch):
    monkeypatch.setattr(bulk, "ROWS_PER_UPDATE", 2)
    line = ProductLineFactory()
    items = [ProductFactory(product_line=line, arr=Decimal(1)) for _ in range(5)]
    with CaptureQueriesContext(connection) as queries:
        changed = writes.update_many(
            actor=leader, changes=[(p, {"arr": Decimal(i + 10)}) for i, p in enumerate(items)]
        )
    assert len(changed) == 5
    updates = [
        q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")
    ]
    assert len(updates) == 3  # 2 + 2 + 1 rows
    assert sorted(
        Product.objects.filter(pk__in=[p.pk for p in items]).values_list("arr", flat=True)
    ) == [Decimal(i + 10) for i in range(5)]


def test_update_many_replaces_many_to_many_links(leader):
    keep, drop, add = ObjectiveFactory(), ObjectiveFactory(), ObjectiveFactory()
    initiative = Initiative.objects.create(title="Bet")
    initiative.objectives.set([keep, drop])
    other = Initiative.objects.create(title="Other")
    changed = writes.update_many(
        actor=leader,
        changes=[(initiative, {}), (other, {})],
        m2m=[{"objectives": [keep, add]}, {"objectives": []}],
    )
    assert changed == [initiative]
    assert sorted(o.pk for o in initiative.objectives.all()) == sorted([keep.pk, add.pk])
    record = changes_of(Initiative, initiative.pk).get()
    assert record.before == {"objectives": sorted([keep.pk, drop.pk])}
    assert record.after == {"objectives": sorted([keep.pk, add.pk])}


def test_a_refused_update_writes_nothing_and_leaves_the_objects_as_they_were(leader, viewer):
    line = ProductLineFactory()
    a, b = ProductFactory(product_line=line), ProductFactory(product_line=line)
    names = (a.name, b.name)
    with unchanged(Product), pytest.raises(writes.RefusedRows) as caught:
        writes.update_many(actor=leader, changes=[(a, {"name": "Fine"}), (b, {"key": "not a key"})])
    assert list(caught.value.errors) == [1]
    assert (a.name, b.name) == names
    with unchanged(Product), pytest.raises(writes.RefusedRows) as caught:
        writes.update_many(actor=viewer, changes=[(a, {"name": "Nope"})])
    assert isinstance(caught.value.errors[0], PermissionDenied)


def test_moving_under_a_parent_one_does_not_look_after_is_refused(pm):
    mine, theirs = ProductLineFactory(owner=pm), ProductLineFactory()
    product = ProductFactory(product_line=mine)
    with unchanged(Product), pytest.raises(writes.RefusedRows) as caught:
        writes.update_many(actor=pm, changes=[(product, {"product_line": theirs})])
    assert "do not look after" in str(caught.value.errors[0])


# --- queries --------------------------------------------------------------------------------


def count_queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_a_batch_costs_a_fixed_number_of_queries(leader):
    line = ProductLineFactory()
    ObjectiveFactory()  # content types and the like are read before counting
    writes.create_many(model=Product, actor=leader, rows=products(line, 1, start=9000))

    def create(count, start):
        return count_queries(
            lambda: writes.create_many(
                model=Product, actor=leader, rows=products(line, count, start)
            )
        )

    assert create(10, 0) == create(50, 100)  # one INSERT takes up to 999 values on SQLite

    def update(count, start):
        products = Product.objects.select_related("product_line")  # the permission parent
        objects = list(products.filter(key__gte=f"P{start:04d}").order_by("key")[:count])
        return count_queries(
            lambda: writes.update_many(
                actor=leader, changes=[(p, {"arr": Decimal(7)}) for p in objects]
            )
        )

    assert update(10, 0) == update(50, 100)


def test_feature_links_to_objectives_in_bulk(leader):
    product = ProductFactory()
    objective = ObjectiveFactory()
    (feature,) = writes.create_many(
        model=Feature,
        actor=leader,
        rows=[{"title": "Exports", "product": product}],
        m2m=[{"objectives": [objective]}],
    )
    assert list(feature.objectives.all()) == [objective]


# --- a bulk import handler (core/bulkimport.py) ----------------------------------------------


class LineImport(BulkRowHandler):
    """Product lines by name, written in bulk; the database is not asked before flushing."""

    model = ProductLine
    fields = (FieldSpec("name", required=True), FieldSpec("description"))
    identity = "name"

    def apply(self, row, values):
        self.keep(Kept(row, {"name": values["name"], "description": values["description"] or ""}))
        return None


def import_lines(rows, actor, **kwargs):
    data = [Row(line, {"name": name, "description": ""}) for line, name in rows]
    return run_import(rows=data, handler=LineImport(actor=actor), dry_run=False, **kwargs)


def test_errors_found_when_flushing_still_name_the_line(leader):
    ProductLineFactory(name="Payments")
    with unchanged(ProductLine):
        report = import_lines([(2, "Growth"), (3, "Payments"), (4, "x" * 121)], leader)
    assert [str(error) for error in report.errors] == [
        "line 3, column 'name': Product line with this Name already exists.",
        "line 4, column 'name': Ensure this value has at most 120 characters (it has 121).",
    ]
    report = import_lines([(2, "Growth"), (3, "Payments")], leader, all_or_nothing=False)
    assert (report.committed, report.counts[RowOutcome.CREATED], report.failed) == (True, 1, 1)
    assert ProductLine.objects.filter(name="Growth").exists()


def test_a_refused_flush_refuses_each_of_its_rows(leader, monkeypatch):
    def broken(*args, **kwargs):
        raise ValidationError("the batch cannot be written")

    monkeypatch.setattr(writes, "insert_many", broken)
    with unchanged(ProductLine):
        report = import_lines([(2, "A"), (3, "B")], leader, all_or_nothing=False)
    assert [str(error) for error in report.errors] == [
        "line 2: the batch cannot be written",
        "line 3: the batch cannot be written",
    ]


def test_large_writes_restore_the_settings():
    threshold = gc.get_threshold()
    before = None
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            before = cursor.fetchone()
    with bulk.large_writes():
        assert gc.get_threshold()[0] >= 50_000
    assert gc.get_threshold() == threshold
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            assert cursor.fetchone() == before
