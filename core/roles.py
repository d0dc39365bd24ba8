"""Roles, and the named capabilities each one holds. The only place that maps one to the other.

Services check capabilities again (``require``), whatever the view already did.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    SUBDISTRICT_APPROVER = "subdistrict_approver", _("Sub-district approver")
    DISTRICT_APPROVER = "district_approver", _("District approver")
    LEADER = "leader", _("Bureau leadership")
    FINANCE = "finance", _("Finance officer")
    REGISTRAR = "registrar", _("Marriage registrar")
    PLACENAME_OFFICER = "placename_officer", _("Place-name officer")
    SOCIALORG_OFFICER = "socialorg_officer", _("Social-organization officer")
    ADMIN = "admin", _("System administrator")


class Cap(StrEnum):
    """Named capabilities. Views, APIs and services ask for these, never for a role."""

    PEOPLE_VIEW = "people.view"
    PEOPLE_EDIT = "people.edit"
    PEOPLE_REVEAL = "people.reveal"
    HOUSEHOLD_EDIT = "households.edit"
    BANK_REVEAL = "households.reveal_bank"
    PEOPLE_CITYWIDE = "people.citywide"  # look people up across the whole city (registrars)
    STAFF_MANAGE = "staff.manage"
    STANDARDS_EDIT = "standards.edit"


_CASE_STAFF = {Cap.PEOPLE_VIEW, Cap.PEOPLE_EDIT, Cap.PEOPLE_REVEAL, Cap.HOUSEHOLD_EDIT}

CAPABILITIES: dict[str, frozenset[Cap]] = {
    Role.CASEWORKER: frozenset(_CASE_STAFF),
    Role.SUBDISTRICT_APPROVER: frozenset(_CASE_STAFF),
    Role.DISTRICT_APPROVER: frozenset(_CASE_STAFF),
    Role.LEADER: frozenset({Cap.PEOPLE_VIEW}),
    Role.FINANCE: frozenset({Cap.PEOPLE_VIEW, Cap.BANK_REVEAL}),
    Role.REGISTRAR: frozenset({Cap.PEOPLE_VIEW, Cap.PEOPLE_EDIT, Cap.PEOPLE_REVEAL, Cap.PEOPLE_CITYWIDE}),
    Role.PLACENAME_OFFICER: frozenset(),
    Role.SOCIALORG_OFFICER: frozenset(),
    Role.ADMIN: frozenset({Cap.PEOPLE_VIEW, Cap.STAFF_MANAGE, Cap.STANDARDS_EDIT}),
}

# Which division level each role's account belongs to (create_staff checks it).
ROLE_LEVELS: dict[str, frozenset[str]] = {
    Role.CASEWORKER: frozenset({"subdistrict", "community"}),
    Role.SUBDISTRICT_APPROVER: frozenset({"subdistrict"}),
    Role.DISTRICT_APPROVER: frozenset({"district"}),
    Role.LEADER: frozenset({"city"}),
    Role.FINANCE: frozenset({"city", "district"}),
    Role.REGISTRAR: frozenset({"city", "district"}),
    Role.PLACENAME_OFFICER: frozenset({"city", "district"}),
    Role.SOCIALORG_OFFICER: frozenset({"city", "district"}),
    Role.ADMIN: frozenset({"city"}),
}


def capabilities_of(user) -> frozenset[Cap]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return CAPABILITIES.get(getattr(user, "role", ""), frozenset())


def has_cap(user, cap: Cap) -> bool:
    return cap in capabilities_of(user)


def require(user, cap: Cap) -> None:
    """Raise ``Forbidden`` unless the user holds ``cap``."""
    from core.errors import Forbidden

    if not has_cap(user, cap):
        raise Forbidden()
