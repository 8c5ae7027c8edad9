"""Adding and removing a feature's blockers from its page (the service refuses cycles)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from pilothouse.roadmap import dependencies
from pilothouse.roadmap.models import Dependency, Feature

CHOICES_SHOWN = 300


def dependency_panel(*, feature: Feature) -> dict:
    """What the feature page shows of dependencies, in two queries: its blockers and
    what it blocks together (the conflicts come from the blockers already read), then
    the features it could wait for."""
    links = list(
        Dependency.objects.filter(Q(blocked=feature) | Q(blocker=feature)).select_related(
            "blocker__target_release", "blocked"
        )
    )
    # A feature never blocks itself (refused), so each link is on one side only.
    blockers = [d for d in links if d.blocked_id == feature.pk]
    blocking = [d for d in links if d.blocker_id == feature.pk]
    linked = {d.blocker_id for d in blockers} | {feature.pk}
    choices = (
        Feature.objects.filter(product_id=feature.product_id)
        .exclude(pk__in=linked)
        .order_by("title")
        .values_list("pk", "title")[:CHOICES_SHOWN]
    )
    return {
        "blockers": blockers,
        "blocking": blocking,
        "conflicts": dependencies.conflict_sentences(
            edges=[(d.blocker_id, feature.pk) for d in blockers],
            features={feature.pk: feature, **{d.blocker_id: d.blocker for d in blockers}},
        ).get(feature.pk, []),
        "blocker_choices": list(choices),
    }


@require_POST
def dependency_add(request: HttpRequest, pk: int) -> HttpResponse:
    feature = get_object_or_404(Feature, pk=pk)
    raw = (request.POST.get("blocker") or "").strip().lstrip("#")
    blocker = Feature.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if blocker is None:
        messages.error(request, f"No feature with id {raw or '(none given)'}.")
        return redirect("roadmap:feature_detail", pk=pk)
    try:
        dependencies.dependency.create(
            actor=request.user, data={"blocker": blocker, "blocked": feature}
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{feature.title}” now waits for “{blocker.title}”.")
    return redirect("roadmap:feature_detail", pk=pk)


@require_POST
def dependency_remove(request: HttpRequest, pk: int) -> HttpResponse:
    dependency = get_object_or_404(Dependency.objects.select_related("blocked"), pk=pk)
    dependencies.dependency.delete(actor=request.user, instance=dependency)
    messages.success(request, f"Removed: {dependency}.")
    return redirect("roadmap:feature_detail", pk=dependency.blocked_id)
