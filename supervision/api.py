"""The API of supervision (督导推进): responsible bodies, cycles and stages, measures, the rectification ledger with
its progress updates, and projects. Read only.

Every queryset starts from supervision.access, so a request sees what the same user sees in the browser: the bureau
and leadership read everything; a department officer the measures and items of their own body (lead or
cooperating); a township official their township body's measures and items, the items and projects of their
township's schools, and other townships' bodies not by name. The API client (the municipal system) reads the whole
county like leadership. The auditor reads none of it (403).
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from gongqing.api.base import ApiViewSet
from gongqing.api.filters import IntegerFilter, StrictFilterSet
from gongqing.roles import API_READERS

from . import access, selectors
from .models import (
    Body,
    BodyKind,
    Cycle,
    EvidenceFile,
    ItemBody,
    ItemKind,
    ItemState,
    Measure,
    MeasureBody,
    ProgressUpdate,
    Project,
    ProjectKind,
    RectificationItem,
    Stage,
    WorkStatus,
)


# --- bodies, cycles, stages ------------------------------------------------------------------------------------------
class BodySerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = ["id", "code", "name", "kind", "township", "order"]


class BodyFilter(StrictFilterSet):
    kind = django_filters.ChoiceFilter(choices=BodyKind.choices)

    class Meta:
        model = Body
        fields = ["kind"]


class SupervisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    read_roles = API_READERS


class BodyViewSet(SupervisionViewSet):
    """Responsible bodies (责任单位): departments, townships (乡镇/街道) and the leading group. Filter: kind."""

    serializer_class = BodySerializer
    filterset_class = BodyFilter
    ordering_fields = ["code", "order"]

    def get_queryset(self):
        return access.bodies_for(self.request.user).order_by("kind", "order", "code")


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "cycle", "number", "name", "starts", "ends"]


class NestedStageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "number", "name", "starts", "ends"]


class CycleSerializer(serializers.ModelSerializer):
    stages = NestedStageSerializer(many=True, read_only=True)

    class Meta:
        model = Cycle
        fields = ["id", "name", "is_current", "read_only", "note", "stages"]


class CycleFilter(StrictFilterSet):
    class Meta:
        model = Cycle
        fields = ["is_current", "read_only"]


class CycleViewSet(SupervisionViewSet):
    """Work cycles (工作周期) of the plan with their dated stages; `is_current=true` gives the running one."""

    serializer_class = CycleSerializer
    filterset_class = CycleFilter
    ordering_fields = ["name"]

    def get_queryset(self):
        return Cycle.objects.prefetch_related(Prefetch("stages", queryset=Stage.objects.order_by("number"))).order_by(
            "-is_current", "name", "pk"
        )


class StageFilter(StrictFilterSet):
    cycle = IntegerFilter(field_name="cycle_id")

    class Meta:
        model = Stage
        fields = ["cycle"]


class StageViewSet(SupervisionViewSet):
    """Stages (工作阶段) of the cycles. Filter: cycle."""

    serializer_class = StageSerializer
    filterset_class = StageFilter
    ordering_fields = ["number", "ends"]
    queryset = Stage.objects.order_by("cycle_id", "number")


# --- measures and items ----------------------------------------------------------------------------------------------
class AssignmentSerializer(serializers.Serializer):
    body = serializers.IntegerField(source="body_id")
    code = serializers.CharField(source="body.code")
    name = serializers.CharField(source="body.name")
    role = serializers.CharField()


WORK_FIELDS = [
    "stage",
    "due_date",
    "work_status",
    "percent",
    "done_at",
    "accepted_at",
    "review_comment",
    "overdue",
]


class WorkSerializer(serializers.ModelSerializer):
    """The work fields of a measure or an item; `bodies` lists the lead first, then the cooperating bodies."""

    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    bodies = serializers.SerializerMethodField()

    @extend_schema_field(AssignmentSerializer(many=True))
    def get_bodies(self, obj) -> list:
        user = self.context["request"].user
        return AssignmentSerializer(selectors.visible_assignments(user, obj.assignments.all()), many=True).data


class MeasureSerializer(WorkSerializer):
    class Meta:
        model = Measure
        fields = ["id", "cycle", "ref", "title", *WORK_FIELDS, "bodies"]


class ItemSerializer(WorkSerializer):
    school_code = serializers.CharField(source="school.code", read_only=True, allow_null=True, default=None)
    school_name = serializers.CharField(source="school.name", read_only=True, allow_null=True, default=None)
    township = serializers.IntegerField(source="school.township_id", read_only=True, allow_null=True, default=None)
    projects = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = RectificationItem
        fields = [
            "id",
            "key",
            "kind",
            "school",
            "school_code",
            "school_name",
            "township",
            "section",
            "code",
            "title",
            "target",
            "state",
            "closed_reason",
            "indicator_status",
            "within_tolerance",
            "value",
            "threshold",
            "gap",
            "unit",
            "source_round",
            "reopened",
            *WORK_FIELDS,
            "bodies",
            "projects",
            "created_at",
            "synced_at",
        ]


class EvidenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = EvidenceFile
        fields = ["id", "name", "content_type", "size", "uploaded_at"]


class UpdateSerializer(serializers.ModelSerializer):
    body_name = serializers.CharField(source="body.name", read_only=True, allow_null=True, default=None)
    author = serializers.SerializerMethodField()
    files = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = ["id", "item", "measure", "body", "body_name", "author", "text", "percent", "created_at", "files"]

    def get_author(self, obj) -> str:
        return str(obj.author) if obj.author else ""


class WorkViewSet(SupervisionViewSet):
    """Shared by measures and items: the bodies prefetched, `overdue` annotated, progress updates read only."""

    work_order: tuple[str, ...]  # a subclass's default order

    def visible(self):
        """The subclass's rows the user may see, with what its serializer reads."""
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no database reads
            return self.queryset_model.objects.none()
        return selectors.with_overdue(self.visible()).order_by(*self.work_order)

    def assignments(self):
        model = ItemBody if self.queryset_model is RectificationItem else MeasureBody
        return Prefetch("assignments", queryset=model.objects.select_related("body"))

    def get_serializer_class(self):
        return UpdateSerializer if self.action == "updates" else self.serializer_class

    @extend_schema(responses=UpdateSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def updates(self, request, *args, **kwargs):
        """Progress updates (进展情况), newest first, with the names of their evidence files (read only)."""
        obj = self.get_object()
        page = self.paginate_queryset(selectors.updates_of(obj, user=request.user).order_by("-created_at", "-pk"))
        return self.get_paginated_response(UpdateSerializer(page, many=True).data)


class MeasureFilter(StrictFilterSet):
    cycle = IntegerFilter(field_name="cycle_id")
    stage = IntegerFilter(field_name="stage_id")
    body = IntegerFilter(field_name="assignments__body_id")
    work_status = django_filters.ChoiceFilter(choices=WorkStatus.choices)

    class Meta:
        model = Measure
        fields = ["cycle", "stage", "body", "work_status"]


class MeasureViewSet(WorkViewSet):
    """Measures of the plan (主要措施) with their lead and cooperating bodies.
    Filters: cycle, stage, body, work_status."""

    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter
    ordering_fields = ["ref", "due_date", "percent"]
    queryset_model = Measure

    work_order = ("cycle_id", "ref", "pk")

    def visible(self):
        return access.measures_for(self.request.user).select_related("stage").prefetch_related(self.assignments())


class ItemFilter(StrictFilterSet):
    state = django_filters.ChoiceFilter(choices=ItemState.choices)
    kind = django_filters.ChoiceFilter(choices=ItemKind.choices)
    work_status = django_filters.ChoiceFilter(choices=WorkStatus.choices)
    stage = IntegerFilter(field_name="stage_id")
    school = IntegerFilter(field_name="school_id")
    township = IntegerFilter(field_name="school__township_id")
    body = IntegerFilter(field_name="assignments__body_id")
    overdue = django_filters.BooleanFilter(field_name="is_overdue")

    class Meta:
        model = RectificationItem
        fields = ["state", "kind", "work_status", "stage", "school", "township", "body", "code", "section", "overdue"]


class ItemViewSet(WorkViewSet):
    """The rectification ledger (整改台账): one item per failing indicator, with its bodies, projects and progress.
    Filters: state, kind, work_status, stage, school, township, body, code, section, overdue."""

    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    ordering_fields = ["due_date", "percent", "code"]
    queryset_model = RectificationItem

    work_order = ("state", "due_date", "pk")

    def visible(self):
        return (
            access.items_for(self.request.user)
            .select_related("school")
            .prefetch_related(self.assignments(), Prefetch("projects", queryset=Project.objects.only("pk")))
        )


# --- projects --------------------------------------------------------------------------------------------------------
class ProjectSerializer(serializers.ModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True, allow_null=True, default=None)
    township = serializers.IntegerField(source="school.township_id", read_only=True, allow_null=True, default=None)
    budget_total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    items = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "school",
            "school_name",
            "township",
            "kind",
            *Project.FIGURES,
            "budget_total",
            "planned_completion",
            "actual_completion",
            "percent",
            "note",
            "items",
        ]

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_items(self, obj) -> list:
        return [item.pk for item in obj.visible_items]


class ProjectFilter(StrictFilterSet):
    school = IntegerFilter(field_name="school_id")
    township = IntegerFilter(field_name="school__township_id")
    kind = django_filters.ChoiceFilter(choices=ProjectKind.choices)

    class Meta:
        model = Project
        fields = ["school", "township", "kind"]


class ProjectViewSet(SupervisionViewSet):
    """Building and equipping projects (建设项目) with the ledger items they close (those the user may see).
    Filters: school, township, kind."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    ordering_fields = ["planned_completion", "percent", "name"]

    def get_queryset(self):
        user = self.request.user
        visible = Prefetch("items", queryset=access.items_for(user).only("pk").order_by("pk"), to_attr="visible_items")
        return (
            access.projects_for(user)
            .select_related("school")
            .prefetch_related(visible)
            .order_by("planned_completion", "pk")
        )
