"""Each dashboard's content built from the selectors' rows: charts (with their tables) and lists.

Every builder returns a dict with `charts` (key → Chart) and `tables` (key → (title, Table)) so that the page, the
json_script data and the .xlsx download come from the same numbers.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from html import escape

from django.template.defaultfilters import floatformat
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from indicators import loading, services, verdicts
from indicators.domain import warnings as early_warnings
from indicators.domain.gcpause import without_gc
from indicators.domain.warnings import directions, school_codes
from indicators.selectors import summary_document
from schools.models import SECTION_LABELS, SchoolKind

from . import selectors
from .charts import PREVIEW_ROWS, Chart, Num, Series, Table

SECTIONS = ("primary", "junior")


def section_label(section: str) -> str:
    return str(SECTION_LABELS.get(section, section))


def verdict_label(status: str) -> str:
    """A school section's verdict in the one vocabulary (indicators.verdicts): 通过 / 未通过 / 暂定."""
    return verdicts.section_verdict(status).label


HEAT_LABELS = {"met": "达标", "close": "接近标准", "not-met": "未达标", "no-data": "无数据"}


def heat_label(heat: str) -> str:
    return _(HEAT_LABELS.get(heat, heat))


def _cv_state(met) -> str:
    return "met" if met is True else "not-met" if met is False else "no-data"


# --- 1. County overview ---------------------------------------------------------------------------------------------


def overview(*, user, state, schools, on: datetime.date) -> dict:
    rnd = state.round
    names = services.indicator_names(school_year=rnd.school_year)
    charts: dict[str, Chart] = {}
    cvs = selectors.section_cvs(round=rnd)
    for section in SECTIONS:
        rows = [cv for cv in cvs if cv.section == section]
        if not rows:
            continue
        limit = rows[0].limit
        table = Table(
            [_("指标"), _("县域均值"), _("差异系数"), _("限值"), _("是否达标"), _("学校数")],
            [
                [
                    f"{cv.code} {names.get(cv.code, '')}",
                    Num(cv.mean),
                    Num(cv.cv, cv.limit),
                    Num(cv.limit, places=2),
                    {True: _("达标"), False: _("未达标")}.get(cv.met, _("无数据")),
                    cv.schools,
                ]
                for cv in rows
            ],
        )
        charts[f"cv-{section}"] = Chart(
            key=f"cv-{section}",
            title=_("%(section)s校际差异系数（限值 %(limit)s）")
            % {"section": section_label(section), "limit": f"{limit:.2f}"},
            kind="bar",
            categories=[cv.code for cv in rows],
            series=[
                Series(_("差异系数"), [cv.cv for cv in rows], states=[_cv_state(cv.met) for cv in rows]),
            ],
            limits=[(_("限值"), limit)],
            table=table,
        )
    counts = selectors.verdict_counts(round=rnd, schools=schools)
    statuses = ("passed", "passed_within_tolerance", "failed", "no_data")
    present = [s for s in SECTIONS if s in counts]
    charts["sections"] = Chart(
        key="sections",
        title=_("学校（学段）资源配置达标情况"),
        kind="hbar",
        categories=[section_label(s) for s in present],
        series=[
            Series(
                verdict_label(st), [counts[s].get(st, 0) for s in present], stack="all", states=[heat] * len(present)
            )
            for st, heat in zip(statuses, ("met", "close", "not-met", "no-data"), strict=True)
        ],
        table=Table(
            [_("学段"), *[verdict_label(st) for st in statuses], _("合计")],
            [[section_label(s), *[counts[s].get(st, 0) for st in statuses], sum(counts[s].values())] for s in present],
        ),
        unit=_("所"),
    )
    stages = selectors.supervision_stages(user=user, on=on)
    if stages and stages.stages:
        charts["stages"] = Chart(
            key="stages",
            title=_("各工作阶段事项完成比例（已验收）"),
            kind="bar",
            categories=[f"{s.number}. {s.name}" for s in stages.stages],
            series=[
                Series(
                    _("完成比例"),
                    [Num(s.share, percent=True) for s in stages.stages],
                    states=["close" if s.current else "met" for s in stages.stages],
                )
            ],
            percent=True,
            table=Table(
                [_("阶段"), _("起止"), _("事项数"), _("已验收"), _("完成比例")],
                [
                    [
                        f"{s.number}. {s.name}",
                        f"{s.starts or ''}—{s.ends}",
                        s.total,
                        s.done,
                        Num(s.share, percent=True),
                    ]
                    for s in stages.stages
                ],
            ),
        )
    return {
        "summary": summary_document(state),  # with its blocking sentences (the first 30 are shown)
        "charts": charts,
        "tables": {},
        "breaches": selectors.class_size_breaches(round=rnd, schools=schools),
        "stages": stages,
    }


