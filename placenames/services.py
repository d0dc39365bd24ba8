"""Every write to the gazetteer, the unnamed-road inventory and naming applications."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_context
from core.errors import Conflict, InvalidInput, NotFound
from core.models import Division, DivisionLevel, User
from core.permissions import require_can
from core.scoping import division_in_scope, get_in_scope
from placenames import naming
from placenames.models import (
    ApplicationStatus,
    ApplicationTransition,
    BannedWord,
    NamingApplication,
    Road,
    RoadType,
    UnnamedRoad,
    UnnamedRoadStatus,
)

S = ApplicationStatus
# The one map of allowed moves of a naming application.
TRANSITIONS: dict[str, frozenset[str]] = {
    "": frozenset({S.PROPOSED}),
    S.PROPOSED: frozenset({S.CHECKED, S.REJECTED, S.WITHDRAWN}),
    S.CHECKED: frozenset({S.EXPERT_REVIEW, S.REJECTED, S.WITHDRAWN}),
    S.EXPERT_REVIEW: frozenset({S.PUBLIC_NOTICE, S.REJECTED, S.WITHDRAWN}),
    S.PUBLIC_NOTICE: frozenset({S.APPROVED, S.REJECTED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.PUBLISHED}),
    S.PUBLISHED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _district_or_error(actor: User, code: str | Division | None, *, field: str = "district") -> Division:
    code = code.code if isinstance(code, Division) else str(code or "").strip()
    if not code and len(actor.division_id or "") == 6 and not actor.division_id.endswith("00"):
        code = actor.division_id
    district = Division.objects.filter(code=code, level=DivisionLevel.DISTRICT, active=True).first() if code else None
    if district is None or not division_in_scope(actor, district.code):
        raise InvalidInput(_("Choose a district inside your area."), field=field)
    return district


def _text(value: str | None, limit: int, field: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput(
            _("At most %(limit)d characters (this has %(count)d).") % {"limit": limit, "count": len(value)},
            field=field,
        )
    return value


def _road_type(value: str) -> str:
    if value not in RoadType.values:
        raise InvalidInput(_("Choose the type of road."), field="road_type")
    return value


def _length(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= 500_000:
        raise InvalidInput(_("A length between 1 m and 500 km."), field="length_m")
    return value


# --- The gazetteer ---------------------------------------------------------------------------


@transaction.atomic
def road_create(
    *,
    actor: User,
    name: str,
    district: str | Division | None,
    road_type: str = RoadType.ROAD,
    start_point: str = "",
    end_point: str = "",
    length_m: int | None = None,
    approved_on: datetime.date | None = None,
    meaning: str = "",
    today: datetime.date | None = None,
) -> tuple[Road, list[dict]]:
    """Enter a named road in the gazetteer (an existing road being recorded). Returns it with any warnings."""
    require_can(actor, "create", Road)
    district = _district_or_error(actor, district)
    # An existing road being recorded: its name may predate today's banned-word list.
    check = naming.check_name(name, field_name="name", check_banned=False)
    if approved_on and approved_on > _today(today):
        raise InvalidInput(_("The date cannot be in the future."), field="approved_on")
    road = Road(
        name=check.name,
        pinyin=check.pinyin,
        pinyin_key=check.pinyin_key,
        district=district,
        road_type=_road_type(road_type),
        start_point=_text(start_point, 100, "start_point"),
        end_point=_text(end_point, 100, "end_point"),
        length_m=_length(length_m),
        approved_on=approved_on,
        meaning=_text(meaning, 500, "meaning"),
        created_by=actor,
    )
    _save_road(road, actor)
    return road, check.warnings


def _save_road(road: Road, actor: User) -> None:
    try:
        with transaction.atomic(), audit_context(actor, via="placenames"):
            road.save()
    except IntegrityError:
        # Another publication or entry of the same name won the race; the unique index decided.
        raise Conflict(
            _("%(name)s is already a road in the gazetteer.") % {"name": road.name}, code="name_taken"
        ) from None


@transaction.atomic
def road_update(
    *,
    actor: User,
    road: Road | int,
    start_point: str | None = None,
    end_point: str | None = None,
    length_m: int | None = None,
    road_type: str | None = None,
    meaning: str | None = None,
) -> Road:
    """Correct a road's description. The name itself changes only through a naming application."""
    require_can(actor, "edit", Road)
    road = get_in_scope(Road.objects.select_for_update(), actor, pk=road.pk if isinstance(road, Road) else road)
    if start_point is not None:
        road.start_point = _text(start_point, 100, "start_point")
    if end_point is not None:
        road.end_point = _text(end_point, 100, "end_point")
    if length_m is not None:
        road.length_m = _length(length_m)
    if road_type is not None:
        road.road_type = _road_type(road_type)
    if meaning is not None:
        road.meaning = _text(meaning, 500, "meaning")
    with audit_context(actor, via="placenames"):
        road.save()
    return road


