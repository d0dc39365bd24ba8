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
    SECURITY_OFFICER = "security_officer", _("Security officer")
    AUDITOR = "auditor", _("Security auditor")


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
    DIVISIONS_CHANGE = "divisions.change"  # enter a change of the divisions (撤镇设街道, communities moved)
    # Social assistance (relief/): dibao, tekun, temporary relief, price-linked subsidy, vagrant relief.
    RELIEF_VIEW = "relief.view"
    RELIEF_APPLY = "relief.apply"  # file applications and claims, record investigations and paperwork
    RELIEF_ONLINE_ACCEPT = "relief.online_accept"  # accept or decline residents' online applications (caseworkers)
    RELIEF_REVIEW = "relief.review"  # sub-district review (审核)
    RELIEF_APPROVE_SUBDISTRICT = "relief.approve_subdistrict"  # small claims; dibao/tekun where delegated
    RELIEF_APPROVE_DISTRICT = "relief.approve_district"  # anything in the district
    RELIEF_DECIDE = "relief.decide"  # holds some approval power (the service checks which and how much)
    PRICE_INDEX_EDIT = "relief.price_index_edit"
    VAGRANT_VIEW = "relief.vagrant_view"
    VAGRANT_EDIT = "relief.vagrant_edit"
    # Welfare (welfare/): orphans' allowance, the two disability subsidies, child supervisors.
    WELFARE_VIEW = "welfare.view"
    WELFARE_APPLY = "welfare.apply"  # register orphans and certificates, file applications
    WELFARE_REVIEW = "welfare.review"  # sub-district review (审核)
    WELFARE_APPROVE = "welfare.approve"  # district approval (审批), suspension, resumption, termination
    CHILD_SUPERVISOR_EDIT = "welfare.child_supervisors"  # appoint a sub-district's child supervisor
    # Social organizations: the registry, inspections, fees, decoupling, community filing, enforcement.
    SOCIALORG_VIEW = "social_orgs.view"
    SOCIALORG_EDIT = "social_orgs.edit"
    # Marriage registration (registrars work city-wide: MARRIAGE_CITYWIDE).
    MARRIAGE_VIEW = "marriage.view"
    MARRIAGE_REGISTER = "marriage.register"
    MARRIAGE_REVIEW = "marriage.review"
    MARRIAGE_STATS = "marriage.stats"
    MARRIAGE_APPOINTMENTS = "marriage.appointments"
    MARRIAGE_CITYWIDE = "marriage.citywide"
    MARRIAGE_HOUSEHOLD_REVERT = "marriage.household_revert"  # undo a household update a registration made
    # Place names: gazetteer, unnamed roads, naming applications, banned words.
    PLACENAME_VIEW = "placenames.view"
    PLACENAME_EDIT = "placenames.edit"
    PLACENAME_APPROVE = "placenames.approve"
    PLACENAME_CONFIGURE = "placenames.configure"
    # Payouts: monthly runs, their review and approval (maker ≠ checker), bank files and returns.
    PAYOUT_VIEW = "payouts.view"
    PAYOUT_START = "payouts.start"
    PAYOUT_APPROVE = "payouts.approve"
    PAYOUT_BANK_FILES = "payouts.bank_files"  # export the bank file (full accounts), import its return
    # Separation of duties (三权分立): the administrator runs the system, the security officer
    # grants roles and watches the security log, the auditor reads every log and nothing else.
    ROLES_GRANT = "staff.grant_roles"  # change the role of another account (never one's own)
    PRIVILEGED_ROLES_GRANT = "staff.grant_privileged_roles"  # grant or take away admin/security/auditor
    SECURITY_LOG_VIEW = "security.view_log"  # failed logins, lockouts, role changes
    ACCOUNTS_UNLOCK = "security.unlock"  # lift a login lockout (account or client address) before its cool-off
    PASSWORDS_RESET = "security.reset_password"  # set another account's password (its owner changes it first)
    AUDIT_VIEW = "audit.view"  # the change history of every record, the reveal and security logs
    # Data checking (信息核对): other departments' extracts, cross-check runs, the review queue, coverage.
    DATACHECK_VIEW = "datacheck.view"  # the data sources, their extracts and the cross-check runs
    DATACHECK_ITEMS = "datacheck.items"  # review items and coverage gaps in one's geography (personal data)
    DATACHECK_REVIEW = "datacheck.review"  # confirm or dismiss a review item (the benefit's services check again)
    DATACHECK_CONFIGURE = "datacheck.configure"  # register sources, load extracts, start cross-check runs
    # Bulk imports (imports/): households and existing cases from spreadsheets, inside one's geography.
    IMPORT_DATA = "imports.run"
    # Elderly care (elderly/): elderly-care centres, the rural left-behind elderly register and its visits.
    ELDERLY_VIEW = "elderly.view"
    ELDERLY_CENTRE_EDIT = "elderly.centres"  # record a centre and move it site → operator → built → operating
    LEFT_BEHIND_EDIT = "elderly.left_behind"  # register left-behind elderly persons, record visits
    ELDERLY_SUBSIDY_ENTER = "elderly.subsidy_enter"  # enter an institution's operating subsidy for a month
    ELDERLY_SUBSIDY_APPROVE = "elderly.subsidy_approve"  # approve or refuse one (never one's own entry)
    ELDERLY_SUBSIDY_VIEW = "elderly.subsidy_view"  # read the operating subsidies (finance too: account corrections)
    ELDERLY_ACCOUNT_CONFIRM = "elderly.account_confirm"  # confirm another's correction of a subsidy's account
    # Charity (charity/): donations, their custodians and uses, the public disclosure; volunteers.
    CHARITY_VIEW = "charity.view"
    CHARITY_EDIT = "charity.edit"
    # The leadership dashboard: the bureau's figures for one's own geography (whole city for leadership).
    DASHBOARD_VIEW = "dashboard.view"

    # Low-income population monitoring (低收入人口动态监测): the population, its warnings, expenses.
    MONITORING_VIEW = "monitoring.view"  # the low-income population and warnings of one's geography
    MONITORING_RECORD = "monitoring.record"  # record a household's rigid expenses
    MONITORING_HANDLE = "monitoring.handle"  # handle a warning (the household's sub-district)
    MONITORING_RUN = "monitoring.run"  # start the monthly run over the whole city (system administration)


