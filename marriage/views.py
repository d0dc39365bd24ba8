"""Browser pages of the marriage registry: validate, call one service or selector, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError, Forbidden, InvalidInput, NotFound
from core.history import rows_for
from core.pages import flash_errors, form_error, require_cap
from core.pagination import paginate
from core.permissions import can
from core.roles import Cap, has_cap
from marriage import selectors, services
from marriage.forms import (
    AppointmentForm,
    CancelForm,
    CapacityForm,
    OfficeForm,
    OnlineAppointmentForm,
    RegisterDivorceForm,
    RegistrationForm,
    ReissueForm,
    RevertForm,
    ReviewForm,
    StatisticsForm,
    WithdrawForm,
)
from marriage.models import AppointmentStatus, HouseholdChange, HouseholdChangeStatus, Kind, ReviewStatus, Status
from people import selectors as people_selectors
from residents.views import resident_required

PAGE_SIZE = 25


def _person_by_id_number(user, number: str, field: str):
    person = people_selectors.person_list(user=user, id_number=number).first()
    if person is None:
        raise InvalidInput(
            _("No one with this ID number is registered; register the person first (People)."), field=field
        )
    return person


@login_required
def registration_list(request):
    require_cap(request, Cap.MARRIAGE_VIEW)
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "kind", "status", "office", "review_status", "waiting")}
    registrations = selectors.registration_list(user=request.user, **filters)
    return render(
        request,
        "marriage/registration_list.html",
        {
            "page": paginate(request, registrations),
            "filters": filters,
            "kinds": Kind.choices,
            "statuses": Status.choices,
            "review_statuses": ReviewStatus.choices,
            "offices": selectors.offices(user=request.user),
        },
    )


@login_required
def registration_create(request):
    require_cap(request, Cap.MARRIAGE_REGISTER)
    offices = selectors.offices(user=request.user)
    own = request.user.division_id
    if any(o.pk == own for o in offices):
        offices = [o for o in offices if o.pk == own]  # a district registrar registers at their own office
    form = RegistrationForm(request.POST or None, offices=offices, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            party_a = _person_by_id_number(request.user, values["party_a"], "party_a")
            party_b = _person_by_id_number(request.user, values["party_b"], "party_b")
            register = services.marriage_register if values["kind"] == Kind.MARRIAGE else services.divorce_apply
            registration = register(
                actor=request.user,
                party_a=party_a,
                party_b=party_b,
                office=values["office"],
                applied_on=values["applied_on"],
                declarations_signed=values["declarations_signed"],
                note=values["note"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            if registration.status == Status.REGISTERED:
                messages.success(
                    request,
                    _("Registered. Certificate number %(number)s.") % {"number": registration.certificate_number},
                )
            else:
                messages.success(
                    request,
                    _("The divorce application is received; cooling-off until %(day)s.")
                    % {"day": registration.cooling_off_until.isoformat()},
                )
            return redirect("marriage:registration-detail", pk=registration.pk)
    return render(request, "marriage/registration_form.html", {"form": form})


@login_required
def registration_detail(request, pk: int):
    require_cap(request, Cap.MARRIAGE_VIEW)
    registration = selectors.registration_get(user=request.user, pk=pk)
    parties = [registration.party_a, registration.party_b]
    user = request.user
    reissuable = registration.kind in (Kind.MARRIAGE, Kind.DIVORCE) and can(user, "reissue", registration)
    changes = selectors.household_change_list(user=request.user).filter(registration=registration)
    context = {
        "registration": registration,
        "events": registration.transitions.select_related("actor"),
        "divorces": registration.divorces.all() if registration.kind == Kind.MARRIAGE else [],
        "reissues": registration.reissues.all(),
        "household_changes": changes if can(user, "view", HouseholdChange) else [],
        "history": rows_for(registration),
        "register_form": RegisterDivorceForm() if can(user, "register_divorce", registration) else None,
        "withdraw_form": WithdrawForm(parties=parties) if can(user, "withdraw", registration) else None,
        "reissue_form": ReissueForm(parties=parties) if reissuable else None,
        "review_form": ReviewForm() if can(user, "review", registration) else None,
        "revert_form": RevertForm(),
        "today": timezone.localdate(),
    }
    return render(request, "marriage/registration_detail.html", context)


def _action(request, pk: int, form_class, call, *, success: str, form_kwargs=None):
    registration = selectors.registration_get(user=request.user, pk=pk)
    form = form_class(request.POST, **(form_kwargs(registration) if form_kwargs else {}))
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("marriage:registration-detail", pk=pk)
    try:
        result = call(registration, form.cleaned_data)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("marriage:registration-detail", pk=pk)
    messages.success(request, success)
    return redirect("marriage:registration-detail", pk=result.pk)


def _parties(registration):
    return {"parties": [registration.party_a, registration.party_b]}


@login_required
@require_POST
def registration_register(request, pk: int):
    require_cap(request, Cap.MARRIAGE_REGISTER)
    return _action(
        request,
        pk,
        RegisterDivorceForm,
        lambda r, v: services.divorce_register(
            actor=request.user, registration=r, on=v["on"], both_present=v["both_present"], note=v["note"]
        ),
        success=_("The divorce is registered."),
    )


@login_required
@require_POST
def registration_withdraw(request, pk: int):
    require_cap(request, Cap.MARRIAGE_REGISTER)
    return _action(
        request,
        pk,
        WithdrawForm,
        lambda r, v: services.divorce_withdraw(
            actor=request.user, registration=r, party=int(v["party"]), on=v["on"], note=v["note"]
        ),
        success=_("The divorce application is withdrawn."),
        form_kwargs=_parties,
    )


@login_required
@require_POST
def registration_reissue(request, pk: int):
    require_cap(request, Cap.MARRIAGE_REGISTER)
    return _action(
        request,
        pk,
        ReissueForm,
        lambda r, v: services.certificate_reissue(
            actor=request.user, registration=r, party=int(v["party"]), note=v["note"]
        ),
        success=_("The certificate is reissued."),
        form_kwargs=_parties,
    )


@login_required
@require_POST
def registration_review(request, pk: int):
    require_cap(request, Cap.MARRIAGE_REVIEW)
    return _action(
        request,
        pk,
        ReviewForm,
        lambda r, v: services.registration_review(
            actor=request.user, registration=r, passed=v["result"] == "pass", reason=v["reason"]
        ),
        success=_("The review is recorded."),
    )


@login_required
def household_change_list(request):
    require_cap(request, Cap.MARRIAGE_HOUSEHOLD_REVERT)
    status = request.GET.get("status", HouseholdChangeStatus.APPLIED)
    changes = selectors.household_change_list(user=request.user, status=status)
    return render(
        request,
        "marriage/household_changes.html",
        {
            "page": paginate(request, changes),
            "status": status,
            "statuses": HouseholdChangeStatus.choices,
            "revert_form": RevertForm(),
        },
    )


@login_required
@require_POST
def household_change_revert(request, pk: int):
    require_cap(request, Cap.MARRIAGE_HOUSEHOLD_REVERT)
    change = selectors.household_change_get(user=request.user, pk=pk)
    form = RevertForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form)
    else:
        try:
            services.household_change_revert(actor=request.user, change=change, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The household record is restored."))
    target = request.POST.get("next", "")
    if target == "registration":
        return redirect("marriage:registration-detail", pk=change.registration_id)
    return redirect("marriage:household-changes")


# --- Appointments ----------------------------------------------------------------------------


@login_required
def appointments(request):
    require_cap(request, Cap.MARRIAGE_APPOINTMENTS)
    offices = selectors.offices(user=request.user)
    if not offices:
        raise Forbidden()
    code = request.GET.get("office") or (
        request.user.division_id if any(o.pk == request.user.division_id for o in offices) else offices[0].pk
    )
    office = selectors.office_get(user=request.user, code=code)
    today = timezone.localdate()
    try:
        day = datetime.date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else today
    except ValueError:
        day = today
    book_form = AppointmentForm(request.POST or None, initial={"date": day}, prefix="book")
    if request.method == "POST" and book_form.is_valid():
        try:
            appointment = services.appointment_book(actor=request.user, office=office.pk, **book_form.cleaned_data)
        except DomainError as exc:
            form_error(book_form, exc)
        else:
            messages.success(
                request,
                _("Booked for %(day)s at %(office)s.") % {"day": appointment.date.isoformat(), "office": office.name},
            )
            return redirect(f"{request.path}?office={office.pk}&date={appointment.date.isoformat()}")
    booked = selectors.appointment_list(user=request.user, office=office.pk, date=day).filter(
        status=AppointmentStatus.BOOKED
    )
    return render(
        request,
        "marriage/appointments.html",
        {
            "offices": offices,
            "office": office,
            "day": day,
            "days": selectors.day_loads(office=office, start=today),
            "appointments": booked,
            "book_form": book_form,
            "cancel_form": CancelForm(),
            "may_configure": can(request.user, "configure", office),
            "office_form": OfficeForm(
                initial={
                    "name": office.name,
                    "address": office.address,
                    "daily_capacity": office.daily_capacity,
                    "open_weekends": office.open_weekends,
                },
                prefix="office",
            ),
            "capacity_form": CapacityForm(prefix="capacity"),
        },
    )


@login_required
@require_POST
def appointment_cancel(request, pk: int):
    require_cap(request, Cap.MARRIAGE_APPOINTMENTS)
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.appointment_cancel(actor=request.user, appointment=appointment, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The appointment is cancelled."))
    return redirect(f"{_appointments_url()}?office={appointment.office_id}&date={appointment.date.isoformat()}")


def _appointments_url() -> str:
    from django.urls import reverse

    return reverse("marriage:appointments")


@login_required
@require_POST
def office_settings(request, code: str):
    require_cap(request, Cap.MARRIAGE_APPOINTMENTS)
    office = selectors.office_get(user=request.user, code=code)
    form = OfficeForm(request.POST, prefix="office")
    if form.is_valid():
        try:
            services.office_update(actor=request.user, office=office.pk, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Saved."))
    else:
        flash_errors(request, form)
    return redirect(f"{_appointments_url()}?office={office.pk}")


@login_required
@require_POST
def office_capacity(request, code: str):
    require_cap(request, Cap.MARRIAGE_APPOINTMENTS)
    office = selectors.office_get(user=request.user, code=code)
    form = CapacityForm(request.POST, prefix="capacity")
    if form.is_valid():
        try:
            services.capacity_override_set(actor=request.user, office=office.pk, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Saved."))
    else:
        flash_errors(request, form)
    return redirect(f"{_appointments_url()}?office={office.pk}")


# --- Statistics ------------------------------------------------------------------------------


def _parse_month(value: str, default: datetime.date) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 - a calendar month
    except (TypeError, ValueError):
        return default


@login_required
def statistics(request):
    require_cap(request, Cap.MARRIAGE_STATS)
    today = timezone.localdate()
    offices = selectors.offices(user=request.user) if has_cap(request.user, Cap.MARRIAGE_VIEW) else []
    form = StatisticsForm(request.GET or None, offices=offices)
    month_to = _parse_month(request.GET.get("month_to", ""), today.replace(day=1))
    month_from = _parse_month(request.GET.get("month_from", ""), month_to.replace(month=1))
    if month_from > month_to:
        month_from, month_to = month_to, month_from
    office = request.GET.get("office", "") if form.is_valid() else ""
    rows = selectors.statistics(user=request.user, month_from=month_from, month_to=month_to, office=office)
    totals = {
        key: sum(r[key] for r in rows)
        for key in ("marriages", "divorces", "reissues", "divorce_applications", "withdrawn", "lapsed")
    }
    totals["review_passed"] = sum(r["review_passed"] for r in rows)
    totals["review_failed"] = sum(r["review_failed"] for r in rows)
    reviewed = totals["review_passed"] + totals["review_failed"]
    totals["pass_rate"] = round(100 * totals["review_passed"] / reviewed, 1) if reviewed else None
    peak = max([r["marriages"] + r["divorces"] for r in rows] or [0])
    for row in rows:
        row["marriage_pct"] = round(100 * row["marriages"] / peak) if peak else 0
        row["divorce_pct"] = round(100 * row["divorces"] / peak) if peak else 0
    return render(
        request,
        "marriage/statistics.html",
        {
            "form": form,
            "rows": rows,
            "totals": totals,
            "month_from": month_from.strftime("%Y-%m"),
            "month_to": month_to.strftime("%Y-%m"),
        },
    )


# --- The resident site: booking a registration online (/public/marriage/) -----------------------


@resident_required
def online_appointments(request):
    """A resident's bookings, the next first, each open one with its cancel button."""
    today = timezone.localdate()
    bookings = list(selectors.online_appointment_list(resident=request.resident))
    return render(
        request,
        "marriage/public/appointments.html",
        {
            "resident": request.resident,
            "upcoming": [a for a in bookings if a.status == AppointmentStatus.BOOKED and a.date >= today],
            "past": [a for a in bookings if not (a.status == AppointmentStatus.BOOKED and a.date >= today)],
            "cancel_form": CancelForm(),
        },
    )


