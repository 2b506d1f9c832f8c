"""Evaluate a standalone exchange file (returns.csv or an XLSX) with the national standard; nothing is stored.

The file is read with the exchange parser of schools/exchange (the same checks, messages and row/column names
as an upload). The upload needs every row to be a registered school; this command does not look at the
registry. Instead the returns table carries the registry columns itself (a thin adapter takes them out before
the exchange parser sees the table and builds `SchoolFigures` directly):

  kind 办学类型 (required)      primary / junior / nine_year / twelve_year / complete_secondary / teaching_point /
                                special, or the Chinese name (小学, 九年一贯制学校, 教学点 ...)
  township 乡镇（街道）          optional, shown only
  location 城乡类别              urban / town / rural or 城区 / 镇区 / 乡村; default urban (G6 applies to rural)
  ownership 举办者               public / private or 公办 / 民办; default public
  boarding 寄宿制                是/否, 1/0; default no
  parent_code 所属学校标识码     a teaching point's parent school (needed by policy merge)
  school_name                    the school's name (CSV; the XLSX sheet has 学校名称 already)

CSV: returns.csv needs the `school_year` column as for an upload; classes.csv and rooms.csv in the same folder
are read too when present (the complete class and room lists). XLSX: the sheets 学校填报, 班级 and 功能室.
County items and the survey are not in the file, so the verdict is provisional at best.
"""

from __future__ import annotations

import io
from dataclasses import fields as dataclass_fields
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongqing.uploads import UploadRejected, check_upload
from indicators import storing, verdicts
from indicators.domain.display import format_value
from indicators.domain.evaluate import Evaluation, evaluate
from indicators.domain.gcpause import gc_paused
from indicators.domain.inputs import POLICIES, ClassFigures, EvaluationInput, RoomFigures, SchoolFigures, SectionFigures
from indicators.domain.sections import SECTIONS_OF_KIND
from indicators.domain.serialize import evaluation_text
from indicators.domain.standard import national_2017
from indicators.models import TeachingPointPolicy
from schools.exchange import formats
from schools.exchange.formats import CLASSES, RETURNS, ROOMS, CellError, normalise_header
from schools.exchange.importer import Entry, ExchangeProblem, Plan, locate, parse_tables
from schools.exchange.reader import Table, read_csv, read_workbook
from schools.models import FIGURE_FIELDS, SECTION_LABELS, Location, Ownership, School, SchoolKind
from schools.validation import ClassRow, RoomRow, label, validate_return

BAD_FILE = 2


def _choice(choices, what: str):
    mapping = {str(k).lower(): str(k) for k, _label in choices}
    mapping.update({str(v): str(k) for k, v in choices})

    def parse(value: Any) -> str | None:
        text = formats.parse_text(value)
        if not text:
            return None
        found = mapping.get(text.lower()) or mapping.get(text)
        if found is None:
            raise CellError(_("应为%(what)s，而不是“%(value)s”") % {"what": what, "value": text[:20]})
        return found

    return parse


# key → (headers accepted, parser)
REGISTRY_COLUMNS: dict[str, tuple[tuple[str, ...], Any]] = {
    "kind": (("kind", "办学类型"), _choice(SchoolKind.choices, "办学类型（如小学、初中、九年一贯制学校、教学点）")),
    "township": (("township", "乡镇（街道）", "乡镇", "街道"), formats.parse_text),
    "location": (("location", "城乡类别"), _choice(Location.choices, "城区、镇区或乡村")),
    "ownership": (("ownership", "举办者", "办学性质"), _choice(Ownership.choices, "公办或民办")),
    "boarding": (("boarding", "寄宿制"), formats.parse_bool),
    "parent_code": (("parent_code", "所属学校标识码", "所属学校"), formats.parse_code),
    "school_name": (("school_name",), formats.parse_text),
}
_HEADER_KEYS = {normalise_header(h): key for key, (headers, _p) in REGISTRY_COLUMNS.items() for h in headers}


