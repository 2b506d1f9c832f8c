"""`manage.py seed_demo`: made-up schools of 共青城 whose figures fail and improve; a second run changes nothing."""

import datetime
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper

from gongqing.models import User
from gongqing.roles import Role
from schools import demo
from schools.models import (
    KIND_SECTIONS,
    CollectionRound,
    CountyProfile,
    ReturnClass,
    ReturnRoom,
    ReturnStatus,
    School,
    SchoolReturn,
    Township,
    TownshipMembership,
)
from schools.selectors import return_class_rows, return_figures, return_room_rows
from schools.validation import validate_return
from supervision.models import Body, BodyMembership
from tests.factories import SchoolFactory


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for label in ("gongqing", "schools", "supervision")
        for model in apps.get_app_config(label).get_models()
    }


def official_returns(year: int):
    return SchoolReturn.objects.filter(round__school_year__year=year, round__kind="official").select_related("school")


# --- The weighted coefficient of variation, written out as INDICATORS.md gives it ----------------------------------


def weighted_cv(rows: list[tuple[Decimal, Decimal]]) -> Decimal:
    """rows: (students P_i, resource total) per school. X̄ = ΣP_iX_i/P, S = sqrt(Σ(P_i/P)(X_i − X̄)²), CV = S/X̄."""
    total = sum(p for p, _ in rows)
    values = [(p, resource / p) for p, resource in rows]
    mean = sum(p * x for p, x in values) / total
    spread = sum((p / total) * (x - mean) ** 2 for p, x in values).sqrt()
    return spread / mean


def primary_sports_rows(year: int) -> list[tuple[Decimal, Decimal]]:
    """Primary sections of the official round (policy `merge`): a nine-year school's sports area is apportioned
    A / (A + 1.1B); a teaching point's students and area join its parent's primary section; special schools are out."""
    units: dict[str, list[Decimal]] = {}
    for ret in official_returns(year).filter(status=ReturnStatus.APPROVED):
        school = ret.school
        if "primary" not in KIND_SECTIONS[school.kind]:
            continue
        a, b = Decimal(ret.primary_students), Decimal(ret.junior_students or 0)
        share = a / (a + Decimal("1.1") * b)
        key = school.parent.code if school.kind == "teaching_point" else school.code
        unit = units.setdefault(key, [Decimal(0), Decimal(0)])
        unit[0] += a
        unit[1] += ret.sports_area_m2 * share
    return [(p, resource) for p, resource in units.values()]


def test_the_cv_helper_reproduces_the_worked_example_of_the_indicators_page():
    rows = [(45, 279), (37, 137), (89, 935), (76, 160), (55, 402)]
    cv = weighted_cv([(Decimal(p), Decimal(r)) for p, r in rows])
    assert round(cv, 4) == Decimal("0.5153")


def test_the_primary_sports_area_cv_is_over_its_limit_in_2023_and_within_it_in_2024(seeded):
    assert weighted_cv(primary_sports_rows(2023)) > Decimal("0.50")
    assert weighted_cv(primary_sports_rows(2024)) <= Decimal("0.50")


# --- Idempotence ------------------------------------------------------------------------------------------------------


def test_a_second_run_leaves_every_row_count_unchanged(seeded):
    before = row_counts()
    output = seed()
    assert row_counts() == before
    assert before["schools.School"] == len(demo.SCHOOLS)
    assert before["schools.HistoricalSchoolReturn"] == before["schools.SchoolReturn"] > 0
    assert "新建" not in output.split("演示用户")[0]


def test_a_second_run_restores_a_renamed_school_but_keeps_an_edited_return(seeded):
    school = School.objects.get(code="2136480003")
    school.name = "改过的名字"
    school.save(update_fields=["name"])
    ret = official_returns(2024).get(school=school)
    ret.sports_area_m2 = Decimal("1")
    ret.save(update_fields=["sports_area_m2"])

    output = seed()

    school.refresh_from_db()
    ret.refresh_from_db()
    assert school.name == "共青城市第三小学"
    assert ret.sports_area_m2 == Decimal("1")
    assert "更新 updated 1" in output


