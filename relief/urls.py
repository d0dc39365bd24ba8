from django.urls import path

from relief import views

app_name = "relief"

urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("households/<int:pk>/", views.household, name="household"),
    path("dibao/", views.dibao_list, name="dibao-list"),
    path("dibao/apply/<int:household_pk>/", views.dibao_apply, name="dibao-apply"),
    path("dibao/<int:pk>/", views.dibao_detail, name="dibao-detail"),
    path("dibao/<int:pk>/<slug:action>/", views.dibao_action, name="dibao-action"),
    path("tekun/", views.tekun_list, name="tekun-list"),
    path("tekun/apply/<int:person_pk>/", views.tekun_apply, name="tekun-apply"),
    path("tekun/<int:pk>/", views.tekun_detail, name="tekun-detail"),
    path("tekun/<int:pk>/<slug:action>/", views.tekun_action, name="tekun-action"),
    path("claims/", views.claim_list, name="claim-list"),
    path("claims/new/<int:household_pk>/", views.claim_create, name="claim-create"),
    path("claims/approve/", views.claims_approve_many, name="claims-approve-many"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/<slug:action>/", views.claim_action, name="claim-action"),
    path("public-notices/", views.public_notices, name="public-notices"),
    path("standards/", views.standards, name="standards"),
    path("price-indices/", views.price_indices, name="price-indices"),
    path("price-indices/<int:pk>/", views.price_index_detail, name="price-index-detail"),
    path("vagrant/", views.vagrant_list, name="vagrant-list"),
    path("vagrant/new/", views.vagrant_create, name="vagrant-create"),
    path("vagrant/<int:pk>/", views.vagrant_detail, name="vagrant-detail"),
    path("vagrant/<int:pk>/traces/<int:trace_pk>/conclude/", views.trace_conclude, name="trace-conclude"),
    path("vagrant/<int:pk>/<slug:action>/", views.vagrant_action, name="vagrant-action"),
]
