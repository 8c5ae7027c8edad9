"""The hiring plan by quarter, a role's page, its status moves and its edit pages.

Everyone signed in reads the plan; only product leaders and admins change it (the writes
enforce it; the pages follow) and see budgets.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pilothouse.core import permissions
from pilothouse.core import selectors as core_selectors
from pilothouse.core.editing import CONFLICT_MESSAGE, EditPages, int_param
from pilothouse.core.errors import ConflictError
from pilothouse.people import hiring
from pilothouse.people.hiring_forms import OpenRoleForm, OpenRoleMoveForm
from pilothouse.people.models import OpenRole, OpenRoleStatus, RoleGap, RolePriority


def role_url(role: OpenRole) -> str:
    return reverse("people:open_role_detail", args=[role.pk])


role_pages = EditPages(form_class=OpenRoleForm, writes=hiring.open_role, detail_url=role_url)


def _filters(request: HttpRequest) -> hiring.PlanFilters:
    status = request.GET.get("status", "active")
    gap = request.GET.get("gap", "")
    return hiring.PlanFilters(
        status=status if status in {"active", "all", *OpenRoleStatus.values} else "active",
        product_line_id=int_param(request, "line"),
        level_id=int_param(request, "level"),
        gap=gap if gap in RoleGap.values else "",
        priority=int_param(request, "priority"),
    )


def hiring_plan(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    plan = hiring.hiring_plan(viewer=request.user, filters=filters)
    context = {
        "plan": plan,
        "filters": filters,
        "statuses": [
            ("active", "Active (not filled or cancelled)"),
            ("all", "All"),
            *OpenRoleStatus.choices,
        ],
        **hiring.filter_choices(),
        "gaps": RoleGap.choices,
        "priorities": RolePriority.choices,
        "can_create": permissions.can_create(request.user, parent=None, model=OpenRole),
    }
    return render(request, "people/hiring_plan.html", context)


def _role(pk: int) -> OpenRole:
    try:
        return hiring.role_detail(pk=pk)
    except OpenRole.DoesNotExist as exc:
        raise Http404("No such open role.") from exc


def open_role_detail(request: HttpRequest, pk: int) -> HttpResponse:
    role = _role(pk)
    context = {
        "planned": hiring.planned_role(viewer=request.user, role=role),
        "role": role,
        "shows_budget": hiring.may_see_budget(request.user, role),
        "can_edit": permissions.can_change(request.user, role),
        "move_form": OpenRoleMoveForm(initial={"version": role.version}),
        "history": core_selectors.object_history_described(instance=role, viewer=request.user),
    }
    return render(request, "people/hiring_role_detail.html", context)


@require_POST
def open_role_move(request: HttpRequest, pk: int) -> HttpResponse:
    role = _role(pk)
    permissions.require(permissions.can_change(request.user, role))
    form = OpenRoleMoveForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
        return redirect(role_url(role))
    try:
        moved = hiring.open_role_move(
            actor=request.user,
            instance=role,
            version=form.cleaned_data["version"],
            status=form.cleaned_data["status"],
            filled_by=form.cleaned_data["filled_by"],
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, f"Nothing was changed: {text}")
    except ConflictError:
        messages.error(request, CONFLICT_MESSAGE.format(noun="open role"))
    else:
        messages.success(request, f"“{moved}” is now {moved.get_status_display().lower()}.")
    return redirect(role_url(role))


def open_role_create(request: HttpRequest) -> HttpResponse:
    """A new role; the coverage page's links fill in the gap, line and product."""
    initial = {}
    gap = request.GET.get("gap", "")
    if gap in RoleGap.values:
        initial["gap"] = gap
    for field, param in (("product_line", "line"), ("product", "product")):
        value = int_param(request, param)
        if value is not None:
            initial[field] = value
    return role_pages.create(
        request, cancel_url=reverse("people:hiring_plan"), initial=initial, title="New open role"
    )


def open_role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return role_pages.edit(request, _role(pk))


def open_role_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return role_pages.delete(request, _role(pk), done_url=reverse("people:hiring_plan"))
