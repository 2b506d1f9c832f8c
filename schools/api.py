"""The API of the registry and the returns: the pages' access helpers, validation, workflow and version check.

Reads: every queryset starts from schools.access (townships_for / schools_for / returns_for).
Writes: township officials for their township, bureau staff for any school, and API clients holding a token with the
`returns:write` scope, who enter data like the bureau (any school; no review actions exist in the API).
"""

from __future__ import annotations

import functools

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import filters, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from gongqing.api.auth import token_of
from gongqing.api.base import ApiViewSet
from gongqing.api.exceptions import Conflict, PreconditionFailed, error_body
from gongqing.api.filters import IntegerFilter, StrictFilterSet
from gongqing.roles import API_READERS, API_RETURN_WRITERS, MACHINES

from . import access, services
from .annotations import services as annotations
from .models import (
    FIGURE_FIELDS,
    CollectionRound,
    ReturnStatus,
    RoomKind,
    School,
    SchoolKind,
    SchoolReturn,
    SchoolYear,
    Section,
    Township,
)
from .selectors import return_class_rows, return_figures, return_room_rows
from .validation import ClassRow, Problem, RoomRow


# --- registry --------------------------------------------------------------------------------------------------------
class TownshipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Township
        fields = ["id", "code", "name", "order"]


class SchoolSerializer(serializers.ModelSerializer):
    township_name = serializers.CharField(source="township.name", read_only=True)
    sections = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = School
        fields = [
            "id",
            "code",
            "name",
            "township",
            "township_name",
            "kind",
            "location",
            "ownership",
            "boarding",
            "parent",
            "opened",
            "closed",
            "sections",
        ]


class SchoolYearSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = SchoolYear
        fields = ["id", "year", "label"]


class RoundSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="school_year.year", read_only=True)

    class Meta:
        model = CollectionRound
        fields = ["id", "school_year", "year", "kind", "name", "as_of", "due_date", "is_open"]


class SchoolApiFilter(StrictFilterSet):
    township = IntegerFilter(field_name="township_id")
    kind = django_filters.ChoiceFilter(choices=SchoolKind.choices)
    location = django_filters.ChoiceFilter(choices=School._meta.get_field("location").choices)

    class Meta:
        model = School
        fields = ["township", "kind", "location"]


class RegistryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    read_roles = API_READERS


class TownshipViewSet(RegistryViewSet):
    """Townships (乡镇/街道) the user may see: all for county readers, their own for a township official."""

    serializer_class = TownshipSerializer
    ordering_fields = ["order", "code", "name"]
    filter_backends = [filters.OrderingFilter]

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:  # only the schema generator gets here without a user
            return Township.objects.none()
        return access.townships_for(user).order_by("order", "code")


class SchoolViewSet(RegistryViewSet):
    """Schools the user may see. Filters: township (id), kind, location; `search` in name and code."""

    serializer_class = SchoolSerializer
    filterset_class = SchoolApiFilter
    search_fields = ["name", "code"]
    ordering_fields = ["code", "name", "kind"]

    def get_queryset(self):
        return access.schools_for(self.request.user).select_related("township").order_by("township__order", "code")


class SchoolYearViewSet(RegistryViewSet):
    serializer_class = SchoolYearSerializer
    ordering_fields = ["year"]
    filter_backends = [filters.OrderingFilter]
    queryset = SchoolYear.objects.order_by("-year")


class RoundFilter(StrictFilterSet):
    school_year = IntegerFilter(field_name="school_year_id")
    year = IntegerFilter(field_name="school_year__year")

    class Meta:
        model = CollectionRound
        fields = ["school_year", "year", "kind", "is_open"]


class RoundViewSet(RegistryViewSet):
    """Collection rounds (采集批次); the official round of a year is its 9月1日 figures."""

    serializer_class = RoundSerializer
    filterset_class = RoundFilter
    ordering_fields = ["as_of", "due_date"]
    queryset = CollectionRound.objects.select_related("school_year").order_by("-school_year__year", "as_of", "pk")


# --- returns ---------------------------------------------------------------------------------------------------------
class ClassRowSerializer(serializers.Serializer):
    section = serializers.ChoiceField(choices=Section.choices)
    grade = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(max_length=30, allow_blank=True)
    students = serializers.IntegerField(allow_null=True)


class RoomRowSerializer(serializers.Serializer):
    room = serializers.ChoiceField(choices=RoomKind.choices)
    area_m2 = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True, required=False)


