"""The same round read four ways: the overview, the results page, the report's summary and the API's county resource
give the same verdict (words on pages and in the PDF context, the code in the API) and the same numbers.

The county of conftest.py: three primary schools, all with approved returns, no county item entered. 乙 and 丙 miss R5
(5.0 < 7.5 × 85%), so the county definitely fails while still lacking every county item: 未通过（暂定）, with what is
missing; R5's weighted CV is 0.349927 → "0.350".
"""

import re

from django.urls import reverse
from rest_framework.test import APIClient

from gongqing.api.auth import token_create
from gongqing.roles import Role
from indicators import verdicts
from indicators.models import EvaluationState
from supervision.reports import context
from tests.api.conftest import body
from tests.reports.conftest import stage


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_overview_results_report_and_api_agree(county, cycle, official_round, staff, login, personas):
    state = EvaluationState.objects.get(round=official_round)
    expected = verdicts.county_verdict(state.summary)
    assert (expected.code, expected.label) == ("not_passed", "未通过（暂定）")
    assert "3所学校中3所有审核通过的数据" not in expected.missing_text  # every school has data
    assert expected.missing_text.startswith("未填报：G1、G2")

    client = login(staff)
    overview = client.get(reverse("dashboards:overview"), {"round": official_round.pk})
    results = client.get(reverse("indicators:round_results", args=[official_round.pk]))
    report = context.build_context(stage=stage(cycle, 4), round=official_round)
    _token, raw = token_create(user=personas[Role.API_CLIENT], name="一致性测试", scopes=["read"], days=1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    api_county = body(api.get(f"/api/v1/county-verdicts/{official_round.pk}/"))

    # the verdict: one word on both pages and in the report, one code in the API
    assert 'data-verdict="not_passed"' in overview.content.decode()
    assert 'data-verdict="not_passed"' in results.content.decode()
    for page in (_text(overview), _text(results)):
        assert f"未通过（暂定） 尚缺：{expected.missing_text}" in page
        for stale_word in ("未达到要求", "尚不能认定", "暂无法认定", "待定", "达到优质均衡要求"):
            assert stale_word not in page, stale_word
    assert report.verdict["label"] == "未通过（暂定）" and report.verdict["code"] == "not_passed"
    assert report.verdict["missing"] == expected.missing_text
    assert api_county["verdict"] == "not_passed" and api_county["passed"] is False

    # the areas: the same words everywhere
    area_words = [verdicts.area_verdict(a).label for a in state.summary["areas"]]
    assert [a["label"] for a in report.verdict["areas"]] == area_words
    assert "暂定" in area_words

    # the numbers: schools with data, and R5's CV, read the same
    completeness = api_county["completeness"]
    assert completeness["schools_expected"] == 3 and completeness["schools_with_figures"] == 3
    assert "3所学校中3所" in report.provisional_note
    r5 = next(c for s in report.resource if s["key"] == "primary" for c in s["cvs"] if c["code"] == "R5")
    assert r5["cv_text"] == "0.350"
    results_html = results.content.decode()
    assert re.search(r'data-code="R5">.*?<td class="num cv-value">0\.350</td>', results_html, re.S)
