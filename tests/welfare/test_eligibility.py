"""Eligibility kept true by itself: each cause (dibao ends, a death, an 18th birthday, a new grade) and its effect."""

from __future__ import annotations

import datetime

import pytest

from core.cases import CaseEvent, add_months, current_month, local_today, system_actor
from core.errors import Forbidden
from people.models import Person
from people.services import person_record_death
from relief import services as relief_services
from relief.models import DibaoCase, TekunCase
from tests.factories import make_household, review_through_notice
from tests.welfare.conftest import born_years_ago, certificate_for, make_person
from welfare import selectors, services
from welfare.models import DisabilityCertificate, DisabilitySubsidyCase, OrphanCase

pytestmark = pytest.mark.django_db


def next_month():
    return add_months(current_month(), 1)


def active_living(actors, person):
    case = services.disability_subsidy_create(
        actor=actors.caseworker, person=person, kind="living", certificate_number=certificate_for(person, 4, 2)
    )
    services.disability_subsidy_review(actor=actors.reviewer, case=case)
    return services.disability_subsidy_approve(actor=actors.approver, case=case)


def active_nursing(actors, person, grade=2):
    number = certificate_for(person, 4, grade)
    case = services.disability_subsidy_create(
        actor=actors.caseworker, person=person, kind="nursing", certificate_number=number
    )
    services.disability_subsidy_review(actor=actors.reviewer, case=case)
    return services.disability_subsidy_approve(actor=actors.approver, case=case)


def active_orphan(actors, person, **kwargs):
    case = services.orphan_case_create(actor=actors.caseworker, person=person, category="community", **kwargs)
    services.orphan_case_review(actor=actors.reviewer, case=case)
    return services.orphan_case_approve(actor=actors.approver, case=case)


def events_of(case):
    return list(CaseEvent.objects.filter(case_id=case.pk, case_type__model=type(case).__name__.lower()))


def child_of(household):
    return household.members.filter(relationship="child").first().person


# --- A household's dibao ends -----------------------------------------------------------------


@pytest.mark.parametrize("how", ["suspend", "terminate"])
def test_when_dibao_ends_the_members_living_subsidies_stop_from_next_month(actors, dibao_household, how):
    first, second = [m.person for m in dibao_household.members.exclude(relationship="head").order_by("id")]
    living_a, living_b = active_living(actors, first), active_living(actors, second)
    nursing = active_nursing(actors, first)
    service = getattr(relief_services, f"dibao_case_{how}")
    service(actor=actors.approver, case=dibao_household.dibao_case, note="家庭收入超过标准")
    for case in (living_a, living_b):
        case.refresh_from_db()
        assert case.status == "suspended"
        assert selectors.is_payable(case, current_month())  # this month is still paid
        assert not selectors.is_payable(case, next_month())
        event = events_of(case)[-1]
        assert (event.action, event.actor_id) == ("hold", actors.approver.pk)
        assert "家庭收入超过标准" in event.note and f"{next_month():%Y-%m}" in event.note
    nursing.refresh_from_db()
    assert nursing.status == "active"  # the nursing subsidy needs no dibao
    assert {c.event.case_id for c in selectors.eligibility_changes(user=actors.caseworker)} == {
        living_a.pk,
        living_b.pk,
    }


def test_a_dibao_ending_in_three_months_stops_the_living_subsidy_then(actors, dibao_household):
    living = active_living(actors, child_of(dibao_household))
    later = add_months(current_month(), 3)
    relief_services.dibao_case_terminate(
        actor=actors.approver, case=dibao_household.dibao_case, note="迁出", end_month=f"{later:%Y-%m}"
    )
    living.refresh_from_db()
    assert selectors.is_payable(living, add_months(later, -1))
    assert not selectors.is_payable(living, later)


