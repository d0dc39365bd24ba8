"""Demonstration data for the social-organization registry (``manage.py seed_demo``). Idempotent."""

from __future__ import annotations

import datetime

from stdnum.cn import uscc

from core.models import User
from social_orgs import services
from social_orgs.models import CommunityOrg, DecouplingStep, EnforcementCase, SocialOrg

# (name, kind digit, org_type, industry association)
ORGS = [
    ("青岛市演示物流行业协会", "1", "group", True),
    ("青岛市演示软件行业协会", "1", "group", True),
    ("青岛市演示餐饮商会", "1", "group", True),
    ("青岛市演示书法家协会", "1", "group", False),
    ("青岛市演示养老服务中心", "2", "service", False),
    ("青岛市演示慈善基金会", "3", "foundation", False),
]


def _code(kind: str, n: int) -> str:
    body = f"5{kind}370200MJDM{n:05d}"
    return body + uscc.calc_check_digit(body)


def seed() -> int:
    actor = User.objects.get(username="demo_socialorg")
    made = 0
    for n, (name, kind, org_type, association) in enumerate(ORGS, start=1):
        code = _code(kind, n)
        if SocialOrg.objects.filter(credit_code=code).exists():
            continue
        values = services.clean_org_values(
            actor=actor,
            name=name,
            credit_code=code,
            org_type=org_type,
            level="city",
            legal_representative="演示法人" + str(n),
            supervising_unit="" if association else "青岛市文学艺术界联合会",
            founded_on=datetime.date(2008 + n, 3, 1),
            is_industry_association=association,
        )
        org = services.social_org_register(actor=actor, values=values)
        services.annual_inspection_record(actor=actor, org=org, year=2019, result="qualified")
        if association:
            fee = services.fee_standard_propose(
                actor=actor,
                org=org,
                member_grade="会员单位",
                amount="2000.00",
                effective_from=datetime.date(2020, 1, 1),
            )
            services.fee_standard_approve(
                actor=actor,
                fee=fee,
                approval_body="general_assembly",
                approved_on=datetime.date(2019, 12, 20),
                votes_for=80,
                votes_present=96,
            )
            decoupling = services.decoupling_enrol(actor=actor, org=org, administrative_organ="青岛市演示主管局")
            for step in list(DecouplingStep)[: 5 if n == 1 else n + 1]:
                services.decoupling_complete_step(
                    actor=actor, decoupling=decoupling, step=step, completed_on=datetime.date(2020, 3, n)
                )
        made += 1
    if not CommunityOrg.objects.filter(name__startswith="演示").exists():
        for i, (category, name) in enumerate([("charity", "演示志愿服务队"), ("culture_sports", "演示广场舞队")]):
            services.community_org_file(
                actor=actor,
                community=f"370202001{i + 1:03d}",
                name=name,
                category=category,
                person_in_charge="演示负责人",
                members_count=20 + i,
            )
    if not EnforcementCase.objects.filter(target_name__startswith="演示").exists():
        services.enforcement_case_open(
            actor=actor,
            target_name="演示某某国学研究会（未登记）",
            source="report",
            summary="以社会组织名义收费（演示）",
        )
    return made
