from django.urls import path

from . import views, views_plan, views_records

app_name = "supervision"
urlpatterns = [
    path("", views.home, name="home"),
    path("measures/", views.measure_list, name="measures"),
    path("measures/new/", views.measure_edit, name="measure_create"),
    path("measures/<int:pk>/", views.measure_detail, name="measure"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/progress/", views.measure_progress, name="measure_progress"),
    path("measures/<int:pk>/action/", views.measure_action, name="measure_action"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/sync/", views.ledger_sync, name="ledger_sync"),
    path("ledger/new/", views.item_create, name="item_create"),
    path("ledger/<int:pk>/", views.item_detail, name="item"),
    path("ledger/<int:pk>/progress/", views.item_progress, name="item_progress"),
    path("ledger/<int:pk>/action/", views.item_action, name="item_action"),
    path("ledger/<int:pk>/schedule/", views.item_schedule, name="item_schedule"),
    path("ledger/<int:pk>/bodies/", views_records.item_reassign, name="item_reassign"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("assessment/", views_plan.assessment, name="assessment"),
    path("assessment/export/", views_plan.assessment_export, name="assessment_export"),
    path("plan/", views_plan.plan, name="plan"),
    path("cycles/", views.cycle_list, name="cycles"),
    path("cycles/new/", views.cycle_create, name="cycle_create"),
    path("cycles/<int:pk>/current/", views.cycle_current, name="cycle_current"),
    path("routing/", views_records.routing, name="routing"),
    path("routing/<str:code>/", views_records.routing_edit, name="routing_edit"),
    path("projects/", views_records.project_list, name="projects"),
    path("projects/new/", views_records.project_edit, name="project_create"),
    path("projects/<int:pk>/", views_records.project_edit, name="project_edit"),
    path("reviews/", views_records.review_list, name="reviews"),
    path("reviews/new/", views_records.review_create, name="review_create"),
    path("reviews/<int:review_pk>/findings/new/", views_records.finding_edit, name="finding_create"),
    path("reviews/<int:review_pk>/findings/<int:pk>/", views_records.finding_edit, name="finding_edit"),
]
