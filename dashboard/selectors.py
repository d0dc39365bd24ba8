"""Reads of the dashboard: the bureau's figures for a range of months and a division.

Payout figures come from the summary tables (``dashboard/models.py``), never from the lines.
The registries' and relief's own counts (temporary relief claims, marriages, social
organizations, roads, station admissions) are small tables, counted live.

Who sees what: ``summary_query`` checks the capability and that the division asked for lies in
the user's geography (``core.scoping.division_in_scope``: outside it is "not found"), and
every figure below is then restricted to that division's code prefix.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Left, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from core.cases import add_months, local_today, month_str, parse_month
from core.errors import InvalidInput, NotFound
from core.models import Division
from core.money import money_str
from core.roles import Cap, require
from core.scoping import division_in_scope
from payouts.models import PayoutScheme

CITY_CODE = "370200"
MAX_MONTHS = 120  # ten years at most in one view
# The next level down, by the length of a division's code: city → districts → sub-districts → communities.
CHILD_CODE_LENGTH = {6: 9, 9: 12}
SCHEMES = [code for code, _label in PayoutScheme.choices]


@dataclass(frozen=True)
class SummaryQuery:
    start: datetime.date  # first month
    end: datetime.date  # last month (included)
    division: Division
    prefix: str  # every code in the division begins with it
    child_length: int | None  # code length of the next level down, None for a community

    @property
    def months(self) -> list[datetime.date]:
        out, month = [], self.start
        while month <= self.end:
            out.append(month)
            month = add_months(month, 1)
        return out

    @property
    def upper(self) -> str:
        return self.prefix[:-1] + chr(ord(self.prefix[-1]) + 1)

    children_of: tuple = ()  # the divisions one level down (none for a community)
    user: object = None  # who asks (the attention panel's lists are the user's own, scoped)

    def children(self) -> list[Division]:
        return list(self.children_of)


def division_prefix(code: str) -> str:
    return code[:4] if len(code) == 6 and code.endswith("00") else code


def division_choices(user, current: str) -> list[dict]:
    """What the division picker offers: the user's own division, the districts (or sub-districts)
    under it, and the division shown if it lies elsewhere in the user's geography."""
    own = user.division_id or ""
    codes = [own]
    if own == CITY_CODE or len(own) == 6:
        codes += list(Division.objects.filter(parent_id=own).order_by("code").values_list("code", flat=True))
    if current and current not in codes and division_in_scope(user, current):
        codes.append(current)
    names = division_names(codes)
    return [{"code": c, "name": names[c], "selected": c == current} for c in codes if c in names]


def division_names(codes) -> dict[str, str]:
    """Names of divisions by code (reference data: every user may read them)."""
    return dict(Division.objects.filter(code__in=list(codes)).values_list("code", "name"))


def summary_query(user, *, start=None, end=None, division: str | None = None) -> SummaryQuery:
    """Check and complete what was asked: months (``YYYY-MM``), a division in the user's geography."""
    require(user, Cap.DASHBOARD_VIEW)
    errors: dict[str, str] = {}
    today = local_today()
    if start in (None, "") and end in (None, ""):
        # Nothing asked: the latest six months that have approved payouts (this month's six if none).
        from dashboard.models import PaidMonth

        latest = PaidMonth.objects.filter(lines__gt=0).order_by("-month").values_list("month", flat=True).first()
        end = latest or today.replace(day=1)
        start = add_months(end, -5)
    try:
        end_month = parse_month(end, field="to") if end not in (None, "") else today.replace(day=1)
    except InvalidInput as exc:
        errors["to"] = exc.message
        end_month = None
    try:
        start_month = parse_month(start, field="from") if start not in (None, "") else None
    except InvalidInput as exc:
        errors["from"] = exc.message
        start_month = None
    if errors:
        field, message = next(iter(errors.items()))
        raise InvalidInput(message, field=field)
    if start_month is None:
        start_month = end_month.replace(month=1)
    if start_month > end_month:
        raise InvalidInput(_("The first month comes after the last month of the range."), field="from")
    if (end_month.year - start_month.year) * 12 + end_month.month - start_month.month >= MAX_MONTHS:
        raise InvalidInput(_("Ask for at most %(n)d months at a time.") % {"n": MAX_MONTHS}, field="from")
    code = str(division or getattr(user, "division_id", "") or "").strip()
    if not code.isdigit() or len(code) not in (6, 9, 12):
        if division:
            raise NotFound()
        raise InvalidInput(_("Your account belongs to no division."), field="division")
    if not division_in_scope(user, code):
        raise NotFound()
    found = Division.objects.filter(code=code).first()
    if found is None:
        raise NotFound()
    child_length = (
        6 if code == CITY_CODE or (len(code) == 6 and code.endswith("00")) else CHILD_CODE_LENGTH.get(len(code))
    )
    children = () if child_length is None else tuple(Division.objects.filter(parent_id=code).order_by("code"))
    return SummaryQuery(start_month, end_month, found, division_prefix(code), child_length, children, user)


