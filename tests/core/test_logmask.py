"""Every log line has ID numbers, phones and bank accounts masked (core.logmask, settings.LOGGING)."""

from __future__ import annotations

import io
import logging

import pytest

from core.logmask import mask_text

ID = "370202199001011237"
PHONE = "13912345678"
ACCOUNT = "6222021234567890123"


@pytest.mark.parametrize(
    "text,hidden,kept",
    [
        (f"looked up {ID}", ID, "370202********1237"),
        (f"looked up {ID[:-1]}x.", ID[:-1], "1237"[:-1]),
        (f"phone={PHONE}", PHONE, "5678"),
        (f"account {ACCOUNT} paid", ACCOUNT, "0123"),
        (f"Key (id_number)=({ID}) already exists.", ID, "(id_number)"),
    ],
)
def test_mask_text(text, hidden, kept):
    masked = mask_text(text)
    assert hidden not in masked and kept in masked


def test_short_numbers_stay_readable():
    assert mask_text("person 12345 in 370202 at 2026-11-29 10:00:00") == "person 12345 in 370202 at 2026-11-29 10:00:00"


@pytest.fixture
def console():
    """The configured console handler, writing to a buffer."""
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "name", "") == "console")
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    yield buffer
    handler.setStream(old)


def test_the_configured_handler_masks_messages_arguments_and_tracebacks(console):
    log = logging.getLogger("django.request")
    log.warning("Not Found: /people/?q=%s", ID)
    log.error("bank %s phone %s", ACCOUNT, PHONE)
    try:
        raise ValueError(f"duplicate {ID}")
    except ValueError:
        logging.getLogger("people").exception("failed for %s", ID)
    output = console.getvalue()
    for secret in (ID, PHONE, ACCOUNT):
        assert secret not in output
    assert "370202********1237" in output and "Traceback" in output


def test_a_request_that_logs_a_number_writes_it_masked(console, client, caseworker):
    client.force_login(caseworker)
    client.get(f"/people/{ID}/")  # a 404 that django.request logs with the path
    client.get(f"/api/v1/people/?id_number={ID}&phone={PHONE}")
    assert ID not in console.getvalue() and PHONE not in console.getvalue()


def test_gunicorns_access_log_goes_through_the_masking_filter():
    """README's gunicorn command (-c civil_affairs/gunicorn_conf.py): a URL with an ID number is logged masked."""
    import io
    import logging
    import logging.config

    from civil_affairs import gunicorn_conf
    from tests.factories import make_id_number

    number = make_id_number()
    logging.config.dictConfig(gunicorn_conf.logconfig_dict)
    access = logging.getLogger("gunicorn.access")
    stream = io.StringIO()
    try:
        for handler in access.handlers:
            handler.setStream(stream)
        # gunicorn logs its access line as a format string over a dict of atoms.
        access.info('%(h)s "%(r)s" %(s)s', {"h": "10.0.0.1", "r": f"GET /people/?q={number} HTTP/1.1", "s": "200"})
    finally:
        access.handlers.clear()
    line = stream.getvalue()
    assert "/people/?q=" in line and number not in line and number[:6] + "********" + number[-4:] in line
    assert gunicorn_conf.accesslog is None  # gunicorn's own unfiltered handler is not added
