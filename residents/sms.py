"""The SMS gateway one-time codes go through, chosen by the ``SMS_GATEWAY`` setting.

* ``console`` (the default when ``DEBUG`` or a development run): nothing is sent; the server log
  gets ``SMS to 138****5678: 123456`` (the phone masked like every number in the log).
* ``http``: a POST of JSON to ``SMS_HTTP_URL`` — the body is ``SMS_HTTP_BODY`` (a JSON object
  whose string values may name ``{phone}``, ``{code}`` and ``{message}``), with an
  ``Authorization`` header from ``SMS_HTTP_AUTHORIZATION`` when set; any 2xx answer is success.
* any dotted path to a class with ``send(phone, code, message)``.

The message itself is ``SMS_MESSAGE_TEMPLATE`` with ``{code}`` and ``{minutes}``.
"""

from __future__ import annotations

import json
import logging
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from core.idnumbers import mask_phone

logger = logging.getLogger("residents.sms")


class SmsNotSent(Exception):
    """The gateway did not take the message."""


class ConsoleGateway:
    """Development: the code goes to the server log, the phone masked."""

    def send(self, phone: str, code: str, message: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), code)


class HttpGateway:
    """Production: one JSON POST per message to the operator's HTTP interface."""

    def send(self, phone: str, code: str, message: str) -> None:
        url = getattr(settings, "SMS_HTTP_URL", "")
        if not url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("SMS_GATEWAY=http needs SMS_HTTP_URL (https://…).")
        template = json.loads(getattr(settings, "SMS_HTTP_BODY", "") or '{"phone": "{phone}", "text": "{message}"}')
        values = {"phone": phone, "code": code, "message": message}
        body = {key: value.format(**values) if isinstance(value, str) else value for key, value in template.items()}
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting, http(s) only
            url,
            data=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        authorization = getattr(settings, "SMS_HTTP_AUTHORIZATION", "")
        if authorization:
            request.add_header("Authorization", authorization)
        try:
            with urllib.request.urlopen(request, timeout=getattr(settings, "SMS_HTTP_TIMEOUT", 5)) as answer:  # noqa: S310
                if not 200 <= answer.status < 300:
                    raise SmsNotSent(f"gateway answered {answer.status}")
        except OSError as exc:
            logger.error("SMS to %s not sent: %s", mask_phone(phone), exc)
            raise SmsNotSent(str(exc)) from exc


GATEWAYS = {"console": ConsoleGateway, "http": HttpGateway}


def gateway():
    name = getattr(settings, "SMS_GATEWAY", "console")
    cls = GATEWAYS.get(name) or import_string(name)
    return cls()


DEFAULT_MESSAGE = "您的验证码是{code}，{minutes}分钟内有效。请勿告诉他人。"


def message_for(code: str) -> str:
    template = getattr(settings, "SMS_MESSAGE_TEMPLATE", "") or DEFAULT_MESSAGE
    return template.format(code=code, minutes=settings.RESIDENT_CODE_MINUTES)
