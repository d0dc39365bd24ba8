from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.idnumbers import mask_id_number
from elderly import selectors
from elderly.models import (
    CentreStage,
    ClosedReason,
    ElderlyCentre,
    ElderlyInstitution,
    InstitutionKind,
    InstitutionStatus,
    LeftBehindElder,
    OperatingSubsidy,
    Risk,
    Visit,
    VisitorRole,
)


class CentreInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    subdistrict = serializers.CharField(max_length=9, required=False, allow_blank=True, default="")
    stage = serializers.ChoiceField(choices=CentreStage.choices, default=CentreStage.SITE)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    operator = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    beds = serializers.IntegerField(min_value=0, max_value=5000, required=False, allow_null=True, default=None)
    services = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    site_chosen_on = serializers.DateField(required=False, allow_null=True, default=None)
    operator_contracted_on = serializers.DateField(required=False, allow_null=True, default=None)
    built_on = serializers.DateField(required=False, allow_null=True, default=None)
    operating_since = serializers.DateField(required=False, allow_null=True, default=None)


class CentreUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    operator = serializers.CharField(max_length=100, required=False, allow_blank=True)
    beds = serializers.IntegerField(min_value=0, max_value=5000, required=False)
    services = serializers.CharField(max_length=500, required=False, allow_blank=True)


class CentreStepSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None, help_text="default: today")
    operator = serializers.CharField(max_length=100, required=False, help_text="needed to contract an operator")
    beds = serializers.IntegerField(min_value=0, max_value=5000, required=False)
    services = serializers.CharField(max_length=500, required=False, allow_blank=True)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class CentreSerializer(serializers.ModelSerializer):
    subdistrict = serializers.CharField(source="subdistrict_id", read_only=True)
    subdistrict_name = serializers.CharField(source="subdistrict.name", read_only=True)
    stage = serializers.CharField(source="status", read_only=True)
    stage_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ElderlyCentre
        fields = [
            "id",
            "name",
            "subdistrict",
            "subdistrict_name",
            "address",
            "stage",
            "stage_label",
            "site_chosen_on",
            "operator",
            "operator_contracted_on",
            "built_on",
            "operating_since",
            "beds",
            "services",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReachedSerializer(serializers.Serializer):
    site = serializers.IntegerField()
    operator = serializers.IntegerField()
    built = serializers.IntegerField()
    operating = serializers.IntegerField()


class CentreSummarySerializer(ReachedSerializer):
    total = serializers.IntegerField()
    reached = ReachedSerializer(help_text="centres that have reached each stage (those further along included)")


class InstitutionInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=InstitutionKind.choices)
    subdistrict = serializers.CharField(max_length=9, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    operator = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    operator_credit_code = serializers.CharField(
        max_length=18,
        required=False,
        allow_blank=True,
        default="",
        help_text="the unified social credit code of the registered social organization that runs it, if one does",
    )
    beds = serializers.IntegerField(min_value=0, max_value=5000, required=False, allow_null=True, default=None)
    licensed_on = serializers.DateField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(choices=InstitutionStatus.choices, default=InstitutionStatus.OPERATING)


class InstitutionUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    kind = serializers.ChoiceField(choices=InstitutionKind.choices, required=False)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    operator = serializers.CharField(max_length=100, required=False, allow_blank=True)
    operator_credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True)
    beds = serializers.IntegerField(min_value=0, max_value=5000, required=False)
    licensed_on = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=InstitutionStatus.choices, required=False)


class InstitutionSerializer(serializers.ModelSerializer):
    subdistrict = serializers.CharField(source="subdistrict_id", read_only=True)
    subdistrict_name = serializers.CharField(source="subdistrict.name", read_only=True)
    district_name = serializers.CharField(source="subdistrict.parent.name", read_only=True, default="")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    operator_org = serializers.IntegerField(source="operator_org_id", read_only=True, allow_null=True)
    operator_credit_code = serializers.CharField(
        source="operator_org.credit_code", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = ElderlyInstitution
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "subdistrict",
            "subdistrict_name",
            "district_name",
            "address",
            "operator",
            "operator_org",
            "operator_credit_code",
            "beds",
            "licensed_on",
            "status",
            "status_label",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ElderInputSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    risk = serializers.ChoiceField(choices=Risk.choices, default=Risk.NORMAL)
    living_situation = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    family_contact = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    registered_on = serializers.DateField(required=False, allow_null=True, default=None)


class ElderUpdateSerializer(serializers.Serializer):
    risk = serializers.ChoiceField(choices=Risk.choices, required=False)
    living_situation = serializers.CharField(max_length=500, required=False, allow_blank=True)
    family_contact = serializers.CharField(max_length=100, required=False, allow_blank=True)


class ElderCloseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ClosedReason.choices)
    on = serializers.DateField(required=False, allow_null=True, default=None)


class ElderSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id", read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    id_number_masked = serializers.SerializerMethodField()
    household = serializers.IntegerField(source="household_id", read_only=True)
    community = serializers.CharField(source="community_id", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    next_visit_due = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = LeftBehindElder
        fields = [
            "id",
            "person",
            "name",
            "id_number_masked",
            "household",
            "community",
            "community_name",
            "risk",
            "living_situation",
            "family_contact",
            "registered_on",
            "last_visited_on",
            "next_visit_due",
            "overdue",
            "status",
            "closed_on",
            "closed_reason",
        ]
        read_only_fields = fields

    def get_id_number_masked(self, obj) -> str:
        return mask_id_number(obj.person.id_number)

    def get_next_visit_due(self, obj) -> str:
        return selectors.next_visit_due(obj).isoformat()

    def get_overdue(self, obj) -> bool:
        return selectors.is_overdue(obj)


class VisitInputSerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    visitor = serializers.CharField(max_length=50)
    visitor_role = serializers.ChoiceField(choices=VisitorRole.choices, default=VisitorRole.SOCIAL_WORKER)
    findings = serializers.CharField(max_length=1000)
    follow_up = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class VisitSerializer(serializers.ModelSerializer):
    elder = serializers.IntegerField(source="elder_id", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.__str__", read_only=True)

    class Meta:
        model = Visit
        fields = ["id", "elder", "visited_on", "visitor", "visitor_role", "findings", "follow_up", "recorded_by"]
        read_only_fields = fields


class CorrectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bank_name = serializers.CharField()
    bank_account_masked = serializers.CharField()
    reason = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    proposed_by = serializers.CharField(source="proposed_by.username")
    proposed_at = serializers.DateTimeField()


class SubsidySerializer(serializers.ModelSerializer):
    pending_correction = serializers.SerializerMethodField(
        help_text="a new account proposed and waiting for a finance officer's confirmation, or null"
    )
    centre_name = serializers.CharField(source="centre.name", read_only=True, allow_null=True, default=None)
    institution_name = serializers.CharField(source="institution.name", read_only=True, allow_null=True, default=None)
    payee_name = serializers.CharField(source="payee.name", read_only=True, help_text="the centre or the institution")
    subdistrict = serializers.CharField(source="subdistrict_id", read_only=True)
    period = serializers.SerializerMethodField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, coerce_to_string=True)
    bank_account_masked = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    entered_by = serializers.CharField(source="entered_by.username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = OperatingSubsidy
        fields = [
            "id",
            "centre",
            "centre_name",
            "institution",
            "institution_name",
            "payee_name",
            "subdistrict",
            "period",
            "amount",
            "bank_name",
            "bank_account_masked",
            "status",
            "status_label",
            "note",
            "entered_by",
            "entered_at",
            "decided_by",
            "decided_at",
            "pending_correction",
        ]
        read_only_fields = fields

    def get_period(self, obj) -> str:
        return f"{obj.period:%Y-%m}"

    @extend_schema_field(CorrectionSerializer(allow_null=True))
    def get_pending_correction(self, obj) -> dict | None:
        correction = selectors.open_correction(obj)
        return CorrectionSerializer(correction).data if correction is not None else None


class SubsidyInputSerializer(serializers.Serializer):
    centre = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="a centre, or…")
    institution = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="…an institution of the register: one of the two"
    )
    period = serializers.CharField(max_length=7, help_text="YYYY-MM")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    bank_name = serializers.CharField(max_length=60)
    bank_account = serializers.CharField(max_length=40)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SubsidyAccountSerializer(serializers.Serializer):
    bank = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    account = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SubsidyDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
