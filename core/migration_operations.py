"""Migration operations of our own (core knows no domain: this is plumbing every app's migrations may use)."""

from django.db import transaction
from django.db.migrations.operations.base import Operation


class InstallTriggers(Operation):
    """Install, in the database, the triggers the models' state already carries (``Meta.triggers`` in the
    options of their ``CreateModel``).

    pgtrigger's ``AddTrigger`` changes the state, and Django re-renders the model and every model related to
    it after each state change: in a squashed app with dozens of triggers on models that point at the user
    model, that re-rendering was most of ``migrate``'s time. Here the state was written whole by the
    ``CreateModel`` operations; this operation only runs the triggers' SQL (pgtrigger's own install SQL).
    """

    reversible = True

    def __init__(self, model_names):
        self.model_names = list(model_names)

    def deconstruct(self):
        return (self.__class__.__name__, [], {"model_names": self.model_names})

    def state_forwards(self, app_label, state):
        pass

    def _run(self, app_label, schema_editor, state, attr):
        for name in self.model_names:
            model = state.apps.get_model(app_label, name)
            if not self.allow_migrate_model(schema_editor.connection.alias, model):
                continue
            for trigger in getattr(model._meta, "triggers", []):
                with transaction.atomic(using=schema_editor.connection.alias):
                    # pgtrigger's SQL is interpolated already: params=None, as pgtrigger executes it
                    schema_editor.execute(getattr(trigger, attr), params=None)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._run(app_label, schema_editor, to_state, "install_sql")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._run(app_label, schema_editor, from_state, "uninstall_sql")

    def describe(self):
        return f"Install the triggers of {len(self.model_names)} models"

    @property
    def migration_name_fragment(self):
        return "install_triggers"
