"""Reads for the indicator pages: stored results only, in a fixed number of queries whatever the schools."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from schools.models import CollectionRound

from .domain.chunks import join as join_runs
from .domain.serialize import assemble
from .domain.status import MISSED
from .models import EvaluationState, ResultRun, SchoolResult, SectionCV, SectionVerdict

R_CODES = ("R1", "R2", "R3", "R4", "R5", "R6", "R7")
SCHOOL_G_CODES = ("G3", "G4", "G5", "G6", "G7", "G12", "Q4")


@dataclass
class SectionRow:
    school: object
    section: str
    verdict: SectionVerdict | None
    cells: dict = field(default_factory=dict)  # code -> SchoolResult


def evaluation_state(round: CollectionRound) -> EvaluationState | None:
    return EvaluationState.objects.filter(round=round).first()


def result_document(state: EvaluationState | None) -> dict:
    """The state's whole result document (its long lists joined back from their runs); {} without a state."""
    if state is None:
        return {}
    doc = state.result or {}
    if "runs" not in doc:
        return doc
    return assemble(doc, dict(ResultRun.objects.filter(round_id=state.round_id).values_list("digest", "text")))


def _joined(digests: list[str], texts: dict[str, str]) -> list:
    """The list whose elements the runs named by `digests` hold, in order."""
    return json.loads(f"[{join_runs(digests, texts)}]")


def _run_texts(wanted: dict[int, list[str]]) -> dict[int, dict[str, str]]:
    """round id → the texts of the named runs of that round (digest → text), in one query for all the rounds."""
    texts: dict[int, dict[str, str]] = defaultdict(dict)
    if wanted:
        found = ResultRun.objects.filter(
            round_id__in=sorted(wanted), digest__in=sorted({d for ds in wanted.values() for d in ds})
        )
        for round_id, digest, text in found.values_list("round_id", "digest", "text"):
            texts[round_id][digest] = text
    return texts


def counties(states) -> dict[int, dict]:
    """Each state's `county` part of its result document by round id, its blocking findings joined back from their
    runs, in one query for all the states (the API's verdict list reads no other part of the documents)."""
    runs = {s.round_id: (s.result or {}).get("runs", {}) for s in states}
    digests = {round_id: r["blocking"] for round_id, r in runs.items() if "blocking" in r}
    texts = _run_texts(digests)
    out = {}
    for s in states:
        county = (s.result or {}).get("county", {})
        if s.round_id in digests:
            county = {**county, "blocking": _joined(digests[s.round_id], texts[s.round_id])}
        out[s.round_id] = county
    return out


def summaries(states) -> dict[int, dict]:
    """Each state's summary by round id, whole: its blocking sentences, stored in runs (`storing.summary_parts`),
    joined back in place, in one query for all the states. A summary stored whole is given as it is."""
    digests = {s.round_id: s.summary["runs"]["blocking"] for s in states if "runs" in (s.summary or {})}
    texts = _run_texts(digests)
    out = {}
    for s in states:
        doc = s.summary or {}
        if s.round_id in digests:
            doc = {k: v for k, v in doc.items() if k != "runs"}
            doc["county"] = {**doc["county"], "blocking": _joined(digests[s.round_id], texts[s.round_id])}
        out[s.round_id] = doc
    return out


def summary_document(state: EvaluationState | None) -> dict:
    """The state's whole summary (what every page, export and report shows of the county verdict); {} without a
    state. Readers of the blocking sentences go through this (or `summaries`): in `state.summary` they are in runs;
    its other keys are there as they are (the verdict, completeness, areas, counts, data basis)."""
    if state is None:
        return {}
    return summaries([state])[state.round_id]


def latest_round_with_results():
    state = (
        EvaluationState.objects.filter(computed_version__gt=0)
        .select_related("round", "round__school_year")
        .order_by("-round__school_year__year", "-round__as_of")
        .first()
    )
    return state.round if state else None


def section_rows(*, round: CollectionRound, schools, section: str | None = None, results=None) -> list[SectionRow]:
    """One row per school section with its R1–R7 results and verdict; `schools` is already access-filtered;
    `results`: the schools' section results of the round when the caller has read them (others are ignored)."""
    verdicts = SectionVerdict.objects.filter(round=round, school__in=schools).select_related(
        "school", "school__township"
    )
    if results is None:
        results = SchoolResult.objects.filter(round=round, school__in=schools, code__in=R_CODES)
    else:
        results = [r for r in results if r.code in R_CODES]
    if section:
        verdicts = verdicts.filter(section=section)
        results = [r for r in results if r.section == section]
    rows: dict[tuple[int, str], SectionRow] = {}
    for v in verdicts.order_by("school__township__order", "school__code", "section"):
        rows[(v.school_id, v.section)] = SectionRow(school=v.school, section=v.section, verdict=v)
    for r in results:
        row = rows.get((r.school_id, r.section))
        if row is not None:
            row.cells[r.code] = r
    return list(rows.values())


def school_item_rows(*, round: CollectionRound, schools) -> dict[int, dict[str, SchoolResult]]:
    """Whole-school items (G3, G4, G5, G6, G7, G12, Q4) by school id and code."""
    out: dict[int, dict[str, SchoolResult]] = defaultdict(dict)
    for r in SchoolResult.objects.filter(round=round, school__in=schools, code__in=SCHOOL_G_CODES):
        out[r.school_id][r.code] = r
    return out


def section_cvs(*, round: CollectionRound) -> dict[str, list[SectionCV]]:
    out: dict[str, list[SectionCV]] = defaultdict(list)
    for cv in SectionCV.objects.filter(round=round).order_by("section", "code"):
        out[cv.section].append(cv)
    return dict(out)


def gap_results(*, round: CollectionRound, schools):
    """Every stored result that is not met, with its gap, for the gaps page and the ledger."""
    return (
        SchoolResult.objects.filter(round=round, school__in=schools, status__in=MISSED)
        .select_related("school", "school__township")
        .order_by("school__township__order", "school__code", "section", "code")
    )
