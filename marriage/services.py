"""Every write to the marriage register. Keyword-only, one transaction, the actor named.

Registrars work city-wide: they find people anywhere in the city (``Cap.PEOPLE_CITYWIDE``)
and see every office's records (``Cap.MARRIAGE_CITYWIDE``); acts at the counter (register,
withdraw, book) are done at the registrar's own office (a city-level registrar: any office).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_context
from core.errors import Conflict, InvalidInput, NotFound
from core.idnumbers import ResidentId, mask_id_number, parse_id_number
from core.models import Division, DivisionLevel, User
from core.permissions import require_can
from core.scoping import get_in_scope
from marriage import rules
from marriage.models import (
    Appointment,
    AppointmentStatus,
    CapacityOverride,
    CertificateCounter,
    EndReason,
    HouseholdChange,
    HouseholdChangeStatus,
    Kind,
    MarriageParty,
    Office,
    Registration,
    RegistrationTransition,
    ReviewStatus,
    Status,
)
from marriage.permissions import is_district
from people.models import HouseholdMember, Person, Relationship

# The one map of allowed status moves. Creation moves from "" (nothing) to the first status.
TRANSITIONS: dict[str, frozenset[str]] = {
    "": frozenset({Status.REGISTERED, Status.COOLING_OFF}),
    Status.COOLING_OFF: frozenset({Status.REGISTERED, Status.WITHDRAWN, Status.LAPSED}),
    Status.REGISTERED: frozenset(),
    Status.WITHDRAWN: frozenset(),
    Status.LAPSED: frozenset(),
}

SERIES = {Kind.MARRIAGE: "J", Kind.DIVORCE: "L"}
REISSUE_SERIES = {Kind.MARRIAGE: "BJ", Kind.DIVORCE: "BL"}
BOOKING_HORIZON_DAYS = 90
MAX_DAILY_CAPACITY = 1000


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _check_transition(registration: Registration, to_status: str) -> None:
    from_status = registration.status or ""
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise Conflict(
            _("A registration that is %(status)s cannot become %(to)s.")
            % {"status": registration.get_status_display() if from_status else "—", "to": Status(to_status).label},
            code="invalid_transition",
        )


def _transition(registration: Registration, to_status: str, *, actor: User | None, on: datetime.date, note: str = ""):
    """Move ``registration`` to ``to_status`` (saving it) and record the event, or refuse the move."""
    from_status = registration.status or ""
    _check_transition(registration, to_status)
    registration.status = to_status
    with audit_context(actor, via="marriage"):
        registration.save()
        RegistrationTransition.objects.create(
            registration=registration, from_status=from_status, to_status=to_status, actor=actor, on=on, note=note[:500]
        )


def _act_date(value: datetime.date | None, today: datetime.date, *, field: str) -> datetime.date:
    day = value or today
    if day > today:
        raise InvalidInput(_("The date cannot be in the future."), field=field)
    if day < rules.EARLIEST_DATE:
        raise InvalidInput(_("The date is before the first Marriage Law (1 May 1950)."), field=field)
    return day


_is_district = is_district


def _office_or_error(actor: User, code: str | Division | None, *, field: str = "office") -> Division:
    """The office a registrar acts at: a district registrar's own; a city-level registrar names one."""
    code = code.code if isinstance(code, Division) else str(code or "").strip()
    own = actor.division_id or ""
    if not code:
        if _is_district(own):
            code = own
        else:
            raise InvalidInput(_("Choose the registry office (its district code)."), field=field)
    office = Division.objects.filter(code=code, level=DivisionLevel.DISTRICT, active=True).first()
    if office is None:
        raise InvalidInput(_("No registry office has the district code %(code)s.") % {"code": code}, field=field)
    if _is_district(own) and own != office.code:
        raise InvalidInput(
            _("You register at your own office (%(own)s), not at %(code)s.") % {"own": own, "code": office.code},
            field=field,
        )
    return office


