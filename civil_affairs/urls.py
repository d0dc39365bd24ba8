from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("civil_affairs.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("people/", include("people.urls")),
    path("relief/", include("relief.urls")),
    path("welfare/", include("welfare.urls")),
    path("payouts/", include("payouts.urls")),
    path("social-orgs/", include("social_orgs.urls")),
    path("marriage/", include("marriage.urls")),
    path("placenames/", include("placenames.urls")),
    path("", include("core.urls")),
]
