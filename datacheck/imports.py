"""The poverty-alleviation office's register (建档立卡贫困户) as an import kind (``imports/``).

One row per household: the head's name and ID number, the community (村/社区) code, the number of
members, the year the household was registered and whether it has been lifted out of poverty
(已脱贫). A household already on the register (the same head's ID number) is updated
(``to_update``); every community must lie in the uploader's area.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.cases import local_today
from core.idnumbers import parse_id_number
from core.models import Division, DivisionLevel
from core.scoping import division_in_scope
from datacheck.models import PovertyHousehold
from imports.kinds import Column, Kind, Report, report_refused_text

FIRST_YEAR = 2013  # 精准扶贫: the register began in 2014 (2013's identification)
MAX_MEMBERS = 30
LIFTED = {"已脱贫": True, "是": True, "yes": True, "1": True, "未脱贫": False, "否": False, "no": False, "0": False}


class PovertyHouseholdsKind(Kind):
    key = "poverty_households"
    label = gettext_lazy("Poverty-registered households (poverty-alleviation office)")
    description = gettext_lazy(
        "One row per household on the poverty-alleviation office's register: the head, the community, "
        "the members, the year registered and whether it has been lifted out of poverty."
    )
    columns = [
        Column("head_name", "户主姓名", example="张三", help=gettext_lazy("the head's name"), is_name=True),
        Column("head_id_number", "户主身份证号", example="370202195001011234", help=gettext_lazy("18 characters")),
        Column("community", "村(社区)代码", example="370202001001", help=gettext_lazy("the community's 12-digit code")),
        Column("members", "家庭人口数", example="3", help=gettext_lazy("a whole number")),
        Column(
            "registered_year", "识别年度", example="2016", help=gettext_lazy("the year the household was registered")
        ),
        Column("lifted", "脱贫状态", example="已脱贫", help=gettext_lazy("已脱贫 or 未脱贫")),
    ]

    def validate(self, *, actor, rows, progress) -> Report:
        report = Report()
        today = local_today()
        communities = set(
            Division.objects.filter(level=DivisionLevel.COMMUNITY, active=True).values_list("code", flat=True)
        )
        seen: dict[str, int] = {}
        plan = []
        for line, cells in rows:
            report.rows += 1
            before = report.error_count
            report_refused_text(report, line, cells)
            name = cells.get("head_name", "").strip()
            if not name:
                report.error(line, "head_name", _("Please enter the name."))
            number = None
            try:
                number = parse_id_number(cells.get("head_id_number", ""), today=today).number
            except ValidationError as exc:
                report.error(line, "head_id_number", exc.messages[0])
            if number is not None:
                first = seen.setdefault(number, line)
                if first != line:
                    report.error(
                        line, "head_id_number", _("The same ID number is already on line %(n)d.") % {"n": first}
                    )
            code = cells.get("community", "").strip()
            if code not in communities:
                report.error(line, "community", _("Not a community of the city."))
            elif not division_in_scope(actor, code):
                report.error(line, "community", _("This community is outside your area."))
            members_text = cells.get("members", "").strip().removesuffix(".0")
            if not members_text.isdigit() or not 1 <= int(members_text) <= MAX_MEMBERS:
                report.error(line, "members", _("Give the number of members, 1 to %(max)d.") % {"max": MAX_MEMBERS})
            year_text = cells.get("registered_year", "").strip().removesuffix(".0")
            if not year_text.isdigit() or not FIRST_YEAR <= int(year_text) <= today.year:
                report.error(
                    line,
                    "registered_year",
                    _("Give the year registered, %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": today.year},
                )
            lifted = LIFTED.get(cells.get("lifted", "").strip().lower())
            if lifted is None:
                report.error(line, "lifted", _("Write 已脱贫 (lifted out of poverty) or 未脱贫 (not yet)."))
            if report.error_count == before:
                plan.append((number, name, code, int(members_text), int(year_text), lifted))
        progress(0.8)
        numbers = [row[0] for row in plan]
        report.to_update = PovertyHousehold.objects.filter(head_id_number__in=numbers).count()
        report.to_create = len(plan) - report.to_update
        report.summary = {"households": len(plan), "members": sum(row[3] for row in plan)}
        if not report.error_count:
            report.plan = plan
        return report

    def write(self, *, actor, job, report: Report) -> None:
        PovertyHousehold.objects.bulk_create(
            [
                PovertyHousehold(
                    head_id_number=number,
                    head_name=name,
                    community_id=code,
                    members=members,
                    registered_year=year,
                    lifted=lifted,
                    imported_by=actor,
                )
                for number, name, code, members, year, lifted in report.plan
            ],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["head_id_number"],
            update_fields=[
                "head_name",
                "community",
                "members",
                "registered_year",
                "lifted",
                "imported_by",
                "imported_at",
            ],
        )
