"""Routes of the reconciliation, inside the `indicators:` namespace under /indicators/reconcile/."""

from django.urls import path

from . import views

urlpatterns = [
    path("<int:year>/", views.reconcile, name="reconcile"),
    path("<int:year>/resolve/", views.reconcile_resolve, name="reconcile_resolve"),
    path("<int:year>/export.xlsx", views.reconcile_export, name="reconcile_export"),
]
