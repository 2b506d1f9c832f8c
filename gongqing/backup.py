"""Backup and restore of the whole portal: the database and MEDIA_ROOT in one tar.gz with a manifest.

Format (`FORMAT_VERSION` 1), members in this order:
- `database.json`: Django's `dumpdata` of every model (sessions excepted), primary keys kept, no natural keys.
  Chosen over pg_dump because one archive then restores on SQLite and on PostgreSQL alike, needs no client binary
  whose version must match the server's, and goes through the same migrations the code knows;
- `media/<path>`: every file under MEDIA_ROOT (evidence files, rendered reports);
- `manifest.json`: format version, creation time, the portal version, the applied migrations, the row count of every
  table and the SHA-256 of every other member.

A restore reads and checks the whole archive before it touches the database or the media folder; then it migrates the
database to the archive's migration state, empties the tables and loads the data in one transaction (row counts checked
against the manifest before commit), migrates to the code's state, resets PostgreSQL's sequences and copies the media.
Sessions are left out on purpose: a restored archive never revives a login.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "database.json"
MEDIA_PREFIX = "media/"
EXCLUDED_MODELS = frozenset({"sessions.session"})
# Tables the database derives from other tables by triggers (schools migration 0004: each return's class sums): not
# carried, since loading the class rows rebuilds them; emptied with the rest before a restore (PostgreSQL's TRUNCATE
# fires no trigger).
DERIVED_MODELS = frozenset({"schools.returngradesum"})
# Apps whose rows are the portal's data; rows migrations create (content types, permissions, seeded routing) don't count
# when deciding whether a database is empty.
DATA_APPS = ("gongqing", "schools", "indicators", "supervision", "survey", "reports")
MIGRATION_SEEDED = frozenset({"supervision.routingrule"})
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A refused backup or restore, with a message for the operator (Chinese and English)."""


@dataclass
class RestoreResult:
    counts: dict[str, int] = field(default_factory=dict)
    media_files: int = 0


def portal_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gongqing-portal")
    except PackageNotFoundError:
        return "unknown"


def included_models(using: str = DEFAULT_DB_ALIAS, *, derived: bool = False) -> list:
    """Every concrete model whose table the backup carries (and the derived ones, with `derived`), in a stable
    order."""
    out = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in EXCLUDED_MODELS:
            continue
        if meta.label_lower in DERIVED_MODELS and not derived:
            continue
        out.append(model)
    return sorted(out, key=lambda m: m._meta.db_table)


def row_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows per table; `_base_manager` so no default manager (soft deletion) hides rows."""
    return {m._meta.db_table: m._base_manager.using(using).count() for m in included_models(using)}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_files(root: Path) -> list[tuple[str, Path]]:
    """(archive-relative posix path, file) for every regular file under root; symlinks are not followed."""
    if not root.exists():
        return []
    out = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out.append((path.relative_to(root).as_posix(), path))
    return out


def applied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[list[str]]:
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return []
    return sorted([app, name] for app, name in recorder.applied_migrations())


# --- backup ---------------------------------------------------------------------------------------------------


def backup_create(*, out: Path, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Write the archive to `out` and return its manifest. The dump and the counts come from one snapshot where the
    database gives one (a repeatable-read transaction on PostgreSQL; SQLite's single writer)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="gq-backup-") as tmp:
        dump = Path(tmp) / DATABASE
        with transaction.atomic(using=using):
            connection = connections[using]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            call_command(
                "dumpdata",
                exclude=sorted(EXCLUDED_MODELS | DERIVED_MODELS),
                format="json",
                use_base_manager=True,  # soft-deleted rows too: the default managers hide them
                indent=None,
                output=str(dump),
                database=using,
                verbosity=0,
            )
            counts = row_counts(using)
            migrations = applied_migrations(using)
        files = media_files(media_root)
        checksums = {DATABASE: sha256_file(dump)}
        for rel, path in files:
            checksums[MEDIA_PREFIX + rel] = sha256_file(path)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "portal_version": portal_version(),
            "database_vendor": connections[using].vendor,
            "migrations": migrations,
            "row_counts": counts,
            "sha256": checksums,
        }
        partial = out.with_name(out.name + ".part")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(dump, arcname=DATABASE, recursive=False)
            for rel, path in files:
                tar.add(path, arcname=MEDIA_PREFIX + rel, recursive=False)
            data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
        partial.replace(out)  # a half-written archive never carries the final name
    return manifest


# --- restore --------------------------------------------------------------------------------------------------


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name


def unpack_and_verify(archive: Path, into: Path) -> dict:
    """Unpack into `into` and check every member against the manifest. Raises BackupError; touches nothing else."""
    try:
        tar = tarfile.open(archive, "r:*")  # noqa: SIM115 - closed by the `with tar` below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(_("无法读取备份文件（%(error)s）。 Cannot read the archive.") % {"error": exc}) from None
    names = []
    with tar:
        try:
            for member in tar:
                if not member.isfile() or not _safe_member_name(member.name):
                    raise BackupError(
                        _("备份文件含有不允许的条目：%(name)s。 The archive holds a disallowed entry.")
                        % {"name": member.name}
                    )
                target = into / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                with open(target, "wb") as fh:
                    shutil.copyfileobj(source, fh, CHUNK)
                names.append(member.name)
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise BackupError(_("备份文件已损坏（%(error)s）。 The archive is damaged.") % {"error": exc}) from None
    if MANIFEST not in names:
        raise BackupError(_("备份文件缺少清单 manifest.json。 The archive has no manifest."))
    try:
        manifest = json.loads((into / MANIFEST).read_text("utf-8"))
        expected = dict(manifest["sha256"])
        manifest["row_counts"], manifest["migrations"]  # noqa: B018 - required keys
    except (ValueError, KeyError, TypeError):
        raise BackupError(_("备份清单无法读取。 The manifest cannot be read.")) from None
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            _("不支持的备份格式 %(format)s。 Unsupported archive format.") % {"format": manifest.get("format")}
        )
    members = set(names) - {MANIFEST}
    if len(names) != len(set(names)):
        raise BackupError(_("备份文件含有重复条目。 The archive holds duplicate entries."))
    missing, extra = sorted(set(expected) - members), sorted(members - set(expected))
    if missing or extra or DATABASE not in expected:
        raise BackupError(
            _("备份文件与清单不一致（缺少：%(missing)s；多出：%(extra)s）。 Archive and manifest disagree.")
            % {"missing": ", ".join(missing[:5]) or "—", "extra": ", ".join(extra[:5]) or "—"}
        )
    bad = sorted(name for name, digest in expected.items() if sha256_file(into / name) != digest)
    if bad:
        raise BackupError(
            _("校验和不符，备份文件可能被篡改或损坏：%(names)s。未做任何改动。 Checksum mismatch; nothing was changed.")
            % {"names": ", ".join(bad[:5])}
        )
    return manifest


def database_has_data(using: str = DEFAULT_DB_ALIAS) -> bool:
    """True when any of the portal's own tables holds a row (migration-seeded tables aside)."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    for model in included_models(using):
        meta = model._meta
        if meta.app_label not in DATA_APPS or meta.label_lower in MIGRATION_SEEDED or meta.db_table not in existing:
            continue
        if model._base_manager.using(using).exists():
            return True
    return False


