"""The five standard endpoints of a resource, built the same way for every model.

A domain app describes its resource (schemas, selector, services, which ids refer
to which models) and `register` adds list, retrieve, create, update and delete to
its router. Keeping them in one place keeps the API consistent: the same list
shape, filters, ordering, errors, version checks and permission mapping.

No `from __future__ import annotations` here: ninja reads the endpoint
signatures, whose annotations are the resource's own schema classes.
"""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import FilterSchema, Query, Router, Schema
from pydantic import create_model

T = TypeVar("T")
MAX_LIMIT = 500
DEFAULT_LIMIT = 50


class Page(Schema, Generic[T]):
    items: list[T]
    count: int


class VersionedOut(Schema):
    """Fields every versioned object shows."""

    id: int
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ErrorItem(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem]


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@dataclass(kw_only=True)
class Resource:
    model: type[models.Model]
    out: type[Schema]
    create_in: type[Schema]
    update_in: type[Schema]
    filters: type[FilterSchema]
    select: Callable[[], models.QuerySet]
    create: Callable[..., models.Model]
    update: Callable[..., models.Model]
    delete: Callable[..., None]
    ordering: tuple[str, ...] = ("id",)
    default_ordering: str = "id"
    # API field holding an id -> (model field, referenced model), e.g. "product_id".
    refs: Mapping[str, tuple[str, type[models.Model]]] = field(default_factory=dict)
    # API field holding a list of ids -> (m2m field, referenced model).
    many: Mapping[str, tuple[str, type[models.Model]]] = field(default_factory=dict)
    # Sets figures on the objects about to be shown that are computed for a whole page
    # at once (a fixed number of queries), e.g. a feature's schedule conflicts.
    decorate: Callable[[list[Any]], None] | None = None
    # The part of `select()` the caller may see (private records): lists hold only it,
    # and an object outside it answers 404 to every method, as if it did not exist.
    visible: Callable[[HttpRequest, models.QuerySet], models.QuerySet] | None = None
    # Per API field of `refs` / `many`: the part of the referenced model the caller may
    # see; an id outside it is refused like an unknown one.
    ref_visible: Mapping[str, Callable[[HttpRequest, models.QuerySet], models.QuerySet]] = field(
        default_factory=dict
    )
    # Hides, on the objects about to be shown, what the caller may not see (a person's
    # cost), for a whole page at once (a fixed number of queries).
    redact: Callable[[HttpRequest, list[Any]], None] | None = None

    @property
    def noun(self) -> str:
        return str(self.model._meta.verbose_name)


def parse_ordering(raw: str | None, *, allowed: tuple[str, ...], default: str) -> list[str]:
    if not raw:
        return [default, "id"] if default != "id" else ["id"]
    terms = [term.strip() for term in raw.split(",") if term.strip()]
    for term in terms:
        if term.lstrip("-") not in allowed:
            raise ValidationError(
                {
                    "ordering": f"cannot order by {term.lstrip('-')!r}; choose from: "
                    + ", ".join(allowed)
                }
            )
    return [*terms, "id"]


def _candidates(
    resource: Resource, name: str, target: type[models.Model], request: HttpRequest | None
) -> models.QuerySet:
    """The objects an id in the API field `name` may name, for this caller."""
    qs = target._default_manager.all()
    narrow = resource.ref_visible.get(name)
    if narrow is not None and request is not None:
        qs = narrow(request, qs)
    return qs


def resolve(
    resource: Resource, payload: dict[str, Any], request: HttpRequest | None = None
) -> tuple[dict, dict]:
    """Turn API ids into model instances; unknown ids (and ids of objects the caller may
    not see) are errors naming the API field."""
    data: dict[str, Any] = {}
    m2m: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in payload.items():
        if name in resource.refs:
            field_name, target = resource.refs[name]
            if value is None:
                data[field_name] = None
                continue
            obj = _candidates(resource, name, target, request).filter(pk=value).first()
            if obj is None:
                errors[name] = f"no {target._meta.verbose_name} with id {value}"
            data[field_name] = obj
        elif name in resource.many:
            field_name, target = resource.many[name]
            wanted = set(value or [])
            found = list(_candidates(resource, name, target, request).filter(pk__in=wanted))
            missing = sorted(wanted - {obj.pk for obj in found})
            if missing:
                errors[name] = f"no {target._meta.verbose_name} with id " + ", ".join(
                    map(str, missing)
                )
            m2m[field_name] = found
        else:
            data[name] = value
    if errors:
        raise ValidationError(errors)
    return data, m2m


