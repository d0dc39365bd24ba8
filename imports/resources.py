"""django-import-export's view of the household file, kept as the yardstick for ``bench/imports.py``.

``HouseholdPersonResource`` imports the persons of a households file the way django-import-export
does by default: one row at a time (look the instance up, fill it, ``full_clean``, ``save``),
optionally with its ``use_bulk`` mode. The portal's own import (``imports/households.py``)
writes set-based instead (COPY into a temporary table, then ``INSERT … SELECT``), which is
what makes 250,000 persons an affair of seconds; the benchmark measures both on the same file.
"""

from __future__ import annotations

from import_export import fields, resources, widgets

from core.idnumbers import parse_id_number
from core.models import Division
from people.models import Person


class HouseholdPersonResource(resources.ModelResource):
    id_number = fields.Field(attribute="id_number", column_name="公民身份号码")
    name = fields.Field(attribute="name", column_name="姓名")
    division = fields.Field(
        attribute="division", column_name="社区代码", widget=widgets.ForeignKeyWidget(Division, field="code")
    )

    class Meta:
        model = Person
        fields = ("id_number", "name", "division")
        import_id_fields = ("id_number",)
        skip_diff = True

    def __init__(self, *, actor, use_bulk: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self._meta.use_bulk = use_bulk
        self._meta.batch_size = 2_000

    def before_save_instance(self, instance, row, **kwargs):
        resident = parse_id_number(instance.id_number)
        instance.sex, instance.birth_date = resident.sex, resident.birth_date
        if instance.created_by_id is None:
            instance.created_by = self.actor
