from django.urls import path

from . import views

app_name = "annotations"

urlpatterns = [
    path("returns/<int:pk>/", views.return_review, name="review"),
    path("returns/<int:pk>/explanations/", views.explanations_save, name="explanations"),
    path("returns/<int:pk>/accept/", views.explanation_accept, name="accept"),
    path("returns/<int:pk>/follow-up/", views.figure_follow_up, name="follow_up"),
    path("returns/<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("quality/", views.quality, name="quality"),
    path("quality/export.xlsx", views.quality_export, name="quality_export"),
]
