"""Every read of the portal pages, each a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import CharField, Count, Prefetch, Q, QuerySet, Value
from django.http import Http404

from pilothouse.customers.models import NoteLink, NoteState
from pilothouse.portal.models import (
    PortalBlock,
    PortalComment,
    PortalIdea,
    PortalIdeaVote,
    PortalProduct,
    PortalVisitor,
    PortalVote,
)
from pilothouse.portfolio.models import Product
from pilothouse.roadmap.models import Feature, FeatureStage


def visitor(visitor_id: object) -> PortalVisitor | None:
    """The active visitor with this id (from the session), or None."""
    if not isinstance(visitor_id, int):
        return None
    return PortalVisitor.objects.filter(pk=visitor_id, is_active=True).first()


def is_blocked(visitor: PortalVisitor | None, product: Product) -> bool:
    if visitor is None:
        return False
    return PortalBlock.objects.filter(portal__product=product, visitor=visitor).exists()


def enabled_portals() -> QuerySet[PortalProduct]:
    return PortalProduct.objects.filter(enabled=True).select_related("product")


def enabled_portal(key: str) -> PortalProduct:
    """The enabled portal of the product with this key; 404 otherwise."""
    found = enabled_portals().filter(product__key=key).first()
    if found is None:
        raise Http404("No such portal.")
    return found


def public_features(product: Product) -> QuerySet[Feature]:
    """The product's public features with their vote and comment counts, most votes first."""
    return (
        Feature.objects.filter(product=product, portal__public=True)
        .annotate(
            votes=Count("portal_votes", distinct=True),
            comments=Count(
                "portal_comments", filter=Q(portal_comments__hidden=False), distinct=True
            ),
        )
        .order_by("-votes", "title", "id")
    )


def public_feature(product: Product, feature_id: int) -> Feature:
    found = public_features(product).filter(pk=feature_id).first()
    if found is None:
        raise Http404("No such feature.")
    return found


def voted_feature_ids(visitor: PortalVisitor | None, features: list[Feature]) -> set[int]:
    if visitor is None or not features:
        return set()
    return set(
        PortalVote.objects.filter(
            visitor=visitor, feature_id__in=[f.pk for f in features]
        ).values_list("feature_id", flat=True)
    )


def feature_comments(feature: Feature) -> QuerySet[PortalComment]:
    return PortalComment.objects.filter(feature=feature, hidden=False).select_related("visitor")


def manage_features(product: Product) -> QuerySet[Feature]:
    """Every feature of the product, with its portal row (if any), for the staff page."""
    return Feature.objects.filter(product=product).select_related("portal").order_by("title", "id")


# --- ideas -------------------------------------------------------------------------


@dataclass(frozen=True)
class IdeaStatus:
    """Where an idea stands, as visitors see it; `feature` is the public feature the team
    linked the idea's note to, if any."""

    key: str  # under_review, planned, in_progress, shipped, declined
    label: str
    feature: Feature | None = None


UNDER_REVIEW = ("under_review", "Under review")
# A linked public feature's stage, as the idea's status.
STATUS_OF_STAGE = {
    FeatureStage.IDEA: UNDER_REVIEW,
    FeatureStage.CANDIDATE: UNDER_REVIEW,
    FeatureStage.PLANNED: ("planned", "Planned"),
    FeatureStage.IN_PROGRESS: ("in_progress", "In progress"),
    FeatureStage.RELEASED: ("shipped", "Shipped"),
    FeatureStage.MEASURED: ("shipped", "Shipped"),
    FeatureStage.REJECTED: ("declined", "Declined"),
}
# When the note is linked to several public features, the furthest along speaks.
STAGE_PROGRESS = {
    FeatureStage.REJECTED: 0,
    FeatureStage.IDEA: 1,
    FeatureStage.CANDIDATE: 2,
    FeatureStage.PLANNED: 3,
    FeatureStage.IN_PROGRESS: 4,
    FeatureStage.RELEASED: 5,
    FeatureStage.MEASURED: 6,
}


def idea_status(note_state: str | None, public_features: Sequence[Feature]) -> IdeaStatus:
    """What the team did with the idea's inbox note: linked it to a public feature (the
    feature's stage), archived it without such a link (declined), or not yet decided
    (new or triaged: under review)."""
    if public_features:
        feature = max(public_features, key=lambda f: (STAGE_PROGRESS.get(f.stage, 0), -f.pk))
        key, label = STATUS_OF_STAGE.get(feature.stage, UNDER_REVIEW)
        return IdeaStatus(key, label, feature)
    if note_state == NoteState.ARCHIVED:
        return IdeaStatus("declined", "Declined")
    return IdeaStatus(*UNDER_REVIEW)


