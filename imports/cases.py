"""Kinds ``dibao``, ``tekun``, ``orphan``, ``disability_living``, ``disability_nursing``: existing cases.

A bureau adopting the portal brings the cases already in payment. One row per case, the
holder named by ID number (dibao: the household head's); the person (and, for dibao, the
household) must already be registered (import the households first). Each imported case is
``active`` from its ``start_month``, opened on its timeline as imported (the import named),
with the same rules as an application: the holder inside the uploader's geography and alive,
no open case of the kind already (in the database or twice in the file), the scheme's own
conditions (dibao: a household head, an income ≥ 0; orphans: under 18; living subsidy: a
member of a household with active dibao; nursing subsidy: grade 1 or 2; certificates: the
holder's ID number, type and grade digits, not another person's).

Writing is set-based: the cases with ``bulk_create`` in batches, their timeline events
likewise, dibao's covered members with one ``INSERT … SELECT`` from the household's members.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.cases import OPEN_ACTION, OPEN_STATUSES, ApprovalLevel, CaseEvent, CaseStatus, current_month, local_today
from core.errors import InvalidInput
from core.idnumbers import parse_id_number
from core.money import parse_money
from core.roles import Cap
from core.scoping import scope_prefix
from imports.kinds import Changed, Column, Kind, Report, chunks, execute, fetch, report_refused_text
from people.models import AreaType, Relationship
from relief.models import CareLevel, DibaoCase, DibaoMember, Placement, TekunCase
from welfare import rules as welfare_rules
from welfare.models import DisabilityCertificate, DisabilitySubsidyCase, OrphanCase, OrphanCategory, SubsidyKind

BATCH = 2_000
_MONTH = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})月?(?:[-/.]\d{1,2}日?)?$")

CARE_LEVELS = {v: v for v in CareLevel.values} | {
    "全自理": CareLevel.FULL,
    "具备生活自理能力": CareLevel.FULL,
    "部分自理": CareLevel.PARTIAL,
    "部分丧失生活自理能力": CareLevel.PARTIAL,
    "完全不能自理": CareLevel.NONE,
    "完全丧失生活自理能力": CareLevel.NONE,
}
PLACEMENTS = {v: v for v in Placement.values} | {
    "集中供养": Placement.INSTITUTION,
    "集中": Placement.INSTITUTION,
    "分散供养": Placement.HOME,
    "分散": Placement.HOME,
}
ORPHAN_CATEGORIES = {v: v for v in OrphanCategory.values} | {
    "机构养育": OrphanCategory.INSTITUTION,
    "机构": OrphanCategory.INSTITUTION,
    "社会散居": OrphanCategory.COMMUNITY,
    "散居": OrphanCategory.COMMUNITY,
}

ID_COLUMN = Column("id_number", "公民身份号码", example="370202199001011237", help=gettext_lazy("the holder's"))
START_COLUMN = Column(
    "start_month", "开始发放月份", example="2020-01", help=gettext_lazy("the first month paid, YYYY-MM")
)


def parse_start_month(text: str) -> datetime.date:
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1990:
        raise InvalidInput(_("Give the first month paid as YYYY-MM, e.g. 2020-04."), field="start_month")
    month = datetime.date(int(match.group(1)), int(match.group(2)), 1)
    if month > current_month():
        raise InvalidInput(_("The first month paid cannot be in the future."), field="start_month")
    return month


@dataclass
class Holder:
    number: str
    pk: int
    name: str
    division: str
    death_date: datetime.date | None
    birth_date: datetime.date
    household_id: int | None = None
    relationship: str = ""
    area_type: str = ""


@dataclass
class Context:
    prefix: str
    holders: dict[str, Holder] = field(default_factory=dict)
    open_keys: set = field(default_factory=set)
    extra: dict = field(default_factory=dict)


class CaseKind(Kind):
    """Cases already in payment. They pay from the next run, so they pass the same four eyes as a
    case (issue 22 §1): the file is committed by an approver of the benefit (``approver_caps``,
    the district's), never by who uploaded it; each case records the uploader as its submitter
    and the committing approver as its approver (``approved_by``, level "district")."""

    model = None
    approver_caps: frozenset = frozenset()
    specific: list[Column] = []
    holder_missing = gettext_lazy("No one with this ID number is registered; import the households first.")

    @property
    def columns(self):  # type: ignore[override]
        return [ID_COLUMN, *self.specific, START_COLUMN]

    # --- hooks ----------------------------------------------------------------------------------

    def open_key(self, holder: Holder):
        """What at most one open case may exist for (the person; dibao: the household)."""
        return holder.pk

    def open_keys(self, keys: list) -> set:
        found = set()
        for part in chunks(keys):
            found.update(
                self.model.objects.filter(status__in=OPEN_STATUSES, person_id__in=part).values_list(
                    "person_id", flat=True
                )
            )
        return found

    def prepare(self, ctx: Context) -> None:
        """Further set-based lookups for the kind's rules."""

    def check(self, report: Report, line: int, cells: dict, holder: Holder, ctx: Context) -> dict | None:
        """The case's own fields for a good row (``None`` after reporting an error)."""
        raise NotImplementedError

    # --- validate -------------------------------------------------------------------------------

    def validate(self, *, actor, rows, progress) -> Report:
        report = Report()
        rows = list(rows)
        progress(0.2)
        numbers: dict[str, int] = {}
        parsed: list[tuple[int, dict, str | None]] = []
        for line, cells in rows:
            report.rows += 1
            report_refused_text(report, line, cells)
            raw = cells.get("id_number", "").upper().replace(" ", "")
            try:
                number = parse_id_number(raw).number
            except ValidationError as exc:
                report.error(line, "id_number", exc.messages[0])
                number = None
            if number is not None:
                first = numbers.setdefault(number, line)
                if first != line:
                    report.error(line, "id_number", _("The same person is already on line %(n)d.") % {"n": first})
                    number = None
            parsed.append((line, cells, number))
        ctx = Context(prefix=scope_prefix(actor) or "\x00")
        ctx.holders = self._holders([n for _l, _c, n in parsed if n])
        ctx.open_keys = self.open_keys(list({self.open_key(h) for h in ctx.holders.values()} - {None}))
        self.prepare(ctx)
        progress(0.5)
        plan = []
        seen_keys: dict = {}
        for line, cells, number in parsed:
            entry = self._plan_row(report, line, cells, number, ctx=ctx, seen_keys=seen_keys)
            if entry is not None:
                plan.append(entry)
        report.to_create = len(plan)
        if not report.error_count:
            report.plan = plan
        return report

    def _holder(self, report: Report, line: int, number: str | None, ctx: Context) -> Holder | None:
        """The registered, living holder inside the uploader's area (else the reason is reported)."""
        if number is None:
            return None
        holder = ctx.holders.get(number)
        if holder is None:
            report.error(line, "id_number", self.holder_missing)
        elif not holder.division.startswith(ctx.prefix):
            report.error(line, "id_number", _("This person is registered outside your area."))
        elif holder.death_date is not None:
            report.error(line, "id_number", _("%(name)s is recorded as deceased.") % {"name": holder.name})
        else:
            return holder
        return None

    def _plan_row(self, report: Report, line: int, cells: dict, number: str | None, *, ctx: Context, seen_keys: dict):
        """``(line, holder, start month, the case's fields)`` for a good row; errors reported otherwise."""
        try:
            start = parse_start_month(cells.get("start_month", ""))
        except InvalidInput as exc:
            report.error(line, "start_month", exc.message)
            start = None
        holder = self._holder(report, line, number, ctx)
        if holder is None:
            return None
        values = self.check(report, line, cells, holder, ctx)
        key = self.open_key(holder)
        if key in ctx.open_keys:
            report.error(line, "id_number", _("There is already an open case of this kind; nothing to import."))
            return None
        if key is not None and seen_keys.setdefault(key, line) != line:
            report.error(line, "id_number", _("The same case is already on line %(n)d.") % {"n": seen_keys[key]})
            return None
        if values is None or start is None:
            return None
        return line, holder, start, values

    @staticmethod
    def _holders(numbers: list[str]) -> dict[str, Holder]:
        holders = {}
        for part in chunks(numbers):
            for number, pk, name, division, death, birth, household, relationship, area in fetch(
                "SELECT p.id_number, p.id, p.name, p.division_id, p.death_date, p.birth_date, m.household_id, "
                "m.relationship, h.area_type FROM people_person p "
                "LEFT JOIN people_householdmember m ON m.person_id = p.id "
                "LEFT JOIN people_household h ON h.id = m.household_id WHERE p.id_number = ANY(%s)",
                [part],
            ):
                holders[number] = Holder(
                    number, pk, name, division, death, birth, household, relationship or "", area or ""
                )
        return holders

    # --- write ----------------------------------------------------------------------------------

    def instance(self, holder: Holder, start: datetime.date, values: dict, actor, now):
        return self.model(
            person_id=holder.pk,
            status=CaseStatus.ACTIVE,
            start_month=start,
            created_by=actor,
            approved_at=now,
            **values,
        )

    def after(self, cases: list, plan: list, actor) -> None:
        """What else the kind writes for its new cases (set-based)."""

    def write(self, *, actor, job, report: Report) -> None:
        now = timezone.now()
        plan = report.plan
        cases = [self.instance(holder, start, values, actor, now) for _line, holder, start, values in plan]
        for case in cases:  # submitted by the uploader, approved by the approver who commits the file
            case.created_by_id = job.created_by_id
            case.approved_by = actor
            case.approval_level = ApprovalLevel.DISTRICT
        self.before(cases, plan, actor)
        made = self.model.objects.bulk_create(cases, batch_size=BATCH)
        if len(made) != len(plan):  # pragma: no cover - bulk_create returns every row or raises
            raise Changed(_("Not every case could be written; nothing was written."))
        case_type = ContentType.objects.get_for_model(self.model)
        note = _("Imported as a case already in payment (import %(id)d, %(file)s).") % {
            "id": job.pk,
            "file": job.file_name[:100],
        }
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    case_type=case_type,
                    case_id=case.pk,
                    action=OPEN_ACTION,
                    from_state="",
                    to_state=CaseStatus.ACTIVE,
                    actor=actor,
                    at=now,
                    note=note,
                )
                for case in made
            ],
            batch_size=BATCH,
        )
        self.after(made, plan, actor)
        report.summary = {"cases_created": len(made)}

    def before(self, cases: list, plan: list, actor) -> None:
        """What the kind writes before its cases (certificates)."""


