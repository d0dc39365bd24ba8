from django.urls import path

from documents import printviews, views

app_name = "documents"

urlpatterns = [
    path("<slug:collection>/<int:pk>/attach/", views.attach, name="attach"),
    path("attachments/<int:pk>/", views.download, name="download"),
    path("attachments/<int:pk>/thumbnail/", views.thumbnail, name="thumbnail"),
    path("attachments/<int:pk>/replace/", views.replace, name="replace"),
    path("attachments/<int:pk>/remove/", views.remove, name="remove"),
    path("<slug:collection>/<int:pk>/print/<slug:name>/", printviews.print_page, name="print"),
    path("<slug:collection>/<int:pk>/print/<slug:name>.pdf", printviews.print_pdf, name="print-pdf"),
    path("public-notices/<str:community>/", printviews.public_notice_page, name="public-notice"),
    path("public-notices/<str:community>/document.pdf", printviews.public_notice_pdf, name="public-notice-pdf"),
]
