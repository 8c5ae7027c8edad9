"""Importing customers and feedback notes from CSV or XLSX files.

`import_file(kind="feedback" | "customers", ...)` reads the table, maps its columns
(automatically by name and alias, or as the user says) and runs `core.imports.run_import`
with the kind's handler: everything in one transaction, all or nothing unless
`partial`, nothing written on a dry run, every refused row named by line and field.

Both handlers write in bulk (`core.bulkimport`): `prepare` looks up, once per batch,
what the batch's rows refer to; `apply` checks a row against those lookups and keeps
it, settles it at once (unchanged) or refuses it; `flush` writes the batch with bulk
statements (objects, tags, links, and the change log: for the objects it creates, a
record of the batch with their ids and a lean record each naming it, for the objects it
changes a record each of what changed); `finish` has the demand figures of the affected
features recomputed once, when the import commits.

Re-importing a file updates the records with the same external id and leaves
identical ones alone (no write, no change record): a column that is mapped sets its
field (an empty cell clears it, or sets its default), a field without a column is
left as it is.

Feedback notes: see customers.import_notes.

Customers
    name (required), external_id (identity), market_segment, plan, arr (>= 0; an empty
    cell is 0), region, account_owner (a username or email of an active user), created
    (a date). A row without an external id matches the customer of that name (ignoring
    case; two such customers are an error); a row with an id the database does not know
    takes over the one customer without an id that has its name, if there is one.
    Product managers, product leaders and admins import customers. A changed ARR
    updates the demand figures of the features the customer's notes ask for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower

from pilothouse.core import file_imports
from pilothouse.core.bulkimport import BulkRowHandler, Kept
from pilothouse.core.file_imports import ImportResult
from pilothouse.core.imports import (
    ColumnMapping,
    FieldKind,
    FieldSpec,
    RowOutcome,
)
from pilothouse.core.models import User
from pilothouse.core.tabular import DEFAULT_LIMITS, Row, TableLimits
from pilothouse.customers.import_notes import (
    FeedbackNoteHandler,
    chunks,
    differs,
    features_of,
    keys,
    lower,
    recompute_on_commit,
)
from pilothouse.customers.models import Customer

__all__ = ["CustomerHandler", "FeedbackNoteHandler", "ImportResult", "import_file"]


# --- customers -----------------------------------------------------------------------------


CUSTOMER_FIELDS = (
    FieldSpec(
        "name",
        required=True,
        aliases=("customer", "customer name", "company", "company name", "account", "account name"),
        max_length=200,
    ),
    FieldSpec(
        "external_id",
        aliases=("id", "customer id", "external id", "account id", "crm id"),
        max_length=100,
    ),
    FieldSpec("market_segment", aliases=("segment", "market segment", "tier"), max_length=60),
    FieldSpec("plan", aliases=("plan name", "subscription"), max_length=60),
    FieldSpec("arr", kind=FieldKind.DECIMAL, aliases=("annual recurring revenue", "revenue")),
    FieldSpec("region", aliases=("geo", "territory"), max_length=60),
    FieldSpec("account_owner", aliases=("owner", "account manager", "csm", "owner email")),
    FieldSpec("created", kind=FieldKind.DATE, aliases=("customer since", "since", "start date")),
)


class CustomerHandler(BulkRowHandler):
    """Customers (see the module's docstring for the fields and their rules)."""

    model = Customer
    fields = CUSTOMER_FIELDS
    identity = "external_id"
    identity_read = True  # prepare() looks up every external id of its batch

    def __init__(self, *, actor: User | None) -> None:
        super().__init__(actor=actor)
        self.users: dict[str, list[User]] = {}
        for user in User.objects.filter(is_active=True).order_by("pk"):
            self.users.setdefault(lower(user.username), []).append(user)
            if user.email and lower(user.email) != lower(user.username):
                self.users.setdefault(lower(user.email), []).append(user)
        self.by_id: dict[str, Customer] = {}
        self.by_name: dict[str, list[Customer]] = {}
        self.lines: dict[Any, int] = {}  # customer id or lower name -> the line that set it
        self.arr_changed: set[int] = set()

    def prepare(self, batch: Sequence[Mapping[str, Any]]) -> None:
        ids = {v["external_id"] for v in batch if v.get("external_id")}
        names = keys(v["name"] for v in batch)
        self.by_id, self.by_name = {}, {}
        for chunk in chunks(ids):
            customers = Customer.objects.select_for_update().filter(external_id__in=chunk)
            self.by_id.update((c.external_id, c) for c in customers)
        for chunk in chunks(names):
            customers = Customer.objects.select_for_update().annotate(key=Lower("name"))
            for customer in customers.filter(key__in=chunk).order_by("pk"):
                self.by_name.setdefault(lower(customer.name), []).append(customer)

    def _match(self, values: Mapping[str, Any]) -> Customer | None:
        name, external_id = values["name"], values.get("external_id")
        if external_id:
            found = self.by_id.get(external_id)
            if found is None:  # an id the database does not know: the one without an id?
                named = [c for c in self.by_name.get(lower(name), []) if not c.external_id]
                found = named[0] if len(named) == 1 else None
            return found
        named = self.by_name.get(lower(name), [])
        if len(named) > 1:
            raise ValidationError(
                {
                    "name": f"{len(named)} customers are named '{name}'; give external ids to "
                    "tell them apart"
                }
            )
        return named[0] if named else None

    def apply(self, row: Row, values: dict[str, Any]) -> RowOutcome | None:
        customer = self._match(values)
        key = customer.pk if customer is not None else lower(values["name"])
        if not values.get("external_id") or customer is not None:
            first = self.lines.setdefault(key, row.line)
            if first != row.line:
                field = "external_id" if customer is not None else "name"
                raise ValidationError(
                    {field: f"line {first} of the file is the same customer; keep one of them"}
                )
        data: dict[str, Any] = {"name": values["name"]}
        if values.get("external_id"):
            data["external_id"] = values["external_id"]
        for name in ("market_segment", "plan", "region"):
            if name in values:
                data[name] = values[name] or ""
        if "arr" in values:
            data["arr"] = values["arr"] if values["arr"] is not None else 0
        if "created" in values:
            data["created"] = values["created"]
        if "account_owner" in values:
            data["account_owner"] = self._owner(values["account_owner"])
        if customer is None:
            self.keep(Kept(row, data))
            return None
        changed = {name: value for name, value in data.items() if differs(customer, name, value)}
        if not changed:
            return RowOutcome.UNCHANGED
        self.require_change(customer)
        self.keep(Kept(row, changed, customer))
        return None

    def _owner(self, value: str | None) -> User | None:
        if not value:
            return None
        users = self.users.get(lower(value), [])
        if len(users) != 1:
            problem = "there is no active user" if not users else f"{len(users)} users have"
            raise ValidationError(
                {"account_owner": f"{problem} with the username or email '{value}'"}
            )
        return users[0]

    def written(self, created: list[Kept], updated: list[Kept]) -> None:
        self.arr_changed.update(k.instance.pk for k in updated if "arr" in k.data)

    def finish(self) -> None:
        affected: set[int] = set()
        for chunk in chunks(self.arr_changed):
            affected |= features_of(Q(note__customer_id__in=chunk))
        recompute_on_commit(affected)


# --- running an import ---------------------------------------------------------------------


HANDLERS: dict[str, type[BulkRowHandler]] = {
    "feedback": FeedbackNoteHandler,
    "customers": CustomerHandler,
}


def import_file(
    *,
    kind: str,
    source: Any,
    actor: User | None,
    filename: str | None = None,
    mapping: ColumnMapping | Mapping[str, str | None] | None = None,
    dry_run: bool = False,
    partial: bool = False,
    sheet: str | None = None,
    encoding: str | None = None,
    options: Mapping[str, Any] | None = None,
    progress=None,
    limits: TableLimits = DEFAULT_LIMITS,
    batch_size: int = 1000,
) -> ImportResult:
    """Import a file of `kind` ("feedback" or "customers") as `actor` (None: the system).

    A file that cannot be read, a mapping that does not fit its columns or a bad option
    raises (TableError, MappingError, ValidationError: nothing is written); what
    happened to each row is in the result's report.
    """
    if kind not in HANDLERS:
        raise ValueError(f"unknown import {kind!r}")
    return file_imports.import_file(
        make_handler=lambda: HANDLERS[kind](actor=actor, **(options or {})),
        source=source,
        filename=filename,
        mapping=mapping,
        dry_run=dry_run,
        partial=partial,
        sheet=sheet,
        encoding=encoding,
        limits=limits,
        batch_size=batch_size,
        progress=progress,
    )
