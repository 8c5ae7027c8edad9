"""Every write of the customer voice goes through these (core.writes underneath:
permission-checked, validated, atomic, change-logged).

Customer demand on features (see customers.evidence) is derived data: whenever a write
changes it (a link made, changed or removed; a note's customer or date changed; a
customer's ARR changed; a note or customer deleted) the affected features are
recomputed once the transaction commits, and `demand_recompute_all()` recomputes
every feature (after imports, for the demo, or to repair).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from pilothouse.core import permissions
from pilothouse.core.models import User
from pilothouse.core.writes import ModelWrites
from pilothouse.customers import evidence
from pilothouse.customers.models import (
    TAG_NAME_MAX,
    Contact,
    Customer,
    Decision,
    Note,
    NoteKind,
    NoteLink,
    NoteState,
    Segment,
    SuggestionDecision,
    SuggestionKind,
    Tag,
)
from pilothouse.roadmap import services as roadmap_services
from pilothouse.roadmap.models import Feature

MAX_TAGS_PER_NOTE = 20


# --- demand on features ------------------------------------------------------------


def demand_recompute(feature_ids: Iterable[int]) -> int:
    """Recompute the stored demand of these features; writes only the ones that changed
    and answers how many did."""
    ids = sorted(set(feature_ids))
    changed = 0
    for start in range(0, len(ids), evidence.BATCH):
        batch = ids[start : start + evidence.BATCH]
        fresh = evidence.feature_demand(batch)
        stored = {
            row[0]: roadmap_services.FeatureDemand(*row[1:])
            for row in Feature.objects.filter(pk__in=batch).values_list(
                "pk", *Feature.DEMAND_FIELDS
            )
        }
        different = {
            pk: figures for pk, figures in fresh.items() if pk in stored and stored[pk] != figures
        }
        changed += roadmap_services.feature_demand_set(demand=different)
    return changed


def demand_recompute_all() -> int:
    """Recompute the demand of every feature; answers how many features changed."""
    return demand_recompute(Feature.objects.values_list("pk", flat=True))


def _recompute_on_commit(feature_ids: Iterable[int]) -> None:
    ids = set(feature_ids)
    if ids:
        transaction.on_commit(lambda: demand_recompute(ids))


def _stored(instance: models.Model, *fields: str) -> Any:
    """The values in the database (the instance a caller holds may be stale)."""
    row = type(instance)._default_manager.filter(pk=instance.pk).values_list(*fields)[0]
    return row if len(fields) > 1 else row[0]


def _features_of_notes(**note_filter: Any) -> set[int]:
    return set(
        NoteLink.objects.filter(**{f"note__{k}": v for k, v in note_filter.items()})
        .values_list("feature_id", flat=True)
        .distinct()
    )


# --- customers, contacts, segments -------------------------------------------------


class CustomerWrites(ModelWrites):
    """A customer's ARR weighs the features their notes ask for: changing it, or
    deleting the customer (their notes stay, without a customer), updates those
    features' demand."""

    def prepare(self, instance: Customer | None, data: dict[str, Any]) -> dict[str, Any]:
        if "external_id" in data:
            data["external_id"] = (data["external_id"] or "").strip() or None
        for name in ("market_segment", "plan", "region"):
            if name in data and data[name] is None:
                data[name] = ""
        return data

    def update(self, *, actor, instance, version, data, m2m=None):
        with transaction.atomic():
            old_arr = _stored(instance, "arr")
            updated = super().update(
                actor=actor, instance=instance, version=version, data=data, m2m=m2m
            )
            if updated.arr != old_arr:
                _recompute_on_commit(_features_of_notes(customer=updated))
        return updated

    def delete(self, *, actor, instance, version=None):
        with transaction.atomic():
            affected = _features_of_notes(customer=instance)
            super().delete(actor=actor, instance=instance, version=version)
            _recompute_on_commit(affected)


class ContactWrites(ModelWrites):
    def prepare(self, instance: Contact | None, data: dict[str, Any]) -> dict[str, Any]:
        for name in ("email", "role"):
            if name in data and data[name] is None:
                data[name] = ""
        return data


class SegmentWrites(ModelWrites):
    def prepare(self, instance: Segment | None, data: dict[str, Any]) -> dict[str, Any]:
        if "rules" in data and data["rules"] is None:
            data["rules"] = []
        return data


class TagWrites(ModelWrites):
    def prepare(self, instance: Tag | None, data: dict[str, Any]) -> dict[str, Any]:
        if isinstance(data.get("name"), str):
            data["name"] = data["name"].strip()
        return data


customer = CustomerWrites(Customer)
contact = ContactWrites(Contact)
segment = SegmentWrites(Segment)
note_kind = ModelWrites(NoteKind)
tag = TagWrites(Tag)


