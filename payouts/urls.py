from django.urls import path

from payouts import views

app_name = "payouts"

urlpatterns = [
    path("", views.run_list, name="run-list"),
    path("start/", views.run_start, name="run-start"),
    path("months/<str:period>/", views.month, name="month"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("runs/<int:pk>/lines/", views.run_lines, name="run-lines"),
    path("runs/<int:pk>/export/", views.run_export, name="run-export"),
    path("runs/<int:pk>/import-returns/", views.run_import, name="run-import"),
    path("runs/<int:pk>/<slug:action>/", views.run_action, name="run-action"),
    path("imports/<int:pk>/", views.import_detail, name="import-detail"),
]
