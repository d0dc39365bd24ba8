"""Reads of the marriage register. Always scoped; a person's marital status follows from the register."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.errors import NotFound
from core.models import Division, DivisionLevel, User
from core.roles import Cap, has_cap, require
from core.scoping import division_in_scope, get_in_scope, scope
from marriage.models import (
    Appointment,
    AppointmentStatus,
    EndReason,
    HouseholdChange,
    Kind,
    MarriageParty,
    Office,
    Registration,
    ReviewStatus,
    Status,
)
from people.models import Person
from people.selectors import match_people

UNMARRIED = "unmarried"
MARRIED = "married"
DIVORCED = "divorced"
WIDOWED = "widowed"


@dataclass(frozen=True)
class MaritalStatus:
    status: str
    since: datetime.date | None
    spouse: Person | None
    marriage: Registration | None
    divorce_pending: Registration | None


def marital_status_of(*, person: Person, user: User | None = None) -> MaritalStatus:
    """The person's status from the register. ``spouse`` only when ``user`` may see them."""
    union = MarriageParty.objects.select_related("marriage").filter(person=person, current=True).first()

    def visible(pk: int) -> Person | None:
        if user is None:
            return None
        try:
            return get_in_scope(Person.objects.all(), user, pk=pk)
        except NotFound:
            return None

    if union is not None:
        marriage = union.marriage
        spouse_id = marriage.party_b_id if marriage.party_a_id == person.pk else marriage.party_a_id
        spouse = Person.objects.only("id", "death_date").get(pk=spouse_id)
        if spouse.death_date:
            return MaritalStatus(WIDOWED, spouse.death_date, visible(spouse_id), marriage, None)
        pending = Registration.objects.filter(kind=Kind.DIVORCE, marriage=marriage, status=Status.COOLING_OFF).first()
        return MaritalStatus(MARRIED, marriage.registered_on, visible(spouse_id), marriage, pending)
    last = (
        Registration.objects.filter(kind=Kind.MARRIAGE, status=Status.REGISTERED, parties__person=person)
        .exclude(ended_on=None)
        .order_by("-ended_on", "-id")
        .first()
    )
    if last is None:
        return MaritalStatus(UNMARRIED, None, None, None, None)
    status = DIVORCED if last.end_reason == EndReason.DIVORCE else WIDOWED
    return MaritalStatus(status, last.ended_on, None, last, None)


def _waiting_for(qs: QuerySet[Registration], user: User, waiting: str) -> QuerySet[Registration]:
    from marriage.permissions import is_district

    own = user.division_id or ""
    if is_district(own):
        qs = qs.filter(office_id=own)
    if waiting == "review":
        return qs.filter(status=Status.REGISTERED, review_status=ReviewStatus.PENDING).exclude(registrar=user)
    if waiting == "divorce":
        today = timezone.localdate()
        return qs.filter(
            kind=Kind.DIVORCE, status=Status.COOLING_OFF, cooling_off_until__lt=today, appear_by__gte=today
        )
    return qs.none()


def registration_list(
    *,
    user: User,
    kind: str = "",
    status: str = "",
    office: str = "",
    review_status: str = "",
    person: str | int = "",
    q: str = "",
    waiting: str = "",
) -> QuerySet[Registration]:
    """Registrations the user may see. ``waiting``: ``review`` — registered records of the user's office
    awaiting quality review that someone else made; ``divorce`` — divorce applications of the user's office
    whose cooling-off is over and whose parties may still appear (the registrar's queues)."""
    qs = scope(Registration.objects.select_related("party_a", "party_b", "office"), user)
    if waiting:
        qs = _waiting_for(qs, user, waiting)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if office:
        qs = qs.filter(office=office)
    if review_status:
        qs = qs.filter(review_status=review_status)
    if person:
        qs = qs.filter(Q(party_a=person) | Q(party_b=person))
    q = (q or "").strip().upper()
    if q:
        if len(q) == 18 and q[:17].isdigit():
            qs = qs.filter(Q(party_a__id_number=q) | Q(party_b__id_number=q))
        elif q[:1] in {"J", "L", "B"}:
            qs = qs.filter(certificate_number=q)
        else:  # a fragment of either party's name, or the end of an ID number (people's one matching)
            people = match_people(Person.objects.all(), q)
            qs = qs.filter(Q(party_a__in=people) | Q(party_b__in=people))
    return qs.order_by("-id")


