"""The standard is data: every indicator of the 2017 version, its numbers as Decimals, and a lossless dict form."""

import json
from decimal import Decimal

import pytest

from indicators.domain.standard import NATIONAL_2017_DATA, national_2017, standard_from_dict, standard_to_dict

ALL_CODES = (
    [f"R{i}" for i in range(1, 8)]
    + [f"G{i}" for i in range(1, 16)]
    + [f"Q{i}" for i in range(1, 10)]
    + ["S1"]
    + [f"V{i}" for i in range(1, 8)]
)


def test_every_indicator_of_the_2017_standard_is_defined_with_a_chinese_name():
    std = national_2017()
    assert sorted(std.indicators) == sorted(ALL_CODES)
    for code in ALL_CODES:
        name = std.indicators[code].name_zh
        assert name and any("\u4e00" <= ch <= "\u9fff" for ch in name), code


def test_v7_is_kept_but_not_part_of_the_2017_veto_list():
    std = national_2017()
    assert "V7" in std.indicators
    assert std.indicators["V7"].in_version is False
    assert std.veto_codes == ("V1", "V2", "V3", "V4", "V5", "V6")
    assert "V7" not in std.codes("veto")
    assert "V7" not in std.entered_codes


def test_numbers_are_decimals_with_the_national_values():
    std = national_2017()
    assert std.indicators["R1"].thresholds == {"primary": Decimal("4.2"), "junior": Decimal("5.3")}
    assert std.indicators["R6"].thresholds["junior"] == Decimal("2500")
    assert std.cv_limits == {"primary": Decimal("0.50"), "junior": Decimal("0.45")}
    assert std.tolerance_floor == Decimal("0.85") and std.min_met == 6
    assert std.split_weights["twelve_year"] == {
        "primary": Decimal("1"),
        "junior": Decimal("1.1"),
        "senior": Decimal("1.32"),
    }
    assert std.split_weights["complete_secondary"]["senior"] == Decimal("1.2")
    assert std.base_rates == {"primary": Decimal("650"), "junior": Decimal("850")}
    assert std.class_caps == {"primary": 45, "junior": 50}
    assert std.school_size_caps["nine_year"] == 2500 and std.school_size_caps["complete_secondary"] == 2000
    assert std.room_rule.min_area_m2 == {"music": Decimal("96"), "art": Decimal("90")}
    assert std.special_school_min_per_student == Decimal("6000")
    assert std.survey.threshold == Decimal("0.85") and std.survey.min_valid_per_group == 30
    assert std.survey.counted_levels == ("very_satisfied", "satisfied", "fairly_satisfied")


def test_the_area_lists_put_codes_in_natural_order():
    std = national_2017()
    assert std.resource_codes == ("R1", "R2", "R3", "R4", "R5", "R6", "R7")
    assert std.school_item_codes == ("G3", "G4", "G5", "G6", "G7", "G12", "Q4")
    assert std.entered_codes[:6] == ("G1", "G2", "G8", "G9", "G10", "G11")


def test_the_dict_form_is_json_able_and_reads_back_unchanged():
    std = national_2017()
    d = standard_to_dict(std)
    text = json.dumps(d, ensure_ascii=False)
    assert standard_from_dict(json.loads(text)) == std
    json.dumps(NATIONAL_2017_DATA)  # the seed data itself is plain JSON


def test_a_variant_derived_from_the_dict_changes_only_what_was_edited():
    d = standard_to_dict(national_2017())
    d["code"], d["version"] = "liaoning-2019", "2019"
    d["base_rates"]["primary"] = "720"
    variant = standard_from_dict(d)
    assert variant.base_rates["primary"] == Decimal("720")
    assert national_2017().base_rates["primary"] == Decimal("650")
    assert variant.indicators == national_2017().indicators


def test_inconsistent_standard_data_is_refused():
    d = standard_to_dict(national_2017())
    d["veto_codes"].append("V9")
    with pytest.raises(ValueError, match="V9"):
        standard_from_dict(d)
    d = standard_to_dict(national_2017())
    del d["cv_limits"]
    with pytest.raises(ValueError, match="cv_limits"):
        standard_from_dict(d)
