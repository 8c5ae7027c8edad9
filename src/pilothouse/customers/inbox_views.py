"""The feedback inbox: the list with its filters, the selected note's pane with its
triage actions (kind, state, links to features, suggestions), bulk actions and the
feature picker.

Every action is a plain POST form that works without JavaScript (it redirects back to
where it came from, `next`); through htmx it answers the re-rendered pane, the note's
row in the list (out of band) and a sentence for the screen reader's live region.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from pilothouse.core import permissions
from pilothouse.core.markdown import render_markdown
from pilothouse.customers import selectors, services, triage
from pilothouse.customers.forms import (
    BulkForm,
    InboxFilterForm,
    LinkCreateForm,
    LinkUpdateForm,
)
from pilothouse.customers.models import (
    Importance,
    Note,
    NoteKind,
    NoteLink,
    NoteState,
    SuggestionKind,
)

NOTES_PER_PAGE = 50
SHORTCUT_KINDS = 9  # the digit keys 1-9 set the kinds shown with those numbers
SUGGESTIONS_SHOWN = 3
STATE_DONE = {
    NoteState.ARCHIVED: "Archived the note.",
    NoteState.TRIAGED: "Marked the note as triaged.",
    NoteState.NEW: "Put the note back to new.",
}
ACCEPTED = {
    SuggestionKind.KIND: "Set the suggested kind.",
    SuggestionKind.FEATURE: "Linked the suggested feature.",
    SuggestionKind.DUPLICATE: "Archived the note as a duplicate; its links were copied.",
}


def can_triage(user) -> bool:
    """May set the kind and state of any note (product managers and above)."""
    return permissions.can_set_fields(user, Note(), Note.EDITOR_FIELDS)


def inbox_url() -> str:
    return reverse("customers:inbox")


# --- the list -------------------------------------------------------------------------


def _list_query(query: QueryDict) -> str:
    """The list's own query (filters and page), ending in "&" when not empty, for the
    rows' links that add `note=`."""
    kept = query.copy()
    for name in ("note", "feature_q"):
        kept.pop(name, None)
    encoded = kept.urlencode()
    return f"{encoded}&" if encoded else ""


def _results_context(request: HttpRequest, query: QueryDict, *, kinds, segments) -> dict:
    form = InboxFilterForm(query, kinds=kinds, segments=segments)
    notes = selectors.inbox_search(**form.filters())
    page = Paginator(notes, NOTES_PER_PAGE).get_page(query.get("page"))
    selected = query.get("note", "")
    return {
        "form": form,
        "page_obj": page,
        "notes": page.object_list,
        "selected_id": int(selected) if selected.isdigit() else None,
        "list_query": _list_query(query),
        "list_url": f"{inbox_url()}?{query.urlencode()}" if query else inbox_url(),
        "inbox_url": inbox_url(),
        "can_triage": can_triage(request.user),
        "kinds": [kind for kind in kinds if kind.active],
        "states": NoteState.choices,
        "checked": set(),
    }


