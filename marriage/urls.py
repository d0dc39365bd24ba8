from django.urls import path

from marriage import views

app_name = "marriage"

urlpatterns = [
    path("", views.registration_list, name="registration-list"),
    path("new/", views.registration_create, name="registration-create"),
    path("<int:pk>/", views.registration_detail, name="registration-detail"),
    path("<int:pk>/register/", views.registration_register, name="registration-register"),
    path("<int:pk>/withdraw/", views.registration_withdraw, name="registration-withdraw"),
    path("<int:pk>/reissue/", views.registration_reissue, name="registration-reissue"),
    path("<int:pk>/review/", views.registration_review, name="registration-review"),
    path("household-changes/", views.household_change_list, name="household-changes"),
    path("household-changes/<int:pk>/revert/", views.household_change_revert, name="household-change-revert"),
    path("appointments/", views.appointments, name="appointments"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment-cancel"),
    path("offices/<str:code>/settings/", views.office_settings, name="office-settings"),
    path("offices/<str:code>/capacity/", views.office_capacity, name="office-capacity"),
    path("statistics/", views.statistics, name="statistics"),
]
