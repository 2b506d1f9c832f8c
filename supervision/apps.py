from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "督导推进"

    def ready(self):
        from gongqing.views.home import HOME_PANELS
        from indicators.signals import results_stored
        from schools.views import SCHOOL_PAGE_PANELS

        from .dashboards import panels as dashboard_panels
        from .dashboards.warm import on_results_stored as warm_dashboards
        from .panels import home_panel, school_plan_panel
        from .todo import todo_panel

        dashboard_panels.register()  # the county overview first on the home page of the bureau and leadership
        # Connected first, as when the dashboards lived in indicators: the warm-up is queued before the ledger sync.
        results_stored.connect(warm_dashboards, weak=False, dispatch_uid="supervision.dashboards.warm")

        def on_results_stored(sender, round_id=None, school_ids=None, **kwargs):
            from gongqing import jobs

            from . import tasks  # noqa: F401  (registers the task's name)

            # Sent after the recompute committed; an incremental one names the schools it re-evaluated.
            jobs.send("supervision.tasks.sync_ledger", (round_id, school_ids))

        # weak=False: a closure connected weakly is collected by the garbage collector and never fires.
        results_stored.connect(on_results_stored, weak=False, dispatch_uid="supervision.results_stored")

        from django.utils.translation import gettext_lazy as _

        from gongqing import softdelete

        from .models import RectificationItem

        softdelete.register("item", RectificationItem, _("整改任务"), ("school",))
        if school_plan_panel not in SCHOOL_PAGE_PANELS:
            SCHOOL_PAGE_PANELS.append(school_plan_panel)
        if todo_panel not in HOME_PANELS:
            HOME_PANELS.append(todo_panel)  # a township official's to-do first, then the ledger's block
        if home_panel not in HOME_PANELS:
            HOME_PANELS.append(home_panel)

        from gongqing import memberships
        from gongqing.roles import Role

        from .models import Body, BodyKind, BodyMembership

        memberships.register(
            memberships.MembershipKind(
                field="body",
                role=Role.DEPARTMENT_OFFICER,
                model=BodyMembership,
                label=_("所属部门"),
                required=_("部门联络员须选择所属部门。"),
                units=lambda: Body.objects.filter(kind=BodyKind.DEPARTMENT),
            )
        )
