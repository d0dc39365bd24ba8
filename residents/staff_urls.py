from django.urls import path

from residents import staff_views

app_name = "online-applications"

urlpatterns = [
    path("", staff_views.application_list, name="list"),
    path("<int:pk>/", staff_views.application_detail, name="detail"),
    path("<int:pk>/accept/", staff_views.application_accept, name="accept"),
    path("<int:pk>/decline/", staff_views.application_decline, name="decline"),
]
