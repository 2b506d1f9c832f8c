"""Satisfaction survey (社会认可度, S1): the public questionnaire under s/<token>/, the bureau's pages elsewhere."""

from django.urls import path

from . import views

app_name = "survey"

urlpatterns = [
    path("s/<str:token>/", views.public, name="public"),
    path("s/<str:token>/g/<str:group>/", views.public_form, name="public_form"),
    path("s/<str:token>/done/", views.public_done, name="public_done"),
    path("", views.survey_list, name="list"),
    path("new/", views.survey_create, name="create"),
    path("import/", views.survey_import, name="import"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/edit/", views.survey_edit, name="edit"),
    path("<int:pk>/close/", views.survey_close, name="close"),
    path("<int:pk>/refresh/", views.survey_refresh, name="refresh"),
    path("<int:pk>/qr.svg", views.survey_qr, name="qr"),
    path("<int:pk>/export.json", views.survey_export, name="export"),
    path("<int:pk>/paper/<str:group>/", views.paper_add, name="paper_add"),
    path("<int:pk>/paper/delete/<int:tally_pk>/", views.paper_delete, name="paper_delete"),
]
