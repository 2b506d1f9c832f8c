"""A 甘露镇 primary school approved last year with 400 pupils and now entering 600 (+50 %), and findings that can be
pinned: `pinned_findings` replaces the rules engine's answer so a test decides which warnings a return has."""

import pytest

from schools.annotations import checks
from schools.models import ReturnStatus
from tests.factories import RoundFactory, SchoolYearFactory, make_return, primary_figures


@pytest.fixture
def last_year_round(db):
    return RoundFactory(school_year=SchoolYearFactory(year=2023), is_open=False)


@pytest.fixture
def last_year(ganlu_school, last_year_round):
    return make_return(
        school=ganlu_school, round=last_year_round, status=ReturnStatus.APPROVED, figures=primary_figures(students=400)
    )


@pytest.fixture
def this_year(ganlu_school, official_round, last_year):
    return make_return(school=ganlu_school, round=official_round, figures=primary_figures(students=600))


def warning(field="primary_students", rule_code="students_change", message="在校生数由400变为600（+50%），请核实。"):
    return checks.Finding(
        rule_code=rule_code,
        rule_label="变化幅度",
        importance="warning",
        field=field,
        message=message,
        left=600,
        right=400,
        kind="change",
    )


@pytest.fixture
def pinned_findings(monkeypatch):
    """`pinned_findings(ret, [finding, ...])`: the findings of that return from now on (others have none)."""
    pinned: dict[int, list] = {}

    def _for_return(school_return):
        return list(pinned.get(school_return.pk, []))

    def _for_returns(returns):
        return {r.pk: list(pinned.get(r.pk, [])) for r in returns}

    monkeypatch.setattr(checks, "findings_for_return", _for_return)
    monkeypatch.setattr(checks, "findings_for_returns", _for_returns)

    def _pin(ret, findings):
        pinned[ret.pk] = findings

    return _pin
