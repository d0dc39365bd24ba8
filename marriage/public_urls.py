"""The resident site's marriage pages (``/public/marriage/``): booking a registration online."""

from django.urls import path

from marriage import views

app_name = "marriage_public"

urlpatterns = [
    path("", views.online_appointments, name="appointments"),
    path("book/", views.online_book, name="book"),
    path("<int:pk>/cancel/", views.online_cancel, name="cancel"),
]
