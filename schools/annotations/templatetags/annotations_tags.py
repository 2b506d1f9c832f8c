from django import template

register = template.Library()


@register.filter
def item(mapping, key):
    """mapping[key] for templates, or an empty list (the warnings of a field that has none)."""
    return mapping.get(key, []) if mapping else []