# --- Payout figures, from the summary tables --------------------------------------------------------


def _mask(first: int, last: int) -> int:
    """Bits of months ``first``..``last`` of a window (1–24: January of its first year is 1)."""
    return ((1 << last) - 1) & ~((1 << (first - 1)) - 1)


def _year_masks(q: SummaryQuery) -> dict[int, int]:
    masks = {}
    for year in range(q.start.year, q.end.year + 1):
        first = q.start.month if year == q.start.year else 1
        last = q.end.month if year == q.end.year else 12
        masks[year] = _mask(first, last)
    return masks


def _rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _window(q: SummaryQuery) -> tuple[int, int] | None:
    """The two-year window holding the range and the range's bits in it; None past two calendar years."""
    if q.end.year - q.start.year > 1:
        return None
    first = q.start.month
    last = (q.end.year - q.start.year) * 12 + q.end.month
    return q.start.year, _mask(first, last)


def _units_by_division(q: SummaryQuery, length: int) -> list[tuple]:
    """(scheme, unit, division, units, persons) paid in at least one month of the range, each once."""
    where = "division >= %s AND division < %s"
    window = _window(q)
    if window is not None:
        year, mask = window
        return _rows(
            f"""
            SELECT scheme, unit, left(division, %s) AS d, sum(n), sum(persons)
            FROM dashboard_paidmask
            WHERE year = %s AND months & %s <> 0 AND {where}
            GROUP BY 1, 2, 3
            """,  # noqa: S608
            [length, year, mask, q.prefix, q.upper],
        )
    # Over three calendar years or more: one row per person or household, the latest year's, counted
    # once (the per-year table: twelve months a row).
    cases = " ".join(f"WHEN {int(y)} THEN {int(m)}" for y, m in _year_masks(q).items())
    return _rows(
        f"""
        SELECT scheme, unit, left(division, %s) AS d, count(*), sum(persons)
        FROM (
            SELECT DISTINCT ON (scheme, unit, key) scheme, unit, key, division, persons
            FROM dashboard_paidyear
            WHERE year BETWEEN %s AND %s AND months & (CASE year {cases} ELSE 0 END) <> 0 AND {where}
            ORDER BY scheme, unit, key, year DESC
        ) latest
        GROUP BY 1, 2, 3
        """,  # noqa: S608
        [length, q.start.year, q.end.year, q.prefix, q.upper],
    )