@resident_required
@require_http_methods(["GET", "HEAD", "POST"])
def online_book(request):
    """Book: choose the office (any in the city), then a day with places left, and give both ID numbers."""
    offices = selectors.public_offices()
    code = request.GET.get("office") or request.POST.get("office") or ""
    office = next((o for o in offices if o.pk == code), None)
    start = None
    if request.GET.get("from"):
        try:
            start = datetime.date.fromisoformat(request.GET["from"])
        except ValueError:
            start = None
    days = selectors.online_day_loads(office=office, start=start) if office else []
    form = OnlineAppointmentForm(request.POST or None, days=days) if office else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            appointment = services.online_appointment_book(
                resident=request.resident, office=office.pk, **form.cleaned_data
            )
        except DomainError as exc:
            form_error(form, exc)
            days = selectors.online_day_loads(office=office, start=start)
        else:
            messages.success(
                request,
                _("Booked: %(kind)s at %(office)s on %(day)s. Both parties come in person with their ID cards.")
                % {"kind": appointment.get_kind_display(), "office": office.name, "day": appointment.date.isoformat()},
            )
            return redirect("marriage_public:appointments")
    later = None
    if days and days[-1]["date"] < timezone.localdate() + datetime.timedelta(days=services.BOOKING_HORIZON_DAYS):
        later = days[-1]["date"] + datetime.timedelta(days=1)
    return render(
        request,
        "marriage/public/book.html",
        {
            "resident": request.resident,
            "offices": offices,
            "office": office,
            "days": [d for d in days if d["capacity"]],
            "later": later,
            "form": form,
            "chosen_date": form["date"].value() if form is not None else None,
        },
    )


@resident_required
@require_POST
def online_cancel(request, pk: int):
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        appointment = services.online_appointment_cancel(resident=request.resident, appointment=pk, reason=reason)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Your booking for %(day)s at %(office)s is cancelled.")
            % {"day": appointment.date.isoformat(), "office": appointment.office.name},
        )
    return redirect("marriage_public:appointments")