_RELIEF_STAFF = {Cap.RELIEF_VIEW, Cap.RELIEF_APPLY, Cap.VAGRANT_VIEW, Cap.VAGRANT_EDIT}
_WELFARE_STAFF = {Cap.WELFARE_VIEW, Cap.WELFARE_APPLY}
_DATACHECK_STAFF = {Cap.DATACHECK_VIEW, Cap.DATACHECK_ITEMS, Cap.DATACHECK_REVIEW}
_ELDERLY_STAFF = {Cap.ELDERLY_VIEW, Cap.ELDERLY_SUBSIDY_VIEW, Cap.LEFT_BEHIND_EDIT}
_MONITORING_STAFF = {Cap.MONITORING_VIEW, Cap.MONITORING_RECORD}
_CASE_STAFF = {
    Cap.PEOPLE_VIEW,
    Cap.PEOPLE_EDIT,
    Cap.PEOPLE_REVEAL,
    Cap.HOUSEHOLD_EDIT,
    Cap.MARRIAGE_HOUSEHOLD_REVERT,
    Cap.IMPORT_DATA,
}

CAPABILITIES: dict[str, frozenset[Cap]] = {
    Role.CASEWORKER: frozenset(
        _CASE_STAFF
        | _RELIEF_STAFF
        | _WELFARE_STAFF
        | _DATACHECK_STAFF
        | _ELDERLY_STAFF
        | _MONITORING_STAFF
        | {Cap.MONITORING_HANDLE, Cap.RELIEF_ONLINE_ACCEPT}
    ),
    Role.SUBDISTRICT_APPROVER: frozenset(
        _CASE_STAFF
        | _RELIEF_STAFF
        | _WELFARE_STAFF
        | _DATACHECK_STAFF
        | _ELDERLY_STAFF
        | _MONITORING_STAFF
        | {
            Cap.MONITORING_HANDLE,
            Cap.DASHBOARD_VIEW,
            Cap.ELDERLY_CENTRE_EDIT,
            Cap.ELDERLY_SUBSIDY_ENTER,
            Cap.RELIEF_REVIEW,
            Cap.RELIEF_APPROVE_SUBDISTRICT,
            Cap.RELIEF_DECIDE,
            Cap.WELFARE_REVIEW,
            Cap.CHILD_SUPERVISOR_EDIT,
        }
    ),
    Role.DISTRICT_APPROVER: frozenset(
        _CASE_STAFF
        | _RELIEF_STAFF
        | _WELFARE_STAFF
        | _DATACHECK_STAFF
        | _ELDERLY_STAFF
        | _MONITORING_STAFF
        | {
            Cap.DASHBOARD_VIEW,
            Cap.ELDERLY_CENTRE_EDIT,
            Cap.ELDERLY_SUBSIDY_ENTER,
            Cap.ELDERLY_SUBSIDY_APPROVE,
            Cap.CHARITY_VIEW,
            Cap.RELIEF_APPROVE_DISTRICT,
            Cap.RELIEF_DECIDE,
            Cap.WELFARE_APPROVE,
            Cap.CHILD_SUPERVISOR_EDIT,
        }
    ),
    Role.LEADER: frozenset(
        {
            Cap.RELIEF_VIEW,
            Cap.VAGRANT_VIEW,
            Cap.WELFARE_VIEW,
            Cap.PEOPLE_VIEW,
            Cap.SOCIALORG_VIEW,
            Cap.MARRIAGE_VIEW,
            Cap.MARRIAGE_STATS,
            Cap.PLACENAME_VIEW,
            Cap.PAYOUT_VIEW,
            Cap.DATACHECK_VIEW,
            Cap.DATACHECK_ITEMS,
            Cap.DASHBOARD_VIEW,
            Cap.ELDERLY_VIEW,
            Cap.ELDERLY_SUBSIDY_VIEW,
            Cap.CHARITY_VIEW,
            Cap.MONITORING_VIEW,
        }
    ),
    Role.FINANCE: frozenset(
        {
            Cap.ELDERLY_SUBSIDY_VIEW,
            Cap.ELDERLY_ACCOUNT_CONFIRM,
            Cap.RELIEF_VIEW,
            Cap.WELFARE_VIEW,
            Cap.PEOPLE_VIEW,
            Cap.BANK_REVEAL,
            Cap.PAYOUT_VIEW,
            Cap.PAYOUT_START,
            Cap.PAYOUT_APPROVE,
            Cap.PAYOUT_BANK_FILES,
        }
    ),
    Role.REGISTRAR: frozenset(
        {
            Cap.PEOPLE_VIEW,
            Cap.PEOPLE_EDIT,
            Cap.PEOPLE_REVEAL,
            Cap.PEOPLE_CITYWIDE,
            Cap.MARRIAGE_VIEW,
            Cap.MARRIAGE_REGISTER,
            Cap.MARRIAGE_REVIEW,
            Cap.MARRIAGE_STATS,
            Cap.MARRIAGE_APPOINTMENTS,
            Cap.MARRIAGE_CITYWIDE,
            Cap.MARRIAGE_HOUSEHOLD_REVERT,
        }
    ),
    Role.PLACENAME_OFFICER: frozenset(
        {Cap.PLACENAME_VIEW, Cap.PLACENAME_EDIT, Cap.PLACENAME_APPROVE, Cap.PLACENAME_CONFIGURE}
    ),
    Role.SOCIALORG_OFFICER: frozenset({Cap.SOCIALORG_VIEW, Cap.SOCIALORG_EDIT, Cap.CHARITY_VIEW, Cap.CHARITY_EDIT}),
    Role.ADMIN: frozenset(
        {
            Cap.PEOPLE_VIEW,
            Cap.STAFF_MANAGE,
            Cap.STANDARDS_EDIT,
            Cap.DIVISIONS_CHANGE,
            Cap.PRICE_INDEX_EDIT,
            Cap.ROLES_GRANT,
            Cap.DATACHECK_VIEW,
            Cap.DATACHECK_CONFIGURE,
            Cap.IMPORT_DATA,
            Cap.MONITORING_RUN,
        }
    ),
    Role.SECURITY_OFFICER: frozenset(
        {Cap.ROLES_GRANT, Cap.PRIVILEGED_ROLES_GRANT, Cap.SECURITY_LOG_VIEW, Cap.ACCOUNTS_UNLOCK, Cap.PASSWORDS_RESET}
    ),
    Role.AUDITOR: frozenset({Cap.AUDIT_VIEW, Cap.SECURITY_LOG_VIEW}),
}

# Roles that hold the keys of the system itself: only a security officer grants or removes them.
PRIVILEGED_ROLES = frozenset({Role.ADMIN, Role.SECURITY_OFFICER, Role.AUDITOR})

# Roles that may only read: every unsafe HTTP method is refused to them (a test walks every route).
READ_ONLY_ROLES = frozenset({Role.LEADER, Role.AUDITOR})

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
    Role.SECURITY_OFFICER: frozenset({"city"}),
    Role.AUDITOR: frozenset({"city"}),
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
