"""Test data: ID numbers computed independently of the code under test, staff, people, households."""

from __future__ import annotations

import datetime
import itertools

import factory

from core.models import User
from people.models import Household, HouseholdMember, Person

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"

_seq = itertools.count(1)


def check_char(body17: str) -> str:
    """GB 11643 check character, straight from the standard (ISO 7064 MOD 11-2)."""
    return CHECK[sum(int(d) * w for d, w in zip(body17, WEIGHTS, strict=True)) % 11]


def make_id_number(area: str = "370202", birth: datetime.date | None = None, male: bool = True) -> str:
    birth = birth or datetime.date(1980, 1, 1) + datetime.timedelta(days=next(_seq) % 9000)
    n = next(_seq)
    order = f"{(n // 10) % 100:02d}{(n % 5) * 2 + (1 if male else 0)}"
    body = f"{area}{birth:%Y%m%d}{order}"
    return body + check_char(body)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    role = "caseworker"
    division_id = "370202001"
    password = factory.PostGenerationMethodCall("set_password", "Test-pass-12345")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    id_number = factory.LazyFunction(make_id_number)
    name = factory.Sequence(lambda n: f"测试{n}")
    sex = "male"
    birth_date = factory.LazyAttribute(
        lambda o: datetime.date(int(o.id_number[6:10]), int(o.id_number[10:12]), int(o.id_number[12:14]))
    )
    division_id = "370202001001"
    created_by = factory.SubFactory(StaffFactory)


def make_household(*, community: str = "370202001001", members: int = 1, created_by=None, **kwargs) -> Household:
    """A household in ``community`` with a head and ``members - 1`` children (bypasses services)."""
    created_by = created_by or StaffFactory()
    head = PersonFactory(division_id=community, created_by=created_by)
    household = Household.objects.create(
        community_id=community,
        address=kwargs.pop("address", "测试路1号"),
        area_type=kwargs.pop("area_type", "urban"),
        head=head,
        created_by=created_by,
        **kwargs,
    )
    HouseholdMember.objects.create(household=household, person=head, relationship="head")
    for _ in range(members - 1):
        child = PersonFactory(division_id=community, created_by=created_by)
        HouseholdMember.objects.create(household=household, person=child, relationship="child")
    return household


def end_notice(case):
    """The case's 7-day public notice ended yesterday (what the days passing would do)."""
    from core.cases import local_today

    ended = local_today() - datetime.timedelta(days=1)
    type(case).objects.filter(pk=case.pk).update(notice_until=ended)
    case.notice_until = ended
    return case


def review_through_notice(case, *, reviewer, investigator=None):
    """A dibao or tekun case investigated (by whoever filed it), reviewed, its public notice over: ready to decide."""
    from core.cases import local_today
    from relief import services

    kind = "dibao" if type(case).__name__ == "DibaoCase" else "tekun"
    if case.investigated_on is None or case.objection_open:
        getattr(services, f"{kind}_case_investigate")(
            actor=investigator or case.created_by,
            case=case,
            investigation=services.InvestigationSpec(on=local_today(), investigators="社区入户调查组"),
        )
    getattr(services, f"{kind}_case_review")(actor=reviewer, case=case)
    return end_notice(case)


def paid_since_this_month(case):
    """A case decided last month, so that it pays this month (a decision pays from the month after it)."""
    from core.cases import current_month

    type(case).objects.filter(pk=case.pk).update(start_month=current_month())
    case.start_month = current_month()
    return case