def _registry_of(table: Table) -> tuple[Table, dict[int, dict], dict[str, str]]:
    """Take the registry columns out of the returns table: (the table without them, values by row, headers)."""
    keep: list[int] = []
    registry: dict[str, int] = {}
    headers: dict[str, str] = {}
    for i, raw in enumerate(table.headers):
        key = _HEADER_KEYS.get(normalise_header(raw))
        if key == "school_name" and not table.csv:
            key = None
        if key is None or key in registry:
            keep.append(i)
        else:
            registry[key] = i
            headers[key] = str(raw).strip()
    stripped = Table(
        kind=table.kind,
        title=table.title,
        headers=[table.headers[i] for i in keep],
        rows=[(n, tuple(values[i] for i in keep)) for n, values in table.rows],
        csv=table.csv,
    )
    raw_values = {n: {key: values[i] for key, i in registry.items()} for n, values in table.rows}
    return stripped, raw_values, headers


def read_tables(path: Path) -> list[Table]:
    """The tables of the file (and, for a CSV, classes.csv / rooms.csv beside it)."""
    if path.suffix.lower() != ".csv":
        checked = check_upload(_opened(path), allowed={"xlsx"})
        return list(read_workbook(checked).values())
    tables = [_csv_table(path)]
    for sibling in ("classes.csv", "rooms.csv"):
        other = path.with_name(sibling)
        if other.exists() and other.resolve() != path.resolve():
            tables.append(_csv_table(other))
    return tables


def _opened(path: Path):
    data = io.BytesIO(path.read_bytes())
    data.name = path.name
    return data


def _csv_table(path: Path) -> Table:
    checked = check_upload(_opened(path), allowed={"csv", "text"})
    return read_csv(checked.stream, path.name)


def _registry_values(raw: dict[int, dict], headers: dict[str, str], title: str, problems: list) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for number, values in raw.items():
        parsed: dict[str, Any] = {}
        for key, value in values.items():
            try:
                parsed[key] = REGISTRY_COLUMNS[key][1](value)
            except CellError as exc:
                problems.append(ExchangeProblem(title, str(exc), row=number, column=headers[key]))
        if "kind" in headers and not formats.parse_text(values.get("kind")):
            problems.append(ExchangeProblem(title, _("请填写办学类型。"), row=number, column=headers["kind"]))
        out[number] = parsed
    return out


def school_figures(tables: list[Table], policy: str) -> EvaluationInput:
    """The evaluation input of the file's schools; raises CommandError (exit 2) listing every problem."""
    returns = next((t for t in tables if t.kind == RETURNS), None)
    problems: list[ExchangeProblem] = []
    registry: dict[int, dict] = {}
    if returns is not None:
        stripped, raw, headers = _registry_of(returns)
        tables = [stripped if t is returns else t for t in tables]
        if "kind" not in headers:
            problems.append(
                ExchangeProblem(
                    returns.title,
                    _(
                        "缺少办学类型列（kind 或 办学类型）。单独评估文件时不查询学校名录，请在每行填写办学类型"
                        "（小学、初中、九年一贯制学校、教学点等），教学点另填所属学校标识码（parent_code）。"
                    ),
                    row=1,
                )
            )
        registry = _registry_values(raw, headers, returns.title, problems)
    parsed, parse_problems = parse_tables(tables)
    problems += parse_problems
    if problems or RETURNS not in parsed:
        _fail(problems)
    ret = parsed[RETURNS]
    records = {}
    years = {}
    for record in ret.records:
        code = record.values["school_code"]
        if code in records:
            problems.append(
                ExchangeProblem(
                    ret.title,
                    _("学校标识码“%(code)s”重复（另见第%(row)s行）。") % {"code": code, "row": records[code].number},
                    row=record.number,
                    column=ret.headers["school_code"],
                )
            )
            continue
        records[code] = record
        if record.values.get("school_year") is not None:
            years.setdefault(record.values["school_year"], record)
    if len(years) > 1:
        first, *others = sorted(years.values(), key=lambda r: r.number)
        for r in others:
            problems.append(
                ExchangeProblem(
                    ret.title,
                    _("一次只能评估一个学年（第%(row)s行为%(year)s）。")
                    % {"row": first.number, "year": first.values["school_year"]},
                    row=r.number,
                    column=ret.headers["school_year"],
                )
            )
    lists = {CLASSES: {c: [] for c in records}, ROOMS: {c: [] for c in records}}
    for kind in (CLASSES, ROOMS):
        table = parsed.get(kind)
        for record in table.records if table else []:
            code = record.values["school_code"]
            if code not in records:
                problems.append(
                    ExchangeProblem(
                        table.title,
                        _("学校标识码“%(code)s”不在“%(table)s”中。") % {"code": code, "table": ret.title},
                        row=record.number,
                        column=table.headers["school_code"],
                    )
                )
                continue
            v = record.values
            row = (
                ClassRow(v.get("section") or "", v.get("grade"), v.get("name") or "", v.get("students"))
                if kind == CLASSES
                else RoomRow(v.get("room") or "", v.get("area_m2"))
            )
            lists[kind][code].append((record.number, row))
    plan = Plan(
        round=None,
        entries=[],
        returns_title=ret.title,
        classes_title=parsed[CLASSES].title if CLASSES in parsed else None,
        rooms_title=parsed[ROOMS].title if ROOMS in parsed else None,
        headers={f: ret.headers.get(f) or (f if ret.table.csv else label(f)) for f in FIGURE_FIELDS},
        csv=ret.table.csv,
    )
    schools = []
    for code, record in records.items():
        reg = registry.get(record.number, {})
        figures = {f: record.values.get(f) for f in FIGURE_FIELDS}
        kind = reg.get("kind") or SchoolKind.PRIMARY
        name = reg.get("school_name") or record.values.get("school_name") or code
        classes, rooms = lists[CLASSES][code], lists[ROOMS][code]
        found = validate_return(
            kind=kind, figures=figures, classes=[c for _n, c in classes], rooms=[r for _n, r in rooms]
        )
        errors = [p for p in found if p.is_error]
        if errors:  # the entry (and its unsaved School) only to word and place the problems
            school = School(code=code, name=name, kind=kind)
            entry = Entry(school=school, row=record.number, current=None, figures=figures, classes=classes, rooms=rooms)
            problems += locate(plan, entry, errors)
        schools.append(_figures(code, name, reg, figures, classes, rooms))
    parent_header = next((h for h in returns.headers if _HEADER_KEYS.get(normalise_header(h)) == "parent_code"), None)
    for school in schools:
        if school.parent_code and school.parent_code not in records:
            problems.append(
                ExchangeProblem(
                    ret.title,
                    _("所属学校“%(code)s”不在文件中。") % {"code": school.parent_code},
                    row=records[school.code].number,
                    column=str(parent_header) if parent_header else None,
                )
            )
    if problems:
        _fail(problems)
    return EvaluationInput(
        schools=tuple(schools),
        expected_school_codes=tuple(records),
        standard=national_2017(),
        teaching_point_policy=policy,
    )


