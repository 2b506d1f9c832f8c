"""Routes of the statistics return under /statistics/ (namespace `statistics`)."""

from django.urls import path

from . import views

app_name = "statistics"

urlpatterns = [
    path("", views.statistics_index, name="index"),
    path("upload/", views.statistics_upload, name="upload"),
    path("uploads/<int:pk>/mapping/", views.statistics_mapping, name="mapping"),
    path("years/<int:pk>/close/", views.statistics_close, name="close"),
    path("rounds/<int:round_pk>/prefill/", views.statistics_prefill, name="prefill"),
    path("demo/<int:year>.xlsx", views.statistics_demo_export, name="demo_export"),
]
