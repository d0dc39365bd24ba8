"""Writes to divisions and staff accounts."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_context
from core.data import qingdao
from core.errors import Conflict, InvalidInput
from core.models import Division, DivisionKind, DivisionLevel, User
from core.roles import ROLE_LEVELS, Role


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
    check_password: bool = True,
) -> User:
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
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
        must_change_password=must_change_password,
    )
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), field="password") from None
    user.set_password(password)
    with audit_context(actor):
        user.save()
    return user
