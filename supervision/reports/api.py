"""The API of the self-assessment reports (自评报告): list them, request a render, poll its status, download the PDF.

Readers are those of the report pages (bureau, leadership) plus the API client, which reads them county-wide for the
municipal system. Township officials, department officers and the auditor get 403. Renders are requested as on the
pages: only bureau staff and admins, with their session or a token of theirs carrying `reports:write`; an API client
token never requests renders, whatever its scopes. Requests, downloads and their audit rows go through the reports
app's own services and access helper.
"""

from __future__ import annotations

import django_filters
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, renderers, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from gongqing import audit
from gongqing.api.base import ApiViewSet
from gongqing.api.exceptions import Conflict
from gongqing.api.filters import IntegerFilter, StrictFilterSet
from gongqing.api.renderers import ExactJSONRenderer
from gongqing.roles import BUREAU, COUNTY_OVERSIGHT
from schools.models import CollectionRound
from supervision.models import Stage

from . import access, selectors, services
from .models import Report, ReportStatus


class PdfRenderer(renderers.BaseRenderer):
    """Lets a client ask for the download with `Accept: application/pdf`; the file itself is a FileResponse."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


class ReportSerializer(serializers.ModelSerializer):
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    stage_number = serializers.IntegerField(source="stage.number", read_only=True)
    year = serializers.IntegerField(source="school_year.year", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    download = serializers.SerializerMethodField()
    annex_download = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "cycle",
            "stage",
            "stage_number",
            "stage_name",
            "round",
            "year",
            "version",
            "title",
            "status",
            "status_label",
            "progress",
            "progress_note",
            "error",
            "provisional",
            "pages",
            "annex_pages",
            "requested_at",
            "started_at",
            "finished_at",
            "download",
            "annex_download",
        ]

    def _url(self, obj, name) -> str | None:
        request = self.context.get("request")
        url = reverse(f"api:report-{name}", args=[obj.pk])
        return request.build_absolute_uri(url) if request is not None else url

    def get_download(self, obj) -> str | None:
        """The PDF's URL once rendered, else null."""
        return self._url(obj, "download") if obj.file else None

    def get_annex_download(self, obj) -> str | None:
        return self._url(obj, "annex") if obj.annex_file else None


class RenderRequestSerializer(serializers.Serializer):
    stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.select_related("cycle"))
    round = serializers.PrimaryKeyRelatedField(
        queryset=CollectionRound.objects.select_related("school_year"),
        help_text="a round with stored evaluation results",
    )

    def validate_round(self, value):
        if not selectors.rounds_with_results().filter(pk=value.pk).exists():
            raise serializers.ValidationError(_("“数据批次”：请选择一个已有评估结果的批次。"), code="no_results")
        return value


class ReportFilter(StrictFilterSet):
    cycle = IntegerFilter(field_name="cycle_id")
    stage = IntegerFilter(field_name="stage_id")
    round = IntegerFilter(field_name="round_id")
    year = IntegerFilter(field_name="school_year__year")
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices)

    class Meta:
        model = Report
        fields = ["cycle", "stage", "round", "year", "status"]


NOT_READY = OpenApiResponse(
    response={"$ref": "#/components/schemas/Error"},  # added by gongqing.api.schema
    description="not rendered (yet): `status` says where the render is",
)
PDF = OpenApiResponse(response=OpenApiTypes.BINARY, description="the PDF")


@extend_schema_view(
    create=extend_schema(
        request=RenderRequestSerializer,
        responses={
            202: ReportSerializer,
            200: OpenApiResponse(ReportSerializer, description="the same render is already queued or running"),
        },
    ),
    download=extend_schema(
        responses={(200, "application/pdf"): PDF, (409, "application/json"): NOT_READY}, filters=False
    ),
    annex=extend_schema(responses={(200, "application/pdf"): PDF, (409, "application/json"): NOT_READY}, filters=False),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Self-assessment reports (自评报告), newest first. Poll `GET /reports/{id}/` until `status` is `done` (or
    `failed`), then download the PDF. Filters: cycle, stage, round, year, status."""

    read_roles = COUNTY_OVERSIGHT
    write_roles = BUREAU
    write_scope = "reports:write"
    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    ordering_fields = ["requested_at", "version"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return (
            access.reports_for(self.request.user)
            .select_related("stage", "school_year")
            .order_by("-requested_at", "-pk")
        )

    def get_serializer_class(self):
        return RenderRequestSerializer if self.action == "create" else ReportSerializer

    def create(self, request, *args, **kwargs):
        """Request a render of a stage's report from a round's results with the current narrative (bureau only)."""
        serializer = RenderRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report, created = services.report_request(
            stage=serializer.validated_data["stage"],
            round=serializer.validated_data["round"],
            by=request.user,
            request=getattr(request, "_request", request),
        )
        fresh = self.get_queryset().get(pk=report.pk)
        data = ReportSerializer(fresh, context={"request": request}).data
        response = Response(data, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)
        response["Location"] = reverse("api:report-detail", args=[report.pk])
        return response

    @action(detail=True, methods=["get"], renderer_classes=[ExactJSONRenderer, PdfRenderer], filter_backends=[])
    def download(self, request, *args, **kwargs):
        """The report's PDF (audited as a download, like the page's)."""
        return self._file(self.get_object(), "file", "")

    @action(detail=True, methods=["get"], renderer_classes=[ExactJSONRenderer, PdfRenderer], filter_backends=[])
    def annex(self, request, *args, **kwargs):
        """The annex tables' PDF (audited as a download)."""
        return self._file(self.get_object(), "annex_file", "-附件")

    def _file(self, report: Report, field: str, suffix: str):
        file = getattr(report, field)
        if not file:
            raise Conflict(_("报告尚未生成完成，暂不能下载。"), code="not_ready", extra={"status": report.status})
        django_request = getattr(self.request, "_request", self.request)
        audit.record(
            action="report.download",
            user=self.request.user,
            request=django_request,
            obj=report,
            version=report.version,
            part=field,
            via="api",
        )
        name = f"{report.title or 'report'}-v{report.version}{suffix}.pdf"
        return FileResponse(file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")

    def handle_exception(self, exc):
        # An error of a download asked with `Accept: application/pdf` is still the JSON error shape.
        response = super().handle_exception(exc)
        if isinstance(getattr(self.request, "accepted_renderer", None), PdfRenderer):
            self.request.accepted_renderer = ExactJSONRenderer()
            self.request.accepted_media_type = ExactJSONRenderer.media_type
        return response