# --- dibao ---------------------------------------------------------------------------------------


class DibaoKind(CaseKind):
    key = "dibao"
    model = DibaoCase
    approver_caps = frozenset({Cap.RELIEF_APPROVE_DISTRICT})
    label = gettext_lazy("Existing dibao cases")
    description = gettext_lazy(
        "One row per household in payment, named by its head's ID number; every living member is covered."
    )
    holder_missing = gettext_lazy("No one with this ID number is registered; import the households first.")
    specific = [
        Column("monthly_income", "家庭月收入", example="800.00", help=gettext_lazy("the household's, per month")),
    ]

    def open_key(self, holder: Holder):
        return holder.household_id

    def open_keys(self, keys: list) -> set:
        found = set()
        for part in chunks(keys):
            found.update(
                DibaoCase.objects.filter(status__in=OPEN_STATUSES, household_id__in=part).values_list(
                    "household_id", flat=True
                )
            )
        return found

    def prepare(self, ctx: Context) -> None:
        households = [h.household_id for h in ctx.holders.values() if h.household_id]
        living = {}
        for part in chunks(households):
            for household, count in fetch(
                "SELECT m.household_id, count(*) FROM people_householdmember m JOIN people_person p "
                "ON p.id = m.person_id WHERE p.death_date IS NULL AND m.household_id = ANY(%s) GROUP BY 1",
                [part],
            ):
                living[household] = count
        ctx.extra["living"] = living

    def check(self, report, line, cells, holder, ctx):
        if holder.household_id is None or holder.relationship != Relationship.HEAD:
            report.error(
                line, "id_number", _("%(name)s is not the head of a registered household.") % {"name": holder.name}
            )
            return None
        try:
            income = parse_money(cells.get("monthly_income", ""), field="monthly_income", label=_("The monthly income"))
        except InvalidInput as exc:
            report.error(line, "monthly_income", exc.message)
            return None
        members = ctx.extra["living"].get(holder.household_id, 0)
        if not members:
            report.error(line, "id_number", _("The household has no living member to cover."))
            return None
        return {"monthly_income": income, "members_count": members}

    def instance(self, holder, start, values, actor, now):
        return DibaoCase(
            household_id=holder.household_id,
            status=CaseStatus.ACTIVE,
            start_month=start,
            created_by=actor,
            approved_at=now,
            **values,
        )

    def after(self, cases, plan, actor) -> None:
        table, member = DibaoCase._meta.db_table, DibaoMember._meta.db_table
        ids = [c.pk for c in cases]
        for part in chunks(ids):
            execute(
                f"INSERT INTO {member} (case_id, person_id, relationship, disabled) "  # noqa: S608 - table names are ours
                f"SELECT c.id, m.person_id, m.relationship, false FROM {table} c "
                "JOIN people_householdmember m ON m.household_id = c.household_id "
                "JOIN people_person p ON p.id = m.person_id AND p.death_date IS NULL WHERE c.id = ANY(%s)",
                [part],
            )


