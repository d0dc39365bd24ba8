"""The audit and security logs are append-only: the database itself refuses UPDATE and DELETE."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from pghistory.models import Event

from core.models import RevealLog, SecurityEvent
from core.services import security_event_record
from people.services import person_update
from tests.conftest import OWN_COMMUNITY
from tests.factories import PersonFactory, make_household

pytestmark = pytest.mark.django_db

# A trigger's refusal, or (the application role) no privilege at all: see test_audit_chain.py for which.
REFUSED = (InternalError, IntegrityError, ProgrammingError)


def _refused(sql: str, params=()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except REFUSED:
        return True
    return False


def test_every_history_event_table_refuses_update_and_delete(caseworker):
    person = PersonFactory(division_id=OWN_COMMUNITY)
    person_update(actor=caseworker, person=person, name="新名")
    event_models = [m for m in apps.get_models() if issubclass(m, Event) and not m._meta.proxy]
    assert {m._meta.label for m in event_models} >= {"people.PersonEvent", "core.UserEvent", "core.DivisionEvent"}
    make_household(community=OWN_COMMUNITY, members=2)
    tried = 0
    for model in event_models:
        table = connection.ops.quote_name(model._meta.db_table)
        if model.objects.exists():
            tried += 1
            assert _refused(f"UPDATE {table} SET pgh_label = 'forged'"), model  # noqa: S608
            assert _refused(f"DELETE FROM {table}"), model  # noqa: S608
        else:  # an app whose tables are still empty here: its trigger must exist all the same
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname LIKE %s",
                    [model._meta.db_table, "%append_only%"],
                )
                assert cursor.fetchone()[0] >= 1, model
    assert tried >= 5
    assert person.events.filter(pgh_label="update").exists()


def test_the_security_log_refuses_update_and_delete():
    event = security_event_record(kind="login_failed", username="someone", ip_address="10.0.0.1")
    assert _refused("UPDATE core_securityevent SET username = 'nobody' WHERE id = %s", [event.pk])
    assert _refused("DELETE FROM core_securityevent WHERE id = %s", [event.pk])
    with pytest.raises(REFUSED), transaction.atomic():
        SecurityEvent.objects.filter(pk=event.pk).delete()
    assert SecurityEvent.objects.get(pk=event.pk).username == "someone"


def test_the_reveal_log_refuses_update_and_delete(caseworker):
    log = RevealLog.objects.create(
        actor=caseworker, model="people.Person", object_id="1", field="id_number", reason="x"
    )
    assert _refused("UPDATE core_reveallog SET reason = 'y' WHERE id = %s", [log.pk])
    assert _refused("DELETE FROM core_reveallog WHERE id = %s", [log.pk])


def test_inserts_still_work():
    before = SecurityEvent.objects.count()
    security_event_record(kind="login", username="a")
    assert SecurityEvent.objects.count() == before + 1
