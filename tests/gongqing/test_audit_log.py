"""The audit log as an auditor uses it (issue 11, finding 7): Chinese action names for every code the portal records,
the person's name with the login, the object named and linked where the reader may open it, what changed as
field: old → new, filters by person, action, object type, result and dates, paging that keeps them, and the .xlsx
export (formula-safe, in chunks)."""

import ast
import datetime
import io
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongqing import audit
from gongqing.audit_catalog import known_actions
from gongqing.models import AuditEvent
from gongqing.roles import Role
from gongqing.views import audit as audit_views
from tests.factories import SchoolFactory, make_return

ROOT = Path(__file__).resolve().parents[2]
APPS = ("gongqing", "schools", "indicators", "supervision")


def _codes_in_source() -> set[str]:
    """Every action code written in the source: `action="…"` keywords (either branch of `a if c else b`),
    `action = "…"` assignments and `action: str = "…"` defaults. argparse's `action="store_true"` is not a code."""
    codes: set[str] = set()
    constants: dict[str, str] = {}  # module-level NAME = "…" of the module being read

    def strings(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, ast.Name) and node.id in constants:
            yield constants[node.id]
        elif isinstance(node, ast.IfExp):
            yield from strings(node.body)
            yield from strings(node.orelse)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                yield from strings(value)

    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            constants.clear()
            for node in tree.body:
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                    for target in node.targets:
                        if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                            constants[target.id] = node.value.value
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    if isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument":
                        continue
                    for kw in node.keywords:
                        if kw.arg == "action":
                            codes.update(strings(kw.value))
                elif isinstance(node, ast.Assign):
                    if any(isinstance(t, ast.Name) and t.id == "action" for t in node.targets):
                        codes.update(strings(node.value))
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    args = node.args.kwonlyargs
                    for arg, default in zip(args, node.args.kw_defaults, strict=True):
                        if arg.arg == "action" and default is not None:
                            codes.update(strings(default))
    return {c for c in codes if c and c.replace(".", "").replace("_", "").isalpha()}


def test_every_action_code_recorded_anywhere_has_a_chinese_name():
    codes = _codes_in_source()
    # The scan finds the codes it must (a scan that finds nothing would pass vacuously).
    assert {"return.approve", "supervision.accept", "scenario.update", "totp.disable", "api.call"} <= codes
    assert {"access.refused", "access.refused_repeated", "audit.export"} <= codes
    names = known_actions()
    missing = sorted(codes - set(names))
    assert not missing, f"action codes without a Chinese name in gongqing/audit_catalog.py: {missing}"
    for code in codes:
        assert names[code] != code and any("\u4e00" <= ch <= "\u9fff" for ch in names[code]), code


def test_soft_deletion_codes_are_named_from_the_recycle_bins_models():
    names = known_actions()
    assert names["scenario.delete"] == "删除模拟测算方案"
    assert names["school.restore"] == "恢复学校"
    assert names["rectificationitem.delete"] == "删除整改任务"


@pytest.fixture
def auditor_client(client, personas):
    client.force_login(personas[Role.AUDITOR])
    return client


@pytest.fixture
def admin_client(client, personas):
    client.force_login(personas[Role.BUREAU_ADMIN])
    return client


def _rows(client, **query):
    response = client.get(reverse("audit_log"), query)
    assert response.status_code == 200
    return response.context["rows"]


def _school_post(school, **changes):
    data = {
        "code": school.code,
        "name": school.name,
        "township": school.township_id,
        "kind": school.kind,
        "location": school.location,
        "ownership": school.ownership,
    }
    return {**data, **changes}