def _check_office_competent(office: Division, day: datetime.date, people: list[Person], extra: str = "") -> None:
    """Before 1 July 2020 only the office of one party's household district could register the couple."""
    if rules.office_rule_on(day) == rules.OFFICE_CITYWIDE:
        return
    homes = {p.division_id[:6] for p in people}
    if extra:
        homes.add(extra)
    if office.code not in homes:
        raise Conflict(
            _(
                "On %(day)s only the office of one party's household district could register them "
                "(city-wide handling began on 1 July 2020)."
            )
            % {"day": day.isoformat()},
            code="office_not_competent",
        )


def _lock_people(actor: User, *people: tuple[str, Person | int]) -> list[Person]:
    """Lock the parties' rows (in id order, so two registrations never deadlock) and return them."""
    ids = {}
    for field, person in people:
        pk = person.pk if isinstance(person, Person) else person
        ids[field] = pk
    if len(set(ids.values())) != len(ids):
        raise InvalidInput(_("The two parties must be two different people."), field=list(ids)[-1])
    locked = {}
    for pk in sorted(set(ids.values())):
        try:
            locked[pk] = get_in_scope(Person.objects.select_for_update(of=("self",)), actor, pk=pk)
        except NotFound:
            locked[pk] = None
    result = []
    for field, pk in ids.items():
        if locked.get(pk) is None:
            raise InvalidInput(_("Person not found."), field=field)
        result.append(locked[pk])
    return result


def _next_certificate_number(office: str, year: int, series: str) -> str:
    """The next number of the office-year-series counter, taken under PostgreSQL's row lock."""
    table = CertificateCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (office_id, year, series, last_number) VALUES (%s, %s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (office_id, year, series) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [office, year, series],
        )
        number = cursor.fetchone()[0]
    return f"{series}{office}-{year}-{number:06d}"


def _current_union(person: Person) -> MarriageParty | None:
    return (
        MarriageParty.objects.select_related("marriage")
        .select_for_update(of=("self",))
        .filter(person=person, current=True)
        .first()
    )


def _spouse_in(marriage: Registration, person: Person) -> Person:
    other = marriage.party_b_id if marriage.party_a_id == person.pk else marriage.party_a_id
    return Person.objects.get(pk=other)


def _end_union(marriage: Registration, *, on: datetime.date, reason: str, actor: User | None) -> None:
    marriage.ended_on = on
    marriage.end_reason = reason
    with audit_context(actor, via="marriage"):
        marriage.save(update_fields=["ended_on", "end_reason", "updated_at"])
        MarriageParty.objects.filter(marriage=marriage).update(current=False)


def _check_free_to_marry(person: Person, day: datetime.date, actor: User) -> None:
    union = _current_union(person)
    if union is not None:
        spouse = _spouse_in(union.marriage, person)
        if spouse.death_date and spouse.death_date <= day:
            # Widowed: the union ended with the spouse's death, recorded now that it matters.
            _end_union(union.marriage, on=spouse.death_date, reason=EndReason.DEATH, actor=actor)
        else:
            raise Conflict(
                _("%(name)s is currently married according to the register.") % {"name": person.name},
                code="already_married",
            )
    marriages = Registration.objects.filter(kind=Kind.MARRIAGE, status=Status.REGISTERED, parties__person=person)
    if marriages.filter(registered_on__lte=day, ended_on__gt=day).exists():
        raise Conflict(
            _("%(name)s was married on %(day)s according to the register.") % {"name": person.name, "day": day},
            code="already_married",
        )
    if marriages.filter(registered_on__gt=day).exists():
        raise Conflict(
            _("%(name)s has a later marriage on record; an earlier one cannot be entered after it.")
            % {"name": person.name},
            code="later_record_exists",
        )


def _check_alive(person: Person, day: datetime.date) -> None:
    if person.death_date and person.death_date <= day:
        raise Conflict(_("%(name)s is recorded as deceased.") % {"name": person.name}, code="deceased")


