"""Installing the default career ladder where an organization has none yet."""

from __future__ import annotations

from typing import Any

from django.db import connections, transaction

from pilothouse.people import ladder_defaults


def install_default_ladder(
    *, level_model: Any, competency_model: Any, expectation_model: Any
) -> int:
    """Create the default levels, competencies and expectations that are missing (an
    organization's edits are kept: only absent keys are added). Takes the model classes so
    that migrations can pass their historical ones. Answers the number of rows created."""
    created = 0
    with transaction.atomic():
        levels = {level.key: level for level in level_model.objects.all()}
        for spec in ladder_defaults.LEVELS:
            if spec.key not in levels:
                levels[spec.key] = level_model.objects.create(
                    key=spec.key,
                    name=spec.name,
                    track=spec.track,
                    rank=spec.rank,
                    summary=spec.summary,
                )
                created += 1
        competencies = {c.key: c for c in competency_model.objects.all()}
        for position, spec in enumerate(ladder_defaults.COMPETENCIES):
            if spec.key not in competencies:
                competencies[spec.key] = competency_model.objects.create(
                    key=spec.key,
                    name=spec.name,
                    description=spec.description,
                    position=position,
                )
                created += 1
        existing = set(expectation_model.objects.values_list("level__key", "competency__key"))
        for level_key, texts in ladder_defaults.EXPECTATIONS.items():
            for competency_key, text in texts.items():
                if (level_key, competency_key) in existing:
                    continue
                if level_key in levels and competency_key in competencies:
                    expectation_model.objects.create(
                        level=levels[level_key],
                        competency=competencies[competency_key],
                        text=text,
                    )
                    created += 1
    return created


def install_after_migrate(**kwargs: Any) -> None:
    """post_migrate receiver: an empty database (a new install, a test run's flush) gets the
    default ladder, as Django gives it its content types."""
    from pilothouse.people.models import CareerLevel, Competency, Expectation

    using = kwargs.get("using", "default")
    tables = connections[using].introspection.table_names()
    if Expectation._meta.db_table not in tables:
        return  # migrated only part of the way (to an older migration)
    if CareerLevel.objects.using(using).exists() and Competency.objects.using(using).exists():
        return
    install_default_ladder(
        level_model=CareerLevel, competency_model=Competency, expectation_model=Expectation
    )
