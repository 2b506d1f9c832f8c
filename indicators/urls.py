from django.urls import include, path

from . import exports, views
from .whatif import views as views_whatif

app_name = "indicators"

urlpatterns = [
    path("", views.results_home, name="results"),
    path("rounds/<int:pk>/", views.round_results, name="round_results"),
    path("rounds/<int:pk>/gaps/", views.round_gaps, name="round_gaps"),
    path("rounds/<int:pk>/export.xlsx", exports.round_export, name="round_export"),
    path("rounds/<int:pk>/recompute/", views.round_recompute, name="round_recompute"),
    path("rounds/<int:pk>/whatif/", views_whatif.whatif, name="whatif"),
    path("scenarios/<int:pk>/", views_whatif.scenario_detail, name="scenario"),
    path("rounds/<int:pk>/compare/", views_whatif.scenario_compare, name="scenario_compare"),
    path("years/<int:year>/county/", views.county_entries, name="county_entries"),
    path("years/<int:year>/county/<str:code>/", views.county_entry_edit, name="county_entry_edit"),
    path("years/<int:year>/settings/", views.year_settings, name="year_settings"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("standards/", views.standard_list, name="standards"),
    path("standards/<int:pk>/", views.standard_detail, name="standard"),
    path("standards/<int:pk>/derive/", views.standard_derive, name="standard_derive"),
    path("costs/", views.cost_settings, name="cost_settings"),
    path("reconcile/", include("indicators.reconcile.urls")),
]
