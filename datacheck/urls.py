from django.urls import path

from datacheck import views

app_name = "datacheck"

urlpatterns = [
    path("", views.home, name="home"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("sources/<int:pk>/active/", views.source_set_active, name="source-active"),
    path("extracts/<int:pk>/", views.extract_detail, name="extract-detail"),
    path("extracts/<int:pk>/commit/", views.extract_commit, name="extract-commit"),
    path("runs/", views.run_list, name="run-list"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("review/", views.review_list, name="review-list"),
    path("review/<int:pk>/", views.review_detail, name="review-detail"),
    path("review/<int:pk>/<slug:action>/", views.review_action, name="review-action"),
    path("subdistricts/", views.subdistricts, name="subdistricts"),
    path("coverage/", views.coverage, name="coverage"),
    path("poverty/", views.poverty, name="poverty"),
]