def test_a_second_run_does_not_reset_a_changed_password(seeded):
    user = User.objects.get(username="admin")
    user.set_password("Changed#2025pw")
    user.save(update_fields=["password"])

    output = seed()

    user.refresh_from_db()
    assert user.check_password("Changed#2025pw")
    assert "本次未重置密码" in output


def test_it_refuses_to_seed_a_database_with_real_schools(db):
    SchoolFactory(fictional=False)
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    assert School.objects.count() == 1
    assert not User.objects.exists()


def test_registered_steps_run_after_the_base_data_and_before_the_user_table(db):
    seen = []

    def step(stdout):
        seen.append(School.objects.count())
        stdout.write("extra step ran")

    out = StringIO()
    demo.run(stdout=OutputWrapper(out), steps=[step])
    output = out.getvalue()
    assert seen == [len(demo.SCHOOLS)]
    assert output.index("extra step ran") < output.index("演示用户 Demo users")


def test_each_apps_demo_step_is_found_in_installed_apps_order():
    names = [f"{step.__module__}.{step.__name__}" for step in demo.demo_steps()]
    assert names == [
        "schools.statistics.demo.seed_statistics_export",
        "indicators.demo.seed_indicators",
        "supervision.demo.seed_supervision",
        "supervision.survey.demo.seed_survey",
        "supervision.reports.demo.seed_reports",
    ]


def test_supervision_seeds_its_bodies_with_the_base_data_before_any_apps_step():
    """indicators' step recomputes, and the ledger sync that follows routes items to bodies: they must exist."""
    names = [f"{step.__module__}.{step.__name__}" for step in demo.demo_base_steps()]
    assert names == ["supervision.demo.seed_bodies"]


# --- What the data holds ----------------------------------------------------------------------------------------------


def test_the_county_townships_and_bodies_are_those_of_the_plan(seeded):
    profile = CountyProfile.objects.get()
    assert (profile.name, profile.code, profile.basic_balance_year) == ("共青城市", "360482", 2016)
    assert list(Township.objects.values_list("code", "name")) == [
        ("360482100", "茶山街道"),
        ("360482101", "甘露镇"),
        ("360482102", "江益镇"),
        ("360482103", "金湖乡"),
        ("360482104", "泽泉乡"),
        ("360482105", "苏家垱乡"),
    ]
    departments = dict(Body.objects.filter(kind="department").values_list("code", "name"))
    assert departments["finance"] == "市财政局"
    assert set(departments) == {
        "party_office",
        "gov_office",
        "staffing",
        "education",
        "development",
        "finance",
        "hr",
        "housing",
        "natural_resources",
    }
    assert Body.objects.filter(kind="township", township__isnull=False).count() == 6
    assert Body.objects.filter(kind="group").count() == 1


def test_every_school_is_fictional_and_has_a_unique_ten_digit_code(seeded):
    codes = list(School.objects.values_list("code", flat=True))
    assert len(codes) >= 28
    assert not School.objects.filter(fictional=False).exists()
    assert all(len(code) == 10 and code.startswith("2136") and code.isdigit() for code in codes)


def test_every_kind_of_school_is_present(seeded):
    kinds = Counter(School.objects.values_list("kind", flat=True))
    assert kinds["primary"] and kinds["junior"] and kinds["nine_year"]
    assert (kinds["complete_secondary"], kinds["teaching_point"], kinds["special"]) == (1, 3, 1)
    points = School.objects.filter(kind="teaching_point")
    assert all(p.parent_id for p in points)
    assert points.filter(parent__kind="nine_year").exists()
    assert School.objects.filter(kind="primary", ownership="private").count() == 1
    assert School.objects.filter(township__code="360482100").exclude(location="urban").count() <= 1


def test_every_open_school_has_an_approved_official_return_in_both_years(seeded):
    for year in (2023, 2024):
        approved = set(official_returns(year).filter(status="approved").values_list("school_id", flat=True))
        assert approved == set(School.objects.open_in(year).values_list("pk", flat=True))
        assert not official_returns(year).exclude(status="approved").exists()
        assert not CollectionRound.objects.get(school_year__year=year, kind="official").is_open


