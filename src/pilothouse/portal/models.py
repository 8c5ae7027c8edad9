"""The public voting portal: which products and features are public, the visitors who
sign up on it, and what they do there (votes, comments, ideas).

Visitors are not staff users: they have their own table and their own session key
(see portal.views), so they never reach the staff pages or the API.

Who may write what (decided in core.permissions from the attributes below):

- PortalProduct (a product's portal switched on, its title and intro) and PortalFeature
  (a feature marked public): the product's stewards, product leaders and admins;
- PortalBlock (a visitor may no longer vote, comment or send ideas on one product's
  portal): the same people, since it hangs under the PortalProduct;
- the `hidden` flag of comments and ideas: the same people, through the moderation
  services (which write the change log themselves: these rows are the visitors', not
  versioned);
- visitors write only their own votes, comments and ideas, through portal.services.
"""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from pilothouse.core.models import VersionedModel
from pilothouse.customers.models import Note
from pilothouse.portfolio.models import Product
from pilothouse.roadmap.models import Feature

COMMENT_MAX = 2_000
IDEA_TITLE_MAX = 200
IDEA_TEXT_MAX = 5_000
INTRO_MAX = 10_000
NAME_MAX = 120
BLOCK_REASON_MAX = 300


class PortalProduct(VersionedModel):
    """A product's public portal; off until someone who looks after the product enables it."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="portal")
    enabled = models.BooleanField(default=False)
    title = models.CharField(max_length=200, blank=True)
    intro = models.TextField(
        blank=True,
        help_text="Markdown, shown sanitized on the portal.",
        validators=[MaxLengthValidator(INTRO_MAX)],
    )

    class Meta:
        ordering = ["product__name"]

    def __str__(self) -> str:
        return self.title or self.product.name

    def permission_parent(self) -> Product | None:
        return self.product if self.product_id else None

    def steward_ids(self) -> set[int]:
        return self.product.steward_ids()


class PortalFeature(VersionedModel):
    """Whether a feature is shown on its product's portal."""

    feature = models.OneToOneField(Feature, on_delete=models.CASCADE, related_name="portal")
    public = models.BooleanField(default=False)

    class Meta:
        ordering = ["feature_id"]

    def __str__(self) -> str:
        return f"{self.feature} ({'public' if self.public else 'not public'})"

    def permission_parent(self) -> Feature | None:
        return self.feature if self.feature_id else None

    def steward_ids(self) -> set[int]:
        return self.feature.product.steward_ids()


class PortalVisitor(models.Model):
    """Someone who signed up on the portal. Never a staff user."""

    email = models.EmailField()
    password = models.CharField(max_length=128)
    name = models.CharField(max_length=NAME_MAX)
    created_at = models.DateTimeField(default=timezone.now)
    last_login = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    # Set when the visitor opened the link we emailed; until then they may vote but
    # their comments and ideas wait.
    email_confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="portal_visitor_unique_email",
                violation_error_message="A visitor with this email already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].lower()

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class PortalVote(models.Model):
    visitor = models.ForeignKey(PortalVisitor, on_delete=models.CASCADE, related_name="votes")
    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="portal_votes")
    note = models.ForeignKey(
        Note, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["visitor", "feature"], name="portal_vote_unique")
        ]

    def __str__(self) -> str:
        return f"{self.visitor} votes for {self.feature_id}"


class PortalComment(models.Model):
    visitor = models.ForeignKey(PortalVisitor, on_delete=models.CASCADE, related_name="comments")
    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="portal_comments")
    text = models.TextField(validators=[MaxLengthValidator(COMMENT_MAX)])
    note = models.ForeignKey(
        Note, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    hidden = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["feature", "created_at"], name="portal_comment_feature")]

    def __str__(self) -> str:
        return f"comment {self.pk} by {self.visitor}"


class PortalIdea(models.Model):
    visitor = models.ForeignKey(PortalVisitor, on_delete=models.CASCADE, related_name="ideas")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="portal_ideas")
    title = models.CharField(max_length=IDEA_TITLE_MAX)
    text = models.TextField(validators=[MaxLengthValidator(IDEA_TEXT_MAX)])
    note = models.ForeignKey(
        Note, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    hidden = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["product", "hidden", "-created_at"], name="portal_idea_product"),
        ]

    def __str__(self) -> str:
        return self.title


class PortalIdeaVote(models.Model):
    """A visitor's vote for another visitor's idea (or their own). Unlike a vote for a
    feature it makes no inbox note: the idea's note is the evidence, the votes its weight."""

    visitor = models.ForeignKey(PortalVisitor, on_delete=models.CASCADE, related_name="idea_votes")
    idea = models.ForeignKey(PortalIdea, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["visitor", "idea"], name="portal_idea_vote_unique")
        ]

    def __str__(self) -> str:
        return f"{self.visitor} votes for idea {self.idea_id}"


class PortalBlock(VersionedModel):
    """A visitor who may no longer vote, comment or send ideas on one product's portal.

    Per product, because moderation is: whoever looks after one product must not silence
    a visitor on the others. The visitor can still sign in and read."""

    portal = models.ForeignKey(PortalProduct, on_delete=models.CASCADE, related_name="blocks")
    visitor = models.ForeignKey(PortalVisitor, on_delete=models.CASCADE, related_name="blocks")
    reason = models.CharField(max_length=BLOCK_REASON_MAX, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["portal", "visitor"],
                name="portal_block_unique",
                violation_error_message="This visitor is already blocked on this portal.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.visitor.email} blocked on {self.portal}"

    def permission_parent(self) -> PortalProduct | None:
        return self.portal if self.portal_id else None

    def steward_ids(self) -> set[int]:
        return self.portal.steward_ids()


class PortalActionKind(models.TextChoices):
    SIGNUP = "signup", "Sign-up"
    LOGIN_FAILED = "login_failed", "Failed log-in"
    VOTE = "vote", "Vote or unvote"
    COMMENT = "comment", "Comment"
    IDEA = "idea", "Idea"
    CONFIRMATION_EMAIL = "confirm_email", "Confirmation email"
    PASSWORD_RESET = "password_reset", "Password reset email"


class PortalAction(models.Model):
    """One action on the portal, kept a day for the rate limits (see portal.services)."""

    kind = models.CharField(max_length=16, choices=PortalActionKind.choices)
    visitor = models.ForeignKey(
        PortalVisitor, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    # For limits per email address whether or not anyone signed up with it (password
    # resets): a digest, so the table holds no address a stranger typed.
    email_digest = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["kind", "ip", "created_at"], name="portal_action_ip"),
            models.Index(fields=["kind", "visitor", "created_at"], name="portal_action_visitor"),
            models.Index(fields=["kind", "email_digest", "created_at"], name="portal_action_email"),
            models.Index(fields=["created_at"], name="portal_action_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.created_at:%Y-%m-%d %H:%M}"
