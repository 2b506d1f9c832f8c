from django.http import Http404

from gongqing.decorators import roles_required

from .views import RESULT_READERS


@roles_required(*RESULT_READERS)
def round_export(request, pk):
    raise Http404
