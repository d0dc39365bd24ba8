from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# Swagger UI, with its initialising script served as a file from the same URL (?script), so the
# portal's policy (no inline scripts) holds; its page keeps one inline <style> block.
api_docs = csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("civil_affairs.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("people/", include("people.urls")),
    path("relief/", include("relief.urls")),
    path("welfare/", include("welfare.urls")),
    path("payouts/", include("payouts.urls")),
    path("datacheck/", include("datacheck.urls")),
    path("social-orgs/", include("social_orgs.urls")),
    path("marriage/", include("marriage.urls")),
    path("placenames/", include("placenames.urls")),
    path("imports/", include("imports.urls")),
    path("elderly/", include("elderly.urls")),
    path("charity/", include("charity.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("documents/", include("documents.urls")),
    path("public/marriage/", include("marriage.public_urls")),  # residents book a registration
    path("public/", include("residents.urls")),  # the residents' site (民政公共服务平台), not staff's
    path("online-applications/", include("residents.staff_urls")),  # staff: residents' applications
    path("", include("core.urls")),
]

handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
