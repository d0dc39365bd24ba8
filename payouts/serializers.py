"""REST shapes of payouts (api.md): money as "1234.50", months as "YYYY-MM", progress in percent.

``scheme`` and ``status`` are plain strings in the schema, their values listed in the help
text: other apps have enums of those names with other values, and the OpenAPI components
would collide.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.cases import month_str
from core.money import money_str
from payouts import selectors
from payouts.models import PayoutLine, PayoutRun, ReturnImport, RunEvent

SCHEME_HELP = "dibao | tekun | orphan | disability_living | disability_nursing | price_subsidy"
RUN_STATUS_HELP = "queued | computing | computed | approved | exported | reconciled | failed"
LINE_STATUS_HELP = "pending | paid | failed"


@extend_schema_field(OpenApiTypes.STR)
class MoneyField(serializers.Field):
    def to_representation(self, value):
        return money_str(value)


class PayoutRunSerializer(serializers.ModelSerializer):
    scheme = serializers.CharField(read_only=True, help_text=SCHEME_HELP)
    scheme_label = serializers.CharField(source="get_scheme_display", read_only=True)
    period = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text=RUN_STATUS_HELP)
    status_label = serializers.CharField(read_only=True)
    total_amount = MoneyField(read_only=True)
    progress = serializers.IntegerField(read_only=True, help_text="percent computed, 0–100")
    reference = serializers.CharField(read_only=True, help_text="the batch reference of the bank file")
    origin = serializers.CharField(read_only=True, help_text="manual | schedule | price_index | follow_up")
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    started_by = serializers.IntegerField(source="started_by_id", read_only=True, allow_null=True)
    approved_by = serializers.IntegerField(source="approved_by_id", read_only=True, allow_null=True)
    approved_total = MoneyField(read_only=True, allow_null=True)

    class Meta:
        model = PayoutRun
        fields = [
            "id",
            "scheme",
            "scheme_label",
            "period",
            "sequence",
            "parent",
            "origin",
            "status",
            "status_label",
            "line_count",
            "total_amount",
            "progress",
            "skipped_count",
            "reference",
            "error",
            "started_by",
            "created_at",
            "computed_at",
            "approved_by",
            "approved_at",
            "approved_line_count",
            "approved_total",
            "exported_at",
            "reconciled_at",
        ]
        read_only_fields = fields

    def get_period(self, obj: PayoutRun) -> str:
        return month_str(obj.period)


class RunEventSerializer(serializers.ModelSerializer):
    actor = serializers.IntegerField(source="actor_id", read_only=True, allow_null=True)
    action_label = serializers.CharField(read_only=True)

    class Meta:
        model = RunEvent
        fields = ["action", "action_label", "from_state", "to_state", "actor", "at", "note"]
        read_only_fields = fields


class PayoutRunDetailSerializer(PayoutRunSerializer):
    summary = serializers.JSONField(read_only=True)
    events = serializers.SerializerMethodField()

    class Meta(PayoutRunSerializer.Meta):
        fields = [*PayoutRunSerializer.Meta.fields, "summary", "events"]
        read_only_fields = fields

    @extend_schema_field(RunEventSerializer(many=True))
    def get_events(self, obj: PayoutRun):
        return RunEventSerializer(selectors.run_events(obj), many=True).data


class RunRequestSerializer(serializers.Serializer):
    scheme = serializers.CharField(max_length=24, help_text=SCHEME_HELP)
    period = serializers.CharField(max_length=7, help_text="YYYY-MM")


class RunNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class ExportRequestSerializer(serializers.Serializer):
    format = serializers.CharField(required=False, default="csv", max_length=8, help_text="csv | xlsx")


class ReturnUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class PayoutLineSerializer(serializers.ModelSerializer):
    beneficiary = serializers.IntegerField(
        source="beneficiary_id", read_only=True, allow_null=True, help_text="empty when the payee is an institution"
    )
    beneficiary_name = serializers.SerializerMethodField(help_text="the person paid, or the institution")
    household = serializers.IntegerField(source="household_id", read_only=True, allow_null=True)
    division = serializers.CharField(source="division_id", read_only=True)
    amount = MoneyField(read_only=True)
    status = serializers.CharField(read_only=True, help_text=LINE_STATUS_HELP)
    source = serializers.IntegerField(source="source_id", read_only=True, help_text="the case the line comes from")
    replaces = serializers.IntegerField(source="replaces_id", read_only=True, allow_null=True)
    explanation = serializers.SerializerMethodField()

    def get_beneficiary_name(self, line) -> str:
        if line.beneficiary_id is None:
            return (line.snapshot or {}).get("institution", "")
        return line.beneficiary.name

    class Meta:
        model = PayoutLine
        fields = [
            "id",
            "beneficiary",
            "beneficiary_name",
            "household",
            "division",
            "amount",
            "status",
            "failure_reason",
            "source",
            "replaces",
            "snapshot",
            "explanation",
        ]
        read_only_fields = fields

    def get_explanation(self, obj: PayoutLine) -> str:
        return selectors.explain(obj.snapshot)


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    field = serializers.CharField()
    message = serializers.CharField()


class ReturnImportSerializer(serializers.ModelSerializer):
    outcome = serializers.CharField(read_only=True, help_text="accepted | refused")
    errors = ImportErrorSerializer(many=True, read_only=True)

    class Meta:
        model = ReturnImport
        fields = ["id", "run", "filename", "outcome", "rows", "paid", "failed", "unchanged", "errors", "at"]
        read_only_fields = fields