def _units_by_month(q: SummaryQuery) -> list[tuple]:
    """(scheme, unit, month, units, persons): who was paid in each month of the range (one pass a year)."""
    out = []
    for year, mask in _year_masks(q).items():
        months = [m for m in range(1, 13) if mask & (1 << (m - 1))]
        columns = ", ".join(
            f"sum(n) FILTER (WHERE months & {bit} <> 0), sum(persons) FILTER (WHERE months & {bit} <> 0)"
            for bit in (1 << (m - 1) for m in months)
        )
        for row in _rows(
            f"""
            SELECT scheme, unit, {columns}
            FROM dashboard_paidmask
            WHERE year = %s AND months & %s <> 0 AND division >= %s AND division < %s
            GROUP BY 1, 2
            """,  # noqa: S608
            [year, mask, q.prefix, q.upper],
        ):
            scheme, unit, values = row[0], row[1], row[2:]
            for i, m in enumerate(months):
                out.append((scheme, unit, datetime.date(year, m, 1), values[2 * i] or 0, values[2 * i + 1] or 0))
    return out


def _amounts(q: SummaryQuery, length: int) -> list[tuple]:
    """(scheme, month, division, lines, amount)."""
    return _rows(
        """
        SELECT scheme, month, left(division, %s), sum(lines), sum(amount)
        FROM dashboard_paidmonth
        WHERE month >= %s AND month <= %s AND division >= %s AND division < %s
        GROUP BY 1, 2, 3
        """,
        [length, q.start, q.end, q.prefix, q.upper],
    )


def _empty_figures() -> dict:
    return {"households": 0, "persons": 0, "amount": Decimal("0")}


def payout_figures(q: SummaryQuery) -> dict[str, dict]:
    """Per scheme: households, persons and amount, by month and by the next level down."""
    length = q.child_length or 12
    children = q.children()
    months = q.months
    out: dict[str, dict] = {}
    for scheme in SCHEMES:
        out[scheme] = {
            **_empty_figures(),
            "by_month": {m: _empty_figures() for m in months},
            "by_division": {c.code: _empty_figures() for c in children},
            "paid_months": set(),
        }

    def figure_of(scheme, unit, n, persons) -> dict:
        # Households from household units; persons from person units, and for dibao (one line per
        # household, to its head) from its household units, which stand for the living members.
        if unit == "p":
            return {"persons": persons}
        return {"households": n, "persons": persons} if scheme == PayoutScheme.DIBAO else {"households": n}

    for scheme, unit, d, n, persons in _units_by_division(q, length):
        if scheme not in out:
            continue
        values = figure_of(scheme, unit, int(n), int(persons))
        for key, value in values.items():
            out[scheme][key] += value
            if d in out[scheme]["by_division"]:
                out[scheme]["by_division"][d][key] += value
    for scheme, unit, month, n, persons in _units_by_month(q):
        if scheme in out and month in out[scheme]["by_month"]:
            out[scheme]["by_month"][month].update(figure_of(scheme, unit, int(n), int(persons)))
    for scheme, month, d, lines, amount in _amounts(q, length):
        if scheme not in out:
            continue
        figures = out[scheme]
        figures["amount"] += amount
        if month in figures["by_month"]:
            figures["by_month"][month]["amount"] += amount
        if d in figures["by_division"]:
            figures["by_division"][d]["amount"] += amount
        if lines:
            figures["paid_months"].add(month)
    return out


# --- Live counts of relief and the registries --------------------------------------------------------


def _bounds(q: SummaryQuery, *, aware: bool):
    start, end = q.start, add_months(q.end, 1)
    if not aware:
        return start, end
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.datetime.combine(start, datetime.time()), tz),
        timezone.make_aware(datetime.datetime.combine(end, datetime.time()), tz),
    )