def tags_for_names(*, actor: User | None, names: Iterable[Any]) -> list[Tag]:
    """The tags with these names (ignoring case), creating the missing ones. Errors
    name the position: "tags[2]: ..."."""
    wanted: dict[str, str] = {}
    errors: list[str] = []
    names = list(names)
    if len(names) > MAX_TAGS_PER_NOTE:
        raise ValidationError({"tags": f"tags: at most {MAX_TAGS_PER_NOTE} tags on a note"})
    for index, raw in enumerate(names):
        name = raw.strip() if isinstance(raw, str) else None
        if not name:
            errors.append(f"tags[{index}]: a tag needs a name")
        elif len(name) > TAG_NAME_MAX:
            errors.append(f"tags[{index}]: at most {TAG_NAME_MAX} characters")
        else:
            wanted.setdefault(name.lower(), name)
    if errors:
        raise ValidationError({"tags": errors})
    found: dict[str, Tag] = {}
    if wanted:
        either = Q()
        for name in wanted.values():
            either |= Q(name__iexact=name)
        found = {t.name.lower(): t for t in Tag.objects.filter(either)}
    result = []
    for key, name in wanted.items():
        existing = found.get(key)
        result.append(existing or tag.create(actor=actor, data={"name": name}))
    return result


# --- notes -------------------------------------------------------------------------


def _changed_triage_fields(instance: Note | None, data: Mapping[str, Any]) -> set[str]:
    defaults = {"kind": None, "state": Note._meta.get_field("state").default}
    changed = set()
    for name in Note.EDITOR_FIELDS:
        if name not in data:
            continue
        current = getattr(instance, name) if instance is not None else defaults[name]
        if data[name] != current:
            changed.add(name)
    return changed


def _require_triage(actor: User | None, instance: Note | None, data: Mapping[str, Any]) -> None:
    fields = _changed_triage_fields(instance, data)
    if actor is not None and fields:
        permissions.require(
            permissions.can_set_fields(actor, instance or Note(), fields),
            "Only product managers, product leaders and admins triage notes; you may not "
            "set: " + ", ".join(sorted(fields)) + ".",
        )


class NoteWrites(ModelWrites):
    """Notes: the author is the actor unless given; `tags` may be given as names
    (created as needed); a contact alone brings its customer; only triagers set the
    kind and state (core.permissions, Note.EDITOR_FIELDS)."""

    def prepare(self, instance: Note | None, data: dict[str, Any]) -> dict[str, Any]:
        if "title" in data and data["title"] is None:
            data["title"] = ""
        if instance is None and "submitted_at" in data and data["submitted_at"] is None:
            del data["submitted_at"]  # the default: now
        if "external_id" in data:
            data["external_id"] = (data["external_id"] or "").strip() or None
        kind = data.get("kind")
        if (
            kind is not None
            and not kind.active
            and (instance is None or instance.kind_id != kind.pk)
        ):
            raise ValidationError({"kind": f"The note kind {kind.name!r} is no longer in use."})
        contact_given = data.get("contact")
        if instance is None and contact_given is not None and data.get("customer") is None:
            data["customer"] = contact_given.customer
        return data

    def _tags(self, actor, data: dict[str, Any], m2m: Mapping[str, Any] | None) -> dict:
        m2m = dict(m2m or {})
        if "tags" in data:
            names = data.pop("tags")
            m2m["tags"] = tags_for_names(actor=actor, names=names or [])
        return m2m

    def create(self, *, actor, data, m2m=None):
        data = dict(data)
        data.setdefault("author", actor if actor is not None and actor.pk else None)
        with transaction.atomic():
            _require_triage(actor, None, data)
            m2m = self._tags(actor, data, m2m)
            created = super().create(actor=actor, data=data, m2m=m2m)
            _triage_notice(labels=created.kind_id is not None, text=True)
            return created

    def update(self, *, actor, instance, version, data, m2m=None):
        data = dict(data)
        with transaction.atomic():
            _require_triage(actor, instance, data)
            m2m = self._tags(actor, data, m2m)
            before = _stored(instance, "customer_id", "submitted_at", "kind_id", "title", "text")
            updated = super().update(
                actor=actor, instance=instance, version=version, data=data, m2m=m2m
            )
            if (updated.customer_id, updated.submitted_at) != before[:2]:
                _recompute_on_commit(_features_of_notes(pk=updated.pk))
            after = (updated.kind_id, updated.title, updated.text)
            _triage_notice(labels=after[0] != before[2], text=after[1:] != before[3:])
        return updated

    def delete(self, *, actor, instance, version=None):
        with transaction.atomic():
            affected = _features_of_notes(pk=instance.pk)
            super().delete(actor=actor, instance=instance, version=version)
            _recompute_on_commit(affected)
            _triage_notice(labels=instance.kind_id is not None, text=True)


