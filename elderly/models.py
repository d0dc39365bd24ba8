"""Elderly care (养老服务): the sub-district elderly-care centres and the rural left-behind elderly.

* ``ElderlyCentre``: a sub-district home and community elderly-care service centre
  (街道级居家社区养老服务中心). It moves site chosen → operator contracted → built → operating
  through ``elderly.services`` alone, by the explicit ``CENTRE_MACHINE`` (``core.cases``: a
  compare-and-set move and a ``CaseEvent`` per step); the date of each stage is kept, and the
  database refuses dates out of order or a date of a stage the centre has not reached.
* ``LeftBehindElder``: a person aged 60 or more living in a rural household, registered for
  care visits (农村留守老年人关爱), with a risk level; ``Visit``: one visit by a social worker
  or village staff, with findings and follow-up. The visiting rule (high risk at least every
  30 days, others every 90; ``LEFT_BEHIND_VISIT_DAYS_*`` settings) decides who is overdue.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.cases import StateMachine, Transition
from core.models import Division
from core.roles import Cap
from core.search import chars_index


class CentreStage(models.TextChoices):
    SITE = "site", _("Site chosen")  # 选址
    OPERATOR = "operator", _("Operator contracted")  # 确定运营方
    BUILT = "built", _("Built")  # 建成
    OPERATING = "operating", _("Operating")  # 运营


STAGE_ORDER = [CentreStage.SITE, CentreStage.OPERATOR, CentreStage.BUILT, CentreStage.OPERATING]
# The date field that records when a centre reached each stage.
STAGE_DATE_FIELD = {
    CentreStage.SITE: "site_chosen_on",
    CentreStage.OPERATOR: "operator_contracted_on",
    CentreStage.BUILT: "built_on",
    CentreStage.OPERATING: "operating_since",
}

_C = CentreStage
CENTRE_MACHINE = StateMachine(
    [
        Transition("contract", frozenset({_C.SITE}), _C.OPERATOR, _("Operator contracted")),
        Transition("complete", frozenset({_C.OPERATOR}), _C.BUILT, _("Construction completed")),
        Transition("open", frozenset({_C.BUILT}), _C.OPERATING, _("Opened")),
    ],
    initial=_C.SITE,
    labels=dict(CentreStage.choices),
)
# The move that leads into each stage (the page's one "next step" button).
NEXT_ACTION = {_C.SITE: "contract", _C.OPERATOR: "complete", _C.BUILT: "open"}


def _reached_only(stage: str, later: list[str]) -> Q:
    """While the centre is at ``stage``, the dates of the stages after it are empty."""
    return ~Q(status=stage) | Q(**{f"{STAGE_DATE_FIELD[s]}__isnull": True for s in later})


def _not_before(field: str, earlier: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{earlier}__isnull": True}) | Q(**{f"{field}__gte": F(earlier)})


@pghistory.track()
class ElderlyCentre(models.Model):
    """A sub-district home and community elderly-care service centre, from its site to its operation."""

    scope_field = "subdistrict"
    division_follow = ("subdistrict",)
    scope_view_cap = Cap.ELDERLY_VIEW
    state_machine = CENTRE_MACHINE

    name = models.CharField(_("name"), max_length=100)
    subdistrict = models.ForeignKey(
        Division, verbose_name=_("sub-district"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    address = models.CharField(pgettext_lazy("place", "address"), max_length=200, blank=True)
    # The machine's state (core.cases moves a ``status``); the API calls it ``stage``.
    status = models.CharField(_("stage"), max_length=10, choices=CentreStage.choices, default=CentreStage.SITE)
    site_chosen_on = models.DateField(_("site chosen on"), null=True, blank=True)
    operator = models.CharField(_("operator"), max_length=100, blank=True)
    operator_contracted_on = models.DateField(_("operator contracted on"), null=True, blank=True)
    built_on = models.DateField(_("built on"), null=True, blank=True)
    operating_since = models.DateField(_("operating since"), null=True, blank=True)
    beds = models.PositiveIntegerField(_("beds"), null=True, blank=True)
    services = models.CharField(_("services offered"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("elderly-care centre")
        verbose_name_plural = _("elderly-care centres")
        indexes = [
            models.Index(fields=["subdistrict", "status"], name="elderlycentre_sd_stage"),
            chars_index("name", name="elderlycentre_name_chars"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="elderlycentre_name_unique_in_sd"),
            models.CheckConstraint(condition=Q(status__in=CentreStage.values), name="elderlycentre_stage_known"),
            models.CheckConstraint(
                condition=_reached_only(_C.SITE, [_C.OPERATOR, _C.BUILT, _C.OPERATING]),
                name="elderlycentre_site_no_later_dates",
            ),
            models.CheckConstraint(
                condition=_reached_only(_C.OPERATOR, [_C.BUILT, _C.OPERATING]),
                name="elderlycentre_operator_no_later_dates",
            ),
            models.CheckConstraint(
                condition=_reached_only(_C.BUILT, [_C.OPERATING]), name="elderlycentre_built_no_later_dates"
            ),
            models.CheckConstraint(
                condition=_not_before("operator_contracted_on", "site_chosen_on"),
                name="elderlycentre_contract_after_site",
            ),
            models.CheckConstraint(
                condition=_not_before("built_on", "operator_contracted_on"), name="elderlycentre_built_after_contract"
            ),
            models.CheckConstraint(
                condition=_not_before("operating_since", "built_on"), name="elderlycentre_open_after_built"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stage(self) -> str:
        return self.status

    def get_stage_display(self) -> str:
        return self.get_status_display()

    def stage_date(self, stage: str):
        return getattr(self, STAGE_DATE_FIELD[stage])


class Risk(models.TextChoices):
    HIGH = "high", _("High risk")
    NORMAL = "normal", _("Normal")


class ElderStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("register status", "On the register")
    CLOSED = "closed", _("Left the register")


class ClosedReason(models.TextChoices):
    DIED = "died", _("Died")
    MOVED = "moved", _("Moved away")
    FAMILY_RETURNED = "family_returned", _("Family returned home")
    OTHER = "other", _("Other")


@pghistory.track()
class LeftBehindElder(models.Model):
    """A rural left-behind elderly person on the care register (农村留守老年人), one active entry per person."""

    scope_field = "community"
    division_follow = ("community",)
    scope_view_cap = Cap.ELDERLY_VIEW

    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="left_behind_entries"
    )
    household = models.ForeignKey(
        "people.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        Division, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    risk = models.CharField(_("risk level"), max_length=6, choices=Risk.choices, default=Risk.NORMAL)
    living_situation = models.CharField(_("living situation"), max_length=500, blank=True)
    family_contact = models.CharField(_("family contact"), max_length=100, blank=True)
    registered_on = models.DateField(_("registered on"))
    last_visited_on = models.DateField(_("last visited on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=6, choices=ElderStatus.choices, default=ElderStatus.ACTIVE)
    closed_on = models.DateField(_("left the register on"), null=True, blank=True)
    closed_reason = models.CharField(_("reason for leaving"), max_length=16, choices=ClosedReason.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("left-behind elderly person")
        verbose_name_plural = _("left-behind elderly persons")
        indexes = [
            models.Index(fields=["community", "status"], name="leftbehind_community_status"),
            models.Index(
                fields=["risk", "last_visited_on"],
                condition=Q(status="active"),
                name="leftbehind_active_visits",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="active"), name="leftbehind_one_active_per_person"
            ),
            models.CheckConstraint(condition=Q(risk__in=Risk.values), name="leftbehind_risk_known"),
            models.CheckConstraint(
                condition=(
                    Q(status="active", closed_on__isnull=True, closed_reason="")
                    | (Q(status="closed", closed_on__isnull=False) & ~Q(closed_reason=""))
                ),
                name="leftbehind_closed_has_date_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.person.name


class VisitorRole(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Social worker")
    VILLAGE_STAFF = "village_staff", _("Village staff")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil-affairs staff")
    VOLUNTEER = "volunteer", _("Volunteer")


@pghistory.track()
class Visit(models.Model):
    """One care visit to a left-behind elderly person: when, by whom, what was found, what follows."""

    scope_field = "elder__community"
    scope_view_cap = Cap.ELDERLY_VIEW

    elder = models.ForeignKey(
        LeftBehindElder, verbose_name=_("left-behind elderly person"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("visited on"))
    visitor = models.CharField(_("visitor"), max_length=50)
    visitor_role = models.CharField(
        _("visitor's role"), max_length=16, choices=VisitorRole.choices, default=VisitorRole.SOCIAL_WORKER
    )
    findings = models.CharField(_("findings"), max_length=1000)
    follow_up = models.CharField(_("follow-up"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["elder", "visited_on"], name="visit_elder_day")]
        constraints = [models.CheckConstraint(condition=~Q(findings=""), name="visit_findings_given")]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.visitor}"


# --- Elderly-care institutions (养老机构) ---------------------------------------------------------------


class InstitutionKind(models.TextChoices):
    PUBLIC = "public", _("Public (run by the government)")  # 公办
    PUBLIC_PRIVATE = "public_private", _("Publicly built, privately run")  # 公建民营
    PRIVATE = "private", _("Private")  # 民办


class InstitutionStatus(models.TextChoices):
    OPERATING = "operating", pgettext_lazy("elderly-care institution", "Operating")
    SUSPENDED = "suspended", _("Operation suspended")
    CLOSED = "closed", pgettext_lazy("elderly-care institution", "Closed")


@pghistory.track()
class ElderlyInstitution(models.Model):
    """An elderly-care institution (养老机构: a nursing home, a care home) on the bureau's register.

    Public, publicly built and privately run, or private; in one sub-district; run by an operator, who
    may be a registered social organization (``operator_org``, found by its unified social credit code);
    with its beds, the date of its licence or filing (养老机构设立许可/备案) and its status. Only an
    operating institution receives an operating subsidy (``OperatingSubsidy.institution``).
    """

    scope_field = "subdistrict"
    division_follow = ("subdistrict",)
    scope_view_cap = Cap.ELDERLY_VIEW

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=InstitutionKind.choices)
    subdistrict = models.ForeignKey(
        Division, verbose_name=_("sub-district"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    address = models.CharField(pgettext_lazy("place", "address"), max_length=200, blank=True)
    operator = models.CharField(_("operator"), max_length=100, blank=True)
    operator_org = models.ForeignKey(
        "social_orgs.SocialOrg",
        verbose_name=_("operator (registered social organization)"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    beds = models.PositiveIntegerField(_("beds"), null=True, blank=True)
    licensed_on = models.DateField(_("licensed or filed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=InstitutionStatus.choices, default=InstitutionStatus.OPERATING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("elderly-care institution")
        verbose_name_plural = _("elderly-care institutions")
        indexes = [
            models.Index(fields=["subdistrict", "status"], name="elderlyinst_sd_status"),
            chars_index("name", name="elderlyinst_name_chars"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "name"], name="elderlyinst_name_unique_in_sd"),
            models.CheckConstraint(condition=Q(kind__in=InstitutionKind.values), name="elderlyinst_kind_known"),
            models.CheckConstraint(condition=Q(status__in=InstitutionStatus.values), name="elderlyinst_status_known"),
        ]

    def __str__(self) -> str:
        return self.name


# --- Operating subsidies to elderly-care institutions (养老机构运营补贴) ------------------------------


class SubsidyStatus(models.TextChoices):
    ENTERED = "entered", _("Entered, awaiting approval")
    APPROVED = "approved", pgettext_lazy("operating subsidy", "Approved")
    REFUSED = "refused", pgettext_lazy("operating subsidy", "Refused")


_S = SubsidyStatus
# Not steps of the machine (an approved subsidy stays approved): the account correction's events on its log.
SUBSIDY_CORRECT_ACCOUNT = "correct_account"
SUBSIDY_CONFIRM_ACCOUNT = "confirm_account"
SUBSIDY_REJECT_ACCOUNT = "reject_account"
SUBSIDY_MACHINE = StateMachine(
    [
        Transition("approve", frozenset({_S.ENTERED}), _S.APPROVED, pgettext_lazy("operating subsidy", "Approved")),
        Transition("refuse", frozenset({_S.ENTERED}), _S.REFUSED, pgettext_lazy("operating subsidy", "Refused")),
    ],
    initial=_S.ENTERED,
    labels=dict(SubsidyStatus.choices),
    event_labels={
        SUBSIDY_CORRECT_ACCOUNT: _("Account correction proposed"),
        SUBSIDY_CONFIRM_ACCOUNT: _("Account correction confirmed"),
        SUBSIDY_REJECT_ACCOUNT: _("Account correction rejected"),
    },
)


@pghistory.track()
class OperatingSubsidy(models.Model):
    """An operating subsidy granted for one month to one elderly-care institution or sub-district centre.

    Four eyes: entered by one member of staff, approved by another with the power to approve
    (``elderly.permissions``); only an approved subsidy is paid, by a payout run of scheme
    ``elderly_operating`` (``elderly/payable.py``), once: its payout line's key is the subsidy.
    The payee is the institution: the run pays ``bank_account`` (in the institution's name), the
    account approved with the amount, not a person's household.
    """

    scope_field = "subdistrict"
    division_follow = ("subdistrict",)
    scope_view_cap = Cap.ELDERLY_SUBSIDY_VIEW  # elderly-care staff, leadership, and finance (account corrections)
    state_machine = SUBSIDY_MACHINE

    # The payee: a sub-district centre or an institution of the register, exactly one (a CHECK below).
    centre = models.ForeignKey(
        ElderlyCentre,
        verbose_name=_("elderly-care centre"),
        on_delete=models.PROTECT,
        related_name="subsidies",
        null=True,
        blank=True,
    )
    institution = models.ForeignKey(
        ElderlyInstitution,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="subsidies",
        null=True,
        blank=True,
    )
    # The payee's sub-district when entered (the subsidy's geography), following a division change like it.
    subdistrict = models.ForeignKey(
        Division, verbose_name=_("sub-district"), on_delete=models.PROTECT, related_name="+", db_index=False, null=True
    )
    period = models.DateField(_("month"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    bank_name = models.CharField(_("bank"), max_length=60)
    bank_account = models.CharField(_("bank account"), max_length=32)
    status = models.CharField(_("status"), max_length=10, choices=SubsidyStatus.choices, default=SubsidyStatus.ENTERED)
    note = models.CharField(_("note"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("operating subsidy")
        verbose_name_plural = _("operating subsidies")
        ordering = ["-period", "-id"]
        constraints = [
            # One subsidy per institution and month (a refused one may be entered again).
            models.UniqueConstraint(
                fields=["centre", "period"], condition=~Q(status="refused"), name="operatingsubsidy_once_per_month"
            ),
            models.UniqueConstraint(
                fields=["institution", "period"],
                condition=~Q(status="refused"),
                name="operatingsubsidy_inst_once_per_month",
            ),
            # Never without a geography (nullable only for the history's rows written before it existed).
            models.CheckConstraint(condition=Q(subdistrict__isnull=False), name="operatingsubsidy_has_subdistrict"),
            # One payee per subsidy: a centre or an institution, never both, never neither.
            models.CheckConstraint(
                condition=Q(centre__isnull=False, institution__isnull=True)
                | Q(centre__isnull=True, institution__isnull=False),
                name="operatingsubsidy_one_payee",
            ),
            models.CheckConstraint(condition=Q(period__day=1), name="operatingsubsidy_period_first_day"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="operatingsubsidy_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="entered", decided_by__isnull=True)
                | (~Q(status="entered") & Q(decided_by__isnull=False) & ~Q(decided_by=F("entered_by"))),
                name="operatingsubsidy_four_eyes",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "status"], name="operatingsubsidy_period"),
            models.Index(fields=["subdistrict", "period"], name="operatingsubsidy_sd"),
        ]

    def __str__(self) -> str:
        return f"{self.payee} {self.period:%Y-%m}"

    @property
    def payee(self) -> ElderlyCentre | ElderlyInstitution:
        """Who the subsidy is paid to: the centre or the institution."""
        return self.centre if self.centre_id else self.institution

    @property
    def bank_account_masked(self) -> str:
        from core.idnumbers import mask_tail

        return mask_tail(self.bank_account)


# --- Correcting the account an approved subsidy is paid to: proposed by one, confirmed by another ----------------


class CorrectionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed, awaiting confirmation")
    CONFIRMED = "confirmed", pgettext_lazy("account correction", "Confirmed")
    REJECTED = "rejected", pgettext_lazy("account correction", "Rejected")


_A = CorrectionStatus
CORRECTION_MACHINE = StateMachine(
    [
        Transition("confirm", frozenset({_A.PROPOSED}), _A.CONFIRMED, _("Account correction confirmed")),
        Transition("reject", frozenset({_A.PROPOSED}), _A.REJECTED, _("Account correction rejected")),
    ],
    initial=_A.PROPOSED,
    labels=dict(CorrectionStatus.choices),
)


@pghistory.track()
class AccountCorrection(models.Model):
    """A new bank and account for an approved operating subsidy: money to a new account, so four eyes.

    Proposed (with the reason) by one with the power to approve the subsidy or a finance officer, never
    the one who entered the subsidy; confirmed (or rejected) by a finance officer who did not propose it
    (``elderly.permissions``; the database holds ``decided_by <> proposed_by`` too). Only a confirmed one
    changes the subsidy's account. One open proposal per subsidy. Refused while the subsidy's payment is
    in a bank file already sent to the bank.
    """

    scope_field = "subsidy__subdistrict"
    scope_view_cap = Cap.ELDERLY_SUBSIDY_VIEW
    state_machine = CORRECTION_MACHINE

    subsidy = models.ForeignKey(
        OperatingSubsidy, verbose_name=_("operating subsidy"), on_delete=models.PROTECT, related_name="corrections"
    )
    bank_name = models.CharField(_("new bank"), max_length=60)
    bank_account = models.CharField(_("new bank account"), max_length=32)
    reason = models.CharField(_("reason for the correction"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("account correction", "proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(pgettext_lazy("account correction", "proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("account correction")
        verbose_name_plural = _("account corrections")
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subsidy"], condition=Q(status="proposed"), name="accountcorrection_one_open"
            ),
            models.CheckConstraint(
                condition=Q(status="proposed", decided_by__isnull=True)
                | (~Q(status="proposed") & Q(decided_by__isnull=False) & ~Q(decided_by=F("proposed_by"))),
                name="accountcorrection_four_eyes",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="accountcorrection_reason_given"),
        ]

    def __str__(self) -> str:
        return f"{self.subsidy} → {self.bank_name} {self.bank_account_masked}"

    @property
    def bank_account_masked(self) -> str:
        from core.idnumbers import mask_tail

        return mask_tail(self.bank_account)
