"""The API of the indicator engine's stored results, the standards and the county entries.

Readers are those of the result pages (bureau, leadership, department officers) plus the API client, which reads the
whole county for the municipal system. Township officials do not read county results in the browser, nor here.
Numbers are the stored decimals written as JSON numbers from their own digits, with the keys of
`evaluate --format json`. Result lists carry ETag / Last-Modified from the rounds' evaluation state.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import django_filters
from django.db.models import TextField
from django.db.models.functions import Cast
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers

from gongqing.api.base import ApiViewSet, ResultViewSet
from gongqing.api.filters import IntegerFilter, StrictFilterSet
from gongqing.api.pagination import KeysetPagination
from gongqing.api.renderers import EncodedRows, decimal_text, json_string, json_text
from gongqing.compiled import Compiled
from gongqing.roles import API_RESULT_READERS
from schools.models import School, SchoolKind

from . import selectors, verdicts
from .access import results_for, scope_key, verdicts_for
from .models import CountyEntry, EvaluationState, SchoolResult, SectionCV, SectionVerdict, Standard

NUMBER = re.compile(r"-?\d+(\.\d+)?")
TEXT_KEYS = frozenset({"unit", "school", "code", "reason", "section", "resource", "op", "label", "version", "level"})

CONDITIONAL_PARAMS = [
    OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER, required=False),
    OpenApiParameter("If-Modified-Since", str, OpenApiParameter.HEADER, required=False),
]
CONDITIONAL_RESPONSES = {304: OpenApiResponse(description="not modified since the ETag / date given")}


def numbers(value, key: str = ""):
    """Stored JSON keeps decimals as exact strings; give them back as Decimals (codes and units stay text)."""
    if isinstance(value, dict):
        return {k: numbers(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [numbers(v, key) for v in value]
    if isinstance(value, str) and key not in TEXT_KEYS and NUMBER.fullmatch(value):
        return Decimal(value)
    return value


@extend_schema_field(OpenApiTypes.OBJECT)
class NumbersJSONField(serializers.JSONField):
    def to_representation(self, value):
        return numbers(value)


# --- standards and county entries ----------------------------------------------------------------------------------
class StandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Standard
        fields = ["id", "code", "name", "version", "builtin", "based_on", "created_at"]


class StandardDetailSerializer(StandardSerializer):
    class Meta(StandardSerializer.Meta):
        fields = [*StandardSerializer.Meta.fields, "data"]


class StandardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Evaluation standards: thresholds, weights, survey scoring and the veto list, as data."""

    read_roles = API_RESULT_READERS
    queryset = Standard.objects.order_by("-builtin", "code")
    ordering_fields = ["code", "created_at"]

    def get_serializer_class(self):
        return StandardDetailSerializer if self.action == "retrieve" else StandardSerializer


class CountyEntrySerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="school_year.year", read_only=True)

    class Meta:
        model = CountyEntry
        fields = ["id", "school_year", "year", "code", "value", "note", "updated_at"]


class CountyEntryFilter(StrictFilterSet):
    school_year = IntegerFilter(field_name="school_year_id")
    year = IntegerFilter(field_name="school_year__year")

    class Meta:
        model = CountyEntry
        fields = ["school_year", "year", "code"]


class CountyEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """County-level items entered by the bureau (G1, G2, G8–G11, G13–G15, Q-items, V-items), read only."""

    read_roles = API_RESULT_READERS
    serializer_class = CountyEntrySerializer
    filterset_class = CountyEntryFilter
    ordering_fields = ["code", "updated_at"]
    queryset = CountyEntry.objects.select_related("school_year").order_by("-school_year__year", "code")


