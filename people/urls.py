from django.urls import path

from people import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="person-list"),
    path("new/", views.person_create, name="person-create"),
    path("<int:pk>/", views.person_detail, name="person-detail"),
    path("<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("<int:pk>/reveal/", views.person_reveal, name="person-reveal"),
    path("<int:pk>/death/", views.person_death, name="person-death"),
    path("households/", views.household_list, name="household-list"),
    path("households/new/", views.household_create, name="household-create"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household-edit"),
    path("households/<int:pk>/members/", views.household_add_member, name="household-add-member"),
    path("households/<int:pk>/means/", views.household_record_means, name="household-record-means"),
    path(
        "households/<int:pk>/members/<int:member_pk>/remove/",
        views.household_remove_member,
        name="household-remove-member",
    ),
]
