"""SECURITY.md row 10: a valid 5,000-row import killed midway leaves no partial row; the same file uploaded twice leaves
no duplicate. The import is one transaction (schools.exchange.services.returns_import); here the "kill" is an exception
raised from inside it after half the schools, the closest a test process gets to a crash. The integration pass kills a
real process with SIGKILL on PostgreSQL (tests/integration/test_import_killed_pg.py)."""

import io
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from gongqing.models import AuditEvent
from schools import services
from schools.models import ReturnClass, SchoolReturn
from tests.factories import SchoolFactory

SCHOOLS, CLASSES_PER_SCHOOL = 10, 500  # 5,000 class rows: per-school work kept small for the fast pass
RETURN_HEADERS = ["学校标识码", "学校名称", "小学在校生数", "小学班级数", "小学专任教师数", "普通教室数"]
CLASS_HEADERS = ["学校标识码", "学校名称", "学段", "年级", "班级名称", "学生数"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def valid_workbook(schools, per_school: int) -> bytes:
    wb = Workbook(write_only=True)
    returns, classes = wb.create_sheet("学校填报"), wb.create_sheet("班级")
    returns.append(RETURN_HEADERS)
    classes.append(CLASS_HEADERS)
    for s in schools:
        returns.append([s.code, s.name, per_school * 40, per_school, per_school * 2, per_school])
        for i in range(per_school):
            grade = i % 6 + 1
            classes.append([s.code, s.name, "小学", grade, f"{grade}年级{i // 6 + 1}班", 40])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def upload(staff, ganlu, official_round):
    schools = [SchoolFactory(township=ganlu, code=f"21361{i:05d}") for i in range(SCHOOLS)]
    content = valid_workbook(schools, CLASSES_PER_SCHOOL)
    client = Client()
    client.force_login(staff)
    url = reverse("schools:exchange_upload", args=[official_round.pk])

    def _upload():
        return client.post(url, {"files": SimpleUploadedFile("county.xlsx", content, XLSX)})

    return _upload


def test_an_import_killed_midway_leaves_nothing_and_two_uploads_leave_no_duplicate(upload, monkeypatch):
    real_save, saved = services.return_save, []

    def dies_halfway(**kwargs):
        if len(saved) == SCHOOLS // 2:
            raise SystemExit("killed")  # not an Exception: nothing in the import may catch and carry on
        warnings = real_save(**kwargs)
        saved.append(kwargs["school_return"].pk)
        return warnings

    monkeypatch.setattr(services, "return_save", dies_halfway)
    imports_before = AuditEvent.objects.filter(action="import").count()
    with pytest.raises(SystemExit):
        upload()
    assert len(saved) == SCHOOLS // 2  # half the schools had been written inside the transaction...
    assert SchoolReturn.objects.count() == 0 and ReturnClass.objects.count() == 0  # ...and none of it remains
    assert AuditEvent.objects.filter(action="import").count() == imports_before

    monkeypatch.setattr(services, "return_save", real_save)
    for _ in range(2):
        assert 'id="import-result"' in upload().content.decode()
    assert SchoolReturn.objects.count() == SCHOOLS
    assert ReturnClass.objects.count() == SCHOOLS * CLASSES_PER_SCHOOL == 5000
    pairs = Counter(ReturnClass.objects.values_list("school_return_id", "name"))
    assert max(pairs.values()) == 1
    assert AuditEvent.objects.filter(action="import", result="ok").count() == imports_before + 2