# --- tekun ---------------------------------------------------------------------------------------


class TekunKind(CaseKind):
    key = "tekun"
    approver_caps = frozenset({Cap.RELIEF_APPROVE_DISTRICT})
    model = TekunCase
    label = gettext_lazy("Existing tekun cases")
    specific = [
        Column("care_level", "生活自理能力", example="全自理", help=gettext_lazy("全自理, 部分自理 or 完全不能自理")),
        Column(
            "placement", "供养方式", example="分散供养", help=gettext_lazy("集中供养 (institution) or 分散供养 (home)")
        ),
        Column("institution", "供养机构", required=False, example="", help=gettext_lazy("for 集中供养")),
    ]

    def check(self, report, line, cells, holder, ctx):
        care = CARE_LEVELS.get(cells.get("care_level", ""))
        placement = PLACEMENTS.get(cells.get("placement", ""))
        institution = cells.get("institution", "")
        ok = True
        if care is None:
            report.error(line, "care_level", _("Write 全自理, 部分自理 or 完全不能自理."))
            ok = False
        if placement is None:
            report.error(line, "placement", _("Write 集中供养 or 分散供养."))
            ok = False
        if len(institution) > 100:
            report.error(line, "institution", _("At most %(limit)d characters.") % {"limit": 100})
            ok = False
        if not ok:
            return None
        area = holder.area_type if holder.area_type in AreaType.values else AreaType.URBAN
        return {"care_level": care, "placement": placement, "institution": institution, "area_type": area}