# --- Unnamed roads ---------------------------------------------------------------------------


@transaction.atomic
def unnamed_road_create(
    *,
    actor: User,
    location: str,
    district: str | Division | None,
    found_on: datetime.date | None = None,
    subdistrict: str | Division | None = None,
    length_m: int | None = None,
    description: str = "",
    today: datetime.date | None = None,
) -> UnnamedRoad:
    """Record a road found without a name in a survey."""
    require_can(actor, "create", UnnamedRoad)
    district = _district_or_error(actor, district)
    location = _text(location, 200, "location")
    if not location:
        raise InvalidInput(_("Describe where the road is."), field="location")
    found_on = found_on or _today(today)
    if found_on > _today(today):
        raise InvalidInput(_("The date cannot be in the future."), field="found_on")
    sub = None
    if subdistrict:
        code = subdistrict.code if isinstance(subdistrict, Division) else str(subdistrict)
        sub = Division.objects.filter(code=code, level=DivisionLevel.SUBDISTRICT, parent=district).first()
        if sub is None:
            raise InvalidInput(_("Choose a sub-district of the district."), field="subdistrict")
    with audit_context(actor, via="placenames"):
        return UnnamedRoad.objects.create(
            location=location,
            district=district,
            subdistrict=sub,
            found_on=found_on,
            length_m=_length(length_m),
            description=_text(description, 500, "description"),
            created_by=actor,
        )


@transaction.atomic
def unnamed_road_remove(
    *, actor: User, road: UnnamedRoad | int, note: str = "", today: datetime.date | None = None
) -> UnnamedRoad:
    """Close an unnamed road that no longer needs a name (demolished, merged into another, private)."""
    require_can(actor, "remove", UnnamedRoad)
    pk = road.pk if isinstance(road, UnnamedRoad) else road
    road = get_in_scope(UnnamedRoad.objects.select_for_update(), actor, pk=pk)
    if road.status != UnnamedRoadStatus.UNNAMED:
        raise Conflict(_("Only a road awaiting a name can be closed this way."), code="invalid_transition")
    road.status = UnnamedRoadStatus.REMOVED
    road.closed_on = _today(today)
    if note:
        road.description = _text(f"{road.description} {note}".strip(), 500, "note")
    with audit_context(actor, via="placenames"):
        road.save()
    return road


# --- Naming applications ---------------------------------------------------------------------


def _check_transition(application: NamingApplication, to_status: str) -> None:
    from_status = application.status or ""
    if to_status not in TRANSITIONS.get(from_status, frozenset()):
        raise Conflict(
            _("An application that is %(status)s cannot become %(to)s.")
            % {
                "status": application.get_status_display() if from_status else "—",
                "to": ApplicationStatus(to_status).label,
            },
            code="invalid_transition",
        )


def _transition(application: NamingApplication, to_status: str, *, actor: User, note: str = "") -> None:
    """Move the application (saving it) and record the event in the same transaction, or refuse."""
    from_status = application.status or ""
    _check_transition(application, to_status)
    application.status = to_status
    with audit_context(actor, via="placenames"):
        application.save()
        ApplicationTransition.objects.create(
            application=application, from_status=from_status, to_status=to_status, actor=actor, note=note[:1000]
        )


def _locked_application(actor: User, application: NamingApplication | int) -> NamingApplication:
    pk = application.pk if isinstance(application, NamingApplication) else application
    return get_in_scope(NamingApplication.objects.select_for_update(of=("self",)), actor, pk=pk)


