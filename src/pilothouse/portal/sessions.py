"""The visitor's session: separate from the staff log-in (its own keys in the session,
never `_auth_user_id`), so a visitor never reaches a staff page or the API, and a staff
user is never a visitor by accident.

The session holds the visitor's id and a digest of their password hash; a session whose
digest no longer matches (the password was reset since) is signed out.
"""

from __future__ import annotations

from functools import wraps

from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from pilothouse.portal import selectors
from pilothouse.portal.accounts import session_hash
from pilothouse.portal.models import PortalVisitor

SESSION_KEY = "portal_visitor_id"
HASH_KEY = "portal_visitor_hash"


def current_visitor(request: HttpRequest) -> PortalVisitor | None:
    """The signed-in, active visitor of this request, or None (read once per request)."""
    if not hasattr(request, "_portal_visitor"):
        found = selectors.visitor(request.session.get(SESSION_KEY))
        if found is not None and not constant_time_compare(
            str(request.session.get(HASH_KEY, "")), session_hash(found)
        ):
            found = None
        request._portal_visitor = found
    return request._portal_visitor


def sign_in(request: HttpRequest, visitor: PortalVisitor) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = visitor.pk
    request.session[HASH_KEY] = session_hash(visitor)
    request._portal_visitor = visitor


def sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(HASH_KEY, None)
    request.session.cycle_key()
    request._portal_visitor = None


def visitor_required(view):
    """Send a request without a signed-in visitor to the portal's sign-in page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if current_visitor(request) is None:
            return redirect(f"{reverse('portal:login')}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapped
