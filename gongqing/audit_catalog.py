"""What the audit log's codes mean to a person: action and result names, detail keys, and where an object's page is.

Every action code the portal records has a Chinese name here (`tests/gongqing/test_audit_log.py` scans the source for
`record(action=...)` and fails on a code without one). Soft deletion records `<model>.delete` / `<model>.restore`;
those names are made from the recycle bin's models (gongqing.softdelete). Objects are named by model label strings and
route names only: this module imports no higher app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import softdelete

ACTIONS: dict[str, str] = {
    # accounts and sessions
    "login": _("登录"),
    "login.failed": _("登录失败"),
    "login.password_ok": _("密码正确，待二次验证"),
    "logout": _("退出登录"),
    "account.locked": _("账号锁定"),
    "login.address_delayed": _("同一地址尝试多个用户名，开始延迟登录"),
    "account.unlock": _("解除账号锁定"),
    "password.change": _("修改密码"),
    "totp.enrol": _("启用二次验证"),
    "totp.disable": _("停用二次验证"),
    "session.form_kept": _("登录超时后保留表单"),
    # user administration
    "user.create": _("新建用户"),
    "user.change": _("修改用户"),
    "user.enable": _("启用用户"),
    "user.disable": _("停用用户"),
    "user.reset_password": _("重置用户密码"),
    "user.totp_reset": _("重置用户二次验证"),
    # access and the API
    "access.refused": _("拒绝访问"),
    "access.refused_repeated": _("一分钟内再次被拒绝（合并计数）"),
    "api.call": _("接口调用"),
    "api.auth_failed": _("接口认证失败"),
    "api_token.create": _("创建接口令牌"),
    "api_token.revoke": _("吊销接口令牌"),
    # operations
    "backup.create": _("备份"),
    "backup.restore": _("从备份恢复"),
    "audit.prune": _("清理过期审计日志"),
    "audit.export": _("导出审计日志"),
    # schools and returns
    "school.save": _("保存学校信息"),
    "county_profile.save": _("保存县域概况"),
    "round.save": _("保存采集批次"),
    "round.remind": _("提醒乡镇填报"),
    "return.start": _("开始填报"),
    "return.save": _("保存填报"),
    "return.submit": _("提交填报"),
    "return.approve": _("审核通过填报"),
    "return.send_back": _("退回填报"),
    "return.reopen": _("重新打开填报"),
    "explanation.save": _("填写数据说明"),
    "explanation.accept": _("接受数据说明"),
    "figure.send_back": _("按数据项退回填报"),
    "figure.follow_up": _("标记数据跟进"),
    "figure.follow_up_clear": _("解除数据跟进"),
    "attachment.upload": _("上传填报附件"),
    "attachment.download": _("下载填报附件"),
    "quality.export": _("导出数据质量清单"),
    "import": _("导入学校数据"),
    "export": _("导出学校数据"),
    "quality.rule_save": _("保存数据质量规则"),
    "quality.rule_switch": _("启用或停用数据质量规则"),
    # indicators
    "results.export": _("导出评估结果"),
    "results.recompute": _("重新计算评估结果"),
    "county_entry.save": _("填报县级指标"),
    "evidence.upload": _("上传县级指标佐证材料"),
    "evidence.download": _("下载县级指标佐证材料"),
    "year_settings.save": _("保存学年评估设置"),
    "unit_costs.save": _("保存测算单位成本"),
    "standard.derive": _("派生评估标准"),
    "scenario.create": _("新建模拟测算方案"),
    "scenario.update": _("修改模拟测算方案"),
    "dashboard.intake_estimates": _("保存一年级招生预估"),
    "dashboard.export": _("导出看板数据"),
    # supervision
    "supervision.cycle_create": _("新建工作周期"),
    "supervision.cycle_current": _("设为当前工作周期"),
    "supervision.measure_save": _("保存主要措施"),
    "supervision.routing_save": _("保存指标责任分工"),
    "supervision.ledger_sync": _("同步整改台账"),
    "supervision.item_create": _("新建整改任务"),
    "supervision.item_schedule": _("调整整改阶段和时限"),
    "supervision.item_reassign": _("调整整改任务责任单位"),
    "supervision.assessment_export": _("导出督导考核结果"),
    "supervision.assessment_method_save": _("保存督导考核方法"),
    "supervision.target_save": _("保存实施方案目标标准"),
    "supervision.progress": _("报告整改进度"),
    "supervision.evidence_upload": _("上传整改佐证材料"),
    "supervision.evidence_download": _("下载整改佐证材料"),
    "supervision.done": _("报告整改完成"),
    "supervision.accept": _("验收通过"),
    "supervision.send_back": _("验收退回"),
    "supervision.project_save": _("保存建设项目"),
    "supervision.review_save": _("保存外部评估"),
    "supervision.finding_save": _("保存评估反馈问题"),
    # the survey
    "survey.create": _("新建满意度调查"),
    "survey.update": _("修改满意度调查"),
    "survey.close": _("关闭满意度调查"),
    "survey.reopen": _("重新开放满意度调查"),
    "survey.refresh": _("更新调查结果"),
    "survey.paper_add": _("录入纸质问卷"),
    "survey.paper_delete": _("删除纸质问卷汇总"),
    "survey.export": _("导出调查答卷"),
    "survey.import": _("导入调查答卷"),
    # reports
    "report.draft_save": _("保存自评报告文稿"),
    "report.request": _("请求生成自评报告"),
    "report.retry": _("重新生成自评报告"),
    "report.rendered": _("自评报告生成完成"),
    "report.failed": _("自评报告生成失败"),
    "report.download": _("下载自评报告"),
    "report.tables_export": _("导出自评报告附表"),
    # the evidence binder
    "binder.request": _("请求生成档案"),
    "binder.retry": _("重新生成档案"),
    "binder.built": _("档案生成完成"),
    "binder.failed": _("档案生成失败"),
    "binder.download": _("下载档案"),
    # the statistics return (基表)
    "statistics.upload": _("上传统计基表"),
    "statistics.mapping": _("保存统计基表列对应"),
    "statistics.import": _("导入统计基表"),
    "statistics.close": _("设置统计基表年度已关闭"),
    "statistics.resolve": _("处理基表差异"),
    "statistics.prefill": _("从统计基表预填正式批次"),
}

RESULTS: dict[str, str] = {
    "ok": _("成功"),
    "failed": _("失败"),
    "refused": _("拒绝"),
    "locked": _("锁定"),
    "error": _("出错"),
    "too_large": _("内容过大"),
    "delayed": _("延迟"),
}

# Names of detail keys that are not a field of the object's model (those take the field's verbose name).
DETAIL_KEYS: dict[str, str] = {
    "method": _("请求方法"),
    "user_names": _("尝试的用户名数"),
    "path": _("地址"),
    "route": _("页面"),
    "status": _("应答状态"),
    "token": _("令牌"),
    "reason": _("原因"),
    "comment": _("意见"),
    "size": _("大小（字节）"),
    "rows": _("行数"),
    "format": _("格式"),
    "what": _("内容"),
    "township": _("乡镇"),
    "recipients": _("提醒人数"),
    "source": _("来源"),
    "created": _("新增"),
    "updated": _("更新"),
    "classes": _("班级"),
    "rooms": _("功能室"),
    "warnings": _("提示"),
    "messages": _("问题"),
    "version": _("版本"),
    "part": _("文件"),
    "synchronous": _("同步生成"),
    "error": _("错误"),
    "count": _("次数"),
    "since": _("自"),
    "until": _("至"),
    "samples": _("尝试的对象"),
    "kind": _("类别"),
    "field": _("数据项"),
    "rule": _("规则"),
    "first_event": _("首次记录编号"),
    "filters": _("筛选条件"),
    "days": _("保留天数"),
    "deleted": _("删除行数"),
    "files": _("文件数"),
    "stage": _("阶段"),
    "forced": _("强制原因"),
    "next_step": _("下一步"),
    "target": _("对象用户"),
    "fields": _("修改的项目"),
    "rows_changed": _("明细有变化"),
    "prefilled_from": _("预填来源"),
    "name": _("名称"),
    "changes": _("变更"),
    "percent": _("进度（%）"),
    "measures": _("措施数"),
    "responses": _("答卷数"),
    "group": _("群体"),
    "forms": _("份数"),
    "item_groups": _("修改题目的群体"),
    "year": _("学年"),
    "changed": _("变化数"),
    "based_on": _("依据"),
    "entry": _("指标"),
    "code": _("代码"),
    "standard": _("评估标准"),
    "policy": _("教学点政策"),
    "opened": _("新开"),
    "reopened": _("重开"),
    "closed": _("关闭"),
    "role": _("角色"),
    "scopes": _("权限范围"),
    "expires_at": _("到期时间"),
    "skipped": _("未变动跳过"),
    "schools": _("学校范围"),
    "township_id": _("乡镇编号"),
}


def action_label(code: str) -> str:
    """The Chinese name of an action code; the code itself when unknown (it is then shown as it is)."""
    label = ACTIONS.get(code)
    if label is not None:
        return str(label)
    model_name, _dot, verb = code.rpartition(".")
    for b in softdelete.RECYCLE_BIN:
        if b.model._meta.model_name == model_name and verb in ("delete", "restore"):
            what = b.model._meta.verbose_name
            return str(_("删除%(what)s") % {"what": what} if verb == "delete" else _("恢复%(what)s") % {"what": what})
    return code


def known_actions() -> dict[str, str]:
    """Every known code with its name, the soft-delete codes included (for the filter and the completeness test)."""
    out = {code: str(label) for code, label in ACTIONS.items()}
    for b in softdelete.RECYCLE_BIN:
        for verb in ("delete", "restore"):
            code = f"{b.model._meta.model_name}.{verb}"
            out.setdefault(code, action_label(code))
    return out


def result_label(code: str) -> str:
    return str(RESULTS.get(code, code))


# --- objects ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectKind:
    """How the log names and links an object of one model. `url` gives (route name, args) of the object's page;
    `select_related` is what `text` reads, so naming a page of objects costs one query per model."""

    url: Callable[[object], tuple[str, tuple]] | None = None
    text: Callable[[object], str] | None = None
    select_related: tuple[str, ...] = ()


def _user_text(user) -> str:
    return f"{user.full_name}（{user.username}）" if user.full_name else user.username


def _report_text(report) -> str:
    return str(_("%(title)s 第%(version)s版") % {"title": report.title or report.stage, "version": report.version})


OBJECT_KINDS: dict[str, ObjectKind] = {
    "gongqing.user": ObjectKind(url=lambda o: ("user_edit", (o.pk,)), text=_user_text),
    "gongqing.apitoken": ObjectKind(select_related=("user",), text=lambda o: f"{o.name}（{o.prefix}…，{o.user}）"),
    "schools.school": ObjectKind(url=lambda o: ("schools:detail", (o.pk,)), select_related=("township",)),
    "schools.schoolreturn": ObjectKind(
        url=lambda o: ("schools:return_detail", (o.pk,)), select_related=("school", "round__school_year")
    ),
    "schools.collectionround": ObjectKind(
        url=lambda o: ("schools:round_board", (o.pk,)), select_related=("school_year",)
    ),
    "schools.countyprofile": ObjectKind(url=lambda o: ("schools:county_profile", ())),
    "annotations.returnattachment": ObjectKind(
        url=lambda o: ("annotations:review", (o.school_return_id,)), text=lambda o: o.name
    ),
    "indicators.standard": ObjectKind(url=lambda o: ("indicators:standard", (o.pk,))),
    "indicators.scenario": ObjectKind(url=lambda o: ("indicators:scenario", (o.pk,))),
    "indicators.countyentry": ObjectKind(
        url=lambda o: ("indicators:county_entry_edit", (o.school_year.year, o.code)), select_related=("school_year",)
    ),
    "indicators.yearsettings": ObjectKind(
        url=lambda o: ("indicators:year_settings", (o.school_year.year,)), select_related=("school_year", "standard")
    ),
    "indicators.costsettings": ObjectKind(url=lambda o: ("indicators:cost_settings", ())),
    "indicators.evidence": ObjectKind(select_related=("entry__school_year",), text=lambda o: f"{o.entry} · {o.name}"),
    "supervision.measure": ObjectKind(url=lambda o: ("supervision:measure", (o.pk,))),
    "supervision.rectificationitem": ObjectKind(url=lambda o: ("supervision:item", (o.pk,))),
    "supervision.evidencefile": ObjectKind(select_related=("update",)),
    "supervision.project": ObjectKind(url=lambda o: ("supervision:project_edit", (o.pk,))),
    "supervision.routingrule": ObjectKind(url=lambda o: ("supervision:routing_edit", (o.code,))),
    "supervision.review": ObjectKind(url=lambda o: ("supervision:reviews", ())),
    "supervision.finding": ObjectKind(url=lambda o: ("supervision:finding_edit", (o.review_id, o.pk))),
    "supervision.cycle": ObjectKind(url=lambda o: ("supervision:cycles", ())),
    "survey.survey": ObjectKind(url=lambda o: ("survey:detail", (o.pk,))),
    "survey.papertally": ObjectKind(url=lambda o: ("survey:detail", (o.survey_id,))),
    "reports.report": ObjectKind(
        url=lambda o: ("reports:stage", (o.stage_id,)), select_related=("stage",), text=_report_text
    ),
    "reports.reportdraft": ObjectKind(url=lambda o: ("reports:stage", (o.stage_id,)), select_related=("stage",)),
    "binder.binder": ObjectKind(url=lambda o: ("binder:list", ()), text=lambda o: f"{o.scope} v{o.version}"),
}


def object_kind(label: str) -> ObjectKind:
    return OBJECT_KINDS.get(label, ObjectKind())
