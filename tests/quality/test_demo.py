"""The seeded rules on the demo county: its approved returns (real-looking figures) trip none of them."""

from collections import Counter

import pytest

from schools.models import SchoolReturn
from schools.quality import findings as quality
from schools.quality.checks import outlier_scores
from tests.schools.test_seed_demo import seed

pytestmark = pytest.mark.django_db


def test_the_demos_approved_returns_trip_no_rule_and_its_9_junior_schools_are_not_compared():
    seed()
    approved = list(SchoolReturn.objects.filter(status="approved"))
    assert len(approved) >= 56
    data = quality.load_returns(approved)
    context = quality.Context()
    out = quality.check(data, context)
    rule_findings = [f for found in out.values() for f in found if f.kind in ("rule", "change")]
    assert rule_findings == [], Counter(f.rule_code for f in rule_findings)
    junior = [d for d in data if d.kind == "junior"]
    assert junior
    for d in junior:
        for _ratio, _key, _field, score in outlier_scores(d, context):
            assert score.z is None and score.spread.reason == "同类学校不足10所，未比较"
