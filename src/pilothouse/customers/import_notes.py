"""Importing feedback notes (see customers.imports for the runner and the rules of
re-imports): the fields, and how a row finds its customer, contact, tags, kind and
features.

    text (required), title, source (a default for rows without one), submitted_at (a
    date, or a date and time), customer (the customer's external id) or, for files
    without ids, customer_name (matched by name, ignoring case; with ids it names a
    customer the import creates), contact_email (a contact of that customer;
    contact_name names one the import creates), tags (separated by , or ;; missing
    ones are created), kind (a note kind's name), state, external_id (identity), and
    features (ids of features to link the note to; links are added, never removed).

The author of new notes is the importing user. Unknown customers and contacts are row
errors unless `create_customers` / `create_contacts`. The triage fields (kind, state)
and feature links need a product manager, leader or admin, as in the services; a
contributor changes only the notes they wrote. A note whose customer changes loses
a contact of the old customer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower

from pilothouse.core import bulk, permissions, writes
from pilothouse.core.bulkimport import BulkRowHandler, Kept
from pilothouse.core.imports import FieldKind, FieldSpec, RowOutcome
from pilothouse.core.models import User, VersionedModel
from pilothouse.core.tabular import Row
from pilothouse.customers import services
from pilothouse.customers.models import (
    NOTE_TEXT_MAX,
    TAG_NAME_MAX,
    Contact,
    Customer,
    Note,
    NoteKind,
    NoteLink,
    NoteSource,
    NoteState,
    Tag,
)
from pilothouse.roadmap.models import Feature

TRIAGE_MESSAGE = "only product managers, product leaders and admins set a note's {}"
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def lower(text: str) -> str:
    """Names and emails are matched ignoring case."""
    return text.lower()


def keys(texts: Iterable[str]) -> list[str]:
    """What SQL's LOWER() may make of these texts: PostgreSQL lowers every letter,
    SQLite only A to Z; look up both, then compare in Python."""
    return sorted({form for text in texts for form in (text.lower(), text.translate(_ASCII_LOWER))})


def chunks(values: Iterable[Any]) -> Iterable[Sequence[Any]]:
    """Values in groups small enough for one `__in` lookup."""
    return bulk.chunks(list(values))


def features_of(q: Q) -> set[int]:
    return set(NoteLink.objects.filter(q).values_list("feature_id", flat=True).distinct())


def differs(instance: VersionedModel, name: str, value: Any) -> bool:
    """Whether `value` (or, given a dict, its value for `name`, if any) is new."""
    if isinstance(value, dict):
        if name not in value:
            return False
        value = value[name]
    field = instance._meta.get_field(name)
    if field.many_to_one:
        return getattr(instance, field.attname) != (value.pk if value is not None else None)
    return getattr(instance, name) != value


def recompute_on_commit(feature_ids: set[int]) -> None:
    if feature_ids:
        ids = sorted(feature_ids)
        transaction.on_commit(lambda: services.demand_recompute(ids))


# --- feedback notes ------------------------------------------------------------------------


NOTE_FIELDS = (
    FieldSpec(
        "text",
        required=True,
        aliases=("note", "feedback", "body", "content", "message", "comment", "description"),
        max_length=NOTE_TEXT_MAX,
    ),
    FieldSpec("title", aliases=("subject", "summary", "headline"), max_length=200),
    FieldSpec(
        "source", kind=FieldKind.CHOICE, choices=tuple(NoteSource.choices), aliases=("channel",)
    ),
    FieldSpec(
        "submitted_at",
        kind=FieldKind.DATETIME,
        aliases=("submitted", "date", "created", "created at", "received", "timestamp"),
    ),
    FieldSpec(
        "customer",
        aliases=("customer id", "customer external id", "account id", "company id"),
        max_length=100,
        help="the customer's external id",
    ),
    FieldSpec(
        "customer_name",
        aliases=("customer name", "company", "company name", "account", "account name"),
        max_length=200,
    ),
    FieldSpec(
        "contact_email",
        aliases=("contact", "email", "contact email", "requester email", "user email"),
        max_length=254,
    ),
    FieldSpec("contact_name", aliases=("requester", "requester name", "user name"), max_length=120),
    FieldSpec("tags", kind=FieldKind.LIST, aliases=("labels", "tag"), max_length=TAG_NAME_MAX),
    FieldSpec("kind", aliases=("type", "note kind", "category"), max_length=60),
    FieldSpec(
        "state", kind=FieldKind.CHOICE, choices=tuple(NoteState.choices), aliases=("status",)
    ),
    FieldSpec(
        "external_id",
        aliases=("id", "note id", "external id", "ticket id", "reference"),
        max_length=200,
    ),
    FieldSpec("features", kind=FieldKind.LIST, aliases=("feature ids", "feature id", "feature")),
)


class FeedbackNoteHandler(BulkRowHandler):
    """Feedback notes (see the module's docstring for the fields and their rules)."""

    model = Note
    fields = NOTE_FIELDS
    identity = "external_id"
    supporting_models = (Customer, Contact, Tag)
    identity_read = True  # prepare() looks up every external id of its batch

    def __init__(
        self,
        *,
        actor: User | None,
        default_source: str = NoteSource.OTHER,
        create_customers: bool = False,
        create_contacts: bool = False,
    ) -> None:
        super().__init__(actor=actor)
        if default_source not in NoteSource.values:
            raise ValidationError(
                {
                    "default_source": f"'{default_source}' is not one of "
                    + ", ".join(NoteSource.values)
                }
            )
        self.default_source = default_source
        self.create_customers = create_customers
        self.create_contacts = create_contacts
        self.author = actor if actor is not None and actor.pk else None
        self.blank = Note(author=self.author)  # what a new note is before the file's values
        kinds = list(NoteKind.objects.all())
        self.kinds = {lower(kind.name): kind for kind in kinds}
        self.kind_names = ", ".join(f"'{kind.name}'" for kind in kinds if kind.active)
        self.may_set_new: dict[str, bool] = {}  # triage field -> may the actor set it on a new note
        self.customers: dict[str, Customer] = {}  # external id -> customer
        self.customers_named: dict[str, list[Customer]] = {}  # lower name -> customers
        self.contacts: dict[tuple[int, str], Contact] = {}  # (customer, lower email)
        self.new_contacts: dict[tuple[int, str], Contact] = {}  # (id(customer), lower email)
        self.contacts_asked: set[int] = set()  # customers asked whether they have contacts
        self.with_contacts: set[int] = set()  # ... and those that have some
        self.tags: dict[str, Tag] = {}  # lower name -> tag
        self.features: dict[int, Feature] = {}
        self.notes: dict[str, Note] = {}
        self.note_tags: dict[int, set[int]] = {}
        self.note_features: dict[int, set[int]] = {}
        self.touched_notes: set[int] = set()  # notes whose customer or date changed
        self.linked_features: set[int] = set()

    # --- looking up a batch ---------------------------------------------------------------

    def prepare(self, batch: Sequence[Mapping[str, Any]]) -> None:
        ids = {values["external_id"] for values in batch if values.get("external_id")}
        self.notes = {}
        for chunk in chunks(ids):
            # Which exist, with a light query; then those, whole and locked (a first
            # import finds none).
            stored = Note.objects.filter(external_id__in=chunk).order_by().values_list("pk")
            if pks := [pk for (pk,) in stored]:
                self.notes.update(
                    (note.external_id, note)
                    for note in Note.objects.select_for_update(of=("self",))
                    .select_related("customer", "contact")
                    .filter(pk__in=pks)
                    .order_by()
                )
        pks = [note.pk for note in self.notes.values()]
        self.note_tags, self.note_features = {}, {}
        for chunk in chunks(pks):
            for note_id, tag_id in Note.tags.through.objects.filter(note_id__in=chunk).values_list(
                "note_id", "tag_id"
            ):
                self.note_tags.setdefault(note_id, set()).add(tag_id)
            if any(values.get("features") for values in batch):
                for note_id, feature_id in NoteLink.objects.filter(note_id__in=chunk).values_list(
                    "note_id", "feature_id"
                ):
                    self.note_features.setdefault(note_id, set()).add(feature_id)
        self._prepare_customers(batch)
        self._prepare_tags_and_features(batch)

    def _prepare_customers(self, batch: Sequence[Mapping[str, Any]]) -> None:
        by_id = {v["customer"] for v in batch if v.get("customer")} - set(self.customers)
        for chunk in chunks(by_id):
            self.customers.update(
                (c.external_id, c) for c in Customer.objects.filter(external_id__in=chunk)
            )
        names = {
            v["customer_name"] for v in batch if v.get("customer_name") and "customer" not in v
        }
        for chunk in chunks(keys(n for n in names if lower(n) not in self.customers_named)):
            found = Customer.objects.annotate(key=Lower("name")).filter(key__in=chunk)
            for customer in found.order_by("pk"):
                named = self.customers_named.setdefault(lower(customer.name), [])
                if all(known.pk != customer.pk for known in named):
                    named.append(customer)
        self._learn_which_have_contacts(batch)
        emails, wanted = set(), set()
        for v in batch:
            email = v.get("contact_email")
            if not email:
                continue
            key = lower(email)
            unknown = [
                c.pk
                for c in self._customers_of(v)
                if c is not None
                and c.pk in self.with_contacts  # a customer without any has none to find
                and (c.pk, key) not in self.contacts
                and (id(c), key) not in self.new_contacts  # created by this import
            ]
            if unknown:
                emails.add(email)
                wanted.update(unknown)
        if wanted:
            contacts = (
                Contact.objects.annotate(key=Lower("email"))
                .filter(customer_id__in=wanted, key__in=keys(emails))
                .order_by("-pk")  # the first one wins
            )
            self.contacts.update(((c.customer_id, lower(c.email)), c) for c in contacts)

    def _customers_of(self, values: Mapping[str, Any]) -> list[Customer | None]:
        """The customers a row may name: by id, by name or, without either, its note's."""
        if "customer" in values:
            return [self.customers.get(values["customer"] or "")]
        if "customer_name" in values:
            return self.customers_named.get(lower(values["customer_name"] or ""), [])
        note = self.notes.get(values.get("external_id") or "")
        return [note.customer if note is not None else None]

    def _learn_which_have_contacts(self, batch: Sequence[Mapping[str, Any]]) -> None:
        """Which of the stored customers of the batch's rows with an email have stored
        contacts (asked once per customer): those without have none to look up."""
        unknown = {
            c.pk
            for v in batch
            if v.get("contact_email")
            for c in self._customers_of(v)
            if c is not None and c.pk is not None and c.pk not in self.contacts_asked
        }
        for chunk in chunks(unknown):
            self.with_contacts.update(
                Contact.objects.filter(customer_id__in=chunk)
                .order_by()
                .values_list("customer_id", flat=True)
                .distinct()
            )
        self.contacts_asked |= unknown

    def _prepare_tags_and_features(self, batch: Sequence[Mapping[str, Any]]) -> None:
        names = {name for v in batch for name in v.get("tags") or ()}
        for chunk in chunks(keys(n for n in names if lower(n) not in self.tags)):
            for tag in Tag.objects.annotate(key=Lower("name")).filter(key__in=chunk):
                self.tags[lower(tag.name)] = tag
        ids = {
            int(value)
            for v in batch
            for value in v.get("features") or ()
            if value.isdigit() and len(value) < 19
        } - set(self.features)
        for chunk in chunks(ids):
            self.features.update((f.pk, f) for f in Feature.objects.filter(pk__in=chunk).only("pk"))

    # --- one row --------------------------------------------------------------------------

    def apply(self, row: Row, values: dict[str, Any]) -> RowOutcome | None:
        external_id = values.get("external_id")
        note = self.notes.get(external_id) if external_id else None
        errors: dict[str, str] = {}
        needs: list[VersionedModel | None] = []
        data: dict[str, Any] = {"text": values["text"]}
        if "title" in values:
            data["title"] = values["title"] or ""
        if "source" in values or note is None:
            data["source"] = values.get("source") or self.default_source
        if values.get("submitted_at") is not None:
            data["submitted_at"] = values["submitted_at"]
        if "external_id" in values and note is None:
            data["external_id"] = external_id
        if "customer" in values or "customer_name" in values:
            self._customer(values, data, errors, needs)
        if "contact_email" in values:
            self._contact(values, data, errors, needs, note)
        elif note is not None and note.contact_id and differs(note, "customer", data):
            data["contact"] = None  # the contact was one of the old customer's people
        self._triage(values, data, errors, note)
        tags = self._tags(values, errors, needs) if "tags" in values else None
        features = self._features(values, errors, note)
        if errors:
            raise ValidationError(errors)
        if note is None:
            data["author"] = self.author
            self.keep(Kept(row, data, None, {"tags": tags or []}, extra=features), needs)
            return None
        changed = {name: value for name, value in data.items() if differs(note, name, value)}
        m2m = None
        if tags is not None and (
            any(tag.pk is None for tag in tags)
            or {tag.pk for tag in tags} != self.note_tags.get(note.pk, set())
        ):
            m2m = {"tags": tags}
        if not changed and m2m is None and not features:
            return RowOutcome.UNCHANGED
        self.require_change(note)
        if "customer" in changed or "submitted_at" in changed:
            self.touched_notes.add(note.pk)
        self.keep(Kept(row, changed, note, m2m, extra=features), needs)
        return None

    def _customer(self, values, data, errors, needs) -> None:
        key, name = values.get("customer"), values.get("customer_name")
        if "customer" in values:
            customer = self.customers.get(key) if key else None
            if key and customer is None:
                if not self.create_customers:
                    errors["customer"] = f"there is no customer with the external id '{key}'"
                    return
                customer = self._new_customer({"name": name or key, "external_id": key}, errors)
        elif name:
            named = self.customers_named.get(lower(name), [])
            if len(named) > 1:
                errors["customer_name"] = (
                    f"{len(named)} customers are named '{name}'; give customer ids (external "
                    "ids) to tell them apart"
                )
                return
            customer = named[0] if named else None
            if customer is None:
                if not self.create_customers:
                    errors["customer_name"] = f"there is no customer named '{name}'"
                    return
                customer = self._new_customer({"name": name}, errors, field="customer_name")
        else:
            customer = None
        data["customer"] = customer
        needs.append(customer)

    def _new_customer(self, data, errors, field: str = "customer") -> Customer | None:
        try:
            customer = self.new(Customer, data, field)
        except ValidationError as exc:
            errors.update((k, " ".join(v)) for k, v in exc.message_dict.items())
            return None
        if customer.external_id:
            self.customers[customer.external_id] = customer
        else:
            self.customers_named[lower(customer.name)] = [customer]
        return customer

    def _contact(self, values, data, errors, needs, note: Note | None) -> None:
        email = values.get("contact_email")
        if not email:
            data["contact"] = None
            return
        if "customer" in data:
            customer = data["customer"]
        else:
            customer = note.customer if note is not None else None
        if customer is None:
            if "customer" not in errors and "customer_name" not in errors:
                errors["contact_email"] = (
                    "a contact needs the note's customer; give the customer too"
                )
            return
        key = lower(email)
        contact = self.contacts.get((customer.pk, key)) if customer.pk else None
        contact = contact or self.new_contacts.get((id(customer), key))
        if contact is None:
            if not self.create_contacts:
                errors["contact_email"] = (
                    f"the customer '{customer.name}' has no contact with the email '{email}'"
                )
                return
            try:
                contact = self.new(
                    Contact,
                    {
                        "customer": customer,
                        "email": email,
                        "name": values.get("contact_name") or email.split("@")[0][:120],
                    },
                    "contact_email",
                )
            except ValidationError as exc:
                errors["contact_email"] = " ".join(exc.messages)
                return
            self.new_contacts[(id(customer), key)] = contact
        data["contact"] = contact
        needs.append(contact)

    def _triage(self, values, data, errors, note: Note | None) -> None:
        if "kind" in values:
            name = values["kind"]
            kind = self.kinds.get(lower(name)) if name else None
            if name and kind is None:
                errors["kind"] = f"'{name}' is not a note kind; the kinds are {self.kind_names}"
            elif kind is not None and not kind.active and (note is None or note.kind_id != kind.pk):
                errors["kind"] = f"the note kind '{kind.name}' is no longer in use"
            else:
                data["kind"] = kind
        if "state" in values:
            data["state"] = values["state"] or NoteState.NEW
        if self.actor is None:
            return
        target = note or self.blank
        for name in ("kind", "state"):
            if name not in data or not differs(target, name, data[name]):
                continue
            if note is None:  # the answer for a new note is the same for every row
                if name not in self.may_set_new:
                    self.may_set_new[name] = permissions.can_set_fields(self.actor, target, [name])
                allowed = self.may_set_new[name]
            else:
                allowed = permissions.can_set_fields(self.actor, target, [name])
            if not allowed:
                errors[name] = TRIAGE_MESSAGE.format(name)

    def _tags(self, values, errors, needs) -> list[Tag]:
        names = values.get("tags") or []
        if len(names) > services.MAX_TAGS_PER_NOTE:
            errors["tags"] = f"at most {services.MAX_TAGS_PER_NOTE} tags on a note"
            return []
        tags = []
        for name in dict.fromkeys(names, None):
            tag = self.tags.get(lower(name))
            if tag is None:
                try:
                    tag = self.tags[lower(name)] = self.new(Tag, {"name": name}, "tags")
                except ValidationError as exc:
                    errors["tags"] = " ".join(exc.messages)
                    return []
            tags.append(tag)
        needs.extend(tags)
        return list({lower(tag.name): tag for tag in tags}.values())

    def _features(self, values, errors, note: Note | None) -> list[Feature]:
        wanted = values.get("features") or []
        if not wanted:
            return []
        unknown = [v for v in wanted if not v.isdigit() or int(v) not in self.features]
        if unknown:
            listed = ", ".join(f"'{v}'" for v in unknown)
            errors["features"] = f"there is no feature with the id {listed}"
            return []
        if not self.may_create(NoteLink):
            errors["features"] = (
                "only product managers, product leaders and admins link notes to features"
            )
            return []
        linked = self.note_features.get(note.pk, set()) if note is not None else set()
        return [self.features[int(v)] for v in dict.fromkeys(wanted) if int(v) not in linked]

    # --- after writing --------------------------------------------------------------------

    def written(self, created: list[Kept], updated: list[Kept]) -> None:
        rows = [{"note": k.instance, "feature": f} for k in created + updated for f in k.extra]
        if rows:
            writes.create_many(model=NoteLink, actor=self.actor, rows=rows)
            self.linked_features.update(row["feature"].pk for row in rows)
            for row in rows:
                self.note_features.setdefault(row["note"].pk, set()).add(row["feature"].pk)

    def finish(self) -> None:
        affected = set(self.linked_features)
        for chunk in chunks(self.touched_notes):
            affected |= features_of(Q(note_id__in=chunk))
        recompute_on_commit(affected)
