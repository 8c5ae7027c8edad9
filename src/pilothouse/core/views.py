"""Change log pages, API tokens, users (admin)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def change_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/change_list.html", {})
