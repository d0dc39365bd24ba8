"""Household income and expenses as an import kind (``imports/``), without opening a case (issue 20).

"A household's income and expenses can be recorded without opening a dibao case (a visit, an
earlier refused application, an online application, an import)": one row per household and month,
the household named by the ID number of its head or any member already registered; the month's
total income (``people.HouseholdMeans``, found out at an import, as of the month's first day) and
what it spent on medical care, education and other needs (``monitoring.HouseholdExpense``). These are
the very records the low-income tiers read (``monitoring.selectors._figures_sql``: the latest income
as of the month, the month's rigid expenses), so the next list and the next monthly run see them.

Checked before anything is written, every row against the database as it is: the household must be
in the uploader's area (a household elsewhere reads like one not registered: nothing is disclosed),
one row per household and month, a month already begun, amounts as money; an expense of a kind the
household already has for that month is refused (the records are append-only and the tier sums the
month's expenses: importing the same file twice must not double them). All rows or none.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.cases import current_month, local_today, parse_month
from core.errors import InvalidInput
from core.idnumbers import parse_id_number
from core.money import parse_money
from core.roles import Cap
from core.scoping import division_in_scope
from imports.kinds import Column, Kind, Report, report_refused_text
from monitoring.models import ExpenseKind, HouseholdExpense
from people.models import HouseholdMeans, HouseholdMember, MeansOccasion

NOTE_MAX = 500
EXPENSE_COLUMNS = (("medical", ExpenseKind.MEDICAL), ("education", ExpenseKind.EDUCATION), ("other", ExpenseKind.OTHER))
_FULL_DATE = re.compile(r"^([0-9]{4})[-/.]([0-9]{1,2})[-/.][0-9]{1,2}(?:[ T].*)?$")


def _month(text: str) -> datetime.date:
    """``2020-06``, ``2020/06`` or a date of the month (a spreadsheet's date cell): the month's first day."""
    text = (text or "").strip()
    full = _FULL_DATE.match(text)
    if full:
        text = f"{full.group(1)}-{int(full.group(2)):02d}"
    return parse_month(text.replace("/", "-").replace(".", "-"), field="month")


class HouseholdFinancesKind(Kind):
    key = "household_finances"
    label = gettext_lazy("Household income and expenses (no case needed)")
    description = gettext_lazy(
        "One row per household and month: the ID number of the head or of any registered member, the month, "
        "the household's total monthly income, and what it spent on medical care, education and other needs. "
        "Recorded without opening a case; the low-income tiers (dibao-marginal, expenditure hardship) read them."
    )
    # Recording a household's income and its expenses: whoever imports must hold both (caseworkers,
    # approvers), not only the import capability (the system administrator has that one alone).
    required_caps = frozenset({Cap.HOUSEHOLD_EDIT, Cap.MONITORING_RECORD})
    columns = [
        Column(
            "id_number",
            "身份证号",
            example="370202195001011234",
            help=gettext_lazy("the ID number of the household's head or of a member already registered"),
        ),
        Column("month", "月份", example="2020-06", help=gettext_lazy("the month, YYYY-MM (not a month to come)")),
        Column(
            "monthly_income",
            "家庭月收入",
            required=False,
            example="2000.00",
            help=gettext_lazy("the household's total income that month, yuan; empty: not recorded"),
        ),
        Column(
            "medical",
            "医疗支出",
            required=False,
            example="800.00",
            help=gettext_lazy("medical expenses that month, yuan (rigid); empty or 0: none"),
        ),
        Column(
            "education",
            "教育支出",
            required=False,
            example="",
            help=gettext_lazy("education expenses that month, yuan (rigid); empty or 0: none"),
        ),
        Column(
            "other",
            "其他支出",
            required=False,
            example="",
            help=gettext_lazy("other expenses that month, yuan (not rigid); empty or 0: none"),
        ),
        Column("note", "备注", required=False, example="入户核查", help=gettext_lazy("at most 500 characters")),
    ]

    def validate(self, *, actor, rows, progress) -> Report:
        report = Report()
        today, this_month = local_today(), current_month()
        parsed = []  # (line, number, month, income, {kind: amount}, note)
        for line, cells in rows:
            report.rows += 1
            before = report.error_count
            report_refused_text(report, line, cells)
            row = self._row(line, cells, report, today=today, this_month=this_month)
            if report.error_count == before:
                parsed.append(row)
        progress(0.5)
        plan = self._resolve(actor, parsed, report)
        progress(0.9)
        report.to_create = sum((income is not None) + len(expenses) for _h, _m, income, expenses, _n in plan)
        report.summary = {
            "households": len({household for household, *_rest in plan}),
            "incomes": sum(1 for _h, _m, income, _e, _n in plan if income is not None),
            "expenses": sum(len(expenses) for _h, _m, _i, expenses, _n in plan),
        }
        if not report.error_count:
            report.plan = plan
        return report

    @staticmethod
    def _money(cells, field_name: str, label, report: Report, line: int):
        text = cells.get(field_name, "").strip()
        if not text:
            return None
        try:
            return parse_money(text, field=field_name, label=label)
        except InvalidInput as exc:
            report.error(line, field_name, exc.message)
            return None

    def _row(self, line: int, cells, report: Report, *, today, this_month) -> tuple:
        """One row's own checks (the database's come in ``_resolve``): its values, or errors on the report."""
        before = report.error_count
        number = month = None
        try:
            number = parse_id_number(cells.get("id_number", ""), today=today).number
        except ValidationError as exc:
            report.error(line, "id_number", exc.messages[0])
        try:
            month = _month(cells.get("month", ""))
            if month > this_month:
                report.error(line, "month", _("This month has not begun yet."))
        except InvalidInput as exc:
            report.error(line, "month", exc.message)
        income = self._money(cells, "monthly_income", _("The monthly income"), report, line)
        expenses = {}
        for field_name, kind in EXPENSE_COLUMNS:
            amount = self._money(cells, field_name, _("The amount"), report, line)
            if amount:
                expenses[kind] = amount
        note = cells.get("note", "").strip()
        if len(note) > NOTE_MAX:
            report.error(line, "note", _("At most %(n)d characters.") % {"n": NOTE_MAX})
        if report.error_count == before and income is None and not expenses:
            report.error(
                line, "monthly_income", _("Give the month's income or at least one expense (nothing to record).")
            )
        return (line, number, month, income, expenses, note)

    def _resolve(self, actor, parsed, report: Report) -> list:
        """The rows' households (by a member's ID number, in the actor's area), one row per household and
        month, no expense already recorded; the plan ``(household_id, month, income, expenses, note)``."""
        numbers = {number for _line, number, *_rest in parsed}
        households = dict(
            HouseholdMember.objects.filter(person__id_number__in=numbers).values_list(
                "person__id_number", "household_id"
            )
        )
        communities = dict(
            HouseholdMember.objects.filter(person__id_number__in=numbers).values_list(
                "household_id", "household__community_id"
            )
        )
        months = {month for _line, _number, month, *_rest in parsed}
        recorded = set(
            HouseholdExpense.objects.filter(household_id__in=set(households.values()), month__in=months).values_list(
                "household_id", "month", "kind"
            )
        )
        seen: dict[tuple, int] = {}
        plan = []
        for line, number, month, income, expenses, note in parsed:
            household = households.get(number)
            if household is None or not division_in_scope(actor, communities.get(household, "")):
                report.error(
                    line,
                    "id_number",
                    _("No household in your area has a member with this ID number; register the household first."),
                )
                continue
            first = seen.setdefault((household, month), line)
            if first != line:
                report.error(
                    line,
                    "id_number",
                    _("This household's %(month)s is already on line %(n)d.") % {"month": f"{month:%Y-%m}", "n": first},
                )
                continue
            already = [kind for kind in expenses if (household, month, kind) in recorded]
            if already:
                for kind in already:
                    field_name = next(f for f, k in EXPENSE_COLUMNS if k == kind)
                    report.error(
                        line,
                        field_name,
                        _(
                            "%(kind)s of %(month)s are already recorded for this household; "
                            "a correction is recorded on the household's page."
                        )
                        % {"kind": ExpenseKind(kind).label, "month": f"{month:%Y-%m}"},
                    )
                continue
            plan.append((household, month, income, expenses, note))
        return plan

    def write(self, *, actor, job, report: Report) -> None:
        """Two multi-row INSERTs (the history triggers record each row under the import's context)."""
        note = f"导入 {job.pk}"
        HouseholdMeans.objects.bulk_create(
            [
                HouseholdMeans(
                    household_id=household,
                    monthly_income=income,
                    as_of=month,
                    occasion=MeansOccasion.IMPORT,
                    note=(row_note or note)[:NOTE_MAX],
                    recorded_by=actor,
                )
                for household, month, income, _expenses, row_note in report.plan
                if income is not None
            ],
            batch_size=2000,
        )
        HouseholdExpense.objects.bulk_create(
            [
                HouseholdExpense(
                    household_id=household,
                    kind=kind,
                    month=month,
                    amount=amount,
                    note=(row_note or note)[:NOTE_MAX],
                    recorded_by=actor,
                )
                for household, month, _income, expenses, row_note in report.plan
                for kind, amount in expenses.items()
            ],
            batch_size=2000,
        )
