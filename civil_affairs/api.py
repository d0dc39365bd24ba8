"""The v1 REST API's router: each app registers its viewsets here."""

from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from core.apis import DivisionViewSet
from people.apis import HouseholdViewSet, PersonViewSet

router = DefaultRouter()
router.register("divisions", DivisionViewSet, basename="division")
router.register("people", PersonViewSet, basename="person")
router.register("households", HouseholdViewSet, basename="household")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include(router.urls)),
]
