"""REST shapes of low-income monitoring (api.md "Low-income monitoring"). ID numbers only ever masked."""

from __future__ import annotations

from rest_framework import serializers

from core.cases import month_str
from core.money import money_str
from monitoring.models import AtRiskFlag, ExpenseKind, HouseholdExpense, MonitoringRun, Outcome, WarningKind

TIER_HELP = "dibao | tekun | marginal (低保边缘) | expenditure (支出型困难) | at_risk (flagged by a caseworker)"


class ExpenseInputSerializer(serializers.Serializer):
    """api.md: ``{"kind": "medical"|"education"|"other", "month", "amount"}``."""

    reject_unknown_fields = True

    kind = serializers.CharField(max_length=20, help_text="medical | education | other")
    month = serializers.CharField(max_length=10, help_text='"YYYY-MM"')
    amount = serializers.CharField(max_length=20, help_text='e.g. "1200.00"')
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ExpenseSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    month = serializers.SerializerMethodField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    recorded_by = serializers.CharField(source="recorded_by.__str__", read_only=True)

    class Meta:
        model = HouseholdExpense
        fields = ["id", "household", "kind", "kind_label", "month", "amount", "note", "recorded_by", "recorded_at"]
        read_only_fields = fields

    def get_month(self, obj) -> str:
        return month_str(obj.month)


class LowIncomePersonSerializer(serializers.Serializer):
    """A person of the low-income population, with why: their tiers and their household's figures."""

    id = serializers.IntegerField(source="pk")
    person = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    id_number_masked = serializers.CharField()
    division = serializers.CharField(source="division_id")
    household = serializers.SerializerMethodField()
    tiers = serializers.SerializerMethodField(help_text=TIER_HELP)
    members = serializers.SerializerMethodField()
    monthly_income = serializers.SerializerMethodField(help_text="the household's latest recorded income")
    per_capita_income = serializers.SerializerMethodField()
    rigid_expenses = serializers.SerializerMethodField(help_text="medical and education expenses of the month")
    per_capita_after_expenses = serializers.SerializerMethodField()
    standard = serializers.SerializerMethodField(help_text="the dibao standard in force for the household's area")

    def _facts(self, obj):
        return self.context["facts"].get(obj.pk)

    def _fig(self, obj):
        facts = self._facts(obj)
        return facts.figures if facts is not None else None

    def get_household(self, obj) -> int | None:
        facts = self._facts(obj)
        return facts.household_id if facts else None

    def get_tiers(self, obj) -> list[str]:
        facts = self._facts(obj)
        return facts.tiers if facts else []

    def get_members(self, obj) -> int | None:
        fig = self._fig(obj)
        return fig.members if fig else None

    def get_monthly_income(self, obj) -> str | None:
        fig = self._fig(obj)
        return money_str(fig.income) if fig else None

    def get_per_capita_income(self, obj) -> str | None:
        fig = self._fig(obj)
        return money_str(fig.per_capita) if fig else None

    def get_rigid_expenses(self, obj) -> str | None:
        fig = self._fig(obj)
        return money_str(fig.rigid) if fig else None

    def get_per_capita_after_expenses(self, obj) -> str | None:
        fig = self._fig(obj)
        return money_str(fig.per_capita_after_expenses) if fig else None

    def get_standard(self, obj) -> str | None:
        fig = self._fig(obj)
        return money_str(fig.standard) if fig else None


__all__ = ["ExpenseInputSerializer", "ExpenseKind", "ExpenseSerializer", "LowIncomePersonSerializer"]


class WarningSerializer(serializers.Serializer):
    """api.md: ``{"id", "household", "person", "kind", "reason", "due", "status"}``, and what a page shows."""

    id = serializers.IntegerField()
    household = serializers.IntegerField(source="household_id", allow_null=True)
    person = serializers.IntegerField(source="person_id", allow_null=True)
    person_name = serializers.SerializerMethodField()
    kind = serializers.CharField(help_text=" | ".join(WarningKind.values))
    kind_label = serializers.CharField(source="get_kind_display")
    reason = serializers.CharField(help_text="what raised it, in plain words")
    raised_on = serializers.DateField()
    due = serializers.DateField()
    overdue = serializers.BooleanField()
    status = serializers.CharField(help_text="open | handled")
    status_label = serializers.CharField()
    subdistrict = serializers.CharField(source="subdistrict_id")
    subdistrict_name = serializers.CharField(source="subdistrict.name")
    amount = serializers.SerializerMethodField()
    event_date = serializers.DateField(allow_null=True)
    outcome = serializers.CharField(help_text="assisted | visited_no_need | referred (once handled)")
    outcome_label = serializers.CharField(source="get_outcome_display")
    note = serializers.CharField()
    handled_by = serializers.SerializerMethodField()
    handled_on = serializers.DateField(allow_null=True)
    handled_on_time = serializers.BooleanField()
    dibao_case = serializers.IntegerField(source="dibao_case_id", allow_null=True)
    tekun_case = serializers.IntegerField(source="tekun_case_id", allow_null=True)
    claim = serializers.IntegerField(source="claim_id", allow_null=True)

    def get_person_name(self, obj) -> str | None:
        return obj.person.name if obj.person_id else None

    def get_amount(self, obj) -> str | None:
        return money_str(obj.amount)

    def get_handled_by(self, obj) -> str | None:
        return str(obj.handled_by) if obj.handled_by_id else None