SECTION_SUFFIXES = tuple(f.name for f in dataclass_fields(SectionFigures))
_SECTION_KEYS = {s: tuple((x, f"{s}_{x}") for x in SECTION_SUFFIXES) for s in ("primary", "junior")}


def _figures(code: str, name: str, reg: dict, figures: dict, classes: list, rooms: list) -> SchoolFigures:
    kind = reg.get("kind") or SchoolKind.PRIMARY
    sections = SECTIONS_OF_KIND[kind]

    def section(s: str) -> SectionFigures | None:
        if s not in sections:
            return None
        return SectionFigures(**{x: figures.get(key) for x, key in _SECTION_KEYS[s]})

    return SchoolFigures(
        code=code,
        name=name,
        township=reg.get("township") or "",
        kind=kind,
        location=reg.get("location") or "urban",
        ownership=reg.get("ownership") or "public",
        boarding=bool(reg.get("boarding")),
        parent_code=reg.get("parent_code") or None,
        primary=section("primary"),
        junior=section("junior"),
        senior_students=figures.get("senior_students"),
        special_students=figures.get("special_students"),
        special_teachers=figures.get("special_teachers"),
        special_teachers_certified=figures.get("special_teachers_certified"),
        teaching_area_m2=figures.get("teaching_area_m2"),
        sports_area_m2=figures.get("sports_area_m2"),
        equipment_value_yuan=figures.get("equipment_value_yuan"),
        multimedia_rooms=figures.get("multimedia_rooms"),
        public_funds_yuan=figures.get("public_funds_yuan"),
        training_funds_yuan=figures.get("training_funds_yuan"),
        classes=tuple(ClassFigures(c.section, c.grade, c.name, c.students) for _n, c in classes),
        rooms=tuple(RoomFigures(r.room, r.area_m2) for _n, r in rooms),
    )


def _fail(problems: list[ExchangeProblem]) -> None:
    lines = "\n".join(f"  {p}" for p in problems)
    raise CommandError(_("文件有误，未评估：\n%(lines)s") % {"lines": lines}, returncode=BAD_FILE)


