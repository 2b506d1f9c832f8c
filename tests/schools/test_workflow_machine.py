"""One return's life as a hypothesis state machine, driven through the pages (SECURITY.md row 16).

Rules: start, save (valid and complete, valid but incomplete, or invalid figures), submit, approve, send back (with or
without a comment), reopen (with or without a reason), and open the edit page; each by a random persona, including
those who may not act (江益镇's official, leadership, the department officer, the auditor, the API client).
After every step:
- the step succeeded exactly when the rules say this actor may do it now (an independent oracle below);
- a success moves the status along the allowed graph, raises the version by one and leaves exactly one audit row
  (with the step's action) and one history row; approve and reopen raise the year's evaluation data_version;
- a refusal changes nothing: same status, version, figures, class list, rooms, history rows, audit rows, data_version;
- an approved return is read-only to everyone (`can_edit_return` is False for every persona; the edit page sends
  everyone away).
Each run is one savepoint, rolled back at teardown, so every run starts with no return.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from gongqing.models import AuditEvent
from gongqing.roles import Role
from indicators.models import EvaluationState
from schools import access
from schools.annotations.models import Explanation, ExplanationStatus
from schools.models import FIGURE_FIELDS, ReturnStatus, SchoolReturn
from schools.quality.findings import findings_for_return
from schools.selectors import return_class_rows, return_figures, return_room_rows
from tests.factories import class_rows, primary_figures
from tests.schools.postdata import edit_form_data

PERSONAS = (
    Role.BUREAU_ADMIN,
    Role.BUREAU_STAFF,
    "ganlu_official",
    "jiangyi_official",
    Role.LEADERSHIP,
    Role.DEPARTMENT_OFFICER,
    Role.AUDITOR,
    Role.API_CLIENT,
)
EDITORS = {Role.BUREAU_ADMIN, Role.BUREAU_STAFF, "ganlu_official"}  # of 甘露镇's school
REVIEWERS = {Role.BUREAU_ADMIN, Role.BUREAU_STAFF}
DRAFT, SUBMITTED, RETURNED, APPROVED = (
    ReturnStatus.DRAFT,
    ReturnStatus.SUBMITTED,
    ReturnStatus.RETURNED,
    ReturnStatus.APPROVED,
)
EDITABLE = {DRAFT, RETURNED}
# The allowed graph: each action and the status moves it may make (None: no return yet).
ALLOWED = {
    "return.start": {(None, DRAFT)},
    "return.save": {(DRAFT, DRAFT), (RETURNED, DRAFT)},
    "return.submit": {(DRAFT, SUBMITTED), (RETURNED, SUBMITTED)},
    "return.approve": {(SUBMITTED, APPROVED)},
    "return.send_back": {(SUBMITTED, RETURNED)},
    "return.reopen": {(APPROVED, RETURNED)},
}
MARKS_STALE = {"return.approve", "return.reopen"}
ACTIONS = ("save", "submit", "approve", "send_back", "reopen", "open_edit_page")
NEXT = {
    DRAFT: ("save", "submit"),
    RETURNED: ("save", "submit"),
    SUBMITTED: ("approve", "send_back"),
    APPROVED: ("reopen",),
}


def scaled(n: int) -> int:
    """n examples in the fast pass; 20 times as many under HYPOTHESIS_PROFILE=bench (tests/conftest.py)."""
    return n * max(1, settings.default.max_examples // 100)


actors = st.one_of(st.sampled_from(sorted(EDITORS)), st.sampled_from(PERSONAS))  # half of them may start
comments = st.sampled_from(["", "   ", "请核对班级名单。", "学生数与学籍系统不一致"])


@st.composite
def payloads(draw) -> tuple[str, dict, list]:
    """(kind, figures, class rows): a complete valid return, a valid one lacking a required figure, or an invalid."""
    classes = draw(st.integers(min_value=1, max_value=18))
    students = draw(st.integers(min_value=classes, max_value=45 * classes))
    teachers = draw(st.integers(min_value=6, max_value=80))
    figures = primary_figures(students=students, classes=classes, teachers=teachers)
    kind = draw(st.sampled_from(["complete", "complete", "incomplete", "invalid"]))
    if kind == "incomplete":
        figures[draw(st.sampled_from(["public_funds_yuan", "sports_area_m2", "primary_teachers_certified"]))] = None
    elif kind == "invalid":
        figures["primary_teachers_backbone"] = teachers + draw(st.integers(1, 5))  # more than all teachers
    return kind, figures, class_rows("primary", students, classes)


class ReturnLife(RuleBasedStateMachine):
    """`env` (personas, clients, school, round) is set by the test that runs the machine."""

    env: dict = {}

    def __init__(self):
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.pk = None

    def teardown(self):
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # ---------------------------------------------------------------------------------------- observation

    def snapshot(self) -> dict:
        rnd = self.env["round"]
        state = EvaluationState.objects.filter(round=rnd).values_list("data_version", flat=True).first()
        # Refused requests are audited too (access.refused, folded per minute: issue 11); they change nothing else.
        audit = AuditEvent.objects.exclude(action__startswith="access.").count()
        snap = {"audit": audit, "data_version": state or 0, "status": None}
        if self.pk is None:
            return snap
        ret = SchoolReturn.objects.get(pk=self.pk)
        return {
            **snap,
            "status": ret.status,
            "version": ret.version,
            "figures": return_figures(ret),
            "classes": return_class_rows(ret),
            "rooms": return_room_rows(ret),
            "history": SchoolReturn.history.filter(id=self.pk).count(),
            "return_audit": list(
                AuditEvent.objects.filter(object_type="schools.schoolreturn", object_id=str(self.pk))
                .exclude(action__startswith="access.")
                .order_by("pk")
                .values_list("action", flat=True)
            ),
        }

    def complete(self) -> bool:
        """What submitting needs, judged from the stored figures (independently of the service's validation)."""
        ret = SchoolReturn.objects.get(pk=self.pk)
        needed = [f for f in FIGURE_FIELDS if f.startswith("primary_")] + [
            "teaching_area_m2",
            "sports_area_m2",
            "equipment_value_yuan",
            "multimedia_rooms",
            "public_funds_yuan",
            "training_funds_yuan",
        ]
        # Each data-quality warning needs an explanation that has not been sent back (schools.annotations).
        explained = set(
            Explanation.objects.filter(school_return=ret)
            .exclude(status=ExplanationStatus.SENT_BACK)
            .values_list("rule_code", "field")
        )
        unexplained = [
            f for f in findings_for_return(ret) if f.importance == "warning" and (f.rule_code, f.field) not in explained
        ]
        return all(getattr(ret, f) is not None for f in needed) and not unexplained

    def step(self, action: str, actor: str, may: bool, send) -> None:
        """Run one request and check the step's outcome against the oracle `may`."""
        before = self.snapshot()
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = send(self.env["clients"][actor])
        assert response.status_code in (200, 302, 403, 404), response.status_code
        if action == "return.start" and self.pk is None and response.status_code == 302:
            self.pk = SchoolReturn.objects.get(school=self.env["school"], round=self.env["round"]).pk
        after = self.snapshot()
        succeeded = after.get("version") != before.get("version")
        assert succeeded is may, f"{actor} {action} from {before['status']}: succeeded={succeeded}, expected {may}"
        if not succeeded:
            assert after == before
            if not may and actor not in EDITORS | REVIEWERS:
                assert response.status_code in (403, 404)
            return
        assert (before["status"], after["status"]) in ALLOWED[action]
        assert after["version"] == before.get("version", 0) + 1
        assert after["audit"] == before["audit"] + 1
        assert after["return_audit"] == [*before.get("return_audit", []), action]
        assert after["history"] == before.get("history", 0) + 1
        if action in MARKS_STALE:
            assert after["data_version"] > before["data_version"]
        else:
            assert after["data_version"] == before["data_version"]

    def url(self, name: str) -> str:
        return reverse(f"schools:{name}", args=[self.pk])

    # ---------------------------------------------------------------------------------------------- rules

    @precondition(lambda self: self.pk is None)
    @rule(actor=actors)
    def start(self, actor):
        school, rnd = self.env["school"], self.env["round"]
        url = reverse("schools:return_start", args=[school.pk, rnd.pk])
        self.step("return.start", actor, actor in EDITORS, lambda c: c.post(url))

    @precondition(lambda self: self.pk is not None)
    @rule(data=st.data())
    def act(self, data):
        """One action by one persona: half the time one that can move the return on from where it is, by someone
        who may take it (so runs get through the whole graph), otherwise any action by anyone."""
        status = SchoolReturn.objects.get(pk=self.pk).status
        action = data.draw(st.one_of(st.sampled_from(NEXT[status]), st.sampled_from(ACTIONS)), label="action")
        able = sorted(REVIEWERS if action in ("approve", "send_back", "reopen") else EDITORS)
        actor = data.draw(st.one_of(st.sampled_from(able), st.sampled_from(PERSONAS)), label="actor")
        getattr(self, action)(actor, status, data)

    def save(self, actor, status, data):
        kind, figures, classes = data.draw(payloads(), label="payload")
        version = SchoolReturn.objects.get(pk=self.pk).version
        post = edit_form_data(kind="primary", figures=figures, classes=classes, rooms=[], version=version)
        may = actor in EDITORS and status in EDITABLE and kind != "invalid"
        self.step("return.save", actor, may, lambda c: c.post(self.url("return_edit"), post))
        if data.draw(st.booleans(), label="explain the warnings"):
            self.explain_warnings()

    def explain_warnings(self):
        """The clerk explains every warning of the stored figures (set up directly: explaining is not a step here)."""
        ret = SchoolReturn.objects.get(pk=self.pk)
        for f in findings_for_return(ret):
            if f.importance == "warning":
                Explanation.objects.get_or_create(
                    school_return=ret,
                    rule_code=f.rule_code,
                    field=f.field,
                    defaults={"text": "已核实，如实填报。", "written_at": timezone.now()},
                )

    def submit(self, actor, status, data):
        may = actor in EDITORS and status in EDITABLE and self.complete()
        self.step("return.submit", actor, may, lambda c: c.post(self.url("return_submit")))

    def approve(self, actor, status, data):
        may = actor in REVIEWERS and status == SUBMITTED
        self.step("return.approve", actor, may, lambda c: c.post(self.url("return_approve")))

    def send_back(self, actor, status, data):
        comment = data.draw(comments, label="comment")
        may = actor in REVIEWERS and status == SUBMITTED and bool(comment.strip())
        self.step("return.send_back", actor, may, lambda c: c.post(self.url("return_send_back"), {"comment": comment}))

    def reopen(self, actor, status, data):
        reason = data.draw(comments, label="reason")
        may = actor in REVIEWERS and status == APPROVED and bool(reason.strip())
        self.step("return.reopen", actor, may, lambda c: c.post(self.url("return_reopen"), {"comment": reason}))

    def open_edit_page(self, actor, status, data):
        response = self.env["clients"][actor].get(self.url("return_edit"))
        if actor in EDITORS and status in EDITABLE:
            assert response.status_code == 200 and "return-form" in response.content.decode()
        else:
            assert response.status_code in (302, 403, 404)

    # ------------------------------------------------------------------------------------------ invariants

    @invariant()
    def an_approved_return_is_read_only_to_everyone(self):
        if self.pk is None:
            return
        ret = SchoolReturn.objects.select_related("school", "round").get(pk=self.pk)
        if ret.status == APPROVED:
            assert not any(access.can_edit_return(u, ret) for u in self.env["personas"].values())

    @invariant()
    def there_is_at_most_one_return_of_the_school_for_the_round(self):
        count = SchoolReturn.objects.filter(school=self.env["school"], round=self.env["round"]).count()
        assert count == (0 if self.pk is None else 1)


def test_random_workflows_keep_every_invariant(personas, ganlu_school, official_round):
    clients = {}
    for name, user in personas.items():
        clients[name] = Client()
        clients[name].force_login(user)
    machine = type(
        "Machine",
        (ReturnLife,),
        {
            "env": {
                "personas": personas,
                "clients": clients,
                "school": ganlu_school,
                "round": official_round,
            }
        },
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=scaled(12),
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


def test_a_figure_typed_on_an_approved_return_is_not_stored(login, staff, ganlu_school, official_round):
    """The plain case behind the machine's read-only invariant: a save posted to an approved return changes nothing."""
    from tests.factories import make_return

    ret = make_return(school=ganlu_school, round=official_round, status=ReturnStatus.APPROVED)
    data = edit_form_data(
        kind="primary",
        figures=primary_figures(multimedia_rooms=99),
        classes=return_class_rows(ret),
        rooms=[],
        version=ret.version,
    )
    response = login(staff).post(reverse("schools:return_edit", args=[ret.pk]), data)
    assert response.status_code == 302 and response["Location"] == reverse("schools:return_detail", args=[ret.pk])
    ret.refresh_from_db()
    assert ret.multimedia_rooms == 11 and ret.version == 1 and ret.rooms.count() == 2
    assert Decimal(ret.teaching_area_m2) == Decimal("2600")
