"""Everything under /api/: the versioned resources, the schema, the documentation page and token administration."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from gongqing.api import views
from indicators import api as indicators_api
from schools import api as schools_api

app_name = "api"

router = SimpleRouter()
router.register("townships", schools_api.TownshipViewSet, basename="township")
router.register("schools", schools_api.SchoolViewSet, basename="school")
router.register("school-years", schools_api.SchoolYearViewSet, basename="school-year")
router.register("rounds", schools_api.RoundViewSet, basename="round")
router.register("returns", schools_api.ReturnViewSet, basename="return")
router.register("standards", indicators_api.StandardViewSet, basename="standard")
router.register("county-entries", indicators_api.CountyEntryViewSet, basename="county-entry")
router.register("school-results", indicators_api.SchoolResultViewSet, basename="school-result")
router.register("section-verdicts", indicators_api.SectionVerdictViewSet, basename="section-verdict")
router.register("section-results", indicators_api.SectionResultViewSet, basename="section-result")
router.register("county-verdicts", indicators_api.CountyVerdictViewSet, basename="county-verdict")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
]
