"""Portal pages of the API: token administration for bureau admins, and the offline documentation page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from gongqing.decorators import roles_required
from gongqing.models import ApiToken, User
from gongqing.roles import Role

from .auth import DEFAULT_DAYS, token_create, token_revoke
from .permissions import LoggedInOrToken

SCOPE_LABELS = {
    "read": gettext_lazy("读取（read）"),
    "returns:write": gettext_lazy("填报写入（returns:write）"),
    "reports:write": gettext_lazy("报告生成（reports:write）"),
}


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=80)
    user = forms.ModelChoiceField(
        label=gettext_lazy("所属账号"),
        queryset=User.objects.filter(is_active=True).order_by("role", "username"),
        help_text=gettext_lazy("通常为“接口客户端”角色的账号；令牌只能看到该账号在网页上能看到的数据。"),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("权限范围"),
        choices=list(SCOPE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        initial=["read"],
    )
    days = forms.IntegerField(label=gettext_lazy("有效天数"), min_value=1, max_value=730, initial=DEFAULT_DAYS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        api_clients = self.fields["user"].queryset.filter(role=Role.API_CLIENT)
        first = api_clients.first()
        if first is not None:
            self.fields["user"].initial = first.pk


@roles_required(Role.BUREAU_ADMIN)
def token_list(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token, raw = token_create(
            user=data["user"],
            name=data["name"],
            scopes=data["scopes"],
            days=data["days"],
            by=request.user,
            request=request,
        )
        # Shown in this answer only: never stored, never redirected through the session.
        return render(request, "api/token_created.html", {"token": token, "raw": raw})
    tokens = ApiToken.objects.select_related("user", "created_by")
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens, "now": timezone.now()})


@require_POST
@roles_required(Role.BUREAU_ADMIN)
def token_revoke_view(request, pk):
    token = get_object_or_404(ApiToken, pk=pk)
    if token_revoke(token=token, by=request.user, request=request):
        messages.success(request, _("已吊销令牌 %(prefix)s…。") % {"prefix": token.prefix})
    return redirect("api:tokens")


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema, for signed-in users and token holders."""

    permission_classes = [LoggedInOrToken]


class DocsView(APIView):
    """Swagger UI from the portal's own static files; its start-up script is a static file too (strict CSP)."""

    permission_classes = [LoggedInOrToken]
    renderer_classes = [TemplateHTMLRenderer]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return Response(
            {
                "schema_url": reverse("api:schema"),
                "dist": static("drf_spectacular_sidecar/swagger-ui-dist/"),
                "title": _("接口文档"),
            },
            template_name="api/docs.html",
        )