@transaction.atomic
def application_create(
    *,
    actor: User,
    proposed_name: str,
    district: str | Division | None,
    road_type: str = RoadType.ROAD,
    unnamed_road: UnnamedRoad | int | None = None,
    start_point: str = "",
    end_point: str = "",
    length_m: int | None = None,
    meaning: str = "",
    applicant: str = "",
    note: str = "",
) -> NamingApplication:
    """Propose a name. Refused outright if taken, banned or malformed; homophones are accepted with warnings."""
    require_can(actor, "create", NamingApplication)
    district = _district_or_error(actor, district)
    check = naming.check_name(proposed_name, field_name="proposed_name")
    road = None
    if unnamed_road:
        pk = unnamed_road.pk if isinstance(unnamed_road, UnnamedRoad) else unnamed_road
        try:
            road = get_in_scope(UnnamedRoad.objects.select_for_update(), actor, pk=pk)
        except NotFound:
            raise InvalidInput(_("Unnamed road not found."), field="unnamed_road") from None
        if road.district_id != district.code:
            raise InvalidInput(_("The unnamed road lies in another district."), field="unnamed_road")
        if road.status != UnnamedRoadStatus.UNNAMED:
            raise Conflict(_("This road already has a naming application or is closed."), code="unnamed_road_not_open")
    application = NamingApplication(
        proposed_name=check.name,
        pinyin=check.pinyin,
        pinyin_key=check.pinyin_key,
        district=district,
        road_type=_road_type(road_type),
        unnamed_road=road,
        start_point=_text(start_point or (road.location if road else ""), 100, "start_point"),
        end_point=_text(end_point, 100, "end_point"),
        length_m=_length(length_m if length_m is not None else (road.length_m if road else None)),
        meaning=_text(meaning, 500, "meaning"),
        applicant=_text(applicant, 100, "applicant"),
        warnings=check.warnings,
        created_by=actor,
    )
    _transition(application, S.PROPOSED, actor=actor, note=note)
    if road is not None:
        road.status = UnnamedRoadStatus.NAMING
        with audit_context(actor, via="placenames"):
            road.save(update_fields=["status", "updated_at"])
    return application


@transaction.atomic
def application_check(*, actor: User, application: NamingApplication | int, note: str = "") -> NamingApplication:
    """Run the name checks again against today's gazetteer; the application passes to expert review next."""
    require_can(actor, "check", NamingApplication)
    application = _locked_application(actor, application)
    _check_transition(application, S.CHECKED)
    check = naming.check_name(
        application.proposed_name, field_name="proposed_name", exclude_application_id=application.pk
    )
    application.warnings = check.warnings
    _transition(application, S.CHECKED, actor=actor, note=note)
    return application


@transaction.atomic
def application_refer_to_experts(
    *, actor: User, application: NamingApplication | int, note: str = ""
) -> NamingApplication:
    require_can(actor, "refer", NamingApplication)
    application = _locked_application(actor, application)
    _transition(application, S.EXPERT_REVIEW, actor=actor, note=note)
    return application


@transaction.atomic
def application_start_notice(
    *,
    actor: User,
    application: NamingApplication | int,
    expert_opinion: str,
    notice_from: datetime.date | None = None,
    today: datetime.date | None = None,
) -> NamingApplication:
    """Record the experts' favourable opinion and put the name on public notice."""
    require_can(actor, "notice", NamingApplication)
    application = _locked_application(actor, application)
    _check_transition(application, S.PUBLIC_NOTICE)
    opinion = _text(expert_opinion, 1000, "expert_opinion")
    if not opinion:
        raise InvalidInput(_("Record the experts' opinion."), field="expert_opinion")
    today = _today(today)
    start = notice_from or today
    if start > today + datetime.timedelta(days=30) or start < today - datetime.timedelta(days=30):
        raise InvalidInput(_("The notice starts within 30 days of today."), field="notice_from")
    application.expert_opinion = opinion
    application.notice_from = start
    application.notice_until = start + datetime.timedelta(days=naming.NOTICE_DAYS)
    _transition(application, S.PUBLIC_NOTICE, actor=actor, note=opinion)
    return application


