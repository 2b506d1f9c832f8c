from django.contrib.auth import views as auth_views
from django.urls import include, path

from gongqing.views import account, audit, home, recycle, users

handler500 = "gongqing.views.errors.handler500"

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("accounts/login/", account.PortalLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", account.password_change, name="password_change"),
    path("accounts/password/done/", account.password_change_done, name="password_change_done"),
    path("accounts/keepalive/", account.keepalive, name="keepalive"),
    path("accounts/totp/", account.totp_manage, name="totp"),
    path("notices/", home.notice_list, name="notices"),
    path("notices/<int:pk>/read/", home.notice_read, name="notice_read"),
    path("users/", users.user_list, name="users"),
    path("users/new/", users.user_edit, name="user_create"),
    path("users/<int:pk>/", users.user_edit, name="user_edit"),
    path("users/<int:pk>/toggle/", users.user_toggle_active, name="user_toggle"),
    path("users/<int:pk>/reset/", users.user_reset_password, name="user_reset"),
    path("users/<int:pk>/unlock/", users.user_unlock, name="user_unlock"),
    path("users/<int:pk>/totp-reset/", users.user_totp_reset, name="user_totp_reset"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit/export.xlsx", audit.audit_log_export, name="audit_log_export"),
    path("recycle/", recycle.recycle_bin, name="recycle_bin"),
    path("recycle/<str:kind>/<int:pk>/restore/", recycle.recycle_restore, name="recycle_restore"),
    path("schools/", include("schools.urls")),
    path("review/", include("schools.annotations.urls")),
    path("statistics/", include("schools.statistics.urls")),
    path("indicators/", include("indicators.urls")),
    path("dashboards/", include("supervision.dashboards.urls", namespace="dashboards")),
    path("supervision/", include("supervision.urls")),
    path("survey/", include("supervision.survey.urls")),
    path("reports/", include("supervision.reports.urls")),
    path("binder/", include("supervision.binder.urls")),
    path("api/", include("gongqing.api_urls")),
]