def _public_links() -> Prefetch:
    """The note's links to features that visitors may see: public, on an enabled portal."""
    links = NoteLink.objects.filter(
        feature__portal__public=True, feature__product__portal__enabled=True
    ).select_related("feature__product")
    return Prefetch("note__links", queryset=links, to_attr="public_links")


def public_ideas(product: Product) -> QuerySet[PortalIdea]:
    """The product's ideas that are not hidden, with their vote counts, author and what
    `with_status` needs; most votes first, then newest."""
    return (
        PortalIdea.objects.filter(product=product, hidden=False)
        .select_related("visitor", "note")
        .prefetch_related(_public_links())
        .annotate(vote_count=Count("votes"))
        .order_by("-vote_count", "-created_at", "-id")
    )


def with_status(ideas: Iterable[PortalIdea]) -> list[PortalIdea]:
    """The ideas (from `public_ideas`) with `status` set on each."""
    shown = list(ideas)
    for idea in shown:
        note = idea.note
        links = getattr(note, "public_links", []) if note is not None else []
        idea.status = idea_status(
            note.state if note is not None else None, [link.feature for link in links]
        )
    return shown


def public_idea(product: Product, idea_id: int) -> PortalIdea:
    found = with_status(public_ideas(product).filter(pk=idea_id))
    if not found:
        raise Http404("No such idea.")
    return found[0]


def voted_idea_ids(visitor: PortalVisitor | None, ideas: Sequence[PortalIdea]) -> set[int]:
    if visitor is None or not ideas:
        return set()
    return set(
        PortalIdeaVote.objects.filter(
            visitor=visitor, idea_id__in=[idea.pk for idea in ideas]
        ).values_list("idea_id", flat=True)
    )


# --- moderation --------------------------------------------------------------------

COMMENT = "comment"
IDEA = "idea"


def moderation_feed(product: Product, *, shown: str = "", kind: str = "") -> QuerySet:
    """(kind, pk, created_at) of the product's comments and ideas, newest first, as one
    list that a paginator can count and slice in the database. `shown`: "visible",
    "hidden" or "" (both); `kind`: "comment", "idea" or "" (both)."""
    visibility = {"visible": {"hidden": False}, "hidden": {"hidden": True}}.get(shown, {})

    def rows(queryset: QuerySet, name: str) -> QuerySet:
        return (
            queryset.filter(**visibility)
            .annotate(kind=Value(name, output_field=CharField()))
            .values_list("kind", "pk", "created_at")
            .order_by()
        )

    comments = rows(PortalComment.objects.filter(feature__product=product), COMMENT)
    ideas = rows(PortalIdea.objects.filter(product=product), IDEA)
    if kind == COMMENT:
        return comments.order_by("-created_at", "-pk")
    if kind == IDEA:
        return ideas.order_by("-created_at", "-pk")
    return comments.union(ideas, all=True).order_by("-created_at", "-pk")


@dataclass(frozen=True)
class ModerationItem:
    kind: str  # COMMENT or IDEA
    obj: PortalComment | PortalIdea
    blocked: bool  # its author is blocked on this portal


def moderation_items(portal: PortalProduct, feed_rows: Iterable[tuple]) -> list[ModerationItem]:
    """The comments and ideas of one page of `moderation_feed`, in its order, with their
    authors, features and vote counts, and whether each author is blocked."""
    wanted = list(feed_rows)
    comment_ids = [pk for kind, pk, _time in wanted if kind == COMMENT]
    idea_ids = [pk for kind, pk, _time in wanted if kind == IDEA]
    comments = (
        PortalComment.objects.filter(pk__in=comment_ids).select_related("visitor", "feature")
        if comment_ids
        else []
    )
    ideas = (
        PortalIdea.objects.filter(pk__in=idea_ids)
        .select_related("visitor")
        .annotate(vote_count=Count("votes"))
        if idea_ids
        else []
    )
    found = {(COMMENT, c.pk): c for c in comments} | {(IDEA, i.pk): i for i in ideas}
    authors = {obj.visitor_id for obj in found.values()}
    blocked = set(
        PortalBlock.objects.filter(portal=portal, visitor_id__in=authors).values_list(
            "visitor_id", flat=True
        )
        if authors
        else []
    )
    return [
        ModerationItem(kind, found[kind, pk], found[kind, pk].visitor_id in blocked)
        for kind, pk, _time in wanted
        if (kind, pk) in found
    ]


def portal_blocks(portal: PortalProduct) -> QuerySet[PortalBlock]:
    return PortalBlock.objects.filter(portal=portal).select_related("visitor", "created_by")