@transaction.atomic
def application_approve(
    *,
    actor: User,
    application: NamingApplication | int,
    approval_document: str,
    objections: str = "",
    approved_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> NamingApplication:
    """Approve the name once its public notice has run its course."""
    require_can(actor, "approve", NamingApplication)
    application = _locked_application(actor, application)
    _check_transition(application, S.APPROVED)
    today = _today(today)
    if today <= application.notice_until:
        raise Conflict(
            _("The public notice runs until %(day)s; the name can be approved after it.")
            % {"day": application.notice_until.isoformat()},
            code="notice_running",
        )
    document = _text(approval_document, 100, "approval_document")
    if not document:
        raise InvalidInput(_("Give the approval document's number."), field="approval_document")
    approved_on = approved_on or today
    if approved_on > today or approved_on <= application.notice_until:
        raise InvalidInput(_("The approval date falls after the notice and not in the future."), field="approved_on")
    application.approval_document = document
    application.objections = _text(objections, 1000, "objections")
    application.approved_on = approved_on
    _transition(application, S.APPROVED, actor=actor, note=document)
    return application


@transaction.atomic
def application_publish(*, actor: User, application: NamingApplication | int, note: str = "") -> NamingApplication:
    """Publish an approved name: the road enters the gazetteer and its unnamed-road entry is closed."""
    require_can(actor, "publish", NamingApplication)
    application = _locked_application(actor, application)
    _check_transition(application, S.PUBLISHED)
    # Checked again: a road of this name may have entered the gazetteer since the application began.
    check = naming.check_name(
        application.proposed_name, field_name="proposed_name", exclude_application_id=application.pk
    )
    road = Road(
        name=check.name,
        pinyin=application.pinyin,
        pinyin_key=check.pinyin_key,
        district_id=application.district_id,
        road_type=application.road_type,
        start_point=application.start_point,
        end_point=application.end_point,
        length_m=application.length_m,
        approved_on=application.approved_on,
        meaning=application.meaning,
        created_by=actor,
    )
    _save_road(road, actor)
    application.road = road
    _transition(application, S.PUBLISHED, actor=actor, note=note)
    if application.unnamed_road_id:
        unnamed = UnnamedRoad.objects.select_for_update().get(pk=application.unnamed_road_id)
        unnamed.status = UnnamedRoadStatus.NAMED
        unnamed.named_as = road
        unnamed.closed_on = application.approved_on or timezone.localdate()
        with audit_context(actor, via="placenames"):
            unnamed.save()
    return application


def _close(actor: User, application: NamingApplication | int, to_status: str, note: str) -> NamingApplication:
    application = _locked_application(actor, application)
    _check_transition(application, to_status)
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("Give the reason."), field="note")
    _transition(application, to_status, actor=actor, note=note)
    if application.unnamed_road_id:
        unnamed = UnnamedRoad.objects.select_for_update().get(pk=application.unnamed_road_id)
        if unnamed.status == UnnamedRoadStatus.NAMING:
            unnamed.status = UnnamedRoadStatus.UNNAMED
            with audit_context(actor, via="placenames"):
                unnamed.save(update_fields=["status", "updated_at"])
    return application


@transaction.atomic
def application_reject(*, actor: User, application: NamingApplication | int, note: str) -> NamingApplication:
    require_can(actor, "reject", NamingApplication)
    return _close(actor, application, S.REJECTED, note)


@transaction.atomic
def application_withdraw(*, actor: User, application: NamingApplication | int, note: str) -> NamingApplication:
    require_can(actor, "withdraw", NamingApplication)
    return _close(actor, application, S.WITHDRAWN, note)


# --- Banned words ----------------------------------------------------------------------------


@transaction.atomic
def banned_word_add(*, actor: User, word: str, reason: str = "") -> BannedWord:
    require_can(actor, "add", BannedWord)
    word = naming.normalize_name(word)
    if not word or len(word) > 20:
        raise InvalidInput(_("A word of 1 to 20 characters."), field="word")
    with audit_context(actor, via="placenames"):
        banned, created = BannedWord.objects.get_or_create(word=word, defaults={"reason": _text(reason, 200, "reason")})
        if not created and not banned.active:
            banned.active = True
            banned.reason = _text(reason, 200, "reason") or banned.reason
            banned.save()
        elif not created:
            raise Conflict(_("This word is already on the list."), code="duplicate")
    return banned


@transaction.atomic
def banned_word_deactivate(*, actor: User, word: BannedWord | int) -> BannedWord:
    require_can(actor, "deactivate", BannedWord)
    pk = word.pk if isinstance(word, BannedWord) else word
    banned = BannedWord.objects.select_for_update().filter(pk=pk).first()
    if banned is None:
        raise NotFound()
    banned.active = False
    with audit_context(actor, via="placenames"):
        banned.save()
    return banned
