"""The resident site (``/public/``): mobile-first pages over the same services as ``/api/v1/public/``."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.idnumbers import mask_phone
from core.security import client_ip
from residents import services
from residents.auth import resident_history_context, resident_login, resident_logout, session_resident
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
        resident_history_context(resident)  # the page's writes are the resident's in the history
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
    from residents import selectors

    applications = [
        {"application": a, "status_label": selectors.status_label(a), "status": selectors.plain_status(a)}
        for a in selectors.my_applications(resident=request.resident)
    ]
    return render(request, "residents/home.html", {"resident": request.resident, "applications": applications})


# --- Applications -------------------------------------------------------------------------------------


def _steps_context(application):
    from residents import selectors

    return {
        "application": application,
        "steps": selectors.steps_of(application),
        "status_label": selectors.status_label(application),
        "status": selectors.plain_status(application),
        "can_withdraw": selectors.is_undecided(application),
        "has_decision": selectors.decision_document(application) is not None,
        "attachments": selectors.my_attachments(application),
    }


@resident_required
def apply(request):
    """Apply for dibao, tekun or temporary relief, with a photo; the same service as the API."""
    from django.db import transaction

    from residents.forms import ApplicationForm

    form = ApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                photo = data.get("photo")
                scan = services.read_photo(photo) if photo else None
                application = services.application_submit(
                    resident=request.resident,
                    data=services.ApplicationInput(
                        kind=data["kind"],
                        applicant_id_number=data["member_0_id_number"],
                        applicant_name=data["member_0_name"],
                        community=data["community"],
                        address=data["address"],
                        area_type=data["area_type"],
                        members=form.members(),
                        monthly_income=data["monthly_income"],
                        reason=data["reason"],
                        amount=data.get("amount"),
                        authorized=data.get("authorization") is True,
                    ),
                )
                if scan is not None:
                    services.application_attach(
                        resident=request.resident,
                        application_id=application.pk,
                        scan=scan,
                        kind=data.get("photo_kind") or "",
                        file_name=photo.name,
                    )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(
                request, _("Your application was received. Reference: %(ref)s") % {"ref": application.reference}
            )
            return redirect("residents:application", pk=application.pk)
    return render(request, "residents/apply.html", {"form": form, "resident": request.resident})


def _apply_error(form, exc: DomainError) -> None:
    fields = {"applicant": "member_0_id_number", "file": "photo", "members": None, "kind": "kind"}
    field = fields.get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, str(exc.message))


@resident_required
def application(request, pk: int):
    from core.errors import NotFound
    from residents import selectors
    from residents.forms import PhotoForm

    try:
        found = selectors.my_application(resident=request.resident, pk=pk)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "residents/application.html",
        {**_steps_context(found), "resident": request.resident, "photo_form": PhotoForm()},
    )


@resident_required
@require_POST
def withdraw(request, pk: int):
    from core.errors import NotFound

    try:
        services.application_withdraw(resident=request.resident, application_id=pk)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your application is withdrawn."))
    return redirect("residents:application", pk=pk)


@resident_required
@require_POST
def add_photo(request, pk: int):
    from core.errors import NotFound
    from residents.forms import PhotoForm

    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("residents:application", pk=pk)
    try:
        upload = form.cleaned_data["photo"]
        services.application_attach(
            resident=request.resident,
            application_id=pk,
            scan=services.read_photo(upload),
            kind=form.cleaned_data["photo_kind"],
            file_name=upload.name,
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The document was added."))
    return redirect("residents:application", pk=pk)


@resident_required
def decision(request, pk: int):
    from core.errors import NotFound
    from residents.apis import decision_pdf

    try:
        return decision_pdf(request, resident=request.resident, pk=pk)
    except NotFound:
        raise Http404 from None


@resident_required
def notices(request):
    from core.errors import NotFound
    from residents import selectors

    try:
        community, rows = selectors.notices_for(resident=request.resident, community=request.GET.get("community", ""))
    except NotFound:
        raise Http404 from None
    from core.models import Division

    division = Division.objects.filter(code=community).first() if community else None
    return render(
        request, "residents/notices.html", {"rows": rows, "community": division, "resident": request.resident}
    )
