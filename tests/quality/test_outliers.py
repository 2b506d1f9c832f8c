"""The modified z-score against hand-worked groups, and the outlier findings against the county distribution."""

import datetime
from decimal import Decimal

import pytest

from schools.models import ReturnStatus
from schools.quality import findings as quality
from schools.quality.checks import outlier_scores
from schools.quality.outliers import score, spread
from tests.factories import RoundFactory, SchoolFactory, SchoolYearFactory, make_return, primary_figures
from tests.quality.helpers import junior_figures

D = Decimal
# Ten schools' equipment value per pupil (yuan), sorted:
#   2400 2450 2500 2500 2550 | 2600 2600 2650 2700 5000
# median = (2550 + 2600) / 2 = 2575
# |x − 2575| = 175 125 75 75 25 25 25 75 125 2425 → sorted 25 25 25 75 75 | 75 125 125 175 2425 → MAD = 75
TEN = [D(v) for v in (2400, 2450, 2500, 2500, 2550, 2600, 2600, 2650, 2700, 5000)]


def test_median_and_mad_of_a_group_of_ten():
    group = spread(TEN)
    assert (group.size, group.median, group.mad, group.compared) == (10, D(2575), D(75), True)


@pytest.mark.parametrize(
    ("x", "z", "flagged"),
    [
        (D(5000), D("21.80883333"), True),  # 0.6745 × 2425 / 75 = 1635.6625 / 75
        (D(2400), D("-1.57383333"), False),  # 0.6745 × −175 / 75
        (D(2965), D("3.50740000"), True),  # 0.6745 × 390 / 75 = 263.055 / 75: just past 3.5
        (D(2960), D("3.46243333"), False),  # 0.6745 × 385 / 75 = 259.6825 / 75
        (D(2185), D("-3.50740000"), True),  # symmetric below the median
    ],
)
def test_the_modified_z_score_is_flagged_past_3_5(x, z, flagged):
    s = score(x, spread(TEN))
    assert s.z.quantize(D("0.00000001")) == z
    assert s.flagged is flagged


def test_a_group_under_ten_schools_is_not_compared():
    group = spread(TEN[:9])
    assert (group.size, group.compared, group.median, group.mad) == (9, False, None, None)
    assert group.reason == "同类学校不足10所，未比较"
    assert score(D(99999), group).z is None and not score(D(99999), group).flagged


def test_a_group_with_mad_0_is_not_compared():
    # 2500 six times, 2400, 2600, 2700, 9000: median 2500, deviations 0 0 0 0 0 0 100 100 200 6500 → MAD 0.
    values = [D(2500)] * 6 + [D(2400), D(2600), D(2700), D(9000)]
    group = spread(values)
    assert (group.median, group.mad, group.compared) == (D(2500), D(0), False)
    assert "MAD为0" in group.reason
    assert score(D(9000), group).z is None


@pytest.mark.django_db
def test_an_outlier_is_a_finding_against_the_latest_approved_values_of_the_same_kind():
    last = RoundFactory(school_year=SchoolYearFactory(year=2023), as_of=datetime.date(2023, 9, 1))
    this = RoundFactory(school_year=SchoolYearFactory(year=2024), as_of=datetime.date(2024, 9, 1))
    # Ten approved primary schools of 400 pupils: equipment per pupil = TEN (2400 ... 5000 yuan).
    for per_pupil in TEN:
        make_return(
            school=SchoolFactory(),
            round=last,
            status=ReturnStatus.APPROVED,
            figures=primary_figures(equipment_value_yuan=per_pupil * 400),
        )
    # Nine approved junior schools (as the demo has): a group under ten, never compared.
    for per_pupil in TEN[:9]:
        make_return(
            school=SchoolFactory(kind="junior"),
            round=last,
            status=ReturnStatus.APPROVED,
            figures=junior_figures(equipment_value_yuan=per_pupil * 300),
        )
    junior = make_return(
        school=SchoolFactory(kind="junior"), round=this, figures=junior_figures(equipment_value_yuan=D(9000) * 300)
    )
    high = primary_figures(equipment_value_yuan=D(2965) * 400)  # 2965 yuan per pupil: M = 3.5074
    ret = make_return(school=SchoolFactory(), round=this, figures=high)
    ok = make_return(school=SchoolFactory(), round=this, figures=primary_figures(equipment_value_yuan=D(2960) * 400))
    out = quality.findings_for_returns([ret, ok, junior])
    (f,) = [f for f in out[ret.pk] if f.kind == "outlier"]
    assert (f.rule_code, f.field, f.importance) == ("outlier.equipment_per_pupil", "equipment_value_yuan", "warning")
    assert (f.left, f.right) == (D(2965), D(2575))
    assert "2965" in f.message and "2575" in f.message and "10所" in f.message and "3.51" in f.message
    assert [f for f in out[ok.pk] if f.kind == "outlier"] == []
    # The other ratios are identical in every school (MAD = 0): shown as not compared, never flagged.
    (data,) = quality.load_returns([ret])
    scores = {ratio.code: s for ratio, _key, _field, s in outlier_scores(data, quality.Context())}
    assert scores["equipment_per_pupil"].z is not None
    assert scores["teachers_per_100"].z is None and "MAD为0" in scores["teachers_per_100"].spread.reason
    assert [f for f in out[junior.pk] if f.kind == "outlier"] == []
    (data,) = quality.load_returns([junior])
    (equipment,) = [
        s for ratio, _k, _f, s in outlier_scores(data, quality.Context()) if ratio.code == "equipment_per_pupil"
    ]
    assert (equipment.z, equipment.spread.size, equipment.spread.reason) == (None, 9, "同类学校不足10所，未比较")