def test_a_pending_living_subsidy_gets_the_reason_on_its_timeline_and_approval_is_refused(actors, dibao_household):
    person = child_of(dibao_household)
    case = services.disability_subsidy_create(
        actor=actors.caseworker, person=person, kind="living", certificate_number=certificate_for(person)
    )
    relief_services.dibao_case_suspend(actor=actors.approver, case=dibao_household.dibao_case, note="复核")
    case.refresh_from_db()
    assert case.status == "submitted"
    assert events_of(case)[-1].action == "eligibility_check"


def test_resuming_dibao_does_not_resume_the_subsidy_by_itself_but_allows_resuming_it(actors, dibao_household):
    living = active_living(actors, child_of(dibao_household))
    relief_services.dibao_case_suspend(actor=actors.approver, case=dibao_household.dibao_case, note="复核")
    from core.errors import Conflict

    with pytest.raises(Conflict) as refused:
        services.disability_subsidy_resume(actor=actors.approver, case=living)
    assert refused.value.code == "not_in_dibao"
    relief_services.dibao_case_resume(actor=actors.approver, case=dibao_household.dibao_case)
    living.refresh_from_db()
    assert living.status == "suspended"
    assert [c.pk for c in selectors.approval_queue(user=actors.approver).resumable] == [living.pk]
    services.disability_subsidy_resume(actor=actors.approver, case=living, note="低保已恢复")
    living.refresh_from_db()
    assert living.status == "active"
    assert selectors.is_payable(living, next_month())


def test_a_member_also_in_another_active_dibao_case_keeps_the_subsidy(actors, dibao_household):
    person = child_of(dibao_household)
    living = active_living(actors, person)
    other = make_household(community="370202001001", members=1)
    other_case = relief_services.dibao_case_create(actor=actors.caseworker, household=other, monthly_income="0")
    from relief.models import DibaoMember

    DibaoMember.objects.create(case=other_case, person=person, relationship="other")
    review_through_notice(other_case, reviewer=actors.reviewer)
    relief_services.dibao_case_approve(actor=actors.approver, case=other_case)
    relief_services.dibao_case_suspend(actor=actors.approver, case=dibao_household.dibao_case, note="复核")
    living.refresh_from_db()
    assert living.status == "active"


# --- A death ----------------------------------------------------------------------------------


def test_a_death_stops_every_benefit_from_the_month_after(actors, dibao_household):
    person = child_of(dibao_household)
    living, nursing = active_living(actors, person), active_nursing(actors, person)
    tekun = relief_services.tekun_case_create(
        actor=actors.caseworker, person=person, care_level="none", placement="home"
    )
    review_through_notice(tekun, reviewer=actors.reviewer)
    relief_services.tekun_case_approve(actor=actors.approver, case=tekun)
    died = local_today()
    result = person_record_death(actor=actors.caseworker, person=person, death_date=died, note="医院死亡证明")
    stops = next_month()
    for case in (living, nursing, tekun):
        case.refresh_from_db()
        assert (case.status, case.end_month) == ("terminated", stops)
        event = events_of(case)[-1]
        assert event.action == "lapse" and died.isoformat() in event.note
    assert selectors.is_payable(living, current_month())  # paid for the month of death
    assert not selectors.is_payable(living, stops)
    dibao = DibaoCase.objects.get(pk=dibao_household.dibao_case.pk)
    assert dibao.status == "active"  # two covered members live on
    assert events_of(dibao)[-1].action == "eligibility_check"
    assert dibao.next_review_on == died
    assert len(result.events) == 4
    person.refresh_from_db()
    assert person.death_date == died


def test_the_death_of_the_last_covered_member_ends_the_dibao_case(actors):
    household = make_household(community="370202001001", members=1)
    case = relief_services.dibao_case_create(actor=actors.caseworker, household=household, monthly_income="0")
    review_through_notice(case, reviewer=actors.reviewer)
    relief_services.dibao_case_approve(actor=actors.approver, case=case)
    died = local_today() - datetime.timedelta(days=40)
    person_record_death(actor=actors.caseworker, person=household.head, death_date=died)
    case.refresh_from_db()
    assert case.status == "terminated"
    assert case.end_month == max(add_months(died.replace(day=1), 1), case.start_month)


