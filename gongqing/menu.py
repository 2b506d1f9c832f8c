"""The main menu, derived from the same role rules as the views.

A view states who may use it with `roles_required`, which leaves the set on the view as `allowed_roles`. The menu
offers an entry only to the roles its page lets in, so no role is offered a page that answers 403; a page that states
no roles is never offered (deny by default). `may_open` answers the same question for any route (the audit log uses
it to decide whether to link an object's page).
"""

from __future__ import annotations

from django.urls import NoReverseMatch, resolve, reverse
from django.utils.translation import gettext_lazy as _

# (route name, label) in the order of the menu.
MENU: tuple[tuple[str, str], ...] = (
    ("home", _("首页")),
    ("dashboards:overview", _("领导看板")),
    ("schools:list", _("学校")),
    ("schools:rounds", _("数据采集")),
    ("schools:review_queue", _("待审核")),
    ("annotations:quality", _("数据质量")),
    ("indicators:results", _("评估结果")),
    ("statistics:index", _("统计基表")),
    ("indicators:standards", _("评估标准")),
    ("survey:list", _("满意度调查")),
    ("supervision:home", _("督导推进")),
    ("reports:list", _("自评报告")),
    ("binder:list", _("档案")),
    ("users", _("用户")),
    ("schools:county_profile", _("县域概况")),
    ("recycle_bin", _("回收站")),
    ("audit_log", _("审计日志")),
)


_ROLES: dict[str, frozenset] = {}


def roles_of(route: str, args: tuple = ()) -> frozenset:
    """The roles the route's view lets in (empty when it states none). The view is the same whatever the arguments,
    so the answer is kept by route name; `args` only make the route reversible."""
    if route not in _ROLES:
        try:
            view = resolve(reverse(route, args=args)).func
        except NoReverseMatch:
            return frozenset()
        _ROLES[route] = frozenset(getattr(view, "allowed_roles", ()))
    return _ROLES[route]


def may_open(user, route: str, args: tuple = ()) -> bool:
    return bool(user is not None and user.is_authenticated and user.role in roles_of(route, args))


def menu_for(user) -> list[tuple[str, str]]:
    """(url, label) of every menu entry the user's role may open."""
    if user is None or not user.is_authenticated:
        return []
    return [(reverse(route), str(label)) for route, label in MENU if may_open(user, route)]