def _household_effect(registration: Registration, *, marrying: bool, actor: User) -> HouseholdChange | None:
    """When the couple share a household and one of them heads it, the other's relationship follows the
    marriage (becomes "spouse") or the divorce (from "spouse" to "other"). Recorded, so it can be undone."""
    members = list(
        HouseholdMember.objects.select_for_update()
        .filter(person_id__in=[registration.party_a_id, registration.party_b_id])
        .order_by("id")
    )
    if len(members) != 2 or members[0].household_id != members[1].household_id:
        return None
    heads = [m for m in members if m.relationship == Relationship.HEAD]
    if len(heads) != 1:
        return None
    other = members[1] if members[0] is heads[0] else members[0]
    if marrying:
        if other.relationship == Relationship.SPOUSE:
            return None
        new = Relationship.SPOUSE
    else:
        if other.relationship != Relationship.SPOUSE:
            return None
        new = Relationship.OTHER
    change = HouseholdChange(
        registration=registration,
        household_id=other.household_id,
        person_id=other.person_id,
        old_relationship=other.relationship,
        new_relationship=new,
    )
    other.relationship = new
    with audit_context(actor, via="marriage"):
        other.save(update_fields=["relationship"])
        change.save()
    return change


# --- Marriage ---------------------------------------------------------------------------------


@transaction.atomic
def marriage_register(
    *,
    actor: User,
    party_a: Person | int,
    party_b: Person | int,
    office: str | Division | None = None,
    applied_on: datetime.date | None = None,
    declarations_signed: bool = False,
    note: str = "",
    today: datetime.date | None = None,
) -> Registration:
    """Register a marriage: both present with valid ID, of legal age on the day, neither married."""
    require_can(actor, "create", Registration)
    day = _act_date(applied_on, _today(today), field="applied_on")
    office = _office_or_error(actor, office)
    a, b = _lock_people(actor, ("party_a", party_a), ("party_b", party_b))
    if not declarations_signed:
        raise InvalidInput(
            _("Both parties sign the declarations (no spouse, no prohibited kinship, of their own will)."),
            field="declarations_signed",
        )
    _check_office_competent(office, day, [a, b])
    for person in (a, b):
        _check_alive(person, day)
    for person in (a, b):
        age = rules.age_on(person.birth_date, day)
        if age < rules.legal_age(person.sex):
            raise Conflict(
                _("%(name)s is %(age)d on %(day)s, under the legal age of %(legal)d.")
                % {"name": person.name, "age": age, "day": day.isoformat(), "legal": rules.legal_age(person.sex)},
                code="under_age",
            )
    for person in (a, b):
        _check_free_to_marry(person, day, actor)
    if a.sex == b.sex:
        raise Conflict(_("A marriage is registered between a man and a woman."), code="same_sex")
    registration = Registration(
        kind=Kind.MARRIAGE,
        party_a=a,
        party_b=b,
        office=office,
        applied_on=day,
        registered_on=day,
        certificate_number=_next_certificate_number(office.code, day.year, SERIES[Kind.MARRIAGE]),
        declarations_signed=True,
        note=(note or "").strip()[:500],
        registrar=actor,
    )
    _transition(registration, Status.REGISTERED, actor=actor, on=day, note=note)
    with audit_context(actor, via="marriage"):
        MarriageParty.objects.bulk_create(
            [MarriageParty(marriage=registration, person=a), MarriageParty(marriage=registration, person=b)]
        )
    _household_effect(registration, marrying=True, actor=actor)
    return registration


# --- Divorce ----------------------------------------------------------------------------------


def _marriage_between(a: Person, b: Person) -> Registration | None:
    union = _current_union(a)
    if union is None:
        return None
    marriage = union.marriage
    if {marriage.party_a_id, marriage.party_b_id} != {a.pk, b.pk}:
        return None
    return Registration.objects.select_for_update(of=("self",)).get(pk=marriage.pk)


def _complete_divorce(registration: Registration, *, day: datetime.date, actor: User, note: str) -> None:
    registration.registered_on = day
    registration.certificate_number = _next_certificate_number(registration.office_id, day.year, SERIES[Kind.DIVORCE])
    _transition(registration, Status.REGISTERED, actor=actor, on=day, note=note)
    _end_union(registration.marriage, on=day, reason=EndReason.DIVORCE, actor=actor)
    _household_effect(registration, marrying=False, actor=actor)


