"""The resident site (``/public/``): mobile-first pages over the same services as ``/api/v1/public/``."""

from __future__ import annotations

from functools import wraps

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.idnumbers import mask_phone
from core.security import client_ip
from residents import services
from residents.auth import resident_login, resident_logout, session_resident
from residents.forms import CodeForm, PhoneForm

PENDING_PHONE = "_resident_pending_phone"


def resident_required(view):
    """A resident site page: signed-in residents only (others go to sign in); ``request.resident``."""

    @wraps(view)
    @never_cache
    def wrapped(request, *args, **kwargs):
        resident = session_resident(request)
        if resident is None:
            return redirect(reverse("residents:login"))
        request.resident = resident
        return view(request, *args, **kwargs)

    return wrapped


def _form_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login(request):
    """Sign in, step 1: the phone number; a code is sent to it."""
    if session_resident(request) is not None:
        return redirect("residents:home")
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            phone = services.clean_phone(form.cleaned_data["phone"])
            services.code_request(phone=phone, ip_address=client_ip(request))
        except DomainError as exc:
            _form_error(form, exc)
        else:
            request.session[PENDING_PHONE] = phone
            return redirect("residents:login-code")
    return render(request, "residents/login.html", {"form": form})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_code(request):
    """Sign in, step 2: the code from the text message."""
    phone = request.session.get(PENDING_PHONE)
    if not phone:
        return redirect("residents:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signed_in = services.sign_in(
                phone=phone, code=form.cleaned_data["code"], ip_address=client_ip(request), issue_token=False
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            resident_login(request, signed_in.resident)
            return redirect("residents:home")
    return render(request, "residents/login_code.html", {"form": form, "phone": mask_phone(phone)})


@require_POST
def logout(request):
    resident_logout(request)
    return redirect("residents:login")


@resident_required
def home(request):
    return render(request, "residents/home.html", {"resident": request.resident, "title": _("My services")})
