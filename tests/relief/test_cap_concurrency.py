"""The annual cap holds when approvals race, on PostgreSQL, with real concurrent transactions."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from core.errors import Conflict
from core.models import User
from relief.models import TemporaryReliefClaim
from relief.services import temporary_relief_claim_approve
from tests.conftest import OWN_COMMUNITY
from tests.factories import make_household

THREADS = 20


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_twenty_concurrent_approvals_of_2000_let_exactly_15_through(make_staff, attempt):
    caseworker = make_staff("caseworker")
    approver = make_staff("district_approver", "370202")
    household = make_household(community=OWN_COMMUNITY, created_by=caseworker)
    claims = [
        TemporaryReliefClaim.objects.create(
            household=household, amount=Decimal("2000.00"), kind="expense", reason=f"#{n}", created_by=caseworker
        ).pk
        for n in range(THREADS)
    ]
    barrier = threading.Barrier(THREADS)
    approved, refused, errors = [], [], []
    lock = threading.Lock()

    def approve(claim_id: int) -> None:
        try:
            actor = User.objects.get(pk=approver.pk)
            claim = TemporaryReliefClaim.objects.get(pk=claim_id)
            barrier.wait(timeout=30)
            temporary_relief_claim_approve(actor=actor, claim=claim, note="并发审批")
        except Conflict as exc:
            with lock:
                refused.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - any other failure fails the test below
            with lock:
                errors.append(repr(exc))
        else:
            with lock:
                approved.append(claim_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(pk,)) for pk in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len(approved) == 15
    assert refused == ["annual_cap_exceeded"] * 5
    in_db = TemporaryReliefClaim.objects.filter(household=household, status="approved")
    assert in_db.count() == 15
    assert sum(c.amount for c in in_db) == Decimal("30000.00")
