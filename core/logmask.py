"""A logging filter that masks personal numbers in every log line.

Installed on the root handlers in settings.LOGGING: whatever a library or a view logs (a
request path with an ID number, a database error quoting a duplicate key, a traceback), the
line that is written shows 18-character ID numbers as ``370202********1234`` and any run of
eleven or more digits (mobile and fixed phones, bank accounts) with all but its last four
digits starred. Division codes of 12 digits are masked too: a log names them by name.
"""

from __future__ import annotations

import logging
import re

from core.idnumbers import mask_id_number, mask_tail

# An ID number: 17 digits and a digit or X, not part of a longer run of digits.
ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
LONG_DIGITS = re.compile(r"(?<![0-9])[0-9]{11,}(?![0-9])")


def mask_text(text: str) -> str:
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return LONG_DIGITS.sub(lambda m: mask_tail(m.group(0)), text)


class MaskPersonalDataFilter(logging.Filter):
    """Rewrites the record's message (and its traceback) with the numbers masked; never drops a record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the line
            message = str(record.msg)
        record.msg = mask_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