def test_an_edit_reads_as_person_action_object_and_field_old_to_new(client, personas, ganlu_school, jiangyi):
    admin = personas[Role.BUREAU_ADMIN]
    admin.full_name = "刘芳"
    admin.save(update_fields=["full_name"])
    client.force_login(admin)
    data = _school_post(ganlu_school, name="甘露镇第一小学", township=jiangyi.pk)
    assert client.post(reverse("schools:edit", args=[ganlu_school.pk]), data).status_code == 302

    client.force_login(personas[Role.AUDITOR])
    [row] = _rows(client, action="school.save")
    assert (row.person, row.login, row.action, row.result) == ("刘芳", "admin", "保存学校信息", "成功")
    assert row.object_text == "学校 甘露镇第一小学"
    assert row.object_url == ""  # the auditor opens nothing but the log: the object is described, not linked
    changes = {(c.label, c.old, c.new) for c in row.changes}
    assert changes == {("学校名称", "甘露镇中心小学", "甘露镇第一小学"), ("乡镇（街道）", "甘露镇", "江益镇")}
    page = client.get(reverse("audit_log"), {"action": "school.save"}).content.decode()
    assert "学校名称：甘露镇中心小学 → 甘露镇第一小学" in page and "刘芳" in page

    client.force_login(admin)
    [row] = _rows(client, action="school.save")
    assert row.object_url == reverse("schools:detail", args=[ganlu_school.pk])  # the admin may open it


def test_a_role_change_shows_the_old_and_new_role_by_name(admin_client, personas):
    user = personas[Role.DEPARTMENT_OFFICER]
    data = {"username": user.username, "full_name": "王强", "phone": "", "role": Role.LEADERSHIP}
    assert admin_client.post(reverse("user_edit", args=[user.pk]), data).status_code == 302
    [row] = _rows(admin_client, action="user.change")
    assert ("角色", "部门联络员", "领导小组成员") in {(c.label, c.old, c.new) for c in row.changes}
    assert row.object_text == "用户 王强（finance）"
    assert row.object_url == reverse("user_edit", args=[user.pk])
    fields = dict(row.facts)["修改的项目"]
    assert "姓名" in fields and "角色" in fields


def test_a_return_save_lists_each_changed_figure(client, staff, ganlu_school, official_round):
    from gongqing.audit_present import present
    from schools.models import SchoolReturn
    from tests.schools.postdata import current_form_data

    ret = make_return(school=ganlu_school, round=official_round)
    old = SchoolReturn.objects.get(pk=ret.pk).multimedia_rooms
    client.force_login(staff)
    data = current_form_data(ret, multimedia_rooms=12)
    assert client.post(reverse("schools:return_edit", args=[ret.pk]), data).status_code == 302
    event = AuditEvent.objects.filter(action="return.save").get()
    assert event.detail["changes"] == {"multimedia_rooms": [old, 12]}
    [row] = present([event], staff)
    label = SchoolReturn._meta.get_field("multimedia_rooms").verbose_name
    assert [(c.label, c.old, c.new) for c in row.changes] == [(str(label), str(old), "12")]


def test_deleted_and_vanished_objects_are_described_not_linked(admin_client, ganlu, official_round, staff):
    gone = SchoolFactory(township=ganlu, name="已撤并小学")
    soft = SchoolFactory(township=ganlu, name="已删除小学")
    audit.record(action="school.save", user=staff, obj=gone)
    audit.record(action="school.save", user=staff, obj=soft)
    gone_pk = gone.pk
    type(gone).all_objects.filter(pk=gone_pk).delete()
    soft.deleted_at = timezone.now()
    soft.save(update_fields=["deleted_at"])
    rows = {r.event.object_id: r for r in _rows(admin_client, action="school.save")}
    assert rows[str(gone_pk)].object_text == f"学校 #{gone_pk}（已不存在）" and rows[str(gone_pk)].object_url == ""
    assert rows[str(soft.pk)].object_text == "学校 已删除小学（已删除）" and rows[str(soft.pk)].object_url == ""


def test_refusals_read_as_pages_and_objects(auditor_client, jiangyi_official, ganlu_school, client):
    from django.test import Client

    other = Client()
    other.force_login(jiangyi_official)
    other.get(reverse("schools:detail", args=[ganlu_school.pk]))
    other.get(reverse("reports:list"))
    rows = _rows(auditor_client, action="access.refused", user=jiangyi_official.pk)
    assert [(r.action, r.object_text, r.result) for r in rows] == [
        ("拒绝访问", "页面 /reports/", "拒绝"),
        ("拒绝访问", "学校 甘露镇中心小学", "拒绝"),
    ]


