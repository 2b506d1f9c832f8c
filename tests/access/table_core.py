"""Who may use each route of gongqing/urls.py and schools/urls.py.

Each entry: optional `kwargs` (URL arguments), `data` (the POST body) and `query` (GET parameters), each a callable of
the `objs` fixture (see conftest.py), and for each of GET and POST the set of personas allowed. A persona not listed
must be refused (403/404, 405, or the login page for anonymous).
"""

from tests.schools.postdata import current_form_data

ANONYMOUS = "anonymous"
BUREAU = frozenset({"bureau_admin", "bureau_staff"})
ADMIN = frozenset({"bureau_admin"})
OFFICIALS = frozenset({"ganlu_official", "jiangyi_official"})
DATA_ENTRY = BUREAU | OFFICIALS
# The read-only roles that see the whole county's schools.
COUNTY_READERS = frozenset({"leadership", "department_officer"})
SCHOOL_READERS = DATA_ENTRY | COUNTY_READERS
PORTAL_USERS = SCHOOL_READERS | {"auditor"}
# Every account, the API client included: signing in and out and changing one's own password.
ACCOUNTS = PORTAL_USERS | {"api_client"}
EVERYONE = ACCOUNTS | {ANONYMOUS}
NOBODY: frozenset = frozenset()
# 甘露镇's objects: never 江益镇's official.
GANLU_READERS = SCHOOL_READERS - {"jiangyi_official"}
GANLU_ENTRY = DATA_ENTRY - {"jiangyi_official"}


def _school_data(objs):
    school = objs["school"]
    return {
        "code": school.code,
        "name": school.name,
        "township": school.township_id,
        "kind": school.kind,
        "location": school.location,
        "ownership": school.ownership,
    }


def _round_data(objs):
    rnd = objs["round"]
    return {
        "school_year": rnd.school_year_id,
        "kind": rnd.kind,
        "name": rnd.name,
        "as_of": rnd.as_of.isoformat(),
        "due_date": rnd.due_date.isoformat(),
        "is_open": "on",
    }


