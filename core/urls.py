from django.contrib.auth import views as auth_views
from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password-change"),
    path("audit/", views.audit_changes, name="audit-changes"),
    path("audit/security/", views.audit_security, name="audit-security"),
    path("audit/reveals/", views.audit_reveals, name="audit-reveals"),
    path("audit/integrity/", views.audit_integrity, name="audit-integrity"),
    path("divisions/changes/", views.division_changes, name="division-changes"),
    path("staff/", views.staff_list, name="staff-list"),
    path("staff/<int:pk>/", views.staff_detail, name="staff-detail"),
    path("staff/unlock/", views.lockout_lift, name="lockout-lift"),
]
