from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("print/", views.print_view, name="print"),
    path("work-summary/", views.work_summary, name="work-summary"),
    path("export.xlsx", views.export, name="export"),
]