@transaction.atomic
def divorce_apply(
    *,
    actor: User,
    party_a: Person | int,
    party_b: Person | int,
    office: str | Division | None = None,
    applied_on: datetime.date | None = None,
    declarations_signed: bool = False,
    note: str = "",
    today: datetime.date | None = None,
) -> Registration:
    """A divorce by agreement. From 1 January 2021 it starts a 30-day cooling-off; before, it is registered at once."""
    require_can(actor, "create", Registration)
    today = _today(today)
    day = _act_date(applied_on, today, field="applied_on")
    office = _office_or_error(actor, office)
    a, b = _lock_people(actor, ("party_a", party_a), ("party_b", party_b))
    marriage = _marriage_between(a, b)
    if marriage is None:
        raise Conflict(
            _("%(a)s and %(b)s are not married to each other according to the register.") % {"a": a.name, "b": b.name},
            code="not_married_to_each_other",
        )
    for person in (a, b):
        if person.death_date:
            raise Conflict(_("%(name)s is recorded as deceased.") % {"name": person.name}, code="deceased")
    if day < marriage.registered_on:
        raise InvalidInput(_("The application cannot be dated before the marriage."), field="applied_on")
    if not declarations_signed:
        raise InvalidInput(
            _("Both parties sign the divorce agreement and declarations in person."), field="declarations_signed"
        )
    _check_office_competent(office, day, [a, b])
    for pending in Registration.objects.select_for_update().filter(
        kind=Kind.DIVORCE, marriage=marriage, status=Status.COOLING_OFF
    ):
        if pending.appear_by and pending.appear_by < today:
            _transition(
                pending,
                Status.LAPSED,
                actor=None,
                on=pending.appear_by + datetime.timedelta(days=1),
                note=_("The parties did not appear in time."),
            )
        else:
            raise Conflict(_("A divorce application of this couple is already in cooling-off."), code="divorce_pending")
    registration = Registration(
        kind=Kind.DIVORCE,
        party_a=a,
        party_b=b,
        office=office,
        applied_on=day,
        marriage=marriage,
        declarations_signed=True,
        note=(note or "").strip()[:500],
        registrar=actor,
    )
    if rules.cooling_off_days(day) == 0:
        _complete_divorce(registration, day=day, actor=actor, note=note)
        return registration
    registration.cooling_off_until = rules.cooling_off_ends(day)
    registration.appear_by = rules.appearance_deadline(day)
    _transition(registration, Status.COOLING_OFF, actor=actor, on=day, note=note)
    return registration


def _locked_registration(actor: User, registration: Registration | int) -> Registration:
    pk = registration.pk if isinstance(registration, Registration) else registration
    return get_in_scope(
        Registration.objects.select_for_update(of=("self",)).select_related("party_a", "party_b", "marriage"),
        actor,
        pk=pk,
    )


@transaction.atomic
def divorce_register(
    *,
    actor: User,
    registration: Registration | int,
    on: datetime.date | None = None,
    both_present: bool = False,
    note: str = "",
    today: datetime.date | None = None,
) -> Registration:
    """Complete a divorce after its cooling-off: both parties appear within the following 30 days."""
    require_can(actor, "register_divorce", Registration)
    registration = _locked_registration(actor, registration)
    require_can(actor, "register_divorce", registration)
    day = _act_date(on, _today(today), field="on")
    if day <= registration.cooling_off_until:
        raise Conflict(
            _("The cooling-off period runs until %(day)s; the divorce can be registered from the day after.")
            % {"day": registration.cooling_off_until.isoformat()},
            code="cooling_off",
        )
    if day > registration.appear_by:
        raise Conflict(
            _("The parties had to appear by %(day)s; the application has lapsed.")
            % {"day": registration.appear_by.isoformat()},
            code="application_lapsed",
        )
    if not both_present:
        raise InvalidInput(_("Both parties must appear in person."), field="both_present")
    a, b = _lock_people(actor, ("party_a", registration.party_a), ("party_b", registration.party_b))
    if _marriage_between(a, b) is None or a.death_date or b.death_date:
        raise Conflict(_("This marriage is no longer current."), code="not_married_to_each_other")
    _complete_divorce(registration, day=day, actor=actor, note=note)
    return registration


