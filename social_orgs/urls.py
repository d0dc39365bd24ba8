from django.urls import path

from social_orgs import views

app_name = "social_orgs"

urlpatterns = [
    path("", views.org_list, name="org-list"),
    path("new/", views.org_create, name="org-create"),
    path("export/", views.org_export, name="org-export"),
    path("import/", views.import_upload, name="import-upload"),
    path("import/<int:pk>/", views.import_detail, name="import-detail"),
    path("import/<int:pk>/commit/", views.import_commit, name="import-commit"),
    path("decoupling/", views.decoupling_progress, name="decoupling"),
    path("<int:pk>/", views.org_detail, name="org-detail"),
    path("<int:pk>/edit/", views.org_edit, name="org-edit"),
    path("<int:pk>/status/<str:to_status>/", views.org_status, name="org-status"),
    path("<int:pk>/inspections/", views.org_inspection, name="org-inspection"),
    path("<int:pk>/fees/", views.org_fee, name="org-fee"),
    path("<int:pk>/fees/<int:fee_pk>/<str:action>/", views.fee_action, name="fee-action"),
    path("<int:pk>/decoupling/", views.org_decoupling, name="org-decoupling"),
    path("<int:pk>/decoupling/steps/", views.org_decoupling_step, name="org-decoupling-step"),
    path("community/", views.community_list, name="community-list"),
    path("community/new/", views.community_create, name="community-create"),
    path("community/<int:pk>/", views.community_detail, name="community-detail"),
    path("community/<int:pk>/revoke/", views.community_revoke, name="community-revoke"),
    path("enforcement/", views.case_list, name="case-list"),
    path("enforcement/new/", views.case_create, name="case-create"),
    path("enforcement/<int:pk>/", views.case_detail, name="case-detail"),
    path("enforcement/<int:pk>/<str:action>/", views.case_action, name="case-action"),
]