def _triage_notice(*, labels: bool, text: bool) -> None:
    """Tell triage that a note's kind or words changed (it retrains and reindexes soon)."""
    from pilothouse.customers import triage  # triage imports these services

    triage.notes_changed(labels=labels, text=text)


class NoteLinkWrites(ModelWrites):
    """Every change to a link updates the demand of the features it touches."""

    def prepare(self, instance: NoteLink | None, data: dict[str, Any]) -> dict[str, Any]:
        if "excerpt" in data:
            data["excerpt"] = (data["excerpt"] or "").strip()
        return data

    def create(self, *, actor, data, m2m=None):
        with transaction.atomic():
            link = super().create(actor=actor, data=data, m2m=m2m)
            _recompute_on_commit({link.feature_id})
        return link

    def update(self, *, actor, instance, version, data, m2m=None):
        with transaction.atomic():
            before = _stored(instance, "feature_id")
            link = super().update(
                actor=actor, instance=instance, version=version, data=data, m2m=m2m
            )
            _recompute_on_commit({before, link.feature_id})
        return link

    def delete(self, *, actor, instance, version=None):
        with transaction.atomic():
            affected = {instance.feature_id}
            super().delete(actor=actor, instance=instance, version=version)
            _recompute_on_commit(affected)


note = NoteWrites(Note)
note_link = NoteLinkWrites(NoteLink)
_note_writes = note  # for functions whose parameter is named `note`


def note_kind_suggestions_set(*, suggestions: Mapping[int, tuple[int | None, float | None]]) -> int:
    """Store the triage engine's kind suggestions: {note id: (kind id, confidence)}.

    Derived data, like demand: no permission check, version or change record. A
    confidence must lie in [0, 1]; unknown note ids are skipped.
    """
    rows = []
    for note_id, (kind_id, confidence) in suggestions.items():
        if confidence is not None and not 0.0 <= confidence <= 1.0:
            raise ValueError(f"note {note_id}: confidence {confidence} is outside [0, 1]")
        rows.append(
            Note(pk=note_id, suggested_kind_id=kind_id, suggested_kind_confidence=confidence)
        )
    Note.objects.bulk_update(rows, ["suggested_kind", "suggested_kind_confidence"], batch_size=500)
    return len(rows)


# --- triage suggestions ------------------------------------------------------------

suggestion_decision = ModelWrites(SuggestionDecision)


def _suggestion_target(kind: str, target_id: int) -> models.Model:
    targets: dict[str, type[models.Model]] = {
        SuggestionKind.KIND: NoteKind,
        SuggestionKind.FEATURE: Feature,
        SuggestionKind.DUPLICATE: Note,
    }
    if kind not in targets:
        choices = ", ".join(SuggestionKind.values)
        raise ValidationError({"kind": f"unknown suggestion kind {kind!r}; choose from: {choices}"})
    model = targets[kind]
    target = model._default_manager.filter(pk=target_id).first()
    if target is None:
        raise ValidationError({"target_id": f"no {model._meta.verbose_name} with id {target_id}"})
    return target


def _decide(
    *, actor: User | None, note: Note, kind: str, target_id: int, decision: str
) -> SuggestionDecision:
    data = {
        "decision": decision,
        "actor": actor if actor is not None and actor.pk else None,
        "decided_at": timezone.now(),
    }
    existing = SuggestionDecision.objects.filter(note=note, kind=kind, target_id=target_id).first()
    if existing is None:
        return suggestion_decision.create(
            actor=actor, data={"note": note, "kind": kind, "target_id": target_id, **data}
        )
    return suggestion_decision.update(actor=actor, instance=existing, version=None, data=data)


def suggestion_accept(
    *, actor: User | None, note: Note, kind: str, target_id: int
) -> SuggestionDecision:
    """Accept a triage suggestion for `note`, do what it says, and remember it:

    - kind: the note gets that kind (an inactive kind is refused);
    - feature: the note is linked to the feature (no importance), unless it already is;
    - duplicate (target: the note this one repeats): this note is archived and linked to
      every feature the other note is linked to, with the same importance, so that the
      customer's request still counts as evidence while it leaves the inbox.
    """
    with transaction.atomic():
        target = _suggestion_target(kind, target_id)
        decided = _decide(
            actor=actor, note=note, kind=kind, target_id=target_id, decision=Decision.ACCEPTED
        )
        if kind == SuggestionKind.KIND:
            if not target.active:
                raise ValidationError({"target_id": f"the note kind {target} is not active"})
            _note_writes.update(actor=actor, instance=note, version=None, data={"kind": target})
        elif kind == SuggestionKind.FEATURE:
            if not NoteLink.objects.filter(note=note, feature=target).exists():
                note_link.create(actor=actor, data={"note": note, "feature": target})
        else:
            if target.pk == note.pk:
                raise ValidationError({"target_id": "a note cannot duplicate itself"})
            linked = set(NoteLink.objects.filter(note=note).values_list("feature_id", flat=True))
            for link in NoteLink.objects.filter(note=target).select_related("feature"):
                if link.feature_id not in linked:
                    note_link.create(
                        actor=actor,
                        data={"note": note, "feature": link.feature, "importance": link.importance},
                    )
            _note_writes.update(
                actor=actor, instance=note, version=None, data={"state": NoteState.ARCHIVED}
            )
    return decided


