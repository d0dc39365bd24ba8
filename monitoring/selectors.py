"""Reads of low-income monitoring: the low-income population by tier, a household's expenses. Always scoped.

The tiers (api.md "Low-income monitoring"; domain.md "Low-income population monitoring"):

* ``dibao`` and ``tekun``: persons a case of the scheme covers in the month (paid in it, or
  approved and paid from a later month);
* ``marginal`` (低保边缘): the household's per-capita income (its latest recorded income,
  ``people.HouseholdMeans``, over its living members) is above the dibao standard in force for
  its area in the month and at most 1.5 times it; not in dibao, nor in tekun;
* ``expenditure`` (支出型困难): per-capita income is not under the standard, but after the
  household's rigid expenses of the month (medical, education) it is; not in dibao, nor in tekun;
* ``at_risk`` (其他困难人员): members of a household a caseworker flagged at risk, with the reason
  (``monitoring.services.at_risk_flag``), from the day flagged until cleared.

The standard is relief's own answer (``relief.selectors.StandardsTable``) for every community
in the user's scope and both areas, looked up once and joined in SQL as a table of rates, like
the payout engine's: the households of a tier are found by one statement over the whole scope,
never household by household in Python.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from core.cases import CaseStatus, add_months, current_month, month_start
from core.models import Division, DivisionLevel, User
from core.money import money
from core.scoping import scope, scope_prefix
from monitoring.models import RIGID_KINDS, HouseholdExpense
from people.models import Household, HouseholdMember, Person
from relief import selectors as relief
from relief.models import DibaoCase, DibaoMember, Scheme, TekunCase

TIERS = ("dibao", "tekun", "marginal", "expenditure", "at_risk")
MARGINAL_FACTOR = Decimal("1.5")  # 低保边缘: at most 1.5 times the dibao standard
AREAS = ("urban", "rural")


def _sql(qs) -> tuple[str, list]:
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month_start(month), 1) - datetime.timedelta(days=1)


# --- Cases in force --------------------------------------------------------------------------


def _in_force(month: datetime.date) -> Q:
    """Cases that cover someone in ``month``: paid in it, or approved by its end and paid from a later month."""
    return relief.payable_in(month) | Q(
        status=CaseStatus.ACTIVE, start_month__gt=month_start(month), approved_at__date__lte=month_end(month)
    )


def dibao_cases_in_force(month: datetime.date) -> QuerySet[DibaoCase]:
    return DibaoCase.objects.filter(_in_force(month))


def tekun_cases_in_force(month: datetime.date) -> QuerySet[TekunCase]:
    return TekunCase.objects.filter(_in_force(month))


def _alive_in(month: datetime.date) -> Q:
    return Q(death_date__isnull=True) | Q(death_date__gte=month_start(month))


# --- The dibao standard for every community, as a table of rates ----------------------------


def dibao_rates(*, prefix: str, month: datetime.date) -> list[tuple[str, str, Decimal]]:
    """``(community code, area, dibao standard)`` for every community under ``prefix`` with a standard in force."""
    table = relief.StandardsTable.load([Scheme.DIBAO])
    communities = Division.objects.filter(level=DivisionLevel.COMMUNITY, code__startswith=prefix).values_list(
        "code", flat=True
    )
    rates = []
    for code in communities:
        for area in AREAS:
            amount = table.amount(Scheme.DIBAO, month, area_type=area, division=code)
            if amount is not None:
                rates.append((code, area, amount))
    return rates


def _figures_sql(households: QuerySet[Household], *, prefix: str, month: datetime.date) -> tuple[str, list]:
    """SQL of one row per household of ``households`` with a recorded income and a standard in force:
    ``household_id, income, members, standard, rigid, in_dibao, marginal, expenditure``.

    ``members`` counts the living members in the month; ``rigid`` sums the month's rigid expenses.
    """
    rates = dibao_rates(prefix=prefix, month=month)
    h_sql, h_params = _sql(households.order_by().values("id", "community_id", "area_type"))
    dibao_sql, dibao_params = _sql(dibao_cases_in_force(month).order_by().values("household_id"))
    sql = f"""
        WITH h AS ({h_sql}),
        r AS (
            SELECT (u.code) COLLATE "C" AS code, u.area, u.standard
            FROM unnest(%s::text[], %s::text[], %s::numeric[]) AS u(code, area, standard)
        ),
        latest AS (
            SELECT DISTINCT ON (m.household_id) m.household_id, m.monthly_income
            FROM people_householdmeans m JOIN h ON h.id = m.household_id
            WHERE m.as_of <= %s
            ORDER BY m.household_id, m.as_of DESC, m.id DESC
        ),
        n AS (
            SELECT hm.household_id, count(*) AS members
            FROM people_householdmember hm
            JOIN latest l ON l.household_id = hm.household_id
            JOIN people_person p ON p.id = hm.person_id
            WHERE p.death_date IS NULL OR p.death_date >= %s
            GROUP BY hm.household_id
        ),
        rigid AS (
            SELECT e.household_id, sum(e.amount) AS rigid
            FROM monitoring_householdexpense e JOIN latest l ON l.household_id = e.household_id
            WHERE e.month = %s AND e.kind = ANY(%s::text[])
            GROUP BY e.household_id
        ),
        f AS (
            SELECT h.id AS household_id, l.monthly_income AS income, n.members, r.standard,
                   COALESCE(rigid.rigid, 0) AS rigid,
                   h.id IN ({dibao_sql}) AS in_dibao
            FROM h
            JOIN latest l ON l.household_id = h.id
            JOIN n ON n.household_id = h.id
            JOIN r ON r.code = h.community_id AND r.area = h.area_type
            LEFT JOIN rigid ON rigid.household_id = h.id
        )
        SELECT f.*,
               (NOT in_dibao AND income > standard * members
                AND income <= %s * standard * members) AS marginal,
               (NOT in_dibao AND income >= standard * members
                AND income - rigid < standard * members) AS expenditure
        FROM f
    """  # noqa: S608 - composed of fixed fragments and compiled querysets; every value is a parameter
    params = [
        *h_params,
        [code for code, _a, _s in rates],
        [area for _c, area, _s in rates],
        [str(amount) for _c, _a, amount in rates],
        month_end(month),
        month_start(month),
        month_start(month),
        [str(kind) for kind in RIGID_KINDS],
        *dibao_params,
        str(MARGINAL_FACTOR),
    ]
    return sql, params


def city_figures_sql(*, month: datetime.date) -> tuple[str, list]:
    """The figures of every household of the city in ``month`` (the monthly run's one statement)."""
    return _figures_sql(Household.objects.all(), prefix="", month=month_start(month))


def at_risk_flags_in(month: datetime.date):
    """Households flagged at risk by a caseworker at the end of ``month`` (flagged by then, not cleared by then);
    for the current month: flagged and not cleared."""
    from monitoring.models import AtRiskFlag

    end = month_end(month)
    return AtRiskFlag.objects.filter(flagged_on__lte=end).filter(Q(cleared_on__isnull=True) | Q(cleared_on__gt=end))


def _prefix(user: User) -> str:
    """The division-code prefix of the communities whose standards the user's households need."""
    return scope_prefix(user) or "-"  # no geography: no community begins with "-"


def _tier_households_sql(user: User, tier: str, month: datetime.date) -> tuple[str, list]:
    if tier not in ("marginal", "expenditure"):
        raise ValueError(tier)
    sql, params = _figures_sql(scope(Household.objects.all(), user), prefix=_prefix(user), month=month)
    return f"SELECT household_id FROM ({sql}) t WHERE t.{tier}", params  # noqa: S608 - tier is one of two names


def _people_of_tier(user: User, tier: str, month: datetime.date) -> Q:
    if tier == "dibao":
        return Q(pk__in=DibaoMember.objects.filter(case__in=dibao_cases_in_force(month)).values("person_id"))
    if tier == "tekun":
        return Q(pk__in=tekun_cases_in_force(month).values("person_id"))
    if tier == "at_risk":
        flagged = at_risk_flags_in(month).values("household_id")
        return Q(pk__in=HouseholdMember.objects.filter(household_id__in=flagged).values("person_id"))
    sql, params = _tier_households_sql(user, tier, month)
    households = RawSQL(sql, params)  # noqa: S611 - fixed SQL, values as parameters
    return Q(pk__in=HouseholdMember.objects.filter(household_id__in=households).values("person_id")) & ~Q(
        pk__in=tekun_cases_in_force(month).values("person_id")
    )


def low_income_list(*, user: User, tier: str = "", month: datetime.date | None = None, q: str = "") -> QuerySet[Person]:
    """The persons of the low-income population the user may see (one tier, or every tier), alive in the month."""
    from people.selectors import match_people

    month = month_start(month or current_month())
    tiers = [tier] if tier else list(TIERS)
    condition = Q()
    for name in tiers:
        condition |= _people_of_tier(user, name, month)
    qs = scope(Person.objects.select_related("division"), user).filter(condition).filter(_alive_in(month))
    return match_people(qs, q).order_by("-id")


# --- What a page shows of each person -------------------------------------------------------


@dataclass
class HouseholdFigures:
    household_id: int
    income: Decimal
    members: int
    standard: Decimal
    rigid: Decimal
    in_dibao: bool
    marginal: bool
    expenditure: bool

    @property
    def per_capita(self) -> Decimal:
        return money(self.income / self.members)

    @property
    def per_capita_after_expenses(self) -> Decimal:
        return money((self.income - self.rigid) / self.members)

    @property
    def marginal_line(self) -> Decimal:
        return money(self.standard * MARGINAL_FACTOR)


@dataclass
class LowIncomeFacts:
    """Why a person is in the low-income population: their tiers and their household's figures."""

    person_id: int
    household_id: int | None
    tiers: list[str] = field(default_factory=list)
    figures: HouseholdFigures | None = None


def household_figures(*, user: User, household_ids, month: datetime.date) -> dict[int, HouseholdFigures]:
    """The figures behind the marginal and expenditure tiers for these households (of the user's scope)."""
    ids = list({int(i) for i in household_ids if i is not None})
    if not ids:
        return {}
    sql, params = _figures_sql(
        scope(Household.objects.filter(pk__in=ids), user), prefix=_prefix(user), month=month_start(month)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return {row["household_id"]: HouseholdFigures(**row) for row in rows}


def low_income_facts(*, user: User, persons, month: datetime.date | None = None) -> dict[int, LowIncomeFacts]:
    """For a page of persons: each one's tiers and household figures (a few queries for the page)."""
    month = month_start(month or current_month())
    ids = [p.pk for p in persons]
    households = dict(HouseholdMember.objects.filter(person_id__in=ids).values_list("person_id", "household_id"))
    figures = household_figures(user=user, household_ids=households.values(), month=month)
    dibao = set(
        DibaoMember.objects.filter(case__in=dibao_cases_in_force(month), person_id__in=ids).values_list(
            "person_id", flat=True
        )
    )
    tekun = set(tekun_cases_in_force(month).filter(person_id__in=ids).values_list("person_id", flat=True))
    flagged = set(
        at_risk_flags_in(month).filter(household_id__in=set(households.values())).values_list("household_id", flat=True)
    )
    facts = {}
    for pk in ids:
        household_id = households.get(pk)
        fig = figures.get(household_id)
        tiers = [t for t, inside in (("dibao", pk in dibao), ("tekun", pk in tekun)) if inside]
        if fig is not None and pk not in tekun:
            tiers += [t for t, inside in (("marginal", fig.marginal), ("expenditure", fig.expenditure)) if inside]
        if household_id is not None and household_id in flagged:
            tiers.append("at_risk")
        facts[pk] = LowIncomeFacts(person_id=pk, household_id=household_id, tiers=tiers, figures=fig)
    return facts


def household_tiers(*, user: User, household: Household, month: datetime.date | None = None) -> list[str]:
    """The tiers any member of the household is in this month (for the assistance chain and the household page)."""
    members = list(Person.objects.filter(memberships__household=household))
    facts = low_income_facts(user=user, persons=members, month=month)
    found = {t for f in facts.values() for t in f.tiers}
    return [t for t in TIERS if t in found]


# --- Expenses ------------------------------------------------------------------------------


def household_expenses(*, user: User, household: Household) -> QuerySet[HouseholdExpense]:
    """The household's recorded expenses, newest month first; scoped."""
    return scope(HouseholdExpense.objects.select_related("recorded_by"), user).filter(household=household)


def refusal_check(*, household: Household, case_income: Decimal | None) -> tuple[Decimal, Decimal] | None:
    """After a refused dibao or tekun application: ``(per-capita income, standard)`` when the household stays at
    most 1.5 times the standard this month (its latest recorded income, else the application's), else ``None``.

    ``case_income`` is the dibao application's household income; a tekun application records none, so its
    person's household is judged on its recorded income alone (none recorded: no figure to judge, ``None``).
    """
    from people.selectors import latest_means

    month = current_month()
    means = latest_means(household=household)
    income = means.monthly_income if means is not None else case_income
    if income is None:
        return None
    members = (
        HouseholdMember.objects.filter(household=household)
        .filter(Q(person__death_date__isnull=True) | Q(person__death_date__gte=month))
        .count()
    )
    standard = relief.StandardsTable.load([Scheme.DIBAO]).amount(
        Scheme.DIBAO, month, area_type=household.area_type, division=household.community_id
    )
    if not members or standard is None or income > MARGINAL_FACTOR * standard * members:
        return None
    return money(income / members), standard


# --- Warnings -------------------------------------------------------------------------------


def warning_list(
    *,
    user: User,
    status: str = "",
    kind: str = "",
    household: int | str | None = None,
    division: str = "",
    overdue: bool = False,
):
    """The warnings the user may see (their geography), the soonest due first; ``division``: those of a district,
    sub-district or community within it; ``overdue``: open past their date ("today" is the application's)."""
    from core.cases import local_today
    from monitoring.models import RiskWarning, WarningStatus

    qs = scope(
        RiskWarning.objects.select_related(
            "household__head", "person", "division", "subdistrict", "handled_by", "dibao_case", "tekun_case", "claim"
        ),
        user,
    )
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if household:
        qs = qs.filter(household_id=household)
    division = (division or "").strip()
    if division and not (len(division) == 6 and division.endswith("00")):  # the city: every warning in scope
        qs = qs.filter(division__code__startswith=division)
    if overdue:
        qs = qs.filter(status=WarningStatus.OPEN, due__lt=local_today())
    return qs.order_by("due", "id")


def warning_get(*, user: User, pk):
    from core.scoping import get_in_scope
    from monitoring.models import RiskWarning

    return get_in_scope(
        RiskWarning.objects.select_related("household__head", "person", "division", "subdistrict", "handled_by"),
        user,
        pk=pk,
    )


def assistance_options(*, user: User, warning) -> list[tuple[str, str]]:
    """The household's cases and claims a handled warning may name as the help it led to (newest first)."""
    from django.utils.translation import gettext as _

    from relief.models import TemporaryReliefClaim

    if warning.household_id is None:
        return []
    members = HouseholdMember.objects.filter(household_id=warning.household_id).values("person_id")
    options = []
    for case in scope(DibaoCase.objects.filter(household_id=warning.household_id), user).order_by("-id")[:10]:
        options.append(
            (
                f"dibao_case:{case.pk}",
                _("Dibao case %(id)s (%(status)s)") % {"id": case.pk, "status": case.status_label()},
            )
        )
    for case in scope(TekunCase.objects.filter(person_id__in=members).select_related("person"), user).order_by("-id")[
        :10
    ]:
        options.append(
            (
                f"tekun_case:{case.pk}",
                _("Tekun case %(id)s of %(name)s (%(status)s)")
                % {"id": case.pk, "name": case.person.name, "status": case.status_label()},
            )
        )
    claims = scope(TemporaryReliefClaim.objects.filter(household_id=warning.household_id), user).order_by("-id")[:10]
    for claim in claims:
        options.append(
            (
                f"claim:{claim.pk}",
                _("Temporary relief claim %(id)s, %(amount)s (%(status)s)")
                % {"id": claim.pk, "amount": money(claim.amount), "status": claim.status_label()},
            )
        )
    return options


# --- The warnings' summary by division (the leadership's view) --------------------------------


def warning_summary(*, user: User, division: str = "") -> dict:
    """Warnings by the next level down from ``division`` (default the user's own): open, of them overdue,
    handled, of them on time and late. One GROUP BY over the scoped warnings; "today" is the application's."""
    from django.db.models import Count, F
    from django.db.models.functions import Substr

    from core.cases import local_today
    from monitoring.models import RiskWarning

    own = getattr(user, "division_id", "") or ""
    prefix = scope_prefix(user) or "-"
    code = division if division and division.startswith(prefix) and len(division) in (6, 9, 12) else own
    city = len(code) == 6 and code.endswith("00")
    length = 6 if city else {6: 9, 9: 12}.get(len(code), 12)
    today = local_today()
    qs = scope(RiskWarning.objects.all(), user)
    if not city:
        qs = qs.filter(division__code__startswith=code)
    rows = (
        qs.annotate(unit=Substr("division_id", 1, length))
        .values("unit")
        .annotate(
            open=Count("id", filter=Q(status="open")),
            overdue=Count("id", filter=Q(status="open", due__lt=today)),
            handled=Count("id", filter=Q(status="handled")),
            on_time=Count("id", filter=Q(status="handled", handled_on__lte=F("due"))),
            late=Count("id", filter=Q(status="handled", handled_on__gt=F("due"))),
        )
        .order_by("unit")
    )
    names = dict(Division.objects.filter(code__in=[r["unit"] for r in rows]).values_list("code", "name"))
    units = [{"code": r["unit"], "name": names.get(r["unit"], r["unit"]), **{k: r[k] for k in _COUNTS}} for r in rows]
    total = {k: sum(u[k] for u in units) for k in _COUNTS}
    return {"division": code, "today": today, **total, "by_division": units}


_COUNTS = ("open", "overdue", "handled", "on_time", "late")


# --- Others at risk; the monthly runs ---------------------------------------------------------


def at_risk_flags(*, user: User, household: int | str | None = None, open_only: bool = False):
    """The at-risk flags of the user's area (newest first); of one household; only those not cleared."""
    from monitoring.models import AtRiskFlag

    qs = scope(AtRiskFlag.objects.select_related("household__head", "flagged_by", "cleared_by"), user)
    if household:
        qs = qs.filter(household_id=household)
    if open_only:
        qs = qs.filter(cleared_on__isnull=True)
    return qs.order_by("-flagged_on", "-id")


def at_risk_flag_get(*, user: User, pk):
    from core.scoping import get_in_scope
    from monitoring.models import AtRiskFlag

    return get_in_scope(AtRiskFlag.objects.select_related("household__head", "flagged_by", "cleared_by"), user, pk=pk)


def run_list(*, user: User):
    """The monthly runs (city-wide records: whoever reads monitoring sees that a run happened), newest first."""
    from monitoring.models import MonitoringRun

    return scope(MonitoringRun.objects.select_related("started_by"), user).order_by("-created_at", "-id")


def run_get(*, user: User, pk):
    from core.scoping import get_in_scope
    from monitoring.models import MonitoringRun

    return get_in_scope(MonitoringRun.objects.select_related("started_by"), user, pk=pk)


def run_tiers_in_scope(*, user: User, run) -> dict:
    """The run's tier counts the user may read: the whole city's for the city; for a district or sub-district,
    the households of its area by the tiers the run records (marginal, expenditure), summed from the run's
    sub-district counts; nothing below a sub-district (the live list answers there)."""
    prefix = scope_prefix(user)
    tiers = run.tiers or {}
    if prefix is None or len(prefix) > 9:
        return {}
    if len(prefix) <= 4:
        return {k: v for k, v in tiers.items() if k != "by_subdistrict"}
    area: dict = {}
    for code, counts in (tiers.get("by_subdistrict") or {}).items():
        if code.startswith(prefix):
            for tier, n in counts.items():
                area[tier] = area.get(tier, 0) + n
    return {tier: {"households": n} for tier, n in area.items()}