def media_has_files() -> bool:
    return bool(media_files(Path(settings.MEDIA_ROOT)))


def _check_migrations(manifest: dict, using: str) -> list[tuple[str, str]]:
    """The per-app targets of the archive's migration state; refuse an archive made by newer code."""
    executor = MigrationExecutor(connections[using])
    known = set(executor.loader.graph.nodes)
    archived = {(app, name) for app, name in manifest["migrations"]}
    unknown = sorted(archived - known)
    if unknown:
        raise BackupError(
            _("备份来自更新版本的系统，含有本版本没有的迁移：%(names)s。请先升级系统。 The archive is from newer code.")
            % {"names": ", ".join(f"{a}.{n}" for a, n in unknown[:5])}
        )
    targets = {}
    for app, name in sorted(archived):
        targets[app] = max(targets.get(app, name), name)
    return sorted(targets.items())


def _migrate(targets: list[tuple[str, str]] | None, using: str) -> None:
    connection = connections[using]
    executor = MigrationExecutor(connection)
    if targets is None:
        targets = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    if plan:
        executor.migrate(targets, plan=plan)


def _empty_tables(using: str) -> None:
    connection = connections[using]
    tables = [m._meta.db_table for m in included_models(using, derived=True)]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=True)
    connection.ops.execute_sql_flush(statements)


def reset_sequences(using: str = DEFAULT_DB_ALIAS) -> None:
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), included_models(using, derived=True))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def restore_archive(*, archive: Path, force: bool = False, using: str = DEFAULT_DB_ALIAS, stdout=None) -> RestoreResult:
    """Restore `archive` into this database and MEDIA_ROOT. Refuses (BackupError, nothing changed) a damaged or
    tampered archive, and a database or media folder that already holds data unless `force`."""

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="gq-restore-") as tmp:
        unpacked = Path(tmp)
        manifest = unpack_and_verify(Path(archive), unpacked)
        say(_("校验通过：%(n)s 个条目。 Checksums verified.") % {"n": len(manifest["sha256"])})
        targets = _check_migrations(manifest, using)
        if not force and database_has_data(using):
            raise BackupError(
                _("数据库中已有数据，拒绝恢复（确需覆盖请加 --force）。 The database holds data: use --force.")
            )
        if not force and media_has_files():
            raise BackupError(
                _("媒体目录 %(path)s 中已有文件，拒绝恢复（确需覆盖请加 --force）。 MEDIA_ROOT is not empty.")
                % {"path": media_root}
            )
        _migrate(targets, using)
        say(_("数据库已迁移到备份时的状态。 Database migrated to the archive's state."))
        expected = manifest["row_counts"]
        with transaction.atomic(using=using):
            _empty_tables(using)
            call_command("loaddata", str(unpacked / DATABASE), database=using, verbosity=0)
            counts = row_counts(using)
            wrong = {t: (n, counts.get(t)) for t, n in expected.items() if counts.get(t) != n}
            if wrong:
                raise BackupError(
                    _("恢复后行数与清单不符，已回滚：%(tables)s。 Row counts differ; rolled back.")
                    % {"tables": ", ".join(f"{t} {a}≠{b}" for t, (a, b) in list(wrong.items())[:5])}
                )
            reset_sequences(using)
        _migrate(None, using)
        reset_sequences(using)
        restored = 0
        for name in manifest["sha256"]:
            if not name.startswith(MEDIA_PREFIX):
                continue
            target = media_root / name.removeprefix(MEDIA_PREFIX)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(unpacked / name, target)
            restored += 1
    return RestoreResult(counts=row_counts(using), media_files=restored)
