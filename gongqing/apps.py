from django.apps import AppConfig


class GongqingConfig(AppConfig):
    name = "gongqing"
    verbose_name = "平台"

    def ready(self):
        from . import login_guard  # noqa: F401  (connects the login signals)
