"""Elderly care in the demo city (``seed_demo --scale S``, wired by ``civil_affairs.demo``): the report's H1 2020.

What the report says (domain.md, "Elderly care"): sub-district centres — sites chosen 99, operators
in place 91, built 51 in the half year — and operating subsidies to elderly-care institutions of
4.26 million. The demo city gets, × S (at least one of each):

* the half year's new centres: 99 sites chosen in January–June 2020, 91 of them with an operator
  contracted and 51 of those built in the half year (the dashboard's 99 / 91 / 51);
* ``OLD_CENTRES`` centres operating since 2019, and ``INSTITUTIONS`` institutions of the register
  (public, publicly built and privately run, private; ``SUSPENDED`` + ``CLOSED`` of them not operating);
* one approved operating subsidy a month, January–June, for each operating old centre and each
  operating institution, paid by the ``elderly_operating`` runs the demo's finance officers make.

Calibration (what the report does not decide): the centres receive ``CENTRE_SHARE`` of the 4.26 million
× S in equal monthly amounts, the institutions the rest in proportion to their beds, rounded to the
yuan with the remainder on the last subsidy, so the half year's total is the report's × S exactly.
Synthetic rows, written directly (like ``generate_city``): entered by the generator's account and
approved by a second synthetic account, so the four-eyes constraint holds for every subsidy.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction

from core.models import Division, DivisionLevel

SUBSIDIES_H1 = Decimal("4260000")  # 养老机构运营补贴 426万元, January–June 2020
NEW_SITES, NEW_OPERATORS, NEW_BUILT = 99, 91, 51
OLD_CENTRES = 40  # operating since 2019: paid operating subsidies in 2020
INSTITUTIONS = 80
SUSPENDED, CLOSED = 5, 3  # of the institutions: not operating, so not paid
CENTRE_SHARE = Decimal("0.2")
MONTHS = [datetime.date(2020, m, 1) for m in range(1, 7)]
KINDS = ["public"] * 3 + ["public_private"] * 2 + ["private"] * 5
NOTE = "演示数据"


def scaled(figure: int, scale: float) -> int:
    return max(1, round(figure * scale))


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _account(rng: random.Random) -> str:
    return f"6222{rng.randrange(10**12):012d}"


class _Names:
    """Names unique in their sub-district: the second 某某养老院 of one sub-district is 某某养老院（2）."""

    def __init__(self):
        self.seen: dict[tuple[str, str], int] = {}

    def __call__(self, code: str, name: str) -> str:
        n = self.seen[(code, name)] = self.seen.get((code, name), 0) + 1
        return name if n == 1 else f"{name}（{n}）"


@transaction.atomic
def seed_city(*, scale: float, entrant, approver, seed: int = 2020) -> dict[str, object]:
    """The centres, institutions and approved subsidies of the demo city; nothing when there are some already."""
    from elderly.models import ElderlyCentre, ElderlyInstitution, OperatingSubsidy, SubsidyStatus

    if ElderlyInstitution.objects.exists() or ElderlyCentre.objects.exists():
        return {}
    rng = random.Random(f"elderly-{seed}")  # noqa: S311 - demo data, not security
    subdistricts = list(
        Division.objects.filter(level=DivisionLevel.SUBDISTRICT, active=True)
        .order_by("code")
        .values_list("code", "name")
    )
    centres = []
    unique = _Names()
    sites, operators, built = (scaled(n, scale) for n in (NEW_SITES, NEW_OPERATORS, NEW_BUILT))
    h1_start, h1_end = datetime.date(2020, 1, 2), datetime.date(2020, 6, 28)
    for n in range(sites):
        code, name = subdistricts[n % len(subdistricts)]
        site = _day(rng, h1_start, datetime.date(2020, 3, 31))
        contracted = _day(rng, site, datetime.date(2020, 5, 15)) if n < operators else None
        finished = _day(rng, contracted, h1_end) if n < built else None
        stage = "built" if finished else "operator" if contracted else "site"
        centres.append(
            ElderlyCentre(
                name=unique(code, f"{name}居家社区养老服务中心"),
                subdistrict_id=code,
                status=stage,
                site_chosen_on=site,
                operator=f"{name}颐养服务有限公司" if contracted else "",
                operator_contracted_on=contracted,
                built_on=finished,
                beds=rng.randrange(10, 60) if finished else None,
                created_by=entrant,
            )
        )
    old = scaled(OLD_CENTRES, scale)
    for n in range(old):
        code, name = subdistricts[(n * 7 + 3) % len(subdistricts)]
        opened = _day(rng, datetime.date(2019, 1, 2), datetime.date(2019, 12, 20))
        centres.append(
            ElderlyCentre(
                name=unique(code, f"{name}综合养老服务中心"),
                subdistrict_id=code,
                status="operating",
                site_chosen_on=opened - datetime.timedelta(days=400),
                operator=f"{name}养老服务中心运营方",
                operator_contracted_on=opened - datetime.timedelta(days=300),
                built_on=opened - datetime.timedelta(days=60),
                operating_since=opened,
                beds=rng.randrange(20, 80),
                services="日间照料、助餐、助浴、康复护理",
                created_by=entrant,
            )
        )
    ElderlyCentre.objects.bulk_create(centres)
    n_inst = scaled(INSTITUTIONS, scale)
    not_operating = [*(["suspended"] * scaled(SUSPENDED, scale)), *(["closed"] * scaled(CLOSED, scale))]
    not_operating = not_operating[: max(0, n_inst - 1)]  # at least one operating institution
    first_not_operating = n_inst - len(not_operating)
    institutions = []
    for n in range(n_inst):
        code, name = subdistricts[(n * 11 + 5) % len(subdistricts)]
        kind = KINDS[n % len(KINDS)]
        word = {"public": "社会福利院", "public_private": "颐养院", "private": "养老院"}[kind]
        institutions.append(
            ElderlyInstitution(
                name=unique(code, f"{name}{word}"),
                kind=kind,
                subdistrict_id=code,
                address=f"{name}演示路{n + 1}号",
                operator="" if kind == "public" else f"{name}{word}管理有限公司",
                beds=rng.randrange(40, 320),
                licensed_on=_day(rng, datetime.date(2008, 1, 1), datetime.date(2019, 10, 1)),
                status=not_operating[n - first_not_operating] if n >= first_not_operating else "operating",
                created_by=entrant,
            )
        )
    ElderlyInstitution.objects.bulk_create(institutions)

    total = (SUBSIDIES_H1 * Decimal(str(scale))).quantize(Decimal("1"))
    paid_centres = [c for c in centres if c.status == "operating"]
    paid_institutions = [i for i in institutions if i.status == "operating"]
    centre_monthly = (total * CENTRE_SHARE / len(MONTHS) / len(paid_centres)).quantize(Decimal("1"))
    rest = total - centre_monthly * len(paid_centres) * len(MONTHS)
    beds = sum(i.beds for i in paid_institutions) * len(MONTHS)
    accounts = {id(payee): _account(rng) for payee in [*paid_centres, *paid_institutions]}
    rows = []
    for month in MONTHS:
        decided = datetime.datetime.combine(month, datetime.time(2), tzinfo=datetime.UTC) + datetime.timedelta(days=4)
        common = {"period": month, "status": SubsidyStatus.APPROVED, "note": NOTE, "entered_by": entrant}
        common |= {"decided_by": approver, "decided_at": decided, "bank_name": "青岛银行"}
        for c in paid_centres:
            rows.append(
                OperatingSubsidy(
                    centre=c,
                    subdistrict_id=c.subdistrict_id,
                    amount=centre_monthly,
                    bank_account=accounts[id(c)],
                    **common,
                )
            )
        for i in paid_institutions:
            amount = (rest * i.beds / beds).quantize(Decimal("1"))
            rows.append(
                OperatingSubsidy(
                    institution=i,
                    subdistrict_id=i.subdistrict_id,
                    amount=amount,
                    bank_account=accounts[id(i)],
                    **common,
                )
            )
    rows[-1].amount += total - sum(r.amount for r in rows)  # the rounding's remainder: the total is exact
    OperatingSubsidy.objects.bulk_create(rows)
    return {
        "centres": len(centres),
        "institutions": len(institutions),
        "subsidies": len(rows),
        "amount": sum(r.amount for r in rows),
    }
