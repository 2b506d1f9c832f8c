"""`{% may_open "route" arg… as name %}`: whether the page's user may open a route, by the roles its view lets in
(`gongqing.menu.may_open`). Templates offer a link or a button with it instead of naming roles."""

from django import template

from gongqing.menu import may_open as user_may_open

register = template.Library()


@register.simple_tag(takes_context=True)
def may_open(context, route: str, *args) -> bool:
    return user_may_open(context.get("user"), route, args)
