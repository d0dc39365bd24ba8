"""REST shapes of data checking (api.md "Imports and cross-checks"). ID numbers only ever masked."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from datacheck.models import CrossCheckRun, DataSource, Effect, Extract, ReviewItem
from welfare.models import Benefit

EFFECT_HELP = "death (benefits end from the month after the death) | review (suspended or ended if confirmed)"


class DataSourceInputSerializer(serializers.Serializer):
    reject_unknown_fields = True

    department = serializers.CharField(max_length=100)
    item = serializers.CharField(max_length=100)
    effect = serializers.ChoiceField(choices=Effect.choices, help_text=EFFECT_HELP)


class DataSourceSerializer(serializers.ModelSerializer):
    effect = serializers.CharField(help_text=EFFECT_HELP)

    class Meta:
        model = DataSource
        fields = ["id", "department", "item", "effect", "matching_key", "active", "created_at"]


class ExtractUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV or XLSX; a death register has the columns id_number, event_date")


class ExtractErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    field = serializers.CharField()
    message = serializers.CharField()


class ExtractSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text="validating | previewed | rejected | committed")
    errors = ExtractErrorSerializer(many=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Extract
        fields = ["id", "source", "file_name", "status", "rows", "errors", "progress", "uploaded_at", "committed_at"]
        read_only_fields = fields

    def get_progress(self, obj) -> int:
        return 0 if obj.status == "validating" else 100


class CrossCheckRunSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text="queued | running | done | failed")
    progress = serializers.IntegerField(read_only=True)
    items_created = serializers.IntegerField(
        source="items_in_scope", read_only=True, help_text="new review items of this run in your geography"
    )

    class Meta:
        model = CrossCheckRun
        fields = [
            "id",
            "status",
            "progress",
            "extracts",
            "sources_total",
            "sources_done",
            "beneficiaries",
            "items_created",
            "created_at",
            "started_at",
            "finished_at",
        ]


class BenefitSerializer(serializers.Serializer):
    benefit = serializers.CharField(help_text="dibao | tekun | orphan | disability_living | disability_nursing")
    case = serializers.IntegerField()
    label = serializers.CharField()


class ReviewItemSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id")
    person_name = serializers.CharField(source="person.name")
    id_number_masked = serializers.CharField(source="person.id_number_masked")
    source = serializers.IntegerField(source="source_id")
    source_label = serializers.CharField(source="source.__str__")
    effect = serializers.CharField(source="source.effect", help_text=EFFECT_HELP)
    division = serializers.CharField(source="division_id")
    benefits = serializers.SerializerMethodField()
    status = serializers.CharField(help_text="open | confirmed | dismissed")
    age_days = serializers.SerializerMethodField()

    class Meta:
        model = ReviewItem
        fields = [
            "id",
            "person",
            "person_name",
            "id_number_masked",
            "source",
            "source_label",
            "effect",
            "division",
            "benefits",
            "extract",
            "row_line",
            "event_date",
            "detail",
            "status",
            "note",
            "created_at",
            "decided_at",
            "age_days",
        ]

    @extend_schema_field(BenefitSerializer(many=True))
    def get_benefits(self, obj) -> list:
        labels = dict(Benefit.choices)
        return [
            {"benefit": b["benefit"], "case": b["case"], "label": str(labels.get(b["benefit"], b["benefit"]))}
            for b in obj.benefits or []
        ]

    def get_age_days(self, obj) -> int:
        return (timezone.now() - obj.created_at).days


class ReviewNoteSerializer(serializers.Serializer):
    reject_unknown_fields = True

    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class ReviewConfirmSerializer(ReviewNoteSerializer):
    outcome = serializers.ChoiceField(
        choices=[("suspend", "suspend"), ("terminate", "terminate")],
        required=False,
        default="suspend",
        help_text="For sources other than a death record: suspend (default) or terminate the benefits.",
    )


class CoverageGapSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    id_number_masked = serializers.CharField()
    division = serializers.CharField(source="division_id")
    grade = serializers.IntegerField()
    gaps = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField(help_text="living | nursing")))
    def get_gaps(self, obj) -> list:
        from datacheck.selectors import gaps_of

        return gaps_of(obj)


class PovertyHouseholdSerializer(serializers.Serializer):
    """A poverty-registered household and its coverage (``selectors.poverty_households``): no full ID number."""

    id = serializers.IntegerField()
    head_name = serializers.CharField()
    head_id_number_masked = serializers.CharField()
    community = serializers.CharField(source="community_id")
    community_name = serializers.CharField(source="community.name")
    members = serializers.IntegerField()
    registered_year = serializers.IntegerField()
    lifted = serializers.BooleanField()
    in_registry = serializers.SerializerMethodField()
    household = serializers.IntegerField(source="household_id", allow_null=True)
    covered = serializers.BooleanField()
    covered_by = serializers.SerializerMethodField()
    application_pending = serializers.BooleanField()

    def get_in_registry(self, obj) -> bool:
        return obj.person_id is not None

    @extend_schema_field(serializers.ListField(child=serializers.CharField(help_text="dibao | tekun")))
    def get_covered_by(self, obj) -> list:
        from datacheck.selectors import covered_by

        return covered_by(obj)
