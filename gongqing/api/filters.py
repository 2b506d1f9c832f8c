"""Filter sets of the API, stricter than django-filter's defaults so that what the schema says is what is accepted:
ids and years are integers, booleans are true/false, and a parameter sent empty is refused unless "" is one of its
values (400 in every case)."""

import copy
import re

import django_filters
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters.filters import QuerySetRequestMixin
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

INTEGER = re.compile(r"-?[0-9]{1,18}")
BOOLEANS = frozenset({"true", "false", "True", "False"})


class _Cleaned:
    """In a form's place: the cleaned values of parameters seen valid before (StrictFilterSet.form)."""

    def __init__(self, cleaned: dict):
        self.cleaned_data = dict(cleaned)
        self.errors = ErrorDict()

    def is_valid(self) -> bool:
        return True


# Filters whose form field reads its own parameter only, one value (Django's single-value widgets).
SINGLE_VALUE_FILTERS = (
    django_filters.NumberFilter,
    django_filters.ChoiceFilter,
    django_filters.BooleanFilter,
    django_filters.CharFilter,
)
MULTI_FILTERS = (django_filters.MultipleChoiceFilter, django_filters.RangeFilter, django_filters.BaseCSVFilter)


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """An id or a year: documented as `integer` (django-filter's NumberFilter is documented as `number`, so a
    schema-valid `?school=1.5` was refused), checked as one by StrictFilterSet."""


class StrictFilterSet(django_filters.FilterSet):
    """Built on every API list request, so built cheaply: django-filter deep-copies every filter (with its choices
    and field options) and then makes a new form class from them for each request, a tenth of a result page's time.
    Here each filter is copied shallowly (a filter keeps its per-request state, `model` and `parent`, in its own
    attributes; its options are read, never changed) and the form class is made once per filter set class; the form
    itself is still Django's, one per request, with its fields deep-copied as always. No filter of the API's takes a
    queryset from the request (django-filter's QuerySetRequestMixin), whose options do change: such a filter set
    keeps django-filter's way (`_per_request`)."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if self._per_request():
            super().__init__(data, queryset, request=request, prefix=prefix)
            return
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: copy.copy(f) for name, f in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self
            if filter_.method is not None:  # its FilterMethod points at the filter it was made for: make this one's
                filter_.method = filter_.method

    @classmethod
    def _per_request(cls) -> bool:
        return any(isinstance(f, QuerySetRequestMixin) for f in cls.base_filters.values())

    def get_form_class(self):
        if self._per_request():
            return super().get_form_class()
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._form_class = form_class
        return form_class

    # --- the cleaned values of parameters already seen ---------------------------------------------------------
    # A client walking a list sends the same filters on every page (only its cursor changes): the form's fields are
    # deep-copied, bound and cleaned each time for the same answer. Parameters that were valid once give their cleaned
    # values again, per filter set class, keyed by every filter's raw values; other requests (an error, a widget
    # reading more than its own name) go through the form as always.
    _CLEAN_LIMIT = 1024

    def _clean_key(self):
        if self.form_prefix or not self.is_bound or self._per_request():
            return None
        if any(not isinstance(f, SINGLE_VALUE_FILTERS) or isinstance(f, MULTI_FILTERS) for f in self.filters.values()):
            return None
        return tuple(tuple(self.data.getlist(name)) for name in self.filters)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            key = self._clean_key()
            cleaned = type(self).__dict__.get("_cleaned", {}).get(key) if key is not None else None
            if cleaned is not None:
                self._form = _Cleaned(cleaned)
            else:
                self._form = super().form
        return self._form

    def is_valid(self):
        valid = super().is_valid()
        if isinstance(self.form, _Cleaned):
            return valid
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
        valid = valid and not self.form.errors
        key = self._clean_key() if valid else None
        if key is not None:
            cache = type(self).__dict__.get("_cleaned")
            if cache is None or len(cache) >= self._CLEAN_LIMIT:
                cache = type(self)._cleaned = {}
            cache[key] = dict(self.form.cleaned_data)
        return valid

    def _refuse(self, name: str, error: ValidationError) -> None:
        """One message per parameter: ours replaces the form field's own (e.g. "输入一个数字。" for ?round=abc)."""
        self.form.errors.pop(name, None)
        self.form.add_error(name, error)
