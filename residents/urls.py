from django.urls import path

from residents import views

app_name = "residents"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("login/code/", views.login_code, name="login-code"),
    path("logout/", views.logout, name="logout"),
    path("apply/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("applications/<int:pk>/photos/", views.add_photo, name="add-photo"),
    path("applications/<int:pk>/decision.pdf", views.decision, name="decision"),
    path("notices/", views.notices, name="notices"),
]
