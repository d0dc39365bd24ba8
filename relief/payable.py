"""How relief's benefits are paid: the payout schemes of dibao, tekun, the price-linked subsidy and temporary
relief, and the covered groups dibao and tekun of that subsidy, registered with the payout engine.

Each scheme's selection is relief's own: which cases pay comes from relief's selectors
(``dibao_cases_payable`` …, compiled to SQL) and the rates from its ``StandardsTable`` and rule
functions, never re-implemented in ``payouts/``. Deceased beneficiaries get nothing: a person whose
``death_date`` falls before the month is not paid for it (``rules.alive_in``, in SQL), and a dibao
household is paid for its living members only.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from core.cases import month_str
from core.errors import Conflict
from payouts.models import PayoutScheme
from payouts.schemes import (
    AREAS,
    COVERED_GROUPS,
    CoveredGroupRows,
    MissingStandards,
    Pass,
    PayoutSchemeBase,
    _bounds,
    _dec,
    _districts_of,
    _division_codes,
    _key,
    _missing_message,
    _needed_pairs,
    _rates,
    _sql,
    _years_before,
    fmt,
    jnum,
    json_object,
    jtext,
    num,
    register,
    register_covered_group,
    text,
)
from relief import rules
from relief import selectors as relief
from relief.models import CARE_SCHEMES, CareLevel, CoveredGroup, DibaoCase, Scheme, TekunCase

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

    def case_model(self):
        return DibaoCase

    def explain(self, s: dict) -> str:
        text = _("(standard %(standard)s × %(n)d members − household income %(income)s) = %(gap)s, floored at 0") % {
            "standard": fmt(s.get("standard")),
            "n": s.get("members", 0),
            "income": fmt(s.get("income")),
            "gap": fmt(s.get("gap")),
        }
        if s.get("supplement") and Decimal(str(s["supplement"])) > 0:
            text += _("; classified supplement %(amount)s") % {"amount": fmt(s.get("supplement"))}
        if s.get("members_on_case") and s.get("members_on_case") != s.get("members"):
            text += _(" (%(dead)d deceased member(s) not counted)") % {"dead": s["members_on_case"] - s["members"]}
        return text

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
                raise MissingStandards(_missing_message(Scheme.DIBAO.label, period, _districts_of(needed)))
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

    def case_model(self):
        return TekunCase

    def explain(self, s: dict) -> str:
        basis = (
            _("1.3 × dibao standard %(dibao)s") % {"dibao": fmt(s.get("dibao_standard"))}
            if s.get("basic_floor_applied")
            else _("tekun standard")
        )
        care = dict(CareLevel.choices).get(s.get("care_level"), s.get("care_level"))
        return _("basic %(basic)s (%(basis)s) + care %(care)s (%(level)s)") % {
            "basic": fmt(s.get("basic")),
            "basis": basis,
            "care": fmt(s.get("care")),
            "level": care,
        }

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
                Scheme.TEKUN.label, period, _districts_of({(c, a) for c, a, _lv in used if (c, a) in missing_basic})
            )
            for level in CareLevel.values:
                lacking = {(c[:6], "") for c, a, lv in used if lv == level and (c, a, lv) in missing_care}
                if lacking:
                    messages += _missing_message(Scheme(CARE_SCHEMES[level]).label, period, sorted(lacking))
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

    def explain(self, s: dict) -> str:
        return _("dibao standard %(standard)s × %(index)s rise %(rise)s%%, at least %(floor)s") % {
            "standard": fmt(s.get("standard")),
            "index": _("food CPI") if s.get("index") == "food_cpi" else "CPI",
            "rise": s.get("rise"),
            "floor": fmt(s.get("floor")),
        }

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
            raise MissingStandards(_missing_message(Scheme.DIBAO.label, period, _districts_of(needed)))
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


class DibaoCovered(CoveredGroupRows):
    group = CoveredGroup.DIBAO
    table = "relief_dibaocase"

    def case_model(self):
        return DibaoCase

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

    def case_model(self):
        return TekunCase

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


# --- Temporary relief: one line per approved claim not yet paid, the amount approved --------------------


class TemporaryReliefScheme(PayoutSchemeBase):
    """Approved temporary-relief claims, each paid once: the amount the approver granted.

    A run of a month pays every claim approved by that month's end that no run has taken yet
    (``UNIQUE (source_id)`` over its live lines: running it again, or next month's run, pays
    nobody twice) and that was not paid in cash at the window. Green-channel claims come
    first (their lines get the run's first ids, so they head the bank file). The payee is the
    household's head, or its first living member where the head died before the month; a
    household with nobody alive is not paid. The claims are locked ``FOR SHARE`` while a
    chunk writes their lines, so a cash payment recorded at that moment waits and is then
    refused (``relief.services.temporary_relief_claim_pay_cash``).
    """

    code = PayoutScheme.TEMPORARY_RELIEF
    recurring = False  # started by finance when the month's approvals are in (any month's run pays the backlog)

    def plan(self, period: datetime.date) -> dict:
        bounds = _bounds(relief.claims_payable(period))
        passes = [Pass("temporary_relief", "relief_temporaryreliefclaim", *bounds).as_json()] if bounds else []
        return {"rates": [], "passes": passes}

    def chunk_sql(self, plan: dict, pass_name: str, lo: int, hi: int) -> tuple[str, list]:
        period = datetime.date.fromisoformat(plan["period"])
        claims_sql, claims_params = _sql(
            relief.claims_payable(period)
            .filter(id__gte=lo, id__lt=hi)
            .values("id", "household_id", "amount", "approved_amount", "kind", "green_channel", "approved_at")
        )
        snapshot = json_object(
            [
                ("rule", "'\"temporary_relief\"'"),
                ("claim", num("c.id")),
                ("kind", text("c.kind")),
                ("asked", num("c.amount")),
                ("approved", num("COALESCE(c.approved_amount, c.amount)")),
                ("approved_on", text("(c.approved_at AT TIME ZONE %s)::date")),
                ("green_channel", text("c.green_channel")),
            ]
        )
        sql = f"""
        SELECT %s, %s, %s::date, payee.person_id, c.household_id, c.id, h.community_id,
               COALESCE(c.approved_amount, c.amount), 'pending', {snapshot}::json, NULL::bigint
        FROM ({claims_sql} FOR SHARE) c
        JOIN people_household h ON h.id = c.household_id
        JOIN LATERAL (
            SELECT m.person_id FROM people_householdmember m JOIN people_person p ON p.id = m.person_id
             WHERE m.household_id = c.household_id AND (p.death_date IS NULL OR p.death_date >= %s)
             ORDER BY (m.person_id = h.head_id) DESC, (m.relationship = 'head') DESC, m.person_id
             LIMIT 1
        ) payee ON true
        WHERE NOT EXISTS (
            SELECT 1 FROM payouts_payoutline l WHERE l.scheme = 'temporary_relief' AND l.source_id = c.id
        )
        ORDER BY c.green_channel DESC, c.approved_at, c.id
        """  # noqa: S608 - composed of fixed fragments; every value is a parameter
        tz = str(timezone.get_current_timezone())
        return sql, [plan["run"], self.code, period, tz, *claims_params, period]

    def explain(self, s: dict) -> str:
        text = _("temporary relief claim %(claim)s, approved on %(day)s: %(approved)s approved") % {
            "claim": s.get("claim"),
            "day": s.get("approved_on", ""),
            "approved": fmt(s.get("approved")),
        }
        if s.get("asked") is not None and Decimal(str(s["asked"])) != Decimal(str(s.get("approved") or 0)):
            text += " " + _("(%(asked)s asked)") % {"asked": fmt(s.get("asked"))}
        if s.get("green_channel"):
            text += _("; green channel (paid first)")
        return text

    def line_flags(self, lines) -> dict[int, list[str]]:
        """Green-channel lines whose claim still waits for its paperwork: flagged on the run's pages."""
        outstanding = relief.claims_paperwork_outstanding({line.source_id for line in lines})
        flag = _("Green channel: paperwork outstanding")
        return {line.pk: [flag] for line in lines if line.source_id in outstanding}


for _scheme in (DibaoScheme(), TekunScheme(), PriceSubsidyScheme(), TemporaryReliefScheme()):
    register(_scheme)
for _group in (DibaoCovered(), TekunCovered()):
    register_covered_group(_group)
