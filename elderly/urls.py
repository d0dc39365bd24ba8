from django.urls import path

from elderly import views

app_name = "elderly"

urlpatterns = [
    path("", views.centre_list, name="centre-list"),
    path("centres/new/", views.centre_create, name="centre-create"),
    path("centres/<int:pk>/", views.centre_detail, name="centre-detail"),
    path("centres/<int:pk>/edit/", views.centre_edit, name="centre-edit"),
    path("centres/<int:pk>/step/<str:action>/", views.centre_step, name="centre-step"),
    path("institutions/", views.institution_list, name="institution-list"),
    path("institutions/new/", views.institution_create, name="institution-create"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution-detail"),
    path("institutions/<int:pk>/edit/", views.institution_edit, name="institution-edit"),
    path("subsidies/", views.subsidy_list, name="subsidy-list"),
    path("subsidies/<int:pk>/correct-account/", views.subsidy_correct_account, name="subsidy-correct-account"),
    path("subsidies/<int:pk>/account/<str:action>/", views.subsidy_account_decide, name="subsidy-account-decide"),
    path("subsidies/<int:pk>/<str:action>/", views.subsidy_decide, name="subsidy-decide"),
    path("left-behind/", views.elder_list, name="elder-list"),
    path("left-behind/new/", views.elder_create, name="elder-create"),
    path("left-behind/<int:pk>/", views.elder_detail, name="elder-detail"),
    path("left-behind/<int:pk>/edit/", views.elder_edit, name="elder-edit"),
    path("left-behind/<int:pk>/visits/", views.visit_create, name="visit-create"),
    path("left-behind/<int:pk>/close/", views.elder_close, name="elder-close"),
]
