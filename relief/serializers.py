"""REST shapes of social assistance. Input serializers check types; services check rules.

Money is a string with two decimals; months are ``"YYYY-MM"``; percentages are strings
(``"5.4"``).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.cases import CaseEvent, current_month, month_str
from core.errors import Conflict
from core.money import money_str
from core.publicnotice import PublicNoticeSerializer
from people.models import AreaType
from relief import selectors
from relief.models import (
    CareLevel,
    ClaimKind,
    CoveredGroup,
    DibaoCase,
    IncomeSource,
    Placement,
    PriceIndexKind,
    Scheme,
    Standard,
    TekunCase,
    TemporaryReliefClaim,
)


@extend_schema_field(OpenApiTypes.STR)
class MonthField(serializers.Field):
    """A benefit month: ``"YYYY-MM"`` out (and in, parsed by the service)."""

    def to_representation(self, value):
        return month_str(value)

    def to_internal_value(self, data):
        return data


class CaseEventSerializer(serializers.ModelSerializer):
    action_label = serializers.CharField(read_only=True)
    actor = serializers.IntegerField(source="actor_id", read_only=True)
    actor_name = serializers.SerializerMethodField()
    from_state = serializers.CharField(read_only=True)
    to_state = serializers.CharField(read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["action", "action_label", "from_state", "to_state", "actor", "actor_name", "at", "note"]
        read_only_fields = fields

    def get_actor_name(self, obj: CaseEvent) -> str:
        return str(obj.actor)


class ReliefNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class ReliefTerminateSerializer(ReliefNoteSerializer):
    end_month = serializers.CharField(required=False, allow_blank=True, default="", help_text="YYYY-MM")


# --- Standards --------------------------------------------------------------------------------


class StandardSerializer(serializers.ModelSerializer):
    area_type = serializers.SerializerMethodField()
    division = serializers.CharField(source="division_id", allow_null=True, read_only=True)
    scheme_label = serializers.CharField(source="get_scheme_display", read_only=True)

    class Meta:
        model = Standard
        fields = [
            "id",
            "scheme",
            "scheme_label",
            "area_type",
            "division",
            "effective_from",
            "amount",
            "source",
            "created_at",
        ]
        read_only_fields = fields

    def get_area_type(self, obj: Standard) -> str | None:
        return obj.area_type or None


class StandardInputSerializer(serializers.Serializer):
    scheme = serializers.ChoiceField(choices=Scheme.choices)
    area_type = serializers.ChoiceField(choices=AreaType.choices, required=False, allow_null=True, allow_blank=True)
    division = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=12)
    effective_from = serializers.DateField()
    amount = serializers.CharField(max_length=20, help_text='e.g. "940.00"')
    source = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ApplicableQuerySerializer(serializers.Serializer):
    scheme = serializers.ChoiceField(choices=Scheme.choices)
    date = serializers.DateField(required=False)
    month = serializers.CharField(required=False)
    area_type = serializers.ChoiceField(choices=AreaType.choices, required=False)
    division = serializers.CharField(required=False, max_length=12)


# --- Dibao ------------------------------------------------------------------------------------


# Fields named like other apps' fields but with other choices (``status``, ``kind``, ``source``)
# are plain strings in the schema, their values listed in the help text: an enum of the same
# name elsewhere would collide in the OpenAPI components. Services validate the values.
STATUS_HELP = "submitted | reviewed | active | suspended | terminated | rejected | withdrawn"
CLAIM_STATUS_HELP = "submitted | approved | rejected | withdrawn"


class IncomeInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    source = serializers.CharField(max_length=12, help_text=" | ".join(IncomeSource.values))
    amount = serializers.CharField(max_length=20)


class InvestigationInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    investigators = serializers.CharField(max_length=100)
    findings = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class DibaoCaseInputSerializer(serializers.Serializer):
    household = serializers.IntegerField(min_value=1)
    monthly_income = serializers.CharField(required=False, allow_null=True, max_length=20, help_text='"1200.00"')
    incomes = IncomeInputSerializer(many=True, required=False, default=list)
    disabled = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    investigation = InvestigationInputSerializer(required=False, allow_null=True, default=None)
    income_irregular = serializers.BooleanField(
        required=False, default=False, help_text="irregular income or members able to work: reviewed every 6 months"
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class DibaoRecheckInputSerializer(ReliefNoteSerializer):
    monthly_income = serializers.CharField(required=False, allow_null=True, max_length=20)
    income_irregular = serializers.BooleanField(required=False, allow_null=True, default=None)
    incomes = IncomeInputSerializer(many=True, required=False, default=list)


class DibaoMemberOutSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField(source="person.name")
    relationship = serializers.CharField()
    disabled = serializers.BooleanField()


class IncomeOutSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id", allow_null=True)
    source = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class _CaseSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    status_label = serializers.CharField(read_only=True)
    start_month = MonthField(read_only=True)
    end_month = MonthField(read_only=True)
    monthly_allowance = serializers.SerializerMethodField()
    standard = serializers.SerializerMethodField()
    in_public_notice = serializers.BooleanField(read_only=True)
    decision_due = serializers.DateField(read_only=True, allow_null=True, help_text="30 working days from acceptance")
    decision_overdue = serializers.BooleanField(read_only=True)
    review_overdue = serializers.BooleanField(read_only=True)
    allowed_actions = serializers.ListField(child=serializers.CharField(), read_only=True)
    created_by = serializers.IntegerField(source="created_by_id", read_only=True)
    reviewed_by = serializers.IntegerField(source="reviewed_by_id", read_only=True, allow_null=True)
    approved_by = serializers.IntegerField(source="approved_by_id", read_only=True, allow_null=True)

    common_fields = [
        "id",
        "status",
        "status_label",
        "start_month",
        "end_month",
        "monthly_allowance",
        "standard",
        "notice_until",
        "in_public_notice",
        "investigated_on",
        "investigators",
        "investigation_findings",
        "objection_open",
        "decision_due",
        "decision_overdue",
        "last_review_on",
        "next_review_on",
        "review_overdue",
        "approval_level",
        "created_by",
        "created_at",
        "reviewed_by",
        "reviewed_at",
        "approved_by",
        "approved_at",
        "updated_at",
        "allowed_actions",
    ]

    def _allowance(self, obj):
        cache = self.context.setdefault("_allowances", {})
        if obj.pk not in cache:
            try:
                cache[obj.pk] = self.compute_allowance(obj)
            except Conflict:
                cache[obj.pk] = None
        return cache[obj.pk]

    @extend_schema_field(OpenApiTypes.STR)
    def get_monthly_allowance(self, obj) -> str | None:
        """What the rule in force this month gives (``null`` when no standard is in force)."""
        allowance = self._allowance(obj)
        return money_str(allowance.amount) if allowance else None

    def table(self, schemes) -> selectors.StandardsTable:
        if "_table" not in self.context:
            self.context["_table"] = selectors.StandardsTable.load(schemes)
        return self.context["_table"]


class DibaoCaseSerializer(_CaseSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    head_name = serializers.CharField(source="household.head.name", read_only=True)
    community = serializers.CharField(source="household.community_id", read_only=True)
    area_type = serializers.CharField(source="household.area_type", read_only=True)
    monthly_income = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    per_capita_income = serializers.SerializerMethodField()
    members = DibaoMemberOutSerializer(many=True, read_only=True)

    class Meta:
        model = DibaoCase
        fields = [
            *_CaseSerializer.common_fields,
            "household",
            "head_name",
            "community",
            "area_type",
            "members_count",
            "members",
            "monthly_income",
            "per_capita_income",
            "income_irregular",
        ]
        read_only_fields = fields

    def compute_allowance(self, obj: DibaoCase):
        return selectors.dibao_allowance(obj, current_month(), table=self.table(selectors.DIBAO_SCHEMES))

    @extend_schema_field(OpenApiTypes.STR)
    def get_standard(self, obj) -> str | None:
        allowance = self._allowance(obj)
        return money_str(allowance.standard.amount) if allowance else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_per_capita_income(self, obj: DibaoCase) -> str:
        return money_str(obj.monthly_income / obj.members_count)


class DibaoCaseDetailSerializer(DibaoCaseSerializer):
    incomes = IncomeOutSerializer(many=True, read_only=True)
    events = serializers.SerializerMethodField()

    class Meta(DibaoCaseSerializer.Meta):
        fields = [*DibaoCaseSerializer.Meta.fields, "incomes", "events"]
        read_only_fields = fields

    @extend_schema_field(CaseEventSerializer(many=True))
    def get_events(self, obj):
        from core.cases import timeline_of

        return CaseEventSerializer(timeline_of(obj), many=True).data


class DibaoAllowanceSerializer(serializers.Serializer):
    month = serializers.CharField()
    standard = serializers.CharField()
    standard_effective_from = serializers.DateField()
    members_count = serializers.IntegerField()
    monthly_income = serializers.CharField()
    per_capita_income = serializers.CharField()
    supplement = serializers.CharField()
    monthly_allowance = serializers.CharField()
    rule = serializers.CharField()
    payable = serializers.BooleanField(help_text="whether the case pays in this month")

    @staticmethod
    def build(case: DibaoCase, allowance: selectors.DibaoAllowance) -> dict:
        r = allowance.result
        return {
            "month": month_str(allowance.month),
            "standard": money_str(r.standard),
            "standard_effective_from": allowance.standard.effective_from,
            "members_count": r.members_count,
            "monthly_income": money_str(r.monthly_income),
            "per_capita_income": money_str(r.per_capita_income),
            "supplement": money_str(r.supplement),
            "monthly_allowance": money_str(r.amount),
            "rule": allowance.explanation(),
            "payable": DibaoCase.objects.filter(pk=case.pk).filter(selectors.payable_in(allowance.month)).exists(),
        }


# --- Tekun ------------------------------------------------------------------------------------


class TekunCaseInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1)
    care_level = serializers.ChoiceField(choices=CareLevel.choices)
    placement = serializers.ChoiceField(choices=Placement.choices)
    institution = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    area_type = serializers.ChoiceField(choices=AreaType.choices, required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class TekunRecheckSerializer(ReliefNoteSerializer):
    care_level = serializers.ChoiceField(choices=CareLevel.choices, required=False)
    placement = serializers.ChoiceField(choices=Placement.choices, required=False)


class TekunCaseSerializer(_CaseSerializer):
    person = serializers.IntegerField(source="person_id", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    division = serializers.CharField(source="person.division_id", read_only=True)

    class Meta:
        model = TekunCase
        fields = [
            *_CaseSerializer.common_fields,
            "person",
            "person_name",
            "division",
            "care_level",
            "placement",
            "institution",
            "area_type",
        ]
        read_only_fields = fields

    def compute_allowance(self, obj: TekunCase):
        return selectors.tekun_allowance(obj, current_month(), table=self.table(selectors.TEKUN_SCHEMES))

    @extend_schema_field(OpenApiTypes.STR)
    def get_standard(self, obj) -> str | None:
        allowance = self._allowance(obj)
        return money_str(allowance.result.basic) if allowance else None


class TekunCaseDetailSerializer(TekunCaseSerializer):
    events = serializers.SerializerMethodField()

    class Meta(TekunCaseSerializer.Meta):
        fields = [*TekunCaseSerializer.Meta.fields, "events"]
        read_only_fields = fields

    @extend_schema_field(CaseEventSerializer(many=True))
    def get_events(self, obj):
        from core.cases import timeline_of

        return CaseEventSerializer(timeline_of(obj), many=True).data


class TekunAllowanceSerializer(serializers.Serializer):
    month = serializers.CharField()
    standard = serializers.CharField(help_text="the basic living standard applied")
    care_standard = serializers.CharField()
    monthly_allowance = serializers.CharField()
    rule = serializers.CharField()
    payable = serializers.BooleanField()

    @staticmethod
    def build(case: TekunCase, allowance: selectors.TekunAllowance) -> dict:
        r = allowance.result
        return {
            "month": month_str(allowance.month),
            "standard": money_str(r.basic),
            "care_standard": money_str(r.care),
            "monthly_allowance": money_str(r.amount),
            "rule": allowance.explanation(),
            "payable": TekunCase.objects.filter(pk=case.pk).filter(selectors.payable_in(allowance.month)).exists(),
        }


# --- Temporary relief -------------------------------------------------------------------------


class ClaimInputSerializer(serializers.Serializer):
    household = serializers.IntegerField(min_value=1)
    amount = serializers.CharField(max_length=20, help_text='"2000.00"')
    kind = serializers.CharField(max_length=8, help_text=" | ".join(ClaimKind.values))
    reason = serializers.CharField(max_length=2000)
    green_channel = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class ClaimApproveSerializer(ReliefNoteSerializer):
    amount = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=20, help_text="≤ the amount asked (default: all)"
    )


class ClaimPayCashSerializer(ReliefNoteSerializer):
    recipient = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100, help_text="who received the cash"
    )


class ClaimSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=CLAIM_STATUS_HELP)
    kind = serializers.CharField(read_only=True, help_text=" | ".join(ClaimKind.values))
    household = serializers.IntegerField(source="household_id", read_only=True)
    head_name = serializers.CharField(source="household.head.name", read_only=True)
    community = serializers.CharField(source="household.community_id", read_only=True)
    status_label = serializers.CharField(read_only=True)
    paperwork_overdue = serializers.BooleanField(read_only=True)
    allowed_actions = serializers.ListField(child=serializers.CharField(), read_only=True)
    created_by = serializers.IntegerField(source="created_by_id", read_only=True)
    approved_by = serializers.IntegerField(source="approved_by_id", read_only=True, allow_null=True)
    granted_amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    paid_in_cash_by = serializers.IntegerField(source="paid_in_cash_by_id", read_only=True, allow_null=True)
    cash_receipt_number = serializers.CharField(read_only=True)

    class Meta:
        model = TemporaryReliefClaim
        fields = [
            "id",
            "status",
            "status_label",
            "household",
            "head_name",
            "community",
            "amount",
            "approved_amount",
            "kind",
            "reason",
            "green_channel",
            "created_by",
            "created_at",
            "approved_by",
            "approved_at",
            "approval_level",
            "cap_year",
            "paperwork_due",
            "paperwork_completed_at",
            "paperwork_overdue",
            "granted_amount",
            "paid_in_cash_at",
            "paid_in_cash_by",
            "cash_recipient",
            "cash_receipt_number",
            "updated_at",
            "allowed_actions",
        ]
        read_only_fields = fields


class ClaimDetailSerializer(ClaimSerializer):
    events = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "events"]
        read_only_fields = fields

    @extend_schema_field(CaseEventSerializer(many=True))
    def get_events(self, obj):
        from core.cases import timeline_of

        return CaseEventSerializer(timeline_of(obj), many=True).data


class UsageSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    cap = serializers.CharField(allow_null=True)
    used = serializers.CharField()
    remaining = serializers.CharField(allow_null=True)

    @staticmethod
    def build(usage: selectors.Usage) -> dict:
        return {
            "year": usage.year,
            "cap": money_str(usage.cap),
            "used": money_str(usage.used),
            "remaining": money_str(usage.remaining),
        }


class ReliefUsageQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=1990, max_value=2100)


# --- Price indices ----------------------------------------------------------------------------


class PriceIndexInputSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    cpi_yoy = serializers.CharField(max_length=10, help_text='year-on-year rise in percent, "5.4"')
    food_cpi_yoy = serializers.CharField(max_length=10, help_text='"20.6"')
    published_on = serializers.DateField(required=False, allow_null=True, default=None)


class PriceRuleSerializer(serializers.Serializer):
    effective_from = serializers.DateField()
    cpi_threshold = serializers.DecimalField(max_digits=5, decimal_places=1)
    food_cpi_threshold = serializers.DecimalField(max_digits=5, decimal_places=1)
    amount_index = serializers.ChoiceField(choices=PriceIndexKind.choices)
    floor = serializers.DecimalField(max_digits=12, decimal_places=2)
    covered_groups = serializers.ListField(child=serializers.ChoiceField(choices=CoveredGroup.choices))


class PriceDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="index.id")
    month = serializers.SerializerMethodField()
    cpi_yoy = serializers.DecimalField(source="index.cpi_yoy", max_digits=5, decimal_places=1)
    food_cpi_yoy = serializers.DecimalField(source="index.food_cpi_yoy", max_digits=5, decimal_places=1)
    published_on = serializers.DateField(source="index.published_on", allow_null=True)
    triggered = serializers.BooleanField()
    triggered_by = serializers.ListField(source="trigger.by", child=serializers.CharField())
    rise = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    rule = PriceRuleSerializer(allow_null=True)
    created_at = serializers.DateTimeField(source="index.created_at")

    def get_month(self, obj) -> str:
        return month_str(obj.index.month)


class SubsidySummarySerializer(serializers.Serializer):
    month = serializers.CharField()
    triggered = serializers.BooleanField()
    persons = serializers.IntegerField()
    total = serializers.CharField()
    by_group = serializers.DictField(child=serializers.IntegerField())
    amounts = serializers.ListField(child=serializers.DictField())

    @staticmethod
    def build(summary: selectors.SubsidySummary) -> dict:
        return {
            "month": month_str(summary.decision.index.month),
            "triggered": summary.decision.triggered,
            "persons": summary.persons,
            "total": money_str(summary.total),
            "by_group": summary.by_group,
            "amounts": [{"area_type": area, "amount": money_str(amount)} for area, amount in summary.rates],
        }


class PriceRuleInputSerializer(serializers.Serializer):
    effective_from = serializers.DateField()
    cpi_threshold = serializers.CharField(max_length=10)
    food_cpi_threshold = serializers.CharField(max_length=10)
    amount_index = serializers.ChoiceField(choices=PriceIndexKind.choices, required=False, default="cpi")
    floor = serializers.CharField(required=False, default="0", max_length=20)
    covered_groups = serializers.ListField(
        child=serializers.ChoiceField(choices=CoveredGroup.choices), required=False, default=["dibao", "tekun"]
    )
    source = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ClaimBulkApproveSerializer(ReliefNoteSerializer):
    claims = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=200)


class PublicNoticeRowSerializer(PublicNoticeSerializer):
    """One line of a community's notice list (公示名单): name as the public sees it, members, amount."""

    name = serializers.CharField(help_text="masked as notices show names, e.g. 张**")
    members_count = serializers.IntegerField()
    monthly_allowance = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    notice_until = serializers.DateField(allow_null=True, help_text="while the 7-day notice runs; null once approved")


class PublicNoticeQuerySerializer(serializers.Serializer):
    community = serializers.CharField(max_length=12, help_text="a community's 12-digit code")
