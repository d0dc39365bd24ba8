"""The volunteer platform's periodic extract as an import kind (``imports/``): one row per district.

Columns: the district's code, the date the platform counted, the registered volunteers. A second
extract for the same district and date replaces the count (``to_update``); the dashboard reads each
district's latest count on or before the end of the period it shows.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charity.models import VolunteerCount
from core.cases import local_today
from core.models import Division, DivisionLevel
from core.scoping import division_in_scope
from imports.kinds import Column, Kind, Report

MAX_VOLUNTEERS = 20_000_000


class VolunteersKind(Kind):
    key = "volunteers"
    label = gettext_lazy("Registered volunteers per district (volunteer platform)")
    description = gettext_lazy("One row per district: the registered volunteers on the platform's date.")
    columns = [
        Column("district", "区市代码", example="370202", help=gettext_lazy("the district's 6-digit code")),
        Column("as_of", "统计日期", example="2020-06-30", help=gettext_lazy("the date the platform counted")),
        Column("registered", "注册志愿者人数", example="132620", help=gettext_lazy("a whole number")),
    ]

    def validate(self, *, actor, rows, progress) -> Report:
        report = Report()
        districts = {d.code for d in Division.objects.filter(level=DivisionLevel.DISTRICT, active=True).only("code")}
        today = local_today()
        seen: dict[tuple[str, datetime.date], int] = {}
        plan = []
        for line, cells in rows:
            report.rows += 1
            code = cells.get("district", "").strip()
            if code not in districts:
                report.error(line, "district", _("Not a district of the city."))
                continue
            if not division_in_scope(actor, code):
                report.error(line, "district", _("This district is outside your area."))
                continue
            try:
                as_of = datetime.date.fromisoformat(cells.get("as_of", "").strip()[:10])
            except ValueError:
                report.error(line, "as_of", _("Give the date as YYYY-MM-DD."))
                continue
            if as_of > today:
                report.error(line, "as_of", _("The date cannot be in the future."))
                continue
            text = cells.get("registered", "").strip().replace(",", "")
            if text.endswith(".0"):
                text = text[:-2]
            if not text.isdigit() or int(text) > MAX_VOLUNTEERS:
                report.error(line, "registered", _("Give a whole number of volunteers."))
                continue
            key = (code, as_of)
            if key in seen:
                report.error(
                    line, "district", _("The same district and date are already on line %(n)d.") % {"n": seen[key]}
                )
                continue
            seen[key] = line
            plan.append((code, as_of, int(text)))
        progress(0.8)
        existing = set()
        for code, as_of, _n in plan:
            existing.add((code, as_of))
        found = set(
            VolunteerCount.objects.filter(district_id__in={c for c, _d, _n in plan}).values_list("district_id", "as_of")
        )
        report.to_update = len(existing & found)
        report.to_create = len(plan) - report.to_update
        report.summary = {"volunteers": sum(n for _c, _d, n in plan)}
        if not report.error_count:
            report.plan = plan
        return report

    def write(self, *, actor, job, report: Report) -> None:
        VolunteerCount.objects.bulk_create(
            [VolunteerCount(district_id=c, as_of=d, registered=n, imported_by=actor) for c, d, n in report.plan],
            update_conflicts=True,
            unique_fields=["district", "as_of"],
            update_fields=["registered", "imported_by", "imported_at"],
        )