# --- orphans -------------------------------------------------------------------------------------


class OrphanKind(CaseKind):
    key = "orphan"
    model = OrphanCase
    approver_caps = frozenset({Cap.WELFARE_APPROVE})
    label = gettext_lazy("Existing orphans' allowance cases")
    specific = [
        Column(
            "category",
            "养育方式",
            example="社会散居",
            help=gettext_lazy("机构养育 (institution) or 社会散居 (community)"),
        ),
        Column("guardian", "监护人", required=False, example="王芳", is_name=True),
        Column("guardian_relationship", "监护人与儿童关系", required=False, example="祖母"),
        Column("institution", "养育机构", required=False, example=""),
    ]

    def check(self, report, line, cells, holder, ctx):
        category = ORPHAN_CATEGORIES.get(cells.get("category", ""))
        ok = True
        if category is None:
            report.error(line, "category", _("Write 机构养育 or 社会散居."))
            ok = False
        for name, limit in (("guardian", 50), ("guardian_relationship", 20), ("institution", 100)):
            if len(cells.get(name, "")) > limit:
                report.error(line, name, _("At most %(limit)d characters.") % {"limit": limit})
                ok = False
        if welfare_rules.orphan_age_limit_reached(holder.birth_date, local_today()):
            report.error(
                line, "id_number", _("%(name)s is 18 or older: the allowance is for children.") % {"name": holder.name}
            )
            ok = False
        if not ok:
            return None
        return {
            "category": category,
            "guardian_name": cells.get("guardian", ""),
            "guardian_relationship": cells.get("guardian_relationship", ""),
            "institution": cells.get("institution", ""),
        }


# --- disability subsidies ------------------------------------------------------------------------


