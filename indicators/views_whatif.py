from django.http import Http404

from gongqing.decorators import BUREAU, roles_required


@roles_required(*BUREAU)
def whatif(request, pk):
    raise Http404


@roles_required(*BUREAU)
def scenario_detail(request, pk):
    raise Http404


@roles_required(*BUREAU)
def scenario_compare(request, pk):
    raise Http404
