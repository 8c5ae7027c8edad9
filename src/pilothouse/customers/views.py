"""The customer voice's pages besides the inbox (customers.inbox_views): customers and
their contacts, segments, and a note's own page with its create, edit and delete forms.

Every write goes through the services (core.editing.save_form and EditPages); the
pages only follow core.permissions to decide what to offer.
"""

from __future__ import annotations

import copy
import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from pilothouse.core import permissions
from pilothouse.core import selectors as core_selectors
from pilothouse.core.editing import EditPages, int_param, save_form
from pilothouse.core.tables import sort_headers
from pilothouse.customers import inbox_views, selectors, services
from pilothouse.customers import segments as segment_rules
from pilothouse.customers.forms import (
    ContactForm,
    CustomerFilterForm,
    CustomerForm,
    NoteForm,
    SegmentForm,
)
from pilothouse.customers.models import Contact, Customer, Note, Segment

CUSTOMERS_PER_PAGE = 50
CUSTOMER_NOTES_SHOWN = 20

# The sortable columns of the customer list: (sort key, header, first direction).
CUSTOMER_COLUMNS = [
    ("name", "Customer", ""),
    ("arr", "ARR", "-"),  # the biggest first is what one wants to see
    ("notes", "Notes", "-"),
]


def customer_url(customer: Customer) -> str:
    return reverse("customers:customer_detail", args=[customer.pk])


def contact_url(contact: Contact) -> str:
    return reverse("customers:customer_detail", args=[contact.customer_id]) + "#contacts"


def note_url(note: Note) -> str:
    return reverse("customers:note_detail", args=[note.pk])


def segment_url(segment: Segment) -> str:
    return reverse("customers:segment_list") + f"#segment-{segment.pk}"


customer_pages = EditPages(
    form_class=CustomerForm, writes=services.customer, detail_url=customer_url
)
contact_pages = EditPages(form_class=ContactForm, writes=services.contact, detail_url=contact_url)


class SegmentPages(EditPages):
    form_template = "customers/segment_form.html"  # with the live member count


segment_pages = SegmentPages(
    form_class=SegmentForm, writes=services.segment, detail_url=segment_url
)
note_pages = EditPages(form_class=NoteForm, writes=services.note, detail_url=note_url)


# --- customers --------------------------------------------------------------------------


