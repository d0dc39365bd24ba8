"""The registry as a spreadsheet (django-import-export over openpyxl, defusedxml installed).

Import: one row per organization, matched on the credit code (new codes are registered,
known ones updated). Every row is checked by the same rules as the form and the API
(``services.clean_org_values``); a preview lists each bad row with its field and message,
and the commit writes all rows or none. Headings may be Chinese (as exported) or the English
field names.

Export: Chinese headings; every text cell beginning with = + - @ or a tab or carriage return
is prefixed with an apostrophe, so a spreadsheet never runs it as a formula.
The upload checks (size, rows, zip structure, defusedxml) and the cell helpers live in
``core.uploads``.
"""

from __future__ import annotations

import datetime

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field
from import_export.formats.base_formats import XLSX

from core import uploads
from core.audit import audit_context
from core.errors import InvalidInput
from core.models import User
from core.scoping import division_in_scope
from social_orgs.models import Level, OrgStatus, OrgType, SocialOrg, StatusChange

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # an .xlsx is a zip: refuse a compression bomb before opening it
MAX_COMPRESSION_RATIO = 200
MAX_ROWS = 20_000

# field, Chinese heading (as exported). Import accepts either.
COLUMNS: list[tuple[str, str]] = [
    ("name", "名称"),
    ("credit_code", "统一社会信用代码"),
    ("org_type", "类型"),
    ("level", "登记级别"),
    ("division", "登记管理机关代码"),
    ("legal_representative", "法定代表人"),
    ("supervising_unit", "业务主管单位"),
    ("founded_on", "成立登记日期"),
    ("address", "住所"),
    ("business_scope", "业务范围"),
    ("registered_capital", "注册资金"),
    ("is_industry_association", "行业协会商会"),
]
EXPORT_ONLY: list[tuple[str, str]] = [("authority", "登记管理机关"), ("status", "状态"), ("status_since", "状态日期")]
IMPORT_FIELDS = [f for f, _h in COLUMNS]
REQUIRED_COLUMNS = ["name", "credit_code", "org_type", "level", "legal_representative", "founded_on"]
HEADING_TO_FIELD = {h: f for f, h in COLUMNS + EXPORT_ONLY} | {f: f for f, _h in COLUMNS + EXPORT_ONLY}
FIELD_TO_HEADING = {f: h for f, h in COLUMNS + EXPORT_ONLY}

ORG_TYPE_LABELS = {OrgType.GROUP: "社会团体", OrgType.SERVICE: "社会服务机构", OrgType.FOUNDATION: "基金会"}
ORG_TYPE_ALIASES = {v: k for k, v in ORG_TYPE_LABELS.items()} | {"民办非企业单位": OrgType.SERVICE}
LEVEL_LABELS = {Level.CITY: "市级", Level.DISTRICT: "区级"}
LEVEL_ALIASES = {v: k for k, v in LEVEL_LABELS.items()} | {
    "市": Level.CITY,
    "区": Level.DISTRICT,
    "区(市)级": Level.DISTRICT,
}
STATUS_LABELS = {OrgStatus.REGISTERED: "正常", OrgStatus.DEREGISTERED: "已注销", OrgStatus.REVOKED: "已撤销登记"}
YES = {"是", "yes", "y", "true", "1", "x", "√"}
NO = {"否", "no", "n", "false", "0", ""}

LINE = uploads.LINE  # the spreadsheet line each row came from (blank lines are dropped)


neutralize = uploads.neutralise
_cell_text = uploads.cell_text


def _choice(value, aliases: dict[str, str], allowed) -> str:
    text = _cell_text(value)
    if text in allowed:
        return text
    return aliases.get(text, text)


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _cell_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise InvalidInput(_("Write 是 or 否."), field="is_industry_association")


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _cell_text(value).replace("/", "-").replace(".", "-")
    return text or None


def read_upload(upload) -> bytes:
    """An uploaded file's bytes, refused before reading when it is too large."""
    return uploads.read_upload(upload, limits=_limits())


def _limits() -> uploads.Limits:
    # read at call time, so a test may lower a limit
    return uploads.DEFAULT_LIMITS.but(
        max_bytes=MAX_FILE_BYTES,
        max_rows=MAX_ROWS,
        max_uncompressed=MAX_UNCOMPRESSED_BYTES,
        max_ratio=MAX_COMPRESSION_RATIO,
    )


def read_table(file_name: str, content: bytes) -> tablib.Dataset:
    """An uploaded .xlsx or .csv as a dataset with the import's field names as headers, blank rows dropped."""
    return uploads.read_dataset(
        file_name,
        content,
        heading_to_field=HEADING_TO_FIELD,
        required=REQUIRED_COLUMNS,
        field_to_heading=FIELD_TO_HEADING,
        limits=_limits(),
    )


