"""What every public portal page does alike: the visitor in the context, refusals as
pages, service errors on form fields, and safe redirects after a form."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from pilothouse.portal.errors import Refused
from pilothouse.portal.sessions import current_visitor


def render_page(request: HttpRequest, template: str, context: dict, status: int = 200):
    return render(
        request, template, {"visitor": current_visitor(request), **context}, status=status
    )


def refused_page(request: HttpRequest, exc: Refused, **context) -> HttpResponse:
    return render_page(
        request,
        "portal/refused.html",
        {"title": exc.title, "message": str(exc), "refusal": exc, **context},
        status=exc.status,
    )


def form_errors(form, exc: ValidationError) -> None:
    for field, messages in exc.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def safe_next(request: HttpRequest, fallback: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback
