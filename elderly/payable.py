"""How operating subsidies to elderly-care institutions are paid: scheme ``elderly_operating``, registered
with the payout engine (``payouts.schemes.register``) by ``ElderlyConfig.ready``.

A run of a month pays every subsidy approved for that month, once: the line's key is the subsidy
(``UNIQUE (source_id)`` over the scheme's live lines, ``payouts.models``), so running it twice,
or a chunk written twice, adds nothing. The payee is the institution, not a person: the line has
no beneficiary and no household; ``division`` is the payee's sub-district (the subsidy's: the line's
geography). The payee is a sub-district centre or an institution of the register (one of the two,
``OperatingSubsidy``'s CHECK); the bank file takes its name and the account approved with the
subsidy from ``payees`` below.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from elderly.models import OperatingSubsidy, SubsidyStatus
from payouts.models import PayoutScheme
from payouts.schemes import Pass, PayoutSchemeBase, _bounds, _sql, fmt, json_object, num, register, text


def subsidies_payable(period: datetime.date):
    """The subsidies a run of ``period`` pays: approved for that month (refused and entered ones never)."""
    return OperatingSubsidy.objects.filter(period=period, status=SubsidyStatus.APPROVED)


class ElderlyOperatingScheme(PayoutSchemeBase):
    code = PayoutScheme.ELDERLY_OPERATING
    recurring = False  # started by finance once the month's subsidies are approved
    pays_institutions = True

    def plan(self, period: datetime.date) -> dict:
        bounds = _bounds(subsidies_payable(period))
        passes = [Pass(self.code, OperatingSubsidy._meta.db_table, *bounds).as_json()] if bounds else []
        return {"rates": [], "passes": passes}

    def chunk_sql(self, plan: dict, pass_name: str, lo: int, hi: int) -> tuple[str, list]:
        period = datetime.date.fromisoformat(plan["period"])
        rows_sql, params = _sql(
            subsidies_payable(period)
            .filter(id__gte=lo, id__lt=hi)
            .values("id", "centre_id", "institution_id", "subdistrict_id", "amount", "decided_at")
        )
        snapshot = json_object(
            [
                ("rule", "'\"elderly_operating\"'"),
                ("subsidy", num("s.id")),
                ("institution", text("COALESCE(c.name, i.name)")),
                ("approved", num("s.amount")),
                ("approved_on", text("(s.decided_at AT TIME ZONE %s)::date")),
            ]
        )
        sql = f"""
        SELECT %s, %s, %s::date, NULL::bigint, NULL::bigint, s.id, s.subdistrict_id, s.amount, 'pending',
               {snapshot}::json, NULL::bigint
        FROM ({rows_sql}) s
        LEFT JOIN elderly_elderlycentre c ON c.id = s.centre_id
        LEFT JOIN elderly_elderlyinstitution i ON i.id = s.institution_id
        ORDER BY s.id
        """  # noqa: S608 - composed of fixed fragments; every value is a parameter
        from django.utils import timezone

        return sql, [plan["run"], self.code, period, str(timezone.get_current_timezone()), *params]

    def explain(self, s: dict) -> str:
        return _("operating subsidy to %(institution)s, approved on %(day)s: %(amount)s") % {
            "institution": s.get("institution", ""),
            "day": s.get("approved_on", ""),
            "amount": fmt(s.get("approved")),
        }

    def payees(self, source_ids) -> dict[int, tuple[str, str, str]]:
        """``{subsidy id: (institution name, bank, account)}``: who the bank file pays for these lines."""
        rows = OperatingSubsidy.objects.filter(pk__in=list(source_ids)).values_list(
            "pk", "centre__name", "institution__name", "bank_name", "bank_account"
        )
        return {pk: (centre or institution, bank, account) for pk, centre, institution, bank, account in rows}

    def case_model(self):
        return None


register(ElderlyOperatingScheme())
