"""Simultaneous edits of one return, over random pairs of edits and interleavings (SECURITY.md row 15).

Two sessions (the township official of the school's township, bureau staff or a bureau admin; possibly the same user
in two tabs) each change a random subset of the figures, the class list and the rooms to random valid values. A
schedule interleaves "open the page" (read the current version) and "save" (post the edit with the version read).
The model: a save wins exactly when its version is still the stored one. After every step:
- the save won or got ReturnConflict (the page: the conflict message, with the loser's input still in the form);
- the stored figures, classes and rooms are the last winner's; the version is 1 + the number of wins;
- simple-history holds one row per win, the audit log one `return.save` row per win;
- of the saves posted with the same version, at most one won; when there were several, exactly one.
Each example runs in a savepoint that is rolled back, so every example starts from the same draft at version 1.
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongqing.models import AuditEvent
from gongqing.roles import Role
from schools import services
from schools.models import FIGURE_FIELDS, SchoolReturn
from schools.selectors import return_class_rows, return_figures, return_room_rows
from schools.validation import ClassRow, RoomRow
from tests.factories import make_return, primary_figures
from tests.schools.postdata import edit_form_data

CONFLICT = "在您编辑期间，这份填报已被他人于"
EDITORS = ("ganlu_official", Role.BUREAU_STAFF, Role.BUREAU_ADMIN)
BASE = primary_figures()  # 400 students in 10 classes, 24 teachers, 10 classrooms


def scaled(n: int) -> int:
    """n examples in the fast pass; 20 times as many under HYPOTHESIS_PROFILE=bench (tests/conftest.py)."""
    return n * max(1, settings.default.max_examples // 100)


DB_PROPERTY = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


# ------------------------------------------------------------------------------------------------ the edits

money = st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2)
maybe = st.booleans()


@st.composite
def edits(draw) -> dict:
    """Figures, class rows and rooms after one user's changes to the base draft (a random subset of each)."""
    figures = dict(BASE)
    if draw(maybe):
        figures["primary_teachers"] = draw(st.integers(min_value=24, max_value=90))
    for suffix in ("above_required", "backbone", "pe_arts", "certified"):
        if draw(maybe):
            figures[f"primary_teachers_{suffix}"] = draw(st.integers(0, figures["primary_teachers"]))
    for field in ("teaching_area_m2", "sports_area_m2", "equipment_value_yuan", "public_funds_yuan", "land_area_m2"):
        if draw(maybe):
            figures[field] = draw(money)
    if draw(maybe):
        figures["training_funds_yuan"] = draw(st.none() | money)
    if draw(maybe):
        figures["multimedia_rooms"] = draw(st.integers(0, 300))
    if draw(maybe):
        figures["classrooms"] = draw(st.integers(10, 80))
    if draw(maybe):
        figures["classrooms_connected"] = draw(st.integers(0, figures["classrooms"]))
    classes = None  # unchanged
    if draw(maybe):
        sizes = draw(st.lists(st.integers(1, 45), min_size=1, max_size=14))  # a class of 0 is an error rule (quality)
        suffix = draw(st.sampled_from(["", "甲", "乙"]))  # renamed classes are replaced, not updated
        classes = [
            ClassRow("primary", 1 + i % 6, f"{1 + i % 6}年级{i // 6 + 1}班{suffix}", n) for i, n in enumerate(sizes)
        ]
        figures["primary_students"], figures["primary_classes"] = sum(sizes), len(sizes)
    rooms = None
    if draw(maybe):
        area = st.none() | st.decimals(min_value=30, max_value=Decimal("300.00"), places=2)
        rooms = [RoomRow("music", draw(area)) for _ in range(draw(st.integers(0, 3)))]
        rooms += [RoomRow("art", draw(area)) for _ in range(draw(st.integers(0, 3)))]
    return {"figures": figures, "classes": classes, "rooms": rooms}


def complete(edit: dict, base_rows) -> tuple[dict, list, list]:
    classes = edit["classes"] if edit["classes"] is not None else base_rows[0]
    rooms = edit["rooms"] if edit["rooms"] is not None else base_rows[1]
    return edit["figures"], classes, rooms


# A schedule: both sessions open the page (version n), then up to six further steps of either session.
steps = st.lists(st.tuples(st.sampled_from([0, 1]), st.sampled_from(["read", "save", "save"])), max_size=6)


# ------------------------------------------------------------------------------------------------ the model


class Model:
    """What the stored return must be after each step, and the counters the invariants compare with."""

    def __init__(self, ret: SchoolReturn):
        self.pk = ret.pk
        self.version = ret.version
        self.state = self.stored()
        self.wins = 0
        self.wins_per_version: Counter = Counter()
        self.saves_per_version: Counter = Counter()
        self.history = SchoolReturn.history.filter(id=ret.pk).count()
        self.audit = self.audit_rows()

    def audit_rows(self) -> int:
        return AuditEvent.objects.filter(action="return.save", object_id=str(self.pk)).count()

    def stored(self) -> tuple:
        ret = SchoolReturn.objects.get(pk=self.pk)
        return _normal(return_figures(ret), return_class_rows(ret), return_room_rows(ret))

    def saved(self, held: int, state: tuple, won: bool) -> None:
        assert won is (held == self.version), f"held version {held}, stored {self.version}, won={won}"
        self.saves_per_version[held] += 1
        if won:
            self.wins += 1
            self.wins_per_version[held] += 1
            self.version += 1
            self.state = state

    def check(self) -> None:
        ret = SchoolReturn.objects.get(pk=self.pk)
        assert ret.version == 1 + self.wins == self.version
        assert self.stored() == self.state
        assert SchoolReturn.history.filter(id=self.pk).count() == self.history + self.wins
        assert self.audit_rows() == self.audit + self.wins
        for version in self.saves_per_version:
            assert self.wins_per_version[version] == (1 if version < self.version else 0)