def test_the_merged_school_keeps_its_2023_return_and_has_none_after(seeded):
    merged = School.objects.get(closed=2024)
    assert official_returns(2023).filter(school=merged, status="approved").exists()
    assert not SchoolReturn.objects.filter(school=merged, round__school_year__year=2024).exists()


def test_every_approved_return_passes_the_submission_rules(seeded):
    approved = (
        SchoolReturn.objects.filter(status="approved").select_related("school").prefetch_related("classes", "rooms")
    )
    assert approved.count() >= 2 * 28
    for ret in approved:
        problems = validate_return(
            kind=ret.school.kind,
            figures=return_figures(ret),
            classes=return_class_rows(ret),
            rooms=return_room_rows(ret),
            for_submit=True,
        )
        assert [p.message for p in problems if p.is_error] == [], ret


def test_the_interim_round_is_open_and_its_returns_are_in_every_state(seeded):
    interim = CollectionRound.objects.get(kind="interim")
    assert (interim.name, interim.is_open) == ("2025年3月自查", True)
    # the demo's dates move with today as its cycle does: on demo.DATES_AS_OF the round is as of 2025-03-01
    assert interim.as_of == datetime.date(2025, 3, 1) + demo.date_shift()
    statuses = Counter(interim.returns.values_list("status", flat=True))
    assert 6 <= sum(statuses.values()) <= 8
    assert statuses["approved"] and statuses["submitted"] and statuses["draft"] and statuses["returned"] == 1
    assert interim.returns.get(status="returned").review_comment


def test_an_urban_primary_has_classes_over_45_in_2023_and_is_oversized(seeded):
    big = ReturnClass.objects.filter(
        section="primary",
        students__gt=45,
        school_return__round__kind="official",
        school_return__round__school_year__year=2023,
        school_return__school__kind="primary",
    )
    assert big.exists()
    assert official_returns(2023).filter(school__kind="primary", primary_students__gt=2000).exists()


def test_a_school_with_a_small_sports_ground_improves_in_2024(seeded):
    def per_student(year):
        ret = official_returns(year).get(school__code="2136480002")
        return ret.sports_area_m2 / ret.primary_students

    assert per_student(2023) < Decimal("7.5") <= per_student(2024)


def test_rooms_and_funding_include_the_failing_cases(seeded):
    rooms = ReturnRoom.objects.filter(school_return__round__kind="official")
    assert rooms.filter(room="music", area_m2__lt=96).exists()
    assert rooms.filter(room="art", area_m2__lt=90).exists()
    assert rooms.filter(area_m2__isnull=True).exists()
    village = official_returns(2023).get(school__location="rural", school__kind="primary", primary_students__lt=100)
    assert village.public_funds_yuan < 100 * 650
    ratios = [r.training_funds_yuan / r.public_funds_yuan for r in official_returns(2023)]
    assert min(ratios) < Decimal("0.05") and sorted(ratios)[1] >= Decimal("0.05")


# --- Demo users -------------------------------------------------------------------------------------------------------


def printed_passwords(output: str) -> dict[str, str]:
    table = output.split("演示用户 Demo users")[1].splitlines()
    return {line.split()[0]: line.split()[1] for line in table[2:] if line.strip()}


def test_each_role_has_a_demo_user_who_logs_in_with_the_printed_password(seeded, client):
    passwords = printed_passwords(seeded)
    users = User.objects.filter(username__in=passwords)
    assert sorted(u.role for u in users) == sorted([*Role.values, Role.TOWNSHIP_OFFICIAL])
    for user in users:
        validate_password(passwords[user.username], user)
        assert client.login(username=user.username, password=passwords[user.username]), user.username
        client.logout()
        assert user.full_name
    assert printed_passwords(seed()) == passwords


def test_the_township_officials_and_the_finance_officer_have_their_scope(seeded):
    scopes = dict(TownshipMembership.objects.values_list("user__username", "township__name"))
    assert scopes == {"ganlu": "甘露镇", "jiangyi": "江益镇"}
    assert BodyMembership.objects.get(user__username="finance").body.name == "市财政局"
