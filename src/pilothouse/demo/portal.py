"""The demo's voting portal: switched on for two revenue products, with the features
customers may see (planned, in progress, released) marked public, and what visitors did
there: ideas in every status, a few votes for them, a comment and a hidden one.

The switches go through the portal services (change-logged) after the bulk rows, so
their timestamps are the time of the build. The visitors' rows are generated, like the
rest of the demo's history, from notes the feedback generator already wrote with source
"portal": each idea is one of those notes, chosen so that what the team did with it
gives every status (new: under review; linked to a planned, in-progress or released
public feature; archived without a link: declined); the comments are notes linked to a
public feature. No note is added, and the choice depends only on the generated data, so
the same seed builds the same portal.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.hashers import make_password
from django.db.models import Exists, OuterRef, QuerySet

from pilothouse.customers.models import Note, NoteLink, NoteSource, NoteState
from pilothouse.demo.portfolio import Portfolio
from pilothouse.demo.roadmap import Roadmap
from pilothouse.portal import services as portal_services
from pilothouse.portal.models import (
    COMMENT_MAX,
    IDEA_TEXT_MAX,
    IDEA_TITLE_MAX,
    PortalComment,
    PortalIdea,
    PortalIdeaVote,
    PortalVisitor,
)
from pilothouse.portfolio.models import LifecycleStage, Product, ProductKind
from pilothouse.roadmap.models import Feature, FeatureStage

PORTAL_PRODUCTS = 2
PUBLIC_FEATURES_PER_PRODUCT = 15
PUBLIC_STAGES = (FeatureStage.PLANNED, FeatureStage.IN_PROGRESS, FeatureStage.RELEASED)
LIVE_STAGES = (LifecycleStage.LAUNCH, LifecycleStage.GROWTH, LifecycleStage.MATURE)
# Names for visitors whose note came without a contact (portal notes are often anonymous).
ANONYMOUS_VISITORS = (
    ("Robin Park", "robin.park@example.net"),
    ("Sam Okafor", "sam.okafor@example.net"),
    ("Kim Larsen", "kim.larsen@example.net"),
    ("Alex Moreau", "alex.moreau@example.net"),
    ("Jo Tanaka", "jo.tanaka@example.net"),
    ("Lee Novak", "lee.novak@example.net"),
    ("Ari Santos", "ari.santos@example.net"),
    ("Noa Fischer", "noa.fischer@example.net"),
    ("Eli Brandt", "eli.brandt@example.net"),
    ("Mika Rossi", "mika.rossi@example.net"),
    ("Val Ionescu", "val.ionescu@example.net"),
    ("Dani Weber", "dani.weber@example.net"),
)


def create_portal(*, portfolio: Portfolio, roadmap: Roadmap) -> tuple[int, int]:
    """Switch the portal on, mark features public, and add the visitors' ideas and
    comments; returns (products, public features)."""
    chosen = [
        demo.product
        for demo in sorted(portfolio.products, key=lambda demo: demo.product.key)
        if demo.product.kind == ProductKind.REVENUE and demo.product.stage in LIVE_STAGES
    ][:PORTAL_PRODUCTS]
    public: dict[int, list[Feature]] = {}
    for product in chosen:
        portal_services.portal_product_set(
            actor=None,
            product=product,
            enabled=True,
            title=f"{product.name} ideas and roadmap",
            intro=(
                f"Tell us what would make **{product.name}** better. Vote for the features "
                "you need, comment on how you would use them, or send us a new idea."
            ),
        )
        features = [
            feature
            for feature in roadmap.features
            if feature.product_id == product.pk and feature.stage in PUBLIC_STAGES
        ][:PUBLIC_FEATURES_PER_PRODUCT]
        for feature in features:
            portal_services.portal_feature_set(actor=None, feature=feature, public=True)
        public[product.pk] = features
    _VisitorActivity(chosen, public).create()
    return len(chosen), sum(len(features) for features in public.values())


def _portal_notes() -> QuerySet[Note]:
    return (
        Note.objects.filter(source=NoteSource.PORTAL)
        .select_related("contact")
        .order_by("submitted_at", "id")
    )


class _VisitorActivity:
    """The ideas, idea votes and comments of the demo portal."""

    def __init__(self, products: list[Product], public: dict[int, list[Feature]]) -> None:
        self.products = products
        self.public = public
        self.visitors: dict[str, PortalVisitor] = {}
        self.anonymous: Iterator[tuple[str, str]] = iter(ANONYMOUS_VISITORS)
        self.used: set[int] = set()

    def create(self) -> None:
        ideas: list[PortalIdea] = []
        for product in self.products:
            ideas.extend(self._ideas(product))
        self._votes(ideas)
        if self.products:
            self._comments(self.products[0])

    # --- which notes ------------------------------------------------------------------

    def _unlinked(self, product: Product, state: str) -> Note | None:
        """The first portal note in `state` with no link that names the product."""
        linked = NoteLink.objects.filter(note=OuterRef("pk"))
        return self._first(
            _portal_notes().filter(state=state, text__contains=product.name).exclude(Exists(linked))
        )

    def _linked(self, features: list[Feature]) -> Note | None:
        """The first portal note linked to one of these features."""
        if not features:
            return None
        linked = NoteLink.objects.filter(note=OuterRef("pk"), feature__in=features)
        return self._first(_portal_notes().filter(Exists(linked)))

    def _first(self, notes: QuerySet[Note]) -> Note | None:
        for note in notes.exclude(pk__in=self.used)[:1]:
            self.used.add(note.pk)
            return note
        return None

    # --- what visitors wrote ----------------------------------------------------------

    def _visitor(self, note: Note) -> PortalVisitor | None:
        """The visitor who wrote the note: its contact, if it has one, else a made-up
        visitor (None once those run out)."""
        if note.contact is not None and note.contact.email:
            name, email = note.contact.name, note.contact.email.lower()
        else:
            name, email = next(self.anonymous, ("", ""))
            if not email:
                return None
        if email not in self.visitors:
            self.visitors[email] = PortalVisitor.objects.create(
                email=email,
                name=name,
                password=make_password(None),  # demo visitors cannot sign in
                created_at=note.submitted_at,
                email_confirmed_at=note.submitted_at,
            )
        return self.visitors[email]

    def _ideas(self, product: Product) -> list[PortalIdea]:
        by_stage = {stage: [] for stage in PUBLIC_STAGES}
        for feature in self.public[product.pk]:
            by_stage[feature.stage].append(feature)
        notes = [
            self._unlinked(product, NoteState.NEW),  # under review
            *(self._linked(by_stage[stage]) for stage in PUBLIC_STAGES),
            self._unlinked(product, NoteState.ARCHIVED),  # declined
        ]
        ideas = []
        for note in notes:
            visitor = self._visitor(note) if note is not None else None
            if visitor is None:
                continue
            title = note.title or " ".join(note.text.split())
            ideas.append(
                PortalIdea.objects.create(
                    visitor=visitor,
                    product=product,
                    title=title[:IDEA_TITLE_MAX],
                    text=note.text[:IDEA_TEXT_MAX],
                    note=note,
                    created_at=note.submitted_at,
                )
            )
        return ideas

    def _votes(self, ideas: list[PortalIdea]) -> None:
        """Each visitor votes for the ideas of others on the same product that came
        before theirs, so the earlier ideas gather more votes."""
        votes = [
            PortalIdeaVote(visitor=later.visitor, idea=earlier, created_at=later.created_at)
            for index, later in enumerate(ideas)
            for earlier in ideas[:index]
            if earlier.product_id == later.product_id and earlier.visitor_id != later.visitor_id
        ]
        PortalIdeaVote.objects.bulk_create(votes, ignore_conflicts=True)

    def _comments(self, product: Product) -> None:
        """Two comments on the product's public features: one shown, and one the team
        hid (it stays in the inbox as a note)."""
        for hidden in (False, True):
            note = self._linked(self.public[product.pk])
            visitor = self._visitor(note) if note is not None else None
            if visitor is None:
                return
            link = note.links.filter(feature__in=self.public[product.pk]).order_by("id").first()
            PortalComment.objects.create(
                visitor=visitor,
                feature=link.feature,
                text=note.text[:COMMENT_MAX],
                note=note,
                created_at=note.submitted_at,
                hidden=hidden,
            )
