"""``generate_city``: the bureau's 2020 figures at scale 1, the same city for the same seed, and a run over it
whose total matches a plain SQL recomputation from the cases."""

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


def test_scale_one_has_the_bureaus_2020_figures_and_the_same_seed_gives_the_same_city(divisions, request_run, compute):
    from welfare.models import DisabilitySubsidyCase, OrphanCase

    first = generate(scale=1, seed=11, replace=True)
    assert DibaoCase.objects.filter(status="active").count() == 62_000
    assert DibaoCase.objects.filter(status="active").values("members").count() == 91_000
    assert TekunCase.objects.count() == 6_400
    assert OrphanCase.objects.count() == 887
    assert DisabilitySubsidyCase.objects.filter(kind="living").count() == 39_000
    assert DisabilitySubsidyCase.objects.filter(kind="nursing").count() == 89_000
    assert TemporaryReliefClaim.objects.filter(status="approved", cap_year=2020).count() == 5_222
    assert sorted(PriceIndex.objects.values_list("month__month", flat=True)) == [1, 2, 3, 4, 5, 6]
    for number, sex, birth in Person.objects.order_by("?").values_list("id_number", "sex", "birth_date")[:500]:
        parsed = parse_id_number(number)  # the portal's own check (GB 11643 check character)
        assert (parsed.number, parsed.sex.lower(), parsed.birth_date) == (number, sex, birth)
    assert Person.objects.values("id_number").distinct().count() == Person.objects.count()
    assert generate(scale=1, seed=11, replace=True).count(fingerprint(first)) == 1
    assert fingerprint(generate(scale=1, seed=12, replace=True)) != fingerprint(first)

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
