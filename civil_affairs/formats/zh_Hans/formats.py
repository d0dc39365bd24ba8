"""Simplified Chinese, with ISO dates first (see ``civil_affairs.formats``)."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403 - Django's own, overridden below

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%n月%j日"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y年%n月%j日 %H:%M",
]
