"""County outliers: the modified z-score of a per-pupil ratio against the same ratio's county distribution.

M = 0.6745 · (x − median) / MAD, with MAD the median of |xᵢ − median|, flagged when |M| > 3.5 (Iglewicz and
Hoaglin). Computed only where the group has at least MIN_GROUP schools and MAD > 0; otherwise "not compared".
The distribution is each school's latest approved value, within the same section and school kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from django.utils.translation import gettext_lazy as _

from schools.models import KIND_SECTIONS, SECTION_LABELS

Z_FACTOR = Decimal("0.6745")
THRESHOLD = Decimal("3.5")
MIN_GROUP = 10
NOT_COMPARED = _("未比较")


@dataclass(frozen=True)
class Spread:
    """A group's median and MAD, or why it is not compared."""

    size: int
    median: Decimal | None
    mad: Decimal | None
    reason: str = ""  # "" when compared

    @property
    def compared(self) -> bool:
        return not self.reason


@dataclass(frozen=True)
class Score:
    value: Decimal
    spread: Spread
    z: Decimal | None  # None: not compared

    @property
    def flagged(self) -> bool:
        return self.z is not None and abs(self.z) > THRESHOLD


def spread(values: list[Decimal]) -> Spread:
    """Median and MAD of a group; not compared under MIN_GROUP values or with MAD = 0."""
    n = len(values)
    if n < MIN_GROUP:
        return Spread(n, None, None, str(_("同类学校不足%(n)s所，未比较") % {"n": MIN_GROUP}))
    mid = Decimal(median(values))
    mad = Decimal(median([abs(v - mid) for v in values]))
    if mad == 0:
        return Spread(n, mid, mad, str(_("同类学校数值过于集中（MAD为0），未比较")))
    return Spread(n, mid, mad)


def score(value: Decimal, group: Spread) -> Score:
    if not group.compared:
        return Score(value, group, None)
    return Score(value, group, Z_FACTOR * (value - group.median) / group.mad)


@dataclass(frozen=True)
class Ratio:
    code: str
    label: str
    numerator: str  # a figure (per section: "{s}_teachers"); the field a finding is shown beside
    per: int  # 1 (per pupil) or 100 (per hundred pupils)
    per_section: bool


RATIOS = (
    Ratio("teachers_per_100", _("每百名学生专任教师数"), "{s}_teachers", 100, True),
    Ratio("above_required_per_100", _("每百名学生高于规定学历教师数"), "{s}_teachers_above_required", 100, True),
    Ratio("backbone_per_100", _("每百名学生骨干教师数"), "{s}_teachers_backbone", 100, True),
    Ratio("pe_arts_per_100", _("每百名学生体育、艺术专任教师数"), "{s}_teachers_pe_arts", 100, True),
    Ratio("teaching_area_per_pupil", _("生均教学及辅助用房面积"), "teaching_area_m2", 1, False),
    Ratio("sports_area_per_pupil", _("生均体育运动场馆面积"), "sports_area_m2", 1, False),
    Ratio("equipment_per_pupil", _("生均教学仪器设备值"), "equipment_value_yuan", 1, False),
    Ratio("multimedia_per_100", _("每百名学生网络多媒体教室数"), "multimedia_rooms", 100, False),
    Ratio("public_funds_per_pupil", _("生均公用经费"), "public_funds_yuan", 1, False),
    Ratio("training_funds_per_pupil", _("生均教师培训经费"), "training_funds_yuan", 1, False),
)


def ratios_of(kind: str, figures: dict) -> dict[tuple[str, str], tuple[Decimal, str]]:
    """{(ratio code, section key): (value, field)} for the ratios a school of `kind` has a value for.

    Section ratios use that section's pupils; whole-school ratios use all compulsory pupils and are grouped under the
    kind's sections joined ("primary+junior"), so a nine-year school is compared with nine-year schools only.
    """
    sections = KIND_SECTIONS.get(kind, ())
    out = {}
    whole_pupils = sum(Decimal(figures.get(f"{s}_students") or 0) for s in sections)
    for ratio in RATIOS:
        if ratio.per_section:
            targets = [(s, ratio.numerator.format(s=s), Decimal(figures.get(f"{s}_students") or 0)) for s in sections]
        else:
            targets = [("+".join(sections), ratio.numerator, whole_pupils)] if sections else []
        for key, field, pupils in targets:
            amount = figures.get(field)
            if amount is None or not pupils:
                continue
            out[(ratio.code, key)] = (Decimal(amount) * ratio.per / pupils, field)
    return out


def section_label(key: str) -> str:
    return "、".join(str(SECTION_LABELS.get(s, s)) for s in key.split("+"))


RATIO_BY_CODE = {r.code: r for r in RATIOS}