# --- 2. Matrix -------------------------------------------------------------------------------------------------------

SORTS = ("township", "kind", "misses")
KIND_ORDER = {k: i for i, k in enumerate(SchoolKind.values)}


def sort_rows(rows: list[selectors.MatrixRow], sort: str) -> list[selectors.MatrixRow]:
    if sort == "kind":
        return sorted(rows, key=lambda r: (KIND_ORDER.get(r.kind, 99), r.township_order, r.code, r.section))
    if sort == "misses":
        return sorted(rows, key=lambda r: (-r.misses, -r.close, r.township_order, r.code, r.section))
    return sorted(rows, key=lambda r: (r.township_order, r.township, r.code, r.section))


def matrix(*, state, schools, sort: str, section: str | None, full: bool = False) -> dict:
    """The matrix's rows sorted; `full`: with every cell (the download), else without cells (the page fills those of
    its own rows with page_cells): at 10,000 schools a round holds 140,000 cells, of which a page shows 2,800."""
    rnd = state.round
    std = loading.standard_for_year(rnd.school_year.year)
    codes = school_codes(std)
    dirs = directions(std)
    if full:
        rows = selectors.matrix_rows(round=rnd, schools=schools, codes=codes, directions=dirs)
    else:
        rows = selectors.matrix_index(round=rnd, schools=schools)
    if section:
        rows = [r for r in rows if r.section == section]
    sort = sort if sort in SORTS else "township"
    if sort == "misses" and not full:
        selectors.count_misses(rows, round=rnd, schools=schools, codes=codes, directions=dirs)
    rows = sort_rows(rows, sort)
    kinds = dict(SchoolKind.choices)

    def table() -> Table:
        return Table(
            [_("学校"), _("乡镇"), _("办学类型"), _("学段"), _("学生数"), *codes, _("未达标项"), _("结论")],
            [
                [
                    r.name,
                    r.township,
                    str(kinds.get(r.kind, r.kind)),
                    section_label(r.section),
                    r.students,
                    *[(f"{c.display} {heat_label(c.heat)}" if (c := r.cells.get(code)) else "") for code in codes],
                    r.misses,
                    verdict_label(r.verdict),
                ]
                for r in rows
            ],
        )

    return {
        "rows": rows,
        "codes": codes,
        "directions": dirs,
        "kinds": kinds,
        "names": {code: d.name_zh for code, d in std.indicators.items()},
        "charts": {},
        "tables": {"matrix": (_("学校×指标达标矩阵"), table)},  # built only for the download
    }


@dataclass
class PageRow:
    """A matrix row as the page shows it: its labels and its cells as ready <td>s (2,800 cells a page: built here once,
    cached with the page, not assembled by template tags cell by cell)."""

    school_id: int
    name: str
    township: str
    kind_label: str
    section: str
    misses: int
    tds: str


