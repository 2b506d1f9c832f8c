"""Template filters of gongqing.numbers: `amount`, `amount:2`, `money`, `count:"人"`."""

from django import template

from gongqing import numbers

register = template.Library()


@register.filter
def amount(value, places=0):
    return numbers.amount(value, int(places))


@register.filter
def money(value, places=0):
    return numbers.money(value, int(places))


@register.filter
def count(value, unit=""):
    return numbers.amount(value, 0, str(unit))
