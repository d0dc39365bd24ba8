"""The residents' sign-in endpoints; ``civil_affairs/api.py`` mounts them, with ``public_router``, at ``public/``."""

from django.urls import path

from residents import apis

auth_urlpatterns = [
    path("auth/code/", apis.ResidentCodeView.as_view(), name="public-auth-code"),
    path("auth/token/", apis.ResidentTokenView.as_view(), name="public-auth-token"),
    path("auth/logout/", apis.ResidentLogoutView.as_view(), name="public-auth-logout"),
]