class DisabilityKind(CaseKind):
    model = DisabilitySubsidyCase
    approver_caps = frozenset({Cap.WELFARE_APPROVE})
    subsidy = SubsidyKind.LIVING
    specific = [
        Column(
            "certificate_number",
            "残疾人证号",
            example="37020219900101123711",
            help=gettext_lazy("20 characters: the ID number, the type (1–7) and the grade (1–4)"),
        ),
    ]

    def open_keys(self, keys: list) -> set:
        found = set()
        for part in chunks(keys):
            found.update(
                DisabilitySubsidyCase.objects.filter(
                    status__in=OPEN_STATUSES, kind=self.subsidy, person_id__in=part
                ).values_list("person_id", flat=True)
            )
        return found

    def prepare(self, ctx: Context) -> None:
        people = [h.pk for h in ctx.holders.values()]
        certificates = {}
        for part in chunks(people):
            for pk, person, number in DisabilityCertificate.objects.filter(person_id__in=part).values_list(
                "pk", "person_id", "number"
            ):
                certificates[person] = (pk, number)
        ctx.extra["certificates"] = certificates
        households = [h.household_id for h in ctx.holders.values() if h.household_id]
        active = set()
        for part in chunks(households):
            active.update(
                DibaoCase.objects.filter(status=CaseStatus.ACTIVE, household_id__in=part).values_list(
                    "household_id", flat=True
                )
            )
        ctx.extra["dibao"] = active

    def check(self, report, line, cells, holder, ctx):
        number = cells.get("certificate_number", "")
        try:
            parsed = welfare_rules.parse_certificate_number(number)
        except ValidationError as exc:
            report.error(line, "certificate_number", exc.messages[0])
            return None
        if parsed.id_number != holder.number:
            report.error(
                line,
                "certificate_number",
                _("The certificate number does not begin with %(name)s's ID number.") % {"name": holder.name},
            )
            return None
        current = ctx.extra["certificates"].get(holder.pk)
        if current is not None and current[1] != parsed.number:
            report.error(
                line,
                "certificate_number",
                _("%(name)s has another certificate on record (%(number)s); record the re-assessment first.")
                % {"name": holder.name, "number": current[1][:18] + "…"},
            )
            return None
        household = None
        if self.subsidy == SubsidyKind.LIVING:
            if holder.household_id not in ctx.extra["dibao"]:
                report.error(
                    line,
                    "id_number",
                    _("%(name)s is not a member of a household with active dibao.") % {"name": holder.name},
                )
                return None
            household = holder.household_id
        elif not welfare_rules.nursing_eligible_grade(parsed.grade):
            report.error(
                line,
                "certificate_number",
                _("The nursing subsidy is for disability grades 1 and 2; this certificate is grade %(grade)d.")
                % {"grade": parsed.grade},
            )
            return None
        return {"certificate": parsed, "certificate_id": current[0] if current else None, "household_id": household}

    def before(self, cases, plan, actor) -> None:
        new = {}
        for _line, holder, _start, values in plan:
            if values["certificate_id"] is None:
                parsed = values["certificate"]
                new[holder.pk] = DisabilityCertificate(
                    person_id=holder.pk,
                    number=parsed.number,
                    disability_type=parsed.disability_type,
                    grade=parsed.grade,
                    created_by=actor,
                )
        made = {
            c.person_id: c.pk for c in DisabilityCertificate.objects.bulk_create(list(new.values()), batch_size=BATCH)
        }
        for case, (_line, holder, _start, values) in zip(cases, plan, strict=True):
            case.certificate_id = values["certificate_id"] or made[holder.pk]

    def instance(self, holder, start, values, actor, now):
        return DisabilitySubsidyCase(
            person_id=holder.pk,
            kind=self.subsidy,
            household_id=values["household_id"],
            status=CaseStatus.ACTIVE,
            start_month=start,
            created_by=actor,
            approved_at=now,
        )


class DisabilityLivingKind(DisabilityKind):
    key = "disability_living"
    subsidy = SubsidyKind.LIVING
    label = gettext_lazy("Existing living subsidies for people with disabilities")


class DisabilityNursingKind(DisabilityKind):
    key = "disability_nursing"
    subsidy = SubsidyKind.NURSING
    label = gettext_lazy("Existing nursing subsidies for people with severe disabilities")


CASE_KINDS = [DibaoKind(), TekunKind(), OrphanKind(), DisabilityLivingKind(), DisabilityNursingKind()]