def api_names(resource: Resource, exc: ValidationError) -> ValidationError:
    """The same errors, with model field names ("product") turned into the API's ("product_id")."""
    if not hasattr(exc, "error_dict"):
        return exc
    names = {model_field: api_field for api_field, (model_field, _) in resource.refs.items()}
    names.update({model_field: api_field for api_field, (model_field, _) in resource.many.items()})
    return ValidationError({names.get(name, name): errs for name, errs in exc.error_dict.items()})


def register(router: Router, resource: Resource) -> None:
    Out, CreateIn, UpdateIn, Filters = (
        resource.out,
        resource.create_in,
        resource.update_in,
        resource.filters,
    )
    noun = resource.noun
    ident = resource.model._meta.model_name

    def scope(request: HttpRequest) -> models.QuerySet:
        qs = resource.select()
        return qs if resource.visible is None else resource.visible(request, qs)

    def shown(request: HttpRequest, objects: list[Any]) -> list[Any]:
        if resource.decorate is not None:
            resource.decorate(objects)
        if resource.redact is not None:
            resource.redact(request, objects)
        return objects

    def load(request: HttpRequest, pk: int) -> models.Model:
        return get_object_or_404(scope(request), pk=pk)

    def fetch(request: HttpRequest, pk: int) -> models.Model:
        return shown(request, [load(request, pk)])[0]

    def written(request: HttpRequest, pk: int) -> models.Model:
        # What the caller just wrote, even if the write took it out of their sight (a
        # manager moving a private report to another line); `redact` still applies.
        return shown(request, [get_object_or_404(resource.select(), pk=pk)])[0]

    @router.get(
        "",
        response={200: Page[Out], **ERRORS},
        summary=f"List {noun}s",
        operation_id=f"{ident}_list",
    )
    def list_objects(
        request: HttpRequest,
        filters: Filters = Query(...),
        limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
        offset: int = Query(0, ge=0),
        ordering: str | None = Query(
            None,
            description="Comma-separated fields, '-' for descending: "
            + ", ".join(resource.ordering),
        ),
    ):
        order = parse_ordering(
            ordering, allowed=resource.ordering, default=resource.default_ordering
        )
        qs = filters.filter(scope(request)).order_by(*order)
        return {"items": shown(request, list(qs[offset : offset + limit])), "count": qs.count()}

    @router.get(
        "/{int:pk}",
        response={200: Out, **ERRORS},
        summary=f"Get a {noun}",
        operation_id=f"{ident}_get",
    )
    def get_object(request: HttpRequest, pk: int):
        return fetch(request, pk)

    @router.post(
        "",
        response={201: Out, **ERRORS},
        summary=f"Create a {noun}",
        operation_id=f"{ident}_create",
    )
    def create_object(request: HttpRequest, payload: CreateIn):
        data, m2m = resolve(resource, payload.dict(exclude_unset=True), request)
        try:
            obj = resource.create(actor=request.user, data=data, m2m=m2m)
        except ValidationError as exc:
            raise api_names(resource, exc) from exc
        return 201, written(request, obj.pk)

    @router.patch(
        "/{int:pk}",
        response={200: Out, **ERRORS},
        summary=f"Update a {noun}",
        operation_id=f"{ident}_update",
    )
    def update_object(request: HttpRequest, pk: int, payload: UpdateIn):
        fields = payload.dict(exclude_unset=True)
        version = fields.pop("version")
        instance = load(request, pk)
        data, m2m = resolve(resource, fields, request)
        try:
            obj = resource.update(
                actor=request.user, instance=instance, version=version, data=data, m2m=m2m
            )
        except ValidationError as exc:
            raise api_names(resource, exc) from exc
        return written(request, obj.pk)

    @router.delete(
        "/{int:pk}",
        response={204: None, **ERRORS},
        summary=f"Delete a {noun}",
        operation_id=f"{ident}_delete",
    )
    def delete_object(
        request: HttpRequest,
        pk: int,
        version: int | None = Query(None, description="Refuse with 409 unless current"),
    ):
        resource.delete(actor=request.user, instance=load(request, pk), version=version)
        return 204, None


def patch_schema(create_schema: type[Schema], *, name: str) -> type[Schema]:
    """The PATCH body of a resource: every create field optional, plus the required version."""
    fields: dict[str, Any] = {
        field_name: (info.annotation | None, None)
        for field_name, info in create_schema.model_fields.items()
    }
    fields["version"] = (int, ...)
    return create_model(name, __base__=Schema, **fields)
