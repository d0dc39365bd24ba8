"""Writes to divisions and staff accounts."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from core.audit import audit_context
from core.data import qingdao
from core.errors import Conflict, Forbidden, InvalidInput
from core.models import (
    AuditCheck,
    Division,
    DivisionChange,
    DivisionKind,
    DivisionLevel,
    RevealLog,
    SecurityEvent,
    SecurityEventKind,
    User,
)
from core.roles import PRIVILEGED_ROLES, ROLE_LEVELS, Cap, Role, has_cap, require

# Roles that use the Django admin site: the administrator (everything) and the security officer
# (staff accounts only, to grant roles; core.admin checks capabilities, not Django permissions).
STAFF_SITE_ROLES = frozenset({Role.ADMIN, Role.SECURITY_OFFICER})


@transaction.atomic
def divisions_load() -> tuple[int, int]:
    """Load (or bring up to date) the shipped divisions. Idempotent: returns (created, updated)."""
    rows: list[Division] = [
        Division(code=qingdao.CITY[0], name=qingdao.CITY[1], level=DivisionLevel.CITY, kind=DivisionKind.CITY)
    ]
    for d_code, d_name, d_kind, subdistricts in qingdao.DISTRICTS:
        rows.append(
            Division(code=d_code, name=d_name, level=DivisionLevel.DISTRICT, kind=d_kind, parent_id=qingdao.CITY[0])
        )
        for i, s_name in enumerate(subdistricts, start=1):
            s_code = f"{d_code}{i:03d}"
            town = s_name.endswith("镇") and not s_name.endswith("镇街道")
            rows.append(
                Division(
                    code=s_code,
                    name=s_name,
                    level=DivisionLevel.SUBDISTRICT,
                    kind=DivisionKind.TOWN if town else DivisionKind.SUBDISTRICT,
                    parent_id=d_code,
                )
            )
            base = s_name[:-2] if s_name.endswith("街道") else s_name[:-1]
            for j in range(1, qingdao.COMMUNITIES_PER_SUBDISTRICT + 1):
                rows.append(
                    Division(
                        code=f"{s_code}{j:03d}",
                        name=f"{base}演示{'村' if town else '社区'}{j}",
                        level=DivisionLevel.COMMUNITY,
                        kind=DivisionKind.VILLAGE if town else DivisionKind.COMMUNITY,
                        parent_id=s_code,
                        demo_name=True,
                    )
                )
    existing = {d.code: d for d in Division.objects.all()}
    if not existing:
        Division.objects.bulk_create(rows)  # parents come before children in ``rows``
        return len(rows), 0
    created = updated = 0
    for row in rows:  # parents come before children in ``rows``
        current = existing.get(row.code)
        if current is None:
            row.save(force_insert=True)
            created += 1
        elif (current.name, current.level, current.kind, current.parent_id) != (
            row.name,
            row.level,
            row.kind,
            row.parent_id,
        ):
            current.name, current.level, current.kind, current.parent_id = row.name, row.level, row.kind, row.parent_id
            current.save()
            updated += 1
    return created, updated


@transaction.atomic
def staff_create(
    *,
    username: str,
    role: str,
    division_code: str,
    password: str,
    actor: User | None = None,
    full_name: str = "",
    must_change_password: bool = False,
) -> User:
    """A new staff account. Its password passes the policy (AUTH_PASSWORD_VALIDATORS) wherever it
    comes from: the admin's form, ``create_staff`` or the demo seed; a weak one is a 400 on ``password``."""
    if role not in Role.values:
        raise InvalidInput(
            _("Unknown role %(role)s; choose one of: %(roles)s.") % {"role": role, "roles": ", ".join(Role.values)},
            field="role",
        )
    division = Division.objects.filter(code=division_code).first()
    if division is None:
        raise InvalidInput(_("Unknown division code %(code)s.") % {"code": division_code}, field="division")
    if division.level not in ROLE_LEVELS[role]:
        raise InvalidInput(
            _("A %(role)s belongs to a division of level %(levels)s, not %(level)s.")
            % {"role": role, "levels": "/".join(sorted(ROLE_LEVELS[role])), "level": division.level},
            field="division",
        )
    if User.objects.filter(username=username).exists():
        raise Conflict(_("The username %(username)s is taken.") % {"username": username}, code="username_taken")
    user = User(
        username=username,
        role=role,
        division=division,
        first_name=full_name,
        is_staff=role in STAFF_SITE_ROLES,
        is_superuser=False,  # nobody: the admin site asks capabilities (core.adminaccess)
        must_change_password=must_change_password,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password") from None
    user.set_password(password)
    with audit_context(actor):
        user.save()
    security_event_record(
        kind=SecurityEventKind.PASSWORD_SET, username=user.username, user=user, actor=actor, detail="initial password"
    )
    return user


@transaction.atomic
def reveal_record(
    *, actor: User, record, field: str, reason: str, ip_address: str | None = None, message=None
) -> RevealLog:
    """Log a look at a masked value (a full ID number, a phone) with its reason: the one check every
    reveal shares, so a page and the API cannot disagree (a blank reason is a 400 on ``reason``)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(message or _("Give a reason to see the full value."), field="reason")
    return RevealLog.objects.create(
        actor=actor,
        model=record._meta.label,
        object_id=str(record.pk),
        field=field,
        reason=reason[:200],
        ip_address=ip_address,
    )


@transaction.atomic
def security_event_record(
    *,
    kind: str,
    username: str = "",
    user: User | None = None,
    actor: User | None = None,
    ip_address: str | None = None,
    path: str = "",
    detail: str = "",
) -> SecurityEvent:
    """Append one line to the security log (the database refuses to change or delete it)."""
    return SecurityEvent.objects.create(
        kind=kind,
        username=(username or "")[:150],
        user=user,
        actor=actor,
        ip_address=ip_address or None,
        path=(path or "")[:200],
        detail=(detail or "")[:300],
    )


@transaction.atomic
def staff_password_change(*, actor: User, user: User, new_password: str, ip_address: str | None = None) -> User:
    """A member of staff sets their own new password (validated); the forced change is then done."""
    if actor.pk != user.pk:
        raise Forbidden()
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="new_password1") from None
    user.set_password(new_password)
    user.must_change_password = False
    with audit_context(actor):
        user.save(update_fields=["password", "must_change_password"])
    security_event_record(
        kind=SecurityEventKind.PASSWORD_CHANGED, username=user.username, user=user, actor=actor, ip_address=ip_address
    )
    return user


@transaction.atomic
def staff_password_set(*, actor: User, user: User, new_password: str, ip_address: str | None = None) -> User:
    """Set another account's password (a reset): a security officer's job, never for oneself (one's
    own is changed on the portal's page). The owner must change it at the next login, and the reset
    is in the security log (issue 22 §2: the administrator set the security officer's password
    and logged in as them, and nothing recorded it)."""
    if actor is None or actor.pk == user.pk or not has_cap(actor, Cap.PASSWORDS_RESET):
        raise Forbidden(_("Only a security officer sets the password of another account."))
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password1") from None
    user.set_password(new_password)
    user.must_change_password = True
    with audit_context(actor):
        user.save(update_fields=["password", "must_change_password"])
    security_event_record(
        kind=SecurityEventKind.PASSWORD_SET,
        username=user.username,
        user=user,
        actor=actor,
        ip_address=ip_address,
        detail="reset: to be changed at the next login",
    )
    return user


def role_grant_refusal(*, actor: User | None, user: User, role: str) -> str | None:
    """Why ``actor`` may not give ``user`` the role ``role`` (None: allowed). Rules of 三权分立:
    no one changes their own role; only a security officer grants or removes a privileged role
    (administrator, security officer, auditor); others need the capability to grant roles."""
    if actor is None:
        return _("Roles are granted by a named member of staff.")
    if actor.pk == user.pk:
        return _("No one may change their own role.")
    if not has_cap(actor, Cap.ROLES_GRANT):
        return _("Your role may not grant roles.")
    if (role in PRIVILEGED_ROLES or user.role in PRIVILEGED_ROLES) and not has_cap(actor, Cap.PRIVILEGED_ROLES_GRANT):
        return _("Only a security officer grants or removes the administrator, security officer and auditor roles.")
    return None


def staff_role_grant(*, actor: User, user: User, role: str, ip_address: str | None = None) -> User:
    """Give ``user`` a new role (its division must suit the role).

    A refusal is written to the security log before ``Forbidden`` is raised, outside the
    grant's own transaction, so that rolling the grant back does not erase the evidence.
    """
    if role not in Role.values:
        raise InvalidInput(_("Unknown role %(role)s.") % {"role": role}, field="role")
    refusal = role_grant_refusal(actor=actor, user=user, role=role)
    if refusal is not None:
        security_event_record(
            kind=SecurityEventKind.ROLE_CHANGE_REFUSED,
            username=user.username,
            user=user,
            actor=actor,
            ip_address=ip_address,
            detail=f"{user.role} -> {role}: {refusal}",
        )
        raise Forbidden(refusal)
    return _staff_role_apply(actor=actor, user=user, role=role, ip_address=ip_address)


@transaction.atomic
def _staff_role_apply(*, actor: User, user: User, role: str, ip_address: str | None) -> User:
    require(actor, Cap.ROLES_GRANT)
    user = User.objects.select_for_update().get(pk=user.pk)
    if role_grant_refusal(actor=actor, user=user, role=role) is not None:  # changed meanwhile
        raise Forbidden()
    if user.division.level not in ROLE_LEVELS[role]:
        raise InvalidInput(
            _("A %(role)s belongs to a division of level %(levels)s, not %(level)s.")
            % {"role": role, "levels": "/".join(sorted(ROLE_LEVELS[role])), "level": user.division.level},
            field="role",
        )
    old = user.role
    user.role = role
    user.is_staff = role in STAFF_SITE_ROLES
    user.is_superuser = False
    with audit_context(actor):
        user.save(update_fields=["role", "is_staff", "is_superuser"])
    security_event_record(
        kind=SecurityEventKind.ROLE_CHANGED,
        username=user.username,
        user=user,
        actor=actor,
        ip_address=ip_address,
        detail=f"{old} -> {role}",
    )
    return user


@transaction.atomic
def lockout_lift(*, actor: User, username: str = "", address: str = "", ip_address: str | None = None) -> int:
    """Lift a login lockout before its cool-off ends: an account's (from every address) or a
    client address's (for every account). The failures counted against it are cleared and the
    lift is written to the security log, in one transaction. Returns how many records of failed
    attempts were cleared (0: nothing was locked or counted)."""
    from axes.models import AccessAttempt

    require(actor, Cap.ACCOUNTS_UNLOCK)
    username, address = (username or "").strip(), (address or "").strip()
    if bool(username) == bool(address):
        raise InvalidInput(_("Name either one account or one client address to unlock."))
    if username:
        attempts = AccessAttempt.objects.filter(username=username)
        user = User.objects.filter(username=username).first()
        if user is not None:  # whoever locked it may hold a session or token: all of them end
            User.objects.filter(pk=user.pk).update(auth_epoch=models.F("auth_epoch") + 1)
        detail = _("account %(username)s") % {"username": username}
    else:
        attempts = AccessAttempt.objects.filter(ip_address=address)
        user = None
        detail = _("client address %(address)s") % {"address": address}
    cleared, _details = attempts.delete()
    security_event_record(
        kind=SecurityEventKind.UNLOCKED,
        username=username,
        user=user,
        actor=actor,
        ip_address=ip_address,
        detail=f"{detail} ({cleared})",
    )
    return cleared


def audit_trail_check() -> AuditCheck:
    """Verify every audit table's chain (core.auditchain.verify) and record the result.

    The result goes to ``core.AuditCheck`` (read on the auditor's page, itself chained) and, one
    line, to the security log; each table's head is written to the portal's log as well, outside
    the database, so that a chain rewritten from some point on can be compared with it.
    """
    import logging

    from core import auditchain

    report = auditchain.verify()
    with transaction.atomic():
        check = AuditCheck.objects.create(
            ok=report.ok,
            tables=report.tables,
            rows=report.rows,
            links=report.links,
            findings=report.as_json()["findings"],
            heads=report.heads,
        )
        first = report.first_broken()
        detail = (
            _("%(tables)d tables, %(rows)d rows, %(links)d links: intact")
            % {"tables": report.tables, "rows": report.rows, "links": report.links}
            if report.ok
            else "; ".join(auditchain.describe(f) for f in first.values())
        )
        security_event_record(
            kind=SecurityEventKind.AUDIT_VERIFIED if report.ok else SecurityEventKind.AUDIT_BROKEN,
            path="audit_verify",
            detail=detail,
        )
    log = logging.getLogger("civil_affairs.audit")
    for table, (seq, digest) in sorted(report.heads.items()):
        log.info("audit chain head %s %s %s", table, seq, digest)
    if not report.ok:
        log.error("audit trail broken: %s", detail)
    return check


# --- Division changes (撤镇设街道; communities moved between sub-districts) ------------------------


def _division_followers() -> list[tuple[type[models.Model], list[str], models.Q | None]]:
    """Every model that says which of its division references follow a change (``division_follow``).

    ``division_follow = ("community",)``: every row's ``community`` follows; ``{"division": Q(status="open")}``:
    only the rows the condition selects (an open warning moves, a handled one keeps its division);
    ``()``: the model's division is history (it was recorded there) and stays. Core reads the
    attribute and knows no domain. Staff accounts are not among them: the change says (``staff_follow``).
    """
    from django.apps import apps

    followers = []
    for model in apps.get_models():
        declared = getattr(model, "division_follow", None)
        if not declared or model is User:
            continue
        if isinstance(declared, dict):
            conditions = [c for c in declared.values() if c is not None]
            condition = None
            if conditions:
                condition = conditions[0]
                for extra in conditions[1:]:
                    condition &= extra
            followers.append((model, list(declared), condition))
        else:
            followers.append((model, list(declared), None))
    return followers


def _validate_division_change(
    *, kind: str, effective_on, division_code: str, new_code: str, new_name: str, target_code: str, communities
) -> dict:
    """The change's subject, checked: every problem as a field error (``InvalidInput``), nothing written."""
    from core.cases import local_today
    from core.models import DivisionChangeKind, DivisionChangeStatus

    if kind not in DivisionChangeKind.values:
        raise InvalidInput(_("Choose the kind of change."), field="kind")
    if effective_on is None:
        raise InvalidInput(_("Enter the date the change is in force from."), field="effective_on")
    if effective_on < local_today():
        # A change in force from a day already past would move people and cases under months that
        # were paid (and counted) under the old division: enter it with today's date or a later one.
        raise InvalidInput(
            _("A division change cannot be in force from a day already past: enter today or a later day."),
            field="effective_on",
        )
    pending = DivisionChange.objects.filter(status=DivisionChangeStatus.SCHEDULED)
    if kind == DivisionChangeKind.TOWN_TO_SUBDISTRICT:
        return _validate_town_change(division_code=division_code, new_code=new_code, new_name=new_name, pending=pending)
    return _validate_communities_move(target_code=target_code, communities=communities, pending=pending)


def _validate_town_change(*, division_code: str, new_code: str, new_name: str, pending) -> dict:
    town = Division.objects.filter(code=(division_code or "").strip(), active=True).first()
    if town is None or town.level != DivisionLevel.SUBDISTRICT:
        raise InvalidInput(_("Unknown town %(code)s.") % {"code": division_code or "—"}, field="division")
    if town.kind != DivisionKind.TOWN:
        raise InvalidInput(_("%(name)s is not a town.") % {"name": town.name}, field="division")
    new_code = (new_code or "").strip() or town.code
    new_name = (new_name or "").strip()
    if not new_name:
        raise InvalidInput(_("Enter the sub-district's new name."), field="new_name")
    if len(new_code) != 9 or not new_code.isdigit() or not new_code.startswith(town.parent_id):
        raise InvalidInput(
            _("A sub-district's code has 9 digits and begins with its district's code %(district)s.")
            % {"district": town.parent_id},
            field="new_code",
        )
    if new_code != town.code and Division.objects.filter(code=new_code).exists():
        raise InvalidInput(_("The code %(code)s is already taken.") % {"code": new_code}, field="new_code")
    if pending.filter(models.Q(division=town) | models.Q(new_code=new_code)).exists():
        raise Conflict(
            _("A change of %(name)s is already scheduled.") % {"name": town.name}, code="division_change_pending"
        )
    return {"division": town, "new_code": new_code, "new_name": new_name, "target": None, "communities": []}


def _validate_communities_move(*, target_code: str, communities, pending) -> dict:
    target = Division.objects.filter(code=(target_code or "").strip(), active=True).first()
    if target is None or target.level != DivisionLevel.SUBDISTRICT:
        raise InvalidInput(_("Unknown sub-district %(code)s.") % {"code": target_code or "—"}, field="target")
    codes = [c.strip() for c in (communities or []) if c and c.strip()]
    if not codes:
        raise InvalidInput(_("Name at least one community to move."), field="communities")
    if len(set(codes)) != len(codes):
        raise InvalidInput(_("A community is named twice."), field="communities")
    found = {d.code: d for d in Division.objects.filter(code__in=codes, level=DivisionLevel.COMMUNITY, active=True)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise InvalidInput(_("Unknown community %(codes)s.") % {"codes": ", ".join(unknown[:5])}, field="communities")
    inside = [found[c] for c in codes if found[c].parent_id == target.code]
    if inside:
        raise InvalidInput(
            _("%(name)s already belongs to %(target)s: a community cannot move into its own sub-district.")
            % {"name": inside[0].name, "target": target.name},
            field="communities",
        )
    if pending.filter(communities__overlap=codes).exists():
        raise Conflict(_("A change of one of these communities is already scheduled."), code="division_change_pending")
    return {"division": None, "new_code": "", "new_name": "", "target": target, "communities": codes}


@transaction.atomic
def division_change_create(
    *,
    actor: User,
    kind: str,
    effective_on,
    division_code: str = "",
    new_code: str = "",
    new_name: str = "",
    target_code: str = "",
    communities=(),
    staff_follow: bool = True,
    note: str = "",
) -> DivisionChange:
    """Enter a division change (administrators). One in force from today is applied at once; a later one
    waits for its day (``division_changes_apply_due``, the daily beat task)."""
    from core.cases import local_today
    from core.permissions import require_can

    require_can(actor, "create", DivisionChange)
    subject = _validate_division_change(
        kind=kind,
        effective_on=effective_on,
        division_code=division_code,
        new_code=new_code,
        new_name=new_name,
        target_code=target_code,
        communities=communities,
    )
    with audit_context(actor):
        change = DivisionChange.objects.create(
            kind=kind,
            effective_on=effective_on,
            staff_follow=bool(staff_follow),
            note=(note or "").strip(),
            created_by=actor,
            **subject,
        )
    if effective_on <= local_today():
        change = division_change_apply(change_id=change.pk, actor=actor)
    return change


def _free_code(parent_code: str, wanted_suffix: str, taken: set[str]) -> str:
    """``parent + suffix`` if free, else the parent's next free three-digit number."""
    code = parent_code + wanted_suffix
    if code not in taken:
        return code
    for number in range(1, 1000):
        code = f"{parent_code}{number:03d}"
        if code not in taken:
            return code
    raise Conflict(_("No free code is left under %(code)s.") % {"code": parent_code}, code="no_free_code")


def _successor(old: Division, *, code: str, name: str, kind: str, parent_code: str) -> Division:
    new = Division.objects.create(
        code=code, name=name, level=old.level, kind=kind, parent_id=parent_code, demo_name=old.demo_name
    )
    old.active = False
    old.successor = new
    old.save(update_fields=["active", "successor"])
    return new


def _division_change_mapping(change: DivisionChange) -> list[list[str]]:
    """Create the new divisions of ``change``; returns ``[[old, new, old parent, new parent], …]``."""
    from core.models import DivisionChangeKind

    taken = set(Division.objects.values_list("code", flat=True))
    mapping: list[list[str]] = []
    if change.kind == DivisionChangeKind.TOWN_TO_SUBDISTRICT:
        town = Division.objects.select_for_update().get(pk=change.division_id)
        if change.new_code == town.code:  # the same code: a new name and kind on the same row
            town.name, town.kind = change.new_name, DivisionKind.SUBDISTRICT
            town.save(update_fields=["name", "kind"])
            return mapping
        sub = _successor(
            town, code=change.new_code, name=change.new_name, kind=DivisionKind.SUBDISTRICT, parent_code=town.parent_id
        )
        mapping.append([town.code, sub.code, town.parent_id, town.parent_id])
        for community in Division.objects.filter(parent_id=town.code, active=True).order_by("code"):
            code = _free_code(sub.code, community.code[9:], taken)
            taken.add(code)
            _successor(community, code=code, name=community.name, kind=community.kind, parent_code=sub.code)
            mapping.append([community.code, code, town.code, sub.code])
        return mapping
    target = change.target
    for community in Division.objects.filter(code__in=change.communities, active=True).order_by("code"):
        code = _free_code(target.code, community.code[9:], taken)
        taken.add(code)
        _successor(community, code=code, name=community.name, kind=community.kind, parent_code=target.code)
        mapping.append([community.code, code, community.parent_id, target.code])
    return mapping


def _follow(mapping: list[list[str]], *, staff_follow: bool) -> None:
    """Move every current reference from the old codes to the new (set-based: one UPDATE per model, field and code)."""
    followers = _division_followers()
    for old, new, old_parent, new_parent in mapping:
        for model, fields, condition in followers:
            for field in fields:
                rows = model._base_manager.filter(**{f"{field}_id": old})
                if condition is not None:
                    rows = rows.filter(condition)
                values = {f"{field}_id": new}
                if old_parent != new_parent:
                    # A community's row that also names its sub-district (a warning's ``subdistrict``) moves both.
                    for other in fields:
                        if other != field:
                            values[f"{other}_id"] = models.Case(
                                models.When(**{f"{other}_id": old_parent}, then=models.Value(new_parent)),
                                default=models.F(f"{other}_id"),
                            )
                rows.update(**values)
        if staff_follow:
            User.objects.filter(division_id=old).update(division_id=new)


@transaction.atomic
def division_change_apply(*, change_id: int, actor: User | None = None) -> DivisionChange:
    """Put a change in force: new divisions, the current references moved, the old rows inactive. Once only."""
    from django.utils import timezone

    from core.models import DivisionChangeStatus

    change = DivisionChange.objects.select_for_update().get(pk=change_id)
    if change.status == DivisionChangeStatus.APPLIED:
        return change
    with audit_context(actor or change.created_by, division_change=change.pk):
        mapping = _division_change_mapping(change)
        _follow(mapping, staff_follow=change.staff_follow)
        change.mapping = [[old, new] for old, new, _op, _np in mapping]
        change.status = DivisionChangeStatus.APPLIED
        change.applied_at = timezone.now()
        change.save(update_fields=["mapping", "status", "applied_at"])
    return change


def division_changes_apply_due() -> list[int]:
    """Apply every scheduled change whose day has come (the daily beat task; safe to run twice)."""
    from core.cases import local_today
    from core.models import DivisionChangeStatus

    due = DivisionChange.objects.filter(
        status=DivisionChangeStatus.SCHEDULED, effective_on__lte=local_today()
    ).order_by("effective_on", "id")
    applied = []
    for change_id in due.values_list("id", flat=True):
        division_change_apply(change_id=change_id)
        applied.append(change_id)
    return applied
