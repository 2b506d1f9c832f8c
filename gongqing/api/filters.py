"""Filter sets of the API, stricter than django-filter's defaults so that what the schema says is what is accepted:
ids and years are integers, booleans are true/false, and a parameter sent empty is refused unless "" is one of its
values (400 in every case)."""

import re

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

INTEGER = re.compile(r"-?[0-9]{1,18}")
BOOLEANS = frozenset({"true", "false", "True", "False"})


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """An id or a year: documented as `integer` (django-filter's NumberFilter is documented as `number`, so a
    schema-valid `?school=1.5` was refused), checked as one by StrictFilterSet."""


class StrictFilterSet(django_filters.FilterSet):
    def is_valid(self):
        valid = super().is_valid()
        for name, flt in self.filters.items():
            value = self.data.get(name, None)
            if value is None:
                continue
            if value == "":
                choices = getattr(flt, "extra", {}).get("choices") or ()
                if not any(v == "" for v, _label in choices):
                    self._refuse(name, ValidationError(_("该参数不能为空。"), code="blank"))
            elif isinstance(flt, django_filters.NumberFilter) and not INTEGER.fullmatch(value):
                self._refuse(name, ValidationError(_("须为整数。"), code="invalid"))
            elif isinstance(flt, django_filters.BooleanFilter) and value not in BOOLEANS:
                self._refuse(name, ValidationError(_("须为 true 或 false。"), code="invalid"))
        return valid and not self.form.errors

    def _refuse(self, name: str, error: ValidationError) -> None:
        """One message per parameter: ours replaces the form field's own (e.g. "输入一个数字。" for ?round=abc)."""
        self.form.errors.pop(name, None)
        self.form.add_error(name, error)