ROUTES = {
    # --- accounts and the shell ---
    "healthz": {"GET": EVERYONE, "POST": EVERYONE},
    "login": {
        "GET": EVERYONE,
        "POST": EVERYONE,
        "data": lambda objs: {"username": "nobody", "password": "wrong-password"},
    },
    "logout": {"GET": NOBODY, "POST": ACCOUNTS},
    "password_change": {"GET": ACCOUNTS, "POST": ACCOUNTS},
    "password_change_done": {"GET": ACCOUNTS, "POST": NOBODY},
    # Identity (issue 8): the idle warning's keepalive and the TOTP second factor's own page, for every account.
    "keepalive": {"GET": ACCOUNTS, "POST": ACCOUNTS},
    "totp": {"GET": ACCOUNTS, "POST": ACCOUNTS, "data": lambda objs: {"code": "000000"}},
    "home": {"GET": PORTAL_USERS, "POST": PORTAL_USERS},
    "notices": {"GET": PORTAL_USERS, "POST": PORTAL_USERS},
    "notice_read": {"kwargs": lambda objs: {"pk": objs["notice"].pk}, "GET": NOBODY, "POST": PORTAL_USERS},
    # --- user administration and the audit log ---
    "users": {"GET": ADMIN, "POST": ADMIN},
    "user_create": {
        "GET": ADMIN,
        "POST": ADMIN,
        "data": lambda objs: {"username": "newcomer", "full_name": "新同事", "role": "bureau_staff"},
    },
    "user_edit": {
        "kwargs": lambda objs: {"pk": objs["managed_user"].pk},
        "GET": ADMIN,
        "POST": ADMIN,
        "data": lambda objs: {
            "username": "ganlu_clerk",
            "full_name": "甘露镇填报员",
            "role": "township_official",
            "township": objs["township"].pk,
        },
    },
    "user_toggle": {"kwargs": lambda objs: {"pk": objs["managed_user"].pk}, "GET": NOBODY, "POST": ADMIN},
    "user_reset": {"kwargs": lambda objs: {"pk": objs["managed_user"].pk}, "GET": NOBODY, "POST": ADMIN},
    "user_unlock": {"kwargs": lambda objs: {"pk": objs["managed_user"].pk}, "GET": NOBODY, "POST": ADMIN},
    "user_totp_reset": {"kwargs": lambda objs: {"pk": objs["managed_user"].pk}, "GET": NOBODY, "POST": ADMIN},
    "audit_log": {"GET": ADMIN | {"auditor"}, "POST": ADMIN | {"auditor"}},
    "audit_log_export": {"GET": ADMIN | {"auditor"}, "POST": NOBODY},
    # --- the school registry ---
    "schools:list": {"GET": SCHOOL_READERS, "POST": SCHOOL_READERS},
    "schools:create": {
        "GET": BUREAU,
        "POST": BUREAU,
        "data": lambda objs: {**_school_data(objs), "code": "2136099999", "name": "甘露镇新开小学"},
    },
    "schools:detail": {"kwargs": lambda objs: {"pk": objs["school"].pk}, "GET": GANLU_READERS, "POST": GANLU_READERS},
    "schools:edit": {
        "kwargs": lambda objs: {"pk": objs["school"].pk},
        "GET": BUREAU,
        "POST": BUREAU,
        "data": _school_data,
    },
    "schools:county_profile": {
        "GET": ADMIN,
        "POST": ADMIN,
        "data": lambda objs: {"name": "共青城市", "code": "360482", "government": "共青城市人民政府"},
    },
    # --- collection rounds ---
    "schools:rounds": {"GET": DATA_ENTRY, "POST": DATA_ENTRY},
    "schools:round_create": {
        "GET": BUREAU,
        "POST": BUREAU,
        "data": lambda objs: {**_round_data(objs), "kind": "interim", "name": "2025年3月自查", "as_of": "2025-03-01"},
    },
    "schools:round_edit": {
        "kwargs": lambda objs: {"pk": objs["round"].pk},
        "GET": BUREAU,
        "POST": BUREAU,
        "data": _round_data,
    },
    # The board is scoped: 江益镇's official sees only 江益镇's rows.
    "schools:round_board": {"kwargs": lambda objs: {"pk": objs["round"].pk}, "GET": DATA_ENTRY, "POST": DATA_ENTRY},
    "schools:round_remind": {
        "kwargs": lambda objs: {"pk": objs["round"].pk, "township_pk": objs["township"].pk},
        "GET": NOBODY,
        "POST": BUREAU,
    },
    # --- returns ---
    "schools:return_start": {
        "kwargs": lambda objs: {"school_pk": objs["fresh_school"].pk, "round_pk": objs["round"].pk},
        "GET": NOBODY,
        "POST": GANLU_ENTRY,
    },
    "schools:review_queue": {"GET": BUREAU, "POST": BUREAU},
    "schools:return_detail": {
        "kwargs": lambda objs: {"pk": objs["draft_return"].pk},
        "GET": GANLU_READERS,
        "POST": GANLU_READERS,
    },
    "schools:return_edit": {
        "kwargs": lambda objs: {"pk": objs["draft_return"].pk},
        "GET": GANLU_ENTRY,
        "POST": GANLU_ENTRY,
        "data": lambda objs: current_form_data(objs["draft_return"], primary_teachers_backbone=6),
    },
    "schools:return_submit": {
        "kwargs": lambda objs: {"pk": objs["draft_return"].pk},
        "GET": NOBODY,
        "POST": GANLU_ENTRY,
    },
    "schools:return_approve": {
        "kwargs": lambda objs: {"pk": objs["submitted_return"].pk},
        "GET": NOBODY,
        "POST": BUREAU,
    },
    "schools:return_send_back": {
        "kwargs": lambda objs: {"pk": objs["submitted_return"].pk},
        "GET": NOBODY,
        "POST": BUREAU,
        "data": lambda objs: {"comment": "请核对班级数。"},
    },
    "schools:return_reopen": {
        "kwargs": lambda objs: {"pk": objs["approved_return"].pk},
        "GET": NOBODY,
        "POST": BUREAU,
        "data": lambda objs: {"comment": "教学仪器设备值有误。"},
    },
}