def _normal(figures: dict, classes, rooms) -> tuple:
    """Figures, classes and rooms in a comparable form (rows as the service keeps them: classes by name, rooms in
    order per kind)."""
    figs = tuple((f, None if figures.get(f) is None else Decimal(figures[f])) for f in FIGURE_FIELDS)
    cls = tuple(sorted((c.section, c.grade, c.name.strip(), c.students) for c in classes))
    rms = tuple(
        (kind, None if r.area_m2 is None else Decimal(r.area_m2))
        for kind in ("music", "art")
        for r in rooms
        if r.room == kind
    )
    return figs, cls, rms


@contextmanager
def rolled_back():
    """One example: everything it writes is undone afterwards (the fixtures' rows stay)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def draft(ganlu_school, official_round):
    return make_return(school=ganlu_school, round=official_round)


@pytest.fixture
def editors(personas):
    return {name: personas[name] for name in EDITORS}


# ------------------------------------------------------------------------------------------ through the service


@settings(max_examples=scaled(40), **DB_PROPERTY)
@given(
    users=st.tuples(st.sampled_from(EDITORS), st.sampled_from(EDITORS)),
    edit_pair=st.tuples(edits(), edits()),
    schedule=steps,
)
def test_random_interleaved_saves_lose_no_update_and_the_loser_is_told(draft, editors, users, edit_pair, schedule):
    with rolled_back():
        model = Model(draft)
        base_rows = (return_class_rows(draft), return_room_rows(draft))
        held = [model.version, model.version]  # both opened the page at version n
        for who, op in [(0, "save"), (1, "save"), *schedule]:
            if op == "read":
                held[who] = SchoolReturn.objects.get(pk=draft.pk).version
                continue
            figures, classes, rooms = complete(edit_pair[who], base_rows)
            # The instance as the page's POST loads it: fresh from the database, with the version the form carried.
            instance = SchoolReturn.objects.get(pk=draft.pk)
            try:
                services.return_save(
                    school_return=instance,
                    figures=dict(figures),
                    classes=list(classes),
                    rooms=list(rooms),
                    expected_version=held[who],
                    by=editors[users[who]],
                )
            except services.ReturnConflict as exc:
                model.saved(held[who], None, won=False)
                # The loser learns the current version and sees the winner's figures.
                assert exc.current.version == model.version
                assert _normal(return_figures(exc.current), [], [])[0] == model.state[0]
            else:
                model.saved(held[who], _normal(figures, classes, rooms), won=True)
            model.check()
        # The opening pair "both read n, A saves, B saves": exactly one of them won.
        assert model.wins_per_version[1] == 1


# --------------------------------------------------------------------------------------------- through the page


def edit_url(ret) -> str:
    return reverse("schools:return_edit", args=[ret.pk])


def post_data(edit: dict, base_rows, version) -> dict:
    figures, classes, rooms = complete(edit, base_rows)
    return edit_form_data(kind="primary", figures=figures, classes=classes, rooms=rooms, version=version)


def assert_input_kept(response, data: dict) -> None:
    """The loser's page carries everything they posted (the version aside: it now holds the current one)."""
    form = response.context["form"]
    for field in FIGURE_FIELDS:
        if field in form.fields:
            assert str(form[field].value() or "") == data[field], field
    classes = response.context["classes"]
    posted = int(data["classes-TOTAL_FORMS"])
    assert len(classes.forms) >= posted
    for i in range(posted):
        for key in ("section", "grade", "name", "students"):
            assert str(classes.forms[i][key].value()) == data[f"classes-{i}-{key}"], (i, key)
    rooms = response.context["rooms"]
    for i in range(int(data["rooms-TOTAL_FORMS"])):
        assert str(rooms.forms[i]["area_m2"].value() or "") == data[f"rooms-{i}-area_m2"], i


@settings(max_examples=scaled(6), **DB_PROPERTY)
@given(
    users=st.tuples(st.sampled_from(EDITORS), st.sampled_from(EDITORS)),
    edit_pair=st.tuples(edits(), edits()),
    second_first=st.booleans(),
)
def test_on_the_page_the_second_of_two_saves_on_one_version_sees_the_conflict_and_keeps_its_input(
    draft, editors, users, edit_pair, second_first
):
    with rolled_back():
        model = Model(draft)
        base_rows = (return_class_rows(draft), return_room_rows(draft))
        sessions = [Client(), Client()]  # the same user twice: two browsers
        for session, user in zip(sessions, users, strict=True):
            session.force_login(editors[user])
        versions = []
        for s in sessions:
            page = s.get(edit_url(draft))
            assert page.status_code == 200
            versions.append(page.context["form"]["version"].value())
        assert versions == [1, 1]
        order = [1, 0] if second_first else [0, 1]
        winner, loser = order
        data = [post_data(edit_pair[i], base_rows, versions[i]) for i in (0, 1)]

        won = sessions[winner].post(edit_url(draft), data[winner])
        assert won.status_code == 302, won.content.decode()[:2000]
        model.saved(1, _normal(*complete(edit_pair[winner], base_rows)), won=True)
        model.check()

        lost = sessions[loser].post(edit_url(draft), data[loser])
        assert lost.status_code == 200
        assert CONFLICT in lost.content.decode()
        assert lost.context["conflict"].version == 2
        assert lost.context["form"]["version"].value() == 2
        assert_input_kept(lost, data[loser])
        model.saved(1, None, won=False)
        model.check()
