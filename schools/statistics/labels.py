"""How pages name a figure of the statistics return: the return field's own label."""

from schools.models import SchoolReturn


def figure_label(figure: str) -> str:
    return str(SchoolReturn._meta.get_field(figure).verbose_name)
