from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("matrix/", views.matrix, name="matrix"),
    path("trends/", views.trends, name="trends"),
    path("warnings/", views.warnings, name="warnings"),
    path("board/", views.board, name="board"),
    path("board/export.xlsx", views.board_export, name="board_export"),
    path("intake/", views.intake, name="intake"),
    path("<slug:page>/export.xlsx", views.export, name="export"),
]
