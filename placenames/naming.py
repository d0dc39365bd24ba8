"""Checks on a proposed road name, and its pinyin (pypinyin, wrapped here once).

A name is refused when it is too short or long, has characters other than Chinese characters
and digits, contains a banned word (``BannedWord``, configurable) or is already a current
name in the city's gazetteer (409 ``name_taken``). It is accepted with warnings when a road
or an open application has the same pinyin ignoring tones (a homophone), when an open
application proposes the same name, or when it does not end in a road generic (路, 街…).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from core.errors import Conflict, InvalidInput

MIN_LENGTH = 2
MAX_LENGTH = 20
NOTICE_DAYS = getattr(settings, "PLACENAME_NOTICE_DAYS", 30)

# Road generics (通名), longest first, and the direction words that join them (香港中路 → Xianggang Zhonglu).
GENERICS = ("高速公路", "大道", "大街", "公路", "胡同", "路", "街", "巷", "里", "道", "线")
DIRECTIONS = "东西南北中"
_NAME_CHARS = re.compile(r"^[\u4e00-\u9fff0-9]+$")


@dataclass
class NameCheck:
    name: str
    pinyin: str
    pinyin_key: str
    warnings: list[dict] = field(default_factory=list)


def normalize_name(value: str) -> str:
    """Full-width digits to ASCII, spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or ""))


def pinyin_key(name: str) -> str:
    """The pinyin without tones, as one lowercase word: 长江路 → changjianglu (homophones share it)."""
    return "".join(lazy_pinyin(name, style=Style.NORMAL)).lower()


def split_generic(name: str) -> tuple[str, str]:
    for generic in GENERICS:
        if name.endswith(generic) and len(name) > len(generic):
            specific = name[: -len(generic)]
            if len(specific) > 2 and specific[-1] in DIRECTIONS:
                return specific[:-1], specific[-1] + generic
            return specific, generic
    return name, ""


def romanize(name: str) -> str:
    """The name in pinyin as signs write it (GB/T 17733 style): 香港中路 → Xianggang Zhonglu."""
    specific, generic = split_generic(name)
    parts = ["".join(lazy_pinyin(specific)).capitalize()]
    if generic:
        parts.append("".join(lazy_pinyin(generic)).capitalize())
    return " ".join(parts)


def has_generic(name: str) -> bool:
    return any(name.endswith(g) and len(name) > len(g) for g in GENERICS)


def check_name(
    name: str, *, field_name: str, exclude_application_id: int | None = None, check_banned: bool = True
) -> NameCheck:
    """Refuse a name that breaks a rule; return it with pinyin and warnings otherwise."""
    from placenames.models import OPEN_STATUSES, BannedWord, NamingApplication, Road, RoadStatus

    name = normalize_name(name)
    if not name:
        raise InvalidInput(_("Please enter the name."), field=field_name)
    if not MIN_LENGTH <= len(name) <= MAX_LENGTH:
        raise InvalidInput(
            _("A road name has %(min)d to %(max)d characters (this has %(count)d).")
            % {"min": MIN_LENGTH, "max": MAX_LENGTH, "count": len(name)},
            field=field_name,
        )
    if not _NAME_CHARS.match(name):
        raise InvalidInput(_("A road name is written in Chinese characters and digits only."), field=field_name)
    banned = []
    if check_banned:
        banned = [w for w in BannedWord.objects.filter(active=True).values_list("word", flat=True) if w in name]
    if banned:
        raise InvalidInput(
            _("The name contains a word not allowed in place names: %(words)s.") % {"words": "、".join(banned)},
            field=field_name,
        )
    taken = Road.objects.filter(name=name, status=RoadStatus.CURRENT).select_related("district").first()
    if taken is not None:
        raise Conflict(
            _("%(name)s is already a road in the gazetteer (%(district)s).")
            % {"name": name, "district": taken.district.name},
            code="name_taken",
        )
    key = pinyin_key(name)
    warnings: list[dict] = []
    for road in Road.objects.filter(pinyin_key=key, status=RoadStatus.CURRENT).select_related("district")[:20]:
        warnings.append({"code": "homophone", "name": road.name, "district": road.district.name})
    open_apps = NamingApplication.objects.filter(status__in=OPEN_STATUSES, pinyin_key=key).select_related("district")
    if exclude_application_id:
        open_apps = open_apps.exclude(pk=exclude_application_id)
    for app in open_apps[:20]:
        code = "pending_same_name" if app.proposed_name == name else "pending_homophone"
        warnings.append({"code": code, "name": app.proposed_name, "district": app.district.name})
    if not has_generic(name):
        warnings.append({"code": "no_generic", "name": name, "district": ""})
    return NameCheck(name=name, pinyin=romanize(name), pinyin_key=key, warnings=warnings)


def warning_messages(warnings: list[dict]) -> list[str]:
    """The warnings in the reader's language."""
    messages = []
    for warning in warnings or []:
        code = warning.get("code")
        values = {"name": warning.get("name", ""), "district": warning.get("district", "")}
        if code == "homophone":
            messages.append(_("Same pinyin as %(name)s (%(district)s): a homophone.") % values)
        elif code == "pending_same_name":
            messages.append(_("An open application (%(district)s) proposes the same name.") % values)
        elif code == "pending_homophone":
            messages.append(_("Same pinyin as %(name)s, proposed in an open application (%(district)s).") % values)
        elif code == "no_generic":
            messages.append(_("The name does not end in a road generic (路, 街, 大道, 巷…)."))
    return messages
