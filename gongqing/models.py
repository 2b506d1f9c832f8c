"""Shared models: the user, in-portal notices and the audit log."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import ADMINS, BUREAU, WHOLE_COUNTY, Role


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.BUREAU_STAFF)
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    last_unlock_or_login = models.DateTimeField(null=True, blank=True, editable=False)
    # Identity (issue 8): the password's age forces a change after PASSWORD_MAX_AGE_DAYS; an admin's create or reset
    # sets must_change_password. Existing rows get the migration's time, so nobody is forced by the upgrade itself.
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now, editable=False)
    must_change_password = models.BooleanField(_("须修改密码"), default=False, editable=False)
    # The TOTP second factor: the secret encrypted (gongqing.totp), never shown again after enrolment.
    totp_secret = models.CharField(max_length=255, blank=True, editable=False)
    totp_enabled_at = models.DateTimeField(_("二次验证启用时间"), null=True, blank=True, editable=False)
    totp_last_step = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    @property
    def is_bureau(self) -> bool:
        return self.role in BUREAU

    @property
    def is_bureau_admin(self) -> bool:
        return self.role in ADMINS

    @property
    def reads_whole_county(self) -> bool:
        return self.role in WHOLE_COUNTY

    @property
    def has_totp(self) -> bool:
        return bool(self.totp_secret and self.totp_enabled_at)


class Notice(models.Model):
    """An in-portal message shown to a user after login until read."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notices")
    text = models.CharField(_("内容"), max_length=500)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.text


class AuditRowImmutable(RuntimeError):
    """Audit rows are append-only: the portal never changes or deletes one (SECURITY.md row 7)."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditRowImmutable("audit rows cannot be changed")

    def delete(self):
        raise AuditRowImmutable("audit rows cannot be deleted; `manage.py prune_audit` removes rows past retention")


class AuditEvent(models.Model):
    """Who did what, when, from where, with what result. Written only through gongqing.audit.record().

    Append-only: saving an existing row, deleting one, and `update()`/`delete()` on the default manager's querysets
    raise AuditRowImmutable; below the ORM, database triggers refuse UPDATE and DELETE (gongqing.auditguard). Only
    `manage.py prune_audit` removes rows, older than the retention (at least 180 days).
    """

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    # No database constraint and no SET NULL: deleting a user changes none of their audit rows (the triggers of
    # gongqing.auditguard would refuse the UPDATE); the row keeps the id and `username`, and the log reads the name.
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象"), max_length=64, blank=True)
    result = models.CharField(_("结果"), max_length=16, default="ok")
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditRowImmutable("audit rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRowImmutable("audit rows cannot be deleted")


class RefusalWindow(models.Model):
    """The open minute of one person's refusals on one kind of object (gongqing.refusals).

    The first refusal of a window is an `access.refused` audit row; later ones within the minute only count here, and
    the count becomes one `access.refused_repeated` row when the window closes (at the person's next refusal after the
    minute, or by the `flush_refusals` task). Not an audit row: it is changed and removed; audit rows never are.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=120)  # a model label ("schools.school") or "page:<route name>"
    object_type = models.CharField(max_length=64, blank=True)
    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField(db_index=True)
    first_event_id = models.BigIntegerField(null=True)  # the `access.refused` row (a plain id: pruning keeps windows)
    count = models.PositiveIntegerField(default=0)  # refusals after the first, folded into the summary
    last_at = models.DateTimeField(null=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    samples = models.JSONField(default=list)  # the first object ids or paths tried after the first refusal

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_refusal_window_per_user_and_kind")]

    def __str__(self):
        return f"{self.user_id}:{self.kind}+{self.count}"


class ApiToken(models.Model):
    """A bearer token of an API client. Only the SHA-256 of the secret is stored; the secret is shown once."""

    SCOPES = ("read", "returns:write", "reports:write")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户"))
    name = models.CharField(_("名称"), max_length=80)
    prefix = models.CharField(_("前缀"), max_length=8, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.CharField(_("权限范围"), max_length=100, default="read")
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class IdempotencyRecord(models.Model):
    """The first answer to a write sent with an Idempotency-Key, replayed for 24 hours to the same user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)  # null while the first request is in flight
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_idempotency_key_per_user")]

    def __str__(self):
        return f"{self.user_id}:{self.key}"


class JobRow(models.Model):
    """The fields of a background job's row under the lease protocol (gongqing.jobs, gongqing.jobrows): the stage
    reports and the evidence binder. Each adds its own `status` (its words for running differ) and its results."""

    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    progress_note = models.CharField(max_length=80, blank=True)
    error = models.TextField(_("错误"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim = models.CharField(max_length=120, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # When the task was last handed to the broker (null: not yet, the broker was away), and when a run whose worker
    # was lost was taken up again (the sweep).
    sent_at = models.DateTimeField(null=True, blank=True)
    resumed_at = models.DateTimeField(_("重新开始于"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
