"""The rules the county starts with (seeded by migration 0002; the bureau edits them on the rules page).

Bands come from the demo's returns and the standard's thresholds (INDICATORS.md): they catch typing and unit
mistakes and implausible figures, never a true figure that merely fails an indicator. A class above the cap (45 / 50)
is a G5 failure, not a data-quality finding, so no rule looks at it. Class-size rules leave out teaching points and
village schools, where a 复式班 of 2–8 pupils is normal.
"""

WITH_PRIMARY_NOT_POINTS = ["primary", "nine_year", "twelve_year"]
ALL_BUT_POINTS = ["primary", "junior", "nine_year", "twelve_year", "complete_secondary"]

SEEDED_RULES = [
    # Impossible values: errors, they block saving.
    {
        "code": "class-has-pupils",
        "label": "班级学生数为0",
        "left": "min(classes.students)",
        "operator": ">=",
        "right": "1",
        "importance": "error",
        "note": "班级名单中每个班至少有1名学生；没有学生的班级应删除。",
    },
    # Structure.
    {
        "code": "classes-le-classrooms",
        "label": "班级数多于普通教室数",
        "left": "count(classes)",
        "operator": "<=",
        "right": "classrooms",
        "field": "classrooms",
        "note": "每个班需要一间普通教室。",
    },
    {
        "code": "training-le-public-funds",
        "label": "教师培训经费超过年度公用经费",
        "left": "training_funds_yuan",
        "operator": "<=",
        "right": "public_funds_yuan",
        "note": "培训经费从公用经费中列支（不低于5%），不会超过公用经费总额；常见原因是单位填错（元/万元）。",
    },
    # Teachers per 100 pupils: 19 pupils per teacher is 5.3; the demo's schools are 5.2–9.9 (primary), 7.9–8.1 (junior).
    {
        "code": "primary-teachers-per-100-low",
        "label": "小学每百名学生专任教师数过低",
        "left": "100 × primary_teachers ÷ primary_students",
        "operator": ">=",
        "right": "3",
        "section": "primary",
        "field": "primary_teachers",
    },
    {
        "code": "primary-teachers-per-100-high",
        "label": "小学每百名学生专任教师数过高",
        "left": "100 × primary_teachers ÷ primary_students",
        "operator": "<=",
        "right": "15",
        "section": "primary",
        "kinds": WITH_PRIMARY_NOT_POINTS,
        "field": "primary_teachers",
        "note": "教学点学生少，不适用。",
    },
    {
        "code": "junior-teachers-per-100-low",
        "label": "初中每百名学生专任教师数过低",
        "left": "100 × junior_teachers ÷ junior_students",
        "operator": ">=",
        "right": "4",
        "section": "junior",
        "field": "junior_teachers",
    },
    {
        "code": "junior-teachers-per-100-high",
        "label": "初中每百名学生专任教师数过高",
        "left": "100 × junior_teachers ÷ junior_students",
        "operator": "<=",
        "right": "20",
        "section": "junior",
        "field": "junior_teachers",
    },
    # Per-pupil ceilings over the class list's pupils (demo maxima: sports 29.6, teaching 15.6, equipment 6,815).
    {
        "code": "sports-area-per-pupil-ceiling",
        "label": "生均体育运动场馆面积过大",
        "left": "sports_area_m2 ÷ sum(classes.students)",
        "operator": "<=",
        "right": "80",
        "field": "sports_area_m2",
    },
    {
        "code": "teaching-area-per-pupil-ceiling",
        "label": "生均教学及辅助用房面积过大",
        "left": "teaching_area_m2 ÷ sum(classes.students)",
        "operator": "<=",
        "right": "40",
        "field": "teaching_area_m2",
    },
    {
        "code": "equipment-per-pupil-ceiling",
        "label": "生均教学仪器设备值过高",
        "left": "equipment_value_yuan ÷ sum(classes.students)",
        "operator": "<=",
        "right": "30000",
        "field": "equipment_value_yuan",
        "note": "常见原因是按元填写的数值又乘了一万（元/万元）。",
    },
    {
        "code": "public-funds-per-pupil-floor",
        "label": "生均公用经费过低",
        "left": "public_funds_yuan ÷ sum(classes.students)",
        "operator": ">=",
        "right": "300",
        "field": "public_funds_yuan",
        "note": "基准定额不低于小学650元、初中850元；低于300元多为按万元填写。",
    },
    {
        "code": "small-class-in-town",
        "label": "城镇学校班级学生数过少",
        "left": "min(classes.students)",
        "operator": ">=",
        "right": "10",
        "kinds": ALL_BUT_POINTS,
        "locations": ["urban", "town"],
        "note": "教学点和乡村学校的复式班、小班属正常，不适用。",
    },
    # Changes against the school's last approved figures (formerly WARN_CHANGES).
    {
        "code": "primary-students-rise",
        "section": "primary",
        "label": "小学在校生数比上次审核增加超过30%",
        "left": "primary_students ÷ prev(primary_students)",
        "operator": "<=",
        "right": "1.3",
    },
    {
        "code": "primary-students-drop",
        "section": "primary",
        "label": "小学在校生数比上次审核减少超过30%",
        "left": "primary_students ÷ prev(primary_students)",
        "operator": ">=",
        "right": "0.7",
    },
    {
        "code": "junior-students-rise",
        "section": "junior",
        "label": "初中在校生数比上次审核增加超过30%",
        "left": "junior_students ÷ prev(junior_students)",
        "operator": "<=",
        "right": "1.3",
    },
    {
        "code": "junior-students-drop",
        "section": "junior",
        "label": "初中在校生数比上次审核减少超过30%",
        "left": "junior_students ÷ prev(junior_students)",
        "operator": ">=",
        "right": "0.7",
    },
    {
        "code": "teaching-area-drop",
        "label": "教学及辅助用房面积比上次审核减少超过10%",
        "left": "teaching_area_m2 ÷ prev(teaching_area_m2)",
        "operator": ">=",
        "right": "0.9",
    },
    {
        "code": "sports-area-drop",
        "label": "体育运动场馆面积比上次审核减少超过10%",
        "left": "sports_area_m2 ÷ prev(sports_area_m2)",
        "operator": ">=",
        "right": "0.9",
    },
    {
        "code": "land-area-drop",
        "label": "学校占地面积比上次审核减少超过10%",
        "left": "land_area_m2 ÷ prev(land_area_m2)",
        "operator": ">=",
        "right": "0.9",
    },
    {
        "code": "equipment-drop",
        "label": "教学仪器设备值比上次审核减少超过20%",
        "left": "equipment_value_yuan ÷ prev(equipment_value_yuan)",
        "operator": ">=",
        "right": "0.8",
    },
]
