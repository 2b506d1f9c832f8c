"""User administration for bureau admins: create, change role and scope, disable, reset password."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongqing import login_guard, memberships, totp, users
from gongqing.decorators import roles_required
from gongqing.models import User
from gongqing.roles import ADMINS


class UserForm(forms.ModelForm):
    """The user's fields, then one unit field per registered membership kind (gongqing.memberships): the township of
    an official (schools), the department of a department officer (supervision)."""

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in memberships.KINDS:
            self.fields[kind.field] = forms.ModelChoiceField(label=kind.label, queryset=kind.units(), required=False)

    def clean(self):
        data = super().clean()
        role = data.get("role")
        for kind in memberships.KINDS:
            if role == kind.role and not data.get(kind.field):
                self.add_error(kind.field, kind.required)
        return data


@roles_required(ADMINS)
def user_list(request):
    rows = list(User.objects.select_related(*memberships.related_paths()).order_by("username"))
    for user in rows:
        user.scope_unit = memberships.scope(user)  # the township or body shown in the list
    return render(request, "users/user_list.html", {"users": rows, "now": timezone.now()})


@roles_required(ADMINS)
def user_edit(request, pk=None):
    user = get_object_or_404(User, pk=pk) if pk else None
    initial = {kind.field: memberships.unit_id(user, kind) for kind in memberships.KINDS} if user else {}
    # Read before validation: a bound ModelForm copies the posted values onto the instance.
    old_role = user.role if user else None
    form = UserForm(request.POST or None, instance=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)  # the fields set on the instance; users.user_save stores them
        password = users.user_save(
            user=obj, old_role=old_role, units=form.cleaned_data, fields=form.changed_data, request=request
        )
        if password:  # shown once in this response, like a reset password (user_reset_password)
            return render(request, "users/password_shown.html", {"target": obj, "password": password, "created": True})
        messages.success(request, _("用户已保存。"))
        return redirect("users")
    return render(request, "users/user_form.html", {"form": form, "obj": user})


@require_POST
@roles_required(ADMINS)
def user_toggle_active(request, pk):
    user = get_object_or_404(User, pk=pk)
    if user == request.user:
        messages.error(request, _("不能停用自己的账号。"))
        return redirect("users")
    users.user_active_toggle(user=user, request=request)
    messages.success(
        request, _("已启用 %(u)s。") % {"u": user} if user.is_active else _("已停用 %(u)s。") % {"u": user}
    )
    return redirect("users")


@require_POST
@roles_required(ADMINS)
def user_reset_password(request, pk):
    user = get_object_or_404(User, pk=pk)
    password = users.user_password_reset(user=user, request=request)
    # Shown once, in this response only: never in a message (a cookie or the session) nor in a redirect's URL.
    return render(request, "users/password_shown.html", {"target": user, "password": password, "created": False})


@require_POST
@roles_required(ADMINS)
def user_unlock(request, pk):
    user = get_object_or_404(User, pk=pk)
    login_guard.unlock(user=user, by=request.user, request=request)
    messages.success(request, _("已解锁 %(u)s。") % {"u": user})
    return redirect("users")


@require_POST
@roles_required(ADMINS)
def user_totp_reset(request, pk):
    """Recovery of a lost authenticator: the user enrols again at the next login (audited as user.totp_reset)."""
    user = get_object_or_404(User, pk=pk)
    if not user.has_totp:
        messages.info(request, _("%(u)s 未启用二次验证。") % {"u": user})
        return redirect("users")
    totp.totp_remove(user=user, by=request.user, request=request, action="user.totp_reset")
    messages.success(request, _("已重置 %(u)s 的二次验证，其下次登录后可重新绑定。") % {"u": user})
    return redirect("users")
