from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "学校与填报"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gongqing import softdelete

        from .models import School, SchoolReturn
        from .services import recompute_after_soft_delete

        softdelete.register("school", School, _("学校"), ("township",))
        softdelete.register("return", SchoolReturn, _("学校填报"), ("school", "round__school_year"))
        softdelete.row_deleted_or_restored.connect(
            recompute_after_soft_delete, weak=False, dispatch_uid="schools.soft_delete"
        )

        from gongqing import memberships
        from gongqing.roles import Role

        from .models import Township, TownshipMembership

        memberships.register(
            memberships.MembershipKind(
                field="township",
                role=Role.TOWNSHIP_OFFICIAL,
                model=TownshipMembership,
                label=_("所属乡镇（街道）"),
                required=_("乡镇（街道）填报员须选择所属乡镇（街道）。"),
                units=Township.objects.all,
            )
        )
