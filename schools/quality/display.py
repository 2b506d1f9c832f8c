"""What the return pages show of data quality: findings placed beside their fields, and the G5 note of a class
above the cap (a G5 failure, not a data-quality finding: it never blocks and needs no explanation)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .base import Finding

# The standard's class caps (G5; national 2017 set, INDICATORS.md). The evaluation reads its own versioned standard;
# this copy only words the note on the form. 大班额 in the national usage means 56 and more.
CLASS_CAPS = {"primary": 45, "junior": 50}


def over_cap_note(section: str, students) -> str:
    """The G5 note for a class of `students` in `section`, or "" when within the cap (or unknown)."""
    cap = CLASS_CAPS.get(section)
    if cap is None or students is None or students <= cap:
        return ""
    return _("%(n)s人，超过班额标准（%(cap)s人），计入G5未达标") % {"n": students, "cap": cap}


@dataclass
class Placed:
    by_field: dict[str, list[Finding]]
    general: list[Finding]  # whole-return findings and those of a figure the form does not show


def place(findings: list[Finding], fields) -> Placed:
    by_field: dict[str, list[Finding]] = {}
    general = []
    for f in findings:
        if f.field and f.field in fields:
            by_field.setdefault(f.field, []).append(f)
        else:
            general.append(f)
    return Placed(by_field, general)


def annotate_form(form, class_forms, findings: list[Finding]) -> list[Finding]:
    """Put each finding on its bound field (`bound.quality`) and each over-cap class's G5 note on its row
    (`row.g5_note`); return the findings with no field on the form."""
    placed = place(findings, form.fields)
    for name, found in placed.by_field.items():
        form[name].quality = found
    for row in class_forms:
        data = row.cleaned_data if hasattr(row, "cleaned_data") else {}
        section = data.get("section") or row.initial.get("section")
        students = data.get("students") if "students" in data else row.initial.get("students")
        row.g5_note = over_cap_note(section, students)
    return placed.general
