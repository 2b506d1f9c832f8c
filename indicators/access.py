"""Who sees which stored results and what-if scenarios. Every page, export and API view of indicators goes through
here (the schools themselves through `schools.access`).

- stored results and section verdicts: those of the schools a user sees (`schools.access.schools_for`); the pages
  and the API let in only the result readers (`gongqing.roles.RESULT_READERS`, `API_RESULT_READERS`);
- what-if scenarios: the bureau's working papers, for bureau admin and staff only.
"""

from __future__ import annotations

import functools

from django.core.exceptions import EmptyResultSet

from gongqing.refusals import get_in_scope
from gongqing.roles import BUREAU
from schools.access import school_scope, schools_for, schools_in

from .models import Scenario, SchoolResult, SectionVerdict


def _schools(user, from_school: int | None):
    """The user's schools, from the school `from_school` on when given: a keyset page that starts at that school (the
    API's lists) holds no row of an earlier one. PostgreSQL answers `school_id IN (the scope)` with a merge join that
    reads the scope's schools from the first: the 1,000th page of a 10,000-school round read 9,000 schools twice."""
    schools = schools_for(user)
    return schools if from_school is None else schools.filter(pk__gte=from_school)


def scope_key(user):
    """All that the SQL of `results_for(user, from_school=…)` and `verdicts_for(…)` depends on besides `from_school`:
    the SQL and parameters of the user's schools (None when the user sees none). Compiled pages are keyed by it
    (indicators.api.SchoolRowResults.compiled_page): two users with the same key read through the same SQL."""
    return _scope_sql(school_scope(user))


@functools.lru_cache(maxsize=512)
def _scope_sql(scope: tuple):
    """The SQL of a scope's schools, compiled once per process and scope: compiling it was a sixth of an API page's
    Python time. The SQL follows only from the scope and the code (`schools.access.schools_in`)."""
    try:
        sql, params = schools_in(scope).query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, tuple(params)


def results_for(user, *, from_school: int | None = None):
    return SchoolResult.objects.filter(school__in=_schools(user, from_school))


def verdicts_for(user, *, from_school: int | None = None):
    return SectionVerdict.objects.filter(school__in=_schools(user, from_school))


def scenarios_for(user):
    if user.is_authenticated and user.is_active and user.role in BUREAU:
        return Scenario.objects.all()
    return Scenario.objects.none()


def scenario_for_user(*, user, pk) -> Scenario:
    return get_in_scope(scenarios_for(user).select_related("round", "round__school_year"), pk)