def customer_list(request: HttpRequest) -> HttpResponse:
    segments = list(selectors.segment_list())
    form = CustomerFilterForm(request.GET, labels=selectors.customer_labels(), segments=segments)
    filters = form.filters()
    sort = form.cleaned_data.get("sort") or ""
    if sort.lstrip("-") not in selectors.CUSTOMER_SORTS:
        sort = selectors.DEFAULT_CUSTOMER_SORT
    customers = selectors.customer_search(**filters, sort=sort)
    page = Paginator(customers, CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "customers": page.object_list,
        "sort": sort,
        "headers": sort_headers(columns=CUSTOMER_COLUMNS, sort=sort),
        "can_create": permissions.can_create_any(request.user, model=Customer),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = (
        "customers/partials/customer_table.html" if partial else "customers/customer_list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _customer(pk: int) -> Customer:
    try:
        return selectors.customer_detail(pk=pk)
    except Customer.DoesNotExist as exc:
        raise Http404("No such customer.") from exc


def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(pk)
    notes = selectors.inbox_note_list().filter(customer=customer)[:CUSTOMER_NOTES_SHOWN]
    contacts = list(selectors.contact_list().filter(customer=customer))
    context = {
        "customer": customer,
        "contacts": contacts,
        "notes": notes,
        "notes_shown": CUSTOMER_NOTES_SHOWN,
        "features": selectors.customer_features(customer=customer),
        "segments": selectors.customer_segments(
            customer=customer, segments=selectors.segment_list()
        ),
        "history": core_selectors.object_history_described(instance=customer, viewer=request.user),
        "can_edit": permissions.can_change(request.user, customer),
        "can_add_contact": permissions.can_create(request.user, parent=None, model=Contact),
        "can_add_note": permissions.can_create(request.user, parent=None, model=Note),
        "inbox_url": reverse("customers:inbox"),
    }
    return render(request, "customers/customer_detail.html", context)


def customer_create(request: HttpRequest) -> HttpResponse:
    return customer_pages.create(request, cancel_url=reverse("customers:customer_list"))


def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return customer_pages.edit(request, _customer(pk))


def customer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return customer_pages.delete(
        request, _customer(pk), done_url=reverse("customers:customer_list")
    )


# --- contacts ---------------------------------------------------------------------------


def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(pk)
    return contact_pages.create(
        request,
        cancel_url=customer_url(customer),
        fixed={"customer": customer},
        title=f"New contact at {customer.name}",
    )


def _contact(pk: int) -> Contact:
    return get_object_or_404(selectors.contact_list(), pk=pk)


def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return contact_pages.edit(request, _contact(pk))


def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _contact(pk)
    return contact_pages.delete(request, contact, done_url=contact_url(contact))


# --- segments ---------------------------------------------------------------------------


def segment_list(request: HttpRequest) -> HttpResponse:
    segments = list(selectors.segment_list())
    counts = selectors.segment_member_counts(segments=segments)
    context = {
        "segments": [(segment, counts[segment.pk]) for segment in segments],
        "can_create": permissions.can_create_any(request.user, model=Segment),
        "can_edit": permissions.can_create(request.user, parent=None, model=Segment),
    }
    return render(request, "customers/segment_list.html", context)


def _segment(pk: int) -> Segment:
    return get_object_or_404(selectors.segment_list(), pk=pk)


def segment_create(request: HttpRequest) -> HttpResponse:
    return segment_pages.create(request, cancel_url=reverse("customers:segment_list"))


def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return segment_pages.edit(request, _segment(pk))


def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return segment_pages.delete(request, _segment(pk), done_url=reverse("customers:segment_list"))


@require_POST
def segment_preview(request: HttpRequest) -> HttpResponse:
    """How many customers the rules being edited match now, or what is wrong with them."""
    raw = request.POST.get("rules", "").strip() or "[]"
    match = request.POST.get("match", "all")
    errors: list[str] = []
    count = None
    try:
        rules = json.loads(raw)
    except ValueError as exc:
        errors = [f"rules: not valid JSON ({exc.msg}, line {exc.lineno})"]
    else:
        found = segment_rules.rule_errors(rules)
        if match not in {segment_rules.MATCH_ALL, segment_rules.MATCH_ANY}:
            found["match"] = "match: choose all or any"
        errors = list(found.values())
        if not errors:
            probe = Segment(rules=rules, match=match)
            count = selectors.segment_member_counts(segments=[probe]).get(probe.pk, 0)
    context = {"count": count, "errors": errors}
    return render(request, "customers/partials/segment_preview.html", context)


# --- notes ------------------------------------------------------------------------------


def _note(pk: int) -> Note:
    try:
        return selectors.note_detail(pk=pk)
    except Note.DoesNotExist as exc:
        raise Http404("No such note.") from exc


def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note(pk)
    context = inbox_views.pane_context(request, note, next_url=request.get_full_path())
    context.update(
        {
            "history": core_selectors.object_history_described(instance=note, viewer=request.user),
            "on_note_page": True,
        }
    )
    return render(request, "customers/note_detail.html", context)


def _note_form_page(request: HttpRequest, form: NoteForm, *, title: str, **extra) -> HttpResponse:
    context = {
        "title": title,
        "form": form,
        "customer_options_url": reverse("customers:customer_options"),
        "contact_options_url": reverse("customers:contact_options"),
        **extra,
    }
    return render(
        request, "customers/note_form.html", context, status=409 if form.conflict else 200
    )


def _searching(request: HttpRequest) -> bool:
    """The form was sent with "Find" (no JavaScript): redraw it, save nothing."""
    return "find_customer" in request.POST


def note_create(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_create(request.user, parent=None, model=Note))
    triage = inbox_views.can_triage(request.user)
    if request.method == "POST":
        form = NoteForm(request.POST, instance=Note(), can_triage=triage)
        if not _searching(request):
            saved = save_form(form, writes=services.note, actor=request.user)
            if saved is not None:
                messages.success(request, f"Created the note “{saved}”.")
                return redirect(note_url(saved))
    else:
        customer_id = int_param(request, "customer")
        initial = {"customer": customer_id} if customer_id else {}
        form = NoteForm(instance=Note(), initial=initial, can_triage=triage)
    return _note_form_page(
        request,
        form,
        title="New note",
        cancel_url=reverse("customers:inbox"),
        submit_label="Create note",
    )


def note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note(pk)
    permissions.require(permissions.can_change(request.user, note))
    triage = inbox_views.can_triage(request.user)
    if request.method == "POST":
        # A copy: the form writes the values onto its instance (see core.editing.edit_form).
        form = NoteForm(request.POST, instance=copy.copy(note), can_triage=triage)
        if not _searching(request):
            saved = save_form(form, writes=services.note, actor=request.user, instance=note)
            if saved is not None:
                messages.success(request, f"Saved the note “{saved}”.")
                return redirect(note_url(saved))
    else:
        form = NoteForm(instance=note, can_triage=triage)
    return _note_form_page(
        request,
        form,
        title=f"Edit note “{note}”",
        cancel_url=note_url(note),
        submit_label="Save changes",
        history=core_selectors.object_history_described(instance=note, viewer=request.user),
    )


def note_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return note_pages.delete(request, _note(pk), done_url=reverse("customers:inbox"))


# --- options for the searchable selects ---------------------------------------------------


@require_GET
def customer_options(request: HttpRequest) -> HttpResponse:
    """The `<option>`s of customers matching `customer_search` (the note form's picker)."""
    chosen = int_param(request, "customer")
    found = selectors.customer_matches(text=request.GET.get("customer_search", ""))
    if chosen and all(c.pk != chosen for c in found):
        found = [*Customer.objects.filter(pk=chosen), *found]
    context = {"options": found, "chosen": chosen, "empty": "No customer"}
    return render(request, "customers/partials/options.html", context)


@require_GET
def contact_options(request: HttpRequest) -> HttpResponse:
    """The `<option>`s of the chosen customer's contacts."""
    customer_id = int_param(request, "customer")
    contacts = selectors.contact_list().filter(customer_id=customer_id) if customer_id else []
    context = {"options": contacts, "chosen": int_param(request, "contact"), "empty": "No contact"}
    return render(request, "customers/partials/options.html", context)
