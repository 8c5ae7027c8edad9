"""Assertions shared by the API tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from pilothouse.core.models import ChangeRecord


def same(answered: Any, sent: Any) -> bool:
    """Whether an answered value is the value sent (decimals may come back rescaled)."""
    if answered == sent:
        return True
    if isinstance(sent, bool) or isinstance(answered, bool):
        return False
    if isinstance(sent, int | float | str) and isinstance(answered, int | float | str):
        try:
            return Decimal(str(answered)) == Decimal(str(sent))
        except InvalidOperation:
            return False
    return False


def changes_of(model: type[models.Model], pk: int):
    return ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=pk
    )


def assert_error(response, status: int, field: str | None = None) -> dict:
    """The answer has `status`, the error shape, and (if given) an error naming `field`."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert isinstance(body["errors"], list)
    for error in body["errors"]:
        assert set(error) == {"field", "message"}
        assert error["message"]
    if field is not None:
        named = [error["field"] for error in body["errors"]]
        assert field in named, body
    return body


def _rows(model: type[models.Model]) -> tuple:
    return tuple(
        sorted(
            tuple(sorted((k, str(v)) for k, v in row.items()))
            for row in model._default_manager.values()
        )
    )


def state_of(model: type[models.Model]) -> tuple:
    """Everything a refused request must leave as it was: the rows (with their
    many-to-many links) and the change log."""
    links = tuple(_rows(field.remote_field.through) for field in model._meta.many_to_many)
    return (_rows(model), links, ChangeRecord.objects.count())


@contextlib.contextmanager
def unchanged(*model_list: type[models.Model]) -> Iterator[None]:
    """Assert that the block leaves every row of these models and the change log as they were."""
    before = [state_of(model) for model in model_list]
    yield
    after = [state_of(model) for model in model_list]
    assert after == before
