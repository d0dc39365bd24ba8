"""Vagrant and beggar relief: admission, services, family tracing, leaving; monthly counts."""

from __future__ import annotations

import datetime

import pytest

from core.cases import CaseEvent
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from relief import selectors, services
from relief.models import StationAdmission

pytestmark = pytest.mark.django_db

D = datetime.date


MARCH_5 = D(2020, 3, 5)


def admit(actor, name="无名氏", on=MARCH_5, **extra):
    return services.admission_create(actor=actor, name=name, admitted_on=on, source="police", **extra)


def test_a_stay_from_admission_to_reunion(caseworker):
    admission = admit(caseworker, sex="male", estimated_age=45, circumstances="火车站附近")
    services.admission_add_service(actor=caseworker, admission=admission, kind="lodging", given_on=D(2020, 3, 5))
    services.admission_add_service(
        actor=caseworker, admission=admission, kind="medical", given_on=D(2020, 3, 6), cost="120.50"
    )
    trace = services.trace_start(actor=caseworker, admission=admission, method="dna", started_on=D(2020, 3, 6))
    services.trace_conclude(actor=caseworker, trace=trace, found=True, concluded_on=D(2020, 3, 20), note="亲属已确认")
    services.admission_discharge(
        actor=caseworker, admission=admission, outcome="reunited", discharged_on=D(2020, 3, 21), note="家属接回"
    )
    admission.refresh_from_db()
    assert (admission.status, admission.outcome, admission.station_id) == (
        "discharged",
        "reunited",
        caseworker.division_id,
    )
    assert admission.services.count() == 2
    events = CaseEvent.objects.filter(case_id=admission.pk, case_type__model="stationadmission")
    assert [(e.action, e.to_state, e.note) for e in events] == [
        ("submit", "in_station", ""),
        ("discharge", "discharged", "家属接回"),
    ]
    with pytest.raises(Conflict):
        services.admission_discharge(
            actor=caseworker, admission=admission, outcome="left", discharged_on=D(2020, 3, 22)
        )


def test_monthly_counts(caseworker):
    first = admit(caseworker, on=D(2020, 1, 10))
    second = admit(caseworker, on=D(2020, 1, 20))
    admit(caseworker, on=D(2020, 2, 3))
    services.admission_discharge(actor=caseworker, admission=first, outcome="reunited", discharged_on=D(2020, 2, 1))
    services.admission_discharge(
        actor=caseworker, admission=second, outcome="transferred", discharged_on=D(2020, 2, 5), destination="市福利院"
    )
    counts = {m.month.month: m for m in selectors.vagrant_monthly_counts(user=caseworker, year=2020)}
    assert (counts[1].admitted, counts[1].in_station_at_end) == (2, 2)
    assert (counts[2].admitted, counts[2].reunited, counts[2].transferred, counts[2].in_station_at_end) == (1, 1, 1, 1)
    assert counts[3].in_station_at_end == 1
    assert sum(m.admitted for m in counts.values()) == 3


def test_bad_stays_are_refused(caseworker):
    admission = admit(caseworker)
    with pytest.raises(InvalidInput):
        services.admission_discharge(actor=caseworker, admission=admission, outcome="left", discharged_on=D(2020, 3, 1))
    with pytest.raises(InvalidInput):
        services.admission_discharge(
            actor=caseworker, admission=admission, outcome="transferred", discharged_on=D(2020, 3, 9)
        )
    with pytest.raises(InvalidInput):
        services.admission_add_service(
            actor=caseworker, admission=admission, kind="food", given_on=D(2020, 3, 5), cost="-3"
        )
    with pytest.raises(InvalidInput):
        admit(caseworker, name="")


def test_other_areas_do_not_see_the_stay_and_leaders_only_read(caseworker, make_staff):
    admission = admit(caseworker)
    other = make_staff("caseworker", "370203001")
    assert not selectors.admission_list(user=other).exists()
    with pytest.raises(NotFound):
        services.admission_add_service(actor=other, admission=admission, kind="food", given_on=D(2020, 3, 5))
    leader = make_staff("leader", "370200")
    assert selectors.admission_list(user=leader).count() == 1
    with pytest.raises(Forbidden):
        services.admission_add_service(actor=leader, admission=admission, kind="food", given_on=D(2020, 3, 5))
    assert StationAdmission.objects.count() == 1
