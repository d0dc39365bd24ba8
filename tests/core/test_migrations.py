"""The database the migrations make (the test database: the squashed migrations, core.migration_operations)."""

import pytest
from django.db import connection
from pgtrigger import installation, registry


@pytest.mark.django_db
def test_every_models_trigger_is_installed_as_declared():
    """The squashed migrations carry the triggers in their CreateModel's options and install them with one
    InstallTriggers an app: every trigger a model declares is in the database, current and enabled."""
    statuses = {
        (model._meta.label, trigger.name): trigger.get_installation_status(model)
        for model, trigger in registry.registered()
    }
    assert len(statuses) > 150
    wrong = {key: status for key, status in statuses.items() if status != ("INSTALLED", True)}
    assert wrong == {}


@pytest.mark.django_db
def test_no_trigger_of_pgtriggers_is_left_without_a_model():
    assert installation.prunable() == []


@pytest.mark.django_db
def test_no_trigger_function_is_left_without_its_trigger():
    """pgtrigger's functions (``pgtrigger_<name>_<hash>``) each belong to one trigger; 0007 of payouts had
    left one behind, dropped by 0009."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' AND p.proname LIKE 'pgtrigger\\_%' "
            "AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgfoid = p.oid)"
        )
        assert cursor.fetchall() == []