def inbox(request: HttpRequest) -> HttpResponse:
    kinds = list(NoteKind.objects.all())
    segments = list(selectors.segment_list())
    context = _results_context(request, request.GET, kinds=kinds, segments=segments)
    partial = request.htmx and not request.htmx.history_restore_request
    if partial:
        response = render(request, "customers/partials/inbox_results.html", context)
    else:
        note = _note_or_none(context["selected_id"])
        if note is not None:
            context.update(pane_context(request, note, next_url=context["list_url"]))
        context["numbered_kinds"] = _numbered(context["kinds"])
        context["can_create_note"] = permissions.can_create_any(request.user, model=Note)
        response = render(request, "customers/inbox.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- the pane of one note ---------------------------------------------------------------


def _note(pk: int) -> Note:
    try:
        return selectors.note_detail(pk=pk)
    except Note.DoesNotExist as exc:
        raise Http404("No such note.") from exc


def _note_or_none(pk: int | None) -> Note | None:
    return selectors.note_detail_or_none(pk=pk) if pk else None


def _numbered(kinds: list[NoteKind]) -> list[tuple[int | None, NoteKind]]:
    return [(i + 1 if i < SHORTCUT_KINDS else None, kind) for i, kind in enumerate(kinds)]


@dataclass(frozen=True)
class Suggestion:
    """One triage suggestion as the pane shows it: accepted or dismissed in one action."""

    kind: str  # a SuggestionKind: what accepting it does
    target_id: int
    label: str
    score: float  # in [0, 1]
    reason: str = ""
    url: str = ""


@dataclass(frozen=True)
class SuggestionBlock:
    kinds: list[Suggestion]
    kind_message: str
    duplicates: list[Suggestion]
    features: list[Suggestion]
    index_message: str

    def __bool__(self) -> bool:
        return bool(self.kinds or self.duplicates or self.features)


REASONS = {
    "feature_text": "its words are close to the feature's",
    "linked_notes": "like notes already linked to it",
}


def _suggestions(note: Note) -> SuggestionBlock:
    """What customers.triage suggests for the note, ready to show."""
    found = triage.note_suggestions(note=note, limit=SUGGESTIONS_SHOWN)
    kinds = []
    advice = found.kind
    if advice.status == "ready" and advice.kind_id is not None:
        kinds.append(
            Suggestion(SuggestionKind.KIND, advice.kind_id, advice.kind, advice.confidence or 0)
        )
        kinds += [
            Suggestion(SuggestionKind.KIND, alt["kind_id"], alt["kind"], alt["confidence"])
            for alt in advice.alternatives
        ]
    duplicates = [
        Suggestion(
            SuggestionKind.DUPLICATE,
            other.note_id,
            other.title or other.excerpt,
            other.score,
            reason="likely the same request" if other.is_likely_duplicate else "similar words",
            url=reverse("customers:note_detail", args=[other.note_id]),
        )
        for other in found.similar_notes
    ]
    features = [
        Suggestion(
            SuggestionKind.FEATURE,
            feature.feature_id,
            feature.title,
            feature.score,
            reason="; ".join(REASONS.get(r["signal"], r["signal"]) for r in feature.reasons),
            url=reverse("roadmap:feature_detail", args=[feature.feature_id]),
        )
        for feature in found.features
    ]
    kind_message = "" if advice.status in {"ready", "labelled"} else advice.message
    return SuggestionBlock(kinds, kind_message, duplicates, features, found.index_message)


def pane_context(
    request: HttpRequest,
    note: Note,
    *,
    next_url: str,
    link_form: LinkCreateForm | None = None,
    errors: list[str] | None = None,
) -> dict:
    triage = can_triage(request.user)
    links = list(note.links.all())
    feature_q = (request.GET.get("feature_q") or "").strip()
    matches = []
    if triage and feature_q:
        linked = [link.feature_id for link in links]
        matches = selectors.feature_matches(text=feature_q, exclude_ids=linked)
    return {
        "note": note,
        "text_html": render_markdown(note.text),
        "links": links,
        "pane_kinds": _numbered(selectors.note_kind_choices(including=note.kind_id)),
        "can_triage": triage,
        "can_edit_note": permissions.can_change(request.user, note),
        "link_form": link_form or LinkCreateForm(),
        "importance_choices": Importance.choices,
        "feature_q": feature_q,
        "feature_results": matches,
        "suggestions": _suggestions(note) if triage else None,
        "next_url": next_url,
        "pane_errors": errors or [],
    }


def _next_url(request: HttpRequest, note: Note | None = None) -> str:
    """Where a form without JavaScript goes back to: its `next`, if it is ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return f"{inbox_url()}?note={note.pk}" if note is not None else inbox_url()


@require_GET
def note_pane(request: HttpRequest, pk: int) -> HttpResponse:
    """The pane of a note, for htmx; a browser without it gets the inbox showing it."""
    if not request.htmx:
        return redirect(f"{inbox_url()}?note={pk}")
    note = _note(pk)
    context = pane_context(request, note, next_url=_next_url(request, note))
    response = render(request, "customers/partials/note_pane.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _answer(
    request: HttpRequest,
    pk: int,
    *,
    done: str = "",
    errors: list[str] | None = None,
    link_form: LinkCreateForm | None = None,
    finished: bool = False,
) -> HttpResponse:
    """After an action on note `pk`: through htmx the new pane, the note's row (out of
    band) and the news for the live region; otherwise back to `next`."""
    note = _note(pk)
    next_url = _next_url(request, note)
    if not request.htmx:
        for error in errors or []:
            messages.error(request, error)
        if done and not errors:
            messages.success(request, done)
        return redirect(next_url)
    context = pane_context(request, note, next_url=next_url, link_form=link_form, errors=errors)
    html = render_to_string("customers/partials/note_pane.html", context, request=request)
    row = selectors.inbox_note_list().filter(pk=pk).first()
    if row is not None:
        html += render_to_string(
            "customers/partials/inbox_row_body.html",
            {
                "note": row,
                "oob": True,
                "inbox_url": inbox_url(),
                "list_query": _list_query(QueryDict(urlsplit(next_url).query)),
            },
            request=request,
        )
    news = "; ".join(errors) if errors else done
    html += render_to_string("customers/partials/status.html", {"news": news})
    response = HttpResponse(html)
    if finished and not errors:
        response["HX-Trigger"] = "inbox:noteDone"
    return response


def _refusal(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            f"{name.replace('_', ' ')}: {message}" if name != "__all__" else message
            for name, found in exc.message_dict.items()
            for message in found
        ]
    return list(exc.messages)


@require_POST
def note_set_kind(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note(pk)
    raw = request.POST.get("kind", "")
    kind = NoteKind.objects.filter(pk=raw).first() if raw.isdigit() else None
    if raw and kind is None:
        return _answer(request, pk, errors=["kind: no such note kind"])
    try:
        services.note.update(actor=request.user, instance=note, version=None, data={"kind": kind})
    except ValidationError as exc:
        return _answer(request, pk, errors=_refusal(exc))
    done = f"Kind set to {kind.name}." if kind else "Kind cleared."
    return _answer(request, pk, done=done)


@require_POST
def note_set_state(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note(pk)
    state = request.POST.get("state", "")
    if state not in NoteState.values:
        return _answer(request, pk, errors=[f"state: choose one of {', '.join(NoteState.values)}"])
    try:
        services.note.update(actor=request.user, instance=note, version=None, data={"state": state})
    except ValidationError as exc:
        return _answer(request, pk, errors=_refusal(exc))
    return _answer(request, pk, done=STATE_DONE[state], finished=state != NoteState.NEW)


@require_POST
def note_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    note = _note(pk)
    permissions.require(permissions.can_create(request.user, parent=None, model=NoteLink))
    form = LinkCreateForm(request.POST)
    if not form.is_valid():
        errors = [f"{name}: {m}" for name, found in form.errors.items() for m in found]
        return _answer(request, pk, errors=errors, link_form=form)
    feature = form.cleaned_data["feature"]
    try:
        services.note_link.create(
            actor=request.user,
            data={
                "note": note,
                "feature": feature,
                "importance": form.cleaned_data["importance"],
                "excerpt": form.cleaned_data["excerpt"],
            },
        )
    except ValidationError as exc:
        return _answer(request, pk, errors=_refusal(exc), link_form=form)
    return _answer(request, pk, done=f"Linked to “{feature.title}”.")


def _link(pk: int) -> NoteLink:
    link = NoteLink.objects.select_related("feature", "note").filter(pk=pk).first()
    if link is None:
        raise Http404("No such link.")
    return link


@require_POST
def link_update(request: HttpRequest, pk: int) -> HttpResponse:
    link = _link(pk)
    permissions.require(permissions.can_change(request.user, link))
    form = LinkUpdateForm(request.POST)
    if not form.is_valid():
        errors = [f"{name}: {m}" for name, found in form.errors.items() for m in found]
        return _answer(request, link.note_id, errors=errors)
    data = {"importance": form.cleaned_data["importance"]}
    if "excerpt" in request.POST:
        data["excerpt"] = form.cleaned_data["excerpt"]
    try:
        services.note_link.update(actor=request.user, instance=link, version=None, data=data)
    except ValidationError as exc:
        return _answer(request, link.note_id, errors=_refusal(exc))
    label = dict(Importance.choices).get(data["importance"], "not rated")
    return _answer(request, link.note_id, done=f"“{link.feature.title}”: {label.lower()}.")


@require_POST
def link_delete(request: HttpRequest, pk: int) -> HttpResponse:
    link = _link(pk)
    services.note_link.delete(actor=request.user, instance=link)
    return _answer(request, link.note_id, done=f"Unlinked “{link.feature.title}”.")


@require_POST
def note_suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or dismiss one triage suggestion (kind, feature or duplicate)."""
    note = _note(pk)
    permissions.require(can_triage(request.user))
    kind = request.POST.get("kind", "")
    target = request.POST.get("target_id", "")
    decision = request.POST.get("decision", "")
    if decision not in {"accept", "dismiss"} or not target.isdigit():
        return _answer(request, pk, errors=["Choose a suggestion to accept or dismiss."])
    accept = decision == "accept"
    try:
        triage.suggestion_decide(
            actor=request.user, note=note, kind=kind, target_id=int(target), accept=accept
        )
    except ValidationError as exc:
        return _answer(request, pk, errors=_refusal(exc))
    done = ACCEPTED.get(kind, "Accepted the suggestion.") if accept else "Dismissed the suggestion."
    return _answer(request, pk, done=done, finished=accept and kind == SuggestionKind.DUPLICATE)