def registration_get(*, user: User, pk) -> Registration:
    qs = Registration.objects.select_related(
        "party_a", "party_b", "office", "marriage", "original", "registrar", "reviewed_by", "withdrawn_by"
    )
    return get_in_scope(qs, user, pk=pk)


def person_registrations(*, user: User, person: Person) -> QuerySet[Registration]:
    return registration_list(user=user, person=person.pk)


def _offices_of(districts: list[Division]) -> list[Office]:
    existing = {o.pk: o for o in Office.objects.filter(pk__in=[d.code for d in districts])}
    return [existing.get(d.code) or Office(division=d, name=Office.default_name(d)) for d in districts]


def offices(*, user: User) -> list[Office]:
    """The offices (one per district) the user may see; a district's office not yet configured shows its defaults."""
    if not (has_cap(user, Cap.MARRIAGE_VIEW) or has_cap(user, Cap.MARRIAGE_APPOINTMENTS)):
        return []
    districts = [
        d
        for d in Division.objects.filter(level=DivisionLevel.DISTRICT, active=True).order_by("code")
        if division_in_scope(user, d.code, citywide_cap=Cap.MARRIAGE_CITYWIDE)
    ]
    return _offices_of(districts)


def public_offices() -> list[Office]:
    """Every registry office of the city, as residents choose among them (全城通办): public reference data."""
    return _offices_of(list(Division.objects.filter(level=DivisionLevel.DISTRICT, active=True).order_by("code")))


def public_office_get(*, code: str) -> Office:
    for office in public_offices():
        if office.pk == code:
            return office
    raise NotFound()


def online_appointment_list(*, resident) -> QuerySet[Appointment]:
    """A resident's own bookings, newest day first. Nobody else's ever."""
    return Appointment.objects.filter(resident=resident).select_related("office").order_by("-date", "-id")


def online_appointment_get(*, resident, pk) -> Appointment:
    appointment = online_appointment_list(resident=resident).filter(pk=pk).first()
    if appointment is None:
        raise NotFound()
    return appointment


def office_get(*, user: User, code: str) -> Office:
    for office in offices(user=user):
        if office.pk == code:
            return office
    raise NotFound()


def appointment_list(
    *, user: User, office: str = "", date: datetime.date | None = None, status: str = "", kind: str = ""
) -> QuerySet[Appointment]:
    qs = scope(Appointment.objects.select_related("office"), user)
    if office:
        qs = qs.filter(office=office)
    if date:
        qs = qs.filter(date=date)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("date", "id")


def appointment_get(*, user: User, pk) -> Appointment:
    return get_in_scope(Appointment.objects.select_related("office"), user, pk=pk)


def day_loads(*, office: Office, start: datetime.date, days: int = 14) -> list[dict]:
    """Capacity and bookings for each of the next ``days`` days of an office (the booking calendar)."""
    from marriage.services import capacity_on

    end = start + datetime.timedelta(days=days)
    booked = {}
    if not office._state.adding:
        booked = dict(
            Appointment.objects.filter(office=office, date__gte=start, date__lt=end, status=AppointmentStatus.BOOKED)
            .values_list("date")
            .annotate(n=Count("id"))
        )
    rows = []
    for i in range(days):
        day = start + datetime.timedelta(days=i)
        capacity = capacity_on(office, day)
        count = booked.get(day, 0)
        rows.append(
            {
                "date": day,
                "capacity": capacity,
                "booked": count,
                "free": max(capacity - count, 0),
                "percent": min(100, round(100 * count / capacity)) if capacity else 100,
            }
        )
    return rows


ONLINE_DAYS_SHOWN = 14


def online_day_loads(*, office: Office, start: datetime.date | None = None) -> list[dict]:
    """The days a resident may book at ``office`` from ``start`` (at most two weeks a page), with places left.

    Clamped to the booking window of ``services.appointment_book``: today up to its horizon.
    """
    from marriage.services import BOOKING_HORIZON_DAYS

    today = timezone.localdate()
    last = today + datetime.timedelta(days=BOOKING_HORIZON_DAYS)
    start = min(max(start or today, today), last)
    days = min(ONLINE_DAYS_SHOWN, (last - start).days + 1)
    return day_loads(office=office, start=start, days=days)


