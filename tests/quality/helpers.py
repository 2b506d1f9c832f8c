"""Building ReturnData for rule tests without saving returns."""

from schools.quality.findings import Context, ReturnData, check
from tests.factories import class_rows, primary_figures

WHOLE_SCHOOL = {k: v for k, v in primary_figures().items() if not k.startswith("primary_") and k not in ("classrooms",)}


def junior_figures(students=300, classes=6, teachers=24, **overrides) -> dict:
    figures = {
        **WHOLE_SCHOOL,
        "junior_students": students,
        "junior_classes": classes,
        "junior_teachers": teachers,
        "junior_teachers_above_required": teachers - 2,
        "junior_teachers_backbone": 3,
        "junior_teachers_pe_arts": 3,
        "junior_teachers_certified": teachers,
        "classrooms": classes,
        "classrooms_connected": classes,
    }
    figures.update(overrides)
    return figures


def findings(kind="primary", location="rural", figures=None, classes=None, rooms=(), previous=None, context=None):
    figures = primary_figures() if figures is None else figures
    if classes is None:
        section = "junior" if figures.get("junior_students") else "primary"
        first = 7 if section == "junior" else 1
        classes = class_rows(section, figures[f"{section}_students"], figures[f"{section}_classes"], first)
    data = ReturnData(1, 1, kind, location, 2024, figures, list(classes), list(rooms), previous)
    return check([data], context or Context())[1]


def codes(**kwargs) -> set[str]:
    return {f.rule_code for f in findings(**kwargs)}