class ReturnSerializer(serializers.ModelSerializer):
    school_code = serializers.CharField(source="school.code", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    township = serializers.IntegerField(source="school.township_id", read_only=True)
    classes = ClassRowSerializer(many=True, read_only=True)
    rooms = RoomRowSerializer(many=True, read_only=True)

    class Meta:
        model = SchoolReturn
        fields = [
            "id",
            "school",
            "school_code",
            "school_name",
            "township",
            "round",
            "status",
            "version",
            *FIGURE_FIELDS,
            "classes",
            "rooms",
            "review_comment",
            "submitted_at",
            "approved_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReturnCreateSerializer(serializers.Serializer):
    school = serializers.PrimaryKeyRelatedField(queryset=School.objects.none())
    round = serializers.PrimaryKeyRelatedField(queryset=CollectionRound.objects.all())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["school"].queryset = access.schools_for(request.user)


def _figure_field(name: str) -> serializers.Field:
    model_field = SchoolReturn._meta.get_field(name)
    if model_field.get_internal_type() == "DecimalField":
        return serializers.DecimalField(
            max_digits=model_field.max_digits,
            decimal_places=model_field.decimal_places,
            allow_null=True,
            required=False,
        )
    return serializers.IntegerField(allow_null=True, required=False, max_value=2_000_000_000)


class ReturnUpdateSerializer(serializers.Serializer):
    """A PATCH: figures sent replace the stored ones, those left out are kept; `classes` / `rooms` replace the lists."""

    version = serializers.IntegerField(min_value=1, help_text="the version this client last read (409 when stale)")
    classes = ClassRowSerializer(many=True, required=False, max_length=500)
    rooms = RoomRowSerializer(many=True, required=False, max_length=50)

    def get_fields(self):
        fields = super().get_fields()
        for name in FIGURE_FIELDS:
            fields[name] = _figure_field(name)
        return fields


class SubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="the version this client last read (409 when stale)")
    explanations = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        required=False,
        help_text="explanations of the return's warnings, stored before submitting: by figure (the field a 400 names) "
        "or by `rule_code|field`",
    )


class ProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    row = serializers.IntegerField(required=False)


class WriteResultSerializer(ReturnSerializer):
    warnings = serializers.SerializerMethodField()

    class Meta(ReturnSerializer.Meta):
        fields = [*ReturnSerializer.Meta.fields, "warnings"]
        read_only_fields = fields

    @extend_schema_field(ProblemSerializer(many=True))
    def get_warnings(self, obj) -> list:
        return [_problem(p) for p in self.context.get("warnings", [])]


class ReturnApiFilter(StrictFilterSet):
    round = IntegerFilter(field_name="round_id")
    school = IntegerFilter(field_name="school_id")
    township = IntegerFilter(field_name="school__township_id")
    year = IntegerFilter(field_name="round__school_year__year")
    status = django_filters.ChoiceFilter(choices=ReturnStatus.choices)

    class Meta:
        model = SchoolReturn
        fields = ["round", "school", "township", "year", "status"]


def _problem(p: Problem) -> dict:
    item = {"code": "warning" if not p.is_error else "invalid", "message": p.message}
    if p.row is not None:
        item["row"] = p.row
    return item


def _refusals_answered(method):
    """The workflow services' refusals as the API answers them, in one place: invalid figures 400 with the problems,
    a stale version 409 `stale_version` with the current one, a return not editable 409 `not_editable`."""

    @functools.wraps(method)
    def answered(self, request, *args, **kwargs):
        try:
            return method(self, request, *args, **kwargs)
        except services.ReturnInvalid as exc:
            return _invalid(exc.problems)
        except services.ReturnConflict as exc:
            raise _stale(exc.current) from None
        except services.WorkflowError as exc:
            raise Conflict(str(exc), code="not_editable") from None

    return answered


def _invalid(problems: list[Problem]) -> Response:
    fields: dict[str, list] = {}
    for p in problems:
        fields.setdefault(p.field or "non_field_errors", []).append(_problem(p))
    return Response(error_body("invalid", _("填报数据未通过校验。"), fields), status=status.HTTP_400_BAD_REQUEST)


def _etag(ret: SchoolReturn) -> str:
    return f'"return-{ret.pk}-v{ret.version}"'


RETURN_PARAMS = [OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=False)]
IDEMPOTENCY_PARAM = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "pattern": "^[ -~]{1,100}$", "maxLength": 100},
    OpenApiParameter.HEADER,
    required=False,
    description="replays the first answer for 24 h",
)


def _versioned_write(request, answer, what: str):
    """The OpenAPI description of a write on one version of a return (If-Match or `version`)."""
    return extend_schema(
        request=request,
        parameters=[IDEMPOTENCY_PARAM, *RETURN_PARAMS],
        responses={
            200: answer,
            409: OpenApiResponse(description=f"stale version, or the return cannot be {what}"),
            412: OpenApiResponse(description="If-Match does not match the current version"),
        },
    )


