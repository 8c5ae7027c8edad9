"""Every error answers {"detail": ..., "errors": [{"field": ..., "message": ...}]}."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    ValidationError,
)
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import HttpError as NinjaHttpError
from ninja.errors import ValidationError as NinjaValidationError

from pilothouse.core.errors import ConflictError

# Names the API uses for request locations that pydantic puts first in `loc`.
_LOCATIONS = {"body", "query", "path", "header", "cookie", "form"}


def error_body(detail: str, errors: list[dict] | None = None) -> dict:
    return {"detail": detail, "errors": errors or []}


def validation_errors(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": "non_field_errors" if field == "__all__" else field, "message": message}
            for field, errs in exc.message_dict.items()
            for message in errs
        ]
    return [{"field": None, "message": message} for message in exc.messages]


def _field_from_loc(loc: tuple | list) -> str | None:
    parts = [str(p) for p in loc if not (isinstance(p, str) and p in _LOCATIONS)]
    # ninja wraps a body schema under its parameter name ("payload"); drop it.
    if parts and parts[0] in {"payload", "filters"}:
        parts = parts[1:]
    return ".".join(parts) or None


def install(api: NinjaAPI) -> None:
    def answer(request: HttpRequest, status: int, detail: str, errors=None) -> HttpResponse:
        return api.create_response(request, error_body(detail, errors), status=status)

    @api.exception_handler(NinjaValidationError)
    def on_schema_error(request, exc: NinjaValidationError):
        errors = [
            {"field": _field_from_loc(err.get("loc", ())), "message": err.get("msg", "invalid")}
            for err in exc.errors
        ]
        return answer(request, 422, "The request is invalid.", errors)

    @api.exception_handler(ValidationError)
    def on_validation_error(request, exc: ValidationError):
        return answer(request, 422, "The request is invalid.", validation_errors(exc))

    @api.exception_handler(ConflictError)
    def on_conflict(request, exc: ConflictError):
        return answer(request, 409, str(exc), [{"field": "version", "message": str(exc)}])

    @api.exception_handler(ProtectedError)
    def on_protected(request, exc: ProtectedError):
        names = sorted({str(obj) for obj in list(exc.protected_objects)[:5]})
        return answer(request, 409, "Other objects still refer to this one: " + ", ".join(names))

    @api.exception_handler(RestrictedError)
    def on_restricted(request, exc: RestrictedError):
        return answer(request, 409, "Other objects still refer to this one.")

    @api.exception_handler(PermissionDenied)
    def on_denied(request, exc: PermissionDenied):
        return answer(request, 403, str(exc) or "You do not have permission to do this.")

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc):
        return answer(request, 401, "Authentication required: a session or a bearer token.")

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return answer(request, 404, str(exc) or "Not found.")

    @api.exception_handler(ObjectDoesNotExist)
    def on_missing(request, exc):
        return answer(request, 404, "Not found.")

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request, exc: RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return answer(
            request,
            413,
            f"The request body is larger than the limit of {limit:,} bytes "
            f"({limit / 1_048_576:.1f} MB).",
        )

    @api.exception_handler(NinjaHttpError)
    def on_http_error(request, exc: NinjaHttpError):
        return answer(request, exc.status_code, str(exc))
