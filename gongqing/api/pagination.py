"""Page-number pagination: ?page=N&page_size=M (at most 500); anything but positive integers is refused (400)."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        self.check_params(request)
        return super().paginate_queryset(queryset, request, view)

    def check_params(self, request) -> None:
        for param in (self.page_query_param, self.page_size_query_param):
            values = request.query_params.getlist(param)
            if any(not (v.isascii() and v.isdigit() and 0 < int(v) < 10**9) for v in values) or len(values) > 1:
                raise ValidationError({param: [_("须为一个正整数。")]}, code="invalid")

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": 10**9 - 1}
        return parameters