def text_report(ev: Evaluation, inp: EvaluationInput) -> str:
    """A readable Chinese summary: the CV tables, the failing school sections, the county verdict."""
    names = {s.code: SimpleNamespace(name=s.name) for s in inp.schools}
    meta = {
        "schools_by_code": names,
        "standard": inp.standard,
        "policy_label": str(TeachingPointPolicy(ev.policy).label),
    }
    summary = storing.summary(ev, meta)
    indicator_names = {c: d.name_zh for c, d in inp.standard.indicators.items()}
    out = [
        _("评估标准：%(std)s；教学点处理方式：%(policy)s") % {"std": ev.standard_label, "policy": meta["policy_label"]},
        _("学校：%(n)s所（县级指标和满意度调查不在文件中，结论至多为暂定）") % {"n": len(inp.schools)},
        "",
    ]
    for section, table in ev.sections.items():
        out.append(
            _("%(section)s校际差异系数（每项不超过%(limit)s）")
            % {"section": SECTION_LABELS.get(section, section), "limit": table.limit}
        )
        out.append("  " + "\t".join([_("指标"), _("县域均值"), _("标准差"), _("差异系数"), _("是否达标")]))
        for code, stats in table.stats.items():
            met = {True: "✓", False: "✗"}.get(table.met[code], "—")
            cv = stats.cv if stats else None
            out.append(
                "  "
                + "\t".join(
                    [
                        f"{code} {indicator_names.get(code, '')}",
                        format_value(stats.mean if stats else None),
                        format_value(stats.sd if stats else None),
                        format_value(cv, table.limit),
                        met,
                    ]
                )
            )
        out.append("")
    failing = [r for r in ev.section_results if r.passed is False]
    out.append(_("未通过的学校（7项中至少6项达标，未达标项不低于标准的85%%）：%(n)s个") % {"n": len(failing)})
    for r in failing:
        out.append(
            "  "
            + _("%(name)s（%(code)s）%(section)s：%(met)s项达标，未达标%(missed)s")
            % {
                "name": r.unit.school_name,
                "code": r.school_code,
                "section": SECTION_LABELS.get(r.section, r.section),
                "met": r.met_count,
                "missed": "、".join(r.missed),
            }
        )
    out.append("")
    passed = summary["county"]["passed"]
    verdict = verdicts.verdict(passed=passed, provisional=ev.provisional).label
    out.append(_("县域结论：%(verdict)s") % {"verdict": verdict})
    if summary["county"]["blocking"]:
        out.append(_("影响认定的问题："))
        out += [f"  - {b}" for b in summary["county"]["blocking"]]
    if summary["county"]["not_evaluated"]:
        out.append(_("未评估的指标：") + "、".join(summary["county"]["not_evaluated"]))
    return "\n".join(out) + "\n"


class Command(BaseCommand):
    help = (
        "按国家标准（教督〔2017〕6号）评估一个独立的数据文件并打印结果，不读写数据库中的任何数据。"
        "FILE 为 returns.csv（同目录下的 classes.csv、rooms.csv 一并读取）或 .xlsx（学校填报、班级、功能室三张表），"
        "格式同数据交换模板；因不查询学校名录，学校填报表须另有办学类型列（kind/办学类型），"
        "可选 township/乡镇（街道）、location/城乡类别（缺省城区）、ownership/举办者、boarding/寄宿制、"
        "parent_code/所属学校标识码（教学点）、school_name。文件有误时在标准错误输出中列出行和列，退出码为2。"
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="returns.csv 或 .xlsx 文件")
        parser.add_argument("--policy", choices=POLICIES, default="merge", help="教学点处理方式（默认 merge）")
        parser.add_argument("--format", choices=("text", "json"), default="text", help="输出格式（默认 text）")

    def handle(self, *args, file: str, policy: str, format: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": file}, returncode=BAD_FILE)
        # The cyclic collector is paused for the whole run, not only inside the engine: reading 10,000 rows creates a
        # few hundred thousand objects that all stay alive, and each full collection would walk all of them again.
        with gc_paused():
            try:
                tables = read_tables(path)
            except UploadRejected as exc:
                raise CommandError(f"{path.name}：{exc.message}", returncode=BAD_FILE) from None
            inp = school_figures(tables, policy)
            ev = evaluate(inp)
            if format == "json":
                self.stdout.write(evaluation_text(ev))
            else:
                self.stdout.write(text_report(ev, inp), ending="")