def _counts(
    q: SummaryQuery, qs: QuerySet, *, date_field: str, division_field: str, measures: dict, aware: bool = False
) -> dict:
    """``measures`` (name → aggregate) over ``qs`` in the range and division: total, by month, by division."""
    start, end = _bounds(q, aware=aware)
    qs = qs.filter(
        Q(**{f"{date_field}__gte": start, f"{date_field}__lt": end}),
        Q(**{f"{division_field}__gte": q.prefix, f"{division_field}__lt": q.upper}),
    )
    zero = {name: 0 for name in measures}
    total = {**zero, **{k: v or 0 for k, v in qs.aggregate(**measures).items()}}
    by_month = {m: dict(zero) for m in q.months}
    tz = timezone.get_current_timezone() if aware else None
    month_expr = TruncMonth(date_field, tzinfo=tz) if aware else TruncMonth(date_field)
    for row in qs.annotate(_m=month_expr).values("_m").annotate(**measures).order_by():
        month = row["_m"].date() if isinstance(row["_m"], datetime.datetime) else row["_m"]
        if month in by_month:
            by_month[month] = {name: row[name] or 0 for name in measures}
    by_division = {c.code: dict(zero) for c in q.children()}
    if by_division:
        length = q.child_length
        rows = qs.annotate(_d=Left(F(division_field), length)).values("_d").annotate(**measures).order_by()
        for row in rows:
            if row["_d"] in by_division:
                by_division[row["_d"]] = {name: row[name] or 0 for name in measures}
    return {"total": total, "by_month": by_month, "by_division": by_division}


def _latest_stock(q: SummaryQuery, rows: list[tuple[str, datetime.date, int]]) -> dict:
    """A stock, not a flow (``rows``: division code, date, figure): at each month's end, the sum of each
    division's latest figure on or before it; the total is the last month's; by division, at the end."""
    by_code: dict[str, list[tuple[datetime.date, int]]] = {}
    for code, day, n in sorted(rows, key=lambda r: r[1]):
        by_code.setdefault(code, []).append((day, n))

    def at(end: datetime.date, codes) -> int:
        total = 0
        for code in codes:
            latest = [n for day, n in by_code.get(code, []) if day < end]
            total += latest[-1] if latest else 0
        return total

    by_month = {m: {"n": at(add_months(m, 1), by_code)} for m in q.months}
    end = add_months(q.end, 1)
    by_division = {}
    if q.child_length:
        for child in q.children():
            by_division[child.code] = {"n": at(end, [c for c in by_code if c.startswith(child.code)])}
    return {"total": {"n": at(end, by_code)}, "by_month": by_month, "by_division": by_division}


def _volunteers(q: SummaryQuery) -> dict:
    """Registered volunteers (the platform counts them per district: below a district there is no figure)."""
    from charity.models import VolunteerCount

    if len(q.prefix) > 6:
        return _latest_stock(q, [])
    rows = VolunteerCount.objects.filter(
        district_id__gte=q.prefix, district_id__lt=q.upper, as_of__lt=add_months(q.end, 1)
    ).values_list("district_id", "as_of", "registered")
    return _latest_stock(q, list(rows))


