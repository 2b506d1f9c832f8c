"""Backup and restore (SECURITY.md row 20): a round trip gives identical row counts and file checksums; a damaged or
tampered archive, or a database that already holds data, is refused and nothing changes."""

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum

from gongqing import backup, softdelete
from gongqing.models import AuditEvent
from schools.models import ReturnClass, ReturnGradeSum, School, SchoolReturn
from tests.factories import SchoolFactory, make_return

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def portal_data(staff, ganlu, official_round):
    """A few rows in most of the apps and two media files, one in a nested folder with a Chinese name."""
    schools = [SchoolFactory(township=ganlu) for _ in range(3)]
    for school in schools:
        make_return(school=school, round=official_round)
    media = Path(settings.MEDIA_ROOT)
    (media / "evidence" / "supervision" / "2026").mkdir(parents=True)
    (media / "evidence" / "supervision" / "2026" / "照片.jpg").write_bytes(bytes(range(256)) * 40)
    (media / "reports").mkdir()
    (media / "reports" / "self-assessment.pdf").write_bytes(b"%PDF-1.7\n" + b"x" * 5000)
    return schools


def read_member(archive, name):
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile(name).read())


def media_checksums(root: Path) -> dict[str, str]:
    return {rel: backup.sha256_file(path) for rel, path in backup.media_files(root)}


def wipe(media: Path) -> None:
    """Empty every table and the media folder: the state of a freshly migrated server."""
    backup._empty_tables("default")
    for _rel, path in backup.media_files(media):
        path.unlink()


def rewrite(archive: Path, change) -> None:
    """Copy the archive member by member through `change(name, data) -> data`."""
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar]
    with tarfile.open(archive, "w:gz") as tar:
        for member, data in members:
            data = change(member.name, data)
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))


def test_a_round_trip_into_an_empty_database_and_media_folder_is_identical(portal_data, staff, tmp_path):
    softdelete.soft_delete(obj=SchoolFactory(name="已删除的小学"), by=staff)  # hidden rows travel too
    media = Path(settings.MEDIA_ROOT)
    counts_before, files_before = backup.row_counts(), media_checksums(media)
    archive = tmp_path / "b.tar.gz"
    call_command("backup", out=str(archive), stdout=io.StringIO())
    manifest = read_member(archive, "manifest.json")
    assert manifest["row_counts"] == counts_before
    assert manifest["row_counts"]["schools_schoolreturn"] == 3 and manifest["row_counts"]["schools_school"] == 4
    assert set(manifest["sha256"]) == {"database.json"} | {f"media/{rel}" for rel in files_before}
    assert manifest["migrations"] and manifest["format"] == 1 and manifest["created_at"]

    wipe(media)
    assert School.objects.count() == 0 and not backup.media_files(media)
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)

    after = backup.row_counts()
    # The backup and the restore are themselves audited: the one extra row is the restore's own.
    assert after.pop("gongqing_auditevent") == counts_before.pop("gongqing_auditevent") + 1
    assert AuditEvent.objects.filter(action="backup.restore").count() == 1
    assert after == counts_before
    assert media_checksums(media) == files_before
    assert "schools_schoolreturn: 3" in out.getvalue()
    assert School.all_objects.get(name="已删除的小学").is_deleted and School.objects.count() == 3
    assert list(SchoolReturn.objects.values_list("school__code", flat=True).order_by("school__code")) == sorted(
        s.code for s in portal_data
    )


def class_sums():
    return sorted(
        ReturnClass.objects.values_list("school_return_id", "grade").annotate(s=Sum("students"), c=Count("pk"))
    )


def stored_sums():
    return sorted(ReturnGradeSum.objects.values_list("school_return_id", "grade", "students", "classes"))


@pytest.mark.parametrize("force", [False, True])
def test_the_derived_class_sums_are_not_carried_and_are_rebuilt_by_the_restore(portal_data, tmp_path, force):
    # 3 returns of 6 primary grades: the sums are the class rows', before and after, never doubled.
    before = stored_sums()
    assert before == [tuple(row) for row in class_sums()] and len(before) == 18
    archive = tmp_path / "b.tar.gz"
    manifest = backup.backup_create(out=archive)
    assert "schools_returngradesum" not in manifest["row_counts"]
    assert not [row for row in read_member(archive, "database.json") if row["model"] == "schools.returngradesum"]
    if not force:
        wipe(Path(settings.MEDIA_ROOT))
        assert not ReturnGradeSum.objects.exists()
    call_command("restore", str(archive), force=force, stdout=io.StringIO())
    assert stored_sums() == before


