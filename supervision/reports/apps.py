from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "supervision.reports"
    label = "reports"
    verbose_name = "自评报告"

    def ready(self):
        from gongqing.views.home import HOME_PANELS

        from . import tasks  # noqa: F401  (registers the render task that services queue by name, gongqing.queue)
        from .panels import home_panel

        if home_panel not in HOME_PANELS:
            HOME_PANELS.append(home_panel)
