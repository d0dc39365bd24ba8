"""Who may do what with people and households: rules for ``core.permissions.can``.

Imported by ``PeopleConfig.ready``. Pages ask ``can`` which buttons to show (register a
person, edit, record a death, reveal, the household's members); the services ``require_can``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core import permissions
from core.errors import Conflict
from core.roles import Cap
from people.models import Household, HouseholdMember, Person


@permissions.rule(Person, "record_death", caps=[Cap.PEOPLE_EDIT])
def _alive(actor, person) -> bool:
    """A death is recorded once (409 ``already_deceased`` again)."""
    if person is not None and person.death_date is not None:
        raise Conflict(
            _("%(name)s is already recorded as deceased (%(date)s).")
            % {"name": person.name, "date": person.death_date.isoformat()},
            code="already_deceased",
        )
    return True


permissions.register(Person, "create", caps=[Cap.PEOPLE_EDIT])
permissions.register(Person, "edit", caps=[Cap.PEOPLE_EDIT])
permissions.register(Person, "reveal", caps=[Cap.PEOPLE_REVEAL])
permissions.register(Household, "create", caps=[Cap.HOUSEHOLD_EDIT])
permissions.register(Household, "edit", caps=[Cap.HOUSEHOLD_EDIT])
permissions.register(Household, "add_member", caps=[Cap.HOUSEHOLD_EDIT])
permissions.register(Household, "reveal_bank", caps=[Cap.BANK_REVEAL])
# The household's income as found out outside a case (a visit, a refused application): case staff.
permissions.register(Household, "record_means", caps=[Cap.HOUSEHOLD_EDIT])


@permissions.rule(HouseholdMember, "remove", caps=[Cap.HOUSEHOLD_EDIT])
def _not_the_head(actor, member) -> bool:
    """The head stays (a household always has one): another member is made head first (409)."""
    if member is not None and member.relationship == "head":
        raise Conflict(_("The head cannot be removed; make another member head first."), code="head_required")
    return True
