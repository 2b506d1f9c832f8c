"""Demo data of 共青城 for `manage.py seed_demo`.

The county, its six real townships and the nine city departments carry real names; every school is made up and marked
`fictional=True`. Figures come from the explicit tables below plus jitter from `random.Random` seeded by the school
code, so two runs produce the same data.

Idempotence: rows are keyed by codes (township and school codes, school years, round names, usernames).
Reference data (county profile, townships, schools) is brought back to the demo values when it differs, saving
only the changed fields. Rounds, returns and users are created when missing and otherwise left alone: they are what
people change while trying the demo. Returns are written through the ORM (not the services, so no audit rows);
simple-history records them, dated as if entered and approved on the demo dates.

Extending the demo
------------------
A later feature adds its own demo data as a *step*: a callable `step(stdout)` named `DEMO_STEP` in its app's
`demo.py`. `demo_steps()` imports the `demo` module of every other installed app (as the admin discovers `admin`
modules) and collects those callables; there is no shared mutable list, so the order of imports never matters::

    def seed_projects(stdout):
        ...  # idempotent: keyed by stable codes; compare before saving
        stdout.write("建设项目 (projects): 新建 created 3")

    DEMO_STEP = seed_projects

Steps run in INSTALLED_APPS order, each in its own transaction, after the base data and before the table of demo
users. `stdout` is the command's output wrapper: `.write(text)` adds the newline.

Reference data that another app's step needs (supervision's bodies: indicators' recompute routes ledger items to
them) is a *base step* instead: a callable `step(tally, users)` named `DEMO_BASE_STEP`, run in the base data's
transaction after the demo users (`users`: username → User), in INSTALLED_APPS order. It counts its rows with
`upsert(...)` / `tally.add(...)` and names a new kind of row in `tally.labels`, for the summary.
"""

from __future__ import annotations

import datetime
import math
import random
import unicodedata
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from decimal import Decimal
from importlib import import_module
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from simple_history.utils import bulk_create_with_history

from gongqing import memberships
from gongqing.models import User
from gongqing.roles import Role

from .models import (
    CollectionRound,
    CountyProfile,
    Location,
    ReturnClass,
    ReturnRoom,
    ReturnStatus,
    RoundKind,
    School,
    SchoolKind,
    SchoolReturn,
    SchoolYear,
    Township,
    TownshipMembership,
)

TZ = ZoneInfo("Asia/Shanghai")

COUNTY = {
    "name": "共青城市",
    "code": "360482",
    "government": "共青城市人民政府",
    "area_km2": Decimal("308.00"),  # approximate, from memory of public sources: about 308 km²
    "population": 130000,  # approximate (约13万), not an official figure
    "basic_balance_year": 2016,
}

