"""Routes of the exchange, inside the `schools:` namespace under /schools/exchange/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.exchange_index, name="exchange"),
    path("rounds/<int:round_pk>/", views.exchange_upload, name="exchange_upload"),
    path("rounds/<int:round_pk>/template/<int:township_pk>/", views.exchange_template, name="exchange_template"),
    path("rounds/<int:round_pk>/export.xlsx", views.exchange_export, name="exchange_export"),
    path("rounds/<int:round_pk>/export-csv.zip", views.exchange_export_csv, name="exchange_export_csv"),
]
