"""How residents read as the actor of a history row (``core.history``); imported by ``ResidentsConfig.ready``.

What a resident writes (an online application, a marriage booking, a withdrawal, a cancellation) is
recorded with ``resident=<id>`` in the history context (``residents.services._resident_context``,
``marriage.services``; every request of a resident's token or site session carries it too). A history
names that resident the way every page shows a phone: 居民 138****1234 (网上), never the id, the token
or the inactive ``online`` account the records are filed under.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core import history
from core.idnumbers import mask_phone


def resident_names(ids: set) -> dict[str, str]:
    from residents.models import Resident

    pks = [int(i) for i in ids if str(i).isdigit()]
    names = {
        str(pk): _("Resident %(phone)s (online)") % {"phone": mask_phone(phone)}
        for pk, phone in Resident.objects.filter(pk__in=pks).values_list("pk", "phone")
    }
    names[""] = _("A resident (online)")  # an id no longer known (a closed account removed)
    return names


history.register_context_actor("resident", resident_names)