def registry_figures(q: SummaryQuery) -> dict[str, dict]:
    from charity.models import Donation, DonationKind, DonationUse
    from elderly.models import ElderlyCentre, LeftBehindElder, Visit
    from marriage.models import Kind as MarriageKind
    from marriage.models import Registration
    from marriage.models import Status as MarriageStatus
    from placenames.models import Road
    from relief.models import ClaimStatus, FamilyTrace, StationAdmission, TemporaryReliefClaim, TraceStatus
    from social_orgs.models import CommunityOrg, SocialOrg

    registered = Registration.objects.filter(status=MarriageStatus.REGISTERED)
    return {
        "temporary_relief": _counts(
            q,
            TemporaryReliefClaim.objects.filter(status=ClaimStatus.APPROVED),
            date_field="approved_at",
            division_field="household__community_id",
            measures={
                "households": Count("household_id", distinct=True),
                "claims": Count("id"),
                # What the claims were granted (approve {amount} may give less than asked): what is paid.
                "amount": Sum(Coalesce("approved_amount", "amount")),
            },
            aware=True,
        ),
        "marriages": _counts(
            q,
            registered.filter(kind=MarriageKind.MARRIAGE),
            date_field="registered_on",
            division_field="office_id",
            measures={"n": Count("id")},
        ),
        "divorces": _counts(
            q,
            registered.filter(kind=MarriageKind.DIVORCE),
            date_field="registered_on",
            division_field="office_id",
            measures={"n": Count("id")},
        ),
        "social_orgs_registered": _counts(
            q,
            SocialOrg.objects.all(),
            date_field="founded_on",
            division_field="division_id",
            measures={"n": Count("id")},
        ),
        "community_orgs_filed": _counts(
            q,
            CommunityOrg.objects.all(),
            date_field="filed_on",
            division_field="community_id",
            measures={"n": Count("id")},
        ),
        "roads_named": _counts(
            q, Road.objects.all(), date_field="approved_on", division_field="district_id", measures={"n": Count("id")}
        ),
        "vagrant_helped": _counts(
            q,
            StationAdmission.objects.all(),
            date_field="admitted_on",
            division_field="station_id",
            measures={"n": Count("id")},
        ),
        "vagrant_reunited": _counts(
            q,
            FamilyTrace.objects.filter(status=TraceStatus.FOUND),
            date_field="concluded_on",
            division_field="admission__station_id",
            measures={"n": Count("admission_id", distinct=True)},
        ),
        # Elderly care: the centres reaching each stage in the period (the report's 99 / 91 / 51).
        **{
            f"centres_{stage}": _counts(
                q,
                ElderlyCentre.objects.all(),
                date_field=field,
                division_field="subdistrict_id",
                measures={"n": Count("id")},
            )
            for stage, field in (
                ("site", "site_chosen_on"),
                ("operator", "operator_contracted_on"),
                ("built", "built_on"),
                ("operating", "operating_since"),
            )
        },
        "left_behind_registered": _counts(
            q,
            LeftBehindElder.objects.all(),
            date_field="registered_on",
            division_field="community_id",
            measures={"n": Count("id")},
        ),
        "left_behind_visits": _counts(
            q,
            Visit.objects.all(),
            date_field="visited_on",
            division_field="elder__community_id",
            measures={"n": Count("id")},
        ),
        "donations": _counts(
            q,
            Donation.objects.all(),
            date_field="received_on",
            division_field="division_id",
            measures={"n": Count("id"), "amount": Sum("amount", filter=Q(kind=DonationKind.MONEY))},
        ),
        "donations_used": _counts(
            q,
            DonationUse.objects.filter(donation__kind=DonationKind.MONEY),
            date_field="used_on",
            division_field="donation__division_id",
            measures={"amount": Sum("amount")},
        ),
        "volunteers": _volunteers(q),
    }


# --- In force at the end of the range, and what needs the leadership's attention --------------------


def _in_force_q(month: datetime.date) -> Q:
    """A benefit case in force in ``month``: started by then, not ended before it, and active (or ended later)."""
    return (
        Q(start_month__lte=month)
        & (Q(end_month__isnull=True) | Q(end_month__gte=month))
        & (Q(status="active") | Q(end_month__isnull=False, status__in=["suspended", "terminated"]))
    )


def in_force(q: SummaryQuery) -> dict[str, dict]:
    """Per recurring scheme: households and persons with a case in force in the range's last month, paid or not."""
    from relief.models import DibaoCase, DibaoMember, TekunCase
    from welfare.models import DisabilitySubsidyCase, OrphanCase

    month = q.end
    where = {"gte": q.prefix, "lt": q.upper}

    def within(field: str) -> Q:
        return Q(**{f"{field}__gte": where["gte"], f"{field}__lt": where["lt"]})

    dibao = DibaoCase.objects.filter(_in_force_q(month), within("household__community_id"))
    persons = lambda qs: qs.values("person_id").distinct().count()  # noqa: E731 - one line each below
    return {
        PayoutScheme.DIBAO: {
            "households": dibao.count(),
            "persons": DibaoMember.objects.filter(case__in=dibao).count(),
        },
        PayoutScheme.TEKUN: {
            "households": 0,
            "persons": persons(TekunCase.objects.filter(_in_force_q(month), within("person__division_id"))),
        },
        PayoutScheme.ORPHAN: {
            "households": 0,
            "persons": persons(OrphanCase.objects.filter(_in_force_q(month), within("person__division_id"))),
        },
        PayoutScheme.DISABILITY_LIVING: {
            "households": 0,
            "persons": persons(
                DisabilitySubsidyCase.objects.filter(_in_force_q(month), within("person__division_id"), kind="living")
            ),
        },
        PayoutScheme.DISABILITY_NURSING: {
            "households": 0,
            "persons": persons(
                DisabilitySubsidyCase.objects.filter(_in_force_q(month), within("person__division_id"), kind="nursing")
            ),
        },
    }