def page_rows(rows: list[selectors.MatrixRow], *, round, codes, directions, names, kinds) -> list[PageRow]:
    """The page's rows with their cells (one query for those rows' schools). Text is escaped as the template's
    autoescape would (django.utils.html.escape is html.escape); a standard is shown as `floatformat:-2` shows it."""
    selectors.fill_cells(rows, round=round, codes=codes, directions=directions)
    standard = _("标准")
    shown: dict = {}  # a round has few distinct standards: each formatted once
    empty = '<td class="heat none"></td>'
    out = []
    for r in rows:
        tds = []
        for code in codes:
            cell = r.cells.get(code)
            if cell is None:
                tds.append(empty)
                continue
            display = cell.display
            title = f"{names.get(code, '')}：{display}"
            if cell.threshold is not None:
                if cell.threshold not in shown:
                    shown[cell.threshold] = floatformat(cell.threshold, -2)
                title += f" / {standard} {shown[cell.threshold]}"
            tds.append(f'<td class="heat {cell.heat}" title="{escape(title)}">{escape(display)}</td>')
        label = str(kinds.get(r.kind, ""))
        out.append(PageRow(r.school_id, r.name, r.township, label, r.section, r.misses, mark_safe("".join(tds))))  # noqa: S308
    return out


# --- 3. Township and department board ------------------------------------------------------------------------------


def board(*, on: datetime.date) -> dict:
    result = selectors.supervision_board(on=on)
    rows = result.rows
    kinds = {"township": _("乡镇（街道）"), "department": _("市直部门"), "group": _("领导小组")}
    table = Table(
        [
            _("责任单位"),
            _("类别"),
            _("牵头事项"),
            _("已验收"),
            _("完成比例"),
            _("逾期"),
            _("佐证已验收"),
            _("到期项目"),
            _("按期完成项目"),
            _("%(year)s年度考核得分") % {"year": on.year},
            _("排名"),
        ],
        [
            [
                r.name,
                kinds.get(r.kind, r.kind),
                r.led,
                r.done,
                Num(r.done_share, percent=True),
                r.overdue,
                r.evidenced,
                r.projects_due,
                r.projects_on_time,
                Num(r.score, places=1),
                r.rank,
            ]
            for r in rows
        ],
    )
    chart = Chart(
        key="board",
        title=_("各责任单位事项完成与逾期（%(cycle)s）") % {"cycle": result.cycle or _("无当前周期")},
        kind="hbar",
        categories=[r.name for r in rows],
        series=[
            Series(_("已验收"), [r.done for r in rows], stack="items", states=["met"] * len(rows)),
            Series(
                _("未验收（未逾期）"),
                [r.led - r.done - r.overdue for r in rows],
                stack="items",
                states=["no-data"] * len(rows),
            ),
            Series(_("逾期"), [r.overdue for r in rows], stack="items", states=["not-met"] * len(rows)),
        ],
        unit=_("项"),
        table=table,
    )
    scored = [r for r in rows if r.score is not None]
    charts = {"board": chart}
    if scored:
        charts["assessment"] = Chart(
            key="assessment",
            title=_("%(year)s年度督导考核得分") % {"year": on.year},
            kind="hbar",
            categories=[r.name for r in scored],
            series=[Series(_("得分"), [Num(r.score, places=1) for r in scored])],
            unit=_("分"),
            table=Table(
                [_("责任单位"), _("得分"), _("排名")], [[r.name, Num(r.score, places=1), r.rank] for r in scored]
            ),
        )
    return {"rows": rows, "charts": charts, "tables": {}, "cycle": result.cycle}


# --- 4. Trends -------------------------------------------------------------------------------------------------------