def test_a_death_closes_pending_applications_and_ends_the_orphan_allowance(actors):
    child = make_person(birth=born_years_ago(9))
    orphan = active_orphan(actors, child)
    pending = services.disability_subsidy_create(
        actor=actors.caseworker, person=child, kind="nursing", certificate_number=certificate_for(child, 5, 1)
    )
    person_record_death(actor=actors.caseworker, person=child, death_date=local_today())
    orphan.refresh_from_db()
    pending.refresh_from_db()
    assert (orphan.status, orphan.end_month) == ("terminated", next_month())
    assert pending.status == "rejected"
    assert events_of(pending)[-1].action == "close"


def test_the_death_of_a_guardian_is_noted_on_the_childs_case(actors):
    child = make_person(birth=born_years_ago(9))
    guardian = make_person(birth=born_years_ago(70))
    orphan = active_orphan(actors, child, guardian_person=guardian)
    person_record_death(actor=actors.caseworker, person=guardian, death_date=local_today())
    orphan.refresh_from_db()
    assert orphan.status == "active"
    assert events_of(orphan)[-1].action == "eligibility_check"
    assert guardian.name in events_of(orphan)[-1].note


def test_recording_a_death_needs_people_edit_and_refuses_a_second_time_or_a_future_date(actors, make_staff):
    from core.errors import Conflict, InvalidInput

    person = make_person()
    leader = make_staff("leader", "370200")
    with pytest.raises(Forbidden):
        person_record_death(actor=leader, person=person, death_date=local_today())
    with pytest.raises(InvalidInput):
        person_record_death(actor=actors.caseworker, person=person, death_date=local_today() + datetime.timedelta(1))
    person_record_death(actor=actors.caseworker, person=person, death_date=local_today())
    with pytest.raises(Conflict) as again:
        person_record_death(actor=actors.caseworker, person=person, death_date=local_today())
    assert again.value.code == "already_deceased"


def test_the_death_is_in_the_persons_history_with_the_actor(actors):
    from core.audit import history_of

    person = make_person()
    person_record_death(actor=actors.caseworker, person=person, death_date=local_today())
    entry = next(e for e in history_of(person) if e.label == "update" and "death_date" in e.changes)
    assert (entry.actor_id, entry.changes["death_date"][1]) == (actors.caseworker.pk, local_today().isoformat())


# --- An 18th birthday (the nightly check) -----------------------------------------------------


def test_the_nightly_check_ends_the_allowance_of_children_who_turned_18_and_twice_is_the_same(actors):
    adult = make_person(birth=born_years_ago(18, days=1))
    younger = make_person(birth=born_years_ago(12))
    ageing = active_orphan(actors, adult)
    staying = active_orphan(actors, younger)
    pending_child = make_person(birth=born_years_ago(18, days=2))
    pending = services.orphan_case_create(actor=actors.caseworker, person=pending_child, category="institution")
    Person.objects.filter(pk__in=[adult.pk, pending_child.pk]).update(birth_date=born_years_ago(18, days=-3))

    first = services.eligibility_nightly_check()
    state = {c.pk: (c.status, c.end_month) for c in OrphanCase.objects.all()}
    events = CaseEvent.objects.count()
    second = services.eligibility_nightly_check()

    assert (first.aged_out, second.aged_out, second.total) == (2, 0, 0)
    assert {c.pk: (c.status, c.end_month) for c in OrphanCase.objects.all()} == state
    assert CaseEvent.objects.count() == events
    birthday = born_years_ago(18, days=-3).replace(year=born_years_ago(18, days=-3).year + 18)
    expected_end = add_months(birthday.replace(day=1), 1)
    assert state[ageing.pk] == ("terminated", max(expected_end, ageing.start_month))
    assert state[staying.pk] == ("active", None)
    assert state[pending.pk][0] == "rejected"
    event = events_of(ageing)[-1]
    assert (event.action, event.actor_id) == ("lapse", system_actor().pk)
    assert "18" in event.note


