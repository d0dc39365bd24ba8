"""Demo data for social assistance (``manage.py seed_demo``). Idempotent: safe to run again.

Loads the demo standards, a demo delegation, the first half of 2020's price indices (the
figures in the issue), and, for a few demo households of 八大峡街道, cases at different
steps so every page has something to show.
"""

from __future__ import annotations

import datetime

from core.cases import local_today
from core.models import User
from people.models import Household
from relief import services
from relief.models import Delegation, DibaoCase, PriceIndex, TemporaryReliefClaim

PRICE_INDICES_2020_H1 = [
    ("2020-01", "5.4", "20.6"),
    ("2020-02", "5.2", "21.9"),
    ("2020-03", "4.3", "18.3"),
    ("2020-04", "3.3", "14.8"),
    ("2020-05", "2.4", "10.6"),
    ("2020-06", "2.5", "11.1"),
]


def seed_relief_demo() -> list[str]:
    report = []
    added = services.standards_seed(demo=True)
    if added:
        report.append(f"relief standards: {added} loaded (demo values where marked)")
    if not Delegation.objects.filter(district_id="370211").exists():
        services.delegation_set(
            actor=None,
            district="370211",
            power="dibao_approval",
            effective_from="2020-01-01",
            delegated=True,
            source="demo value (演示数据): 审批权委托下放镇（街）改革试点",
        )
    accounts = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
    admin = accounts.get("demo_admin")
    if admin is not None:
        for month, cpi, food in PRICE_INDICES_2020_H1:
            if not PriceIndex.objects.filter(month=f"{month}-01").exists():
                services.price_index_record(actor=admin, month=month, cpi_yoy=cpi, food_cpi_yoy=food)
    caseworker, reviewer, approver = (
        accounts.get(name) for name in ("demo_caseworker", "demo_sd_approver", "demo_district_approver")
    )
    if not (caseworker and reviewer and approver):
        return report
    households = list(Household.objects.filter(community__code__startswith="370202001").order_by("id")[:5])
    if len(households) < 4 or DibaoCase.objects.filter(household__in=households).exists():
        return report
    first, second, third, fourth = households[:4]
    active = services.dibao_case_create(
        actor=caseworker,
        household=first,
        monthly_income="500.00",
        investigation=services.InvestigationSpec(
            on=local_today(), investigators="演示调查员甲、乙", findings="演示：入户调查属实"
        ),
        note="演示",
    )
    services.dibao_case_review(actor=reviewer, case=active, note="材料齐全，入户调查属实")
    # A demo cannot wait the 7 days of the notice: its notice is shown as already ended.
    DibaoCase.objects.filter(pk=active.pk).update(notice_until=local_today() - datetime.timedelta(days=1))
    active.refresh_from_db()
    services.dibao_case_approve(actor=approver, case=active, note="同意纳入低保")
    for fifth in households[4:]:
        noticed = services.dibao_case_create(
            actor=caseworker,
            household=fifth,
            monthly_income="700.00",
            investigation=services.InvestigationSpec(on=local_today(), investigators="演示调查员甲", findings="演示"),
            note="演示：公示中",
        )
        services.dibao_case_review(actor=reviewer, case=noticed, note="初审同意，社区公示")
    services.dibao_case_create(actor=caseworker, household=second, monthly_income="800.00", note="演示：待审核")
    paid = services.temporary_relief_claim_create(
        actor=caseworker, household=third, amount="800.00", kind="urgent", reason="演示：家中失火", green_channel=True
    )
    services.temporary_relief_claim_approve(actor=reviewer, claim=paid, note="先行救助")
    services.temporary_relief_claim_create(
        actor=caseworker, household=fourth, amount="600.00", kind="expense", reason="演示：住院自付费用"
    )
    services.temporary_relief_claim_create(
        actor=caseworker, household=fourth, amount="8000.00", kind="expense", reason="演示：重病手术费用"
    )
    report.append(f"relief demo cases: 2 dibao, {TemporaryReliefClaim.objects.count()} temporary relief claims")
    return report
