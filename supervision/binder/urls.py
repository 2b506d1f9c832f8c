from django.urls import path

from . import views

app_name = "binder"
urlpatterns = [
    path("", views.binder_list, name="list"),
    path("build/", views.binder_request, name="build"),
    path("<int:pk>/status/", views.binder_status, name="status"),
    path("<int:pk>/download/", views.binder_download, name="download"),
    path("<int:pk>/index/", views.index_download, name="index"),
    path("<int:pk>/retry/", views.binder_retry, name="retry"),
]
