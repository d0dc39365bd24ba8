"""The schemes a payout run can pay, one class each, in one registry.

A scheme says two things, and the engine (``payouts/engine.py``) does the rest:

* ``plan(period)``: what is frozen when a run starts computing — the rates in force that
  month for every division (looked up with relief's own ``StandardsTable`` and rule
  functions, never re-implemented here), and one or more *passes*, each an id range of a
  driving table. A standard missing where a payable case needs it raises
  ``MissingStandards`` naming scheme, area, division and month.
* ``chunk_sql(plan, pass, lo, hi)``: one ``SELECT`` producing the lines of the driving rows
  with ids in ``[lo, hi)``, each with a JSON snapshot of what produced its amount. Which
  cases pay comes from relief's own selectors (``dibao_cases_payable`` …), compiled to SQL.

The engine wraps that ``SELECT`` in an ``INSERT`` under ``UNIQUE (period, scheme,
beneficiary)``: running a chunk twice writes nothing the second time (``engine.insert_chunk``).
``may_overlap`` says which passes select people an earlier pass may already have paid.

Deceased beneficiaries get nothing: a person whose ``death_date`` falls before the month
is not paid for it (benefits end from the month after the death), and a dibao household
is paid for its living members only.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db import connection
from django.db.models import F
from django.utils.translation import gettext as _

from core.cases import month_str
from core.errors import Conflict
from core.models import Division
from payouts.models import PayoutScheme
from relief import rules
from relief import selectors as relief
from relief.models import CARE_SCHEMES, CareLevel, CoveredGroup, Scheme

AREAS = ("urban", "rural")
LINE_COLUMNS = ", ".join(
    [
        "run_id",
        "scheme",
        "period",
        "beneficiary_id",
        "household_id",
        "source_id",
        "division_id",
        "amount",
        "status",
        "snapshot",
        "replaces_id",
    ]
)


class MissingStandards(Exception):
    """Standards a payable case needs are not in force for the month (the run fails, saying which)."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


@dataclass(frozen=True)
class Pass:
    name: str
    table: str  # the driving table: chunks follow its id
    low: int
    high: int  # exclusive

    def as_json(self) -> dict:
        return {"name": self.name, "table": self.table, "low": self.low, "high": self.high}


def _sql(qs) -> tuple[str, list]:
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def _bounds(qs) -> tuple[int, int] | None:
    """The id range ``[first, last + 1)`` of a queryset, or ``None`` when it is empty.

    Two walks along the primary key, from either end, each stopping at the first row that
    qualifies: ``min``/``max`` over a filter that joins another table would read every row
    (0.7 s for the nursing subsidy at 890,000 cases, where the walks take milliseconds).
    """
    ids = qs.values_list("id", flat=True)
    first = ids.order_by("id").first()
    if first is None:
        return None
    return first, ids.order_by("-id").first() + 1


def _division_codes() -> list[str]:
    return list(Division.objects.order_by("code").values_list("code", flat=True))


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _area_label(area: str) -> str:
    return _("urban areas") if area == "urban" else _("rural areas")


def _division_label(code: str, names: dict[str, str]) -> str:
    return f"{names.get(code, code)} ({code})"


def _missing_message(scheme: str, month: datetime.date, pairs: list[tuple[str, str]]) -> list[str]:
    """“No dibao standard in force in 2020-04 for rural areas of 平度市 (370283)”, per district, at most ten."""
    names = dict(Division.objects.filter(code__in={c for c, _a in pairs}).values_list("code", "name"))
    label = Scheme(scheme).label
    out = []
    for code, area in sorted(pairs)[:10]:
        out.append(
            _("No %(scheme)s standard is in force in %(month)s for %(area)s of %(division)s.")
            % {
                "scheme": label,
                "month": month_str(month),
                "area": _area_label(area) if area in AREAS else _("all areas"),
                "division": _division_label(code, names),
            }
        )
    if len(pairs) > 10:
        out.append(_("… and %(n)d more divisions.") % {"n": len(pairs) - 10})
    return out