@transaction.atomic
def divorce_withdraw(
    *,
    actor: User,
    registration: Registration | int,
    party: Person | int,
    on: datetime.date | None = None,
    note: str = "",
    today: datetime.date | None = None,
) -> Registration:
    """Either party may withdraw a divorce application within the cooling-off period."""
    require_can(actor, "withdraw", Registration)
    registration = _locked_registration(actor, registration)
    require_can(actor, "withdraw", registration)
    day = _act_date(on, _today(today), field="on")
    party_id = party.pk if isinstance(party, Person) else party
    if party_id not in (registration.party_a_id, registration.party_b_id):
        raise InvalidInput(_("Only one of the two parties may withdraw the application."), field="party")
    if day < registration.applied_on:
        raise InvalidInput(_("The date is before the application."), field="on")
    if day > registration.cooling_off_until:
        raise Conflict(
            _(
                "The cooling-off period ended on %(day)s; the application lapses unless both parties "
                "appear by %(deadline)s."
            )
            % {"day": registration.cooling_off_until.isoformat(), "deadline": registration.appear_by.isoformat()},
            code="cooling_off_over",
        )
    registration.withdrawn_by_id = party_id
    _transition(registration, Status.WITHDRAWN, actor=actor, on=day, note=note)
    return registration


@transaction.atomic
def divorce_applications_lapse(*, today: datetime.date | None = None) -> int:
    """Mark as lapsed every application whose parties did not appear in time (run daily; safe to repeat)."""
    today = _today(today)
    expired = Registration.objects.select_for_update(skip_locked=True).filter(
        kind=Kind.DIVORCE, status=Status.COOLING_OFF, appear_by__lt=today
    )
    count = 0
    for registration in expired:
        _transition(
            registration,
            Status.LAPSED,
            actor=None,
            on=registration.appear_by + datetime.timedelta(days=1),
            note=_("The parties did not appear in time."),
        )
        count += 1
    return count


# --- Reissue and review -----------------------------------------------------------------------


@transaction.atomic
def certificate_reissue(
    *,
    actor: User,
    registration: Registration | int,
    party: Person | int,
    office: str | Division | None = None,
    on: datetime.date | None = None,
    note: str = "",
    today: datetime.date | None = None,
) -> Registration:
    """Reissue a lost or damaged marriage or divorce certificate to one of the parties."""
    require_can(actor, "reissue", Registration)
    registration = _locked_registration(actor, registration)
    require_can(actor, "reissue", registration)
    original = registration.original if registration.kind == Kind.REISSUE else registration
    party_id = party.pk if isinstance(party, Person) else party
    if party_id not in (original.party_a_id, original.party_b_id):
        raise InvalidInput(_("A certificate is reissued to one of the two parties."), field="party")
    day = _act_date(on, _today(today), field="on")
    office = _office_or_error(actor, office)
    other_id = original.party_b_id if party_id == original.party_a_id else original.party_a_id
    a, b = _lock_people(actor, ("party", party_id), ("party_b", other_id))
    _check_office_competent(office, day, [a, b], extra=original.office_id)
    reissue = Registration(
        kind=Kind.REISSUE,
        party_a=a,
        party_b=b,
        office=office,
        applied_on=day,
        registered_on=day,
        original=original,
        certificate_number=_next_certificate_number(office.code, day.year, REISSUE_SERIES[original.kind]),
        note=(note or "").strip()[:500],
        registrar=actor,
    )
    _transition(reissue, Status.REGISTERED, actor=actor, on=day, note=note)
    return reissue


@transaction.atomic
def registration_review(
    *, actor: User, registration: Registration | int, passed: bool, reason: str = ""
) -> Registration:
    """Quality review of a record: pass, or fail with the reason. Not by the registrar who made it."""
    require_can(actor, "review", Registration)
    registration = _locked_registration(actor, registration)
    require_can(actor, "review", registration)
    reason = (reason or "").strip()
    if not passed and not reason:
        raise InvalidInput(_("Give the reason the record fails review."), field="reason")
    registration.review_status = ReviewStatus.PASSED if passed else ReviewStatus.FAILED
    registration.review_reason = reason[:500]
    registration.reviewed_by = actor
    registration.reviewed_at = timezone.now()
    with audit_context(actor, via="marriage"):
        registration.save(update_fields=["review_status", "review_reason", "reviewed_by", "reviewed_at", "updated_at"])
    return registration


