"""The recycle bin: bureau admins see every soft-deleted row (gongqing.softdelete) and restore it."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from gongqing import softdelete
from gongqing.decorators import roles_required
from gongqing.roles import ADMINS

SHOWN = 200


@require_safe
@roles_required(ADMINS)
def recycle_bin(request):
    sections = []
    for b in softdelete.RECYCLE_BIN:
        rows = b.model.all_objects.deleted().select_related("deleted_by", *b.select_related).order_by("-deleted_at")
        sections.append({"kind": b.kind, "title": b.title, "rows": list(rows[:SHOWN])})
    return render(request, "recycle_bin.html", {"sections": sections, "shown": SHOWN})


@require_POST
@roles_required(ADMINS)
def recycle_restore(request, kind, pk):
    b = softdelete.bin_of(kind)
    if b is None:
        raise Http404
    obj = b.model.all_objects.deleted().filter(pk=pk).first()
    if obj is None:
        raise Http404
    try:
        softdelete.soft_restore(obj=obj, by=request.user, request=request)
    except softdelete.RestoreConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已恢复“%(obj)s”。") % {"obj": obj})
    return redirect("recycle_bin")
