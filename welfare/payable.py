"""How welfare's benefits are paid: the payout schemes of orphans and the two disability subsidies, and
orphans as a covered group of the price-linked subsidy, registered with the payout engine."""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import F
from django.utils.translation import gettext as _

from core.errors import Conflict
from payouts.models import PayoutScheme
from payouts.schemes import (
    CoveredGroupRows,
    MissingStandards,
    Pass,
    PayoutSchemeBase,
    _bounds,
    _districts_of,
    _division_codes,
    _key,
    _missing_message,
    _rates,
    _sql,
    fmt,
    jnum,
    jtext,
    register,
    register_covered_group,
)
from relief.models import CoveredGroup, Scheme
from welfare.models import DisabilitySubsidyCase, OrphanCase

# --- Welfare: orphans and the two disability subsidies ------------------------------------------------


def _welfare():
    """welfare's selectors (the module, read when a run is planned)."""
    from welfare import selectors

    return selectors


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

    def cases(self, period: datetime.date):
        raise NotImplementedError

    def standard_for(self, welfare, table, period, code: str, key: str):
        raise NotImplementedError

    def explain(self, s: dict) -> str:
        label = dict(Scheme.choices).get(s.get("standard_scheme"), s.get("standard_scheme"))
        return _("%(scheme)s, in force from %(date)s: %(amount)s per month") % {
            "scheme": label,
            "date": s.get("standard_from", ""),
            "amount": fmt(s.get("standard")),
        }

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
                raise MissingStandards(
                    _missing_message(Scheme(self.standard_scheme).label, period, _districts_of(needed))
                )
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

    def case_model(self):
        return OrphanCase

    def cases(self, period):
        return _welfare().orphan_cases_payable(period)

    def standard_for(self, welfare, table, period, code, key):
        return welfare.standard_entry(table, scheme=welfare.ORPHAN_SCHEMES[key], month=period, division=code)


class DisabilityLivingScheme(WelfareScheme):
    code = PayoutScheme.DISABILITY_LIVING

    def case_model(self):
        return DisabilitySubsidyCase

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

    def case_model(self):
        return DisabilitySubsidyCase

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

    def case_model(self):
        return OrphanCase

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


for _scheme in (OrphanScheme(), DisabilityLivingScheme(), DisabilityNursingScheme()):
    register(_scheme)
register_covered_group(OrphanCovered())
