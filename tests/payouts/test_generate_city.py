"""``generate_city``: the bureau's 2020 figures × the scale (a tiny scale here: never scale 1 in the suite), the
same city for the same seed, and a run over it whose total matches a plain SQL recomputation from the cases."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.idnumbers import parse_id_number
from people.models import Person
from relief.models import DibaoCase, PriceIndex, TekunCase, TemporaryReliefClaim

pytestmark = pytest.mark.django_db


def generate(**options) -> str:
    out = io.StringIO()
    call_command("generate_city", stdout=out, **options)
    return out.getvalue()


def fingerprint(output: str) -> str:
    return re.search(r"fingerprint ([0-9a-f]{32})", output).group(1)


def test_a_scaled_city_has_the_bureaus_2020_figures_and_the_same_seed_gives_the_same_city(
    divisions, request_run, compute
):
    from marriage.models import MarriageParty, Registration
    from placenames.models import Road, UnnamedRoad
    from relief.models import FamilyTrace, PriceSubsidyRule, StationAdmission
    from social_orgs.models import CommunityOrg
    from welfare.models import DisabilitySubsidyCase, OrphanCase

    first = generate(scale=0.02, seed=11, replace=True)
    assert DibaoCase.objects.filter(status="active").count() == 1_240
    assert DibaoCase.objects.filter(status="active").values("members").count() == 1_820
    assert TekunCase.objects.count() == 128
    assert OrphanCase.objects.count() == 18
    assert DisabilitySubsidyCase.objects.filter(kind="living").count() == 780
    assert DisabilitySubsidyCase.objects.filter(kind="nursing").count() == 1_780
    assert TemporaryReliefClaim.objects.filter(status="approved", cap_year=2020).count() == 104
    assert sorted(PriceIndex.objects.values_list("month__month", flat=True)) == [1, 2, 3, 4, 5, 6]
    rule = PriceSubsidyRule.objects.get(effective_from="2020-01-01")
    assert (rule.floor, sorted(rule.covered_groups)) == (Decimal("79.00"), ["dibao", "orphan", "tekun"])
    # The registers of the half year, each ×0.02 of the report's figure.
    in_h1 = {"registered_on__gte": "2020-01-01", "registered_on__lte": "2020-06-30"}
    assert Registration.objects.filter(kind="marriage", **in_h1).count() == 433
    divorces = Registration.objects.filter(kind="divorce", **in_h1)
    assert divorces.count() == 198
    for divorce in divorces.select_related("marriage")[:50]:  # each ends an earlier marriage of the same two
        assert divorce.marriage.registered_on < divorce.registered_on == divorce.marriage.ended_on
        assert {divorce.party_a_id, divorce.party_b_id} == {divorce.marriage.party_a_id, divorce.marriage.party_b_id}
    assert MarriageParty.objects.filter(current=True).count() == 2 * 433
    assert Registration.objects.values("certificate_number").distinct().count() == Registration.objects.count()
    assert Road.objects.filter(approved_on__year=2020).count() == 5
    assert UnnamedRoad.objects.filter(status="named", named_as__isnull=False).count() == 5
    assert CommunityOrg.objects.filter(filed_on__year=2020).count() == 207
    assert StationAdmission.objects.filter(admitted_on__year=2020).count() == 12
    assert FamilyTrace.objects.filter(status="found").count() == 1
    for number, sex, birth in Person.objects.order_by("?").values_list("id_number", "sex", "birth_date")[:500]:
        parsed = parse_id_number(number)  # the portal's own check (GB 11643 check character)
        assert (parsed.number, parsed.sex.lower(), parsed.birth_date) == (number, sex, birth)
    assert Person.objects.values("id_number").distinct().count() == Person.objects.count()
    assert generate(scale=0.02, seed=11, replace=True).count(fingerprint(first)) == 1
    assert fingerprint(generate(scale=0.02, seed=12, replace=True)) != fingerprint(first)

    # A run over the generated city adds up to the rule applied in plain SQL to the cases.
    run = request_run("dibao", "2020-04")
    assert compute(run) == "computed"
    run.refresh_from_db()
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT count(*), sum(amount) FROM (
              SELECT greatest(CASE h.area_type WHEN 'urban' THEN 940 ELSE 760 END * count(*) - c.monthly_income, 0)
                       AS amount
              FROM relief_dibaocase c
              JOIN people_household h ON h.id = c.household_id
              JOIN relief_dibaomember m ON m.case_id = c.id
              JOIN people_person p ON p.id = m.person_id
              WHERE c.status = 'active' AND (p.death_date IS NULL OR p.death_date >= date '2020-04-01')
              GROUP BY c.id, h.area_type, c.monthly_income
            ) x WHERE amount > 0
            """
        )
        count, total = cur.fetchone()
    assert (run.line_count, run.total_amount) == (count, Decimal(total))


def test_it_refuses_a_database_with_people_unless_told_to_replace(divisions, make_staff):
    from tests.factories import make_household

    make_household()
    with pytest.raises(CommandError, match="--replace"):
        generate(scale=1, seed=1)
    with pytest.raises(CommandError, match="scale"):
        generate(scale=0, seed=1, replace=True)
    with pytest.raises(CommandError, match="scale"):
        generate(scale=31, seed=1, replace=True)