@pytest.fixture
def varied_log(personas, ganlu_school, jiangyi_school):
    """Rows of several people, actions, results and days."""
    staff, admin = personas[Role.BUREAU_STAFF], personas[Role.BUREAU_ADMIN]
    with time_machine.travel(datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC), tick=False):
        audit.record(action="school.save", user=staff, obj=ganlu_school)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC), tick=False):
        audit.record(action="login.failed", result="failed", username="nobody")
        audit.record(action="user.disable", user=admin, obj=staff)
    with time_machine.travel(datetime.datetime(2026, 3, 3, 10, tzinfo=datetime.UTC), tick=False):
        audit.record(action="school.save", user=admin, obj=jiangyi_school)
        audit.record(action="access.refused", user=staff, obj=ganlu_school, result="refused", status=404)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "school.save"}, ["school.save@admin", "school.save@staff"]),
        ({"result": "failed"}, ["login.failed@nobody"]),
        ({"result": "refused"}, ["access.refused@staff"]),
        ({"object_type": "schools.school"}, ["access.refused@staff", "school.save@admin", "school.save@staff"]),
        ({"object_type": "gongqing.user"}, ["user.disable@admin"]),
        ({"date_from": "2026-03-02", "date_to": "2026-03-02"}, ["user.disable@admin", "login.failed@nobody"]),
        ({"date_from": "2026-03-03"}, ["access.refused@staff", "school.save@admin"]),
        ({"date_to": "2026-03-01"}, ["school.save@staff"]),
        ({"action": "school.save", "date_to": "2026-03-02"}, ["school.save@staff"]),
        ({"q": "禁用"}, []),
        ({"q": "停用"}, ["user.disable@admin"]),
        ({"q": "nobody", "result": "failed"}, ["login.failed@nobody"]),
    ],
)
def test_filters(query, expected, varied_log, client, personas):
    client.force_login(personas[Role.AUDITOR])
    rows = [r for r in _rows(client, **query) if r.action_code != "login"]
    assert [f"{r.action_code}@{r.login}" for r in rows] == expected


def test_filter_by_person(varied_log, auditor_client, personas):
    rows = _rows(auditor_client, user=personas[Role.BUREAU_STAFF].pk)
    assert [r.action_code for r in rows] == ["access.refused", "school.save"]


def test_a_reversed_date_range_is_refused_with_a_message_and_shows_nothing(varied_log, auditor_client):
    response = auditor_client.get(reverse("audit_log"), {"date_from": "2026-03-03", "date_to": "2026-03-01"})
    assert response.status_code == 200 and response.context["rows"] == []
    assert "结束日期不能早于开始日期。" in response.content.decode()
    response = auditor_client.get(reverse("audit_log"), {"date_from": "3月1日"})
    assert response.context["rows"] == [] and "开始日期" in response.content.decode()


