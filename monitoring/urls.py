from django.urls import path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.low_income, name="home"),
    path("warnings/", views.warning_list, name="warning-list"),
    path("warnings/summary/", views.warning_summary, name="warning-summary"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning-detail"),
    path("warnings/<int:pk>/handle/", views.warning_handle, name="warning-handle"),
    path("households/<int:pk>/expenses/", views.household_expense_record, name="household-expense"),
    path("households/<int:pk>/at-risk/", views.at_risk_flag, name="at-risk-flag"),
    path("at-risk/<int:pk>/clear/", views.at_risk_clear, name="at-risk-clear"),
    path("runs/", views.run_list, name="run-list"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
]