@extend_schema_view(
    create=extend_schema(
        request=ReturnCreateSerializer,
        parameters=[IDEMPOTENCY_PARAM],
        responses={200: ReturnSerializer, 201: ReturnSerializer, 409: OpenApiResponse(description="round closed")},
    ),
    partial_update=_versioned_write(ReturnUpdateSerializer, WriteResultSerializer, "changed"),
    submit=_versioned_write(SubmitSerializer, ReturnSerializer, "submitted"),
)
class ReturnViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """School returns (学校填报) with their class lists and rooms; drafts are started, saved and submitted here."""

    read_roles = API_READERS
    write_roles = API_RETURN_WRITERS
    write_scope = "returns:write"
    serializer_class = ReturnSerializer
    filterset_class = ReturnApiFilter
    ordering_fields = ["updated_at", "school__code", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            access.returns_for(self.request.user)
            .select_related("school", "round")
            .prefetch_related("classes", "rooms")
            .order_by("school__township__order", "school__code", "round_id")
        )

    def get_serializer_class(self):
        return {
            "create": ReturnCreateSerializer,
            "partial_update": ReturnUpdateSerializer,
            "submit": SubmitSerializer,
        }.get(self.action, ReturnSerializer)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = _etag(self._object)
        return response

    def get_object(self):
        self._object = super().get_object()
        return self._object

    def _may_write(self, school: School) -> None:
        user = self.request.user
        if user.role in MACHINES and token_of(self.request) is not None:
            return  # ApiAccess has checked the token's returns:write scope: county-wide data entry
        if not access.can_enter_data(user, school):
            raise PermissionDenied(_("您不能为该学校填报数据。"))

    def _editable(self, ret: SchoolReturn) -> None:
        self._may_write(ret.school)
        if not ret.round.is_open:
            raise Conflict(_("该批次已关闭填报。"), code="round_closed")
        if not ret.is_editable:
            raise Conflict(_("该填报已提交或已审核，不能修改。"), code="not_editable", extra={"status": ret.status})
        if_match = self.request.headers.get("If-Match")
        if if_match is not None and if_match.strip() not in ("*", _etag(ret)):
            raise PreconditionFailed()

    def _answer(self, ret: SchoolReturn, code=status.HTTP_200_OK, warnings=()) -> Response:
        fresh = self.get_queryset().get(pk=ret.pk)
        data = WriteResultSerializer(fresh, context={"warnings": list(warnings)}).data
        response = Response(data, status=code)
        response["ETag"] = _etag(fresh)
        return response

    def create(self, request, *args, **kwargs):
        """Start the school's return for a round, pre-filled from the last approved figures; 200 when it exists."""
        serializer = ReturnCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        school, rnd = serializer.validated_data["school"], serializer.validated_data["round"]
        self._may_write(school)
        if not rnd.is_open:
            raise Conflict(_("该批次已关闭填报。"), code="round_closed")
        existed = SchoolReturn.objects.filter(school=school, round=rnd).exists()
        ret = services.return_start(school=school, round=rnd, by=request.user, request=request)
        return self._answer(ret, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @_refusals_answered
    def partial_update(self, request, *args, **kwargs):
        ret = self.get_object()
        self._editable(ret)
        serializer = ReturnUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        figures = return_figures(ret)
        figures.update({f: data[f] for f in FIGURE_FIELDS if f in data})
        classes = (
            [ClassRow(c["section"], c["grade"], c["name"], c["students"]) for c in data["classes"]]
            if "classes" in data
            else return_class_rows(ret)
        )
        rooms = (
            [RoomRow(r["room"], r.get("area_m2")) for r in data["rooms"]] if "rooms" in data else return_room_rows(ret)
        )
        warnings = services.return_save(
            school_return=ret,
            figures=figures,
            classes=classes,
            rooms=rooms,
            expected_version=data["version"],
            by=request.user,
            request=request,
        )
        return self._answer(ret, warnings=warnings)

    @action(detail=True, methods=["post"])
    @_refusals_answered
    def submit(self, request, *args, **kwargs):
        """Submit a draft (or a returned return) for the bureau's review, after the completeness checks."""
        ret = self.get_object()
        self._editable(ret)
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        annotations.explanations_save(
            school_return=ret,
            texts=serializer.validated_data.get("explanations", {}),
            submit=True,
            expected_version=serializer.validated_data["version"],
            by=request.user,
            request=request,
        )
        return self._answer(ret)


def _stale(current: SchoolReturn) -> Conflict:
    return Conflict(
        _("该填报已被他人修改（当前版本%(v)s），请重新读取后再保存。") % {"v": current.version},
        code="stale_version",
        extra={"current_version": current.version},
    )
