"""Backup then restore on PostgreSQL (SECURITY.md row 20), through the real commands in subprocesses: the demo county
into one database, its archive into a second, empty one. Both databases are this test's own (the integration
database's name plus a suffix) and are dropped afterwards."""

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from gongqing import backup

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def read_member(archive, name):
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile(name).read())


def _postgres_url():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    return urlsplit(url)


def _url(parts, name):
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(parts):
    return psycopg.connect(_url(parts, "postgres").replace("postgres://", "postgresql://", 1), autocommit=True)


def _connect(parts, name):
    return psycopg.connect(_url(parts, name).replace("postgres://", "postgresql://", 1))


def _manage(*args, database_url, media, var):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PORTAL_TEST_USE_EXISTING_DB")}
    env.update(DATABASE_URL=database_url, MEDIA_ROOT=str(media), VAR_DIR=str(var))  # no REDIS_URL: tasks run eagerly
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.fixture
def two_databases():
    parts = _postgres_url()
    base = parts.path.strip("/")
    names = (f"{base}_bk_src", f"{base}_bk_dst")
    with _admin(parts) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    yield parts, names
    with _admin(parts) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_demo_county_survives_a_backup_and_restore_into_an_empty_postgresql_database(two_databases, tmp_path):
    parts, (source, target) = two_databases
    media, media2, var = tmp_path / "media", tmp_path / "media2", tmp_path / "var"
    src_url, dst_url = _url(parts, source), _url(parts, target)
    _manage("migrate", "--noinput", database_url=src_url, media=media, var=var)
    _manage("seed_demo", database_url=src_url, media=media, var=var)
    (media / "reports").mkdir(parents=True, exist_ok=True)
    (media / "reports" / "自评报告.pdf").write_bytes(b"%PDF-1.7 " + os.urandom(20000))
    archive = tmp_path / "demo.tar.gz"
    _manage("backup", "--out", str(archive), database_url=src_url, media=media, var=var)
    manifest = read_member(archive, "manifest.json")
    assert manifest["database_vendor"] == "postgresql"
    assert manifest["row_counts"]["schools_school"] > 0 and manifest["row_counts"]["schools_schoolreturn"] > 0

    out = _manage("restore", str(archive), database_url=dst_url, media=media2, var=var)
    assert "恢复完成" in out

    with _connect(parts, source) as src, _connect(parts, target) as dst:
        for table, n in manifest["row_counts"].items():
            (src_n,) = src.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()
            (dst_n,) = dst.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()
            extra = 1 if table == "gongqing_auditevent" else 0  # source: + the backup's row; target: + the restore's
            assert (src_n, dst_n) == (n + extra, n + extra), table
        # Sequences were reset: a new row takes the next key instead of colliding with a restored one.
        (max_id,) = dst.execute("SELECT MAX(id) FROM schools_township").fetchone()
        (new_id,) = dst.execute(
            "INSERT INTO schools_township (code, name, \"order\") VALUES ('999999999', '新乡镇', 99) RETURNING id"
        ).fetchone()
        assert new_id > max_id
    files = {rel: backup.sha256_file(p) for rel, p in backup.media_files(media)}
    assert files and {rel: backup.sha256_file(p) for rel, p in backup.media_files(media2)} == files

    # A second restore into the now non-empty database is refused without --force.
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PORTAL_TEST_USE_EXISTING_DB")}
    env.update(DATABASE_URL=dst_url, MEDIA_ROOT=str(tmp_path / "media3"), VAR_DIR=str(var))
    refused = subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert refused.returncode != 0 and "--force" in refused.stderr