# --- results -------------------------------------------------------------------------------------------------------
class SchoolResultSerializer(serializers.ModelSerializer):
    school_code = serializers.CharField(source="school.code", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    township = serializers.IntegerField(source="school.township_id", read_only=True)
    kind = serializers.CharField(source="school.kind", read_only=True)
    met = serializers.SerializerMethodField()
    detail = NumbersJSONField(read_only=True)

    class Meta:
        model = SchoolResult
        fields = [
            "round",
            "school",
            "school_code",
            "school_name",
            "township",
            "kind",
            "section",
            "code",
            "value",
            "threshold",
            "status",
            "met",
            "gap",
            "detail",
        ]

    def get_met(self, obj) -> bool:
        return obj.status == "met"


class RoundFilter(StrictFilterSet):
    """A round's rows, or a school year's."""

    round = IntegerFilter(field_name="round_id")
    year = IntegerFilter(field_name="round__school_year__year")


class SchoolRowFilter(RoundFilter):
    """A round's rows of a school, a township or a kind of school."""

    school = IntegerFilter(field_name="school_id")
    township = IntegerFilter(field_name="school__township_id")
    kind = django_filters.ChoiceFilter(field_name="school__kind", choices=SchoolKind.choices)


class SchoolResultFilter(SchoolRowFilter):
    school_year = IntegerFilter(field_name="round__school_year_id")
    section = django_filters.ChoiceFilter(choices=[("", "whole school"), ("primary", "primary"), ("junior", "junior")])
    met = django_filters.BooleanFilter(method="filter_met")

    class Meta:
        model = SchoolResult
        fields = ["round", "school_year", "year", "school", "township", "kind", "section", "code", "status", "met"]

    def filter_met(self, queryset, name, value):
        return queryset.filter(status="met") if value else queryset.exclude(status="met")


_round_state = Compiled(  # the usual case, ?round= alone (gongqing.compiled)
    lambda round_id: (
        EvaluationState.objects.filter(round_id=round_id)
        .order_by("round_id")
        .values_list("round_id", "computed_version", "computed_at")
    )
)


def _states_for(request):
    """The evaluation states behind a result list: of ?round=, else of ?year= / ?school_year=, else all. With ?round=
    alone, their rows (read on every request, as the queryset would be)."""
    params = request.query_params
    value = params.get("round", "")
    if (
        value.isascii()
        and value.isdigit()
        and len(value) <= 18
        and "year" not in params
        and "school_year" not in params
    ):
        return _round_state.rows(int(value))
    states = EvaluationState.objects.all()
    for param, field in (
        ("round", "round_id"),
        ("year", "round__school_year__year"),
        ("school_year", "round__school_year_id"),
    ):
        value = params.get(param, "")
        if value.isdigit():
            states = states.filter(**{field: int(value)})
    return states


def result_list_schema(serializer):
    """The OpenAPI description of a result list: its rows, and the conditional GET it answers (304)."""
    return extend_schema(parameters=CONDITIONAL_PARAMS, responses={200: serializer(many=True), **CONDITIONAL_RESPONSES})


class RoundResults(ResultViewSet):
    """Stored results of rounds, read by the result readers, fresh while the rounds' evaluation states are."""

    read_roles = API_RESULT_READERS

    def evaluation_states(self):
        return _states_for(self.request)


class SchoolRowResults(RoundResults):
    """Results by school: the reader's schools only, walked by `keyset` (a unique index) with no offset."""

    rows_for: staticmethod  # the app's access function for the rows (indicators.access)
    keyset: tuple[str, ...]
    keyset_fixed = {"round_id": "round"}  # ?round= fixes the keyset's first field (KeysetPagination.unfixed)
    pagination_class = KeysetPagination

    def get_queryset(self):
        start = self.paginator.start(self.request, self, "school_id")
        return self.rows_for(self.request.user, from_school=start).order_by(*self.keyset)

    def check_filters(self) -> None:
        """Refuse bad filters (400) without building the queryset: a cursor's page may be read by its compiled
        query (`compiled_page`)."""
        filterset = DjangoFilterBackend().get_filterset(
            self.request, self.filterset_class._meta.model._default_manager.none(), self
        )
        if filterset is not None and not filterset.is_valid():
            raise translate_validation(filterset.errors)

    def compiled_page(self, columns, expressions) -> list[dict] | None:
        """A cursor's page read by SQL compiled once per process for the request's parameters (but the cursor) and
        the reader's scope (`access.scope_key`), the cursor's values bound anew (gongqing.compiled): the same query
        as `paginate_queryset` would build and compile on each page of a walk. None: read it the ordinary way."""
        request, paginator = self.request, self.paginator
        raw = request.query_params.getlist(paginator.cursor_query_param)
        if len(raw) != 1 or paginator.legacy(request):
            return None
        values = paginator.decode(raw[0], self)
        fields, _values = paginator.unfixed(request, self, values)
        fixed = len(values) - len(fields)
        scope = scope_key(request.user)
        if scope is None:
            return None
        params = tuple(
            (k, tuple(v)) for k, v in sorted(request.query_params.lists()) if k != paginator.cursor_query_param
        )
        key = (type(self), tuple(columns), tuple(expressions), scope, params, fixed)

        def build(*markers):
            paginator._decoded = (raw[0], self, [*values[:fixed], *markers])
            self._filtered = None
            try:
                return paginator.cursor_page(self.filtered_queryset().values(*columns, **expressions), request, self)
            finally:
                paginator._decoded = None
                self._filtered = None

        rows = _PAGES.run(key, build, list(values[fixed:]), as_dicts=True)
        return None if rows is None else paginator.take(rows, request, self)


_PAGES = Compiled(None)  # the cursor pages of the school-row lists (SchoolRowResults.compiled_page)
_page_schools = Compiled(  # compiled once per number of schools (gongqing.compiled)
    lambda ids: School.objects.filter(pk__in=ids).values_list("pk", "code", "name", "township_id", "kind")
)
SCHOOL_COLUMNS = ("school__code", "school__name", "school__township_id", "school__kind")


def with_schools(rows: list[dict]) -> list[dict]:
    """The page's rows with their school's columns (SCHOOL_COLUMNS), read in one query by the page's school ids:
    joined into the page's query, the schools were read by PostgreSQL from the first one on every page."""
    schools = {pk: columns for pk, *columns in _page_schools.rows(sorted({r["school_id"] for r in rows}))}
    for row in rows:
        row.update(zip(SCHOOL_COLUMNS, schools[row["school_id"]], strict=True))
    return rows


# The big lists are written straight from `values()` rows, their schools' columns added by one more query: DRF's
# field-by-field serialization of model instances was most of a request's time at 100–500 rows a page. Each list's
# serializer stays its schema; tests/api/test_list_rows.py checks that both give the same JSON on the demo county.
RESULT_COLUMNS = {
    "round": "round_id",
    "school": "school_id",
    "school_code": "school__code",
    "school_name": "school__name",
    "township": "school__township_id",
    "kind": "school__kind",
    "section": "section",
    "code": "code",
    "value": "value",
    "threshold": "threshold",
    "status": "status",
    "met": None,  # status == "met"
    "gap": "gap",
    "detail": "detail",
}
VERDICT_COLUMNS = {
    "round": "round_id",
    "school": "school_id",
    "school_code": "school__code",
    "school_name": "school__name",
    "township": "school__township_id",
    "section": "section",
    "students": "students",
    "met_count": "met_count",
    "status": "status",
}
CV_COLUMNS = {
    "round": "round_id",
    "section": "section",
    "code": "code",
    "mean": "mean",
    "sd": "sd",
    "cv": "cv",
    "limit": "limit",
    "met": "met",
    "schools": "schools",
}


def columns_of(columns: dict) -> list[str]:
    """The `values()` columns of a list: its sources (and the keyset's fields, which are among them), without the
    school's columns, which `with_schools` adds."""
    return [source for source in columns.values() if source and source not in SCHOOL_COLUMNS]


def with_details(rows: list[dict]) -> list[dict]:
    """The rows' `detail` from their JSON text (`detail_text`), parsed as one array for the page: as the JSONField
    reads it (json.loads of the same text), without a parse and a converter call per row."""
    texts = [r.pop("detail_text") for r in rows]
    details = json.loads("[" + ",".join("null" if t is None else t for t in texts) + "]") if rows else []
    for row, detail in zip(rows, details, strict=True):
        row["detail"] = detail
    return rows


def _number(value) -> str:
    return "null" if value is None else decimal_text(value) if type(value) is Decimal else json_text(value)


def _integer(value) -> str:
    return int.__repr__(value) if type(value) is int else json_text(value)


def _detail_text(detail) -> str:
    """`numbers(detail)` as ExactJSONRenderer writes it; a flat object of texts, integers, booleans and nulls (a
    result's detail) written here, anything else by the renderer's own encoder."""
    if type(detail) is not dict:
        return json_text(numbers(detail))
    parts = []
    for key, value in detail.items():
        kind = type(value)
        if type(key) is not str:
            return json_text(numbers(detail))
        if kind is str:
            number = key not in TEXT_KEYS and NUMBER.fullmatch(value)
            text = decimal_text(Decimal(value)) if number else json_string(value)
        elif value is None:
            text = "null"
        elif value is True or value is False:
            text = "true" if value else "false"
        elif kind is int:
            text = int.__repr__(value)
        else:
            return json_text(numbers(detail))
        parts.append(f"{json_string(key)}:{text}")
    return "{" + ",".join(parts) + "}"


def school_result_json(rows: list[dict]) -> EncodedRows:
    """SchoolResultSerializer's output from `values(*columns_of(RESULT_COLUMNS))` rows as ExactJSONRenderer writes
    each row, written directly (the same bytes as the renderer's: tested in tests/api/test_list_rows.py): the
    renderer called back into Python for each of a page's 300 Decimals."""
    return EncodedRows(
        f'{{"round":{_integer(r["round_id"])},"school":{_integer(r["school_id"])},'
        f'"school_code":{json_string(r["school__code"])},"school_name":{json_string(r["school__name"])},'
        f'"township":{"null" if r["school__township_id"] is None else _integer(r["school__township_id"])},'
        f'"kind":{json_string(r["school__kind"])},"section":{json_string(r["section"])},'
        f'"code":{json_string(r["code"])},"value":{_number(r["value"])},"threshold":{_number(r["threshold"])},'
        f'"status":{json_string(r["status"])},"met":{"true" if r["status"] == "met" else "false"},'
        f'"gap":{_number(r["gap"])},"detail":{_detail_text(r["detail"])}}}'
        for r in rows
    )


def renamed_rows(columns: dict, rows: list[dict]) -> list[dict]:
    """A plain list's output from its `values()` rows: each JSON key from its source column, in the schema's order."""
    pairs = list(columns.items())
    return [{key: r[source] for key, source in pairs} for r in rows]


@result_list_schema(SchoolResultSerializer)
class SchoolResultViewSet(SchoolRowResults):
    """One indicator of one school section (or whole school for G-items) per round. Filter by round or year."""

    rows_for = staticmethod(results_for)
    serializer_class = SchoolResultSerializer
    filterset_class = SchoolResultFilter
    ordering_fields = ["code", "value", "school__code"]
    keyset = ("round_id", "school_id", "section", "code")  # the unique index: no sort, no offset

    def list(self, request, *args, **kwargs):
        def build():
            columns = [c for c in columns_of(RESULT_COLUMNS) if c != "detail"]
            expressions = {"detail_text": Cast("detail", TextField())}
            rows = self.compiled_page(columns, expressions)
            if rows is None:
                rows = self.paginate_queryset(self.filtered_queryset().values(*columns, **expressions))
            rows = with_details(with_schools(rows))
            return self.get_paginated_response(school_result_json(rows))

        return self._conditional(build)


class SectionVerdictSerializer(serializers.ModelSerializer):
    school_code = serializers.CharField(source="school.code", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    township = serializers.IntegerField(source="school.township_id", read_only=True)

    class Meta:
        model = SectionVerdict
        fields = [
            "round",
            "school",
            "school_code",
            "school_name",
            "township",
            "section",
            "students",
            "met_count",
            "status",
        ]


class SectionVerdictFilter(SchoolRowFilter):
    class Meta:
        model = SectionVerdict
        fields = ["round", "year", "school", "township", "kind", "section", "status"]


@result_list_schema(SectionVerdictSerializer)
class SectionVerdictViewSet(SchoolRowResults):
    """A school section's verdict under the 6-of-7 rule with its 85% floor."""

    rows_for = staticmethod(verdicts_for)
    serializer_class = SectionVerdictSerializer
    filterset_class = SectionVerdictFilter
    ordering_fields = ["school__code", "met_count", "status"]
    keyset = ("round_id", "school_id", "section")  # the unique index

    def list(self, request, *args, **kwargs):
        def build():
            columns = columns_of(VERDICT_COLUMNS)
            rows = self.compiled_page(columns, {})
            if rows is None:
                rows = self.paginate_queryset(self.filtered_queryset().values(*columns))
            rows = with_schools(rows)
            return self.get_paginated_response(renamed_rows(VERDICT_COLUMNS, rows))

        return self._conditional(build)


class SectionResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = SectionCV
        fields = ["round", "section", "code", "mean", "sd", "cv", "limit", "met", "schools"]


class SectionResultFilter(RoundFilter):
    class Meta:
        model = SectionCV
        fields = ["round", "year", "section", "code", "met"]


@result_list_schema(SectionResultSerializer)
class SectionResultViewSet(RoundResults):
    """Per round and section, each resource indicator's mean, standard deviation and between-school CV."""

    serializer_class = SectionResultSerializer
    filterset_class = SectionResultFilter
    ordering_fields = ["section", "code", "cv"]
    queryset = SectionCV.objects.order_by("round_id", "section", "code")

    def list(self, request, *args, **kwargs):
        def build():
            queryset = self.filtered_queryset().values(*columns_of(CV_COLUMNS))
            return self.get_paginated_response(renamed_rows(CV_COLUMNS, self.paginate_queryset(queryset)))

        return self._conditional(build)


class CountyVerdictSerializer(serializers.ModelSerializer):
    """The county verdict of a round with its completeness, as stored by the last recompute."""

    year = serializers.IntegerField(source="round.school_year.year", read_only=True)
    round_name = serializers.CharField(source="round.name", read_only=True)
    stale = serializers.BooleanField(source="is_stale", read_only=True)
    standard = serializers.SerializerMethodField()
    completeness = serializers.SerializerMethodField()
    county = serializers.SerializerMethodField()
    areas = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    verdict = serializers.SerializerMethodField()
    data_basis = serializers.SerializerMethodField()

    class Meta:
        model = EvaluationState
        fields = [
            "round",
            "year",
            "round_name",
            "data_version",
            "computed_version",
            "computed_at",
            "stale",
            "standard",
            "policy",
            "provisional",
            "passed",
            "verdict",
            "data_basis",
            "completeness",
            "county",
            "areas",
            "summary",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_verdict(self, obj):
        """The county verdict's code, as the pages word it: passed / not_passed / provisional."""
        return verdicts.county_verdict(obj.summary, computed=bool(obj.computed_version)).code

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_data_basis(self, obj):
        """Which approved data the round's schools rest on: `this_round`, `carried` (an earlier approved round of the
        year carried forward, `carried_from` names it, `carried_schools` maps school code to that round's id),
        `none` (`no_data_schools`); `round_open` while the round is open for entry. null until the next recompute
        of results stored before this was recorded."""
        basis = verdicts.data_basis(obj.summary)
        if basis is None:
            return None
        return {
            **verdicts.basis_counts(obj.summary),
            "round_open": bool(basis.get("round_open")),
            "carried_from": list(basis.get("carried_from", [])),
            "carried_schools": dict(basis.get("carried", {})),
            "no_data_schools": list(basis.get("none", [])),
        }

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_standard(self, obj):
        return obj.result.get("standard", {})

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_completeness(self, obj):
        return numbers(obj.result.get("completeness", {}))

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_county(self, obj):
        counties = self.context.get("counties") or selectors.counties([obj])  # the view reads a page's at once
        return numbers(counties[obj.round_id])

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_areas(self, obj):
        return obj.result.get("areas", {})

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_summary(self, obj):
        """The Chinese texts the result page shows: blocking findings, areas, counts, informational mean CVs."""
        s = (self.context.get("summaries") or selectors.summaries([obj]))[obj.round_id]
        return {
            "policy_label": s.get("policy_label", ""),
            "standard_label": s.get("standard_label", ""),
            "blocking": s.get("county", {}).get("blocking", []),
            "no_data": s.get("county", {}).get("no_data", []),
            "missing_schools": s.get("completeness", {}).get("missing_schools", []),
            "areas": s.get("areas", []),
            "counts": s.get("counts", {}),
            "informational_mean_cv": numbers(s.get("informational_mean_cv", {})),
        }


class CountyVerdictFilter(StrictFilterSet):
    round = IntegerFilter(field_name="round_id")
    year = IntegerFilter(field_name="round__school_year__year")

    class Meta:
        model = EvaluationState
        fields = ["year", "round"]


@extend_schema(parameters=CONDITIONAL_PARAMS, responses={200: CountyVerdictSerializer, **CONDITIONAL_RESPONSES})
class CountyVerdictViewSet(mixins.RetrieveModelMixin, RoundResults):
    """The county verdict per round (looked up by the round's id), with its completeness."""

    serializer_class = CountyVerdictSerializer
    filterset_class = CountyVerdictFilter
    lookup_field = "round"
    ordering_fields = ["computed_at"]
    queryset = EvaluationState.objects.select_related("round", "round__school_year").order_by(
        "-round__school_year__year", "round__as_of", "round_id"
    )

    def evaluation_states(self):
        if self.action == "retrieve":
            return EvaluationState.objects.filter(round_id=int(self.kwargs["round"]))
        return super().evaluation_states()

    def retrieve(self, request, *args, **kwargs):
        return self._conditional(lambda: super(CountyVerdictViewSet, self).retrieve(request, *args, **kwargs))

    def get_serializer(self, *args, **kwargs):
        """With the counties and summaries of the states to show (a page or one), their blocking findings and
        sentences joined back from their runs, a query each for all the states."""
        if args:
            states = list(args[0]) if kwargs.get("many") else [args[0]]
            joined = {"counties": selectors.counties(states), "summaries": selectors.summaries(states)}
            kwargs["context"] = {**self.get_serializer_context(), **joined}
        return super().get_serializer(*args, **kwargs)
