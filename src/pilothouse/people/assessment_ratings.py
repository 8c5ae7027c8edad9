"""Rating an assessment as a whole: one rating (with its evidence) per competency, saved
through the services in one transaction, so that a refused rating saves none."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction

from pilothouse.core.models import User
from pilothouse.people import services
from pilothouse.people.models import Assessment, AssessmentRating


def rate(
    *,
    actor: User,
    assessment: Assessment,
    ratings: Mapping[int, tuple[int | None, str]],
) -> int:
    """Apply `ratings` (competency id -> (rating or None, evidence)): a new rating is
    created, a changed one updated, a blank one removed. Answers the number of ratings
    written. A ValidationError names the field as `rating_<competency id>` (or
    `evidence_<competency id>`), as the ratings form does."""
    written = 0
    with transaction.atomic():
        current = {
            rating.competency_id: rating
            for rating in AssessmentRating.objects.select_for_update().filter(assessment=assessment)
        }
        for competency_id, (value, evidence) in ratings.items():
            existing = current.get(competency_id)
            evidence = (evidence or "").strip()
            try:
                if value is None and evidence:
                    raise ValidationError({"rating": "Give a rating with the evidence."})
                if value is None:
                    if existing is not None:
                        services.assessment_rating.delete(
                            actor=actor, instance=existing, version=existing.version
                        )
                        written += 1
                elif existing is None:
                    services.assessment_rating.create(
                        actor=actor,
                        data={
                            "assessment": assessment,
                            "competency_id": competency_id,
                            "rating": value,
                            "evidence": evidence,
                        },
                    )
                    written += 1
                elif (existing.rating, existing.evidence) != (value, evidence):
                    services.assessment_rating.update(
                        actor=actor,
                        instance=existing,
                        version=existing.version,
                        data={"rating": value, "evidence": evidence},
                    )
                    written += 1
            except ValidationError as exc:
                raise _named(exc, competency_id) from exc
    return written


def _named(error: ValidationError, competency_id: int) -> ValidationError:
    """The error with its fields renamed after the form's fields of this competency."""
    if not hasattr(error, "error_dict"):
        return ValidationError({f"rating_{competency_id}": error.messages})
    renamed: dict[str, list[str]] = {}
    for name, errors in error.error_dict.items():
        field = f"evidence_{competency_id}" if name == "evidence" else f"rating_{competency_id}"
        renamed.setdefault(field, []).extend(ValidationError(errors).messages)
    return ValidationError(renamed)
