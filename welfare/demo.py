"""Demo data for welfare (``manage.py seed_demo``). Idempotent: safe to run again.

Loads the welfare standards (demo values, to be replaced by the bureau's table), a child
supervisor for each demo sub-district, and a few cases at different steps: two orphans
(one in an institution, one with a guardian), and a person with a disability in the
active demo dibao household with the living subsidy active and the nursing subsidy
waiting for approval.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from stdnum.cn import ric

from core.cases import local_today
from core.models import User
from people.models import HouseholdMember, Person
from people.services import household_add_member, person_create
from relief.models import DibaoCase, Scheme, Standard
from welfare import services
from welfare.models import ChildSupervisor, DisabilitySubsidyCase, OrphanCase

DEMO = "demo value (演示数据)"
# Orphans: H1 2020, 887 children and 6.6366 million (≈ 1,250 a child a month). Living subsidy:
# 55.115 million for 39,000 persons (≈ 235 a month); nursing: 74.358 million for 89,000 (≈ 139).
WELFARE_DEMO_STANDARDS = [
    (Scheme.ORPHAN_INSTITUTION, "2019-01-01", "1600.00", DEMO),
    (Scheme.ORPHAN_COMMUNITY, "2019-01-01", "1200.00", DEMO),
    (Scheme.ORPHAN_INSTITUTION, "2020-01-01", "1700.00", DEMO + "; raised in 2020"),
    (Scheme.ORPHAN_COMMUNITY, "2020-01-01", "1250.00", DEMO + "; raised in 2020"),
    (Scheme.DISABILITY_LIVING, "2019-01-01", "220.00", DEMO),
    (Scheme.DISABILITY_LIVING, "2020-04-01", "235.00", DEMO + "; 25% of the urban dibao standard"),
    (Scheme.DISABILITY_NURSING, "2019-01-01", "120.00", DEMO + "; grade 2"),
    (Scheme.DISABILITY_NURSING_GRADE1, "2019-01-01", "200.00", DEMO + "; grade 1"),
]
SUPERVISORS = [("370202001", "演示督导员甲", "0532-80000001"), ("370202002", "演示督导员乙", "0532-80000002")]


def welfare_standards_seed() -> int:
    """Load the demo welfare standards that are missing; returns how many it added."""
    added = 0
    for scheme, day, amount, source in WELFARE_DEMO_STANDARDS:
        key = {"scheme": scheme, "area_type": "", "division": None, "effective_from": day}
        if not Standard.objects.filter(**key).exists():
            Standard.objects.create(**key, amount=Decimal(amount), source=source)
            added += 1
    return added


def _demo_child(actor: User, seq: int, years_old: int, name: str) -> Person:
    today = local_today()
    birth = datetime.date(today.year - years_old, 3, 15 + seq)
    body = f"370202{birth:%Y%m%d}{80 + seq:02d}{seq % 5 * 2 + 1}"
    number = body + ric.calc_check_digit(body + "0")
    person = Person.objects.filter(id_number=number).first()
    return person or person_create(actor=actor, id_number=number, name=name)


def seed_welfare_demo() -> list[str]:
    report = []
    added = welfare_standards_seed()
    if added:
        report.append(f"welfare standards: {added} loaded (demo values)")
    accounts = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
    caseworker, reviewer, approver = (
        accounts.get(name) for name in ("demo_caseworker", "demo_sd_approver", "demo_district_approver")
    )
    if not (caseworker and reviewer and approver):
        return report
    for code, name, phone in SUPERVISORS:
        if not ChildSupervisor.objects.filter(subdistrict_id=code).exists():
            services.child_supervisor_appoint(
                actor=approver, subdistrict=code, name=name, phone=phone, appointed_on="2020-01-01"
            )
    if OrphanCase.objects.exists() or DisabilitySubsidyCase.objects.exists():
        return report
    first = _demo_child(caseworker, 1, 9, "演示孤儿甲")
    second = _demo_child(caseworker, 2, 12, "演示孤儿乙")
    institution = services.orphan_case_create(
        actor=caseworker, person=first, category="institution", institution="青岛市儿童福利院", note="演示"
    )
    services.orphan_case_review(actor=reviewer, case=institution, note="材料齐全")
    services.orphan_case_approve(actor=approver, case=institution, note="同意")
    services.orphan_case_create(
        actor=caseworker,
        person=second,
        category="community",
        guardian="演示监护人",
        guardian_relationship="祖母",
        note="演示：待审核",
    )
    dibao = DibaoCase.objects.filter(status="active", household__community__code__startswith="370202001").first()
    if dibao is None:
        return [*report, "welfare demo cases: 2 orphans"]
    disabled = _demo_child(caseworker, 3, 40, "演示残疾人")
    if not HouseholdMember.objects.filter(person=disabled).exists():
        household_add_member(actor=approver, household=dibao.household, person=disabled, relationship="sibling")
        disabled.refresh_from_db()
    number = f"{disabled.id_number}42"
    living = services.disability_subsidy_create(
        actor=caseworker, person=disabled, kind="living", certificate_number=number, note="演示"
    )
    services.disability_subsidy_review(actor=reviewer, case=living, note="材料齐全")
    services.disability_subsidy_approve(actor=approver, case=living, note="同意")
    services.disability_subsidy_create(
        actor=caseworker, person=disabled, kind="nursing", certificate_number=number, note="演示：待审核"
    )
    return [*report, "welfare demo cases: 2 orphans, 2 disability subsidies, 2 child supervisors"]