def test_the_nightly_task_is_scheduled_and_runs_the_check():
    from django_celery_beat.models import PeriodicTask

    from welfare.tasks import nightly_eligibility_check

    task = PeriodicTask.objects.get(task="welfare.nightly_eligibility_check")
    assert task.enabled and task.crontab.hour == "1"
    assert nightly_eligibility_check.apply().get() == {
        "aged_out": 0,
        "deceased": 0,
        "living_without_dibao": 0,
        "nursing_grade": 0,
    }


def test_the_nightly_check_catches_what_another_path_changed(actors, dibao_household):
    person = child_of(dibao_household)
    living = active_living(actors, person)
    nursing_person = make_person()
    nursing = active_nursing(actors, nursing_person, grade=2)
    orphan = active_orphan(actors, make_person(birth=born_years_ago(6)))
    # Changed without their services: a bulk data correction, an import.
    DibaoCase.objects.filter(pk=dibao_household.dibao_case.pk).update(status="terminated", end_month=next_month())
    DisabilityCertificate.objects.filter(person=nursing_person).update(
        grade=3, number=certificate_for(nursing_person, 4, 3)
    )
    Person.objects.filter(pk=orphan.person_id).update(death_date=local_today())
    result = services.eligibility_nightly_check()
    assert (result.living_without_dibao, result.nursing_grade, result.deceased) == (1, 1, 1)
    for case in (living, nursing, orphan):
        case.refresh_from_db()
    assert (living.status, nursing.status, orphan.status) == ("suspended", "terminated", "terminated")
    assert services.eligibility_nightly_check().total == 0


# --- A new disability grade -------------------------------------------------------------------


def test_a_grade_change_to_3_ends_the_nursing_subsidy_from_next_month(actors):
    person = make_person()
    nursing = active_nursing(actors, person, grade=2)
    result = services.certificate_reassess(
        actor=actors.caseworker, certificate=nursing.certificate, disability_type=4, grade=3, note="复评"
    )
    nursing.refresh_from_db()
    assert (nursing.status, nursing.end_month) == ("terminated", next_month())
    assert result.certificate.number == certificate_for(person, 4, 3)
    assert events_of(nursing)[-1].action == "lapse"
    assert "2" in events_of(nursing)[-1].note and "3" in events_of(nursing)[-1].note


def test_a_grade_change_from_2_to_1_keeps_the_nursing_subsidy_with_the_grade_1_amount(actors):
    person = make_person()
    nursing = active_nursing(actors, person, grade=2)
    assert selectors.amount_for(nursing, current_month()).amount == 120
    services.certificate_reassess(actor=actors.caseworker, certificate=nursing.certificate, disability_type=4, grade=1)
    nursing = DisabilitySubsidyCase.objects.select_related("certificate", "person").get(pk=nursing.pk)
    assert nursing.status == "active"
    assert events_of(nursing)[-1].action == "eligibility_check"
    assert selectors.amount_for(nursing, current_month()).amount == 200


def test_a_grade_change_through_the_api_is_a_reassessment(api_for, actors):
    person = make_person()
    nursing = active_nursing(actors, person, grade=1)
    client = api_for(actors.caseworker)
    response = client.post(
        f"/api/v1/disability-certificates/{nursing.certificate_id}/reassess/",
        {"disability_type": "physical", "grade": "4"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["grade"] == 4
    assert person.id_number not in response.content.decode()
    nursing.refresh_from_db()
    assert nursing.status == "terminated"


def test_tekun_is_not_touched_by_welfare_rules(actors):
    person = make_person()
    tekun = relief_services.tekun_case_create(
        actor=actors.caseworker, person=person, care_level="full", placement="home"
    )
    services.eligibility_nightly_check()
    assert TekunCase.objects.get(pk=tekun.pk).status == "submitted"