def test_the_backup_leaves_sessions_out(portal_data, login, staff, tmp_path):
    login(staff)
    archive = tmp_path / "b.tar.gz"
    backup.backup_create(out=archive)
    dump = read_member(archive, "database.json")
    assert not [row for row in dump if row["model"] == "sessions.session"]
    assert [row for row in dump if row["model"] == "gongqing.user"]


def test_a_restore_into_a_fresh_sqlite_file_migrates_it_first(portal_data, tmp_path):
    archive = tmp_path / "b.tar.gz"
    manifest = backup.backup_create(out=archive)
    target_db, target_media = tmp_path / "fresh.sqlite3", tmp_path / "media2"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PORTAL_TEST_USE_EXISTING_DB")}
    env.update(DATABASE_URL=f"sqlite:///{target_db}", MEDIA_ROOT=str(target_media), VAR_DIR=str(tmp_path / "var"))
    done = subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(target_db) as db:
        counts = {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in manifest["row_counts"]}
    assert counts.pop("gongqing_auditevent") == manifest["row_counts"]["gongqing_auditevent"] + 1
    assert counts == {t: n for t, n in manifest["row_counts"].items() if t != "gongqing_auditevent"}
    assert media_checksums(target_media) == media_checksums(Path(settings.MEDIA_ROOT))


def _state(media: Path):
    return backup.row_counts(), media_checksums(media), sorted(School.objects.values_list("name", flat=True))


@pytest.mark.parametrize(
    "member",
    ["database.json", "media/reports/self-assessment.pdf"],
)
def test_a_tampered_archive_is_refused_and_changes_nothing(portal_data, tmp_path, member):
    media = Path(settings.MEDIA_ROOT)
    archive = tmp_path / "b.tar.gz"
    backup.backup_create(out=archive)

    def tamper(name, data):
        if name != member:
            return data
        return data.replace("测试小学".encode(), "篡改小学".encode()) if name == "database.json" else data + b"!"

    rewrite(archive, tamper)
    School.objects.filter(pk=portal_data[0].pk).update(name="改过的名字")
    before = _state(media)
    with pytest.raises(CommandError, match="校验和不符"):
        call_command("restore", str(archive), force=True, stdout=io.StringIO())
    assert _state(media) == before


def test_an_archive_whose_manifest_names_a_missing_member_is_refused(portal_data, tmp_path):
    archive = tmp_path / "b.tar.gz"
    backup.backup_create(out=archive)

    def drop_file(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["sha256"]["media/extra.txt"] = "0" * 64
        return json.dumps(manifest).encode()

    rewrite(archive, drop_file)
    with pytest.raises(CommandError, match="不一致"):
        call_command("restore", str(archive), force=True, stdout=io.StringIO())


def test_an_archive_with_a_path_outside_the_folder_is_refused(portal_data, tmp_path):
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("../../outside.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    with pytest.raises(CommandError, match="不允许"):
        call_command("restore", str(archive), force=True, stdout=io.StringIO())
    assert not (tmp_path.parent / "outside.txt").exists()


def test_a_file_that_is_not_an_archive_is_refused(db, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="无法读取"):
        call_command("restore", str(junk), stdout=io.StringIO())


def test_a_database_that_holds_data_is_refused_without_force(portal_data, tmp_path):
    media = Path(settings.MEDIA_ROOT)
    archive = tmp_path / "b.tar.gz"
    backup.backup_create(out=archive)
    SchoolFactory(name="备份之后新建的学校")
    before = _state(media)
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert _state(media) == before


def test_force_replaces_the_data_with_the_archives(portal_data, tmp_path):
    archive = tmp_path / "b.tar.gz"
    backup.backup_create(out=archive)
    SchoolFactory(name="备份之后新建的学校")
    call_command("restore", str(archive), force=True, stdout=io.StringIO())
    assert School.objects.count() == 3 and not School.objects.filter(name="备份之后新建的学校").exists()


def test_a_media_folder_that_holds_files_is_refused_without_force(portal_data, tmp_path):
    archive = tmp_path / "b.tar.gz"
    backup.backup_create(out=archive)
    backup._empty_tables("default")
    with pytest.raises(CommandError, match="媒体目录"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert School.objects.count() == 0
