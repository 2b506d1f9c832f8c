"""The bureau's rules page: list, add, edit, switch on and off (thin views over schools.quality.services)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongqing.decorators import roles_required
from gongqing.roles import BUREAU

from . import selectors, services
from .forms import RuleForm
from .models import Rule


@roles_required(BUREAU)
def rule_list(request):
    return render(request, "quality/rule_list.html", {"rules": selectors.rule_list()})


@roles_required(BUREAU)
def rule_edit(request, pk=None):
    rule = get_object_or_404(Rule, pk=pk) if pk else None
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        services.rule_save(form=form, by=request.user, request=request)
        messages.success(request, _("规则已保存。"))
        return redirect("schools:quality_rules")
    history = selectors.rule_history(rule) if rule else []
    return render(request, "quality/rule_form.html", {"form": form, "rule": rule, "history": history})


@require_POST
@roles_required(BUREAU)
def rule_switch(request, pk):
    rule = get_object_or_404(Rule, pk=pk)
    active = request.POST.get("active") == "1"
    services.rule_set_active(rule=rule, active=active, by=request.user, request=request)
    messages.success(
        request,
        _("规则“%(label)s”已启用。") % {"label": rule.label}
        if active
        else _("规则“%(label)s”已停用。") % {"label": rule.label},
    )
    return redirect("schools:quality_rules")