# --- bulk actions -------------------------------------------------------------------------


@require_POST
def inbox_bulk(request: HttpRequest) -> HttpResponse:
    """One triage action on the checked notes, all or nothing (services.note_bulk)."""
    permissions.require(can_triage(request.user))
    next_url = _next_url(request)
    form = BulkForm(request.POST)
    errors: list[str] = []
    done = ""
    if not form.is_valid():
        errors = [m for found in form.errors.values() for m in found]
    else:
        try:
            ids = services.note_bulk(
                actor=request.user,
                note_ids=form.cleaned_data["note_ids"],
                action=form.cleaned_data["action"],
                value=form.value(),
            )
        except services.BulkRefused as refused:
            if refused.status == 403:
                raise PermissionDenied(refused.detail) from None
            errors = [refused.detail, *(message for _field, message in refused.errors)]
        except ValidationError as exc:
            errors = _refusal(exc)
        else:
            label = dict(services.BulkAction.choices)[form.cleaned_data["action"]]
            done = f"{label.split(' (')[0]}: {len(ids)} note{'s' if len(ids) != 1 else ''}."
    if not request.htmx:
        for error in errors:
            messages.error(request, error)
        if done:
            messages.success(request, done)
        return redirect(next_url)
    query = QueryDict(urlsplit(next_url).query)
    kinds = list(NoteKind.objects.all())
    context = _results_context(request, query, kinds=kinds, segments=list(selectors.segment_list()))
    context.update(
        {
            "bulk_errors": errors,
            "news": "; ".join(errors) if errors else done,
            "checked": set(form.cleaned_data.get("note_ids", [])) if errors else set(),
        }
    )
    return render(request, "customers/partials/inbox_results.html", context)


# --- the feature picker ---------------------------------------------------------------------


@require_GET
def feature_search(request: HttpRequest) -> HttpResponse:
    """Features matching `feature_q`, as options of the picker (linked ones left out)."""
    text = (request.GET.get("feature_q") or "").strip()
    note_id = request.GET.get("note", "")
    linked = (
        NoteLink.objects.filter(note_id=note_id).values_list("feature_id", flat=True)
        if note_id.isdigit()
        else []
    )
    context = {
        "feature_q": text,
        "feature_results": selectors.feature_matches(text=text, exclude_ids=linked),
        "form_id": f"link-form-{note_id}" if note_id.isdigit() else "",
    }
    return render(request, "customers/partials/feature_results.html", context)
