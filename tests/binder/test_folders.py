"""Where each file goes, worked by hand (pure functions, no database)."""

import datetime

from supervision.binder import folders
from supervision.binder.sources import TABLE, BinderFile

NAMES = {
    "G5": "小学、初中所有班级学生数分别不超过45人、50人",
    "G6": "不足100名学生村小学和教学点按100名学生核定公用经费",
}
DAY = datetime.date(2022, 10, 12)


def _file(keys, owner="某某小学", title="整改验收", day=DAY, kind="evidence"):
    return BinderFile(keys=keys, owner=owner, title=title, ext=".pdf", source="记录", date=day, kind=kind)


def test_folders_follow_the_standards_order_and_townships_have_no_county_folders():
    county = [f.key for f in folders.folders(names=NAMES, county=True)]
    assert county[:8] == ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "G1"]
    assert county[-5:] == ["V5", "V6", "plan", "stage_reports", "assessment"]
    assert len(county) == 38 + 3
    assert [f.key for f in folders.folders(names=NAMES, county=False)] == list(folders.INDICATOR_CODES)


def test_a_folder_is_named_by_its_code_and_the_first_clause_of_its_name():
    by_key = {f.key: f.dirname for f in folders.folders(names=NAMES, county=True)}
    assert by_key["G5"] == "G5_小学、初中所有班级学生数分别不超"  # the first 16 characters of the first clause
    assert by_key["plan"] == "实施方案"


def test_a_file_on_g7_g6_and_the_plan_is_stored_under_g6_and_listed_under_all_three():
    order = folders.folders(names=NAMES, county=True)
    shared = _file(("plan", "G7", "G6"), owner="措施1.2", title="缺口测算报告")
    entries, listings = folders.arrange([shared], order)
    assert len(entries) == 1
    assert entries[0].path == "G6_不足100名学生村小学和教学点按/01_措施1.2_缺口测算报告_2022-10-12.pdf"
    listed = {li.folder.key for li in listings if entries[0] in li.entries}
    assert listed == {"G6", "G7", "plan"}


def test_numbers_count_within_a_folder_after_the_result_table_and_never_repeat_a_name():
    order = folders.folders(names=NAMES, county=True)
    table = _file(("G5",), owner="结果表", title="2022年正式批次", kind=TABLE)
    a = _file(("G5",), day=datetime.date(2022, 10, 12))
    b = _file(("G5",), day=datetime.date(2022, 10, 12))  # same school, title and day: a second number
    c = _file(("G5",), owner="另一/小学", title='验收:"单"', day=datetime.date(2022, 9, 1))
    entries, _listings = folders.arrange([a, b, c, table], order)
    names = [e.path.split("/", 1)[1] for e in entries]
    assert names == [
        "00_结果表_2022年正式批次_2022-10-12.pdf",
        "01_另一小学_验收单_2022-09-01.pdf",  # the earliest first; separators and reserved characters removed
        "02_某某小学_整改验收_2022-10-12.pdf",
        "03_某某小学_整改验收_2022-10-12.pdf",
    ]


def test_a_file_whose_keys_name_no_folder_goes_to_a_last_folder_other():
    order = folders.folders(names=NAMES, county=False)
    entries, listings = folders.arrange([_file(("T9",))], order)
    assert entries[0].path.startswith("其他/01_") and listings[-1].folder.key == folders.OTHER
