from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("stage/<int:pk>/", views.stage_detail, name="stage"),
    path("stage/<int:pk>/draft/", views.draft_edit, name="draft"),
    path("stage/<int:pk>/render/", views.render_request, name="render"),
    path("<int:pk>/status/", views.report_status, name="status"),
    path("<int:pk>/download/", views.report_download, name="download"),
    path("<int:pk>/annex/", views.annex_download, name="annex"),
    path("<int:pk>/retry/", views.report_retry, name="retry"),
    path("<int:pk>/tables.xlsx", views.annex_tables, name="tables"),
]
