"""Every write to people and households. Keyword-only, one transaction, the actor named."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.audit import audit_context
from core.cases import PERSON_DIED, CaseEvent, clean_note, local_today, run_consequences
from core.errors import Conflict, InvalidInput, NotFound
from core.idnumbers import parse_id_number
from core.models import Division, DivisionLevel, User
from core.money import parse_money
from core.permissions import require_can
from core.scoping import division_in_scope, get_in_scope
from core.services import reveal_record
from people.models import AreaType, Household, HouseholdMeans, HouseholdMember, MeansOccasion, Person, Relationship


def _id_number_or_error(id_number: str):
    try:
        return parse_id_number(id_number)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], code="invalid_id_number", field="id_number") from None


def _check_lengths(**values: tuple[str, int]) -> None:
    for field, (value, limit) in values.items():
        if value is not None and len(value) > limit:
            raise InvalidInput(
                _("At most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": len(value)},
                field=field,
            )


@transaction.atomic
def person_create(
    *, actor: User, id_number: str, name: str, phone: str = "", division: Division | None = None
) -> Person:
    """Register a person. Their geography is ``division`` (default: the actor's own)."""
    require_can(actor, "create", Person)
    resident = _id_number_or_error(id_number)
    name = (name or "").strip()
    phone = (phone or "").strip()
    if not name:
        raise InvalidInput(_("Please enter the name."), field="name")
    _check_lengths(name=(name, 50), phone=(phone, 20))
    division = division or actor.division
    if not division_in_scope(actor, division.code):
        raise InvalidInput(_("This division is outside your area."), field="division")
    if Person.objects.filter(id_number=resident.number).exists():
        raise Conflict(_("A person with this ID number is already registered."), code="duplicate_id_number")
    try:
        with transaction.atomic(), audit_context(actor):
            return Person.objects.create(
                id_number=resident.number,
                name=name,
                phone=phone,
                sex=resident.sex,
                birth_date=resident.birth_date,
                division=division,
                created_by=actor,
            )
    except IntegrityError:
        # Two registrations of the same number raced; the unique index decided.
        raise Conflict(_("A person with this ID number is already registered."), code="duplicate_id_number") from None


@transaction.atomic
def person_update(*, actor: User, person: Person, name: str | None = None, phone: str | None = None) -> Person:
    require_can(actor, "edit", Person)
    person = get_in_scope(Person.objects.select_for_update(), actor, pk=person.pk)
    if name is not None:
        name = name.strip()
        if not name:
            raise InvalidInput(_("Please enter the name."), field="name")
        person.name = name
    if phone is not None:
        person.phone = phone.strip()
    _check_lengths(name=(person.name, 50), phone=(person.phone, 20))
    with audit_context(actor):
        person.save(update_fields=["name", "phone", "updated_at"])
    return person


@dataclass(frozen=True)
class DeathRecorded:
    person: Person
    events: list[CaseEvent]  # what it changed in the person's benefits (each with its reason)


@transaction.atomic
def person_record_death(
    *, actor: User, person: Person, death_date: datetime.date | str, note: str = ""
) -> DeathRecorded:
    """Record that a person died on ``death_date``; every benefit of theirs stops from the month after.

    The date is kept in the person's history with the actor; the benefits' services react
    in this transaction (``core.cases.CONSEQUENCES[PERSON_DIED]``: dibao and tekun, then
    the orphans' allowance and the disability subsidies), each change on its case's
    timeline with the reason. A death already recorded is a 409 (``already_deceased``).
    """
    require_can(actor, "record_death", Person)
    person = get_in_scope(Person.objects.select_for_update(), actor, pk=person.pk)
    require_can(actor, "record_death", person)  # 409 already_deceased
    if isinstance(death_date, datetime.datetime):
        death_date = death_date.date()
    if not isinstance(death_date, datetime.date):
        try:
            death_date = datetime.date.fromisoformat(str(death_date or "").strip())
        except ValueError:
            raise InvalidInput(_("Give a date as YYYY-MM-DD."), field="death_date") from None
    if death_date > local_today():
        raise InvalidInput(_("This date is in the future."), field="death_date")
    if death_date < person.birth_date:
        raise InvalidInput(_("The date of death cannot come before the birth date."), field="death_date")
    note = clean_note(note)
    person.death_date = death_date
    with audit_context(actor, action="record_death", note=note[:200]):
        person.save(update_fields=["death_date", "updated_at"])
    events = run_consequences(PERSON_DIED, person=person, death_date=death_date, actor=actor, note=note)
    return DeathRecorded(person=person, events=events)


@transaction.atomic
def person_reveal_id_number(*, actor: User, person: Person, reason: str = "", ip_address: str | None = None) -> str:
    """The full ID number, for roles that need it; every reveal is logged with its reason.

    The reason is required here, so the browser form and the API cannot disagree (a blank one is
    a 400 on ``reason``)."""
    require_can(actor, "reveal", Person)
    person = get_in_scope(Person.objects.all(), actor, pk=person.pk)
    reveal_record(
        actor=actor,
        record=person,
        field="id_number",
        reason=reason,
        ip_address=ip_address,
        message=_("Give a reason to show the full ID number."),
    )
    return person.id_number


@dataclass(frozen=True)
class MemberSpec:
    person: Person
    relationship: str


def _community_or_error(actor: User, community: Division | str) -> Division:
    code = community.code if isinstance(community, Division) else str(community or "")
    division = Division.objects.filter(code=code, level=DivisionLevel.COMMUNITY, active=True).first()
    if division is None or not division_in_scope(actor, division.code):
        raise InvalidInput(_("Choose a community inside your area."), code="invalid_community", field="community")
    return division


def _validate_members(actor: User, head: Person, members: Sequence[MemberSpec], *, household=None) -> None:
    if not members:
        raise InvalidInput(_("A household needs at least one member, its head."), field="members")
    seen = set()
    for member in members:
        if member.relationship not in Relationship.values:
            raise InvalidInput(_("Unknown relationship %(value)s.") % {"value": member.relationship}, field="members")
        if member.person.pk in seen:
            raise InvalidInput(_("%(name)s is listed twice.") % {"name": member.person.name}, field="members")
        seen.add(member.person.pk)
        # A person outside the actor's geography is "not found", as everywhere else.
        try:
            get_in_scope(Person.objects.all(), actor, pk=member.person.pk)
        except NotFound:
            raise InvalidInput(_("Person not found."), field="members") from None
    heads = [m for m in members if m.relationship == Relationship.HEAD]
    if len(heads) != 1:
        raise InvalidInput(_("Exactly one member must be the head of household."), field="members")
    if heads[0].person.pk != head.pk:
        raise InvalidInput(_("The head must be the member whose relationship is 'head'."), field="head")
    taken = HouseholdMember.objects.filter(person__in=[m.person.pk for m in members])
    if household is not None:
        taken = taken.exclude(household=household)
    taken = taken.select_related("person").first()
    if taken is not None:
        raise Conflict(
            _("%(name)s already belongs to another household.") % {"name": taken.person.name},
            code="already_in_household",
        )


@transaction.atomic
def household_create(
    *,
    actor: User,
    community: Division | str,
    address: str,
    area_type: str,
    head: Person,
    members: Sequence[MemberSpec],
    bank_name: str = "",
    bank_account: str = "",
) -> Household:
    """Register a household with all its members (the head too). All or nothing."""
    require_can(actor, "create", Household)
    community = _community_or_error(actor, community)
    address = (address or "").strip()
    if not address:
        raise InvalidInput(_("Please enter the address."), field="address")
    if area_type not in AreaType.values:
        raise InvalidInput(_("Choose urban or rural."), field="area_type")
    bank_account = (bank_account or "").replace(" ", "")
    if bank_account and not (bank_account.isascii() and bank_account.isdigit()):
        raise InvalidInput(_("A bank account number has digits only."), field="bank_account")
    _check_lengths(address=(address, 200), bank_name=(bank_name, 60), bank_account=(bank_account, 32))
    _validate_members(actor, head, members)
    try:
        with transaction.atomic(), audit_context(actor):
            household = Household.objects.create(
                community=community,
                address=address,
                area_type=area_type,
                head=head,
                bank_name=bank_name.strip(),
                bank_account=bank_account,
                created_by=actor,
            )
            HouseholdMember.objects.bulk_create(
                [HouseholdMember(household=household, person=m.person, relationship=m.relationship) for m in members]
            )
            Person.objects.filter(pk__in=[m.person.pk for m in members]).update(division=community)
    except IntegrityError:
        raise Conflict(_("A member already belongs to another household."), code="already_in_household") from None
    return household


@transaction.atomic
def household_update(
    *,
    actor: User,
    household: Household,
    address: str | None = None,
    area_type: str | None = None,
    bank_name: str | None = None,
    bank_account: str | None = None,
) -> Household:
    require_can(actor, "edit", Household)
    household = get_in_scope(Household.objects.select_for_update(), actor, pk=household.pk)
    if address is not None:
        if not address.strip():
            raise InvalidInput(_("Please enter the address."), field="address")
        household.address = address.strip()
    if area_type is not None:
        if area_type not in AreaType.values:
            raise InvalidInput(_("Choose urban or rural."), field="area_type")
        household.area_type = area_type
    if bank_name is not None:
        household.bank_name = bank_name.strip()
    if bank_account is not None:
        bank_account = bank_account.replace(" ", "")
        if bank_account and not (bank_account.isascii() and bank_account.isdigit()):
            raise InvalidInput(_("A bank account number has digits only."), field="bank_account")
        household.bank_account = bank_account
    _check_lengths(
        address=(household.address, 200), bank_name=(household.bank_name, 60), bank_account=(household.bank_account, 32)
    )
    with audit_context(actor):
        household.save()
    return household


@transaction.atomic
def household_add_member(*, actor: User, household: Household, person: Person, relationship: str) -> HouseholdMember:
    require_can(actor, "add_member", Household)
    household = get_in_scope(Household.objects.select_for_update(), actor, pk=household.pk)
    if relationship == Relationship.HEAD:
        raise InvalidInput(_("The household already has a head."), field="relationship")
    if relationship not in Relationship.values:
        raise InvalidInput(_("Unknown relationship %(value)s.") % {"value": relationship}, field="relationship")
    try:
        person = get_in_scope(Person.objects.all(), actor, pk=person.pk)
    except NotFound:
        raise InvalidInput(_("Person not found."), field="person") from None
    if HouseholdMember.objects.filter(person=person).exists():
        raise Conflict(
            _("%(name)s already belongs to another household.") % {"name": person.name}, code="already_in_household"
        )
    try:
        with transaction.atomic(), audit_context(actor):
            member = HouseholdMember.objects.create(household=household, person=person, relationship=relationship)
            Person.objects.filter(pk=person.pk).update(division=household.community)
    except IntegrityError:
        raise Conflict(
            _("%(name)s already belongs to another household.") % {"name": person.name}, code="already_in_household"
        ) from None
    return member


@transaction.atomic
def household_remove_member(*, actor: User, member: HouseholdMember) -> None:
    require_can(actor, "remove", HouseholdMember)
    member = get_in_scope(HouseholdMember.objects.select_for_update(), actor, pk=member.pk)
    require_can(actor, "remove", member)  # 409 head_required
    with audit_context(actor):
        member.delete()


@dataclass(frozen=True)
class MemberRow:
    """A member as a caseworker types it: ID number, name, relationship."""

    id_number: str
    name: str
    relationship: str


@transaction.atomic
def household_register(
    *,
    actor: User,
    community: Division | str,
    address: str,
    area_type: str,
    rows: Sequence[MemberRow],
    bank_name: str = "",
    bank_account: str = "",
) -> Household:
    """Register a household from typed rows: people already registered (in the actor's area)
    are reused, new ones registered under the household's community. All or nothing."""
    community = _community_or_error(actor, community)
    members: list[MemberSpec] = []
    for index, row in enumerate(rows):
        resident = _id_number_or_error(row.id_number)
        existing = Person.objects.filter(id_number=resident.number).first()
        if existing is not None:
            try:
                existing = get_in_scope(Person.objects.all(), actor, pk=existing.pk)
            except NotFound:
                raise Conflict(
                    _("Member %(n)d: a person with this ID number is already registered.") % {"n": index + 1},
                    code="duplicate_id_number",
                ) from None
            if existing.name != row.name.strip():
                raise InvalidInput(
                    _("Member %(n)d: this ID number is registered under the name %(name)s.")
                    % {"n": index + 1, "name": existing.name},
                    field="members",
                )
            person = existing
        else:
            person = person_create(actor=actor, id_number=resident.number, name=row.name, division=community)
        members.append(MemberSpec(person=person, relationship=row.relationship))
    heads = [m.person for m in members if m.relationship == Relationship.HEAD]
    if len(heads) != 1:
        raise InvalidInput(_("Exactly one member must be the head of household."), field="members")
    return household_create(
        actor=actor,
        community=community,
        address=address,
        area_type=area_type,
        head=heads[0],
        members=members,
        bank_name=bank_name,
        bank_account=bank_account,
    )


@transaction.atomic
def household_add_member_by_row(*, actor: User, household: Household, row: MemberRow) -> HouseholdMember:
    """Add a member typed as a row: reuse the person if registered in the actor's area, else register them."""
    resident = _id_number_or_error(row.id_number)
    existing = Person.objects.filter(id_number=resident.number).first()
    if existing is None:
        person = person_create(actor=actor, id_number=resident.number, name=row.name, division=household.community)
    else:
        try:
            person = get_in_scope(Person.objects.all(), actor, pk=existing.pk)
        except NotFound:
            raise Conflict(
                _("A person with this ID number is already registered."), code="duplicate_id_number"
            ) from None
        if person.name != row.name.strip():
            raise InvalidInput(
                _("This ID number is registered under the name %(name)s.") % {"name": person.name}, field="name"
            )
    return household_add_member(actor=actor, household=household, person=person, relationship=row.relationship)


# --- Household means (家庭经济状况) ----------------------------------------------------------------

MEANS_NOTE_MAX = 500


@transaction.atomic
def household_means_record(
    *,
    actor: User,
    household: Household,
    monthly_income,
    as_of: datetime.date | str | None = None,
    occasion: str = MeansOccasion.VISIT,
    note: str = "",
) -> HouseholdMeans:
    """Record a household's total monthly income as found out on ``as_of`` (default today).

    Outside any case (a visit, an earlier refused application, an online application, an import)
    or for one (a dibao application records its income the same way). The latest record is the
    household's; a correction is a new record. ``as_of`` cannot lie in the future.
    """
    require_can(actor, "record_means", Household)
    household = get_in_scope(Household.objects.all(), actor, pk=household.pk)
    income = parse_money(monthly_income, field="monthly_income", label=_("The monthly income"))
    if as_of in (None, ""):
        day = local_today()
    elif isinstance(as_of, datetime.date):
        day = as_of
    else:
        try:
            day = datetime.date.fromisoformat(str(as_of).strip())
        except ValueError:
            raise InvalidInput(_("Give a date as YYYY-MM-DD."), field="as_of") from None
    if day > local_today():
        raise InvalidInput(_("This date is in the future."), field="as_of")
    if occasion not in MeansOccasion.values:
        raise InvalidInput(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(MeansOccasion.values)}, field="occasion"
        )
    note = (note or "").strip()
    _check_lengths(note=(note, MEANS_NOTE_MAX))
    with audit_context(actor, action="record_means"):
        return HouseholdMeans.objects.create(
            household=household, monthly_income=income, as_of=day, occasion=occasion, note=note, recorded_by=actor
        )
