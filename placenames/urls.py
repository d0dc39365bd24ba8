from django.urls import path

from placenames import views

app_name = "placenames"

urlpatterns = [
    path("", views.road_list, name="road-list"),
    path("roads/new/", views.road_create, name="road-create"),
    path("roads/<int:pk>/", views.road_detail, name="road-detail"),
    path("unnamed/", views.unnamed_list, name="unnamed-list"),
    path("unnamed/new/", views.unnamed_create, name="unnamed-create"),
    path("unnamed/<int:pk>/", views.unnamed_detail, name="unnamed-detail"),
    path("unnamed/<int:pk>/remove/", views.unnamed_remove, name="unnamed-remove"),
    path("applications/", views.application_list, name="application-list"),
    path("applications/new/", views.application_create, name="application-create"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/<str:action>/", views.application_action, name="application-action"),
    path("banned-words/", views.banned_words, name="banned-words"),
    path("banned-words/<int:pk>/deactivate/", views.banned_word_deactivate, name="banned-word-deactivate"),
]
