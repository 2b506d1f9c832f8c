"""The API read resource of the reconciliation's differences, for the municipal system:
GET /api/v1/statistics-differences/?school_year=2024 — one item per difference, flips first."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from gongqing.api.base import ApiViewSet
from gongqing.roles import COUNTY_OVERSIGHT
from schools import access

from .selectors import difference_rows, reconciliation


def _item(row: dict) -> dict:
    res = row["resolution"]
    return {
        "school_code": row["school"].code,
        "school_name": row["school"].name,
        "figure": row["figure"],
        "portal": row["portal"],
        "statistics": row["statistics"],
        "difference": row["difference"],
        "percent": row["percent"],
        "indicators": row["indicators"],
        "changed": row["changed"],
        "bands": row["bands"],
        "school_flips": row["school_flips"],
        "portal_passed": row["portal_verdict"],
        "statistics_passed": row["statistics_verdict"],
        "resolution": None if res is None else {"kind": res.kind, "text": res.text, "at": res.at},
    }


class StatisticsDifferenceViewSet(ApiViewSet):
    """Differences between the portal's approved figures and the statistics return of a school year."""

    read_roles = COUNTY_OVERSIGHT

    @extend_schema(
        parameters=[OpenApiParameter("school_year", int, required=True, description="the school year, e.g. 2024")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request):
        raw = request.query_params.get("school_year", "")
        if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
            raise ValidationError({"school_year": [_("请给出学年（如2024）。")]})
        rec = reconciliation(year=int(raw), schools=access.schools_for(request.user))
        if rec is None:
            raise NotFound(_("该学年没有正式批次或尚未导入统计基表。"))
        return Response(
            {
                "school_year": rec.year,
                "county": {
                    "portal_passed": rec.county_portal,
                    "statistics_passed": rec.county_statistics,
                    "flips": rec.county_flips,
                },
                "count": rec.differences,
                "results": [_item(r) for r in difference_rows(rec)],
            }
        )