CHASHAN, GANLU, JIANGYI, JINHU, ZEQUAN, SUJIADANG = (f"36048210{i}" for i in range(6))
TOWNSHIPS = (
    (CHASHAN, "茶山街道", "chashan"),
    (GANLU, "甘露镇", "ganlu"),
    (JIANGYI, "江益镇", "jiangyi"),
    (JINHU, "金湖乡", "jinhu"),
    (ZEQUAN, "泽泉乡", "zequan"),
    (SUJIADANG, "苏家垱乡", "sujiadang"),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    full_name: str
    password: str
    township: str | None = None  # an official's township code (a department officer's body: supervision/demo.py)


USERS = (
    DemoUser("admin", Role.BUREAU_ADMIN, "张建华", "Demo#2024admin"),
    DemoUser("staff", Role.BUREAU_STAFF, "李晓燕", "Demo#2024staff"),
    DemoUser("ganlu", Role.TOWNSHIP_OFFICIAL, "王志强", "Demo#2024ganlu", township=GANLU),
    DemoUser("jiangyi", Role.TOWNSHIP_OFFICIAL, "刘芳", "Demo#2024jiangyi", township=JIANGYI),
    DemoUser("leader", Role.LEADERSHIP, "陈国平", "Demo#2024leader"),
    DemoUser("finance", Role.DEPARTMENT_OFFICER, "赵丽萍", "Demo#2024finance"),
    DemoUser("auditor", Role.AUDITOR, "周敏", "Demo#2024auditor"),
    DemoUser("jiujiang_api", Role.API_CLIENT, "九江市教育局数据接口", "Demo#2024jiujiang"),
)


@dataclass(frozen=True)
class Year:
    """One school's figures for one school year, as parameters; `_build` turns them into a return."""

    primary: tuple[int, int] | None = None  # (students, classes)
    junior: tuple[int, int] | None = None
    senior: int | None = None
    special: int | None = None
    sports: int = 0  # m², whole school
    class_range: tuple[int, int] | None = None  # smallest and largest class; default: near the mean, within the cap
    teaching_per: float = 5.4  # m² per primary-equivalent student (junior counts 1.1, senior 1.32)
    equipment_per: float = 2450  # yuan per primary-equivalent student
    multimedia_per100: float = 2.7
    backbone_per100: float = 1.3
    pe_arts_per100: float = 1.2
    uncertified: int = 0
    public_funds: int | None = None  # explicit; default: per-student base rates
    training_share: float | None = None  # share of public funds; default: between 5.2% and 7.5%
    music: tuple[float | None, ...] | None = None  # room areas; default: as many compliant rooms as G3 asks
    art: tuple[float | None, ...] | None = None


@dataclass(frozen=True)
class Interim:
    """A return in the 2025年3月自查 round: the 2024 official parameters with `changes`."""

    status: str
    changes: dict = field(default_factory=dict)
    comment: str = ""


@dataclass(frozen=True)
class DemoSchool:
    code: str
    name: str
    township: str
    kind: str
    location: str
    years: dict[int, Year]
    ownership: str = "public"
    boarding: bool = False
    parent: str | None = None
    closed: int | None = None
    interim: Interim | None = None


def _same(y: Year, **changes) -> dict[int, Year]:
    """A school whose 2024 figures are its 2023 ones with `changes`."""
    return {2023: y, 2024: replace(y, **changes)}


P, J, NINE, CS = SchoolKind.PRIMARY, SchoolKind.JUNIOR, SchoolKind.NINE_YEAR, SchoolKind.COMPLETE_SECONDARY
POINT, SPECIAL = SchoolKind.TEACHING_POINT, SchoolKind.SPECIAL
URBAN, TOWN, RURAL = Location.URBAN, Location.TOWN, Location.RURAL
APPROVED, SUBMITTED, RETURNED, DRAFT = (
    ReturnStatus.APPROVED,
    ReturnStatus.SUBMITTED,
    ReturnStatus.RETURNED,
    ReturnStatus.DRAFT,
)

# Parents come before their teaching points. What the numbers tell (official rounds; the tables are the truth):
# - 第一小学: oversized (2380, then 2310 > 2000), classes of 52–58 then 47–53 (> 45), short of teaching area (R4) and
#   sports area (R5) in both years despite a new 风雨操场 in 2024; its 2025年3月自查 return (submitted) adds a building.
# - 第二小学: sports area 2.2 m² per student in 2023 (R5), a new sports ground in 2024 (7.7): improved.
# - 第四小学: few backbone teachers in 2023 (R2 0.46), hired in 2024; 2 art rooms where 30 classes need 3 (G3) in both
#   years; the third art room shows in the approved 自查 return.
# - 第五小学: equipment about 1,420 then 1,580 yuan per student (R6) in both years; new equipment in its submitted 自查.
# - 启明小学 (private): sports area 6.6 m² per student in 2023 (R5), 7.6 in 2024.
# - 甘露镇中心小学: a 72 m² music room (G3) until the approved 自查 return (98 m²).
# - 甘露镇桃花村小学: a 68 m² art room (G3) and one teacher without a certificate (G12) in both years.
# - 甘露镇南山村小学: little equipment and 2 multimedia rooms (R6, R7: fails two) in 2023; both fixed in 2024.
# - 江益镇中学: a music room of unknown area; the draft 自查 return measures it at 88 m².
# - 金湖乡堤湾村小学: 86 then 81 students funded 52,000 / 54,000 yuan, below 100 × 650 (G6); its 自查 is sent back.
# - 苏家垱乡中学: training funds 3.8% of public funds (Q4); a draft 自查 return raises them to 5.2%.
# - 泽泉乡长岭村小学 is merged into 泽泉乡中心小学 from 2024 (closed=2024) and keeps its 2023 return.
# - County: the primary R5 (sports area) CV is about 0.61 in 2023 and 0.45 in 2024 (limit 0.50).
SCHOOLS: tuple[DemoSchool, ...] = (
    # 茶山街道: the city centre.
    DemoSchool(
        "2136480001", "共青城市第一小学", CHASHAN, P, URBAN,
        {
            2023: Year(primary=(2380, 44), class_range=(52, 58), sports=6200, teaching_per=4.0),
            2024: Year(primary=(2310, 46), class_range=(47, 53), sports=10500, teaching_per=4.1),
        },
        interim=Interim(SUBMITTED, {"teaching_per": 4.8}),
    ),
    DemoSchool(
        "2136480002", "共青城市第二小学", CHASHAN, P, URBAN,
        _same(Year(primary=(1860, 42), sports=4100), primary=(1895, 43), sports=14500),
    ),
    DemoSchool("2136480003", "共青城市第三小学", CHASHAN, P, URBAN,
               _same(Year(primary=(1520, 36), sports=12000), primary=(1545, 36))),
    DemoSchool(
        "2136480004", "共青城市第四小学", CHASHAN, P, URBAN,
        _same(Year(primary=(1310, 30), sports=10300, backbone_per100=0.45, art=(95.0, 92.5)),
              primary=(1335, 30), backbone_per100=1.15),
        interim=Interim(APPROVED, {"art": (95.0, 92.5, 91.0)}),
    ),
    DemoSchool(
        "2136480005", "共青城市第五小学", CHASHAN, P, URBAN,
        _same(Year(primary=(1240, 29), sports=9800, equipment_per=1350), primary=(1262, 29), equipment_per=1500),
        interim=Interim(SUBMITTED, {"equipment_per": 2280}),
    ),
    DemoSchool("2136480006", "共青城市启明小学", CHASHAN, P, URBAN,
               _same(Year(primary=(960, 24), sports=6300), primary=(985, 24), sports=7500), ownership="private"),
    DemoSchool(
        "2136480007", "共青城市茶山学校", CHASHAN, NINE, URBAN,
        _same(Year(primary=(900, 21), junior=(520, 11), sports=12500), primary=(930, 21), junior=(540, 12)),
    ),
    DemoSchool("2136480008", "共青城市第一中学", CHASHAN, J, URBAN,
               _same(Year(junior=(1720, 36), sports=19000), junior=(1755, 36))),
    DemoSchool("2136480009", "共青城市第二中学", CHASHAN, J, URBAN,
               _same(Year(junior=(1180, 25), sports=12500), junior=(1210, 25))),
    DemoSchool(
        "2136480010", "共青城市博文中学", CHASHAN, CS, URBAN,
        _same(Year(junior=(1050, 22), senior=1280, sports=26000), junior=(1070, 22), senior=1310),
        boarding=True,
    ),
    DemoSchool(
        "2136480011", "共青城市特殊教育学校", CHASHAN, SPECIAL, URBAN,
        _same(Year(special=86, sports=2400, teaching_per=14.0, equipment_per=5200, music=(85.0,), art=(80.0,)),
              special=91),
        boarding=True,
    ),
    DemoSchool("2136480012", "茶山街道湖光村小学", CHASHAN, P, RURAL,
               _same(Year(primary=(210, 6), sports=5200), primary=(198, 6))),
    # 甘露镇
    DemoSchool(
        "2136481001", "甘露镇中心小学", GANLU, P, TOWN,
        _same(Year(primary=(1020, 24), sports=8600, music=(72.0, 101.5)), primary=(1040, 24)),
        boarding=True,
        interim=Interim(APPROVED, {"music": (98.0, 101.5)}),
    ),
    DemoSchool("2136481002", "甘露镇中学", GANLU, J, TOWN,
               _same(Year(junior=(760, 16), sports=9800), junior=(772, 16)), boarding=True),
    DemoSchool("2136481003", "甘露镇桃花村小学", GANLU, P, RURAL,
               _same(Year(primary=(230, 6), sports=3800, art=(68.0,), uncertified=1), primary=(221, 6))),
    DemoSchool(
        "2136481004", "甘露镇南山村小学", GANLU, P, RURAL,
        _same(Year(primary=(160, 6), sports=2900, equipment_per=1500, multimedia_per100=1.2),
              primary=(152, 6), equipment_per=2300, multimedia_per100=2.6),
    ),
    # 江益镇
    DemoSchool("2136482001", "江益镇中心小学", JIANGYI, P, TOWN,
               _same(Year(primary=(880, 21), sports=7400), primary=(896, 21)), boarding=True),
    DemoSchool(
        "2136482002", "江益镇中学", JIANGYI, J, TOWN,
        _same(Year(junior=(640, 14), sports=8200, music=(100.0, None)), junior=(652, 14)),
        boarding=True,
        interim=Interim(DRAFT, {"music": (100.0, 88.0)}),  # the unknown room measured: too small
    ),
    DemoSchool("2136482003", "江益镇沙湖村小学", JIANGYI, P, RURAL,
               _same(Year(primary=(130, 6), sports=2600), primary=(124, 6))),
    DemoSchool("2136482004", "江益镇新塘教学点", JIANGYI, POINT, RURAL,
               _same(Year(primary=(36, 3), sports=800), primary=(33, 3)), parent="2136482001"),
    # 金湖乡
    DemoSchool(
        "2136483001", "共青城市金湖学校", JINHU, NINE, TOWN,
        _same(Year(primary=(620, 15), junior=(430, 9), sports=11500), primary=(612, 15), junior=(441, 9)),
        boarding=True,
    ),
    DemoSchool("2136483002", "金湖乡柳林教学点", JINHU, POINT, RURAL,
               _same(Year(primary=(24, 3), sports=600), primary=(22, 3)), parent="2136483001"),
    DemoSchool(
        "2136483003", "金湖乡堤湾村小学", JINHU, P, RURAL,
        _same(Year(primary=(86, 6), sports=2400, public_funds=52000), primary=(81, 6), public_funds=54000),
        interim=Interim(RETURNED, {"public_funds": 56000}, "公用经费不足100人的学校应按100人核定（不低于65000元），"
                                                          "请与乡财政所核实后重新填报。"),
    ),
    # 泽泉乡
    DemoSchool("2136484001", "泽泉乡中心小学", ZEQUAN, P, TOWN,
               _same(Year(primary=(690, 17), sports=6800), primary=(838, 20))),
    DemoSchool("2136484002", "泽泉乡长岭村小学", ZEQUAN, P, RURAL,
               {2023: Year(primary=(150, 6), sports=2800)}, closed=2024),  # merged into 泽泉乡中心小学 in 2024
    DemoSchool("2136484003", "泽泉乡横港教学点", ZEQUAN, POINT, RURAL,
               _same(Year(primary=(48, 4), sports=900), primary=(45, 4)), parent="2136484001"),
    DemoSchool("2136484004", "泽泉乡中学", ZEQUAN, J, TOWN,
               _same(Year(junior=(610, 13), sports=7100), junior=(618, 13)), boarding=True),
    # 苏家垱乡
    DemoSchool("2136485001", "苏家垱乡中心小学", SUJIADANG, P, TOWN,
               _same(Year(primary=(640, 16), sports=5900), primary=(652, 16))),
    DemoSchool(
        "2136485002", "苏家垱乡中学", SUJIADANG, J, TOWN,
        _same(Year(junior=(620, 14), sports=6800, training_share=0.038), junior=(608, 14)),
        boarding=True,
        interim=Interim(DRAFT, {"training_share": 0.052}),
    ),
    DemoSchool("2136485003", "苏家垱乡梅岭村小学", SUJIADANG, P, RURAL,
               _same(Year(primary=(170, 6), sports=3300), primary=(163, 6))),
)  # fmt: skip

YEARS = (2023, 2024)
INTERIM_NAME = "2025年3月自查"
# The demo's rounds move with today, as the demo cycle does (supervision/demo.py shifts its stages so that today falls
# in the middle of stage 3): on DATES_AS_OF the rounds and their returns carry the dates written here; on any other day
# every one of those dates moves by the same number of days. So the 2023 round always lies before the end of stage 1
# and the 2024 rounds after it (the stage reports rest on different rounds whatever the date); the figures, the school
# years and the round names stay as written.
DATES_AS_OF = datetime.date(2025, 4, 10)
# (submitted, approved) of the official rounds; the interim round's dates are in `_interim_times`.
OFFICIAL_TIMES = {
    2023: (datetime.datetime(2023, 10, 9, 9, 30, tzinfo=TZ), datetime.datetime(2023, 10, 20, 15, 0, tzinfo=TZ)),
    2024: (datetime.datetime(2024, 10, 10, 9, 30, tzinfo=TZ), datetime.datetime(2024, 10, 22, 15, 0, tzinfo=TZ)),
}
BASE_RATES = {"primary": 730, "junior": 940, "senior": 1200, "special": 6500}  # yuan per student and year
CLASS_CAPS = {"primary": 45, "junior": 50}
GRADE_NAMES = "一二三四五六七八九"


# ---------------------------------------------------------------------------------------------------------------------
# Figures


@dataclass
class Built:
    figures: dict
    classes: list[tuple[str, int, str, int]]  # (section, grade, name, students)
    rooms: list[tuple[str, Decimal | None]]


def _split(students: int, n: int, bounds: tuple[int, int], rng: random.Random) -> list[int]:
    """`students` over `n` classes, each within `bounds`, unevenly but deterministically."""
    base, extra = divmod(students, n)
    sizes = [base + (1 if i < extra else 0) for i in range(n)]
    lo, hi = bounds
    for _ in range(n * 2):
        i, j, d = rng.randrange(n), rng.randrange(n), rng.randint(1, 3)
        if i != j and sizes[i] - d >= lo and sizes[j] + d <= hi:
            sizes[i] -= d
            sizes[j] += d
    return sizes


def _class_rows(section: str, students: int, n: int, bounds, rng) -> list[tuple[str, int, str, int]]:
    first = 1 if section == "primary" else 7
    grades = min(n, 6 if section == "primary" else 3)
    per_grade = [n // grades + (1 if g < n % grades else 0) for g in range(grades)]
    if bounds is None:
        mean = students // n
        bounds = (max(1, mean - 4), min(CLASS_CAPS[section], mean + 5))
    sizes = iter(_split(students, n, bounds, rng))
    return [
        (section, first + g, f"{GRADE_NAMES[first + g - 1]}年级（{k}）班", next(sizes))
        for g, count in enumerate(per_grade)
        for k in range(1, count + 1)
    ]


def _yuan(value: float) -> Decimal:
    return Decimal(round(value / 100) * 100)


def _m2(value: float) -> Decimal:
    return Decimal(round(value))


def _rooms(kind: str, areas, needed: int, rng: random.Random) -> list[tuple[str, Decimal | None]]:
    if areas is None:
        lo, hi = (96, 112) if kind == "music" else (90, 104)
        areas = [rng.randint(lo * 2, hi * 2) / 2 for _ in range(needed)]
    return [(kind, None if a is None else Decimal(str(a))) for a in areas]


def _build(school: DemoSchool, year: int, y: Year, point_classes: int = 0) -> Built:
    """A return's figures, class list and rooms. Randomness is seeded by code (and year for classes): stable."""
    fixed = random.Random(school.code)
    teaching_jitter, equipment_jitter, funds_jitter = (fixed.uniform(0.99, 1.08) for _ in range(3))
    training_share = y.training_share or fixed.uniform(0.052, 0.075)
    a, b = (y.primary or (0, 0))[0], (y.junior or (0, 0))[0]
    c, s = y.senior or 0, y.special or 0
    weighted = a + 1.1 * b + 1.32 * c + 3 * s
    figures: dict = {}
    classes: list = []
    class_rng = random.Random(f"{school.code}/{year}")
    for section, pair in (("primary", y.primary), ("junior", y.junior)):
        if pair is None:
            continue
        students, n = pair
        per_teacher, per_class = (18.5, 1.25) if section == "primary" else (12.5, 2.2)
        teachers = max(round(students / per_teacher), math.ceil(n * per_class))
        above = 0.9 if section == "primary" else 0.86
        figures |= {
            f"{section}_students": students,
            f"{section}_classes": n,
            f"{section}_teachers": teachers,
            f"{section}_teachers_above_required": round(teachers * above),
            f"{section}_teachers_backbone": min(teachers, math.ceil(students * y.backbone_per100 / 100)),
            f"{section}_teachers_pe_arts": min(teachers, math.ceil(students * y.pe_arts_per100 / 100)),
            f"{section}_teachers_certified": teachers - y.uncertified,
        }
        classes += _class_rows(section, students, n, y.class_range, class_rng)
    if school.kind == SchoolKind.COMPLETE_SECONDARY:
        figures["senior_students"] = c
    if school.kind == SchoolKind.SPECIAL:
        special_teachers = math.ceil(s / 3.5)  # about one full-time teacher to 3.5 pupils in a special school
        figures |= {
            "special_students": s,
            "special_teachers": special_teachers,
            "special_teachers_certified": special_teachers - y.uncertified,
        }
    funded = {"primary": max(a, 100) if school.location == RURAL and a else a, "junior": b, "senior": c, "special": s}
    public = y.public_funds or sum(n * BASE_RATES[k] for k, n in funded.items()) * funds_jitter
    teaching = weighted * y.teaching_per * teaching_jitter
    n_classes = len(classes) + point_classes
    figures |= {
        "teaching_area_m2": _m2(teaching),
        "sports_area_m2": _m2(y.sports),
        "equipment_value_yuan": _yuan(weighted * y.equipment_per * equipment_jitter),
        "multimedia_rooms": max(1, math.ceil(weighted * y.multimedia_per100 / 100)),
        "public_funds_yuan": _yuan(public),
        "training_funds_yuan": _yuan(public * training_share),
        "land_area_m2": _m2((teaching * 1.8 + y.sports * 1.25 + 1500) / 10) * 10,
        "classrooms": len(classes) or 6,
        # Two rural classrooms per school are not yet on 班班通 (the plan's target T2 is every classroom).
        "classrooms_connected": (len(classes) or 6) - (2 if school.location == RURAL and len(classes) > 2 else 0),
    }
    needed = max(1, math.ceil(n_classes / 12)) if school.kind != SchoolKind.TEACHING_POINT else 0
    room_rng = random.Random(f"{school.code}/rooms")
    rooms = _rooms("music", y.music, needed, room_rng) + _rooms("art", y.art, needed, room_rng)
    return Built(figures, classes, rooms)


def demo_returns() -> list[tuple[DemoSchool, int, str | None, Built, Interim | None]]:
    """Every demo return as (school, school year, round name or None for official, built figures, interim spec)."""
    out = []
    for year in YEARS:
        for school in SCHOOLS:
            if year in school.years:
                out.append(
                    (school, year, None, _build(school, year, school.years[year], _point_classes(school, year)), None)
                )
    for school in SCHOOLS:
        if school.interim is not None:
            y = replace(school.years[2024], **school.interim.changes)
            built = _build(school, 2024, y, _point_classes(school, 2024))
            out.append((school, 2024, INTERIM_NAME, built, school.interim))
    return out


def _point_classes(school: DemoSchool, year: int) -> int:
    return sum(p.years[year].primary[1] for p in SCHOOLS if p.parent == school.code and year in p.years)


# ---------------------------------------------------------------------------------------------------------------------
# Loading


class Tally:
    """What a run created, updated or found present, by kind of row."""

    def __init__(self):
        self.counts: dict[str, Counter] = {}
        self.created_users: set[str] = set()
        self.labels: dict[str, str] = dict(LABELS)  # kind of row → its name in the summary

    def add(self, what: str, outcome: str, n: int = 1) -> None:
        self.counts.setdefault(what, Counter())[outcome] += n


def upsert(model, tally: Tally, what: str, lookup: dict, values: dict):
    """Create the row, or bring the listed fields back to `values`, saving only what differs."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        tally.add(what, "created")
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
    tally.add(what, "updated" if changed else "present")
    return obj


def seed_base(tally: Tally) -> dict[str, User]:
    """County, townships, schools, years and rounds, users, the apps' base steps, returns. Returns the demo users by
    username."""
    profile = CountyProfile.objects.order_by("pk").first()
    upsert(CountyProfile, tally, "county", {"pk": profile.pk} if profile else {}, COUNTY)
    townships = {
        code: upsert(Township, tally, "townships", {"code": code}, {"name": name, "order": i})
        for i, (code, name, _slug) in enumerate(TOWNSHIPS)
    }
    schools = _seed_schools(tally, townships)
    rounds = _seed_rounds(tally)
    users = _seed_users(tally, townships)
    for step in demo_base_steps():
        step(tally, users)
    _seed_returns(tally, schools, rounds, users)
    return users


def _seed_schools(tally: Tally, townships: dict[str, Township]) -> dict[str, School]:
    schools: dict[str, School] = {}
    for spec in SCHOOLS:
        values = {
            "name": spec.name,
            "township": townships[spec.township],
            "kind": spec.kind,
            "location": spec.location,
            "ownership": spec.ownership,
            "boarding": spec.boarding,
            "parent": schools[spec.parent] if spec.parent else None,
            "opened": None,
            "closed": spec.closed,
            "fictional": True,
        }
        schools[spec.code] = upsert(School, tally, "schools", {"code": spec.code}, values)
    return schools


def _seed_rounds(tally: Tally) -> dict[tuple[int, str | None], CollectionRound]:
    shift = date_shift()
    rounds = {}
    for year in YEARS:
        school_year, created = SchoolYear.objects.get_or_create(year=year)
        tally.add("school_years", "created" if created else "present")
        rounds[(year, None)] = _get_or_create(
            CollectionRound,
            tally,
            "rounds",
            {"school_year": school_year, "kind": RoundKind.OFFICIAL},
            {
                "name": f"{year}年正式批次",
                "as_of": datetime.date(year, 9, 1) + shift,
                "due_date": datetime.date(year, 10, 15) + shift,
                "is_open": False,
            },
        )
    rounds[(2024, INTERIM_NAME)] = _get_or_create(
        CollectionRound,
        tally,
        "rounds",
        {"school_year": rounds[(2024, None)].school_year, "kind": RoundKind.INTERIM, "name": INTERIM_NAME},
        {"as_of": datetime.date(2025, 3, 1) + shift, "due_date": datetime.date(2025, 3, 31) + shift, "is_open": True},
    )
    return rounds


def date_shift(today: datetime.date | None = None) -> datetime.timedelta:
    """How far the demo's dates move from those written here (see DATES_AS_OF)."""
    return (today or timezone.localdate()) - DATES_AS_OF


def _get_or_create(model, tally: Tally, what: str, lookup: dict, defaults: dict):
    obj, created = model.objects.get_or_create(**lookup, defaults=defaults)
    tally.add(what, "created" if created else "present")
    return obj


def _seed_users(tally: Tally, townships: dict[str, Township]) -> dict[str, User]:
    existing = {u.username: u for u in User.objects.filter(username__in=[d.username for d in USERS])}
    missing = [d for d in USERS if d.username not in existing]
    with ThreadPoolExecutor(max_workers=4) as pool:  # PBKDF2 releases the GIL: hash the new users in parallel
        hashes = dict(
            zip([d.username for d in missing], pool.map(make_password, [d.password for d in missing]), strict=True)
        )
    users = {}
    for demo in USERS:
        user = existing.get(demo.username)
        if user is None:
            user = User.objects.create(
                username=demo.username,
                role=demo.role,
                full_name=demo.full_name,
                password=hashes[demo.username],
                # Demo accounts are for trying the portal: not forced to change the fixed demo password.
                password_changed_at=timezone.now(),
                must_change_password=False,
            )
            tally.created_users.add(demo.username)
        tally.add("users", "present" if demo.username in existing else "created")
        if demo.township:
            _, created = TownshipMembership.objects.get_or_create(
                user=user, defaults={"township": townships[demo.township]}
            )
            tally.add("memberships", "created" if created else "present")
        users[demo.username] = user
    return users


def _interim_times(index: int, shift: datetime.timedelta) -> tuple[datetime.datetime, datetime.datetime]:
    submitted = datetime.datetime(2025, 3, 17, 10, 0, tzinfo=TZ) + datetime.timedelta(hours=5 * index) + shift
    return submitted, submitted + datetime.timedelta(days=4)


def _seed_returns(tally: Tally, schools: dict[str, School], rounds: dict, users: dict[str, User]) -> None:
    present = set(SchoolReturn.objects.filter(round__in=rounds.values()).values_list("school__code", "round_id"))
    officials = {d.township: users[d.username] for d in USERS if d.township}
    staff = users["staff"]
    shift = date_shift()
    for index, (spec, year, round_name, built, interim) in enumerate(demo_returns()):
        round_ = rounds[(year, round_name)]
        if (spec.code, round_.pk) in present:
            tally.add("returns", "present")
            continue
        status = interim.status if interim else APPROVED
        submitted, approved = _interim_times(index, shift) if interim else (t + shift for t in OFFICIAL_TIMES[year])
        submitted += datetime.timedelta(minutes=17 * index % 600)
        submitter = officials.get(spec.township, staff)
        ret = SchoolReturn(school=schools[spec.code], round=round_, status=status, **built.figures)
        if status != DRAFT:
            ret.submitted_at, ret.submitted_by = submitted, submitter
        if status == APPROVED:
            ret.approved_at, ret.approved_by = approved, staff
        if status == RETURNED:
            ret.review_comment = interim.comment
        when = {DRAFT: submitted, SUBMITTED: submitted}.get(status, approved)
        ret._history_user = staff if status in (APPROVED, RETURNED) else submitter
        ret._history_date = when
        ret.save()
        classes = [
            ReturnClass(school_return=ret, section=section, grade=grade, name=name, students=n)
            for section, grade, name, n in built.classes
        ]
        rooms = [ReturnRoom(school_return=ret, room=room, area_m2=area) for room, area in built.rooms]
        bulk_create_with_history(classes, ReturnClass, default_user=ret._history_user, default_date=when)
        bulk_create_with_history(rooms, ReturnRoom, default_user=ret._history_user, default_date=when)
        tally.add("returns", "created")
        tally.add("classes", "created", len(classes))
        tally.add("rooms", "created", len(rooms))


# ---------------------------------------------------------------------------------------------------------------------
# Running and reporting

LABELS = {
    "county": "县域概况 (county profile)",
    "townships": "乡镇（街道） (townships)",
    "schools": "学校 (schools, all fictional)",
    "school_years": "学年 (school years)",
    "rounds": "采集批次 (collection rounds)",
    "users": "演示用户 (demo users)",
    "memberships": "用户范围 (memberships)",
    "returns": "学校填报 (returns)",
    "classes": "班级 (classes of new returns)",
    "rooms": "功能室 (rooms of new returns)",
}
OUTCOMES = (("created", "新建 created"), ("updated", "更新 updated"), ("present", "已存在 present"))


def _collect(name: str) -> list[Callable]:
    steps = []
    for config in apps.get_app_configs():
        if config.name == __package__ or not module_has_submodule(config.module, "demo"):
            continue
        step = getattr(import_module(f"{config.name}.demo"), name, None)
        if step is not None:
            steps.append(step)
    return steps


def demo_steps() -> list[Callable]:
    """The `DEMO_STEP` of every other installed app's `demo.py`, in INSTALLED_APPS order."""
    return _collect("DEMO_STEP")


def demo_base_steps() -> list[Callable]:
    """The `DEMO_BASE_STEP` of every other installed app's `demo.py`, in INSTALLED_APPS order."""
    return _collect("DEMO_BASE_STEP")


def run(*, stdout, steps: list[Callable] | None = None) -> None:
    """Seed the base data, run the apps' steps (or `steps`), print the summary and the demo users."""
    tally = Tally()
    with transaction.atomic():
        users = seed_base(tally)
    stdout.write("演示数据（共青城市，学校均为虚构） Demo data of 共青城市 (every school is fictional):")
    for key, counts in tally.counts.items():
        parts = "，".join(f"{label} {counts[o]}" for o, label in OUTCOMES if counts[o])
        stdout.write(f"  {tally.labels.get(key, key)}: {parts}")
    for step in demo_steps() if steps is None else steps:
        with transaction.atomic():
            step(stdout)
    write_user_table(stdout, users, tally.created_users)


def write_user_table(stdout, users: dict[str, User], created: set[str]) -> None:
    stdout.write("")
    stdout.write("演示用户 Demo users（固定演示密码，正式环境切勿使用 / fixed demo passwords, never for production）:")
    stdout.write("  " + "".join(_pad(h, w) for h, w in zip(USER_TABLE_HEADER, USER_TABLE_WIDTHS, strict=True)).rstrip())
    for demo in USERS:
        unit = memberships.scope(users[demo.username])  # a township (schools) or a department (supervision)
        scope = str(unit) if unit is not None else ""
        role = f"{Role(demo.role).label}（{scope}）" if scope else str(Role(demo.role).label)
        note = "新建 created" if demo.username in created else "已存在，本次未重置密码 (existing: password not reset)"
        cells = (demo.username, demo.password, users[demo.username].full_name, role, note)
        stdout.write("  " + "".join(_pad(c, w) for c, w in zip(cells, USER_TABLE_WIDTHS, strict=True)).rstrip())


USER_TABLE_HEADER = ("用户名 username", "密码 password", "姓名 full_name", "角色 role", "说明 note")
USER_TABLE_WIDTHS = (18, 20, 22, 30, 0)


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal, where CJK characters take two columns."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - shown) if width else text


def real_schools_present() -> bool:
    return School.objects.filter(fictional=False).exists()
