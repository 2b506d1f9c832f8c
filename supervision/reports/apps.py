from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "supervision.reports"
    label = "reports"
    verbose_name = "自评报告"

    def ready(self):
        from gongqing import jobs
        from gongqing.views.home import HOME_PANELS

        from . import services, tasks  # noqa: F401  (tasks: registers the render task services queue by name)
        from .panels import home_panel

        jobs.register_sweeper("reports", services.reports_sweep)
        if home_panel not in HOME_PANELS:
            HOME_PANELS.append(home_panel)
