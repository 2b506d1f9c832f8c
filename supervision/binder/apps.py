from django.apps import AppConfig


class BinderConfig(AppConfig):
    name = "supervision.binder"
    label = "binder"
    verbose_name = "档案"

    def ready(self):
        from gongqing import jobs

        from . import returns, services, sources, tasks  # noqa: F401  (tasks: registers the build task services queue by name)

        jobs.register_sweeper("binder", services.binders_sweep)
        sources.register_builtin()
        returns.register()  # explanations, return attachments, statistics resolutions (issue 19 item 1)
