from django import template

register = template.Library()


@register.filter
def attr(obj, name):
    """getattr for templates (used to show stored values beside form fields)."""
    value = getattr(obj, name, None)
    return "—" if value is None else value