def _districts_of(pairs: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Collapse (community, area) pairs to (district, area) for a readable message."""
    return sorted({(code[:6], area) for code, area in pairs})


def _unnest(columns: list[tuple[str, str]], rows: list[list], key: tuple[str, ...]) -> tuple[str, list]:
    """The rates as a table ``r``, one array parameter per column, with ``r.k`` = the key columns joined by ``|``.

    Lines join their rate on that one composite key (``r.k = division || '|' || area …``): a
    single hashable equality, whatever tables the parts come from, so the planner cannot
    split it into a cross product on the other parts.
    """
    types = ", ".join(f"%s::{sqltype}[]" for _name, sqltype in columns)
    names = ", ".join(name for name, _t in columns)
    k = " || '|' || ".join(f"u.{name}" for name in key)
    arrays = [[row[i] for row in rows] for i in range(len(columns))]
    return f'(SELECT u.*, ({k}) COLLATE "C" AS k FROM unnest({types}) AS u({names})) r', arrays  # noqa: S608 - column names from this module


def _key(*parts: str) -> str:
    """The line side of a rate join: ``a || '|' || b`` (in the "C" collation of division codes)."""
    return "(" + " || '|' || ".join(f"({p})::text" for p in parts) + ') COLLATE "C"'


def json_object(fields: list[tuple[str, str]], *, head: str | None = None) -> str:
    """SQL that writes a JSON object as text from ``(key, value)`` pairs, each value SQL giving JSON text.

    Cheaper per row than ``jsonb_build_object`` by a factor of five at millions of lines, and
    it keeps amounts exactly as written (``880.00``). Keys are fixed names; values go
    through ``num``/``text`` below, so every string is escaped by ``to_json``.

    ``head``: SQL giving the object's opening written beforehand (``json_head``), typically
    the rate's own column: what every line of one rate shares is then written once per rate
    in Python, not once per line in SQL, and a line adds only its own facts.
    """
    sql = [] if head is None else [head]
    for index, (key, value) in enumerate(fields):
        sql.append("'" + ("{" if index == 0 and head is None else ",") + f'"{key}":' + "'")
        sql.append(value)
    sql.append("'}'")
    return "(" + " || ".join(sql) + ")"


def json_head(fields: list[tuple[str, str]]) -> str:
    """The opening of a JSON object (no closing brace), from ``(key, JSON text)`` pairs made by ``jnum``/``jtext``.

    The text is what ``json_object`` would write in SQL for the same values, to the byte.
    """
    return "{" + ",".join(f'"{key}":{value}' for key, value in fields)


def jnum(value) -> str:
    """A number known here (a Decimal, int or the plan's decimal string), or ``null``, as JSON text."""
    if value is None:
        return "null"
    number = Decimal(str(value))
    if not number.is_finite():
        raise ValueError(value)
    return str(number)


def jtext(value) -> str:
    """A string, ISO date or boolean known here, or ``null``, as JSON text (as ``to_json`` writes it)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def _rates(columns, rows: list[list], key: tuple[str, ...], snapshot, *, whole: bool) -> tuple[str, list]:
    """The plan's rates as the table ``r`` (``_unnest``), each with what its lines' snapshots share.

    ``snapshot(row)`` gives the ``(key, JSON text)`` pairs a rate decides. ``whole``: they are
    the whole snapshot, ``r.snapshot``, a ``json`` value PostgreSQL checks once per rate instead
    of parsing it once per line; otherwise they open it, ``r.head``, and each line adds its own
    facts with ``json_object(…, head="r.head")``.
    """
    column = ("snapshot", "json") if whole else ("head", "text")
    rows = [[*row, json_head(snapshot(row)) + ("}" if whole else "")] for row in rows]
    return _unnest([*columns, column], rows, key)


def num(expr: str) -> str:
    """A number (or ``null``) as JSON text."""
    return f"COALESCE(({expr})::text, 'null')"


def text(expr: str) -> str:
    """A string, date or boolean (or ``null``) as JSON text, escaped by ``to_json``."""
    return f"COALESCE(to_json({expr})::text, 'null')"


class PayoutSchemeBase:
    code: str = ""
    recurring = True  # created every month by the schedule

    @property
    def label(self) -> str:
        return str(PayoutScheme(self.code).label)

    def available(self) -> bool:
        return True

    def unavailable_reason(self) -> str:
        return ""

    def plan(self, period: datetime.date) -> dict:
        raise NotImplementedError

    def chunk_sql(self, plan: dict, pass_name: str, lo: int, hi: int) -> tuple[str, list]:
        raise NotImplementedError

    def may_overlap(self, plan: dict, pass_index: int) -> bool:
        """Whether the pass may select people already paid this month by an earlier pass (then skipped)."""
        return False

    def check_period(self, period: datetime.date) -> None:
        """Refuse (``Conflict``) a run that cannot exist for this month."""


# --- Dibao: a household, (standard − per-capita income) × living members, floored at 0, + supplements ------


class DibaoScheme(PayoutSchemeBase):
    code = PayoutScheme.DIBAO

    RATE_COLUMNS = [
        ("code", "text"),
        ("area", "text"),
        ("standard", "numeric"),
        ("standard_id", "bigint"),
        ("standard_from", "date"),
        ("elderly", "numeric"),
        ("disabled", "numeric"),
        ("child", "numeric"),
    ]

    def plan(self, period: datetime.date) -> dict:
        table = relief.StandardsTable.load(relief.DIBAO_SCHEMES)
        rates, missing = [], set()
        for code in _division_codes():
            for area in AREAS:
                where = {"area_type": area, "division": code}
                entry = table.get(Scheme.DIBAO, period, **where)
                if entry is None:
                    missing.add((code, area))
                    continue
                rates.append(
                    [
                        code,
                        area,
                        str(entry.amount),
                        entry.pk,
                        entry.effective_from.isoformat(),
                        _dec(table.amount(Scheme.DIBAO_SUPPLEMENT_ELDERLY, period, **where)),
                        _dec(table.amount(Scheme.DIBAO_SUPPLEMENT_DISABLED, period, **where)),
                        _dec(table.amount(Scheme.DIBAO_SUPPLEMENT_CHILD, period, **where)),
                    ]
                )
        cases = relief.dibao_cases_payable(period)
        if missing:
            needed = _needed_pairs(
                cases.values_list("household__community", "household__area_type").distinct(), missing
            )
            if needed:
                raise MissingStandards(_missing_message(Scheme.DIBAO, period, _districts_of(needed)))
        bounds = _bounds(cases)
        passes = [Pass("dibao", "relief_dibaocase", *bounds).as_json()] if bounds else []
        return {"rates": rates, "passes": passes}

    def chunk_sql(self, plan: dict, pass_name: str, lo: int, hi: int) -> tuple[str, list]:
        period = datetime.date.fromisoformat(plan["period"])
        cases_sql, cases_params = _sql(
            relief.dibao_cases_payable(period)
            .filter(id__gte=lo, id__lt=hi)
            .values("id", "household_id", "monthly_income")
        )
        # What a line shares with every line of its rate: written once per rate, here.
        rates_sql, rates_params = _rates(
            self.RATE_COLUMNS,
            plan["rates"],
            ("code", "area"),
            lambda r: [
                ("rule", jtext("dibao")),
                ("area", jtext(r[1])),
                ("standard", jnum(r[2])),
                ("standard_id", jnum(r[3])),
                ("standard_from", jtext(r[4])),
            ],
            whole=False,
        )
        elderly_born_by = _years_before(period, rules.ELDERLY_AGE)  # age ≥ 60 on the 1st of the month
        child_born_after = _years_before(period, rules.CHILD_AGE)  # age < 18 on the 1st of the month
        snapshot = json_object(
            [
                ("income", num("monthly_income")),
                ("members", num("n")),
                ("members_on_case", num("on_case")),
                ("gap", num("gap")),
                ("supplement", num("supplement")),
                (
                    "supplement_members",
                    json_object(
                        [("elderly", num("n_elderly")), ("disabled", num("n_disabled")), ("child", num("n_child"))]
                    ),
                ),
            ],
            head="head",
        )
        # Per member: alive in the month, and the one supplement they would get (the highest; elderly,
        # disabled, child in that order on a tie); per case, one pass of aggregates over its members.
        sql = f"""
        WITH c AS (
            SELECT cc.id, cc.household_id, cc.monthly_income, h.community_id, h.area_type,
                   r.standard, r.elderly, r.disabled, r.child, r.head
            FROM ({cases_sql}) cc
            JOIN people_household h ON h.id = cc.household_id
            JOIN {rates_sql} ON r.k = {_key("h.community_id", "h.area_type")}
        ), m AS (
            SELECT x.*,
                   CASE WHEN e IS NOT NULL AND e >= COALESCE(d, 0) AND e >= COALESCE(k, 0) THEN 'elderly'
                        WHEN d IS NOT NULL AND d >= COALESCE(k, 0) THEN 'disabled'
                        WHEN k IS NOT NULL THEN 'child' END AS got
            FROM (
                SELECT dm.case_id, dm.person_id, dm.relationship,
                       (p.death_date IS NULL OR p.death_date >= %s) AS alive,
                       CASE WHEN c.elderly > 0 AND p.birth_date <= %s THEN c.elderly END AS e,
                       CASE WHEN c.disabled > 0 AND dm.disabled THEN c.disabled END AS d,
                       CASE WHEN c.child > 0 AND p.birth_date > %s THEN c.child END AS k
                FROM relief_dibaomember dm
                JOIN c ON c.id = dm.case_id
                JOIN people_person p ON p.id = dm.person_id
                WHERE dm.case_id >= %s AND dm.case_id < %s  -- the chunk's range, for the index
            ) x
        ), agg AS (
            SELECT case_id,
                   count(*) AS on_case,
                   count(*) FILTER (WHERE alive) AS n,
                   COALESCE(min(person_id) FILTER (WHERE alive AND relationship = 'head'),
                            min(person_id) FILTER (WHERE alive)) AS payee,
                   COALESCE(sum(GREATEST(e, d, k)) FILTER (WHERE alive), 0) AS supplement,
                   count(*) FILTER (WHERE alive AND got = 'elderly') AS n_elderly,
                   count(*) FILTER (WHERE alive AND got = 'disabled') AS n_disabled,
                   count(*) FILTER (WHERE alive AND got = 'child') AS n_child
            FROM m GROUP BY case_id
        ), priced AS (
            SELECT c.*, agg.n, agg.payee, agg.n_elderly, agg.n_disabled, agg.n_child, agg.on_case,
                   GREATEST(c.standard * agg.n - c.monthly_income, 0) AS gap,
                   CASE WHEN c.standard * agg.n - c.monthly_income > 0 THEN agg.supplement ELSE 0 END AS supplement
            FROM c JOIN agg ON agg.case_id = c.id
            WHERE agg.n > 0
        )
        SELECT %s, %s, %s::date, payee, household_id, id, community_id, round(gap + supplement, 2), 'pending',
               {snapshot}::json, NULL::bigint
        FROM priced
        WHERE round(gap + supplement, 2) > 0
        """  # noqa: S608 - composed of fixed fragments; every value is a parameter
        params = [
            *cases_params,
            *rates_params,
            period,
            elderly_born_by,
            child_born_after,
            lo,
            hi,
            plan["run"],
            self.code,
            period,
        ]
        return sql, params


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _needed_pairs(pairs_qs, missing: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of the ``missing`` (division, area) pairs a payable case actually needs."""
    return {(code, area) for code, area in pairs_qs if (code, area) in missing}


# --- Tekun: a person, basic living standard (≥ 1.3 × dibao) + care standard by self-care ability ----------


class TekunScheme(PayoutSchemeBase):
    code = PayoutScheme.TEKUN

    RATE_COLUMNS = [
        ("code", "text"),
        ("area", "text"),
        ("care_level", "text"),
        ("amount", "numeric"),
        ("basic", "numeric"),
        ("floor_applied", "boolean"),
        ("tekun_standard", "numeric"),
        ("dibao_standard", "numeric"),
        ("care", "numeric"),
        ("standard_ids", "text"),
    ]

    def plan(self, period: datetime.date) -> dict:
        table = relief.StandardsTable.load(relief.TEKUN_SCHEMES)
        rates, missing_basic, missing_care = [], set(), set()
        for code in _division_codes():
            for area in AREAS:
                where = {"area_type": area, "division": code}
                basic = table.get(Scheme.TEKUN, period, **where)
                dibao = table.get(Scheme.DIBAO, period, **where)
                if basic is None and dibao is None:
                    missing_basic.add((code, area))
                    continue
                for level in CareLevel.values:
                    care = table.get(CARE_SCHEMES[level], period, **where)
                    if care is None:
                        missing_care.add((code, area, level))
                        continue
                    result = rules.tekun_amount(
                        tekun_standard=basic.amount if basic else None,
                        dibao_standard=dibao.amount if dibao else None,
                        care_standard=care.amount,
                    )
                    ids = ",".join(str(e.pk) for e in (basic, dibao, care) if e is not None)
                    rates.append(
                        [
                            code,
                            area,
                            level,
                            str(result.amount),
                            str(result.basic),
                            result.basic_floor_applied,
                            _dec(basic.amount if basic else None),
                            _dec(dibao.amount if dibao else None),
                            str(care.amount),
                            ids,
                        ]
                    )
        cases = relief.tekun_cases_payable(period)
        if missing_basic or missing_care:
            used = set(cases.values_list("person__division", "area_type", "care_level").distinct())
            messages = _missing_message(
                Scheme.TEKUN, period, _districts_of({(c, a) for c, a, _lv in used if (c, a) in missing_basic})
            )
            for level in CareLevel.values:
                lacking = {(c[:6], "") for c, a, lv in used if lv == level and (c, a, lv) in missing_care}
                if lacking:
                    messages += _missing_message(CARE_SCHEMES[level], period, sorted(lacking))
            if messages:
                raise MissingStandards(messages)
        bounds = _bounds(cases)
        passes = [Pass("tekun", "relief_tekuncase", *bounds).as_json()] if bounds else []
        return {"rates": rates, "passes": passes}

    def chunk_sql(self, plan: dict, pass_name: str, lo: int, hi: int) -> tuple[str, list]:
        period = datetime.date.fromisoformat(plan["period"])
        cases_sql, cases_params = _sql(
            relief.tekun_cases_payable(period)
            .filter(id__gte=lo, id__lt=hi)
            .values("id", "person_id", "area_type", "care_level")
        )
        rates_sql, rates_params = _rates(
            self.RATE_COLUMNS,
            plan["rates"],
            ("code", "area", "care_level"),
            lambda r: [
                ("rule", jtext("tekun")),
                ("area", jtext(r[1])),
                ("care_level", jtext(r[2])),
                ("basic", jnum(r[4])),
                ("basic_floor_applied", jtext(r[5])),
                ("tekun_standard", jnum(r[6])),
                ("dibao_standard", jnum(r[7])),
                ("care", jnum(r[8])),
                ("standard_ids", jtext(r[9])),
            ],
            whole=True,
        )
        sql = f"""
        SELECT %s, %s, %s::date, t.person_id, hm.household_id, t.id, p.division_id, r.amount, 'pending',
               r.snapshot, NULL::bigint
        FROM ({cases_sql}) t
        JOIN people_person p ON p.id = t.person_id
        JOIN {rates_sql} ON r.k = {_key("p.division_id", "t.area_type", "t.care_level")}
        LEFT JOIN people_householdmember hm ON hm.person_id = t.person_id
        WHERE (p.death_date IS NULL OR p.death_date >= %s) AND r.amount > 0
        """  # noqa: S608 - composed of fixed fragments; every value is a parameter
        return sql, [plan["run"], self.code, period, *cases_params, *rates_params, period]


# --- Price-linked subsidy: every covered person, the dibao standard × the index's rise ------------------


class PriceSubsidyScheme(PayoutSchemeBase):
    """One pass per covered group, in the rule's order: a person covered twice is paid under the first.

    ``UNIQUE (period, scheme, beneficiary)`` over live lines makes "the first group wins" hold by
    construction: a later group's line for someone already paid conflicts and is skipped.
    """

    code = PayoutScheme.PRICE_SUBSIDY
    recurring = False

    RATE_COLUMNS = [("code", "text"), ("area", "text"), ("amount", "numeric"), ("standard", "numeric")]

    def check_period(self, period: datetime.date) -> None:
        index = relief.price_index_for_month(period)
        if index is None:
            raise Conflict(
                _("No price index is entered for %(month)s: there is no price-linked subsidy to pay.")
                % {"month": month_str(period)},
                code="no_price_index",
            )
        if not relief.price_decision(index).triggered:
            raise Conflict(
                _("The price indices of %(month)s do not trigger the price-linked subsidy.")
                % {"month": month_str(period)},
                code="not_triggered",
            )

    def plan(self, period: datetime.date) -> dict:
        self.check_period(period)
        decision = relief.price_decision(relief.price_index_for_month(period))
        table = relief.StandardsTable.load([Scheme.DIBAO])
        rates, missing = [], set()
        for code in _division_codes():
            for area in AREAS:
                standard = table.amount(Scheme.DIBAO, period, area_type=area, division=code)
                if standard is None:
                    missing.add((code, area))
                    continue
                amount = relief.price_subsidy_rate(decision, area_type=area, division=code, table=table)
                rates.append([code, area, str(amount), str(standard)])
        passes, skipped = [], []
        needed: set[tuple[str, str]] = set()
        for group in decision.rule.covered_groups:
            provider = COVERED_GROUPS.get(group)
            if provider is None or not provider.available():
                skipped.append(group)
                continue
            if missing:
                needed |= {pair for pair in provider.area_pairs(period) if pair in missing}
            bounds = provider.bounds(period)
            if bounds:
                passes.append(Pass(group, provider.table, *bounds).as_json())
        if needed:
            raise MissingStandards(_missing_message(Scheme.DIBAO, period, _districts_of(needed)))
        return {
            "rates": rates,
            "passes": passes,
            "skipped_groups": skipped,
            "constants": {
                "index_id": decision.index.pk,
                "index": decision.rule.amount_index,
                "rise": str(decision.rise),
                "cpi_yoy": str(decision.index.cpi_yoy),
                "food_cpi_yoy": str(decision.index.food_cpi_yoy),
                "triggered_by": list(decision.trigger.by),
                "rule_id": decision.rule.pk,
                "rule_from": decision.rule.effective_from.isoformat(),
                "floor": str(decision.rule.floor),
            },
        }

    def may_overlap(self, plan: dict, pass_index: int) -> bool:
        return pass_index > 0  # someone in two covered groups is paid under the first

    def chunk_sql(self, plan: dict, pass_name: str, lo: int, hi: int) -> tuple[str, list]:
        period = datetime.date.fromisoformat(plan["period"])
        provider = COVERED_GROUPS[pass_name]
        rows_sql, rows_params = provider.rows_sql(period, lo, hi)
        k = plan["constants"]
        rates_sql, rates_params = _rates(
            self.RATE_COLUMNS,
            plan["rates"],
            ("code", "area"),
            lambda r: [
                ("rule", jtext("price_subsidy")),
                ("group", jtext(pass_name)),
                ("area", jtext(r[1])),
                ("standard", jnum(r[3])),
                ("index", jtext(k["index"])),
                ("rise", jnum(k["rise"])),
                ("cpi_yoy", jnum(k["cpi_yoy"])),
                ("food_cpi_yoy", jnum(k["food_cpi_yoy"])),
                ("floor", jnum(k["floor"])),
                ("index_id", jnum(k["index_id"])),
                ("rule_id", jnum(k["rule_id"])),
                ("rule_from", jtext(k["rule_from"])),
            ],
            whole=True,
        )
        sql = f"""
        SELECT %s, %s, %s::date, g.person_id, g.household_id, g.case_id, g.division_id, r.amount, 'pending',
               r.snapshot, NULL::bigint
        FROM ({rows_sql}) g
        JOIN {rates_sql} ON r.k = {_key("g.division_id", "g.area_type")}
        WHERE r.amount > 0
        """  # noqa: S608 - composed of fixed fragments; every value is a parameter
        return sql, [plan["run"], self.code, period, *rows_params, *rates_params]


class CoveredGroupRows:
    """Who a covered group of the price subsidy is, in a month: (person, household, case, division, area)."""

    group: str = ""
    table: str = ""

    def available(self) -> bool:
        return True

    def cases(self, period: datetime.date):
        raise NotImplementedError

    def bounds(self, period: datetime.date) -> tuple[int, int] | None:
        return _bounds(self.cases(period))

    def area_pairs(self, period: datetime.date) -> set[tuple[str, str]]:
        """The (division, urban/rural) pairs the group's people need a rate for."""
        bounds = self.bounds(period)
        if bounds is None:
            return set()
        rows_sql, params = self.rows_sql(period, *bounds)
        with connection.cursor() as cur:
            cur.execute(f"SELECT DISTINCT division_id, area_type FROM ({rows_sql}) g", params)  # noqa: S608
            return set(cur.fetchall())

    def rows_sql(self, period: datetime.date, lo: int, hi: int) -> tuple[str, list]:
        raise NotImplementedError


class DibaoCovered(CoveredGroupRows):
    group = CoveredGroup.DIBAO
    table = "relief_dibaocase"

    def cases(self, period):
        return relief.dibao_cases_payable(period)

    def rows_sql(self, period, lo, hi):
        cases_sql, params = _sql(self.cases(period).filter(id__gte=lo, id__lt=hi).values("id", "household_id"))
        sql = f"""
            SELECT dm.person_id, cc.household_id, cc.id AS case_id, h.community_id AS division_id, h.area_type
            FROM ({cases_sql}) cc
            JOIN people_household h ON h.id = cc.household_id
            JOIN relief_dibaomember dm ON dm.case_id = cc.id
            JOIN people_person p ON p.id = dm.person_id
            WHERE (p.death_date IS NULL OR p.death_date >= %s) AND dm.case_id >= %s AND dm.case_id < %s
        """  # noqa: S608
        return sql, [*params, period, lo, hi]


class TekunCovered(CoveredGroupRows):
    group = CoveredGroup.TEKUN
    table = "relief_tekuncase"

    def cases(self, period):
        return relief.tekun_cases_payable(period)

    def rows_sql(self, period, lo, hi):
        cases_sql, params = _sql(
            self.cases(period).filter(id__gte=lo, id__lt=hi).values("id", "person_id", "area_type")
        )
        sql = f"""
            SELECT t.person_id, hm.household_id, t.id AS case_id, p.division_id, t.area_type
            FROM ({cases_sql}) t
            JOIN people_person p ON p.id = t.person_id
            LEFT JOIN people_householdmember hm ON hm.person_id = t.person_id
            WHERE p.death_date IS NULL OR p.death_date >= %s
        """  # noqa: S608
        return sql, [*params, period]


# --- Welfare: orphans and the two disability subsidies ------------------------------------------------


def _welfare():
    """welfare's selectors, or None while that app is not installed (its schemes are then unavailable)."""
    if not apps.is_installed("welfare"):
        return None
    try:
        from welfare import selectors as welfare
    except ImportError:
        return None
    needed = ("orphan_cases_payable", "subsidy_cases_payable", "standard_entry", "load_table", "ORPHAN_SCHEMES")
    return welfare if all(hasattr(welfare, name) for name in needed) else None


class WelfareScheme(PayoutSchemeBase):
    """A person per payable welfare case, paid the monthly amount of its standard (welfare's own lookup).

    ``key`` is what besides the division picks the standard: the orphan's category, the
    nursing subsidy's disability grade (a grade's own entry where the city sets one), or
    nothing for the living subsidy. Which cases pay (suspension holds, death, age) is
    welfare's ``payable_q``, compiled into the chunk's SQL.
    """

    RATE_COLUMNS = [
        ("code", "text"),
        ("key", "text"),
        ("amount", "numeric"),
        ("standard_scheme", "text"),
        ("standard_id", "bigint"),
        ("standard_from", "date"),
    ]
    keys: tuple = ("",)
    key_sql = "''"
    key_joins = ""

    def available(self) -> bool:
        return _welfare() is not None

    def unavailable_reason(self) -> str:
        return _("%(scheme)s cannot be paid: the welfare register it reads is not installed.") % {"scheme": self.label}

    def cases(self, period: datetime.date):
        raise NotImplementedError

    def standard_for(self, welfare, table, period, code: str, key: str):
        raise NotImplementedError

    def plan(self, period: datetime.date) -> dict:
        welfare = _welfare()
        table = welfare.load_table(period)
        rates, missing = [], set()
        for code in _division_codes():
            for key in self.keys:
                try:
                    used, entry = self.standard_for(welfare, table, period, code, key)
                except Conflict:
                    missing.add((code, key))
                    continue
                rates.append([code, key, str(entry.amount), used, entry.pk, entry.effective_from.isoformat()])
        cases = self.cases(period)
        bounds = _bounds(cases)
        if missing and bounds:
            needed = {pair for pair in self._used_keys(period, *bounds) if pair in missing}
            if needed:
                raise MissingStandards(_missing_message(self.standard_scheme, period, _districts_of(needed)))
        passes = [Pass(self.code, self.table, *bounds).as_json()] if bounds else []
        return {"rates": rates, "passes": passes}

    @property
    def standard_scheme(self) -> str:
        return self.code

    @property
    def table(self) -> str:
        return self.cases(datetime.date(2000, 1, 1)).model._meta.db_table

    def _cases_sql(self, period, lo, hi) -> tuple[str, list]:
        # welfare's payable_q already joins the person (for the death date): their division comes along.
        qs = self.cases(period).filter(id__gte=lo, id__lt=hi).annotate(person_division=F("person__division_id"))
        return _sql(qs.values(*self.case_fields, "person_division"))

    case_fields = ("id", "person_id")

    def _used_keys(self, period, lo, hi) -> set[tuple[str, str]]:
        cases_sql, params = self._cases_sql(period, lo, hi)
        sql = f"""
            SELECT DISTINCT w.person_division, {self.key_sql}
            FROM ({cases_sql}) w {self.key_joins}
        """  # noqa: S608 - fixed fragments; values are parameters
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return set(cur.fetchall())

    def chunk_sql(self, plan: dict, pass_name: str, lo: int, hi: int) -> tuple[str, list]:
        period = datetime.date.fromisoformat(plan["period"])
        cases_sql, cases_params = self._cases_sql(period, lo, hi)
        rates_sql, rates_params = _rates(
            self.RATE_COLUMNS,
            plan["rates"],
            ("code", "key"),
            lambda r: [
                ("rule", jtext(self.code)),
                ("key", jtext(r[1])),
                ("standard", jnum(r[2])),
                ("standard_scheme", jtext(r[3])),
                ("standard_id", jnum(r[4])),
                ("standard_from", jtext(r[5])),
            ],
            whole=True,
        )
        sql = f"""
        SELECT %s, %s, %s::date, w.person_id, hm.household_id, w.id, w.person_division, r.amount, 'pending',
               r.snapshot, NULL::bigint
        FROM ({cases_sql}) w
        {self.key_joins}
        JOIN {rates_sql} ON r.k = {_key("w.person_division", self.key_sql)}
        LEFT JOIN people_householdmember hm ON hm.person_id = w.person_id
        WHERE r.amount > 0
        """  # noqa: S608 - fixed fragments; values are parameters
        return sql, [plan["run"], self.code, period, *cases_params, *rates_params]


class OrphanScheme(WelfareScheme):
    code = PayoutScheme.ORPHAN
    keys = ("institution", "community")
    key_sql = "w.category"
    case_fields = ("id", "person_id", "category")

    @property
    def standard_scheme(self) -> str:
        return Scheme.ORPHAN_COMMUNITY

    def cases(self, period):
        return _welfare().orphan_cases_payable(period)

    def standard_for(self, welfare, table, period, code, key):
        return welfare.standard_entry(table, scheme=welfare.ORPHAN_SCHEMES[key], month=period, division=code)


class DisabilityLivingScheme(WelfareScheme):
    code = PayoutScheme.DISABILITY_LIVING

    def cases(self, period):
        return _welfare().subsidy_cases_payable(period, "living")

    def standard_for(self, welfare, table, period, code, key):
        return welfare.standard_entry(table, scheme=Scheme.DISABILITY_LIVING, month=period, division=code)


class DisabilityNursingScheme(WelfareScheme):
    code = PayoutScheme.DISABILITY_NURSING
    keys = ("1", "2", "3", "4")
    # The grade, looked up per case by the certificate's primary key. As a join, PostgreSQL
    # hashes the chunk's cases and reads every certificate of the city for each chunk (a
    # quarter of the chunk's time at 890,000 cases); as a subquery it cannot.
    key_sql = "(SELECT c.grade FROM welfare_disabilitycertificate c WHERE c.id = w.certificate_id)::text"
    case_fields = ("id", "person_id", "certificate_id")

    def cases(self, period):
        return _welfare().subsidy_cases_payable(period, "nursing")

    def standard_for(self, welfare, table, period, code, key):
        return welfare.standard_entry(
            table, scheme=Scheme.DISABILITY_NURSING, month=period, division=code, grade=int(key)
        )


class OrphanCovered(CoveredGroupRows):
    """Orphans covered by the price-linked subsidy: their household's urban/rural, else their division's kind."""

    group = CoveredGroup.ORPHAN
    table = "welfare_orphancase"

    def available(self) -> bool:
        return _welfare() is not None

    def cases(self, period):
        return _welfare().orphan_cases_payable(period)

    def rows_sql(self, period, lo, hi):
        cases_sql, params = _sql(self.cases(period).filter(id__gte=lo, id__lt=hi).values("id", "person_id"))
        sql = f"""
            SELECT o.person_id, hm.household_id, o.id AS case_id, p.division_id,
                   COALESCE(h.area_type, CASE WHEN d1.kind IN ('village', 'town') OR d2.kind IN ('village', 'town')
                                              THEN 'rural' ELSE 'urban' END) AS area_type
            FROM ({cases_sql}) o
            JOIN people_person p ON p.id = o.person_id
            LEFT JOIN people_householdmember hm ON hm.person_id = o.person_id
            LEFT JOIN people_household h ON h.id = hm.household_id
            LEFT JOIN core_division d1 ON d1.code = p.division_id AND d1.level IN ('community', 'subdistrict')
            LEFT JOIN core_division d2 ON d2.code = substr(p.division_id, 1, 9)
                                      AND d2.level IN ('community', 'subdistrict')
        """  # noqa: S608
        return sql, params


# --- Follow-up runs: re-pay failed lines whose account has been corrected ----------------------------


class FollowUpPlan:
    """Not a scheme of its own: a follow-up run of any scheme copies the eligible failed lines.

    The plan freezes the failed lines' ids (chosen by ``selectors.repayable_lines``); the
    copy keeps the amount and snapshot and points back at the line it re-pays.
    """

    def may_overlap(self, plan: dict, pass_index: int) -> bool:
        return False

    def chunk_sql(self, plan: dict, pass_name: str, lo: int, hi: int) -> tuple[str, list]:
        sql = """
        SELECT %s, f.scheme, f.period, f.beneficiary_id, f.household_id, f.source_id, f.division_id, f.amount,
               'pending', (left(f.snapshot::text, -1) || ',"re_pays":' || f.id || '}')::json, f.id
        FROM payouts_payoutline f
        WHERE f.id = ANY(%s) AND f.id >= %s AND f.id < %s AND f.status = 'failed'
        """
        return sql, [plan["run"], plan["lines"], lo, hi]


FOLLOW_UP = FollowUpPlan()

# --- The registries -----------------------------------------------------------------------------------

SCHEMES: dict[str, PayoutSchemeBase] = {}
COVERED_GROUPS: dict[str, CoveredGroupRows] = {}


def register(scheme: PayoutSchemeBase) -> None:
    SCHEMES[scheme.code] = scheme


def register_covered_group(rows: CoveredGroupRows) -> None:
    COVERED_GROUPS[rows.group] = rows


for _scheme in (
    DibaoScheme(),
    TekunScheme(),
    OrphanScheme(),
    DisabilityLivingScheme(),
    DisabilityNursingScheme(),
    PriceSubsidyScheme(),
):
    register(_scheme)
for _group in (DibaoCovered(), TekunCovered(), OrphanCovered()):
    register_covered_group(_group)


def scheme_for(code: str) -> PayoutSchemeBase:
    return SCHEMES[code]


def recurring_schemes() -> list[PayoutSchemeBase]:
    return [s for s in SCHEMES.values() if s.recurring and s.available()]
