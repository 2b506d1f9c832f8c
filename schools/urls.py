from django.urls import include, path

from . import views

app_name = "schools"

urlpatterns = [
    path("", views.school_list, name="list"),
    path("new/", views.school_edit, name="create"),
    path("<int:pk>/", views.school_detail, name="detail"),
    path("<int:pk>/edit/", views.school_edit, name="edit"),
    path("county/", views.county_profile, name="county_profile"),
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/new/", views.round_edit, name="round_create"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("rounds/<int:pk>/", views.round_board, name="round_board"),
    path("rounds/<int:pk>/remind/<int:township_pk>/", views.round_remind, name="round_remind"),
    path("<int:school_pk>/rounds/<int:round_pk>/start/", views.return_start, name="return_start"),
    path("returns/review/", views.review_queue, name="review_queue"),
    path("returns/<int:pk>/", views.return_detail, name="return_detail"),
    path("returns/<int:pk>/edit/", views.return_edit, name="return_edit"),
    path("returns/<int:pk>/submit/", views.return_submit, name="return_submit"),
    path("returns/<int:pk>/approve/", views.return_review, {"action": "approve"}, name="return_approve"),
    path("returns/<int:pk>/send-back/", views.return_review, {"action": "send_back"}, name="return_send_back"),
    path("returns/<int:pk>/reopen/", views.return_review, {"action": "reopen"}, name="return_reopen"),
    path("exchange/", include("schools.exchange.urls")),
    path("quality/", include("schools.quality.urls")),
]
