from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("<slug:collection>/<int:pk>/attach/", views.attach, name="attach"),
    path("attachments/<int:pk>/", views.download, name="download"),
    path("attachments/<int:pk>/thumbnail/", views.thumbnail, name="thumbnail"),
    path("attachments/<int:pk>/replace/", views.replace, name="replace"),
    path("attachments/<int:pk>/remove/", views.remove, name="remove"),
]