def suggestion_dismiss(
    *, actor: User | None, note: Note, kind: str, target_id: int
) -> SuggestionDecision:
    """Dismiss a triage suggestion: nothing else changes, and it is not suggested again."""
    with transaction.atomic():
        _suggestion_target(kind, target_id)
        return _decide(
            actor=actor, note=note, kind=kind, target_id=target_id, decision=Decision.DISMISSED
        )


# --- bulk triage ---------------------------------------------------------------------

BULK_MAX = 500


class BulkAction(models.TextChoices):
    SET_KIND = "set_kind", "Set the kind (value: a note kind id, or null)"
    SET_STATE = "set_state", "Set the state (value: new, triaged or archived)"
    ADD_TAG = "add_tag", "Add a tag (value: its name; created if new)"
    ARCHIVE = "archive", "Archive (no value)"


class BulkRefused(Exception):
    """A bulk action that changed nothing: `status` 403 if the actor may not change
    some of the notes, else 422; `errors` as (field, message), each naming the note."""

    def __init__(self, status: int, detail: str, errors: list[tuple[str, str]]) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors


def _bulk_change(actor: User | None, action: str, value: Any) -> tuple[dict, Tag | None]:
    """The data every note gets, and the tag to add; bad values name the field "value"."""
    if action == BulkAction.SET_KIND:
        if value is None:
            return {"kind": None}, None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError({"value": "set_kind takes a note kind id or null"})
        kind = NoteKind.objects.filter(pk=value).first()
        if kind is None:
            raise ValidationError({"value": f"no note kind with id {value}"})
        return {"kind": kind}, None
    if action == BulkAction.SET_STATE:
        if value not in NoteState.values:
            choices = ", ".join(NoteState.values)
            raise ValidationError({"value": f"set_state takes one of: {choices}"})
        return {"state": value}, None
    if action == BulkAction.ADD_TAG:
        if not isinstance(value, str):
            raise ValidationError({"value": "add_tag takes a tag name"})
        try:
            (found,) = tags_for_names(actor=actor, names=[value])
        except ValidationError as exc:
            raise ValidationError({"value": exc.messages}) from exc
        return {}, found
    if action == BulkAction.ARCHIVE:
        return {"state": NoteState.ARCHIVED}, None
    raise ValidationError({"action": f"unknown action {action!r}"})


def note_bulk(*, actor: User | None, note_ids: list[int], action: str, value: Any) -> list[int]:
    """Apply one triage action to many notes, all or nothing. Each note is changed
    through the note services (permission, validation, change log; no version check:
    the action applies to the notes as they are). Answers the ids of the notes."""
    ids = list(dict.fromkeys(note_ids))
    if not ids:
        raise ValidationError({"note_ids": "name at least one note"})
    if len(ids) > BULK_MAX:
        raise ValidationError({"note_ids": f"at most {BULK_MAX} notes at a time"})
    with transaction.atomic():
        notes = Note.objects.select_related("customer", "kind").in_bulk(ids)
        missing = [pk for pk in ids if pk not in notes]
        if missing:
            raise ValidationError({"note_ids": "no note with id " + ", ".join(map(str, missing))})
        try:
            data, add = _bulk_change(actor, action, value)
        except PermissionDenied as exc:  # e.g. may not create the tag: refuse each note
            errors = [(f"note_ids[{i}]", f"note {pk}: {exc}") for i, pk in enumerate(ids)]
            raise BulkRefused(
                403, "You may not change these notes; nothing changed.", errors
            ) from exc
        denied: list[tuple[str, str]] = []
        invalid: list[tuple[str, str]] = []
        for index, pk in enumerate(ids):
            instance = notes[pk]
            m2m = {"tags": [*instance.tags.all(), add]} if add is not None else None
            try:
                _note_writes.update(
                    actor=actor, instance=instance, version=None, data=data, m2m=m2m
                )
            except PermissionDenied as exc:
                denied.append((f"note_ids[{index}]", f"note {pk}: {exc}"))
            except ValidationError as exc:
                for message in exc.messages:
                    invalid.append((f"note_ids[{index}]", f"note {pk}: {message}"))
        if denied:
            detail = "You may not change some of these notes; nothing changed."
            raise BulkRefused(403, detail, denied)
        if invalid:
            raise BulkRefused(422, "Some notes refused the change; nothing changed.", invalid)
    return ids