class SocialOrgResource(resources.ModelResource):
    """Rows ↔ organizations, matched on the credit code, checked by the registry's own rules."""

    authority = Field(attribute=None, column_name="authority", readonly=True)

    class Meta:
        model = SocialOrg
        fields = [*IMPORT_FIELDS, "authority", "status", "status_since"]
        export_order = [*IMPORT_FIELDS, "authority", "status", "status_since"]
        import_id_fields = ["credit_code"]
        skip_diff = True
        use_transactions = True
        clean_model_instances = False

    def __init__(self, *, actor: User, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self._seen: dict[str, int] = {}

    # --- import --------------------------------------------------------------------------------

    def get_import_fields(self):
        return [self.fields[f] for f in IMPORT_FIELDS]

    def get_queryset(self):
        return SocialOrg.objects.select_related("division")

    def before_import_row(self, row, **kwargs):
        row["credit_code"] = _cell_text(row.get("credit_code")).upper().replace(" ", "")

    def import_instance(self, instance, row, **kwargs):
        from social_orgs.services import clean_org_values

        number = row.get(LINE) or kwargs.get("row_number", 0) + 1  # the spreadsheet's line: headings are line 1
        try:
            values = clean_org_values(
                actor=self.actor,
                name=_cell_text(row.get("name")),
                credit_code=row.get("credit_code"),
                org_type=_choice(row.get("org_type"), ORG_TYPE_ALIASES, OrgType.values),
                level=_choice(row.get("level"), LEVEL_ALIASES, Level.values),
                division=_cell_text(row.get("division")),
                legal_representative=_cell_text(row.get("legal_representative")),
                supervising_unit=_cell_text(row.get("supervising_unit")),
                founded_on=_date(row.get("founded_on")),
                address=_cell_text(row.get("address")),
                business_scope=_cell_text(row.get("business_scope")),
                registered_capital=_cell_text(row.get("registered_capital")) or None,
                is_industry_association=_flag(row.get("is_industry_association")),
            )
        except InvalidInput as exc:
            raise ValidationError({exc.field or "non_field_errors": [str(exc.message)]}) from None
        first = self._seen.setdefault(values.credit_code, number)
        if first != number:
            raise ValidationError({"credit_code": [_("The same credit code is on line %(n)d.") % {"n": first}]})
        if instance.pk and not division_in_scope(self.actor, instance.division_id):
            raise ValidationError(
                {"credit_code": [_("This organization is registered by an authority outside your area.")]}
            )
        for field in IMPORT_FIELDS:
            setattr(instance, field, getattr(values, field))
        if instance.pk is None:
            instance.status = OrgStatus.REGISTERED
            instance.status_since = values.founded_on
            instance.created_by = self.actor

    def do_instance_save(self, instance, is_create):
        with audit_context(self.actor, via="social_orgs.import"):
            instance.save(force_insert=is_create)
            if is_create:
                StatusChange.objects.create(
                    org=instance,
                    from_status="",
                    to_status=OrgStatus.REGISTERED,
                    on=instance.founded_on,
                    reason=_("Imported from a spreadsheet."),
                    actor=self.actor,
                )

    # --- export --------------------------------------------------------------------------------

    def get_export_headers(self, selected_fields=None):
        return [FIELD_TO_HEADING.get(f.column_name, f.column_name) for f in self.get_export_fields(selected_fields)]

    def export_field(self, field, instance, **kwargs):
        return neutralize(super().export_field(field, instance, **kwargs))

    def dehydrate_org_type(self, org: SocialOrg) -> str:
        return ORG_TYPE_LABELS.get(org.org_type, org.org_type)

    def dehydrate_level(self, org: SocialOrg) -> str:
        return LEVEL_LABELS.get(org.level, org.level)

    def dehydrate_division(self, org: SocialOrg) -> str:
        return org.division_id

    def dehydrate_authority(self, org: SocialOrg) -> str:
        return org.authority_name

    def dehydrate_status(self, org: SocialOrg) -> str:
        return STATUS_LABELS.get(org.status, org.status)

    def dehydrate_is_industry_association(self, org: SocialOrg) -> str:
        return "是" if org.is_industry_association else "否"


def import_errors(result, dataset: tablib.Dataset) -> list[dict]:
    """Every error of an import result as ``{"row", "field", "message"}``; ``row`` is the spreadsheet's line."""
    line_index = dataset.headers.index(LINE)

    def line(number: int) -> int:
        return dataset[number - 1][line_index]

    errors: list[dict] = []
    for error in result.base_errors:
        errors.append({"row": None, "field": "", "message": str(error.error)})
    for number, row_errors in result.row_errors():
        for error in row_errors:
            errors.append({"row": line(number), "field": "", "message": str(error.error)})
    for invalid in result.invalid_rows:
        for field, messages in invalid.error_dict.items():
            for message in messages:
                name = "" if field in (NON_FIELD_ERRORS, "non_field_errors") else field
                errors.append({"row": line(invalid.number), "field": name, "message": str(message)})
    errors.sort(key=lambda e: (e["row"] is not None, e["row"] or 0))
    return errors


def export_workbook(queryset, *, actor: User) -> bytes:
    dataset = SocialOrgResource(actor=actor).export(queryset=queryset)
    return XLSX().export_data(dataset)
