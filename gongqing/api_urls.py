"""Everything under /api/: the versioned resources, the schema, the documentation page and token administration."""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from gongqing.api import views
from indicators import api as indicators_api
from indicators.reconcile import api as reconcile_api
from schools import api as schools_api
from supervision import api as supervision_api
from supervision.reports import api as reports_api

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
router.register("statistics-differences", reconcile_api.StatisticsDifferenceViewSet, basename="statistics-difference")
router.register("bodies", supervision_api.BodyViewSet, basename="body")
router.register("cycles", supervision_api.CycleViewSet, basename="cycle")
router.register("stages", supervision_api.StageViewSet, basename="stage")
router.register("measures", supervision_api.MeasureViewSet, basename="measure")
router.register("rectification-items", supervision_api.ItemViewSet, basename="rectification-item")
router.register("projects", supervision_api.ProjectViewSet, basename="project")
router.register("reports", reports_api.ReportViewSet, basename="report")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(), name="docs"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    # Last: whatever else is under /api/ (the bare /api/v1/ too) answers the API's JSON 404. Only paths ending in "/"
    # so that a missing trailing slash is still redirected (APPEND_SLASH) to the resource it names.
    re_path(r"^(?P<rest>(?:.*/)?)$", views.not_found, name="not_found"),
]
