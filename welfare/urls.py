from django.urls import path

from welfare import views

app_name = "welfare"

urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("changes/", views.changes, name="changes"),
    path("cross-check/", views.cross_check, name="cross-check"),
    path("people/<int:pk>/", views.person, name="person"),
    path("orphans/", views.orphan_list, name="orphan-list"),
    path("orphans/apply/<int:person_pk>/", views.orphan_apply, name="orphan-apply"),
    path("orphans/<int:pk>/", views.orphan_detail, name="orphan-detail"),
    path("orphans/<int:pk>/<slug:action>/", views.orphan_action, name="orphan-action"),
    path("disability/", views.subsidy_list, name="subsidy-list"),
    path("disability/apply/<int:person_pk>/", views.subsidy_apply, name="subsidy-apply"),
    path("disability/<int:pk>/", views.subsidy_detail, name="subsidy-detail"),
    path("disability/<int:pk>/<slug:action>/", views.subsidy_action, name="subsidy-action"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate-detail"),
    path("supervisors/", views.supervisors, name="supervisors"),
    path("supervisors/<int:pk>/end/", views.supervisor_end, name="supervisor-end"),
    path("incompatibilities/", views.incompatibilities, name="incompatibilities"),
]
