"""The demo data: welfare's part of ``seed_demo`` is idempotent and leaves a case at each step."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from welfare.models import ChildSupervisor, DisabilityCertificate, DisabilitySubsidyCase, OrphanCase

pytestmark = pytest.mark.django_db


def counts():
    return (
        OrphanCase.objects.count(),
        DisabilitySubsidyCase.objects.count(),
        DisabilityCertificate.objects.count(),
        ChildSupervisor.objects.count(),
    )


def test_seed_demo_twice_gives_the_same_welfare_data(divisions, settings, tmp_path, capsys):
    settings.BASE_DIR = tmp_path
    call_command("seed_demo", households=4)
    first = counts()
    call_command("seed_demo", households=4)
    assert counts() == first == (2, 2, 1, 2)
    assert set(OrphanCase.objects.values_list("status", flat=True)) == {"active", "submitted"}
    assert set(DisabilitySubsidyCase.objects.values_list("kind", "status")) == {
        ("living", "active"),
        ("nursing", "submitted"),
    }
