from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.roles import Cap, has_cap

# (label, url name, capability needed or None for any signed-in user)
NAVIGATION = [
    (_("Home"), "home", None),
    (_("Dashboard"), "dashboard:home", Cap.DASHBOARD_VIEW),
    (_("People"), "people:person-list", Cap.PEOPLE_VIEW),
    (_("Households"), "people:household-list", Cap.PEOPLE_VIEW),
    (_("Social assistance"), "relief:home", Cap.RELIEF_VIEW),
    (_("Vagrant relief"), "relief:vagrant-list", Cap.VAGRANT_VIEW),
    (_("Welfare"), "welfare:home", Cap.WELFARE_VIEW),
    (_("Standards"), "relief:standards", Cap.STANDARDS_EDIT),
    (_("Price indices"), "relief:price-indices", Cap.PRICE_INDEX_EDIT),
    (_("Division changes"), "division-changes", Cap.DIVISIONS_CHANGE),
    (_("Payouts"), "payouts:run-list", Cap.PAYOUT_VIEW),
    (_("Elderly care"), "elderly:centre-list", Cap.ELDERLY_VIEW),
    (_("Charity"), "charity:donation-list", Cap.CHARITY_VIEW),
    (_("Data checking"), "datacheck:home", Cap.DATACHECK_VIEW),
    (_("Low-income monitoring"), "monitoring:home", Cap.MONITORING_VIEW),
    (_("Monthly monitoring runs"), "monitoring:run-list", Cap.MONITORING_RUN),  # administrators without the above
    (_("Social organizations"), "social_orgs:org-list", Cap.SOCIALORG_VIEW),
    (_("Marriage registration"), "marriage:registration-list", Cap.MARRIAGE_VIEW),
    (_("Place names"), "placenames:road-list", Cap.PLACENAME_VIEW),
    (_("Imports"), "imports:list", Cap.IMPORT_DATA),
    (_("Audit"), "audit-changes", Cap.AUDIT_VIEW),
    (_("Staff accounts"), "staff-list", Cap.ROLES_GRANT),
    (_("Security log"), "audit-security", Cap.SECURITY_LOG_VIEW),
]


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    path = request.path
    items = []
    for label, name, cap in NAVIGATION:
        if cap is not None and not has_cap(user, cap):
            continue
        if name == "audit-security" and has_cap(user, Cap.AUDIT_VIEW):
            continue  # auditors reach it from the audit pages' own menu
        if name == "monitoring:run-list" and has_cap(user, Cap.MONITORING_VIEW):
            continue  # monitoring staff reach it from monitoring's own tabs
        items.append({"label": label, "url": reverse(name), "active": False})
    # One item lit: the one whose address is the longest beginning of this page's (households under
    # /people/households/ light 家庭户, not 人员 as well; vagrant relief under /relief/vagrant/ likewise).
    matches = [i for i in items if (path == i["url"] if i["url"] == "/" else path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"nav_items": items}