@transaction.atomic
def household_change_revert(*, actor: User, change: HouseholdChange | int, reason: str) -> HouseholdChange:
    """Undo the household update a marriage or divorce made, if nothing has changed it since."""
    require_can(actor, "revert", HouseholdChange)
    pk = change.pk if isinstance(change, HouseholdChange) else change
    change = get_in_scope(HouseholdChange.objects.select_for_update(of=("self",)), actor, pk=pk)
    require_can(actor, "revert", change)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for reverting."), field="reason")
    member = (
        HouseholdMember.objects.select_for_update()
        .filter(household_id=change.household_id, person_id=change.person_id)
        .first()
    )
    if member is None or member.relationship != change.new_relationship:
        raise Conflict(
            _("The household record has changed since; correct it on the household page."),
            code="household_changed",
        )
    member.relationship = change.old_relationship
    change.status = HouseholdChangeStatus.REVERTED
    change.reverted_by = actor
    change.reverted_at = timezone.now()
    change.revert_reason = reason[:300]
    with audit_context(actor, via="marriage"):
        member.save(update_fields=["relationship"])
        change.save()
    return change


# --- Offices and appointments -----------------------------------------------------------------


def office_for_division(division: Division) -> Office:
    """The office of a district, made with defaults the first time it is needed."""
    office, _created = Office.objects.get_or_create(division=division, defaults={"name": Office.default_name(division)})
    return office


def _configurable_office(actor: User, office: str | Division) -> Office:
    code = office.code if isinstance(office, Division) else str(office or "").strip()
    division = Division.objects.filter(code=code, level=DivisionLevel.DISTRICT, active=True).first()
    if division is None:
        raise InvalidInput(_("No registry office has the district code %(code)s.") % {"code": code}, field="office")
    record = Office.objects.filter(pk=division.code).first() or Office(
        division=division, name=Office.default_name(division)
    )
    require_can(actor, "configure", record)
    return office_for_division(division)


@transaction.atomic
def office_update(
    *,
    actor: User,
    office: str | Division,
    name: str | None = None,
    address: str | None = None,
    daily_capacity: int | None = None,
    open_weekends: bool | None = None,
) -> Office:
    require_can(actor, "configure", Office)
    record = _configurable_office(actor, office)
    record = Office.objects.select_for_update().get(pk=record.pk)
    if name is not None:
        if not name.strip():
            raise InvalidInput(_("Please enter the name."), field="name")
        record.name = name.strip()[:60]
    if address is not None:
        record.address = address.strip()[:200]
    if daily_capacity is not None:
        if not 0 <= daily_capacity <= MAX_DAILY_CAPACITY:
            raise InvalidInput(
                _("Between 0 and %(max)d appointments a day.") % {"max": MAX_DAILY_CAPACITY}, field="daily_capacity"
            )
        record.daily_capacity = daily_capacity
    if open_weekends is not None:
        record.open_weekends = open_weekends
    with audit_context(actor, via="marriage"):
        record.save()
    return record


@transaction.atomic
def capacity_override_set(
    *, actor: User, office: str | Division, date: datetime.date, capacity: int, reason: str = ""
) -> CapacityOverride:
    """Set a day's capacity (0 closes the office that day). Bookings already made are kept."""
    require_can(actor, "configure", Office)
    record = _configurable_office(actor, office)
    if not 0 <= capacity <= MAX_DAILY_CAPACITY:
        raise InvalidInput(
            _("Between 0 and %(max)d appointments a day.") % {"max": MAX_DAILY_CAPACITY}, field="capacity"
        )
    with audit_context(actor, via="marriage"):
        override, _created = CapacityOverride.objects.update_or_create(
            office=record, date=date, defaults={"capacity": capacity, "reason": (reason or "").strip()[:100]}
        )
    return override


def capacity_on(office: Office, day: datetime.date) -> int:
    """A day's capacity: the day's own setting, else the office's daily capacity (none at weekends unless open)."""
    override = None
    if not office._state.adding:
        override = CapacityOverride.objects.filter(office=office, date=day).first()
    if override is not None:
        return override.capacity
    if day.weekday() >= 5 and not office.open_weekends:
        return 0
    return office.daily_capacity