def attention(q: SummaryQuery) -> list[dict]:
    """What waits on someone, for the leadership's eye: each count scoped to the user and the division, linked
    to the list that shows exactly those records (the lists' own selectors and filters)."""
    from django.urls import reverse

    from datacheck.models import ItemStatus
    from datacheck.selectors import review_items
    from monitoring.models import WarningStatus
    from monitoring.selectors import warning_list
    from payouts.models import RunStatus
    from payouts.selectors import run_list
    from relief.selectors import claim_list, dibao_case_list

    user = q.user
    if user is None:
        return []
    division = "" if q.division.code == CITY_CODE else q.division.code
    suffix = f"&division={division}" if division else ""
    from core.roles import has_cap

    rows = [
        (
            Cap.RELIEF_VIEW,
            "paperwork_overdue",
            _("Green channel: paperwork overdue"),
            claim_list(user=user, overdue=True, division=division),
            f"{reverse('relief:claim-list')}?overdue=1{suffix}",
        ),
        (
            Cap.PAYOUT_VIEW,
            "runs_to_approve",
            _("Payout runs computed, awaiting approval"),
            run_list(user=user, status=RunStatus.COMPUTED),
            f"{reverse('payouts:run-list')}?status={RunStatus.COMPUTED}",
        ),
        (
            Cap.PAYOUT_VIEW,
            "runs_failed",
            _("Payout runs failed"),
            run_list(user=user, status=RunStatus.FAILED),
            f"{reverse('payouts:run-list')}?status={RunStatus.FAILED}",
        ),
        (
            Cap.DATACHECK_ITEMS,
            "hits_open",
            _("Data-check hits and warnings open"),
            review_items(user=user, status=ItemStatus.OPEN, division=division),
            f"{reverse('datacheck:review-list')}?status=open{suffix}",
        ),
        (
            Cap.MONITORING_VIEW,
            "warnings_open",
            _("Risk warnings open"),
            warning_list(user=user, status=WarningStatus.OPEN, division=division),
            f"{reverse('monitoring:warning-list')}?status=open{suffix}",
        ),
        (
            Cap.MONITORING_VIEW,
            "warnings_overdue",
            _("Risk warnings past their 10 days"),
            warning_list(user=user, overdue=True, division=division),
            f"{reverse('monitoring:warning-list')}?status=open&overdue=1{suffix}",
        ),
        (
            Cap.RELIEF_VIEW,
            "rechecks_overdue",
            _("Dibao periodic reviews due or overdue"),
            dibao_case_list(user=user, recheck_due=True, division=division),
            f"{reverse('relief:dibao-list')}?recheck_due=1{suffix}",
        ),
    ]
    return [
        {"kind": kind, "label": str(label), "count": qs.order_by().count(), "link": link}
        for cap, kind, label, qs, link in rows
        if has_cap(user, cap)  # only lists the user may open (the page offers no link that answers 403)
    ]


def warnings(q: SummaryQuery) -> dict | None:
    """Risk warnings of the division by the next level down (open, overdue, handled on time and late), through
    monitoring's own selector, scoped to the user; ``None`` for a user who may not read them."""
    from core.roles import has_cap
    from monitoring.selectors import warning_summary

    if q.user is None or not has_cap(q.user, Cap.MONITORING_VIEW):
        return None
    found = warning_summary(user=q.user, division=q.division.code)
    found.pop("today", None)
    return found


# --- The whole summary ----------------------------------------------------------------------------


def _money(value) -> str:
    return money_str(value or 0)


