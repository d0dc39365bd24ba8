"""The v1 REST API's router: each app registers its viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter, SimpleRouter

from charity.apis import DonationViewSet
from core.apis import DivisionChangeViewSet, DivisionViewSet, MyTasksView, SearchView, TokenView
from dashboard.apis import DashboardSummaryView
from datacheck.apis import (
    CoverageGapViewSet,
    CrossCheckRunViewSet,
    DataSourceViewSet,
    ExtractViewSet,
    PovertyHouseholdViewSet,
    ReviewItemViewSet,
)
from documents.apis import attachment_urls
from elderly.apis import (
    ElderlyCentreViewSet,
    ElderlyInstitutionViewSet,
    LeftBehindElderViewSet,
    OperatingSubsidyViewSet,
)
from imports.apis import ImportViewSet as BulkImportViewSet
from marriage.apis import (
    AppointmentViewSet,
    HouseholdChangeViewSet,
    OfficeViewSet,
    OnlineAppointmentViewSet,
    PublicOfficeViewSet,
    RegistrationViewSet,
)
from monitoring.apis import (
    AssistanceChainViewSet,
    AtRiskFlagViewSet,
    HouseholdExpenseViewSet,
    LowIncomeViewSet,
    MonitoringRunViewSet,
    WarningViewSet,
)
from payouts.apis import PayoutRunViewSet
from people.apis import HouseholdViewSet, PersonViewSet
from placenames.apis import BannedWordViewSet, NamingApplicationViewSet, RoadViewSet, UnnamedRoadViewSet
from relief.apis import (
    DibaoCaseViewSet,
    HouseholdReliefUsageView,
    PriceIndexViewSet,
    PriceRuleViewSet,
    PublicNoticeView,
    StandardViewSet,
    TekunCaseViewSet,
    TemporaryReliefClaimViewSet,
)
from residents.api_urls import auth_urlpatterns as public_auth_urlpatterns
from residents.apis import PublicApplicationDecisionView, PublicApplicationViewSet, PublicNoticesView
from residents.staff_apis import OnlineApplicationViewSet
from social_orgs.apis import (
    CommunityOrgViewSet,
    DecouplingViewSet,
    EnforcementCaseViewSet,
    FeeStandardViewSet,
    ImportViewSet,
    InspectionViewSet,
    SocialOrgViewSet,
)
from welfare.apis import (
    ChildSupervisorViewSet,
    CrossCheckView,
    DisabilityCertificateViewSet,
    DisabilitySubsidyViewSet,
    EligibilityChangeViewSet,
    OrphanCaseViewSet,
)

router = DefaultRouter()
router.register("divisions", DivisionViewSet, basename="division")
router.register("division-changes", DivisionChangeViewSet, basename="division-change")
router.register("people", PersonViewSet, basename="person")
router.register("households", HouseholdViewSet, basename="household")
router.register("standards", StandardViewSet, basename="standard")
router.register("dibao-cases", DibaoCaseViewSet, basename="dibao-case")
router.register("tekun-cases", TekunCaseViewSet, basename="tekun-case")
router.register("temporary-relief-claims", TemporaryReliefClaimViewSet, basename="temporary-relief-claim")
router.register("price-indices", PriceIndexViewSet, basename="price-index")
router.register("price-rules", PriceRuleViewSet, basename="price-rule")

# Welfare: orphans, the two disability subsidies, child supervisors, eligibility kept true.
router.register("orphans", OrphanCaseViewSet, basename="orphan")
router.register("disability-subsidies", DisabilitySubsidyViewSet, basename="disability-subsidy")
router.register("disability-certificates", DisabilityCertificateViewSet, basename="disability-certificate")
router.register("child-supervisors", ChildSupervisorViewSet, basename="child-supervisor")
router.register("eligibility-changes", EligibilityChangeViewSet, basename="eligibility-change")
router.register("payout-runs", PayoutRunViewSet, basename="payout-run")

# Data checking (信息核对): other departments' extracts, cross-check runs, the review queue, coverage.
router.register("data-sources", DataSourceViewSet, basename="data-source")
router.register("extracts", ExtractViewSet, basename="extract")
router.register("cross-check-runs", CrossCheckRunViewSet, basename="cross-check-run")
router.register("review-items", ReviewItemViewSet, basename="review-item")
router.register("coverage-gaps", CoverageGapViewSet, basename="coverage-gap")
router.register("poverty-households", PovertyHouseholdViewSet, basename="poverty-household")

# Low-income population monitoring (低收入人口动态监测).
router.register("low-income", LowIncomeViewSet, basename="low-income")
router.register("warnings", WarningViewSet, basename="warning")
router.register("at-risk-flags", AtRiskFlagViewSet, basename="at-risk-flag")
router.register("monitoring-runs", MonitoringRunViewSet, basename="monitoring-run")

# Bulk imports (households, existing cases) from spreadsheets.
router.register("imports", BulkImportViewSet, basename="import")

# The registries: social organizations, marriage, place names.
router.register("social-orgs", SocialOrgViewSet, basename="social-org")
router.register("social-org-imports", ImportViewSet, basename="social-org-import")
router.register("social-org-inspections", InspectionViewSet, basename="social-org-inspection")
router.register("social-org-fee-standards", FeeStandardViewSet, basename="social-org-fee-standard")
router.register("social-org-decouplings", DecouplingViewSet, basename="social-org-decoupling")
router.register("community-social-orgs", CommunityOrgViewSet, basename="community-social-org")
router.register("social-org-enforcement-cases", EnforcementCaseViewSet, basename="social-org-enforcement-case")
router.register("marriage-registrations", RegistrationViewSet, basename="marriage-registration")
router.register("marriage-offices", OfficeViewSet, basename="marriage-office")
router.register("marriage-appointments", AppointmentViewSet, basename="marriage-appointment")
router.register("marriage-household-changes", HouseholdChangeViewSet, basename="marriage-household-change")
router.register("roads", RoadViewSet, basename="road")
router.register("unnamed-roads", UnnamedRoadViewSet, basename="unnamed-road")
router.register("road-naming-applications", NamingApplicationViewSet, basename="road-naming-application")
router.register("road-banned-words", BannedWordViewSet, basename="road-banned-word")

# Elderly care: the sub-district centres, the institutions' register, the rural left-behind elderly
# register and its visits, the operating subsidies.
router.register("elderly-centres", ElderlyCentreViewSet, basename="elderly-centre")
router.register("elderly-institutions", ElderlyInstitutionViewSet, basename="elderly-institution")
router.register("left-behind-elderly", LeftBehindElderViewSet, basename="left-behind-elder")
router.register("elderly-subsidies", OperatingSubsidyViewSet, basename="elderly-subsidy")

# Residents' online applications, as staff accept or decline them (residents/staff_apis.py).
router.register("online-applications", OnlineApplicationViewSet, basename="online-application")

# Charity: donations, their uses, the public disclosure.
router.register("donations", DonationViewSet, basename="donation")

# Residents online (/api/v1/public/): residents' own endpoints, authenticated by residents.auth only.
# Another app's resident endpoints register here (public_router.register(...)).
public_router = SimpleRouter()
public_router.register("applications", PublicApplicationViewSet, basename="public-application")
public_router.register("marriage-offices", PublicOfficeViewSet, basename="public-marriage-office")
public_router.register("marriage-appointments", OnlineAppointmentViewSet, basename="public-marriage-appointment")

public_urlpatterns = [
    *public_auth_urlpatterns,
    path(
        "applications/<int:pk>/decision.pdf",
        PublicApplicationDecisionView.as_view(),
        name="public-application-decision",
    ),
    path("notices/", PublicNoticesView.as_view(), name="public-notices-resident"),
    path("", include(public_router.urls)),
]

urlpatterns = [
    path("public/", include(public_urlpatterns)),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("my/tasks/", MyTasksView.as_view(), name="my-tasks"),
    path("search/", SearchView.as_view(), name="api-search"),
    path("households/<int:pk>/relief-usage/", HouseholdReliefUsageView.as_view(), name="household-relief-usage"),
    path(
        "households/<int:pk>/expenses/",
        HouseholdExpenseViewSet.as_view({"get": "list", "post": "create"}),
        name="household-expenses",
    ),
    path(
        "households/<int:pk>/assistance-chain/",
        AssistanceChainViewSet.as_view({"get": "retrieve"}),
        name="household-assistance-chain",
    ),
    path("public-notices/", PublicNoticeView.as_view(), name="public-notices"),
    path("welfare-cross-check/", CrossCheckView.as_view(), name="welfare-cross-check"),
    path("dashboard/summary/", DashboardSummaryView.as_view(), name="dashboard-summary"),
    *attachment_urls(),
    path("", include(router.urls)),
]
