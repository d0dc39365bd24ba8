from __future__ import annotations

from rest_framework import serializers

from social_orgs.models import (
    AnnualInspection,
    ApprovalBody,
    CaseOutcome,
    CaseSource,
    CommunityCategory,
    CommunityOrg,
    Decoupling,
    DecouplingStep,
    EnforcementCase,
    FeeStandard,
    ImportBatch,
    InspectionResult,
    Level,
    OrgType,
    SocialOrg,
    StatusChange,
)


class OrgInputSerializer(serializers.Serializer):
    """Shape only; the registry's rules (credit-code check character, authority) are the service's."""

    name = serializers.CharField(max_length=100)
    credit_code = serializers.CharField(max_length=30)
    org_type = serializers.ChoiceField(choices=OrgType.choices)
    level = serializers.ChoiceField(choices=Level.choices)
    division = serializers.CharField(
        max_length=6, required=False, allow_blank=True, default="", help_text="district code (district level)"
    )
    legal_representative = serializers.CharField(max_length=50)
    supervising_unit = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    founded_on = serializers.DateField()
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    business_scope = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    registered_capital = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    is_industry_association = serializers.BooleanField(default=False)


class OrgSerializer(serializers.ModelSerializer):
    org_type = serializers.CharField(read_only=True)
    level = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    division = serializers.CharField(source="division_id", read_only=True)
    authority = serializers.CharField(source="authority_name", read_only=True)

    class Meta:
        model = SocialOrg
        fields = [
            "id",
            "name",
            "credit_code",
            "org_type",
            "level",
            "division",
            "authority",
            "legal_representative",
            "supervising_unit",
            "founded_on",
            "address",
            "business_scope",
            "registered_capital",
            "is_industry_association",
            "status",
            "status_since",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StatusChangeSerializer(serializers.ModelSerializer):
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)
    actor = serializers.CharField(source="actor.username", read_only=True)

    class Meta:
        model = StatusChange
        fields = ["from_status", "to_status", "on", "reason", "actor", "at"]
        read_only_fields = fields


class OrgDetailSerializer(OrgSerializer):
    status_history = serializers.SerializerMethodField()

    class Meta(OrgSerializer.Meta):
        fields = [*OrgSerializer.Meta.fields, "status_history"]
        read_only_fields = fields

    def get_status_history(self, obj) -> list[dict]:
        from social_orgs.selectors import org_status_history

        return StatusChangeSerializer(org_status_history(org=obj), many=True).data


class StatusInputSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class InspectionInputSerializer(serializers.Serializer):
    org = serializers.IntegerField(min_value=1)
    year = serializers.IntegerField(min_value=1949, max_value=2999)
    result = serializers.ChoiceField(choices=InspectionResult.choices)
    submitted_on = serializers.DateField(required=False, allow_null=True, default=None)
    concluded_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class InspectionSerializer(serializers.ModelSerializer):
    result = serializers.CharField(read_only=True)
    org = serializers.IntegerField(source="org_id", read_only=True)

    class Meta:
        model = AnnualInspection
        fields = ["id", "org", "year", "result", "submitted_on", "concluded_on", "note", "updated_at"]
        read_only_fields = fields


class FeeInputSerializer(serializers.Serializer):
    org = serializers.IntegerField(min_value=1)
    member_grade = serializers.CharField(max_length=50)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    effective_from = serializers.DateField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class FeeApproveSerializer(serializers.Serializer):
    approval_body = serializers.ChoiceField(choices=ApprovalBody.choices)
    approved_on = serializers.DateField()
    votes_for = serializers.IntegerField(min_value=0)
    votes_present = serializers.IntegerField(min_value=1)


class FeeSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    approval_body = serializers.CharField(read_only=True)
    org = serializers.IntegerField(source="org_id", read_only=True)

    class Meta:
        model = FeeStandard
        fields = [
            "id",
            "org",
            "member_grade",
            "amount",
            "effective_from",
            "status",
            "approval_body",
            "approved_on",
            "votes_for",
            "votes_present",
            "repealed_on",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class DecouplingInputSerializer(serializers.Serializer):
    org = serializers.IntegerField(min_value=1)
    administrative_organ = serializers.CharField(max_length=100)
    in_scope = serializers.BooleanField(default=True)
    batch = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class StepInputSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=DecouplingStep.choices)
    completed_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DecouplingSerializer(serializers.ModelSerializer):
    org = serializers.IntegerField(source="org_id", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    steps = serializers.SerializerMethodField()

    class Meta:
        model = Decoupling
        fields = ["id", "org", "org_name", "administrative_organ", "in_scope", "batch", "completed_on", "steps"]
        read_only_fields = fields

    def get_steps(self, obj) -> dict[str, str | None]:
        done = {p.step: p.completed_on.isoformat() for p in obj.steps.all()}
        return {step: done.get(step) for step in DecouplingStep.values}


class CommunityOrgInputSerializer(serializers.Serializer):
    community = serializers.CharField(max_length=12)
    name = serializers.CharField(max_length=100)
    category = serializers.ChoiceField(choices=CommunityCategory.choices)
    person_in_charge = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    members_count = serializers.IntegerField(min_value=0, default=0)
    filed_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CommunityOrgSerializer(serializers.ModelSerializer):
    category = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    community = serializers.CharField(source="community_id", read_only=True)
    phone_masked = serializers.CharField(read_only=True)

    class Meta:
        model = CommunityOrg
        fields = [
            "id",
            "community",
            "name",
            "category",
            "person_in_charge",
            "phone_masked",
            "members_count",
            "filed_on",
            "status",
            "revoked_on",
            "note",
        ]
        read_only_fields = fields


class CaseInputSerializer(serializers.Serializer):
    target_name = serializers.CharField(max_length=100)
    source = serializers.ChoiceField(choices=CaseSource.choices)
    summary = serializers.CharField(max_length=1000)
    reported_on = serializers.DateField(required=False, allow_null=True, default=None)
    division = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    org = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class ConcludeInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CaseOutcome.choices)
    outcome_note = serializers.CharField(max_length=1000)
    concluded_on = serializers.DateField(required=False, allow_null=True, default=None)


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class CaseSerializer(serializers.ModelSerializer):
    source = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    outcome = serializers.CharField(read_only=True)
    division = serializers.CharField(source="division_id", read_only=True)
    org = serializers.IntegerField(source="org_id", read_only=True, allow_null=True)

    class Meta:
        model = EnforcementCase
        fields = [
            "id",
            "division",
            "target_name",
            "org",
            "source",
            "reported_on",
            "summary",
            "status",
            "outcome",
            "outcome_note",
            "concluded_on",
            "created_at",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class ImportSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "file_name",
            "status",
            "rows",
            "to_create",
            "to_update",
            "errors",
            "created_at",
            "committed_at",
        ]
        read_only_fields = fields
