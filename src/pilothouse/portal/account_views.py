"""Visitors' account pages: sign up, sign in and out, confirm the email address (and ask
for the link again), forgotten password and setting a new one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from pilothouse.core.clients import client_address
from pilothouse.portal import accounts, tokens
from pilothouse.portal.errors import InvalidLink, Refused
from pilothouse.portal.forms import (
    ForgotPasswordForm,
    HoneypotForm,
    LoginForm,
    SetPasswordForm,
    SignupForm,
)
from pilothouse.portal.pages import form_errors, refused_page, render_page, safe_next
from pilothouse.portal.sessions import current_visitor, sign_in, sign_out, visitor_required
from pilothouse.portal.views import REFUSED

SIGNUP_SENT = (
    "Almost there: we sent a link to {email}. Open it to confirm your address and sign "
    "in. (If you signed up with this address before, the message says how to sign in.)"
)
RESET_SENT = (
    "If an account uses this address, we have emailed it a link to choose a new password. "
    "The link works once, for {minutes} minutes."
)


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if HoneypotForm.is_bot(request.POST):
            return HttpResponseBadRequest(REFUSED)
        if form.is_valid():
            email = form.cleaned_data["email"].strip().lower()
            try:
                accounts.visitor_signup(
                    email=email,
                    name=form.cleaned_data["name"],
                    password=form.cleaned_data["password"],
                    ip=client_address(request),
                    absolute=request.build_absolute_uri,
                )
            except Refused as exc:
                return refused_page(request, exc)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                # The same answer whether or not the address had an account already.
                messages.info(request, SIGNUP_SENT.format(email=email))
                return redirect(safe_next(request, reverse("portal:index")))
        status = 400
    return render_page(
        request, "portal/signup.html", {"form": form, "next": safe_next(request, "")}, status
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                found = accounts.visitor_authenticate(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    ip=client_address(request),
                )
            except Refused as exc:
                return refused_page(request, exc)
            if found is not None:
                sign_in(request, found)
                return redirect(safe_next(request, reverse("portal:index")))
            form.add_error(None, "The email or password is not right.")
        status = 400
    return render_page(
        request, "portal/login.html", {"form": form, "next": safe_next(request, "")}, status
    )


@login_not_required
@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    return redirect("portal:index")


# --- address confirmation ----------------------------------------------------------


@login_not_required
@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        visitor, first = accounts.email_confirm(token=token)
    except InvalidLink as exc:
        return refused_page(request, exc)
    # The first opening proves the mailbox and finishes the sign-up: it signs the visitor
    # in, unless someone else is signed in in this browser. Later openings only say so.
    if first and current_visitor(request) is None:
        sign_in(request, visitor)
    return render_page(request, "portal/confirmed.html", {})


@login_not_required
@require_POST
@visitor_required
def confirm_resend(request: HttpRequest) -> HttpResponse:
    visitor = current_visitor(request)
    try:
        sent = accounts.confirmation_resend(
            visitor=visitor, ip=client_address(request), absolute=request.build_absolute_uri
        )
    except Refused as exc:
        return refused_page(request, exc)
    if sent:
        messages.info(request, f"We sent a new confirmation link to {visitor.email}.")
    else:
        messages.info(request, "Your email address is confirmed already.")
    return redirect(safe_next(request, reverse("portal:index")))


# --- forgotten password ------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def password_forgot(request: HttpRequest) -> HttpResponse:
    form = ForgotPasswordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if HoneypotForm.is_bot(request.POST):
            return HttpResponseBadRequest(REFUSED)
        if form.is_valid():
            try:
                accounts.password_reset_request(
                    email=form.cleaned_data["email"],
                    ip=client_address(request),
                    absolute=request.build_absolute_uri,
                )
            except Refused as exc:
                return refused_page(request, exc)
            minutes = int(tokens.RESET_MAX_AGE.total_seconds() // 60)
            context = {"sent": RESET_SENT.format(minutes=minutes)}
            return render_page(request, "portal/password_forgot.html", context)
        status = 400
    return render_page(request, "portal/password_forgot.html", {"form": form}, status)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest, token: str) -> HttpResponse:
    try:
        visitor = tokens.reset_visitor(token)
    except InvalidLink as exc:
        return refused_page(request, exc, forgot=True)
    form = SetPasswordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                visitor = accounts.password_reset_complete(
                    token=token, password=form.cleaned_data["password"]
                )
            except InvalidLink as exc:
                return refused_page(request, exc, forgot=True)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                sign_in(request, visitor)
                messages.success(request, "Your new password is set, and you are signed in.")
                return redirect("portal:index")
        status = 400
    return render_page(
        request, "portal/password_reset.html", {"form": form, "reset_for": visitor}, status
    )
