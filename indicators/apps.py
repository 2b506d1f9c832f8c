from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "指标评估"

    def ready(self):
        from schools.models import SchoolReturn
        from schools.signals import return_approved, return_reopened, round_changed

        from . import services, tasks  # noqa: F401  (tasks: registers the names services queue by, gongqing.queue)

        def on_return_changed(sender, school_year, school_return_id=None, **kwargs):
            # A return approved or reopened changes its school's figures alone; a round's change, anything.
            school_ids = None
            if school_return_id is not None and sender is SchoolReturn:
                school_ids = list(
                    SchoolReturn.all_objects.filter(pk=school_return_id).values_list("school_id", flat=True)
                )
            services.mark_stale(school_year=school_year, school_ids=school_ids or None)

        from schools.views import SCHOOL_PAGE_PANELS

        from .panels import school_results_panel

        if school_results_panel not in SCHOOL_PAGE_PANELS:
            SCHOOL_PAGE_PANELS.append(school_results_panel)

        # weak=False: the receiver is a closure that nothing else holds; connected weakly, the garbage collector
        # would remove it and approvals would stop marking results stale.
        return_approved.connect(on_return_changed, weak=False, dispatch_uid="indicators.return_approved")
        return_reopened.connect(on_return_changed, weak=False, dispatch_uid="indicators.return_reopened")
        round_changed.connect(on_return_changed, weak=False, dispatch_uid="indicators.round_changed")

        from gongqing import jobs

        jobs.register_sweeper("recomputes", services.recompute_sweep)

        from django.utils.translation import gettext_lazy as _

        from gongqing import softdelete

        from .models import Scenario

        softdelete.register("scenario", Scenario, _("模拟测算方案"), ("round__school_year",))