def _figures_json(values: dict) -> dict:
    return {k: (_money(v) if k == "amount" else int(v)) for k, v in values.items()}


def year_before(q: SummaryQuery) -> SummaryQuery:
    """The same months a year earlier, same division (for the page's comparison; no attention panel)."""
    import dataclasses

    return dataclasses.replace(q, start=add_months(q.start, -12), end=add_months(q.end, -12), user=None)


def summary(q: SummaryQuery, *, in_force_too: bool = True) -> dict:
    """The dashboard's figures, shaped as ``GET dashboard/summary/`` returns them (api.md)."""
    names = {c.code: c.name for c in q.children()}
    payouts = payout_figures(q)
    schemes = {}
    for scheme, f in payouts.items():
        schemes[scheme] = {
            "households": f["households"],
            "persons": f["persons"],
            "amount": _money(f["amount"]),
            "by_month": [{"month": month_str(m), **_figures_json(v)} for m, v in f["by_month"].items()],
            "by_division": [
                {"code": code, "name": names.get(code, code), **_figures_json(v)}
                for code, v in f["by_division"].items()
            ],
        }
    for scheme, figures_in_force in (in_force(q) if in_force_too else {}).items():
        schemes[scheme]["in_force"] = figures_in_force
    registries = registry_figures(q)
    relief = registries["temporary_relief"]["total"]
    price = payouts[PayoutScheme.PRICE_SUBSIDY]

    def series(figure: dict) -> dict:
        return {
            "by_month": [{"month": month_str(m), **_figures_json(v)} for m, v in figure["by_month"].items()],
            "by_division": [
                {"code": code, "name": names.get(code, code), **_figures_json(v)}
                for code, v in figure["by_division"].items()
            ],
        }

    return {
        "from": month_str(q.start),
        "to": month_str(q.end),
        "division": q.division.code,
        "division_name": q.division.name,
        "schemes": schemes,
        "temporary_relief": {
            "households": int(relief["households"]),
            "claims": int(relief["claims"]),
            "amount": _money(relief["amount"]),
        },
        "price_subsidy": {
            "triggers": len(price["paid_months"]),
            "persons": price["persons"],
            "amount": _money(price["amount"]),
        },
        "marriage": {
            "marriages": int(registries["marriages"]["total"]["n"]),
            "divorces": int(registries["divorces"]["total"]["n"]),
        },
        "social_orgs": {
            "registered": int(registries["social_orgs_registered"]["total"]["n"]),
            "community_filed": int(registries["community_orgs_filed"]["total"]["n"]),
        },
        "roads_named": int(registries["roads_named"]["total"]["n"]),
        "vagrant_relief": {
            "helped": int(registries["vagrant_helped"]["total"]["n"]),
            "reunited": int(registries["vagrant_reunited"]["total"]["n"]),
        },
        # Beyond the contract (issue 21): elderly care, charity, volunteers.
        "elderly_care": {
            "sites_chosen": int(registries["centres_site"]["total"]["n"]),
            "operators_contracted": int(registries["centres_operator"]["total"]["n"]),
            "built": int(registries["centres_built"]["total"]["n"]),
            "opened": int(registries["centres_operating"]["total"]["n"]),
            "left_behind_registered": int(registries["left_behind_registered"]["total"]["n"]),
            "left_behind_visits": int(registries["left_behind_visits"]["total"]["n"]),
        },
        "charity": {
            "donations": int(registries["donations"]["total"]["n"]),
            "amount": _money(registries["donations"]["total"]["amount"]),
            "used": _money(registries["donations_used"]["total"]["amount"]),
        },
        "volunteers": int(registries["volunteers"]["total"]["n"]),
        "attention": attention(q),
        # Beyond the contract (issue 20): risk warnings by the next level down, handled on time and overdue.
        "warnings": warnings(q),
        # Beyond the contract: the registries' trends and splits, for the page's charts.
        "series": {name: series(figure) for name, figure in registries.items()},
    }
