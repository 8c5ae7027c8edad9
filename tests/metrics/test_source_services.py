"""Data source writes (metrics.source_services): the URL written only, encrypted and
masked; never in the change log (core's SECRET_FIELDS), yet a new password alone is
saved; paths checked; who may keep sources, test them and preview queries."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError

from pilothouse.core.models import ChangeRecord
from pilothouse.core.roles import Role
from pilothouse.metrics import credentials, source_services
from pilothouse.metrics.models import DataSource
from tests.metrics.factories import MetricFactory

pytestmark = pytest.mark.django_db

URL = "postgresql://reader:s3cret-Pass@db.example.com:5432/analytics"


def create(actor, **data):
    return source_services.data_source.create(
        actor=actor, data={"name": "Warehouse", "kind": "sqlalchemy", "url": URL, **data}
    )


def records_of(source) -> list[ChangeRecord]:
    return list(ChangeRecord.objects.filter(object_id=source.pk, content_type__model="datasource"))


def test_the_url_is_stored_encrypted_and_shown_masked(leader):
    source = create(leader)
    assert source.url_display == "postgresql://reader:***@db.example.com:5432/analytics"
    assert "s3cret" not in source.url_encrypted
    assert credentials.url_decrypt(source.url_encrypted) == URL
    assert source_services.source_spec(source).url == URL


def test_the_change_log_never_holds_the_url_or_its_ciphertext(leader):
    source = create(leader)
    source_services.data_source.update(
        actor=leader,
        instance=source,
        version=source.version,
        data={"url": URL.replace("s3cret-Pass", "n3w-Pass"), "description": "Ours"},
    )
    records = records_of(source)
    assert [r.action for r in records] == ["update", "create"]
    for record in records:
        text = repr(record.before) + repr(record.after)
        assert "url_encrypted" not in text
        assert "Pass" not in text
        assert source.url_encrypted not in text
    assert records[1].after["url_display"] == source.url_display


def test_a_new_password_alone_is_saved_and_versioned(leader):
    source = create(leader)
    updated = source_services.data_source.update(
        actor=leader,
        instance=source,
        version=source.version,
        data={"url": URL.replace("s3cret-Pass", "n3w-Pass")},
    )
    updated.refresh_from_db()
    assert updated.version == 2
    assert credentials.url_decrypt(updated.url_encrypted).endswith(
        "n3w-Pass@db.example.com:5432/analytics"
    )
    latest = records_of(source)[0]
    assert (latest.action, latest.before, latest.after) == ("update", {}, {})


def test_no_url_on_update_keeps_the_stored_one(leader):
    source = create(leader)
    for url in (None, ""):
        updated = source_services.data_source.update(
            actor=leader, instance=source, version=None, data={"url": url, "timeout_seconds": 5}
        )
        updated.refresh_from_db()
        assert credentials.url_decrypt(updated.url_encrypted) == URL
        assert updated.version == 2  # the second time, nothing changed: no new version


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"url": ""}, "url", "Enter the database URL"),
        ({"url": "not a url"}, "url", "not a database URL"),
        ({"url": "nosuchdialect://h/db"}, "url", "No SQLAlchemy dialect or driver"),
        ({"kind": "duckdb"}, "url", "A DuckDB source reads its own file and folder"),
        ({"database_path": "/srv/x.duckdb"}, "database_path", "for DuckDB sources"),
        ({"timeout_seconds": 0}, "timeout_seconds", "greater than or equal to 1"),
        ({"row_limit": 10_000_000}, "row_limit", "less than or equal to 5000000"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(leader, data, field, message):
    with pytest.raises(ValidationError) as failure:
        create(leader, **data)
    assert field in failure.value.message_dict
    assert message in " ".join(failure.value.message_dict[field])
    assert not DataSource.objects.exists()
    assert not ChangeRecord.objects.exists()


def test_duckdb_paths_are_checked(leader, tmp_path, settings):
    duck = {"name": "Files", "kind": "duckdb"}
    write = source_services.data_source.create
    cases = [
        ({"files_folder": "exports"}, "files_folder", "Give the full path"),
        ({"files_folder": str(tmp_path / "nope")}, "files_folder", "No folder at"),
        ({"database_path": str(tmp_path / "nope.duckdb")}, "database_path", "No database file"),
        ({"files_folder": str(settings.DATA_DIR)}, "files_folder", "Pilothouse's own data"),
        ({"files_folder": "/"}, "files_folder", "Pilothouse's own data"),
    ]
    for data, field, message in cases:
        with pytest.raises(ValidationError) as failure:
            write(actor=leader, data={**duck, **data})
        assert message in " ".join(failure.value.message_dict[field]), data
    source = write(actor=leader, data={**duck, "files_folder": f"  {tmp_path}  "})
    assert source.files_folder == str(tmp_path)
    assert source.url_encrypted == source.url_display == ""


def test_a_sqlite_url_into_the_data_dir_is_refused(leader, settings):
    url = f"sqlite:///{settings.DATA_DIR}/pilothouse.sqlite3"
    with pytest.raises(ValidationError, match="Pilothouse's own data"):
        create(leader, url=url)


def test_switching_to_duckdb_forgets_the_url(leader):
    source = create(leader)
    updated = source_services.data_source.update(
        actor=leader, instance=source, version=source.version, data={"kind": "duckdb"}
    )
    assert updated.url_encrypted == updated.url_display == ""


@pytest.mark.parametrize("role", [Role.PRODUCT_MANAGER, Role.CONTRIBUTOR, Role.VIEWER])
def test_only_leaders_and_admins_keep_data_sources(make_user, leader, role):
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        create(user)
    source = create(leader)
    with pytest.raises(PermissionDenied):
        source_services.data_source.update(
            actor=user, instance=source, version=None, data={"name": "Mine"}
        )
    with pytest.raises(PermissionDenied):
        source_services.data_source.delete(actor=user, instance=source)
    with pytest.raises(PermissionDenied):
        source_services.data_source_test(actor=user, source=source)


def test_admins_keep_them_too(admin_user):
    source = create(admin_user)
    source_services.data_source.delete(actor=admin_user, instance=source)
    assert not DataSource.objects.exists()


def test_a_source_in_use_is_not_deleted(leader):
    source = create(leader)
    MetricFactory(source=source, query="SELECT 1")
    with pytest.raises(ProtectedError):
        source_services.data_source.delete(actor=leader, instance=source)


def test_testing_a_connection(leader, tmp_path):
    good = source_services.data_source.create(
        actor=leader, data={"name": "Memory", "kind": "duckdb"}
    )
    check = source_services.data_source_test(actor=leader, source=good)
    assert check.ok
    assert check.message.startswith("Connected in ")
    bad = create(leader, url="postgresql://reader:pw@127.0.0.1:9/nowhere", timeout_seconds=2)
    check = source_services.data_source_test(actor=leader, source=bad)
    assert not check.ok
    assert check.message.startswith("Cannot connect to the database")
    assert "pw" not in check.message.split("nowhere")[0].split("reader")[-1]


def test_a_url_that_no_longer_decrypts_is_reported(leader, settings):
    import dataclasses

    source = create(leader)
    settings.CONFIG = dataclasses.replace(settings.CONFIG, credentials_key="b" * 43 + "=")
    check = source_services.data_source_test(actor=leader, source=source)
    assert not check.ok
    assert "enter its URL again" in check.message


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, True),
        (Role.PRODUCT_LEADER, True),
        (Role.PRODUCT_MANAGER, True),
        (Role.CONTRIBUTOR, False),
        (Role.VIEWER, False),
    ],
)
def test_who_may_preview_queries(make_user, leader, role, allowed):
    import datetime as dt

    source = source_services.data_source.create(
        actor=leader, data={"name": "Memory", "kind": "duckdb"}
    )
    user = make_user(role)
    preview = lambda: source_services.query_preview(  # noqa: E731
        actor=user,
        source=source,
        sql="SELECT DATE '2025-01-02' AS period_start, 1 AS value",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 1, 31),
    )
    if allowed:
        assert preview().ok
    else:
        with pytest.raises(PermissionDenied):
            preview()