def test_paging_keeps_the_filters(auditor_client, staff):
    AuditEvent.objects.bulk_create(
        [AuditEvent(action="return.save", username="staff", user=staff) for _ in range(130)]
        + [AuditEvent(action="export", username="staff", user=staff) for _ in range(5)]
    )
    first = auditor_client.get(reverse("audit_log"), {"action": "return.save"})
    assert first.context["page"].paginator.count == 130
    page = first.content.decode()
    assert 'href="?action=return.save&amp;page=2"' in page
    second = auditor_client.get(reverse("audit_log"), {"action": "return.save", "page": 2})
    assert len(second.context["rows"]) == 30 and {r.action_code for r in second.context["rows"]} == {"return.save"}


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_rows(
    auditor_client, personas, ganlu, official_round, django_assert_max_num_queries
):
    staff = personas[Role.BUREAU_STAFF]
    schools = [SchoolFactory(township=ganlu) for _ in range(6)]
    returns = [make_return(school=s, round=official_round, with_rows=False) for s in schools]

    def add(n):
        for i in range(n):
            audit.record(action="school.save", user=staff, obj=schools[i % 6], fields=["name"])
            audit.record(action="return.save", user=personas[Role.BUREAU_ADMIN], obj=returns[i % 6])
            audit.record(action="round.save", user=staff, obj=official_round)
            audit.record(action="user.disable", user=personas[Role.BUREAU_ADMIN], obj=personas["ganlu_official"])

    add(2)
    auditor_client.get(reverse("audit_log"))  # warm the session
    # session and user 2, closed refusal minutes 1, count 1, rows with their people 1, one per object model (school,
    # return, round, user: 4), the notice badge 1, the person filter's options 1, the session's save 3.
    with django_assert_max_num_queries(14) as few:
        auditor_client.get(reverse("audit_log"))
    add(30)
    with django_assert_max_num_queries(len(few)) as many:
        assert len(auditor_client.get(reverse("audit_log")).context["rows"]) == 100
    assert len(many) == len(few)


# --- the .xlsx export ------------------------------------------------------------------------------------------------


def _sheet(response):
    body = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(body)).active


def test_the_export_holds_the_filtered_rows_readable_and_formula_safe(varied_log, auditor_client):
    audit.record(action="login.failed", result="failed", username='=HYPERLINK("http://evil/","x")')
    response = auditor_client.get(reverse("audit_log_export"), {"result": "failed"})
    assert response.status_code == 200
    assert response["Content-Type"] == audit_views.XLSX
    assert "attachment" in response["Content-Disposition"]
    ws = _sheet(response)
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:7] == ("时间", "姓名", "登录名", "来源地址", "操作", "操作代码", "结果")
    assert [(r[2], r[4], r[6]) for r in rows[1:]] == [
        ('\'=HYPERLINK("http://evil/","x")', "登录失败", "失败"),
        ("nobody", "登录失败", "失败"),
    ]
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    # The export is itself audited, with the filters it used.
    event = AuditEvent.objects.filter(action="audit.export").get()
    assert event.username == "auditor" and event.detail == {"rows": 2, "filters": {"result": "failed"}}


def test_the_export_writes_in_chunks_and_keeps_the_order(auditor_client, staff, monkeypatch):
    monkeypatch.setattr(audit_views, "EXPORT_CHUNK", 7)
    AuditEvent.objects.bulk_create([AuditEvent(action=f"x{i:03d}", username="staff") for i in range(30)])
    rows = list(_sheet(auditor_client.get(reverse("audit_log_export"), {"q": "x"})).iter_rows(values_only=True))[1:]
    assert [r[5] for r in rows] == [f"x{i:03d}" for i in reversed(range(30))]


def test_an_export_over_the_cap_is_refused_with_a_message(auditor_client, staff, monkeypatch):
    monkeypatch.setattr(audit_views, "EXPORT_MAX_ROWS", 3)
    AuditEvent.objects.bulk_create([AuditEvent(action="x", username="staff") for _ in range(5)])
    response = auditor_client.get(reverse("audit_log_export"), {"action": ""}, follow=True)
    assert "超过导出上限 3 条" in response.content.decode()
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_an_invalid_filter_is_not_exported(auditor_client):
    response = auditor_client.get(reverse("audit_log_export"), {"date_from": "x"}, follow=True)
    assert "开始日期" in response.content.decode()
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_the_page_links_the_export_with_its_filters(auditor_client):
    page = auditor_client.get(reverse("audit_log"), {"action": "login", "result": "ok"}).content.decode()
    assert 'href="/audit/export.xlsx?action=login&amp;result=ok"' in page


def test_other_roles_cannot_export(client, personas):
    client.force_login(personas[Role.BUREAU_STAFF])
    assert client.get(reverse("audit_log_export")).status_code == 403
