from django.contrib.auth import views as auth_views
from django.urls import include, path

from gongqing.forms import GuardedAuthenticationForm
from gongqing.views import audit, home, users

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(form_class=GuardedAuthenticationForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("notices/", home.notice_list, name="notices"),
    path("notices/<int:pk>/read/", home.notice_read, name="notice_read"),
    path("users/", users.user_list, name="users"),
    path("users/new/", users.user_edit, name="user_create"),
    path("users/<int:pk>/", users.user_edit, name="user_edit"),
    path("users/<int:pk>/toggle/", users.user_toggle_active, name="user_toggle"),
    path("users/<int:pk>/reset/", users.user_reset_password, name="user_reset"),
    path("users/<int:pk>/unlock/", users.user_unlock, name="user_unlock"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("schools/", include("schools.urls")),
    path("indicators/", include("indicators.urls")),
    path("dashboards/", include("indicators.dashboards.urls", namespace="dashboards")),
    path("supervision/", include("supervision.urls")),
    path("survey/", include("supervision.survey.urls")),
    path("api/", include("gongqing.api_urls")),
]