def trends(*, states) -> dict:
    ordered = list(reversed(states))  # oldest first
    labels = [str(s.round) for s in ordered]
    index = {s.round_id: i for i, s in enumerate(ordered)}
    history = selectors.cv_history(round_ids=list(index))
    standards = selectors.standards_by_year({s.round.school_year.year for s in ordered})
    names = {code: d.name_zh for code, d in next(iter(standards.values())).indicators.items()} if standards else {}
    cv = defaultdict(lambda: [None] * len(ordered))
    mean = defaultdict(lambda: [None] * len(ordered))
    limit = defaultdict(lambda: [None] * len(ordered))
    for round_id, section, code, m, c, lim, _met in history:
        i = index[round_id]
        cv[(section, code)][i] = c
        mean[(section, code)][i] = m
        limit[section][i] = lim
    charts: dict[str, Chart] = {}
    for section in SECTIONS:
        codes = [c for c in selectors.R_CODES if (section, c) in cv]
        if not codes:
            continue
        table = Table(
            [_("批次"), *codes, _("限值")],
            [
                [
                    labels[i],
                    *[Num(cv[(section, c)][i], limit[section][i]) for c in codes],
                    Num(limit[section][i], places=2),
                ]
                for i in range(len(ordered))
            ],
        )
        charts[f"trend-cv-{section}"] = Chart(
            key=f"trend-cv-{section}",
            title=_("%(section)s各项差异系数变化") % {"section": section_label(section)},
            kind="line",
            categories=labels,
            series=[Series(c, cv[(section, c)]) for c in codes] + [Series(_("限值"), limit[section], dashed=True)],
            table=table,
        )
    for code in selectors.R_CODES:
        present = [s for s in SECTIONS if (s, code) in mean]
        if not present:
            continue
        thresholds = {
            s: [standards[st.round.school_year.year].indicators[code].thresholds.get(s) for st in ordered]
            for s in present
        }
        series = []
        for s in present:
            series.append(Series(_("%(s)s县域均值") % {"s": section_label(s)}, mean[(s, code)]))
            series.append(Series(_("%(s)s标准") % {"s": section_label(s)}, thresholds[s], dashed=True))
        columns = [_("批次")]
        for s in present:
            columns += [_("%(s)s县域均值") % {"s": section_label(s)}, _("%(s)s标准") % {"s": section_label(s)}]
        table = Table(columns, [])
        for i in range(len(ordered)):
            row = [labels[i]]
            for s in present:
                row += [Num(mean[(s, code)][i]), Num(thresholds[s][i], places=2)]
            table.rows.append(row)
        unit = next(iter(standards.values())).indicators[code].unit_zh if standards else ""
        charts[f"trend-mean-{code}"] = Chart(
            key=f"trend-mean-{code}",
            title=f"{code} {names.get(code, '')}",
            kind="line",
            categories=labels,
            series=series,
            unit=unit,
            table=table,
        )
    return {"charts": charts, "tables": {}, "rounds": ordered}


# --- 5. Early warnings ----------------------------------------------------------------------------------------------


@without_gc  # the county's class sums and forecasts held at once make no cycles: see indicators.domain.gcpause
def warnings(*, state, schools, projects=selectors.UNREAD, intakes=None, preview: bool = False) -> dict:
    """`projects`: supervision_projects() of the round's next year when the caller has read them; `intakes`: the
    bureau's grade-1 estimates for next year (selectors.intake_estimates) if read; `preview`: the lists' tables hold
    only the rows a page shows (and their full length), as the page's cache keeps them."""
    inputs = selectors.warning_inputs(round=state.round, schools=schools, projects=projects, intakes=intakes)
    found = early_warnings.compute(inputs)
    label = {s: section_label(s) for s in SECTIONS}  # one translation per section, not one per row of a long list
    label[""] = _("全校")  # a school-level item (G3–G7, G12, Q4)
    if preview:  # the lists sorted in full, laid out only as far as the page shows them
        totals = (len(found.close), len(found.classes), len(found.areas))
        found.close, found.classes, found.areas = (
            found.close[:PREVIEW_ROWS],
            found.classes[:PREVIEW_ROWS],
            found.areas[:PREVIEW_ROWS],
        )
    close_table, close_chart = _close_layout(inputs, found, label)
    class_table, classes_chart = _classes_layout(inputs, found)
    area_table = _areas_layout(inputs, found, label)
    if preview:
        close_table.total, class_table.total, area_table.total = totals
    return {
        "charts": {"close": close_chart, "classes": classes_chart},
        "tables": {
            "close-list": (_("接近标准的学校学段"), close_table),
            "classes-list": (_("下一学年预计超班额"), class_table),
            "areas-list": (_("生均面积预计降到标准以下"), area_table),
        },
        "close_table": close_table,
        "class_table": class_table,
        "area_table": area_table,
        "unplaced": _unplaced_names(found.unplaced, inputs.info),
        "until": inputs.until,
        "projects": inputs.projects,
        "intakes_used": sum(1 for sid in inputs.intakes if sid in inputs.info),
        "intake_year": inputs.year + 1,
    }


