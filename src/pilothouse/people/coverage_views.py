"""The ownership and coverage page: who owns what, and the findings with their links."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pilothouse.core import permissions
from pilothouse.people import coverage
from pilothouse.people.models import OpenRole, RoleGap


def coverage_page(request: HttpRequest) -> HttpResponse:
    report = coverage.read_coverage(viewer=request.user)
    context = {
        "coverage": report,
        "sections": [
            (RoleGap.NO_OWNER, "Without an owner", report.unowned),
            (RoleGap.OVERLOADED, "Owning too much", report.overloaded),
            (RoleGap.SINGLE_POINT, "Single points of failure", report.single_points),
        ],
        "thresholds": coverage.THRESHOLDS,
        "can_plan": permissions.can_create(request.user, parent=None, model=OpenRole),
    }
    return render(request, "people/coverage.html", context)