class WarningHandleSerializer(serializers.Serializer):
    """api.md: ``{"outcome": "assisted"|"visited_no_need"|"referred", "note"}``; an assisted outcome names
    the case or claim it led to (one of ``dibao_case``, ``tekun_case``, ``claim``)."""

    reject_unknown_fields = True

    outcome = serializers.CharField(max_length=20, help_text=" | ".join(Outcome.values))
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    dibao_case = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    tekun_case = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    claim = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class ChainEventSerializer(serializers.Serializer):
    at = serializers.DateField()
    scheme = serializers.CharField(
        help_text="dibao | tekun | temporary_relief | orphan | disability_subsidy | "
        "payout:<scheme> | warning | visit | datacheck | means | expense"
    )
    scheme_label = serializers.CharField()
    what = serializers.CharField(help_text="in plain words, in the request's language")
    amount = serializers.SerializerMethodField()
    link = serializers.CharField(allow_null=True)

    def get_amount(self, obj) -> str | None:
        return money_str(obj.amount)


class AssistanceChainSerializer(serializers.Serializer):
    """api.md: ``{"household", "tiers": […], "events": [{"at", "scheme", "what", "amount"?}]}``."""

    household = serializers.IntegerField()
    tiers = serializers.ListField(child=serializers.CharField(), help_text=TIER_HELP)
    events = ChainEventSerializer(many=True)


class _Counts(serializers.Serializer):
    open = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="open and past their due day")
    handled = serializers.IntegerField()
    on_time = serializers.IntegerField(help_text="handled by their due day")
    late = serializers.IntegerField()


class WarningSummaryRowSerializer(_Counts):
    code = serializers.CharField()
    name = serializers.CharField()


class WarningSummarySerializer(_Counts):
    division = serializers.CharField()
    by_division = WarningSummaryRowSerializer(many=True)


class MonitoringRunSerializer(serializers.ModelSerializer):
    """A monthly run over the whole city: its progress, the tiers counted, the warnings it raised."""

    status = serializers.CharField(help_text="queued | running | done | failed")
    month = serializers.SerializerMethodField()
    progress = serializers.IntegerField(read_only=True, help_text="percent done, 0–100")
    steps_total = serializers.IntegerField(read_only=True)
    warnings_raised = serializers.IntegerField(read_only=True, help_text="new warnings of this run (whole city)")
    tiers = serializers.SerializerMethodField(
        help_text='{"dibao": {"households", "persons"}, …}: the whole city for the city, else one\'s own area'
    )

    class Meta:
        model = MonitoringRun
        fields = [
            "id",
            "month",
            "status",
            "step",
            "steps_done",
            "steps_total",
            "progress",
            "tiers",
            "raised",
            "warnings_raised",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_month(self, obj) -> str:
        return month_str(obj.month)

    def get_tiers(self, obj) -> dict:
        from monitoring.selectors import run_tiers_in_scope

        request = self.context.get("request")
        return run_tiers_in_scope(user=request.user, run=obj) if request is not None else {}


class MonitoringRunInputSerializer(serializers.Serializer):
    reject_unknown_fields = True

    month = serializers.CharField(max_length=10, required=False, allow_blank=True, help_text='"YYYY-MM"; default now')


class AtRiskFlagSerializer(serializers.ModelSerializer):
    household = serializers.IntegerField(source="household_id", read_only=True)
    flagged_by = serializers.CharField(source="flagged_by.__str__", read_only=True)
    cleared_by = serializers.SerializerMethodField()
    open = serializers.BooleanField(read_only=True)

    class Meta:
        model = AtRiskFlag
        fields = [
            "id",
            "household",
            "reason",
            "flagged_by",
            "flagged_on",
            "open",
            "cleared_by",
            "cleared_on",
            "clear_reason",
        ]
        read_only_fields = fields

    def get_cleared_by(self, obj) -> str | None:
        return str(obj.cleared_by) if obj.cleared_by_id else None


class AtRiskFlagInputSerializer(serializers.Serializer):
    reject_unknown_fields = True

    household = serializers.IntegerField()
    reason = serializers.CharField(max_length=500, allow_blank=True, help_text="why the household is at risk")


class ReasonInputSerializer(serializers.Serializer):
    reject_unknown_fields = True

    reason = serializers.CharField(max_length=500, allow_blank=True)
