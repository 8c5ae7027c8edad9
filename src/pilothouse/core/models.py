"""Core models: the user with a role, the versioned base model, the change log, API tokens."""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models

from pilothouse.core.roles import Role


class User(AbstractUser):
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class VersionedModel(models.Model):
    """Base of every domain model: timestamps, actors and an optimistic-lock version.

    These fields are maintained by `core.writes`, never by hand: `version` starts
    at 1 and grows by one with every update, and an update that names an older
    version is refused.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    # Fields that the change log leaves out: they change on every write.
    BOOKKEEPING_FIELDS = frozenset(
        {"id", "created_at", "updated_at", "created_by", "updated_by", "version"}
    )
    # Fields whose values never enter the change log (an encrypted password), though a
    # change to one is a change: saved, versioned and recorded, without the value.
    SECRET_FIELDS: frozenset[str] = frozenset()

    class Meta:
        abstract = True

    def steward_ids(self) -> set[int]:
        """Users who look after this object (owners up its chain); see core.permissions."""
        return set()

    def permission_parent(self) -> VersionedModel | None:
        """The object this one hangs under for permission purposes (None: top level)."""
        return None

    def private_viewer_ids(self) -> set[int]:
        """Users besides the portfolio-wide roles who may see this object's private data
        (core.permissions.can_view_private); none unless a model says so."""
        return set()

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        """Django's field checks, and no NUL character in text: PostgreSQL cannot store
        one, so it is refused here with the field named rather than by the database."""
        errors: dict[str, list[str]] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = exc.message_dict
        skipped = set(exclude or ()) | set(errors)
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname, None)
            if isinstance(value, str) and "\x00" in value and field.name not in skipped:
                errors[field.name] = ["Text may not contain a NUL character."]
        if errors:
            raise ValidationError(errors)

    def author_ids(self) -> set[int]:
        """Who wrote this object: with a role in the model's CREATOR_ROLES they may change
        it (see core.permissions). By default its creator."""
        return {self.created_by_id} - {None}


class ChangeAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"


class ChangeRecord(models.Model):
    """One create, update or delete done through the services."""

    time = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
    )
    action = models.CharField(max_length=16, choices=ChangeAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=300)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-time"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        names = sorted(set(self.before) | set(self.after))
        return [(name, self.before.get(name), self.after.get(name)) for name in names]


class ApiToken(models.Model):
    """A bearer token for scripts. Only a SHA-256 digest of the secret is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="First characters, to recognise a token.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