def _check_booking_date(date: datetime.date, today: datetime.date) -> None:
    """The booking window: today up to ``BOOKING_HORIZON_DAYS`` ahead, for the counter and online alike."""
    if date < today:
        raise InvalidInput(_("Appointments are for today or a later day."), field="date")
    if date > today + datetime.timedelta(days=BOOKING_HORIZON_DAYS):
        raise InvalidInput(_("Appointments open %(days)d days ahead.") % {"days": BOOKING_HORIZON_DAYS}, field="date")


def _take_place(office: Division, date: datetime.date) -> Office:
    """Lock the office's row and check the day has a place left; return the locked office.

    Every booking (a registrar's at the counter, a resident's online) passes here inside its
    transaction, so two bookings for the last place are serialised and the second is refused.
    """
    record = office_for_division(office)
    record = Office.objects.select_for_update().get(pk=record.pk)
    capacity = capacity_on(record, date)
    if capacity == 0:
        raise Conflict(_("The office is closed on %(day)s.") % {"day": date.isoformat()}, code="office_closed")
    booked = Appointment.objects.filter(office=record, date=date, status=AppointmentStatus.BOOKED).count()
    if booked >= capacity:
        raise Conflict(
            _("%(day)s is fully booked (%(capacity)d appointments).") % {"day": date.isoformat(), "capacity": capacity},
            code="fully_booked",
        )
    return record


@transaction.atomic
def appointment_book(
    *,
    actor: User,
    office: str | Division | None,
    date: datetime.date,
    kind: str,
    name_a: str,
    phone: str,
    name_b: str = "",
    today: datetime.date | None = None,
) -> Appointment:
    """Book a slot at the counter. The office row is locked while the day's bookings are counted."""
    require_can(actor, "book", Appointment)
    today = _today(today)
    if kind not in Kind.values:
        raise InvalidInput(_("Choose marriage, divorce or reissue."), field="kind")
    name_a, name_b = (name_a or "").strip(), (name_b or "").strip()
    if not name_a:
        raise InvalidInput(_("Please enter the name."), field="name_a")
    if kind != Kind.REISSUE and not name_b:
        raise InvalidInput(_("Both parties' names are needed for this appointment."), field="name_b")
    phone = (phone or "").replace(" ", "").replace("-", "")
    if not (phone.isascii() and phone.isdigit()) or not 7 <= len(phone) <= 20:
        raise InvalidInput(_("A phone number has 7 to 20 digits."), field="phone")
    if len(name_a) > 50 or len(name_b) > 50:
        raise InvalidInput(_("At most 50 characters."), field="name_a" if len(name_a) > 50 else "name_b")
    _check_booking_date(date, today)
    record = _take_place(_office_or_error(actor, office), date)
    with audit_context(actor, via="marriage"):
        return Appointment.objects.create(
            office=record, date=date, kind=kind, name_a=name_a, name_b=name_b, phone=phone, booked_by=actor
        )


def _cancel(appointment: Appointment, *, actor: User | None, reason: str, today: datetime.date | None) -> Appointment:
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(_("This appointment is already cancelled."), code="invalid_transition")
    if appointment.date < _today(today):
        raise Conflict(_("A past appointment cannot be cancelled."), code="appointment_past")
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_by = actor
    appointment.cancelled_at = timezone.now()
    appointment.cancel_reason = (reason or "").strip()[:200]
    appointment.save()
    return appointment


@transaction.atomic
def appointment_cancel(
    *, actor: User, appointment: Appointment | int, reason: str = "", today: datetime.date | None = None
) -> Appointment:
    require_can(actor, "cancel", Appointment)
    pk = appointment.pk if isinstance(appointment, Appointment) else appointment
    appointment = get_in_scope(Appointment.objects.select_for_update(), actor, pk=pk)
    with audit_context(actor, via="marriage"):
        return _cancel(appointment, actor=actor, reason=reason, today=today)


# --- Online bookings by residents -------------------------------------------------------------

ONLINE_KINDS = (Kind.MARRIAGE, Kind.DIVORCE)


def _party_number(value: str, field: str, today: datetime.date) -> ResidentId:
    try:
        return parse_id_number(value, today=today)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field=field) from None


