"""What payouts writes in its own notes, as people read it (``core.history.register_sentence``).

Imported by ``PayoutsConfig.ready``. A run's timeline keeps the machine's notes as written (the
origin of a request, the computing worker, the exported format and the file's fingerprint;
the reveal log's reason for a bank file): these patterns turn them into sentences in the
reader's language when shown.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core import history
from payouts.models import RunOrigin

history.register_sentence(
    "|".join(RunOrigin.values), lambda m: _("Requested: %(origin)s.") % {"origin": RunOrigin(m.group(0)).label}
)
history.register_sentence(r"seed_demo", lambda m: _("Computed while the demonstration data was loaded."))
history.register_sentence(r"[\w.-]+:\d+", lambda m: _("Computed in the background."))
history.register_sentence(
    r"(csv|xlsx) [0-9a-f]{12}", lambda m: _("Bank file exported (%(format)s).") % {"format": m.group(1).upper()}
)
history.register_sentence(
    r"bank file (csv|xlsx) \((\d+) lines\)",
    lambda m: (
        _("Bank file exported (%(format)s, %(n)s lines): the full bank accounts left the portal.")
        % {"format": m.group(1).upper(), "n": m.group(2)}
    ),
)