def household_change_list(*, user: User, status: str = "") -> QuerySet[HouseholdChange]:
    qs = scope(
        HouseholdChange.objects.select_related("registration", "person", "household__community", "reverted_by"), user
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def household_change_get(*, user: User, pk) -> HouseholdChange:
    return get_in_scope(HouseholdChange.objects.select_related("registration", "person", "household"), user, pk=pk)


def _month_start(value: datetime.date) -> datetime.date:
    return value.replace(day=1)


def _next_month(value: datetime.date) -> datetime.date:
    return (value.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def statistics(
    *, user: User, month_from: datetime.date, month_to: datetime.date, office: str = ""
) -> list[dict[str, object]]:
    """Per office and month: registrations by kind, divorce applications, withdrawals, quality review."""
    require(user, Cap.MARRIAGE_STATS)
    start, end = _month_start(month_from), _next_month(_month_start(month_to))
    base = scope(Registration.objects.all(), user)
    if office:
        base = base.filter(office=office)
    registered = (
        base.filter(status=Status.REGISTERED, registered_on__gte=start, registered_on__lt=end)
        .annotate(month=TruncMonth("registered_on"))
        .values("office", "month")
        .annotate(
            marriages=Count("id", filter=Q(kind=Kind.MARRIAGE)),
            divorces=Count("id", filter=Q(kind=Kind.DIVORCE)),
            reissues=Count("id", filter=Q(kind=Kind.REISSUE)),
            review_passed=Count("id", filter=Q(review_status=ReviewStatus.PASSED)),
            review_failed=Count("id", filter=Q(review_status=ReviewStatus.FAILED)),
            review_pending=Count("id", filter=Q(review_status=ReviewStatus.PENDING)),
        )
    )
    applications = (
        base.filter(kind=Kind.DIVORCE, applied_on__gte=start, applied_on__lt=end)
        .annotate(month=TruncMonth("applied_on"))
        .values("office", "month")
        .annotate(
            divorce_applications=Count("id"),
            withdrawn=Count("id", filter=Q(status=Status.WITHDRAWN)),
            lapsed=Count("id", filter=Q(status=Status.LAPSED)),
        )
    )
    zero = {
        "marriages": 0,
        "divorces": 0,
        "reissues": 0,
        "divorce_applications": 0,
        "withdrawn": 0,
        "lapsed": 0,
        "review_passed": 0,
        "review_failed": 0,
        "review_pending": 0,
    }
    rows: dict[tuple[str, datetime.date], dict[str, object]] = {}
    for source in (registered, applications):
        for item in source:
            month = item["month"]
            if isinstance(month, datetime.datetime):
                month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
            key = (item["office"], month)
            row = rows.setdefault(key, {"office": item["office"], "month": month.strftime("%Y-%m"), **zero})
            for field in zero:
                if field in item:
                    row[field] = item[field]
    names = dict(Division.objects.filter(code__in={k[0] for k in rows}).values_list("code", "name"))
    result = []
    for key in sorted(rows):
        row = rows[key]
        row["office_name"] = names.get(row["office"], row["office"])
        reviewed = row["review_passed"] + row["review_failed"]
        row["pass_rate"] = round(100 * row["review_passed"] / reviewed, 1) if reviewed else None
        result.append(row)
    return result


def registration_counts(
    *, user: User, date_from: datetime.date | None = None, date_to: datetime.date | None = None
) -> dict[str, int]:
    """Marriages and divorces registered within the dates given (for reports and the dashboard)."""
    qs = scope(Registration.objects.filter(status=Status.REGISTERED), user)
    if date_from:
        qs = qs.filter(registered_on__gte=date_from)
    if date_to:
        qs = qs.filter(registered_on__lte=date_to)
    return qs.aggregate(
        marriages=Count("id", filter=Q(kind=Kind.MARRIAGE)), divorces=Count("id", filter=Q(kind=Kind.DIVORCE))
    )