def _check_online_parties(kind: str, a: ResidentId, b: ResidentId, date: datetime.date) -> None:
    """What the ID numbers alone tell, judged by the register's own rules (nothing is looked up)."""
    if a.number == b.number:
        raise InvalidInput(_("The two parties must be two different people."), field="party_b_id_number")
    if kind != Kind.MARRIAGE:
        return
    if a.sex == b.sex:
        raise Conflict(_("A marriage is registered between a man and a woman."), code="same_sex")
    for party in (a, b):
        age = rules.age_on(party.birth_date, date)
        if age < rules.legal_age(party.sex):
            raise Conflict(
                _("The party with ID number %(number)s is %(age)d on %(day)s, under the legal age of %(legal)d.")
                % {
                    "number": mask_id_number(party.number),
                    "age": age,
                    "day": date.isoformat(),
                    "legal": rules.legal_age(party.sex),
                },
                code="under_age",
            )


def _lock_numbers(*numbers: str) -> None:
    """Serialise bookings naming the same person (whatever the office): a transaction-scoped advisory lock."""
    with connection.cursor() as cursor:
        for number in sorted(set(numbers)):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"marriage.appointment:{number}"])


def _open_booking_of(numbers: list[str], today: datetime.date) -> Appointment | None:
    return (
        Appointment.objects.filter(status=AppointmentStatus.BOOKED, date__gte=today)
        .filter(Q(party_a_id_number__in=numbers) | Q(party_b_id_number__in=numbers))
        .select_related("office")
        .first()
    )


@transaction.atomic
def online_appointment_book(
    *,
    resident,
    office: str,
    date: datetime.date,
    kind: str,
    party_a_id_number: str,
    party_b_id_number: str,
    name_a: str = "",
    name_b: str = "",
    today: datetime.date | None = None,
) -> Appointment:
    """A resident books a marriage or divorce registration at any office of the city (全城通办).

    The same daily capacity as the counter's bookings (``_take_place``); a person has one open
    booking at a time, whoever books it.
    """
    today = _today(today)
    if kind not in ONLINE_KINDS:
        raise InvalidInput(_("Choose marriage or divorce."), field="kind")
    _check_booking_date(date, today)
    a = _party_number(party_a_id_number, "party_a_id_number", today)
    b = _party_number(party_b_id_number, "party_b_id_number", today)
    _check_online_parties(kind, a, b, date)
    name_a, name_b = (name_a or "").strip(), (name_b or "").strip()
    if len(name_a) > 50 or len(name_b) > 50:
        raise InvalidInput(_("At most 50 characters."), field="name_a" if len(name_a) > 50 else "name_b")
    code = str(office or "").strip()
    division = Division.objects.filter(code=code, level=DivisionLevel.DISTRICT, active=True).first()
    if division is None:
        raise InvalidInput(_("Choose a registry office of the city."), field="office")
    _lock_numbers(a.number, b.number)
    existing = _open_booking_of([a.number, b.number], today)
    if existing is not None:
        raise Conflict(
            _("One of the parties already has an appointment on %(day)s at %(office)s; cancel it first.")
            % {"day": existing.date.isoformat(), "office": existing.office.name},
            code="already_booked",
        )
    record = _take_place(division, date)
    with audit_context(None, via="public", resident=resident.pk):
        return Appointment.objects.create(
            office=record,
            date=date,
            kind=kind,
            name_a=name_a,
            name_b=name_b,
            party_a_id_number=a.number,
            party_b_id_number=b.number,
            phone=resident.phone,
            resident=resident,
        )


@transaction.atomic
def online_appointment_cancel(
    *, resident, appointment: Appointment | int, reason: str = "", today: datetime.date | None = None
) -> Appointment:
    """A resident cancels their own booking (another's is not found)."""
    pk = appointment.pk if isinstance(appointment, Appointment) else appointment
    appointment = Appointment.objects.select_for_update().filter(pk=pk, resident=resident).first()
    if appointment is None:
        raise NotFound()
    with audit_context(None, via="public", resident=resident.pk):
        return _cancel(appointment, actor=None, reason=reason, today=today)
