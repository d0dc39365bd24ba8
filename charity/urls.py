from django.urls import path

from charity import views

app_name = "charity"

urlpatterns = [
    path("", views.donation_list, name="donation-list"),
    path("new/", views.donation_create, name="donation-create"),
    path("disclosure/", views.disclosure, name="disclosure"),
    path("volunteers/", views.volunteers, name="volunteers"),
    path("<int:pk>/", views.donation_detail, name="donation-detail"),
    path("<int:pk>/uses/", views.use_create, name="use-create"),
]