def _close_layout(inputs, found, label) -> tuple[Table, Chart]:
    names, codes, counts = inputs.names, inputs.codes, found.close_counts
    table = Table(
        [_("学校"), _("乡镇"), _("学段"), _("指标"), _("当前值"), _("标准"), _("距未达标")],
        [
            [
                s.name,
                s.township,
                label.get(sec, sec),
                f"{code} {names.get(code, '')}",
                Num(v, t),
                Num(t, places=2),
                Num(abs(v - t) / t, percent=True),
            ]
            for s, sec, code, v, t in found.close
        ],
    )
    present = [s for s in (*SECTIONS, "") if any(k[0] == s for k in counts)]
    chart = Chart(
        key="close",
        title=_("接近标准（距未达标不足10%）的学校学段数"),
        kind="bar",
        categories=list(codes),
        series=[Series(label[s], [counts.get((s, c), 0) for c in codes]) for s in present],
        unit=_("所"),
        table=Table(
            [_("指标"), *[label[s] for s in present]],
            [[f"{c} {names.get(c, '')}", *[counts.get((s, c), 0) for s in present]] for c in codes],
        ),
    )
    return table, chart


def _classes_layout(inputs, found) -> tuple[Table, Chart]:
    estimated, this_year = _("教体局招生预估"), _("本学年一年级")
    table = Table(
        [
            _("学校"),
            _("乡镇"),
            _("年级"),
            _("预计学生"),
            _("现有班数"),
            _("班额上限"),
            _("预计平均班额"),
            _("超出人数"),
            _("需增班数"),
            _("项目新增学位"),
            _("全校超出（项目后）"),
            _("一年级人数来源"),
        ],
        [
            [
                s.name,
                s.township,
                _("%(g)s年级") % {"g": g.grade},
                g.students,
                g.classes,
                g.cap,
                Num(g.average, places=1),
                g.over,
                g.extra_classes,
                p,
                remaining,
                (estimated if s.school_id in inputs.intakes else this_year) if g.grade == 1 else "",
            ]
            for s, g, total, p, remaining in found.classes
        ],
    )
    by_township = found.by_township
    townships = sorted(by_township)
    chart = Chart(
        key="classes",
        title=_("下一学年预计超班额人数（按乡镇）"),
        kind="bar",
        categories=townships,
        series=[
            Series(_("超出人数"), [by_township[t][0] for t in townships], states=["not-met"] * len(townships)),
            Series(_("计入到期项目后"), [by_township[t][1] for t in townships], states=["close"] * len(townships)),
        ],
        unit=_("人"),
        table=Table(
            [_("乡镇"), _("超出人数"), _("计入到期项目后")],
            [[t, by_township[t][0], by_township[t][1]] for t in townships],
        ),
    )
    return table, chart


def _areas_layout(inputs, found, label) -> Table:
    names = inputs.names
    return Table(
        [
            _("学校"),
            _("乡镇"),
            _("学段"),
            _("指标"),
            _("当前值"),
            _("预计下一学年"),
            _("标准"),
            _("当前学生"),
            _("预计学生"),
        ],
        [
            [
                s.name,
                s.township,
                label.get(sec, sec),
                f"{code} {names.get(code, '')}",
                Num(v, t),
                Num(p, t),
                Num(t, places=2),
                n,
                round(n * nxt / now) if now else None,
            ]
            for s, sec, code, v, p, t, n, now, nxt in found.areas
        ],
    )


def _unplaced_names(unplaced: dict[int, int], info: dict) -> dict[str, int]:
    names = {s.township_id: s.township for s in info.values()}
    return {names.get(t, str(t)): n for t, n in unplaced.items()}
