"""REST shapes of welfare. Input serializers check types; services check rules.

Money is a string with two decimals; months are ``"YYYY-MM"``. Fields whose names other
apps use with other choices (``status``, ``kind``, ``category``) are plain strings in the
schema, their values in the help text, so no two enums collide in the OpenAPI components.
A certificate number contains its holder's ID number: it is only ever sent masked.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.cases import current_month, local_today, month_str, timeline_of
from core.errors import Conflict
from core.money import money_str
from relief.rules import age_on
from relief.serializers import CaseEventSerializer, MonthField, ReliefNoteSerializer
from welfare import selectors
from welfare.models import ChildSupervisor, DisabilityCertificate, DisabilitySubsidyCase, OrphanCase

STATUS_HELP = "submitted | reviewed | active | suspended | terminated | rejected | withdrawn"
CATEGORY_HELP = "institution (raised in an institution) | community (living in the community)"
KIND_HELP = "living (living subsidy, dibao households) | nursing (nursing subsidy, grades 1–2)"
TYPE_HELP = "1 vision, 2 hearing, 3 speech, 4 physical, 5 intellectual, 6 mental, 7 multiple (or the English name)"


# --- Input ------------------------------------------------------------------------------------


class WelfareSuspendSerializer(ReliefNoteSerializer):
    from_month = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="YYYY-MM, the first month not paid (default: next)"
    )


class WelfareTerminateSerializer(ReliefNoteSerializer):
    end_month = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="YYYY-MM, the first month no longer paid"
    )


@extend_schema_field(OpenApiTypes.STR)
class GuardianField(serializers.Field):
    """The guardian: a name (``"王秀英"``), or the id of a registered person."""

    def to_internal_value(self, data):
        if data is None or data == "":
            return {"name": "", "person": None}
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int) or (isinstance(data, str) and data.strip().isdigit()):
            return {"name": "", "person": int(data)}
        if not isinstance(data, str):
            self.fail("invalid")
        name = data.strip()
        if len(name) > 50:
            raise serializers.ValidationError("At most 50 characters.")
        return {"name": name, "person": None}

    def to_representation(self, value):
        return value

    default_error_messages = {"invalid": "A name, or the id of a registered person."}


class OrphanInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1)
    category = serializers.CharField(max_length=12, help_text=CATEGORY_HELP)
    guardian = GuardianField(required=False, allow_null=True, default=None)
    guardian_relationship = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    institution = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class OrphanAmendSerializer(ReliefNoteSerializer):
    category = serializers.CharField(required=False, max_length=12, help_text=CATEGORY_HELP)
    guardian = GuardianField(required=False, allow_null=True)
    guardian_relationship = serializers.CharField(required=False, allow_blank=True, max_length=20)
    institution = serializers.CharField(required=False, allow_blank=True, max_length=100)


class DisabilitySubsidyInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1)
    kind = serializers.CharField(max_length=8, help_text=KIND_HELP)
    certificate_number = serializers.CharField(
        max_length=64, help_text="20 characters: the holder's ID number, the type digit (1–7), the grade digit (1–4)"
    )
    disability_type = serializers.CharField(required=False, allow_null=True, max_length=12, help_text=TYPE_HELP)
    grade = serializers.CharField(required=False, allow_null=True, max_length=2, help_text="1 (most severe) to 4")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class CertificateInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1)
    certificate_number = serializers.CharField(max_length=64)
    disability_type = serializers.CharField(required=False, allow_null=True, max_length=12, help_text=TYPE_HELP)
    grade = serializers.CharField(required=False, allow_null=True, max_length=2)
    issued_on = serializers.DateField(required=False, allow_null=True)


class ReassessInputSerializer(ReliefNoteSerializer):
    disability_type = serializers.CharField(max_length=12, help_text=TYPE_HELP)
    grade = serializers.CharField(max_length=2, help_text="1 (most severe) to 4")
    issued_on = serializers.DateField(required=False, allow_null=True)


class SupervisorInputSerializer(serializers.Serializer):
    subdistrict = serializers.CharField(max_length=9, help_text="the sub-district's 9-digit code")
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    appointed_on = serializers.DateField(required=False, allow_null=True)


class SupervisorEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, allow_null=True)


class WelfareMonthQuerySerializer(serializers.Serializer):
    month = serializers.CharField(required=False, help_text="YYYY-MM (default: this month)")


# --- Output -----------------------------------------------------------------------------------


class SupervisorSerializer(serializers.ModelSerializer):
    subdistrict = serializers.CharField(source="subdistrict_id", read_only=True)
    phone = serializers.CharField(
        source="phone_masked", read_only=True, help_text="masked; POST …/reveal/ with a reason gives the number"
    )
    subdistrict_name = serializers.CharField(source="subdistrict.name", read_only=True)

    class Meta:
        model = ChildSupervisor
        fields = ["id", "subdistrict", "subdistrict_name", "name", "phone", "appointed_on", "ended_on"]
        read_only_fields = fields


class SupervisorRevealSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SupervisorPhoneSerializer(serializers.Serializer):
    phone = serializers.CharField(read_only=True)


class HoldSerializer(serializers.Serializer):
    from_month = MonthField(read_only=True)
    until_month = MonthField(read_only=True)
    reason = serializers.CharField(read_only=True)


class _WelfareCaseSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    status_label = serializers.CharField(read_only=True)
    person = serializers.IntegerField(source="person_id", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    person_id_number_masked = serializers.CharField(source="person.id_number_masked", read_only=True)
    division = serializers.CharField(source="person.division_id", read_only=True)
    start_month = MonthField(read_only=True)
    end_month = MonthField(read_only=True)
    monthly_allowance = serializers.SerializerMethodField()
    standard_scheme = serializers.SerializerMethodField()
    paid_this_month = serializers.SerializerMethodField()
    in_public_notice = serializers.BooleanField(read_only=True)
    review_overdue = serializers.BooleanField(read_only=True)
    allowed_actions = serializers.ListField(child=serializers.CharField(), read_only=True)
    created_by = serializers.IntegerField(source="created_by_id", read_only=True)
    reviewed_by = serializers.IntegerField(source="reviewed_by_id", read_only=True, allow_null=True)
    approved_by = serializers.IntegerField(source="approved_by_id", read_only=True, allow_null=True)

    common_fields = [
        "id",
        "status",
        "status_label",
        "person",
        "person_name",
        "person_id_number_masked",
        "division",
        "start_month",
        "end_month",
        "monthly_allowance",
        "standard_scheme",
        "paid_this_month",
        "notice_until",
        "in_public_notice",
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

    def _amount(self, obj):
        cache = self.context.setdefault("_amounts", {})
        if obj.pk not in cache:
            if "_table" not in self.context:
                self.context["_table"] = selectors.load_table()
            try:
                cache[obj.pk] = selectors.amount_for(obj, current_month(), table=self.context["_table"])
            except Conflict:
                cache[obj.pk] = None
        return cache[obj.pk]

    @extend_schema_field(OpenApiTypes.STR)
    def get_monthly_allowance(self, obj) -> str | None:
        """What the standard in force this month gives (``null`` when none is in force)."""
        amount = self._amount(obj)
        return money_str(amount.amount) if amount else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_standard_scheme(self, obj) -> str | None:
        amount = self._amount(obj)
        return amount.scheme if amount else None

    def get_paid_this_month(self, obj) -> bool:
        return selectors.is_payable(obj, current_month())


class OrphanCaseSerializer(_WelfareCaseSerializer):
    category = serializers.CharField(read_only=True, help_text=CATEGORY_HELP)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    birth_date = serializers.DateField(source="person.birth_date", read_only=True)
    age = serializers.SerializerMethodField()
    guardian = serializers.CharField(source="guardian_display", read_only=True)
    guardian_person = serializers.IntegerField(source="guardian_person_id", read_only=True, allow_null=True)

    class Meta:
        model = OrphanCase
        fields = [
            *_WelfareCaseSerializer.common_fields,
            "category",
            "category_label",
            "birth_date",
            "age",
            "guardian",
            "guardian_person",
            "guardian_relationship",
            "institution",
        ]
        read_only_fields = fields

    def get_age(self, obj: OrphanCase) -> int:
        return age_on(obj.person.birth_date, local_today())


class _DetailMixin(serializers.Serializer):
    events = serializers.SerializerMethodField()
    holds = HoldSerializer(many=True, read_only=True)

    @extend_schema_field(CaseEventSerializer(many=True))
    def get_events(self, obj):
        return CaseEventSerializer(timeline_of(obj), many=True).data


class OrphanCaseDetailSerializer(_DetailMixin, OrphanCaseSerializer):
    supervisor = serializers.SerializerMethodField()

    class Meta(OrphanCaseSerializer.Meta):
        fields = [*OrphanCaseSerializer.Meta.fields, "supervisor", "holds", "events"]
        read_only_fields = fields

    @extend_schema_field(SupervisorSerializer(allow_null=True))
    def get_supervisor(self, obj: OrphanCase):
        supervisor = selectors.supervisor_for(person=obj.person)
        return SupervisorSerializer(supervisor).data if supervisor else None


class CertificateSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    certificate_number_masked = serializers.CharField(source="number_masked", read_only=True)
    disability_type = serializers.IntegerField(read_only=True, help_text=TYPE_HELP)
    disability_type_label = serializers.CharField(source="get_disability_type_display", read_only=True)
    grade = serializers.IntegerField(read_only=True, help_text="1 (most severe) to 4")
    grade_label = serializers.CharField(source="get_grade_display", read_only=True)

    class Meta:
        model = DisabilityCertificate
        fields = [
            "id",
            "person",
            "person_name",
            "certificate_number_masked",
            "disability_type",
            "disability_type_label",
            "grade",
            "grade_label",
            "issued_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DisabilitySubsidySerializer(_WelfareCaseSerializer):
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    certificate = serializers.IntegerField(source="certificate_id", read_only=True)
    certificate_number_masked = serializers.CharField(source="certificate.number_masked", read_only=True)
    disability_type = serializers.IntegerField(source="certificate.disability_type", read_only=True)
    disability_type_label = serializers.CharField(source="certificate.get_disability_type_display", read_only=True)
    grade = serializers.IntegerField(source="certificate.grade", read_only=True)
    household = serializers.IntegerField(source="household_id", read_only=True, allow_null=True)

    class Meta:
        model = DisabilitySubsidyCase
        fields = [
            *_WelfareCaseSerializer.common_fields,
            "kind",
            "kind_label",
            "certificate",
            "certificate_number_masked",
            "disability_type",
            "disability_type_label",
            "grade",
            "household",
        ]
        read_only_fields = fields


class DisabilitySubsidyDetailSerializer(_DetailMixin, DisabilitySubsidySerializer):
    class Meta(DisabilitySubsidySerializer.Meta):
        fields = [*DisabilitySubsidySerializer.Meta.fields, "holds", "events"]
        read_only_fields = fields


class WelfareAllowanceSerializer(serializers.Serializer):
    month = serializers.CharField()
    scheme = serializers.CharField()
    standard_effective_from = serializers.DateField()
    monthly_allowance = serializers.CharField()
    rule = serializers.CharField()
    payable = serializers.BooleanField(help_text="whether the case pays in this month")

    @staticmethod
    def build(case, amount: selectors.WelfareAmount) -> dict:
        return {
            "month": month_str(amount.month),
            "scheme": amount.scheme,
            "standard_effective_from": amount.standard.effective_from,
            "monthly_allowance": money_str(amount.amount),
            "rule": amount.explanation(),
            "payable": selectors.is_payable(case, amount.month),
        }


class EligibilityChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="event.at")
    benefit = serializers.CharField()
    benefit_label = serializers.CharField()
    case = serializers.IntegerField(source="case.pk")
    action = serializers.CharField(source="event.action")
    action_label = serializers.CharField(source="event.action_label")
    from_state = serializers.CharField(source="event.from_state")
    to_state = serializers.CharField(source="event.to_state")
    person = serializers.IntegerField(source="person.pk", allow_null=True)
    person_name = serializers.CharField(source="person.name", allow_null=True)
    reason = serializers.CharField(source="event.note")
    actor_name = serializers.SerializerMethodField()

    def get_actor_name(self, obj) -> str:
        return str(obj.event.actor)


class FindingSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="deceased | duplicate | living_without_dibao | incompatible")
    person = serializers.IntegerField(source="person.pk")
    person_name = serializers.CharField(source="person.name")
    person_id_number_masked = serializers.CharField(source="person.id_number_masked")
    benefits = serializers.ListField(child=serializers.CharField())
    cases = serializers.SerializerMethodField()
    detail = serializers.CharField()

    def get_cases(self, obj) -> list[int]:
        return [c.pk for c in obj.cases]


class CrossCheckSerializer(serializers.Serializer):
    month = MonthField()
    count = serializers.IntegerField()
    deceased = FindingSerializer(many=True)
    duplicates = FindingSerializer(many=True)
    living_without_dibao = FindingSerializer(many=True)
    incompatible = FindingSerializer(many=True)
    incompatibilities = serializers.SerializerMethodField()

    def get_incompatibilities(self, obj) -> list[list[str]]:
        return [[r.benefit_a, r.benefit_b] for r in obj.rules]
