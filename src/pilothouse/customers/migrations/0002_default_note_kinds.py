"""The default note kinds; a team renames, adds, deactivates or deletes them afterwards."""

from django.db import migrations

DEFAULT_KINDS = ["Bug", "Feature request", "Improvement", "Praise", "Question", "Other"]


def create_default_kinds(apps, schema_editor):
    NoteKind = apps.get_model("customers", "NoteKind")
    db = schema_editor.connection.alias
    existing = {name.lower() for name in NoteKind.objects.using(db).values_list("name", flat=True)}
    NoteKind.objects.using(db).bulk_create(
        NoteKind(name=name, position=(index + 1) * 10)
        for index, name in enumerate(DEFAULT_KINDS)
        if name.lower() not in existing
    )


def remove_unused_default_kinds(apps, schema_editor):
    NoteKind = apps.get_model("customers", "NoteKind")
    db = schema_editor.connection.alias
    NoteKind.objects.using(db).filter(name__in=DEFAULT_KINDS, notes__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [migrations.RunPython(create_default_kinds, remove_unused_default_kinds)]
