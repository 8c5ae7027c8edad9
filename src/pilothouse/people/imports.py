"""Importing people from an HR export (CSV or XLSX): one row per person, matched by email.

`import_people(source=...)` maps the columns (by name and alias, or as the caller says)
and runs `core.imports.run_import` with `PeopleHandler`: one transaction, all or
nothing unless `partial`, nothing written on a dry run, every refused row named by line
and column. Only product leaders and admins import people.

Fields: email (required; identifies the person), name (or first_name and last_name),
job_title, level (a ladder level by key or by name), manager (the manager's email: a
person of the file or of Pilothouse), location, start_date, employment_type (full time,
part time, contractor, intern, in a few common spellings), fte (0.05 to 1, or a
percentage such as 80%), cost_per_year, cost_currency (ISO 4217), private (yes/no).

A row whose email (ignoring case) is a person's updates that person; any other row
creates one, linked to the active login with that email if it has no person yet. A
mapped column sets its field (an empty cell clears it; an empty name leaves the name as
it is); a field without a column is left as it is. A row that changes nothing is
reported unchanged and not written.

The whole file is read before anything is written (up to MAX_ROWS rows), so a row may
name a manager further down, and the reporting lines the file would make are checked
as a whole: the same email twice, an unknown level or currency, a manager found neither
in the file nor in Pilothouse, and a management cycle (each row on the cycle is refused,
naming it) are refused row by row. People are then written managers first, each through
people.services (validation, permission, change log, cost kept out of the log).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from pilothouse.core import bulk, permissions
from pilothouse.core.currencies import CURRENCIES
from pilothouse.core.errors import ConflictError
from pilothouse.core.file_imports import ImportResult, import_file
from pilothouse.core.imports import ColumnMapping, FieldKind, FieldSpec, RowHandler, RowOutcome
from pilothouse.core.models import User
from pilothouse.core.tabular import Row, TableLimits
from pilothouse.people import services
from pilothouse.people.models import CareerLevel, EmploymentType, Person

MAX_ROWS = 20_000  # people per file: the whole file is checked before it is written
LIMITS = TableLimits(max_rows=MAX_ROWS)
NOT_ALLOWED = "Only product leaders and admins import people."

PEOPLE_FIELDS = (
    FieldSpec(
        "email",
        required=True,
        aliases=("e-mail", "email address", "work email", "mail"),
        max_length=254,
        help="Identifies the person: a row with a known email updates them.",
    ),
    FieldSpec(
        "name",
        aliases=("full name", "employee name", "employee", "display name"),
        max_length=120,
        help="Or first and last name columns.",
    ),
    FieldSpec("first_name", aliases=("first name", "given name", "firstname"), max_length=60),
    FieldSpec(
        "last_name", aliases=("last name", "surname", "family name", "lastname"), max_length=60
    ),
    FieldSpec("job_title", aliases=("title", "job title", "position", "job"), max_length=120),
    FieldSpec(
        "level",
        aliases=("career level", "job level", "grade"),
        max_length=80,
        help="A level of the career ladder, by key (senior_pm) or name (Senior PM).",
    ),
    FieldSpec(
        "manager",
        aliases=(
            "manager email",
            "manager e-mail",
            "reports to",
            "line manager",
            "supervisor email",
        ),
        max_length=254,
        help="The manager's email: someone in the file or in Pilothouse.",
    ),
    FieldSpec("location", aliases=("office", "city", "work location", "site"), max_length=120),
    FieldSpec(
        "start_date",
        kind=FieldKind.DATE,
        aliases=("start date", "hire date", "date of joining", "joined", "started"),
    ),
    FieldSpec(
        "employment_type",
        aliases=("employment type", "employment", "contract type", "worker type"),
        max_length=40,
        help="Full time, part time, contractor or intern.",
    ),
    FieldSpec(
        "fte",
        aliases=("full-time equivalent", "full time equivalent"),
        max_length=20,
        help="0.05 to 1, or a percentage such as 80%.",
    ),
    FieldSpec(
        "cost_per_year",
        kind=FieldKind.DECIMAL,
        aliases=("cost", "yearly cost", "annual cost", "cost per year", "loaded cost"),
        help="Fully loaded yearly cost; private.",
    ),
    FieldSpec(
        "cost_currency",
        aliases=("currency", "cost currency"),
        max_length=10,
        help="ISO 4217, e.g. USD, EUR, GBP.",
    ),
    FieldSpec(
        "private",
        kind=FieldKind.BOOL,
        aliases=("confidential", "unannounced"),
        help="Listed only to the person, their managers, product leaders and admins.",
    ),
)
# Spellings of the employment types found in HR exports (compared without case, with
# dashes and underscores as spaces).
EMPLOYMENT_WORDS: dict[str, str] = {
    "full time": EmploymentType.FULL_TIME,
    "fulltime": EmploymentType.FULL_TIME,
    "ft": EmploymentType.FULL_TIME,
    "permanent": EmploymentType.FULL_TIME,
    "employee": EmploymentType.FULL_TIME,
    "part time": EmploymentType.PART_TIME,
    "parttime": EmploymentType.PART_TIME,
    "pt": EmploymentType.PART_TIME,
    "contractor": EmploymentType.CONTRACTOR,
    "contract": EmploymentType.CONTRACTOR,
    "freelance": EmploymentType.CONTRACTOR,
    "freelancer": EmploymentType.CONTRACTOR,
    "consultant": EmploymentType.CONTRACTOR,
    "intern": EmploymentType.INTERN,
    "internship": EmploymentType.INTERN,
    "trainee": EmploymentType.INTERN,
}
FTE_MIN, FTE_MAX = Decimal("0.05"), Decimal("1")
_NUMBER = re.compile(r"\d+(\.\d+)?|\.\d+")


def _key(email: str) -> str:
    """Emails are matched ignoring case."""
    return email.strip().casefold()


@dataclass
class _Pending:
    """A row checked against the file and the database, waiting to be written."""

    row: Row
    key: str  # its email, as matched
    data: dict[str, Any]
    person: Person | None  # the person it updates, or None to create one
    manager: str | None = None  # the manager's email key, if the row sets one
    sets_manager: bool = False
    depth: int = 0  # in the reporting lines the import makes (managers first)
    done: Person | None = field(default=None, repr=False)  # written (or unchanged)


class PeopleHandler(RowHandler):
    """People from an HR export (see the module's docstring for the fields and rules)."""

    fields = PEOPLE_FIELDS
    identity = "email"
    row_savepoints = False  # apply() writes nothing; flush() writes in order

    def __init__(self, *, actor: User | None) -> None:
        self.actor = actor
        self.levels: dict[str, CareerLevel] = {}
        for level in CareerLevel.objects.all():
            self.levels[level.key.casefold()] = level
            self.levels.setdefault(level.name.casefold(), level)
        self.level_list = ", ".join(
            f"{level.key} ({level.name})" for level in CareerLevel.objects.order_by("rank", "key")
        )
        self.pending: list[_Pending] = []
        self.lines: dict[str, int] = {}  # email key -> the line that set it
        self.file_emails: set[str] = set()
        self.manager_of: dict[int, int | None] = {}  # every person's manager, by id
        self.email_of: dict[int, str] = {}
        self.by_email: dict[str, list[int]] = {}
        self.people: dict[int, Person] = {}  # the people the file updates, locked
        self.logins: dict[str, list[User]] = {}
        self.managers: dict[int, Person] = {}  # managers in Pilothouse the file names, by id

    # --- checking rows ---------------------------------------------------------------------

    def prepare(self, batch: Sequence[Mapping[str, Any]]) -> None:
        """Read what the file refers to: every person (the reporting lines, to check the
        file's), those it updates (locked), and the logins without a person."""
        self.file_emails |= {_key(v["email"]) for v in batch if v.get("email")}
        for pk, manager_id, email in Person.objects.values_list("id", "manager_id", "email"):
            self.manager_of[pk] = manager_id
            if email:
                self.email_of[pk] = email
                self.by_email.setdefault(_key(email), []).append(pk)
        wanted = [pk for key in self.file_emails for pk in self.by_email.get(key, ())]
        for chunk in bulk.chunks(sorted(wanted)):
            self.people.update(
                (person.pk, person)
                for person in Person.objects.select_for_update().filter(pk__in=chunk)
            )
        for user in User.objects.filter(is_active=True, person__isnull=True).exclude(email=""):
            self.logins.setdefault(_key(user.email), []).append(user)

    def apply(self, row: Row, values: dict[str, Any]) -> RowOutcome | None:
        email = values["email"]
        key = _key(email)
        first = self.lines.setdefault(key, row.line)
        if first != row.line:
            message = f"'{email}' appears twice in the file, on line {first} and on line {row.line}"
            raise ValidationError({"email": f"{message}; keep one"})
        errors: dict[str, str] = {}
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = f"'{email}' is not an email address"
        person = self._match(key, errors)
        data = self._data(values, person, errors)
        pending = _Pending(row=row, key=key, data=data, person=person)
        if "manager" in values:
            pending.sets_manager = True
            pending.manager = self._manager(values["manager"], key, errors)
        if person is None:
            data["email"] = email
            if not data.get("name"):
                errors["name"] = (
                    "a new person needs a name: map a name column (or first and last name columns)"
                )
            data["user"] = self._login(key)
        elif person.user_id is None and (login := self._login(key)) is not None:
            data["user"] = login
        if errors:
            raise ValidationError(errors)
        self.pending.append(pending)
        return None

    def _match(self, key: str, errors: dict[str, str]) -> Person | None:
        found = self.by_email.get(key, [])
        if len(found) > 1:
            errors["email"] = (
                f"{len(found)} people have this email in different case; correct them first"
            )
            return None
        return self.people.get(found[0]) if found else None

    def _data(
        self, values: Mapping[str, Any], person: Person | None, errors: dict[str, str]
    ) -> dict[str, Any]:
        data: dict[str, Any] = {}
        name = values.get("name")
        if not name and ("first_name" in values or "last_name" in values):
            name = " ".join(filter(None, (values.get("first_name"), values.get("last_name"))))
        if name:
            data["name"] = name
        for text in ("job_title", "location"):
            if text in values:
                data[text] = values[text] or ""
        if "start_date" in values:
            data["start_date"] = values["start_date"]
        if "private" in values:
            data["private"] = bool(values["private"])
        if "level" in values:
            data["level"] = self._level(values["level"], errors)
        if "employment_type" in values:
            data["employment_type"] = _employment(values["employment_type"], errors)
        if "fte" in values:
            data["fte"] = _fte(values["fte"], errors)
        if "cost_per_year" in values:
            data["cost_per_year"] = values["cost_per_year"]
        if "cost_currency" in values:
            currency = (values["cost_currency"] or "").strip().upper()
            if currency and currency not in CURRENCIES:
                errors["cost_currency"] = (
                    f"unknown currency '{currency}': use an ISO 4217 code such as USD, EUR or GBP"
                )
            data["cost_currency"] = currency
        return data

    def _level(self, value: str | None, errors: dict[str, str]) -> CareerLevel | None:
        if not value:
            return None
        level = self.levels.get(value.strip().casefold())
        if level is None:
            errors["level"] = f"no level '{value}' on the ladder; the levels are {self.level_list}"
        return level

    def _manager(self, value: str | None, own: str, errors: dict[str, str]) -> str | None:
        if not value:
            return None
        key = _key(value)
        if "@" not in key:
            errors["manager"] = f"'{value}' is not an email address; give the manager's email"
        elif key == own:
            errors["manager"] = "a person cannot be their own manager"
        elif key not in self.file_emails and key not in self.by_email:
            errors["manager"] = f"no one has the email '{value}', in this file or in Pilothouse"
        elif key not in self.file_emails and len(self.by_email[key]) > 1:
            errors["manager"] = f"several people have the email '{value}' in different case"
        return key

    def _login(self, key: str) -> User | None:
        logins = self.logins.get(key, [])
        return logins[0] if len(logins) == 1 else None

    # --- writing ---------------------------------------------------------------------------

    def flush(self) -> list[tuple[Row, RowOutcome | Exception]]:
        pending, self.pending = self.pending, []
        by_key = {p.key: p for p in pending}
        results: dict[int, RowOutcome | Exception] = {}
        for p, cycle in self._cycles(pending):
            results[id(p)] = ValidationError(
                {"manager": "the file makes a management cycle: " + " → ".join(cycle)}
            )
        ordered = sorted((p for p in pending if id(p) not in results), key=lambda p: p.depth)
        for p in ordered:
            results[id(p)] = self._write(p, by_key)
        return [(p.row, results[id(p)]) for p in pending]

    def _cycles(self, pending: Sequence[_Pending]) -> list[tuple[_Pending, list[str]]]:
        """The rows on a management cycle of the reporting lines the file makes, each with
        the cycle (as emails); every other row gets its depth in those lines."""
        parent: dict[Any, Any] = dict(self.manager_of)  # node -> manager node
        label: dict[Any, str] = dict(self.email_of)
        node_of: dict[str, Any] = {}
        for p in pending:
            node = p.person.pk if p.person is not None else ("new", p.key)
            node_of[p.key] = node
            label[node] = p.data.get("email") or self.email_of.get(node, p.key)
            if p.person is None:
                parent[node] = None
        for p in pending:
            if p.sets_manager:
                parent[node_of[p.key]] = self._manager_node(p.manager, node_of)
        cycles: dict[int, list[str]] = {}
        for p in pending:
            start = node_of[p.key]
            path, seen, current = [start], {start}, parent.get(start)
            while current is not None and current not in seen:
                path.append(current)
                seen.add(current)
                current = parent.get(current)
            if current == start:
                cycles[id(p)] = [label.get(node, str(node)) for node in [*path, start]]
            p.depth = len(path)
        return [(p, cycles[id(p)]) for p in pending if id(p) in cycles]

    def _manager_node(self, key: str | None, node_of: Mapping[str, Any]) -> Any:
        if key is None:
            return None
        if key in node_of:
            return node_of[key]
        found = self.by_email.get(key, [])
        return found[0] if found else None

    def _write(self, p: _Pending, by_key: Mapping[str, _Pending]) -> RowOutcome | Exception:
        data = dict(p.data)
        if p.sets_manager:
            manager = self._manager_person(p.manager, by_key)
            if isinstance(manager, Exception):
                return manager
            data["manager"] = manager
        try:
            with transaction.atomic():
                if p.person is None:
                    p.done = services.person.create(actor=self.actor, data=data)
                    return RowOutcome.CREATED
                if not _changes(p.person, data):
                    p.done = p.person
                    return RowOutcome.UNCHANGED
                p.done = services.person.update(
                    actor=self.actor, instance=p.person, version=None, data=data
                )
                return RowOutcome.UPDATED
        except (ValidationError, PermissionDenied, ConflictError) as exc:
            return exc

    def _manager_person(
        self, key: str | None, by_key: Mapping[str, _Pending]
    ) -> Person | ValidationError | None:
        """The manager a row names: written before it (a row of the file) or in Pilothouse."""
        if key is None:
            return None
        row = by_key.get(key)
        if row is not None and row.done is not None:
            return row.done
        found = self.by_email.get(key, [])
        if row is not None or not found:  # the manager's row of the file was refused
            line = row.row.line if row is not None else self.lines.get(key)
            where = f"(line {line})" if line is not None else f"('{key}')"
            return ValidationError({"manager": f"the manager's row {where} was refused"})
        if found[0] not in self.managers:
            self.managers[found[0]] = Person.objects.get(pk=found[0])
        return self.managers[found[0]]


def _changes(person: Person, data: Mapping[str, Any]) -> bool:
    """Whether applying `data` would change the person (cost included)."""
    for name, value in data.items():
        model_field = person._meta.get_field(name)
        if model_field.many_to_one or model_field.one_to_one:
            current = getattr(person, model_field.attname)
            target = getattr(value, model_field.target_field.attname) if value is not None else None
            if current != target:
                return True
        elif getattr(person, name) != value:
            return True
    return False


def _employment(value: str | None, errors: dict[str, str]) -> str:
    if not value:
        return EmploymentType.FULL_TIME
    words = re.sub(r"[\s_\-]+", " ", value).strip().casefold()
    kind = EMPLOYMENT_WORDS.get(words)
    if kind is None:
        errors["employment_type"] = (
            f"'{value}' is not an employment type; use full time, part time, contractor or intern"
        )
        return EmploymentType.FULL_TIME
    return kind


def _fte(value: str | None, errors: dict[str, str]) -> Decimal:
    """A share of a full-time week: 0.8, or 80%."""
    if not value:
        return Decimal("1.00")
    text = value.strip()
    percent = text.endswith("%")
    number = text.removesuffix("%").strip()
    problem = (
        f"'{value}' is not an FTE; give a share of a full-time week from 0.05 to 1, or a "
        "percentage such as 80%"
    )
    if not _NUMBER.fullmatch(number):
        errors["fte"] = problem
        return Decimal("1.00")
    try:
        share = Decimal(number) / (100 if percent else 1)
    except InvalidOperation:
        errors["fte"] = problem
        return Decimal("1.00")
    share = share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if not FTE_MIN <= share <= FTE_MAX:
        errors["fte"] = problem
    return share


def may_import(user: User | None) -> bool:
    return permissions.is_portfolio_wide(user)


def import_people(
    *,
    source: Any,
    actor: User | None,
    filename: str | None = None,
    mapping: ColumnMapping | Mapping[str, str | None] | None = None,
    dry_run: bool = False,
    partial: bool = False,
    sheet: str | None = None,
    encoding: str | None = None,
    progress=None,
    limits: TableLimits = LIMITS,
) -> ImportResult:
    """Import the people of an HR export as `actor` (None: the system). Raises
    PermissionDenied for anyone but product leaders and admins, and (nothing written) for
    a file that cannot be read or a mapping that does not fit its columns (TableError,
    MappingError); what happened to each row is in the result's report."""
    if actor is not None and not may_import(actor):
        raise PermissionDenied(NOT_ALLOWED)
    return import_file(
        make_handler=lambda: PeopleHandler(actor=actor),
        source=source,
        filename=filename,
        mapping=mapping,
        dry_run=dry_run,
        partial=partial,
        sheet=sheet,
        encoding=encoding,
        limits=limits,
        batch_size=limits.max_rows,
        progress=progress,
    )
