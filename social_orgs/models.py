"""Social organizations: the registry, annual inspections, fee standards, decoupling, community filing,
enforcement, and spreadsheet imports.

An organization's geography is its registering authority (``division``): the city bureau
(370200) for city-level organizations, a district bureau for district-level ones. Status
moves only through ``social_orgs.services`` (one transitions map per kind of record), each
move written to an append-only history row in the same transaction.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.idnumbers import mask_phone, validate_credit_code
from core.models import Division
from core.roles import Cap
from core.search import chars_index


class OrgType(models.TextChoices):
    GROUP = "group", _("Social group")  # 社会团体
    SERVICE = "service", _("Social service organization")  # 社会服务机构（民办非企业单位）
    FOUNDATION = "foundation", _("Foundation")  # 基金会


class Level(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")


class OrgStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    DEREGISTERED = "deregistered", _("Deregistered")
    REVOKED = "revoked", _("Registration revoked")


@pghistory.track()
class SocialOrg(models.Model):
    """A registered social organization."""

    scope_field = "division"
    scope_view_cap = Cap.SOCIALORG_VIEW

    name = models.CharField(_("name"), max_length=100)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    org_type = models.CharField(_("type"), max_length=10, choices=OrgType.choices)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    division = models.ForeignKey(
        Division, verbose_name=_("registering authority"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    legal_representative = models.CharField(_("legal representative"), max_length=50)
    supervising_unit = models.CharField(_("supervising unit"), max_length=100, blank=True)
    founded_on = models.DateField(_("registered on"))
    address = models.CharField(pgettext_lazy("place", "address"), max_length=200, blank=True)
    business_scope = models.CharField(_("business scope"), max_length=500, blank=True)
    registered_capital = models.DecimalField(
        _("registered capital (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    is_industry_association = models.BooleanField(_("industry association"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=OrgStatus.choices, default=OrgStatus.REGISTERED)
    status_since = models.DateField(_("status since"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("social organization")
        verbose_name_plural = _("social organizations")
        indexes = [
            models.Index(fields=["division", "status"], name="socialorg_division_status"),
            models.Index(fields=["name"], name="socialorg_name_prefix", opclasses=["varchar_pattern_ops"]),
            chars_index("name", name="socialorg_name_chars"),  # 海洋 finds 青岛市海洋经济促进会 (core.search)
        ]
        constraints = [
            models.CheckConstraint(condition=Q(credit_code__regex=r"^[0-9A-Z]{18}$"), name="socialorg_code_format"),
            models.CheckConstraint(
                condition=~Q(is_industry_association=True) | Q(org_type="group"),
                name="socialorg_association_is_a_group",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def authority_name(self) -> str:
        return f"{self.division.name}民政局"


class StatusChange(models.Model):
    """The status history of an organization: registration, deregistration, revocation. Append-only."""

    org = models.ForeignKey(SocialOrg, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=OrgStatus.choices)
    on = models.DateField(_("effective date"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "id"]
        triggers = [
            pgtrigger.Protect(name="socialorg_status_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.org_id}: {self.from_status or '-'} → {self.to_status}"


class InspectionResult(models.TextChoices):
    QUALIFIED = "qualified", _("Qualified")  # 合格
    BASICALLY_QUALIFIED = "basically", _("Basically qualified")  # 基本合格
    UNQUALIFIED = "unqualified", _("Unqualified")  # 不合格
    NOT_SUBMITTED = "not_submitted", _("Not submitted")  # 未参检


@pghistory.track()
class AnnualInspection(models.Model):
    """The annual inspection (年检/年报) of one organization for one year."""

    scope_field = "org__division"
    scope_view_cap = Cap.SOCIALORG_VIEW

    org = models.ForeignKey(
        SocialOrg, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="inspections"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    result = models.CharField(_("result"), max_length=14, choices=InspectionResult.choices)
    submitted_on = models.DateField(_("report submitted on"), null=True, blank=True)
    concluded_on = models.DateField(_("concluded on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("annual inspection")
        verbose_name_plural = _("annual inspections")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="inspection_one_per_year")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year}: {self.result}"


class FeeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REPEALED = "repealed", _("Repealed")


class ApprovalBody(models.TextChoices):
    GENERAL_ASSEMBLY = "general_assembly", _("General assembly of members")  # 会员大会
    REPRESENTATIVE_ASSEMBLY = "representative_assembly", _("Assembly of member representatives")  # 会员代表大会


@pghistory.track()
class FeeStandard(models.Model):
    """A membership-fee standard of an industry association (涉企收费), with its approval."""

    scope_field = "org__division"
    scope_view_cap = Cap.SOCIALORG_VIEW

    org = models.ForeignKey(
        SocialOrg, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="fee_standards"
    )
    member_grade = models.CharField(_("member grade"), max_length=50)
    amount = models.DecimalField(_("amount per year (CNY)"), max_digits=12, decimal_places=2)
    effective_from = models.DateField(_("effective from"))
    status = models.CharField(_("status"), max_length=10, choices=FeeStatus.choices, default=FeeStatus.PROPOSED)
    approval_body = models.CharField(_("approved by"), max_length=24, choices=ApprovalBody.choices, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("votes for"), null=True, blank=True)
    votes_present = models.PositiveIntegerField(_("members present"), null=True, blank=True)
    repealed_on = models.DateField(_("repealed on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("fee standard")
        verbose_name_plural = _("fee standards")
        ordering = ["org", "member_grade", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "member_grade", "effective_from"],
                condition=Q(status="approved"),
                name="fee_one_approved_per_grade_and_date",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="fee_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.member_grade}: {self.amount}"


class DecouplingStep(models.TextChoices):
    """The five separations of the decoupling reform (脱钩: 机构、职能、资产财务、人员管理、党建外事等事项)."""

    INSTITUTION = "institution", _("Institutions separated")
    FUNCTIONS = "functions", _("Functions separated")
    FINANCE = "finance", _("Assets and finance separated")
    PERSONNEL = "personnel", _("Personnel management separated")
    AFFAIRS = "affairs", _("Party building, foreign affairs and other matters separated")


@pghistory.track()
class Decoupling(models.Model):
    """An industry association's decoupling from the administrative organ it was attached to."""

    scope_field = "org__division"
    scope_view_cap = Cap.SOCIALORG_VIEW

    org = models.OneToOneField(
        SocialOrg, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="decoupling"
    )
    administrative_organ = models.CharField(_("administrative organ"), max_length=100)
    in_scope = models.BooleanField(_("in the reform's scope"), default=True)
    batch = models.CharField(_("batch"), max_length=30, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("decoupling")
        verbose_name_plural = _("decouplings")

    def __str__(self) -> str:
        return f"{self.org_id} ← {self.administrative_organ}"


@pghistory.track()
class DecouplingProgress(models.Model):
    """One step of a decoupling, done on a date."""

    scope_field = "decoupling__org__division"
    scope_view_cap = Cap.SOCIALORG_VIEW

    decoupling = models.ForeignKey(
        Decoupling, verbose_name=_("decoupling"), on_delete=models.CASCADE, related_name="steps"
    )
    step = models.CharField(_("step"), max_length=12, choices=DecouplingStep.choices)
    completed_on = models.DateField(_("completed on"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("decoupling step")
        verbose_name_plural = _("decoupling steps")
        constraints = [models.UniqueConstraint(fields=["decoupling", "step"], name="decoupling_step_once")]

    def __str__(self) -> str:
        return f"{self.decoupling_id} {self.step}"


class CommunityCategory(models.TextChoices):
    LIFE_SERVICE = "life_service", _("Daily-life services")  # 生活服务类
    CHARITY = "charity", _("Public welfare and charity")  # 公益慈善类
    CULTURE_SPORTS = "culture_sports", _("Culture and sports")  # 文体娱乐类
    MEDIATION = "mediation", _("Mediation")  # 专业调处类
    OTHER = "other", _("Other")


class FilingStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    REVOKED = "revoked", _("Filing revoked")


@pghistory.track()
class CommunityOrg(models.Model):
    """A community social organization filed (备案) with its community: a lighter register."""

    scope_field = "community"
    division_follow = ("community",)
    scope_view_cap = Cap.SOCIALORG_VIEW

    community = models.ForeignKey(
        Division, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=CommunityCategory.choices)
    person_in_charge = models.CharField(_("person in charge"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    members_count = models.PositiveIntegerField(_("members"), default=0)
    filed_on = models.DateField(_("filed on"))
    status = models.CharField(_("status"), max_length=8, choices=FilingStatus.choices, default=FilingStatus.FILED)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("community social organization")
        verbose_name_plural = _("community social organizations")
        indexes = [
            models.Index(fields=["community", "status"], name="community_org_community"),
            chars_index("name", name="community_org_name_chars"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], condition=Q(status="filed"), name="community_org_name_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class CaseStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    INVESTIGATING = "investigating", _("Under investigation")
    CONCLUDED = "concluded", _("Concluded")
    DISMISSED = "dismissed", _("Dismissed")


class CaseSource(models.TextChoices):
    REPORT = "report", _("Public report")
    INSPECTION = "inspection", _("Inspection")
    REFERRAL = "referral", _("Referral by another department")


class CaseOutcome(models.TextChoices):
    BANNED = "banned", _("Banned (取缔)")
    ORDERED_TO_STOP = "ordered_to_stop", _("Ordered to stop activities")
    DISSOLVED = "dissolved", _("Persuaded to dissolve")
    TRANSFERRED = "transferred", _("Transferred to the police")
    PENALISED = "penalised", _("Administrative penalty")


@pghistory.track()
class EnforcementCase(models.Model):
    """A case against an illegal social organization (非法社会组织): report, investigation, outcome."""

    scope_field = "division"
    scope_view_cap = Cap.SOCIALORG_VIEW

    division = models.ForeignKey(
        Division, verbose_name=_("handled by"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    target_name = models.CharField(_("organization investigated"), max_length=100)
    org = models.ForeignKey(
        SocialOrg,
        verbose_name=_("registered organization concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enforcement_cases",
    )
    source = models.CharField(_("source"), max_length=10, choices=CaseSource.choices)
    reported_on = models.DateField(_("reported on"))
    summary = models.CharField(_("summary"), max_length=1000)
    status = models.CharField(_("status"), max_length=14, choices=CaseStatus.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=CaseOutcome.choices, blank=True)
    outcome_note = models.CharField(_("outcome details"), max_length=1000, blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("enforcement case")
        verbose_name_plural = _("enforcement cases")
        indexes = [models.Index(fields=["division", "status"], name="enforcement_division_status")]

    def __str__(self) -> str:
        return self.target_name


class CaseTransition(models.Model):
    """Every step of an enforcement case. Append-only."""

    case = models.ForeignKey(
        EnforcementCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(_("from"), max_length=14, blank=True)
    to_status = models.CharField(_("to"), max_length=14)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        triggers = [
            pgtrigger.Protect(name="enforcement_transition_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status or '-'} → {self.to_status}"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Previewed")
    REJECTED = "rejected", _("Rejected")
    COMMITTED = "committed", _("Committed")


class ImportBatch(models.Model):
    """An uploaded registry spreadsheet: previewed with each row's errors, then committed all or nothing."""

    scope_field = "division"
    scope_view_cap = Cap.SOCIALORG_EDIT

    division = models.ForeignKey(
        Division, verbose_name=_("uploaded in"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    file_name = models.CharField(_("file"), max_length=200)
    content = models.BinaryField(_("content"))
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    to_create = models.PositiveIntegerField(_("to create"), default=0)
    to_update = models.PositiveIntegerField(_("to update"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("committed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")

    def __str__(self) -> str:
        return self.file_name
