"""How marriage's records read in a history (``core.history``); imported by ``MarriageConfig.ready``.

An online booking carries both parties' full ID numbers (the office checks them at the counter);
in a history they are masked like every ID number.
"""

from __future__ import annotations

from core import history
from core.idnumbers import mask_id_number

for _field in ("party_a_id_number", "party_b_id_number"):
    history.register_display("marriage.Appointment", _field, lambda value: mask_id_number(str(value or "")))
